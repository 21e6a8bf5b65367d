/**
 * Fitting text into Telegram's limits, measured the way Telegram measures: the text a
 * user sees after entity parsing (tags removed, `&amp;` `&lt;` `&#123;`... decoded),
 * counted in UTF-16 code units. (Telegram documents "characters"; an emoji outside the
 * BMP is one code point but two UTF-16 units, so counting units is never too generous.)
 *
 *   fitHtml(html, 4096, (n) => `… and ${n} more`)   // a message text (parse_mode HTML)
 *   fitPlain(text, 1024, more)                        // a caption without parse_mode
 *   fitLabel(label)                                   // an inline button's text (or a toast, with a max)
 *   utf8Length(data) <= CALLBACK_DATA_MAX_BYTES       // callback data is limited in bytes
 *
 * A text that fits is returned unchanged. One that does not keeps as many whole lines as
 * fit and ends with a line saying how many (non-blank) lines were dropped, in the
 * caller's words. When not even the first line fits, the text is cut inside it, on a
 * grapheme boundary (never half an emoji, a surrogate pair or a ZWJ sequence), and ends
 * with "…". A cut never falls inside a tag or an entity, and every tag still open at the
 * cut is closed, innermost first, so the result is valid Telegram HTML whenever the input
 * was. Nothing here knows about grammY or Telegram's API: bot/outgoing.ts applies it to
 * every call the bot makes.
 */

/** sendMessage / editMessageText: 1-4096 characters after entity parsing. */
export const TELEGRAM_TEXT_LIMIT = 4096;
/** Media captions: 0-1024 characters after entity parsing. */
export const TELEGRAM_CAPTION_LIMIT = 1024;
/** answerCallbackQuery's notification text: 0-200 characters. */
export const CALLBACK_ANSWER_LIMIT = 200;
/** An inline button's callback_data: 1-64 bytes (UTF-8). */
export const CALLBACK_DATA_MAX_BYTES = 64;
/**
 * An inline button's label. Telegram publishes no maximum; apps show a button on one line
 * and elide what does not fit (about 20-30 characters of a half-width button on a phone),
 * and every label counts towards the size of the message's reply markup. 64 characters
 * keeps any label our features build whole (names are at most 40, host names 32), and a
 * keyboard of 100 buttons small.
 */
export const BUTTON_LABEL_MAX = 64;

/** The closing line of a cut text: `dropped` lines (not counting blank ones) were left out. */
export type MoreLine = (dropped: number) => string;

export interface FitResult {
  /** The text to send: the input itself when it fits. */
  text: string;
  /** Whether anything was left out. */
  cut: boolean;
  /** Non-blank lines left out (0 when the cut is inside the first line, or there was none). */
  dropped: number;
}

const ELLIPSIS = "…";
const NAMED_ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };

/**
 * One piece of the source: text whose visible form is `text` (a literal run, where source
 * and visible text are the same, or one entity), or a tag.
 */
type Atom =
  | { kind: "text"; src: string; text: string; literal: boolean }
  | { kind: "open"; src: string; name: string }
  | { kind: "close"; src: string };

