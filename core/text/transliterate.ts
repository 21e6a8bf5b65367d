/**
 * ASCII for text that must be plain: one table of stand-ins for the characters Unicode does
 * not decompose into ASCII (ß, æ, ø, ł, typographic quotes and dashes, a few symbols and
 * the Japanese punctuation 、。「」), and `toAscii`, which uses it with Unicode's own
 * decompositions. Pure. Used by SNS subjects (channels/sns) and the LCD (hardware/display,
 * which draws a few of these characters with its own ROM glyphs and looks the rest up here).
 */

/**
 * One character (a code point) -> its ASCII stand-in ("" drops it). Only characters that
 * NFKD does not already turn into ASCII: "é" (e + accent), "℃" (°C), "Ａ" (A) and "…"
 * (...) need no entry. Two exceptions on purpose: "º" (NFKD "o") is dropped like "°", as
 * both are typed for a degree sign ("21º" -> "21"), and "≠" (NFKD "=" + an overlay mark)
 * would otherwise read as "=".
 */
export const ASCII_STAND_INS: Readonly<Record<string, string>> = {
  // Latin letters with no decomposition
  ß: "ss",
  ẞ: "SS",
  æ: "ae",
  Æ: "AE",
  œ: "oe",
  Œ: "OE",
  ø: "o",
  Ø: "O",
  ł: "l",
  Ł: "L",
  đ: "d",
  Đ: "D",
  ð: "d",
  Ð: "D",
  þ: "th",
  Þ: "Th",
  ı: "i",
  ħ: "h",
  Ħ: "H",
  ŧ: "t",
  Ŧ: "T",
  µ: "u",
  // quotes
  "\u2018": "'", // ‘
  "\u2019": "'", // ’
  "\u201A": "'", // ‚
  "\u201B": "'", // ‛
  "\u2032": "'", // ′
  "\u201C": '"', // “
  "\u201D": '"', // ”
  "\u201E": '"', // „
  "\u201F": '"', // ‟
  "\u2033": '"', // ″
  "«": '"',
  "»": '"',
  // dashes
  "\u2010": "-", // hyphen
  "\u2011": "-", // non-breaking hyphen
  "\u2012": "-", // figure dash
  "\u2013": "-", // en dash
  "\u2014": "-", // em dash
  "\u2015": "-", // horizontal bar
  "\u2212": "-", // minus sign
  // other punctuation and symbols
  "•": "*",
  "·": ".",
  "°": "",
  º: "",
  "×": "x",
  "÷": "/",
  "±": "+/-",
  "≤": "<=",
  "≥": ">=",
  "≠": "!=",
  "≈": "~",
  "→": "->",
  "←": "<-",
  "↑": "^",
  "↓": "v",
  "€": "EUR",
  "£": "GBP",
  "¥": "JPY",
  // Japanese punctuation
  "、": ",",
  "。": ".",
  "「": '"',
  "」": '"',
};

/** The ASCII stand-in of one character (code point) from ASCII_STAND_INS; undefined when it has none. */
export function asciiStandIn(ch: string): string | undefined {
  return Object.hasOwn(ASCII_STAND_INS, ch) ? ASCII_STAND_INS[ch] : undefined;
}

const MARK = /\p{M}/u;

/**
 * `text` in ASCII, code point by code point: ASCII stays (control characters included:
 * the caller decides about those); a character with a stand-in gets it; otherwise NFKD
 * splits accents off letters (é -> e), unfolds full-width forms (Ａ -> A), superscripts
 * (² -> 2) and compatibility symbols (℃ -> °C -> C), each part then mapped the same way,
 * combining marks dropped. What has no ASCII form (kana, kanji, emoji) becomes a space,
 * so the words around it stay apart.
 */
export function toAscii(text: string): string {
  let out = "";
  for (const ch of text) {
    const mapped = asciiStandIn(ch);
    if (mapped !== undefined) {
      out += mapped;
      continue;
    }
    if ((ch.codePointAt(0) ?? 0) < 0x80) {
      out += ch;
      continue;
    }
    for (const part of ch.normalize("NFKD")) {
      const m = asciiStandIn(part);
      if (m !== undefined) out += m;
      else if ((part.codePointAt(0) ?? 0) < 0x80) out += part;
      else if (!MARK.test(part)) out += " ";
    }
  }
  return out;
}
