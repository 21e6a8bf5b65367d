/**
 * Card UID handling for the reader drivers: the normalized form and its rules live in the
 * domain (core/door/card-uid.ts, re-exported here for the drivers and the simulator); this
 * file adds what only a reader needs, the ISO/IEC 14443-3 frame checks (BCC).
 */
import { bytesToHex } from "../../core/door/card-uid.ts";

export {
  bytesToHex,
  CASCADE_TAG,
  isValidUidBytes,
  normalizeUid,
  UID_LENGTHS,
} from "../../core/door/card-uid.ts";

function isByte(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 0xff;
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
