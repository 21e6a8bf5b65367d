/**
 * Telegram: the token is valid and the Bot API answers (`getMe` against TELEGRAM_API_ROOT).
 * No token is local mode (a warning: nobody is alerted in Telegram). The token is never
 * printed: not in findings, not in errors (fetch errors can carry the URL).
 */
import { type Check, fail, messageOf, ok, skip, warn } from "../check.ts";
import { NO_CONFIG } from "./configuration.ts";

const TIMEOUT_MS = 6000;

function redact(text: string, token: string): string {
  return text.split(token).join("<token>").split(encodeURIComponent(token)).join("<token>");
}

function causeOf(e: unknown): string {
  const cause = (e as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (cause && typeof cause.code === "string") return cause.code;
  if (cause && typeof cause.message === "string") return cause.message;
  return messageOf(e);
}

export const telegramCheck: Check = {
  id: "telegram",
  title: "Telegram",
  manual: 'curl -s "$TELEGRAM_API_ROOT/bot$TELEGRAM_BOT_TOKEN/getMe"',
  async run(ctx) {
    if (!ctx.config.ok) return skip(NO_CONFIG);
    const { token, apiRoot } = ctx.config.config.telegram;
    if (!token) {
      return warn(
        "no TELEGRAM_BOT_TOKEN: the console runs in local mode (a page in the browser); nobody is alerted in Telegram",
        "create a bot with @BotFather and set `TELEGRAM_BOT_TOKEN=` and `ADMIN_IDS=` in .env (README: Create the bot)",
      );
    }
    const host = new URL(apiRoot).host;
    let res: Response;
    try {
      res = await fetch(`${apiRoot}/bot${token}/getMe`, {
        signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(TIMEOUT_MS)]),
      });
    } catch (e) {
      const why =
        (e as { name?: string }).name === "TimeoutError" ? `no answer within ${TIMEOUT_MS / 1000} s` : causeOf(e);
      return fail(
        `cannot reach ${host} (${redact(why, token)})`,
        `check the Pi's network and DNS: \`curl -sI ${new URL(apiRoot).origin}\` must answer (a proxy or firewall may block it)`,
      );
    }
    let body: { ok?: boolean; description?: string; result?: { username?: string; id?: number } } = {};
    try {
      body = (await res.json()) as typeof body;
    } catch {
      // not JSON (a proxy's error page): judged by the status below
    }
    if (res.ok && body.ok && body.result) {
      return ok(`the token is valid: @${body.result.username ?? "?"} (id ${body.result.id ?? "?"}) on ${host}`);
    }
    if (res.status === 401 || res.status === 404) {
      return fail(
        `${host} refused the token (${res.status} ${redact(body.description ?? res.statusText, token)})`,
        "check TELEGRAM_BOT_TOKEN with @BotFather (/mybots → your bot → API Token; /revoke makes a new one)",
      );
    }
    return fail(
      `${host} answered ${res.status} ${redact(body.description ?? res.statusText, token)}`,
      `Telegram or a proxy in between has trouble: try again later; \`curl -sI ${new URL(apiRoot).origin}\` shows what answers`,
    );
  },
};
