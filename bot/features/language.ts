/** /language: pick English, Japanese, or follow the Telegram app (stored per user). */
import { Composer } from "grammy";
import type { SeromaContext } from "../context.ts";
import { SUPPORTED_LOCALES } from "../i18n.ts";
import { pressed } from "../ui/callback-data.ts";
import { languageKeyboard } from "../ui/keyboards.ts";

export async function sendLanguagePicker(ctx: SeromaContext): Promise<void> {
  await ctx.reply(ctx.t("language-choose"), { reply_markup: languageKeyboard(ctx.t, SUPPORTED_LOCALES) });
}

export const languageFeature = new Composer<SeromaContext>();

languageFeature.command("language", sendLanguagePicker);

languageFeature.filter(pressed("language", "language-auto"), async (ctx) => {
  const choice = ctx.button.type === "language" ? ctx.button.locale : undefined;
  if (choice !== undefined && !(SUPPORTED_LOCALES as readonly string[]).includes(choice)) {
    await ctx.answerCallbackQuery({ text: ctx.t("error-button-expired") });
    return;
  }
  await ctx.services.storage.userSettings.setLocale(ctx.from.id, choice);
  await ctx.i18n.renegotiateLocale();
  await ctx.answerCallbackQuery();
  await ctx.editMessageText(ctx.t(choice === undefined ? "language-set-auto" : "language-set"));
});
