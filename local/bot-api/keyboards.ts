/**
 * Reply markup: inline keyboards checked the way Telegram checks them (callback_data 1-64 bytes,
 * BUTTON_DATA_INVALID; every inline button needs an action; http(s)/tg URLs, and no URL to a
 * host without a dot such as localhost, nor to a loopback address: BUTTON_URL_INVALID; web_app
 * buttons with an https URL only (http and IP addresses too in Telegram's test environment), and
 * in private chats only: BUTTON_TYPE_INVALID elsewhere),
 * reply keyboards, keyboard removal and force reply taken as sent; edits accept inline
 * keyboards only.
 */
import type { InlineKeyboardButton, InlineKeyboardMarkup } from "grammy/types";
import { badRequest } from "./errors.ts";
import type { RecordedMessage, ReplyMarkup } from "./types.ts";

/** The inline buttons of a message, row by row flattened. */
export function inlineButtons(message: RecordedMessage | undefined): InlineKeyboardButton[] {
  const markup = message?.reply_markup;
  if (!markup || !("inline_keyboard" in markup)) return [];
  return markup.inline_keyboard.flat();
}

/** Hosts a button may not link to: loopback names and addresses (the user's own machine). */
function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  return host === "localhost" || host.endsWith(".localhost") || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * A URL button's address as Telegram takes it: http(s) or tg, and an http(s) host with a dot
 * (Telegram refuses "localhost" or "intranet"), not a loopback address.
 */
function checkButtonUrl(url: unknown): void {
  if (typeof url !== "string" || !/^(https?|tg):\/\/\S+$/i.test(url)) throw badRequest("BUTTON_URL_INVALID");
  if (/^tg:/i.test(url)) return;
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    throw badRequest("BUTTON_URL_INVALID");
  }
  if ((!host.includes(".") && !host.startsWith("[")) || isLoopback(host)) throw badRequest("BUTTON_URL_INVALID");
}

/**
 * A Web App's address (a web_app button, a menu button): https only, as Telegram says it; in
 * Telegram's test environment (`httpAllowed`) http too.
 */
export function checkWebAppUrl(url: unknown, what: string, httpAllowed = false): void {
  if (typeof url !== "string" || url === "") throw badRequest(`${what} Web App URL is empty`);
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw badRequest(`${what} Web App URL '${url}' is invalid: Wrong HTTP URL`);
  }
  if (protocol !== "https:" && !(httpAllowed && protocol === "http:"))
    throw badRequest(`${what} Web App URL '${url}' is invalid: Only HTTPS links are allowed`);
}

export interface MarkupCheck {
  /** Edits accept only inline keyboards. */
  inlineOnly?: boolean;
  /** Where the markup goes (web_app buttons are for private chats only); unknown for inline messages. */
  chatType?: "private" | "group" | "supergroup" | undefined;
  /** Telegram's test environment: Mini App links may be http. */
  httpWebApps?: boolean;
}

/** Checks reply_markup the way Telegram does where it matters for tests and returns it. */
export function validateMarkup(value: unknown, check: MarkupCheck = {}): ReplyMarkup | undefined {
  const { inlineOnly = false, chatType, httpWebApps = false } = check;
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw badRequest("can't parse reply keyboard markup JSON object");
  }
  const markup = value as Record<string, unknown>;
  if ("inline_keyboard" in markup) {
    const rows = markup.inline_keyboard;
    if (!Array.isArray(rows) || rows.some((row) => !Array.isArray(row))) {
      throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays');
    }
    for (const row of rows as unknown[][]) {
      for (const button of row) {
        if (!button || typeof button !== "object")
          throw badRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Object");
        const b = button as Record<string, unknown>;
        if (typeof b.text !== "string")
          throw badRequest('can\'t parse inline keyboard button: Field "text" must be of type String');
        if ("callback_data" in b) {
          const bytes = typeof b.callback_data === "string" ? Buffer.byteLength(b.callback_data) : 0;
          if (bytes < 1 || bytes > 64) throw badRequest("BUTTON_DATA_INVALID");
        }
        const actions = [
          "url",
          "callback_data",
          "web_app",
          "login_url",
          "switch_inline_query",
          "switch_inline_query_current_chat",
          "switch_inline_query_chosen_chat",
          "copy_text",
          "callback_game",
          "pay",
        ].filter((k) => b[k] !== undefined);
        if (actions.length === 0) {
          throw badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
        }
        if (b.url !== undefined) checkButtonUrl(b.url);
        if (b.web_app !== undefined) {
          const webApp = b.web_app as { url?: unknown } | null;
          if (!webApp || typeof webApp !== "object") {
            throw badRequest('can\'t parse inline keyboard button: Field "web_app" must be of type Object');
          }
          if (chatType !== undefined && chatType !== "private") throw badRequest("BUTTON_TYPE_INVALID");
          checkWebAppUrl(webApp.url, "inline keyboard button", httpWebApps);
        }
      }
    }
    return markup as unknown as InlineKeyboardMarkup;
  }
  if (inlineOnly) throw badRequest("inline keyboard expected");
  if ("keyboard" in markup || "remove_keyboard" in markup || "force_reply" in markup) {
    return markup as unknown as ReplyMarkup;
  }
  throw badRequest("can't parse reply keyboard markup JSON object");
}
