/**
 * Text and captions as the user sees them: `parse_mode` HTML parsed and checked like Telegram
 * (see telegram-html.ts; a bare `&` is refused here although Telegram keeps it, unless
 * `strictHtmlAmpersand: false`), `entities` taken as sent, surrounding whitespace trimmed with
 * the entities moved to match, and bare http(s) links and /commands turned into `url` and
 * `bot_command` entities as Telegram does. MarkdownV2 / Markdown are not validated (text is stored as sent).
 */
import type { MessageEntity } from "grammy/types";
import { badRequest } from "./errors.ts";
import { parseTelegramHtml, trimFormatted } from "./telegram-html.ts";

/** Parses text or caption by parse_mode / entities into what the user sees. */
export function formatText(
  raw: string,
  parseMode: unknown,
  entities: unknown,
  strictAmpersand: boolean,
): { text: string; entities: MessageEntity[]; parse_mode?: string } {
  if (parseMode === undefined || parseMode === null || parseMode === "") {
    const plain = trimFormatted(raw, Array.isArray(entities) ? (entities as MessageEntity[]) : []);
    return { ...plain, entities: withDetectedEntities(plain.text, plain.entities) };
  }
  const mode = String(parseMode);
  if (mode.toLowerCase() === "html") {
    const parsed = parseTelegramHtml(raw, { strictAmpersand });
    if (!parsed.ok) throw badRequest(`can't parse entities: ${parsed.error}`);
    return { text: parsed.text, entities: withDetectedEntities(parsed.text, parsed.entities), parse_mode: mode };
  }
  if (mode.toLowerCase() === "markdownv2" || mode.toLowerCase() === "markdown") {
    return { text: raw.trim(), entities: [], parse_mode: mode };
  }
  throw badRequest("unsupported parse_mode");
}

/**
 * Adds the entities Telegram detects in text by itself, outside code, pre and existing
 * links: `url` for bare http(s) links (trailing punctuation stays out of the link), and
 * `bot_command` for a /command (a tap sends it), as Telegram's parser finds them: after
 * the start, a space or punctuation (not after a letter, digit, "_", "/", "<" or ">"), at
 * most 64 of [A-Za-z0-9_], an optional @bot_username, then no letter, digit, "_", "/",
 * "<" or ">".
 */
function withDetectedEntities(text: string, entities: MessageEntity[]): MessageEntity[] {
  const opaque = entities.filter((e) => ["code", "pre", "text_link", "url", "text_mention"].includes(e.type));
  const found: MessageEntity[] = [];
  const free = (offset: number, end: number) => !opaque.some((e) => offset < e.offset + e.length && e.offset < end);
  for (const m of text.matchAll(/\bhttps?:\/\/[^\s<>"]+/g)) {
    const link = m[0].replace(/[.,;:!?)\]'»]+$/, "");
    const offset = m.index ?? 0;
    if (free(offset, offset + link.length)) found.push({ type: "url", offset, length: link.length });
  }
  const command = /(?<![\p{L}\p{N}_/<>])\/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\p{L}\p{N}_/<>@])/gu;
  for (const m of text.matchAll(command)) {
    const offset = m.index ?? 0;
    const end = offset + m[0].length;
    if (free(offset, end) && !found.some((e) => offset < e.offset + e.length && e.offset < end)) {
      found.push({ type: "bot_command", offset, length: m[0].length });
    }
  }
  if (found.length === 0) return entities;
  return [...entities, ...found].sort((a, b) => a.offset - b.offset || b.length - a.length);
}
