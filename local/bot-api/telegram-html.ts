/**
 * Telegram's `parse_mode: "HTML"` parser, as the local Bot API server uses it.
 *
 * It follows tdlib's `parse_html` (the code Telegram runs) closely enough to refuse
 * the same inputs with the same messages: unsupported tags, unclosed or unmatched
 * tags, a bare `<`. It returns the text the user would see plus the entities, with
 * UTF-16 offsets like the Bot API.
 *
 * One deliberate difference: Telegram keeps a bare `&` that does not start an entity
 * (`R&D` shows as "R&D"), and also accepts `&amp` without the semicolon. With
 * `strictAmpersand` (the default) both are errors here, because they mean an
 * interpolated value was not escaped, which is exactly what the tests should catch.
 *
 * Supported tags: b strong i em u ins s strike del span(class="tg-spoiler")
 * tg-spoiler a(href) code(class="language-*") pre blockquote(expandable) tg-emoji(emoji-id).
 * Entities: &lt; &gt; &amp; &quot; and numeric (&#60; &#x3C;).
 */
import type { MessageEntity } from "grammy/types";

export type HtmlParseResult = { ok: true; text: string; entities: MessageEntity[] } | { ok: false; error: string };

const SUPPORTED_TAGS = new Set([
  "a",
  "b",
  "strong",
  "i",
  "em",
  "s",
  "strike",
  "del",
  "u",
  "ins",
  "tg-spoiler",
  "tg-emoji",
  "span",
  "pre",
  "code",
  "blockquote",
]);

/** A Map, so a reference like `&constructor;` is unknown rather than Object.prototype's member. */
const NAMED_ENTITIES = new Map([
  ["lt", "<"],
  ["gt", ">"],
  ["amp", "&"],
  ["quot", '"'],
]);

interface OpenTag {
  name: string;
  argument: string;
  expandable: boolean;
  /** Offset (UTF-16) in the output text where the tag's content starts. */
  offset: number;
  /** Set on a `pre` by a nested `<code class="language-x">`. */
  language?: string;
}

const isSpace = (c: string | undefined): boolean =>
  c === " " || c === "\t" || c === "\r" || c === "\n" || c === "\v" || c === "\f";
const isAlnum = (c: string | undefined): boolean => c !== undefined && /^[A-Za-z0-9]$/.test(c);

/**
 * Decodes the character reference starting at `text[pos] === "&"`.
 * Returns the decoded character and the index after the reference, or undefined
 * when this is not a reference Telegram understands. `requireSemicolon` makes the
 * closing `;` mandatory (Telegram itself treats it as optional).
 */
function decodeEntity(text: string, pos: number, requireSemicolon: boolean): { ch: string; end: number } | undefined {
  let end = pos + 1;
  let ch: string;
  if (text[end] === "#") {
    end++;
    let code = 0;
    let digits = 0;
    if (text[end] === "x" || text[end] === "X") {
      end++;
      while (end < text.length && /^[0-9A-Fa-f]$/.test(text[end] as string)) {
        code = code * 16 + Number.parseInt(text[end] as string, 16);
        end++;
        digits++;
        if (code >= 0x10ffff) return undefined;
      }
    } else {
      while (end < text.length && /^[0-9]$/.test(text[end] as string)) {
        code = code * 10 + Number(text[end]);
        end++;
        digits++;
        if (code >= 0x10ffff) return undefined;
      }
    }
    if (digits === 0 || code === 0 || (code >= 0xd800 && code <= 0xdfff)) return undefined;
    ch = String.fromCodePoint(code);
  } else {
    while (end < text.length && /^[A-Za-z]$/.test(text[end] as string)) end++;
    const named = NAMED_ENTITIES.get(text.slice(pos + 1, end));
    if (named === undefined) return undefined;
    ch = named;
  }
  if (text[end] === ";") return { ch, end: end + 1 };
  if (requireSemicolon) return undefined;
  return { ch, end };
}