/** Bytes of `s` in UTF-8 (callback_data is limited in bytes). */
export function utf8Length(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

/** The number of characters Telegram counts for this HTML (UTF-16 units of the visible text). */
export function visibleLength(html: string): number {
  let n = 0;
  for (const a of tokenizeHtml(html)) if (a.kind === "text") n += a.text.length;
  return n;
}

/** What a user sees of this Telegram HTML, as plain text: tags removed, entities decoded. */
export function htmlToText(html: string): string {
  let out = "";
  for (const a of tokenizeHtml(html)) if (a.kind === "text") out += a.text;
  return out;
}

/** Fits Telegram HTML (parse_mode "HTML") into `limit` characters; `more` returns HTML too. */
export function fitHtml(html: string, limit: number, more: MoreLine): FitResult {
  // The visible text is never longer than its source: a cheap answer for most texts.
  if (html.length <= limit) return { text: html, cut: false, dropped: 0 };
  return fitAtoms(html, tokenizeHtml(html), limit, (n) => {
    const line = more(n);
    return { src: line, length: visibleLength(line) };
  });
}

/** Fits plain text (no parse_mode) into `limit` characters; `more` returns plain text. */
export function fitPlain(text: string, limit: number, more: MoreLine): FitResult {
  if (text.length <= limit) return { text, cut: false, dropped: 0 };
  return fitAtoms(text, [{ kind: "text", src: text, text, literal: true }], limit, (n) => {
    const line = more(n);
    return { src: line, length: line.length };
  });
}

/** A button label (plain text) of at most `max` characters, cut on a grapheme boundary with "…". */
export function fitLabel(text: string, max = BUTTON_LABEL_MAX): string {
  if (text.length <= max) return text;
  if (max < 1) return "";
  return text.slice(0, graphemeBoundaryAtOrBefore(text, max - ELLIPSIS.length)) + ELLIPSIS;
}

// ---------------------------------------------------------------------------------------
// The cut

function fitAtoms(
  source: string,
  atoms: Atom[],
  limit: number,
  more: (n: number) => { src: string; length: number },
): FitResult {
  const visible = atoms.map((a) => (a.kind === "text" ? a.text : "")).join("");
  if (visible.length <= limit) return { text: source, cut: false, dropped: 0 };
  if (limit < 1) return { text: "", cut: true, dropped: 0 };

  // Line ends (the offsets of "\n" in the visible text) and, after each line, how many
  // non-blank lines follow it.
  const ends: number[] = [];
  for (let i = visible.indexOf("\n"); i !== -1; i = visible.indexOf("\n", i + 1)) ends.push(i);
  const lineCount = ends.length + 1;
  const blank: boolean[] = [];
  for (let k = 0, start = 0; k < lineCount; k++) {
    const end = ends[k] ?? visible.length;
    blank.push(visible.slice(start, end).trim() === "");
    start = end + 1;
  }
  const nonBlankAfter: number[] = new Array(lineCount + 1).fill(0);
  for (let k = lineCount - 1; k >= 0; k--) nonBlankAfter[k] = (nonBlankAfter[k + 1] ?? 0) + (blank[k] ? 0 : 1);

  // Keep the first k lines (k >= 1), the most that fit together with the closing line.
  const nonBlank = nonBlankAfter[0] ?? 0;
  for (let k = lineCount - 1; k >= 1; k--) {
    // Blank lines alone say nothing: then cut inside the first line that is not blank.
    if (nonBlank - (nonBlankAfter[k] ?? 0) === 0) break;
    let cut = ends[k - 1] ?? 0;
    if (cut > limit) continue;
    if (visible[cut - 1] === "\r") cut--; // "\r\n" is one grapheme: do not split it
    const dropped = nonBlankAfter[k] ?? 0;
    if (dropped === 0) {
      // Only blank lines left out: nothing to announce.
      return { text: emit(atoms, cut, ""), cut: true, dropped: 0 };
    }
    const tail = more(dropped);
    if (cut + 1 + tail.length <= limit) {
      return { text: emit(atoms, cut, `\n${tail.src}`), cut: true, dropped };
    }
  }

  // Not even the first line fits: cut inside it.
  const at = graphemeBoundaryAtOrBefore(visible, limit - ELLIPSIS.length);
  return { text: emit(atoms, at, ELLIPSIS), cut: true, dropped: 0 };
}

/**
 * The source of the first `cut` visible characters, every tag still open there closed,
 * then `suffix`. Opening tags with nothing of theirs kept are left out.
 */
function emit(atoms: Atom[], cut: number, suffix: string): string {
  const out: Atom[] = [];
  const open: string[] = [];
  let pos = 0;
  for (const a of atoms) {
    if (a.kind === "text") {
      if (pos >= cut) break;
      const room = cut - pos;
      if (a.text.length <= room) {
        out.push(a);
        pos += a.text.length;
      } else {
        // Only literal runs can be split (an entity is one code point, and cuts fall on
        // grapheme boundaries, so never inside one).
        if (a.literal) out.push({ ...a, src: a.src.slice(0, room), text: a.text.slice(0, room) });
        pos = cut;
        break;
      }
    } else if (a.kind === "open") {
      out.push(a);
      open.push(a.name);
    } else {
      out.push(a);
      open.pop();
    }
  }
  // Opening tags at the very end would only make empty entities.
  while (out.at(-1)?.kind === "open") {
    out.pop();
    open.pop();
  }
  let text = out.map((a) => a.src).join("");
  for (let i = open.length - 1; i >= 0; i--) text += `</${open[i]}>`;
  return text + suffix;
}

let segmenter: Intl.Segmenter | undefined;

/** The largest grapheme boundary of `text` at or before `max` (UTF-16 offset). */
function graphemeBoundaryAtOrBefore(text: string, max: number): number {
  if (max <= 0) return 0;
  if (max >= text.length) return text.length;
  segmenter ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  let best = 0;
  for (const { index } of segmenter.segment(text)) {
    if (index > max) break;
    best = index;
  }
  return best;
}

// ---------------------------------------------------------------------------------------
// Telegram HTML, read leniently (a fitter must not throw on what Telegram would refuse)

const isSpace = (c: string | undefined): boolean =>
  c === " " || c === "\t" || c === "\r" || c === "\n" || c === "\v" || c === "\f";

/** Splits Telegram HTML into literal runs, entities and tags (see parseTelegramHtml for the grammar). */
function tokenizeHtml(html: string): Atom[] {
  const atoms: Atom[] = [];
  let run = 0; // start of the current literal run
  const flush = (end: number) => {
    if (end > run) atoms.push({ kind: "text", src: html.slice(run, end), text: html.slice(run, end), literal: true });
  };
  const n = html.length;
  let i = 0;
  while (i < n) {
    const c = html[i];
    if (c === "&") {
      const entity = decodeEntity(html, i);
      if (entity) {
        flush(i);
        atoms.push({ kind: "text", src: html.slice(i, entity.end), text: entity.ch, literal: false });
        i = entity.end;
        run = i;
        continue;
      }
      i++;
      continue;
    }
    if (c === "<") {
      const tag = readTag(html, i);
      if (tag) {
        flush(i);
        atoms.push(tag.atom);
        i = tag.end;
        run = i;
        continue;
      }
    }
    i++;
  }
  flush(n);
  return atoms;
}

/** A tag starting at `html[pos] === "<"`, or undefined if this "<" starts none. */
function readTag(html: string, pos: number): { atom: Atom; end: number } | undefined {
  const n = html.length;
  if (html[pos + 1] === "/") {
    const close = html.indexOf(">", pos + 2);
    if (close === -1) return undefined;
    return { atom: { kind: "close", src: html.slice(pos, close + 1) }, end: close + 1 };
  }
  let i = pos + 1;
  while (i < n && !isSpace(html[i]) && html[i] !== ">") i++;
  const name = html.slice(pos + 1, i);
  if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(name)) return undefined;
  // Attributes: a quoted value may hold ">".
  while (i < n && html[i] !== ">") {
    const q = html[i];
    if (q === '"' || q === "'") {
      const endQuote = html.indexOf(q, i + 1);
      if (endQuote === -1) return undefined;
      i = endQuote + 1;
    } else i++;
  }
  if (i >= n) return undefined;
  return { atom: { kind: "open", src: html.slice(pos, i + 1), name }, end: i + 1 };
}

/** The character reference at `text[pos] === "&"` as Telegram reads it (the ";" is optional there). */
function decodeEntity(text: string, pos: number): { ch: string; end: number } | undefined {
  let end = pos + 1;
  let ch: string;
  if (text[end] === "#") {
    end++;
    let code = 0;
    let digits = 0;
    const hex = text[end] === "x" || text[end] === "X";
    if (hex) end++;
    const digit = hex ? /^[0-9A-Fa-f]$/ : /^[0-9]$/;
    while (end < text.length && digit.test(text[end] as string)) {
      code = code * (hex ? 16 : 10) + Number.parseInt(text[end] as string, 16);
      end++;
      digits++;
      if (code >= 0x10ffff) return undefined;
    }
    if (digits === 0 || code === 0 || (code >= 0xd800 && code <= 0xdfff)) return undefined;
    ch = String.fromCodePoint(code);
  } else {
    while (end < text.length && /^[A-Za-z]$/.test(text[end] as string)) end++;
    const named = NAMED_ENTITIES[text.slice(pos + 1, end)];
    if (named === undefined) return undefined;
    ch = named;
  }
  if (text[end] === ";") end++;
  return { ch, end };
}
