/** /start (greeting and menu) and /help. Menu buttons open the other features. */
import { Composer, InlineKeyboard } from "grammy";
import { escapeHtml } from "../../core/text/format.ts";
import type { SeromaContext } from "../context.ts";
import { HISTORY_DEFAULT, HISTORY_MAX, sendHistory } from "./history.ts";
import { sendLanguagePicker } from "./language.ts";
import { sendStatus } from "./status.ts";

export const startFeature = new Composer<SeromaContext>();

function menu(ctx: SeromaContext): InlineKeyboard {
  return new InlineKeyboard()
    .text(ctx.t("start-button-status"), "menu:status")
    .text(ctx.t("start-button-history"), "menu:history")
    .row()
    .text(ctx.t("start-button-language"), "menu:language")
    .text(ctx.t("start-button-help"), "menu:help");
}

async function sendHelp(ctx: SeromaContext): Promise<void> {
  await ctx.reply(
    ctx.t("help-text", {
      room: escapeHtml(ctx.services.config.roomId),
      default: String(HISTORY_DEFAULT),
      max: String(HISTORY_MAX),
      clip: String(ctx.services.config.camera.clipSeconds),
      nightly: ctx.services.config.backup.at ?? "off",
    }),
    { parse_mode: "HTML" },
  );
}

startFeature.command("start", async (ctx) => {
  await ctx.reply(
    ctx.t("start-greeting", {
      name: escapeHtml(ctx.from?.first_name ?? ""),
      room: escapeHtml(ctx.services.config.roomId),
      role: ctx.t(`start-role-${ctx.role}`),
    }),
    { parse_mode: "HTML", reply_markup: menu(ctx) },
  );
});

startFeature.command("help", sendHelp);

/** A Map, not an object: the key comes from the button's data ("menu:__proto__" is no action). */
const menuActions = new Map<string, (ctx: SeromaContext) => Promise<void>>([
  ["status", sendStatus],
  ["history", (ctx) => sendHistory(ctx, "")],
  ["language", sendLanguagePicker],
  ["help", sendHelp],
]);

startFeature.callbackQuery(/^menu:(\w+)$/, async (ctx) => {
  const action = menuActions.get(ctx.match[1] ?? "");
  if (!action) {
    await ctx.answerCallbackQuery({ text: ctx.t("error-button-expired") });
    return;
  }
  await ctx.answerCallbackQuery();
  await action(ctx);
});
