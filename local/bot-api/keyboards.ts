/**
 * Reply markup: inline keyboards checked the way Telegram checks them (callback_data 1-64 bytes,
 * BUTTON_DATA_INVALID; every inline button needs an action; http(s)/tg URLs), reply keyboards,
 * keyboard removal and force reply taken as sent; edits accept inline keyboards only.
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

/**
 * Checks reply_markup the way Telegram does where it matters for tests and returns it.
 * `inlineOnly` is for edits, which accept only inline keyboards.
 */
export function validateMarkup(value: unknown, inlineOnly = false): ReplyMarkup | undefined {
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
        if (b.url !== undefined && (typeof b.url !== "string" || !/^(https?|tg):\/\/\S+$/i.test(b.url))) {
          throw badRequest("BUTTON_URL_INVALID");
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
