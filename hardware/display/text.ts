/**
 * Pure text handling for an HD44780 character LCD with the common A00 (Japanese) character
 * ROM: what it can draw, and how lines are fitted to its grid. No I/O; shared by the I2C
 * driver and the simulator so both show exactly the same characters.
 *
 * "LCD text" below means a string whose every UTF-16 unit stands for one ROM byte
 * (U+0000-U+00FF). The I2C driver writes `charCodeAt(i) & 0xFF` of each unit as the byte
 * (hd44780-protocol.ts), so LCD text goes to the panel as is.
 *
 * Facts about the A00 ROM this relies on (Hitachi HD44780U datasheet, table 4):
 * - 0x20-0x7D are ASCII except 0x5C, which draws "¥" (a backslash shows as a yen sign);
 *   0x7E draws "→" and 0x7F draws "←" (so "~" shows as a right arrow);
 * - 0xA1-0xDF hold half-width katakana in JIS X 0201 order, the same order as Unicode's
 *   U+FF61-U+FF9F, so the mapping is a fixed offset;
 * - there is no degree sign: the usual stand-in is 0xDF, the handakuten "ﾟ" (a small ring
 *   at the top of the cell), so "°" and "ﾟ" both become 0xDF;
 * - 0x80-0xA0 are blank and 0xE0-0xFF are Greek/maths glyphs; nothing here produces them.
 *
 * toLcdCharset is not idempotent (LCD text 0xDF is also "ß" in Unicode): map once, at the
 * driver, and never map LCD text again.
 */
import { asciiStandIn } from "../../core/text/transliterate.ts";

/** The ROM byte used for "°" (the handakuten "ﾟ", which looks like a degree sign). */
export const LCD_DEGREE = "\u00DF";
/** The ROM byte ("→" on the LCD) that ends a line cut by fitLines. */
export const LCD_OVERFLOW = "~";

export type LcdCols = 16 | 20;
export type LcdRows = 2 | 4;

const HALF_KANA_FIRST = 0xff61;
const HALF_KANA_LAST = 0xff9f;
const ROM_KANA_FIRST = 0xa1;
const ROM_DAKUTEN = "\u00DE";
const ROM_HANDAKUTEN = "\u00DF";

function halfKanaToRom(ch: string): string {
  return String.fromCharCode(ch.charCodeAt(0) - HALF_KANA_FIRST + ROM_KANA_FIRST);
}

function isHalfKana(cp: number): boolean {
  return cp >= HALF_KANA_FIRST && cp <= HALF_KANA_LAST;
}

/**
 * Full-width katakana (and CJK punctuation) -> half-width, built from Unicode itself: NFKC of
 * each half-width form is its full-width form. This covers ア..ン, small ァ..ョ and ッ, ヲ, ー,
 * 。「」、・ and the combining sound marks U+3099/U+309A. Voiced kana (ガ, パ, ヴ) are decomposed
 * by NFD first and come out as two cells (ｶﾞ), as on any JIS X 0201 display.
 */
const FULL_TO_HALF_KANA = new Map<string, string>();
for (let cp = HALF_KANA_FIRST; cp <= HALF_KANA_LAST; cp++) {
  const half = String.fromCharCode(cp);
  FULL_TO_HALF_KANA.set(half.normalize("NFKC"), half);
}
// Forms with no half-width twin: the nearest one that exists.
FULL_TO_HALF_KANA.set("\u30EE", "\uFF9C"); // ヮ -> ﾜ
FULL_TO_HALF_KANA.set("\u30F5", "\uFF76"); // ヵ -> ｶ
FULL_TO_HALF_KANA.set("\u30F6", "\uFF79"); // ヶ -> ｹ
FULL_TO_HALF_KANA.set("\u309B", "\uFF9E"); // ゛ (spacing) -> ﾞ
FULL_TO_HALF_KANA.set("\u309C", "\uFF9F"); // ゜ (spacing) -> ﾟ

const VOICED_MARKS = new Set(["\u3099", "\u309B", "\uFF9E"]);
const SEMI_VOICED_MARKS = new Set(["\u309A", "\u309C", "\uFF9F"]);

