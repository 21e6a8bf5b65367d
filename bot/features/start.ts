/** /start (greeting and menu) and /help. Menu buttons open the other features. */
import { Composer } from "grammy";
import { escapeHtml } from "../../core/text/format.ts";
import type { SeromaContext } from "../context.ts";
import { type MenuItem, pressed } from "../ui/callback-data.ts";
import { menuKeyboard } from "../ui/keyboards.ts";
import { HISTORY_DEFAULT, HISTORY_MAX, sendHistory } from "./history.ts";
import { sendLanguagePicker } from "./language.ts";
import { sendStatus } from "./status.ts";

export const startFeature = new Composer<SeromaContext>();

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
    { parse_mode: "HTML", reply_markup: menuKeyboard(ctx.t) },
  );
});

startFeature.command("help", sendHelp);

const menuActions: Readonly<Record<MenuItem, (ctx: SeromaContext) => Promise<void>>> = {
  status: sendStatus,
  history: (ctx) => sendHistory(ctx, ""),
  language: sendLanguagePicker,
  help: sendHelp,
};

startFeature.filter(pressed("menu"), async (ctx) => {
  await ctx.answerCallbackQuery();
  await menuActions[ctx.button.item](ctx);
});