/** Parses Telegram HTML. Never throws; a refusal carries Telegram's wording (without the "Bad Request: can't parse entities: " prefix). */
export function parseTelegramHtml(text: string, opts: { strictAmpersand?: boolean } = {}): HtmlParseResult {
  const strictAmpersand = opts.strictAmpersand ?? true;
  const byteOffset = (i: number) => Buffer.byteLength(text.slice(0, i));
  const fail = (error: string): HtmlParseResult => ({ ok: false, error });

  let out = "";
  const entities: MessageEntity[] = [];
  const stack: OpenTag[] = [];
  const n = text.length;

  let i = 0;
  while (i < n) {
    const c = text[i] as string;
    if (c === "&") {
      const decoded = decodeEntity(text, i, strictAmpersand);
      if (decoded) {
        out += decoded.ch;
        i = decoded.end;
        continue;
      }
      if (strictAmpersand) {
        return fail(
          `Unescaped "&" or unsupported character entity at byte offset ${byteOffset(i)} ` +
            "(this local server is stricter than Telegram: write & as &amp;)",
        );
      }
      out += c;
      i++;
      continue;
    }
    if (c !== "<") {
      out += c;
      i++;
      continue;
    }

    const begin = i++;
    if (text[i] !== "/") {
      // A start tag.
      while (i < n && !isSpace(text[i]) && text[i] !== ">") i++;
      if (i >= n) return fail(`Unclosed start tag at byte offset ${byteOffset(begin)}`);
      const tagName = text.slice(begin + 1, i).toLowerCase();
      if (!SUPPORTED_TAGS.has(tagName)) {
        return fail(`Unsupported start tag "${tagName}" at byte offset ${byteOffset(begin)}`);
      }

      let argument = "";
      let expandable = false;
      while (text[i] !== ">") {
        while (i < n && isSpace(text[i])) i++;
        if (i >= n) return fail(`Unclosed start tag at byte offset ${byteOffset(begin)}`);
        if (text[i] === ">") break;
        const attrBegin = i;
        while (i < n && !isSpace(text[i]) && text[i] !== "=" && text[i] !== ">") i++;
        const attrName = text.slice(attrBegin, i).toLowerCase();
        if (attrName === "") {
          return fail(`Empty attribute name in the tag "${tagName}" at byte offset ${byteOffset(begin)}`);
        }
        while (i < n && isSpace(text[i])) i++;
        if (text[i] !== "=") {
          if (tagName === "blockquote" && attrName === "expandable") {
            expandable = true;
            continue;
          }
          if (i >= n) return fail(`Unclosed start tag at byte offset ${byteOffset(begin)}`);
          return fail(
            `Expected equal sign in declaration of an attribute of the tag "${tagName}" at byte offset ${byteOffset(begin)}`,
          );
        }
        i++;
        while (i < n && isSpace(text[i])) i++;
        if (i >= n) return fail(`Unclosed start tag "${tagName}" at byte offset ${byteOffset(begin)}`);

        let value = "";
        const quote = text[i];
        if (quote !== '"' && quote !== "'") {
          // A name token: letters, digits, periods and hyphens.
          const tokenBegin = i;
          while (i < n && (isAlnum(text[i]) || text[i] === "." || text[i] === "-")) i++;
          value = text.slice(tokenBegin, i).toLowerCase();
          if (i < n && !isSpace(text[i]) && text[i] !== ">") {
            return fail(`Unexpected end of name token at byte offset ${byteOffset(tokenBegin)}`);
          }
        } else {
          i++;
          while (i < n && text[i] !== quote) {
            if (text[i] === "&") {
              const decoded = decodeEntity(text, i, false);
              if (decoded) {
                value += decoded.ch;
                i = decoded.end;
                continue;
              }
            }
            value += text[i];
            i++;
          }
          if (text[i] === quote) i++;
        }
        if (i >= n) return fail(`Unclosed start tag at byte offset ${byteOffset(begin)}`);

        if (tagName === "a" && attrName === "href") argument = value;
        else if (tagName === "code" && attrName === "class" && value.startsWith("language-")) argument = value.slice(9);
        else if (tagName === "span" && attrName === "class" && value.startsWith("tg-")) argument = value.slice(3);
        else if (tagName === "tg-emoji" && attrName === "emoji-id") argument = value;
      }
      i++; // past ">"

      if (tagName === "span" && argument !== "spoiler") {
        return fail(`Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset(begin)}`);
      }
      stack.push({ name: tagName, argument, expandable, offset: out.length });
      continue;
    }

    // An end tag.
    const open = stack.pop();
    if (!open) return fail(`Unexpected end tag at byte offset ${byteOffset(begin)}`);
    while (i < n && !isSpace(text[i]) && text[i] !== ">") i++;
    const endName = text.slice(begin + 2, i).toLowerCase();
    while (i < n && isSpace(text[i])) i++;
    if (text[i] !== ">") return fail(`Unclosed end tag at byte offset ${byteOffset(begin)}`);
    i++;
    if (endName !== "" && endName !== open.name) {
      return fail(
        `Unmatched end tag at byte offset ${byteOffset(begin)}, expected "</${open.name}>", found "</${endName}>"`,
      );
    }
    const entity = toEntity(open, out, stack[stack.length - 1]);
    if (entity) entities.push(entity);
  }

  const unclosed = stack[stack.length - 1];
  if (unclosed) return fail(`Can't find end tag corresponding to start tag "${unclosed.name}"`);

  return { ok: true, ...trimFormatted(out, entities) };
}