/**
 * Characters the A00 ROM draws itself (or that replace an ASCII one it draws differently:
 * ¥ at 0x5C, → at 0x7E, ← at 0x7F); looked up before the ASCII stand-ins every plain-text
 * output shares (core/text/transliterate.ts: ß -> ss, typographic quotes and dashes...).
 */
const ROM_GLYPHS: Record<string, string> = {
  "·": "\u00A5", // middle dot -> ･ (0xA5)
  "•": "\u00A5",
  º: LCD_DEGREE, // masculine ordinal, often typed for a degree sign
  "˚": LCD_DEGREE, // ring above, likewise
  "¥": "\\", // the A00 ROM draws 0x5C as ¥
  "→": "~", // 0x7E
  "←": "\u007F", // 0x7F
};

const CONTROL_OR_FORMAT = /^[\p{Cc}\p{Cf}]$/u;
const SPACE_SEPARATOR = /^\p{Zs}$/u;
const COMBINING_MARKS = /\p{M}/gu;
const LONE_MARK = /^\p{M}$/u;
/** Emoji presentation selector and the keycap mark: "1️⃣", "❤️" are emoji, not text. */
const EMOJI_MARKERS = /[\uFE0F\u20E3]/u;

/** One character that needs no lookup tables, or undefined when it is none of those. */
function simpleChar(ch: string): string | undefined {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp >= 0x20 && cp <= 0x7e) return ch;
  if (SPACE_SEPARATOR.test(ch)) return " ";
  if (ch === "°") return LCD_DEGREE;
  if (isHalfKana(cp)) return halfKanaToRom(ch);
  return undefined;
}

interface MappedBase {
  out: string;
  kana: boolean;
}

/** Maps the first code point of a grapheme; undefined when the LCD cannot draw it. */
function mapBase(ch: string): MappedBase | undefined {
  if (CONTROL_OR_FORMAT.test(ch)) return { out: "", kana: false };
  const cp = ch.codePointAt(0) ?? 0;
  const simple = simpleChar(ch);
  if (simple !== undefined) return { out: simple, kana: isHalfKana(cp) };
  const half = FULL_TO_HALF_KANA.get(ch);
  if (half !== undefined) return { out: halfKanaToRom(half), kana: true };
  if (LONE_MARK.test(ch)) return { out: "", kana: false };
  const standIn = ROM_GLYPHS[ch] ?? asciiStandIn(ch);
  if (standIn !== undefined) return { out: standIn, kana: false };
  // Compatibility forms: ℃ -> °C, Ａ -> A, ① -> 1, ™ -> TM, … -> ..., ǅ -> Dz.
  const decomposed = ch.normalize("NFKD").replace(COMBINING_MARKS, "");
  if (decomposed === ch || decomposed === "") return undefined;
  let out = "";
  for (const c of decomposed) {
    const m = simpleChar(c);
    if (m === undefined) return undefined;
    out += m;
  }
  return { out, kana: false };
}

const graphemes = new Intl.Segmenter("en", { granularity: "grapheme" });

/**
 * Maps text to LCD text (see the top of this file), one user-perceived character
 * (grapheme) at a time:
 * - printable ASCII stays as it is;
 * - "°" -> 0xDF (the ROM's degree stand-in); "℃" -> 0xDF + "C";
 * - accented Latin letters -> their base letter (NFD, combining marks dropped: "é" -> "e",
 *   "Å" -> "A"); letters with no decomposition get a stand-in ("ß" -> "ss", "ø" -> "o");
 * - half-width katakana U+FF61-U+FF9F -> 0xA1-0xDF; full-width katakana -> half-width
 *   (ガ -> ｶﾞ, two cells), ヮヵヶ -> ﾜｶｹ; hiragana and kanji are not converted;
 * - other spaces -> " "; typographic quotes and dashes, and symbols with an ASCII form
 *   ("€" -> "EUR", "≤" -> "<="), -> ASCII (core/text/transliterate.ts); "·" and "•" -> "･";
 * - control and invisible format characters (newline, tab, zero-width space, soft hyphen)
 *   and combining marks with nothing to combine with are removed;
 * - anything else, emoji included, becomes one "?" per grapheme ("👨‍💻" -> "?").
 */
