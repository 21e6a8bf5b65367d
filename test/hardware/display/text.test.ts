import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  centre,
  fitLines,
  LCD_DEGREE,
  lcdToReadable,
  toLcdCharset,
  toLcdFrame,
} from "../../../hardware/display/text.ts";

/** ROM bytes of LCD text, for readable assertions about non-ASCII cells. */
const bytes = (lcd: string) => Array.from(lcd, (c) => c.charCodeAt(0));

describe("toLcdCharset", () => {
  test("printable ASCII stays as it is", () => {
    const ascii = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join("");
    assert.equal(toLcdCharset(ascii), ascii);
  });

  test("the degree sign becomes the ROM's 0xDF; ℃ becomes 0xDF + C", () => {
    assert.equal(LCD_DEGREE, "\u00DF");
    assert.deepEqual(bytes(toLcdCharset("23°C")), [0x32, 0x33, 0xdf, 0x43]);
    assert.equal(toLcdCharset("23℃"), `23${LCD_DEGREE}C`);
    assert.equal(toLcdCharset("º"), LCD_DEGREE);
  });

  test("accented Latin letters become their base letter, precomposed or not", () => {
    assert.equal(toLcdCharset("Café Ñandú Åse çà"), "Cafe Nandu Ase ca");
    assert.equal(toLcdCharset("e\u0301te\u0301"), "ete");
    assert.equal(toLcdCharset("Straße Øre łódź Æsir"), "Strasse Ore lodz AEsir");
  });

  test("half-width katakana map to 0xA1-0xDF by a fixed offset", () => {
    assert.deepEqual(bytes(toLcdCharset("｡")), [0xa1]);
    assert.deepEqual(bytes(toLcdCharset("ｱｲｳ")), [0xb1, 0xb2, 0xb3]);
    assert.deepEqual(bytes(toLcdCharset("ﾝﾞﾟ")), [0xdd, 0xde, 0xdf]);
    assert.deepEqual(bytes(toLcdCharset("ｶﾞ")), [0xb6, 0xde]);
  });

  test("full-width katakana become half-width, voiced ones two cells", () => {
    assert.equal(toLcdCharset("ヨウコソ"), toLcdCharset("ﾖｳｺｿ"));
    assert.equal(toLcdCharset("ジカンガイ ニュウシツ"), toLcdCharset("ｼﾞｶﾝｶﾞｲ ﾆｭｳｼﾂ"));
    assert.equal(toLcdCharset("カード"), toLcdCharset("ｶｰﾄﾞ"));
    assert.equal(toLcdCharset("パ・ヴ"), toLcdCharset("ﾊﾟ･ｳﾞ"));
    assert.equal(toLcdCharset("カ\u3099"), toLcdCharset("ｶﾞ"), "a decomposed ガ too");
    assert.equal(toLcdCharset("「ヵヶヮ」。"), toLcdCharset("｢ｶｹﾜ｣｡"));
  });

  test("emoji and scripts the ROM lacks become one ? per character", () => {
    assert.equal(toLcdCharset("🔥 hot"), "? hot");
    assert.equal(toLcdCharset("👨‍💻"), "?");
    assert.equal(toLcdCharset("🇩🇪"), "?");
    assert.equal(toLcdCharset("1️⃣ ❤️"), "? ?");
    assert.equal(toLcdCharset("ひらがな 漢字 Ωμ"), "???? ?? ??");
    assert.equal(toLcdCharset("한"), "?");
  });

  test("control and invisible format characters are removed", () => {
    assert.equal(toLcdCharset("a\tb\nc\r\nd\u0007e\u001bf\u007fg"), "abcdefg");
    assert.equal(toLcdCharset("zero\u200Bwidth soft\u00ADhyphen"), "zerowidth softhyphen");
    assert.equal(toLcdCharset("\u0085\u009f"), "");
  });

  test("other spaces, quotes and dashes become ASCII", () => {
    assert.equal(toLcdCharset("a\u00A0b\u3000c"), "a b c");
    assert.equal(toLcdCharset("“it’s” 10–12 — ok…"), '"it\'s" 10-12 - ok...');
    assert.equal(toLcdCharset("Ａ① ™"), "A1 TM");
  });
});

describe("lcdToReadable", () => {
  test("shows the cells as the A00 ROM draws them", () => {
    assert.equal(lcdToReadable(toLcdCharset("23.4°C 45%")), "23.4°C 45%");
    assert.equal(lcdToReadable(toLcdCharset("ジカンガイ")), "ｼﾞｶﾝｶﾞｲ");
    assert.equal(lcdToReadable(toLcdCharset("パ 5°")), "ﾊﾟ 5°", "0xDF after kana is the handakuten");
    assert.equal(lcdToReadable("a~b\\c"), "a→b¥c");
  });
});

describe("fitLines", () => {
  test("exactly rows lines of exactly cols characters", () => {
    assert.deepEqual(fitLines(["Hello"], 16, 2), ["Hello           ", "                "]);
    assert.deepEqual(fitLines([], 20, 4), Array(4).fill(" ".repeat(20)));
    assert.deepEqual(fitLines(["a", "b", "c"], 4, 2), ["a   ", "b   "]);
  });

  test("a line longer than cols is cut and ends with ~ (→ on the LCD)", () => {
    assert.deepEqual(fitLines(["A very long line indeed"], 16, 1), ["A very long lin~"]);
    assert.deepEqual(fitLines(["x".repeat(16)], 16, 1), ["x".repeat(16)], "exactly cols: no marker");
  });

  test("trailing spaces do not count as overflow", () => {
    assert.deepEqual(fitLines([`${"x".repeat(16)}    `], 16, 1), ["x".repeat(16)]);
  });

  test("counts code points, never splitting a surrogate pair", () => {
    assert.deepEqual(fitLines(["😀😀😀"], 2, 1), ["😀~"]);
  });

  test("rejects a nonsensical size", () => {
    assert.throws(() => fitLines([], 0, 2), RangeError);
    assert.throws(() => fitLines([], 16, 1.5), RangeError);
  });
});

describe("toLcdFrame", () => {
  test("maps, then fits: the cut happens on LCD cells", () => {
    const frame = toLcdFrame(["ジカンガイ ニュウシツ OKAY", "23.4°C"], 16, 2);
    assert.deepEqual(frame, [`${toLcdCharset("ｼﾞｶﾝｶﾞｲ ﾆｭｳｼﾂ O")}~`, `23.4${LCD_DEGREE}C          `]);
    assert.ok(frame.every((l) => l.length === 16));
  });
});

describe("centre", () => {
  test("pads both sides, the odd space on the right", () => {
    assert.equal(centre("Hi", 16), "       Hi       ");
    assert.equal(centre("abc", 6), " abc  ");
  });

  test("measures LCD cells but returns the text unmapped", () => {
    const line = centre("ガ", 6); // ｶﾞ: two cells
    assert.equal(line, "  ガ  ");
    assert.equal(toLcdFrame([line], 6, 1)[0], `  ${toLcdCharset("ｶﾞ")}  `);
  });

  test("text as wide as the line or wider is returned as it is", () => {
    assert.equal(centre("x".repeat(20), 16), "x".repeat(20));
  });
});
