import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createTapDebouncer } from "../../../hardware/cards/debounce.ts";
import { bcc, isValidUidBytes, normalizeUid, parseUidFrame } from "../../../hardware/cards/uid.ts";

describe("normalizeUid", () => {
  test("text in the usual spellings -> one form", () => {
    for (const raw of [
      "04:a2:b3:c4",
      "04 A2 B3 C4",
      "04-a2-b3-c4",
      "04a2b3c4",
      "04A2B3C4",
      "0x04a2b3c4",
      "0X04A2B3C4",
      "  04:A2:B3:C4\n",
      "04 : a2 : b3 : c4",
    ]) {
      assert.equal(normalizeUid(raw), "04A2B3C4", raw);
    }
  });

  test("bytes (array or Uint8Array) -> the same form", () => {
    assert.equal(normalizeUid([0x04, 0xa2, 0xb3, 0xc4]), "04A2B3C4");
    assert.equal(normalizeUid(Uint8Array.from([0x04, 0xa2, 0xb3, 0xc4])), "04A2B3C4");
    assert.equal(normalizeUid([0, 1, 2, 3]), "00010203", "leading zero bytes are kept");
  });

  test("7- and 10-byte UIDs", () => {
    assert.equal(normalizeUid("04:11:22:33:44:55:66"), "04112233445566");
    assert.equal(normalizeUid([4, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99]), "04112233445566778899");
  });

  test("anything else is undefined", () => {
    const bad: Array<string | number[]> = [
      "",
      "   ",
      "0x",
      "04a2b3c",
      "04a2b3c4d",
      "04:a2:b3:c",
      "4:a2:b3:c4:5",
      "04a2:b3c4",
      "04:a2:b3:g4",
      "zz112233",
      "04a2b3c4 ; DROP TABLE",
      "0x04:a2:b3:c4",
      "04a2b3",
      "04a2b3c4d5",
      "04a2b3c4d5e6f7a8",
      "00000000",
      "ff:ff:ff:ff",
      "00000000000000",
      "FFFFFFFFFFFFFFFFFFFF",
      "88a2b3c4",
      [],
      [1, 2, 3],
      [1, 2, 3, 256],
      [1, 2, 3, -1],
      [1, 2, 3, 4.5],
      [1, 2, 3, Number.NaN],
      [0, 0, 0, 0],
      [255, 255, 255, 255],
    ];
    for (const raw of bad) assert.equal(normalizeUid(raw), undefined, JSON.stringify(raw));
  });

  test("the cascade tag 0x88 is refused only where it would mean a truncated UID", () => {
    assert.equal(normalizeUid("88112233"), undefined);
    assert.equal(isValidUidBytes([0x88, 1, 2, 3]), false);
    assert.equal(normalizeUid("04881122334455"), "04881122334455");
    assert.equal(normalizeUid("1288AABB"), "1288AABB");
  });

  // How a UID is shown to people: test/core/door/card-uid.test.ts (formatCardUid).
});

describe("BCC", () => {
  test("is the XOR of the bytes", () => {
    assert.equal(bcc([0x04, 0xa2, 0xb3, 0xc4]), 0x04 ^ 0xa2 ^ 0xb3 ^ 0xc4);
    assert.equal(bcc([]), 0);
  });

  test("parseUidFrame strips a good BCC and keeps the 4 bytes", () => {
    const four = [0x04, 0xa2, 0xb3, 0xc4];
    assert.deepEqual(parseUidFrame([...four, bcc(four)]), { ok: true, bytes: four });
    assert.deepEqual(parseUidFrame([...four, bcc(four), 0x99]), { ok: true, bytes: four }, "extra FIFO bytes ignored");
    assert.deepEqual(parseUidFrame([0x88, 1, 2, 3, 0x88 ^ 1 ^ 2 ^ 3]), { ok: true, bytes: [0x88, 1, 2, 3] });
  });

  test("parseUidFrame refuses a wrong BCC and short answers", () => {
    const r = parseUidFrame([0x04, 0xa2, 0xb3, 0xc4, 0x00]);
    assert.equal(r.ok, false);
    assert.match(r.ok ? "" : r.reason, /BCC mismatch in 04A2B3C400: got 0x00, expected 0x/);
    const short = parseUidFrame([1, 2, 3, 4]);
    assert.match(short.ok ? "" : short.reason, /short anticollision answer \(4 bytes/);
    assert.equal(parseUidFrame([1, 2, 3, 300, 1]).ok, false);
  });
});

describe("createTapDebouncer", () => {
  test("first sighting taps; again within the window does not, and restarts the window", () => {
    const d = createTapDebouncer(1000);
    assert.equal(d.sighting("A", 0), true);
    assert.equal(d.sighting("A", 900), false);
    assert.equal(d.sighting("A", 1800), false, "900 ms after the last sighting");
    assert.equal(d.sighting("A", 2800), true, "exactly debounceMs after: a new tap");
  });

  test("cards are independent", () => {
    const d = createTapDebouncer(1000);
    assert.equal(d.sighting("A", 0), true);
    assert.equal(d.sighting("B", 10), true);
    assert.equal(d.sighting("A", 20), false);
    d.clear();
    assert.equal(d.sighting("A", 30), true);
  });

  test("0 ms: every sighting is a tap; negative or NaN is refused", () => {
    const d = createTapDebouncer(0);
    assert.equal(d.sighting("A", 0), true);
    assert.equal(d.sighting("A", 0), true);
    assert.throws(() => createTapDebouncer(-1), RangeError);
    assert.throws(() => createTapDebouncer(Number.NaN), RangeError);
  });

  test("a clock that steps back does not make a new tap", () => {
    const d = createTapDebouncer(1000);
    d.sighting("A", 5000);
    assert.equal(d.sighting("A", 1000), false);
    assert.equal(d.sighting("A", 5999), false);
    assert.equal(d.sighting("A", 7000), true);
  });
});
