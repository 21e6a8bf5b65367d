/** Last in the chain: anything no feature handled gets a hint, never silence (in private chats). */
import { Composer } from "grammy";
import type { SeromaContext } from "../context.ts";
import { cardPayload } from "../conversations/enroll.ts";

export const unhandledFeature = new Composer<SeromaContext>();

unhandledFeature.on("callback_query", async (ctx) => {
  ctx.log.info({ data: ctx.callbackQuery.data?.slice(0, 64) }, "stale or unknown button");
  // A short toast, not a dialog to dismiss: an old button is nothing to worry about.
  await ctx.answerCallbackQuery({ text: ctx.t("error-button-expired") });
});

unhandledFeature.on("message", async (ctx) => {
  // A card read for an enrollment that has ended meanwhile (timed out, left): nothing to say.
  if (cardPayload(ctx)) return;
  const isCommand = ctx.message.entities?.[0]?.type === "bot_command" && ctx.message.entities[0].offset === 0;
  // In groups, stay quiet about ordinary chatter; answer only commands addressed to the bot.
  if (ctx.chat.type !== "private" && !isCommand) return;
  await ctx.reply(ctx.t(isCommand ? "unhandled-command" : "unhandled-text"));
});
