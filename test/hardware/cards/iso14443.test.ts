/** The pure ISO/IEC 14443-3 frame logic: ANTICOLLISION and SELECT frames, answers merged, collisions resolved. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  anticollisionFrame,
  chooseAtCollision,
  emptyLevel,
  type LevelBits,
  mergeAnswer,
  selectFrame,
  uidPartOfLevel,
  uidSizeOfAtqa,
} from "../../../hardware/cards/iso14443.ts";

const level = (bytes: number[], knownBits: number): LevelBits => ({ bytes, knownBits });

describe("anticollisionFrame", () => {
  test("nothing known: SEL and NVB 0x20, whole bytes", () => {
    assert.deepEqual(anticollisionFrame(0, emptyLevel()), { bytes: [0x93, 0x20], txLastBits: 0, rxAlign: 0 });
    assert.deepEqual(anticollisionFrame(1, emptyLevel()).bytes, [0x95, 0x20]);
    assert.deepEqual(anticollisionFrame(2, emptyLevel()).bytes, [0x97, 0x20]);
  });

  test("13 bits known: NVB 0x35, the partial byte masked to its 5 bits, answer aligned at bit 5", () => {
    const frame = anticollisionFrame(0, level([0xa4, 0xff, 0, 0, 0], 13));
    assert.deepEqual(frame, { bytes: [0x93, 0x35, 0xa4, 0x1f], txLastBits: 5, rxAlign: 5 });
  });

  test("all 32 UID bits known: NVB 0x60 asks for the BCC alone", () => {
    assert.deepEqual(anticollisionFrame(2, level([1, 2, 3, 4, 9], 32)), {
      bytes: [0x97, 0x60, 1, 2, 3, 4],
      txLastBits: 0,
      rxAlign: 0,
    });
  });

  test("a level or a bit count out of range is a RangeError", () => {
    assert.throws(() => anticollisionFrame(3, emptyLevel()), RangeError);
    assert.throws(() => anticollisionFrame(-1, emptyLevel()), RangeError);
    assert.throws(() => anticollisionFrame(0, level([0, 0, 0, 0, 0], 33)), RangeError);
    assert.throws(() => anticollisionFrame(0, level([0, 0, 0, 0, 0], 1.5)), RangeError);
  });
});

describe("mergeAnswer", () => {
  test("a whole answer: 40 bits", () => {
    const merged = mergeAnswer(emptyLevel(), [0x04, 0xa2, 0xb3, 0xc4, 0xd1], 40);
    assert.deepEqual(merged, level([0x04, 0xa2, 0xb3, 0xc4, 0xd1], 40));
  });

  test("an answer aligned after 13 known bits: the FIFO's bits below rxAlign are not the card's", () => {
    const known = level([0xa4, 0x05, 0, 0, 0], 13); // byte 1: low 5 bits 0b00101
    // the card's level frame is A4 E5 10 20 xx; it sends bits 13..39; FIFO byte 0 holds bits 8..15 of the
    // level at FIFO bits 0..7, of which 0..4 are junk here (all ones)
    const fifo = [0xe0 | 0x1f, 0x10, 0x20, 0x51];
    const merged = mergeAnswer(known, fifo, 32);
    assert.deepEqual(merged, level([0xa4, 0xe5, 0x10, 0x20, 0x51], 40));
  });
});

describe("chooseAtCollision", () => {
  test("keeps the bits before the collided one and picks 1 for it", () => {
    // two cards 0x04... and 0x0C...: they differ at bit 3 of byte 0 (position 4)
    const fifo = [0x04, 0, 0, 0, 0];
    const next = chooseAtCollision(emptyLevel(), fifo, 4);
    assert.deepEqual(next, { ok: true, value: level([0x0c, 0, 0, 0, 0], 4) });
    if (!next.ok) return;
    assert.deepEqual(anticollisionFrame(0, next.value).bytes, [0x93, 0x24, 0x0c]);
  });

  test("positions count from the FIFO's bit 0, rxAlign bits included, as NXP's library reads CollReg", () => {
    const known = level([0xa4, 0x05, 0, 0, 0], 13);
    // collision at the 2nd received bit: FIFO position 5 + 2 = 7 (1-based); bit 13 received as 1
    const next = chooseAtCollision(known, [0xff, 0, 0, 0], 7);
    assert.deepEqual(next, { ok: true, value: level([0xa4, 0x65, 0, 0, 0], 15) });
  });

  test("CollReg's 0 (bit 32): the last UID bit; 31 bits known, the BCC still to come", () => {
    const next = chooseAtCollision(emptyLevel(), [0x11, 0x22, 0x33, 0x04, 0], 32);
    assert.deepEqual(next, { ok: true, value: level([0x11, 0x22, 0x33, 0x84, 0], 32) });
  });

  test("no progress, or a position past the UID bits, is refused", () => {
    const known = level([0xff, 0x01, 0, 0, 0], 9);
    const back = chooseAtCollision(known, [0, 0, 0, 0], 1);
    assert.ok(!back.ok && /before the 9 bits sent/.test(back.reason));
    const past = chooseAtCollision(level([1, 2, 3, 4, 0], 24), [4, 0], 9);
    assert.ok(!past.ok && /past its 32 UID bits/.test(past.reason));
    assert.ok(!chooseAtCollision(emptyLevel(), [0], 0).ok);
  });
});

describe("selectFrame", () => {
  test("SEL, 0x70, the 4 bytes and their BCC", () => {
    assert.deepEqual(selectFrame(0, [0x04, 0xa2, 0xb3, 0xc4]), [0x93, 0x70, 0x04, 0xa2, 0xb3, 0xc4, 0xd1]);
    assert.deepEqual(selectFrame(1, [0x88, 0x04, 0x11, 0x22]), [0x95, 0x70, 0x88, 0x04, 0x11, 0x22, 0xbf]);
    assert.throws(() => selectFrame(0, [1, 2, 3]), RangeError);
    assert.throws(() => selectFrame(5, [1, 2, 3, 4]), RangeError);
  });
});

describe("uidSizeOfAtqa", () => {
  test("bits 8 and 7 of the first byte", () => {
    assert.equal(uidSizeOfAtqa([0x04, 0x00]), 4);
    assert.equal(uidSizeOfAtqa([0x44, 0x00]), 7);
    assert.equal(uidSizeOfAtqa([0x84, 0x03]), 10);
    assert.equal(uidSizeOfAtqa([0xc4, 0x00]), undefined);
  });
});

describe("uidPartOfLevel", () => {
  test("a complete level gives its 4 bytes; a tagged one its 3 and 'more'", () => {
    assert.deepEqual(uidPartOfLevel(0, [0x04, 1, 2, 3], 0x08), {
      ok: true,
      value: { part: [4, 1, 2, 3], more: false },
    });
    assert.deepEqual(uidPartOfLevel(1, [0x88, 1, 2, 3], 0x04), { ok: true, value: { part: [1, 2, 3], more: true } });
  });

  test("the cascade tag and the SAK must agree; no level after the third", () => {
    const lying = uidPartOfLevel(0, [0x88, 1, 2, 3], 0x08);
    assert.ok(!lying.ok && /cascade tag, but the SAK says the UID is complete/.test(lying.reason));
    const untagged = uidPartOfLevel(0, [0x04, 1, 2, 3], 0x24);
    assert.ok(!untagged.ok && /has no cascade tag/.test(untagged.reason));
    const fourth = uidPartOfLevel(2, [0x88, 1, 2, 3], 0x04);
    assert.ok(!fourth.ok && /no level 4/.test(fourth.reason));
  });
});