function toEntity(open: OpenTag, out: string, parent: OpenTag | undefined): MessageEntity | undefined {
  const offset = open.offset;
  const length = out.length - offset;
  if (length <= 0) return undefined;
  switch (open.name) {
    case "b":
    case "strong":
      return { type: "bold", offset, length };
    case "i":
    case "em":
      return { type: "italic", offset, length };
    case "u":
    case "ins":
      return { type: "underline", offset, length };
    case "s":
    case "strike":
    case "del":
      return { type: "strikethrough", offset, length };
    case "span":
    case "tg-spoiler":
      return { type: "spoiler", offset, length };
    case "a": {
      const url = open.argument || out.slice(offset);
      return url ? { type: "text_link", offset, length, url } : undefined;
    }
    case "code":
      // <pre><code class="language-x">…</code></pre> is one pre entity with a language.
      if (parent?.name === "pre") {
        if (open.argument) parent.language = open.argument;
        return undefined;
      }
      return { type: "code", offset, length };
    case "pre":
      return open.language ? { type: "pre", offset, length, language: open.language } : { type: "pre", offset, length };
    case "blockquote":
      return { type: open.expandable ? "expandable_blockquote" : "blockquote", offset, length };
    case "tg-emoji":
      return { type: "custom_emoji", offset, length, custom_emoji_id: open.argument };
    default:
      return undefined;
  }
}

/** Telegram strips leading and trailing whitespace from message texts and captions; entities move with the text. */
export function trimFormatted(text: string, entities: MessageEntity[]): { text: string; entities: MessageEntity[] } {
  const lead = text.length - text.trimStart().length;
  const trimmed = text.trim();
  const result: MessageEntity[] = [];
  for (const e of entities) {
    const start = Math.max(0, e.offset - lead);
    const end = Math.min(trimmed.length, e.offset + e.length - lead);
    if (end > start) result.push({ ...e, offset: start, length: end - start });
  }
  result.sort((a, b) => a.offset - b.offset || b.length - a.length);
  return { text: trimmed, entities: result };
}

/** Escapes a value for Telegram HTML (the same three characters Telegram requires). */
export function escapeTelegramHtml(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
