/**
 * Edits of messages the bot already sent, shared by the bot's features and the alert channel
 * (channels/telegram): an alert card edited when its incident settles, and one line of a
 * list changed in place while the rest of the list, and its buttons, stay as they are.
 */
import { type Api, GrammyError } from "grammy";
import type { InlineKeyboardButton, InlineKeyboardMarkup, MessageEntity } from "grammy/types";

/**
 * What became of an edit: `edited`; `unchanged` (it already looked like that: an edit made
 * twice); `gone` (the message is no longer there to edit); `refused` (Telegram would not take
 * it, not even the keyboard alone).
 */
export type EditOutcome = "edited" | "unchanged" | "gone" | "refused";

/** Telegram's reason when it refused an edit for the message's sake (400); undefined for anything else. */
function refusal(err: unknown): string | undefined {
  return err instanceof GrammyError && err.error_code === 400 ? err.description.toLowerCase() : undefined;
}

/**
 * Edits a card the bot sent to `html` (Telegram HTML) with `keyboard`, or with no keyboard
 * at all when none is given. The card may be a text or a photo (then its caption is edited;
 * `photo` says which to try first). When Telegram refuses the new text (too long for a
 * caption, say), the keyboard alone is changed. Throws what is not about this message
 * (rate limits, 5xx, the network, a bot removed from the chat): the caller decides whether
 * to try again.
 */
export async function editCard(
  api: Api,
  chatId: number,
  messageId: number,
  html: string,
  opts: { keyboard?: InlineKeyboardMarkup; photo?: boolean } = {},
): Promise<EditOutcome> {
  const markup = opts.keyboard ? { reply_markup: opts.keyboard } : {};
  const asText = () => api.editMessageText(chatId, messageId, html, { parse_mode: "HTML", ...markup });
  const asCaption = () => api.editMessageCaption(chatId, messageId, { caption: html, parse_mode: "HTML", ...markup });
  for (const attempt of opts.photo ? [asCaption, asText] : [asText, asCaption]) {
    try {
      await attempt();
      return "edited";
    } catch (err) {
      const why = refusal(err);
      if (why === undefined) throw err;
      if (why.includes("not modified")) return "unchanged";
      if (why.includes("not found")) return "gone";
      if (!/there is no (text|caption) in the message/.test(why)) break;
    }
  }
  return keyboardOnly(api, chatId, messageId, markup);
}

async function keyboardOnly(
  api: Api,
  chatId: number,
  messageId: number,
  markup: { reply_markup?: InlineKeyboardMarkup },
): Promise<EditOutcome> {
  try {
    await api.editMessageReplyMarkup(chatId, messageId, markup);
    return "edited";
  } catch (err) {
    const why = refusal(err);
    if (why === undefined) throw err;
    if (why.includes("not modified")) return "unchanged";
    return why.includes("not found") ? "gone" : "refused";
  }
}

/** Takes the keyboard off a message the bot sent, leaving its text; throws like `editCard`. */
export function removeKeyboard(api: Api, chatId: number, messageId: number): Promise<EditOutcome> {
  return keyboardOnly(api, chatId, messageId, {});
}

/**
 * The text of a list with `suffix` added at the end of the line that shows `id` as code
 * (`<code>id</code>`), every entity kept in place (offsets in UTF-16 code units, as Telegram
 * counts them). The same text when the line ends with `suffix` already; undefined when no
 * line shows `id` (a list cut short).
 */
export function appendToLine(
  text: string,
  entities: readonly MessageEntity[],
  id: string,
  suffix: string,
): { text: string; entities: MessageEntity[] } | undefined {
  const code = entities.find((e) => e.type === "code" && text.slice(e.offset, e.offset + e.length) === id);
  if (!code) return undefined;
  const newline = text.indexOf("\n", code.offset + code.length);
  const at = newline === -1 ? text.length : newline;
  if (text.slice(0, at).endsWith(suffix)) return { text, entities: entities.map((e) => ({ ...e })) };
  const moved = entities.map((e): MessageEntity => {
    if (e.offset >= at) return { ...e, offset: e.offset + suffix.length };
    if (e.offset + e.length > at) return { ...e, length: e.length + suffix.length };
    return { ...e };
  });
  return { text: text.slice(0, at) + suffix + text.slice(at), entities: moved };
}

/** The keyboard without the buttons whose callback data `drop` picks; rows left empty go too. */
export function withoutButtons(
  markup: InlineKeyboardMarkup | undefined,
  drop: (data: string) => boolean,
): InlineKeyboardMarkup {
  const rows = (markup?.inline_keyboard ?? [])
    .map((row) => row.filter((b: InlineKeyboardButton) => !("callback_data" in b && drop(b.callback_data))))
    .filter((row) => row.length > 0);
  return { inline_keyboard: rows };
}
