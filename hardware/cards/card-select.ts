/**
 * Reading the whole UID of the card on the reader, ISO/IEC 14443-3 type A, through the
 * MFRC522 (mfrc522-chip.ts) with the frames of iso14443.ts:
 *
 *   WUPA -> ATQA; for each cascade level: ANTICOLLISION (resolving collisions bit by bit)
 *   -> 4 bytes + BCC; SELECT (+ CRC_A by the chip's coprocessor) -> SAK (its CRC_A checked
 *   the same way); the SAK says whether the UID goes on; then HLTA.
 *
 * WUPA and HLTA make a held card answer every poll (HALT -> WUPA -> READY), unlike REQA.
 * A damaged exchange (parity, CRC, protocol error, a BCC mismatch, a SAK that contradicts
 * the cascade tag) is retried from WUPA, after an HLTA that puts a half-selected card back
 * in IDLE or HALT (both answer WUPA), up to `attempts` times.
 */
import { countOption } from "../options.ts";
import {
  anticollisionFrame,
  chooseAtCollision,
  emptyLevel,
  HLTA,
  LEVEL_FRAME_BITS,
  LEVEL_UID_BITS,
  mergeAnswer,
  type Outcome,
  SEL_CODES,
  SHORT_FRAME_BITS,
  selectFrame,
  uidPartOfLevel,
  WUPA,
} from "./iso14443.ts";
import type { Mfrc522Chip, TransceiveResult } from "./mfrc522-chip.ts";
import { bytesToHex, parseUidFrame } from "./uid.ts";

export type CardRead =
  /** No card answered WUPA. */
  | { kind: "none" }
  /** A card was selected: its whole UID (4, 7 or 10 bytes), its ATQA and final SAK. */
  | { kind: "card"; uid: number[]; atqa: number[]; sak: number; collisions: number; attempts: number }
  /** A card answered, but no attempt read its UID cleanly. */
  | { kind: "failed"; reason: string; attempts: number };

export interface ReadCardOptions {
  /** Tries from WUPA when an exchange is damaged (default 3). */
  attempts?: number;
}

function trouble(r: Exclude<TransceiveResult, { status: "ok" }>, what: string): string {
  if (r.status === "timeout") return `no answer to ${what}`;
  if (r.status === "collision") return `collision in the answer to ${what}`;
  return `${r.error} error in the answer to ${what}`;
}

/** One cascade level's 4 bytes (BCC checked), resolving collisions; counts them in `stats`. */
async function anticollision(
  chip: Mfrc522Chip,
  level: number,
  stats: { collisions: number },
): Promise<Outcome<number[]>> {
  const what = `ANTICOLLISION at cascade level ${level + 1}`;
  let known = emptyLevel();
  for (let round = 0; round <= LEVEL_UID_BITS; round++) {
    const frame = anticollisionFrame(level, known);
    const r = await chip.transceive(frame.bytes, frame);
    if (r.status === "collision") {
      stats.collisions++;
      if (r.position === undefined) return { ok: false, reason: `collision at an unknown position in ${what}` };
      const next = chooseAtCollision(known, r.data, r.position);
      if (!next.ok) return { ok: false, reason: `${what}: ${next.reason}` };
      known = next.value;
      continue;
    }
    if (r.status !== "ok") return { ok: false, reason: trouble(r, what) };
    const base = (known.knownBits >> 3) * 8;
    const fifoBits = r.data.length === 0 ? 0 : (r.data.length - 1) * 8 + (r.lastBits || 8);
    if (base + fifoBits !== LEVEL_FRAME_BITS) {
      return {
        ok: false,
        reason: `${what}: answer of ${base + fifoBits - known.knownBits} bits, expected ${LEVEL_FRAME_BITS - known.knownBits}`,
      };
    }
    const frame5 = parseUidFrame(mergeAnswer(known, r.data, fifoBits).bytes);
    if (!frame5.ok) return { ok: false, reason: `${what}: ${frame5.reason}` };
    return { ok: true, value: frame5.bytes };
  }
  return { ok: false, reason: `${what} did not converge` };
}

