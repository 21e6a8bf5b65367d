/** /language: pick English, Japanese, or follow the Telegram app (stored per user). */
import { Composer, InlineKeyboard } from "grammy";
import type { SeromaContext } from "../context.ts";
import { SUPPORTED_LOCALES } from "../i18n.ts";

const NATIVE_NAMES: Record<string, string> = { en: "English", ja: "日本語" };

function picker(ctx: SeromaContext): InlineKeyboard {
  const kb = new InlineKeyboard();
  for (const l of SUPPORTED_LOCALES) kb.text(NATIVE_NAMES[l] ?? l, `lang:${l}`);
  return kb.row().text(ctx.t("language-auto"), "lang:auto");
}

export async function sendLanguagePicker(ctx: SeromaContext): Promise<void> {
  await ctx.reply(ctx.t("language-choose"), { reply_markup: picker(ctx) });
}

export const languageFeature = new Composer<SeromaContext>();

languageFeature.command("language", sendLanguagePicker);

languageFeature.callbackQuery(/^lang:(\w+)$/, async (ctx) => {
  const choice = ctx.match[1] ?? "";
  const isAuto = choice === "auto";
  if (!isAuto && !(SUPPORTED_LOCALES as readonly string[]).includes(choice)) {
    await ctx.answerCallbackQuery({ text: ctx.t("error-button-expired") });
    return;
  }
  await ctx.services.storage.userSettings.setLocale(ctx.from.id, isAuto ? undefined : choice);
  await ctx.i18n.renegotiateLocale();
  await ctx.answerCallbackQuery();
  await ctx.editMessageText(ctx.t(isAuto ? "language-set-auto" : "language-set"));
});
