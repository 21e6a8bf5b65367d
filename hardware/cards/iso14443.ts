/**
 * ISO/IEC 14443-3 type A card selection, the pure part: the frames a reader sends and what
 * it makes of the answers. No I/O; card-select.ts runs these frames through the MFRC522.
 *
 * Facts used here (ISO/IEC 14443-3, and NXP's MFRC522 datasheet for the bit framing):
 * - REQA (0x26) and WUPA (0x52) are 7-bit short frames; a card answers ATQA (2 bytes).
 *   REQA wakes cards in IDLE only, WUPA also those in HALT, so polling with WUPA sees a
 *   card held on the reader every time, once the reader has sent it to HALT (HLTA).
 * - A UID is read in cascade levels (SEL 0x93, 0x95, 0x97). ANTICOLLISION is SEL, NVB and
 *   the UID bits already known; NVB's high nibble counts the bytes sent (SEL and NVB
 *   included), its low nibble the extra bits. The card answers the rest of its 40-bit
 *   level frame: 4 UID bytes (the first may be the cascade tag 0x88) and their BCC.
 * - Bit-oriented frames: the reader sends `txLastBits` bits of the last byte and stores
 *   the first bit it receives at bit `rxAlign` of the first FIFO byte, so the answer lines
 *   up with the partial byte that was sent. The FIFO's bit 0 is then bit 8 * (whole known
 *   bytes) of the level frame; the bits below `rxAlign` in the first FIFO byte are not
 *   the card's and are ignored.
 * - Two cards answering differently collide; the reader reports the first collided bit
 *   as a 1-based position in the FIFO frame (CollReg; NXP's own reader library reads it
 *   that way). The bits before it are good; the reader picks a value for the collided bit
 *   (1, the usual choice), sends all of them again, and only the cards that match answer.
 * - SELECT is SEL, 0x70, the 4 bytes, their BCC and CRC_A; the card answers SAK + CRC_A.
 *   SAK bit 0x04 says the UID continues at the next level, which must then have started
 *   with the cascade tag (and vice versa).
 * - HLTA is 0x50 0x00 + CRC_A; a card in ACTIVE goes to HALT and does not answer.
 */
import { bcc, CASCADE_TAG } from "./uid.ts";

/** Request, type A: wakes cards in IDLE. A 7-bit short frame. */
export const REQA = 0x26;
/** Wake-up, type A: wakes cards in IDLE and in HALT. A 7-bit short frame. */
export const WUPA = 0x52;
/** Bits sent of a short frame's only byte. */
export const SHORT_FRAME_BITS = 7;
/** HLTA without its CRC_A. */
export const HLTA: readonly number[] = [0x50, 0x00];
/** SEL codes of cascade levels 1, 2 and 3. */
export const SEL_CODES: readonly number[] = [0x93, 0x95, 0x97];
/** NVB of SELECT: 7 bytes, all bits of the level known. */
export const NVB_SELECT = 0x70;
/** SAK bit: the UID is not complete, go on with the next cascade level. */
export const SAK_UID_NOT_COMPLETE = 0x04;
/** Bits of a level frame: 4 UID bytes and the BCC. */
export const LEVEL_FRAME_BITS = 40;
/** Bits of a level's UID part (the BCC cannot collide when the 4 bytes do not). */
export const LEVEL_UID_BITS = 32;

/** A frame for the reader: its bytes, the bits sent of the last one (0 = all 8), where to store the answer's first bit. */
export interface BitFrame {
  bytes: number[];
  txLastBits: number;
  rxAlign: number;
}

/** What is known of a cascade level frame during anticollision: 5 bytes (UID part + BCC), the first `knownBits` valid. */
export interface LevelBits {
  bytes: number[];
  knownBits: number;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; reason: string };

function selCode(level: number): number {
  const sel = SEL_CODES[level];
  if (sel === undefined) throw new RangeError(`cascade level index must be 0, 1 or 2, got ${level}`);
  return sel;
}

function bitOf(bytes: readonly number[], index: number): number {
  return ((bytes[index >> 3] ?? 0) >> (index & 7)) & 1;
}

function withBit(bytes: number[], index: number, value: number): void {
  const i = index >> 3;
  const mask = 1 << (index & 7);
  bytes[i] = value ? (bytes[i] ?? 0) | mask : (bytes[i] ?? 0) & ~mask & 0xff;
}

/** Nothing known yet of a level frame. */
export function emptyLevel(): LevelBits {
  return { bytes: [0, 0, 0, 0, 0], knownBits: 0 };
}