/** SELECT at `level` with its 4 bytes; the SAK, its CRC_A checked by the coprocessor. */
async function select(chip: Mfrc522Chip, level: number, four: number[]): Promise<Outcome<number>> {
  const what = `SELECT at cascade level ${level + 1}`;
  const frame = selectFrame(level, four);
  const r = await chip.transceive([...frame, ...(await chip.calculateCrc(frame))]);
  if (r.status !== "ok") return { ok: false, reason: trouble(r, what) };
  const [sak = 0, crcLow, crcHigh] = r.data;
  if (r.data.length !== 3 || r.lastBits !== 0) {
    return { ok: false, reason: `${what}: SAK answer of ${r.data.length} bytes (${bytesToHex(r.data)}), expected 3` };
  }
  const [low, high] = await chip.calculateCrc([sak]);
  if (low !== crcLow || high !== crcHigh) {
    return { ok: false, reason: `${what}: CRC_A error in the SAK ${bytesToHex(r.data)}` };
  }
  return { ok: true, value: sak };
}

type Attempt =
  | { kind: "none" }
  | { kind: "card"; uid: number[]; atqa: number[]; sak: number }
  | { kind: "failed"; reason: string };

async function attempt(chip: Mfrc522Chip, stats: { collisions: number }): Promise<Attempt> {
  const wake = await chip.transceive([WUPA], { txLastBits: SHORT_FRAME_BITS });
  if (wake.status === "timeout") return { kind: "none" };
  if (wake.status === "error") return { kind: "failed", reason: trouble(wake, "WUPA") };
  if (wake.status === "collision") stats.collisions++;
  const atqa = wake.data;
  if (wake.status === "ok" && (atqa.length !== 2 || wake.lastBits !== 0)) {
    return { kind: "failed", reason: `ATQA of ${atqa.length} bytes (${bytesToHex(atqa)}), expected 2` };
  }
  const uid: number[] = [];
  for (let level = 0; level < SEL_CODES.length; level++) {
    const four = await anticollision(chip, level, stats);
    if (!four.ok) return { kind: "failed", reason: four.reason };
    const sak = await select(chip, level, four.value);
    if (!sak.ok) return { kind: "failed", reason: sak.reason };
    const part = uidPartOfLevel(level, four.value, sak.value);
    if (!part.ok) return { kind: "failed", reason: part.reason };
    uid.push(...part.value.part);
    if (!part.value.more) return { kind: "card", uid, atqa, sak: sak.value };
  }
  return { kind: "failed", reason: "the UID did not end after 3 cascade levels" };
}

/** HLTA (no answer expected): an ACTIVE card goes to HALT, a half-selected (READY) one back to IDLE. */
async function halt(chip: Mfrc522Chip): Promise<void> {
  await chip.transmit([...HLTA, ...(await chip.calculateCrc(HLTA))]);
}

/**
 * Reads the UID of the card in the field (see the top of this file). Rejects only with what
 * the chip or the SPI transport throws (a dead chip, not a bad read).
 */
export async function readCard(chip: Mfrc522Chip, opts: ReadCardOptions = {}): Promise<CardRead> {
  const attempts = countOption("attempts", opts.attempts ?? 3);
  const stats = { collisions: 0 };
  let reason = "";
  for (let n = 1; n <= attempts; n++) {
    const result = await attempt(chip, stats);
    if (result.kind === "none") {
      return n === 1 ? result : { kind: "failed", reason: `${reason}; then no card answered`, attempts: n };
    }
    await halt(chip);
    if (result.kind === "card") return { ...result, collisions: stats.collisions, attempts: n };
    reason = result.reason;
  }
  return { kind: "failed", reason: `${reason} (${attempts} attempts)`, attempts };
}
