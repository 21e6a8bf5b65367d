import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ASCII_STAND_INS, asciiStandIn, toAscii } from "../../../core/text/transliterate.ts";

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

describe("ASCII_STAND_INS", () => {
  test("maps single non-ASCII code points to printable ASCII", () => {
    for (const [ch, standIn] of Object.entries(ASCII_STAND_INS)) {
      assert.equal([...ch].length, 1, `${JSON.stringify(ch)} is one code point`);
      assert.ok((ch.codePointAt(0) ?? 0) >= 0x80, `${JSON.stringify(ch)} is not ASCII`);
      assert.match(standIn, PRINTABLE_ASCII, `the stand-in of ${ch}`);
    }
  });

  test("lists only what NFKD does not already make ASCII (but º and ≠, on purpose)", () => {
    for (const ch of Object.keys(ASCII_STAND_INS)) {
      if (ch === "º" || ch === "≠") continue;
      const decomposed = ch.normalize("NFKD").replace(/\p{M}/gu, "");
      assert.doesNotMatch(decomposed, PRINTABLE_ASCII, `${ch} decomposes to ${JSON.stringify(decomposed)}`);
    }
  });

  test("asciiStandIn looks one character up, and nothing else", () => {
    assert.equal(asciiStandIn("ß"), "ss");
    assert.equal(asciiStandIn("°"), "");
    assert.equal(asciiStandIn("a"), undefined);
    assert.equal(asciiStandIn("é"), undefined, "NFKD's business");
    assert.equal(asciiStandIn("constructor"), undefined);
    assert.equal(asciiStandIn("toString"), undefined);
  });
});

describe("toAscii", () => {
  test("ASCII stays as it is, control characters included", () => {
    const ascii = Array.from({ length: 0x80 }, (_, i) => String.fromCharCode(i)).join("");
    assert.equal(toAscii(ascii), ascii);
  });

  test("letters: accents dropped, the rest from the table", () => {
    assert.equal(toAscii("Café Ñandú Åse çà"), "Cafe Nandu Ase ca");
    assert.equal(toAscii("e\u0301te\u0301"), "ete", "a decomposed accent too");
    assert.equal(toAscii("Straße Øre łódź Æsir ẞ"), "Strasse Ore lodz AEsir SS");
  });

  test("compatibility forms, degrees and symbols", () => {
    assert.equal(toAscii("21.5°C 21º ℃"), "21.5C 21 C");
    assert.equal(toAscii("Ａ２５ x² ①"), "A25 x2 1");
    assert.equal(toAscii("“it’s” 10–12 — ok…"), '"it\'s" 10-12 - ok...');
    assert.equal(toAscii("≤5 ≥1 ≠0 ±2 ÷3 ×4"), "<=5 >=1 !=0 +/-2 /3 x4");
    assert.equal(toAscii("5 € 3 £ 9 ¥"), "5 EUR 3 GBP 9 JPY");
    assert.equal(toAscii("a → b ← c · d • e"), "a -> b <- c . d * e");
  });

  test("what has no ASCII form becomes a space, Japanese punctuation does not", () => {
    assert.equal(toAscii("室温「高」。"), '  " ".');
    assert.equal(toAscii("ヨウコソ、OK"), "    ,OK");
    assert.equal(toAscii("🔥 hot Ωμ"), "  hot   ");
  });
});
