/**
 * Card UIDs as text: the one accepted (normalized) form that every part compares, and
 * the one form people see. Pure, no I/O: the MFRC522 drivers and the simulator normalize
 * what they read with it (hardware/cards/uid.ts adds the reader's frame checks), the bot,
 * the alerts and the local panel show UIDs with `formatCardUid`.
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
import type { CardUid } from "./card-reader.ts";

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
 * bytes or from text in either form people meet: "04:A2:B3:C4" (as shown everywhere,
 * `formatCardUid`) or "04A2B3C4", and also "04 a2 b3 c4", "04-A2-B3-C4" or "0x04a2b3c4".
 * Returns undefined for anything that is not a whole, plausible UID: empty text, an odd
 * number of hex digits, non-hex characters, a length other than 4, 7 or 10 bytes, all-0x00
 * or all-0xFF bytes (read errors), or a 4-byte value starting with the cascade tag 0x88.
 */
export function normalizeUid(raw: string | readonly number[] | Uint8Array): CardUid | undefined {
  const bytes = typeof raw === "string" ? parseHex(raw) : toBytes(raw);
  if (!bytes || !isValidUidBytes(bytes)) return undefined;
  return bytesToHex(bytes);
}

/**
 * How a card UID is shown to people, everywhere (chat, alerts, /access, /staff, the local
 * panel): upper-case hex bytes separated by colons, "04:A2:B3:C4", as card readers and NFC
 * tools print it. For showing only, never for comparing (compare normalized UIDs).
 * Text that is not hex bytes is returned unchanged.
 */
export function formatCardUid(uid: string): string {
  const hex = uid.replace(/[\s:-]/g, "").toUpperCase();
  return /^(?:[0-9A-F]{2})+$/.test(hex) ? (hex.match(/../g) ?? []).join(":") : uid;
}
