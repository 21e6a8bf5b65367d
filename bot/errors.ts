/**
 * The bot's error boundary. A failing handler is logged, the user gets one short
 * apology (when Telegram can be reached at all), and the bot keeps running.
 *   - GrammyError: Telegram answered and refused the call (bad request, blocked, 429...).
 *   - HttpError: Telegram could not be reached (network, DNS, proxy). Nothing can be sent.
 */
import { GrammyError, HttpError, type NextFunction } from "grammy";
import type { Logger } from "../core/logger.ts";
import type { SeromaContext } from "./context.ts";

export function describeTelegramError(err: unknown): {
  kind: "telegram-refused" | "telegram-unreachable" | "handler";
  detail: Record<string, unknown>;
} {
  if (err instanceof GrammyError) {
    return {
      kind: "telegram-refused",
      detail: {
        method: err.method,
        errorCode: err.error_code,
        description: err.description,
        retryAfter: err.parameters.retry_after,
      },
    };
  }
  if (err instanceof HttpError) {
    return {
      kind: "telegram-unreachable",
      detail: { message: err.message, cause: String((err as { error?: unknown }).error) },
    };
  }
  return { kind: "handler", detail: { err } };
}

const FALLBACK_TEXT = "Something went wrong on my side while handling that. Please try again in a moment.";

export interface ReportFailureOptions {
  /** Logger to use (default: the update's). */
  log?: Logger;
  /** The button was answered already (background work): say it in the chat instead. */
  callbackAnswered?: boolean;
  /** How to tell the user instead of a new message (e.g. edit a progress message). */
  tell?: (text: string) => Promise<unknown>;
}

/**
 * Logs a failure and tells the user once, briefly, when Telegram can be reached at all.
 * Used by the error boundary and by background work (bot/background.ts). Never throws.
 */
export async function reportFailure(ctx: SeromaContext, err: unknown, opts: ReportFailureOptions = {}): Promise<void> {
  const log = opts.log ?? ctx.log;
  const { kind, detail } = describeTelegramError(err);
  if (kind === "telegram-unreachable") {
    log.warn(detail, "Telegram unreachable while handling update");
    return; // Telling the user would need the very connection that just failed.
  }
  log.error(detail, kind === "telegram-refused" ? "Telegram refused a call" : "handler failed");
  // If translation itself is what failed, fall back to plain English.
  const text = typeof ctx.t === "function" ? ctx.t("error-generic") : FALLBACK_TEXT;
  try {
    if (opts.tell) await opts.tell(text);
    else if (ctx.callbackQuery && !opts.callbackAnswered) await ctx.answerCallbackQuery({ text });
    else if (ctx.chat) await ctx.reply(text);
  } catch (again) {
    log.warn(describeTelegramError(again).detail, "could not tell the user about the failure");
  }
}

export async function errorBoundary(ctx: SeromaContext, next: NextFunction): Promise<void> {
  try {
    await next();
  } catch (err) {
    await reportFailure(ctx, err);
  }
}
