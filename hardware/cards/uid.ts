/**
 * Pure card UID handling: no I/O. Shared by the MFRC522 driver, the simulator and whoever
 * enrols or checks cards, so that all of them compare exactly the same form.
 *
 * Cards are never trusted by name or by a loosely written number: a UID is accepted only
 * in the normalized form `normalizeUid` returns (upper-case hex, no separators), and two
 * cards are the same card only if those strings are equal.
 *
 * ISO/IEC 14443-3 facts used here:
 * - a UID is 4 ("single"), 7 ("double") or 10 ("triple") bytes long;
 * - the reader gets it in cascade levels of 4 bytes + a BCC byte (the XOR of the 4);
 *   a level that starts with the cascade tag 0x88 carries only 3 UID bytes and means
 *   "the UID continues at the next level";
 * - so a 4-byte "UID" starting with 0x88 is the truncated first level of a longer UID
 *   (what a reader that skips the cascade reports for NTAG stickers, DESFire badges and
 *   phones), never a whole UID: it is rejected, or unrelated cards would compare equal;
 * - all-0x00 and all-0xFF are what a floating SPI bus or a failed read produce.
 */
import type { CardUid } from "../../core/door/card-reader.ts";

/** The UID lengths ISO/IEC 14443-3 allows, in bytes. */
export const UID_LENGTHS: readonly number[] = [4, 7, 10];

/** First byte of a cascade level whose UID continues at the next level. */
export const CASCADE_TAG = 0x88;

const HEX_PAIR = /^[0-9a-f]{2}$/i;
const SEPARATORS = /[\s:-]+/;

function isByte(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 0xff;
}

/** "04:a2:b3:c4", "04 A2 B3 C4", "04-a2-b3-c4", "04a2b3c4", "0x04a2b3c4" -> bytes; undefined if malformed. */
function parseHex(text: string): number[] | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  let pairs: string[];
  if (SEPARATORS.test(trimmed)) {
    // with separators every group is exactly one byte: "4:a2:b3:c4:5" is not silently re-paired
    pairs = trimmed.split(SEPARATORS);
  } else {
    const hex = trimmed.replace(/^0x/i, "");
    if (hex.length === 0 || hex.length % 2 !== 0) return undefined;
    pairs = hex.match(/../g) ?? [];
  }
  if (!pairs.every((p) => HEX_PAIR.test(p))) return undefined;
  return pairs.map((p) => Number.parseInt(p, 16));
}

function toBytes(raw: readonly number[] | Uint8Array): number[] | undefined {
  const bytes = Array.from(raw as ArrayLike<number>);
  return bytes.every(isByte) ? bytes : undefined;
}

/** Whether `bytes` can be a whole card UID (length, no read-error pattern, no cascade tag). */
export function isValidUidBytes(bytes: readonly number[]): boolean {
  if (!UID_LENGTHS.includes(bytes.length) || !bytes.every(isByte)) return false;
  if (bytes.every((b) => b === 0x00) || bytes.every((b) => b === 0xff)) return false;
  if (bytes.length === 4 && bytes[0] === CASCADE_TAG) return false;
  return true;
}

/** Upper-case hex, two digits per byte, no separators. */
export function bytesToHex(bytes: readonly number[]): string {
  return bytes
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("")
    .toUpperCase();
}

/**
 * The one accepted form of a card UID: "04A2B3C4" (upper-case hex, no separators), from
 * bytes or from text such as "04:a2:b3:c4", "04 A2 B3 C4" or "0x04a2b3c4".
 * Returns undefined for anything that is not a whole, plausible UID: empty text, an odd
 * number of hex digits, non-hex characters, a length other than 4, 7 or 10 bytes, all-0x00
 * or all-0xFF bytes (read errors), or a 4-byte value starting with the cascade tag 0x88.
 */
export function normalizeUid(raw: string | readonly number[] | Uint8Array): CardUid | undefined {
  const bytes = typeof raw === "string" ? parseHex(raw) : toBytes(raw);
  if (!bytes || !isValidUidBytes(bytes)) return undefined;
  return bytesToHex(bytes);
}

/** "04A2B3C4" -> "04:A2:B3:C4", for people (logs, messages). Not for comparing. */
export function formatUid(uid: CardUid): string {
  return uid.match(/../g)?.join(":") ?? uid;
}

/** The block check character of ISO/IEC 14443-3: the XOR of the bytes. */
export function bcc(bytes: readonly number[]): number {
  let x = 0;
  for (const b of bytes) x ^= b;
  return x & 0xff;
}

export type UidFrame = { ok: true; bytes: number[] } | { ok: false; reason: string };

/**
 * Checks one anticollision answer (one cascade level): 4 bytes then their BCC. Extra bytes
 * after the BCC are ignored (the FIFO may hold more). Returns the 4 bytes without the BCC
 * (the first may be the cascade tag 0x88).
 */
export function parseUidFrame(data: readonly number[]): UidFrame {
  if (data.length < 5) return { ok: false, reason: `short anticollision answer (${data.length} bytes, expected 5)` };
  const frame = data.slice(0, 5);
  if (!frame.every(isByte)) return { ok: false, reason: "anticollision answer holds values that are not bytes" };
  const bytes = frame.slice(0, 4);
  const check = frame[4];
  const expected = bcc(bytes);
  if (check !== expected) {
    return {
      ok: false,
      reason: `BCC mismatch in ${bytesToHex(frame)}: got 0x${bytesToHex([check ?? 0])}, expected 0x${bytesToHex([expected])}`,
    };
  }
  return { ok: true, bytes };
}