/** The ANTICOLLISION frame at cascade `level` (0-based) carrying the known bits of `known`. */
export function anticollisionFrame(level: number, known: LevelBits): BitFrame {
  const sel = selCode(level);
  const { knownBits } = known;
  if (!Number.isInteger(knownBits) || knownBits < 0 || knownBits > LEVEL_UID_BITS) {
    throw new RangeError(`known bits of a cascade level must be 0..${LEVEL_UID_BITS}, got ${knownBits}`);
  }
  const wholeBytes = knownBits >> 3;
  const extraBits = knownBits & 7;
  const sent = known.bytes.slice(0, wholeBytes + (extraBits ? 1 : 0)).map((b) => b & 0xff);
  if (extraBits) sent[wholeBytes] = (sent[wholeBytes] ?? 0) & ((1 << extraBits) - 1);
  return {
    bytes: [sel, ((2 + wholeBytes) << 4) | extraBits, ...sent],
    txLastBits: extraBits,
    rxAlign: extraBits,
  };
}

/**
 * Adds an answer to what is known: `fifo` as read from the reader after the frame
 * `anticollisionFrame(level, known)` was sent, of which the first `fifoBits` bits are valid
 * (counted from the FIFO's bit 0, so including the `rxAlign` bits that were not received).
 */
export function mergeAnswer(known: LevelBits, fifo: readonly number[], fifoBits: number): LevelBits {
  const base = (known.knownBits >> 3) * 8;
  const bytes = [...known.bytes];
  for (let i = known.knownBits - base; i < fifoBits; i++) withBit(bytes, base + i, bitOf(fifo, i));
  return { bytes, knownBits: Math.max(known.knownBits, base + fifoBits) };
}

/**
 * After a collision reported at `collisionPos` (1-based position in the FIFO frame, as
 * CollReg gives it; 32 for CollReg's 0): keeps the bits before it, picks 1 for the collided
 * bit, and returns what the next ANTICOLLISION frame must carry. Refuses positions that
 * would not make progress or fall outside the 32 UID bits of the level.
 */
export function chooseAtCollision(known: LevelBits, fifo: readonly number[], collisionPos: number): Outcome<LevelBits> {
  const base = (known.knownBits >> 3) * 8;
  const collided = base + collisionPos - 1;
  if (!Number.isInteger(collisionPos) || collisionPos < 1 || collided < known.knownBits) {
    return { ok: false, reason: `collision reported at bit ${collisionPos}, before the ${known.knownBits} bits sent` };
  }
  if (collided >= LEVEL_UID_BITS) {
    return { ok: false, reason: `collision reported at bit ${collided + 1} of the level, past its 32 UID bits` };
  }
  const merged = mergeAnswer(known, fifo, collisionPos - 1);
  const bytes = [...merged.bytes];
  withBit(bytes, collided, 1);
  return { ok: true, value: { bytes, knownBits: collided + 1 } };
}

/** SELECT at cascade `level` (0-based) for a level's 4 bytes, without its CRC_A: SEL, 0x70, 4 bytes, BCC. */
export function selectFrame(level: number, four: readonly number[]): number[] {
  const sel = selCode(level);
  if (four.length !== 4) throw new RangeError(`SELECT carries 4 UID bytes, got ${four.length}`);
  return [sel, NVB_SELECT, ...four, bcc(four)];
}

/** The UID size an ATQA announces (bits 8 and 7 of its first byte), or undefined for the reserved value. */
export function uidSizeOfAtqa(atqa: readonly number[]): 4 | 7 | 10 | undefined {
  const size = ((atqa[0] ?? 0) >> 6) & 0x03;
  return size === 0 ? 4 : size === 1 ? 7 : size === 2 ? 10 : undefined;
}

/**
 * What one selected cascade level adds to the UID: its 4 bytes, or the 3 after the cascade
 * tag when the SAK says the UID goes on. The tag and the SAK must agree, and there is no
 * level after the third.
 */
export function uidPartOfLevel(
  level: number,
  four: readonly number[],
  sak: number,
): Outcome<{ part: number[]; more: boolean }> {
  const tagged = four[0] === CASCADE_TAG;
  const more = (sak & SAK_UID_NOT_COMPLETE) !== 0;
  if (tagged && !more) {
    return {
      ok: false,
      reason: `cascade level ${level + 1} starts with the cascade tag, but the SAK says the UID is complete`,
    };
  }
  if (!tagged && more) {
    return {
      ok: false,
      reason: `the SAK at cascade level ${level + 1} says the UID goes on, but the level has no cascade tag`,
    };
  }
  if (more && level >= SEL_CODES.length - 1) {
    return { ok: false, reason: "the SAK at cascade level 3 says the UID goes on, but there is no level 4" };
  }
  return { ok: true, value: { part: tagged ? four.slice(1) : [...four], more } };
}