export function toLcdCharset(text: string): string {
  let out = "";
  for (const { segment } of graphemes.segment(text)) {
    if (EMOJI_MARKERS.test(segment)) {
      out += "?";
      continue;
    }
    const [first = "", ...rest] = segment.normalize("NFD");
    const base = mapBase(first);
    if (base === undefined) {
      out += "?";
      continue;
    }
    out += base.out;
    if (!base.kana) continue;
    for (const mark of rest) {
      if (VOICED_MARKS.has(mark)) out += ROM_DAKUTEN;
      else if (SEMI_VOICED_MARKS.has(mark)) out += ROM_HANDAKUTEN;
    }
  }
  return out;
}

/**
 * The inverse for people: LCD text as the A00 ROM draws it. Cell 0xDF reads as "ﾟ" right
 * after a kana cell (パ was written as ﾊﾟ) and as "°" anywhere else; 0xA1-0xDE read as
 * half-width kana, 0x5C as "¥", 0x7E as "→", 0x7F as "←".
 */
export function lcdToReadable(lcdText: string): string {
  let out = "";
  let afterKana = false;
  for (const ch of lcdText) {
    const code = ch.charCodeAt(0);
    const kana = code >= ROM_KANA_FIRST && code < 0xdf;
    if (ch === LCD_DEGREE) out += afterKana ? "\uFF9F" : "°";
    else if (kana) out += String.fromCharCode(code - ROM_KANA_FIRST + HALF_KANA_FIRST);
    else if (ch === "\\") out += "¥";
    else if (ch === "~") out += "→";
    else if (ch === "\u007F") out += "←";
    else out += ch;
    afterKana = kana;
  }
  return out;
}

/** Throws a RangeError unless cols and rows are whole numbers >= 1. */
export function checkGeometry(cols: number, rows: number): void {
  if (!Number.isInteger(cols) || cols < 1) throw new RangeError(`cols must be a whole number >= 1, got ${cols}`);
  if (!Number.isInteger(rows) || rows < 1) throw new RangeError(`rows must be a whole number >= 1, got ${rows}`);
}

/** Throws a RangeError unless this is a size HD44780 panels come in: 16 or 20 x 2 or 4. */
export function checkLcdSize(cols: number, rows: number): void {
  if (cols !== 16 && cols !== 20) throw new RangeError(`LCD cols must be 16 or 20, got ${cols}`);
  if (rows !== 2 && rows !== 4) throw new RangeError(`LCD rows must be 2 or 4, got ${rows}`);
}

/**
 * Exactly `rows` strings of exactly `cols` characters (code points): lines past `rows` are
 * dropped, missing lines are blank, short lines are padded with spaces. A line longer than
 * `cols` (after dropping its trailing spaces) is cut to `cols - 1` characters followed by
 * "~" (LCD_OVERFLOW, which the A00 ROM draws as "→"), so a cut is visible on the panel.
 * Apply it to LCD text (after toLcdCharset), where one code point is one cell.
 */
export function fitLines(lines: readonly string[], cols: number, rows: number): string[] {
  checkGeometry(cols, rows);
  const out: string[] = [];
  for (let r = 0; r < rows; r++) {
    let chars = Array.from(lines[r] ?? "");
    if (chars.length > cols) {
      while (chars.length > cols && chars[chars.length - 1] === " ") chars.pop();
      if (chars.length > cols) chars = [...chars.slice(0, cols - 1), LCD_OVERFLOW];
    }
    out.push(chars.join("") + " ".repeat(cols - chars.length));
  }
  return out;
}

/** What the LCD shows for these lines: each mapped by toLcdCharset, then fitLines. */
export function toLcdFrame(lines: readonly string[], cols: number, rows: number): string[] {
  return fitLines(
    lines.slice(0, rows).map((line) => toLcdCharset(line)),
    cols,
    rows,
  );
}

/**
 * Centres `text` on a line of `cols` cells: spaces on both sides (the odd one on the right).
 * The width is measured after toLcdCharset ("ガ" takes two cells, "℃" two), but the text is
 * returned unmapped, ready for show(), which maps it: once shown it is exactly `cols` wide.
 * Text wider than `cols` is returned as it is (show() cuts it).
 */
export function centre(text: string, cols: number): string {
  checkGeometry(cols, 1);
  const width = Array.from(toLcdCharset(text)).length;
  if (width >= cols) return text;
  const left = Math.floor((cols - width) / 2);
  return " ".repeat(left) + text + " ".repeat(cols - width - left);
}
