/**
 * The bot's error boundary. A failing handler is logged, the user gets one short
 * apology (when Telegram can be reached at all), and the bot keeps running.
 *   - GrammyError: Telegram answered and refused the call (bad request, blocked, 429...).
 *   - HttpError: Telegram could not be reached (network, DNS, proxy). Nothing can be sent.
 */
import { GrammyError, HttpError, type NextFunction } from "grammy";
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

export async function errorBoundary(ctx: SeromaContext, next: NextFunction): Promise<void> {
  try {
    await next();
  } catch (err) {
    const { kind, detail } = describeTelegramError(err);
    if (kind === "telegram-unreachable") {
      ctx.log.warn(detail, "Telegram unreachable while handling update");
      return; // Telling the user would need the very connection that just failed.
    }
    ctx.log.error(detail, kind === "telegram-refused" ? "Telegram refused a call" : "handler failed");
    // If translation itself is what failed, fall back to plain English.
    const text = typeof ctx.t === "function" ? ctx.t("error-generic") : FALLBACK_TEXT;
    try {
      if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text });
      else if (ctx.chat) await ctx.reply(text);
    } catch (again) {
      ctx.log.warn(describeTelegramError(again).detail, "could not tell the user about the failure");
    }
  }
}
