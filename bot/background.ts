/**
 * `inBackground`: chat work handed to the room's background runner (bot/background-runner.ts)
 * from a handler, so the chat's next update is handled at once.
 */
import { GrammyError, type InlineKeyboard } from "grammy";
import { BackgroundAborted, type BackgroundWork } from "./background-runner.ts";
import type { SeromaContext } from "./context.ts";
import { describeTelegramError, reportFailure } from "./errors.ts";

/** A task of a chat: the work, plus one progress message that becomes the result. */
export interface ChatWork extends BackgroundWork {
  /**
   * Shows `html` in the chat: sends the progress message the first time, edits it after
   * (Telegram's "message is not modified" is ignored). Other Telegram errors reject.
   */
  progress(html: string, extra?: { reply_markup?: InlineKeyboard }): Promise<void>;
}

export interface InBackgroundOptions {
  /** The button's answer when started from a button (a short toast saying what is happening). */
  toast?: string;
}

/**
 * In a handler: answers the button at once (with `toast`), runs `task` outside the chat's
 * update lane, and returns. The task's failures are logged with the update's logger and
 * reported to the user (in the progress message if there is one); when the console stops
 * mid-task, the progress message says so. A chat with too much in flight gets "busy".
 */
export async function inBackground(
  ctx: SeromaContext,
  name: string,
  task: (work: ChatWork) => Promise<void>,
  opts: InBackgroundOptions = {},
): Promise<void> {
  const log = ctx.log.child({ work: name });
  const chat = ctx.chat?.id ?? ctx.from?.id ?? 0;
  let open: () => void = () => undefined;
  // The work starts after the button is answered, so the answer is the first thing the user sees.
  const answered = new Promise<void>((resolve) => {
    open = resolve;
  });
  const outcome = ctx.services.background.submit(
    chat,
    name,
    async (work) => {
      await answered;
      let message: { chat: number; id: number } | undefined;
      let shown: string | undefined;
      const progress: ChatWork["progress"] = async (html, extra) => {
        if (message && html === shown && !extra) return;
        if (!message) {
          const sent = await ctx.reply(html, {
            parse_mode: "HTML",
            ...(extra ? { reply_markup: extra.reply_markup } : {}),
          });
          message = { chat: sent.chat.id, id: sent.message_id };
        } else {
          try {
            await ctx.api.editMessageText(message.chat, message.id, html, {
              parse_mode: "HTML",
              ...(extra ? { reply_markup: extra.reply_markup } : {}),
            });
          } catch (err) {
            if (!(err instanceof GrammyError && err.description.includes("not modified"))) throw err;
          }
        }
        shown = html;
      };
      try {
        await task({ ...work, progress });
      } catch (err) {
        if (err instanceof BackgroundAborted) {
          log.info("stopped, the console is stopping");
          if (message) await progress(ctx.t("background-stopped")).catch(() => undefined);
          return;
        }
        await reportFailure(ctx, err, {
          log,
          callbackAnswered: true,
          ...(message ? { tell: (text: string) => progress(text) } : {}),
        });
      }
    },
    log,
  );
  if (outcome === "busy" || outcome === "stopping") {
    open();
    const text = ctx.t(outcome === "busy" ? "background-busy" : "background-stopping");
    if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text, show_alert: true });
    else await ctx.reply(text, { parse_mode: "HTML" });
    return;
  }
  try {
    if (ctx.callbackQuery) await ctx.answerCallbackQuery(opts.toast ? { text: opts.toast } : {});
  } catch (err) {
    // A press answered too late (after downtime) is still worth doing.
    log.warn(describeTelegramError(err).detail, "could not answer the button; the work goes on");
  } finally {
    open();
  }
}
