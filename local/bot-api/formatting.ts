/**
 * Text and captions as the user sees them: `parse_mode` HTML parsed and checked like Telegram
 * (see telegram-html.ts; a bare `&` is refused here although Telegram keeps it, unless
 * `strictHtmlAmpersand: false`), `entities` taken as sent, surrounding whitespace trimmed with
 * the entities moved to match, and bare http(s) links turned into `url` entities as Telegram
 * does. MarkdownV2 / Markdown are not validated (text is stored as sent).
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
    return { ...plain, entities: withUrlEntities(plain.text, plain.entities) };
  }
  const mode = String(parseMode);
  if (mode.toLowerCase() === "html") {
    const parsed = parseTelegramHtml(raw, { strictAmpersand });
    if (!parsed.ok) throw badRequest(`can't parse entities: ${parsed.error}`);
    return { text: parsed.text, entities: withUrlEntities(parsed.text, parsed.entities), parse_mode: mode };
  }
  if (mode.toLowerCase() === "markdownv2" || mode.toLowerCase() === "markdown") {
    return { text: raw.trim(), entities: [], parse_mode: mode };
  }
  throw badRequest("unsupported parse_mode");
}

/**
 * Adds the `url` entities Telegram detects in text by itself (bare http(s) links), outside
 * code, pre and existing links; trailing punctuation stays out of the link, as on Telegram.
 */
function withUrlEntities(text: string, entities: MessageEntity[]): MessageEntity[] {
  const opaque = entities.filter((e) => ["code", "pre", "text_link", "url", "text_mention"].includes(e.type));
  const found: MessageEntity[] = [];
  for (const m of text.matchAll(/\bhttps?:\/\/[^\s<>"]+/g)) {
    const link = m[0].replace(/[.,;:!?)\]'»]+$/, "");
    const offset = m.index ?? 0;
    const end = offset + link.length;
    if (opaque.some((e) => offset < e.offset + e.length && e.offset < end)) continue;
    found.push({ type: "url", offset, length: link.length });
  }
  if (found.length === 0) return entities;
  return [...entities, ...found].sort((a, b) => a.offset - b.offset || b.length - a.length);
}
