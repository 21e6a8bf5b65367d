/**
 * What a doctor check is and what it finds. A check is a small async function over the
 * doctor's context (doctor/context.ts) that returns a status, a one-line finding and, for
 * every warn or fail, a fix hint: the exact command or config line to change.
 *
 *   ok    works as the console needs it
 *   warn  the console runs, but something is missing or worth fixing (it falls back, or
 *         something happened that may happen again)
 *   fail  the console will not work as intended until this is fixed (exit code 1)
 *   skip  does not apply here (HARDWARE=sim, not a Raspberry Pi, not configured), with why
 */
import type { DoctorContext } from "./context.ts";

export type CheckStatus = "ok" | "warn" | "fail" | "skip";

/** What a check's function returns. */
export type Finding =
  | { status: "ok" | "skip"; detail: string; hint?: string }
  | { status: "warn" | "fail"; detail: string; hint: string };

/** One line of the report. */
export interface CheckResult {
  id: string;
  title: string;
  status: CheckStatus;
  detail: string;
  hint?: string;
  /** How long the check took. */
  ms: number;
}

export interface Check {
  /** Stable id for --json, e.g. "clock". */
  id: string;
  /** Shown in the report, e.g. "Clock". */
  title: string;
  /** What a person can run by hand to see what the check sees (said when the check times out). */
  manual: string;
  run(ctx: DoctorContext): Promise<Finding>;
}

export const ok = (detail: string, hint?: string): Finding =>
  hint === undefined ? { status: "ok", detail } : { status: "ok", detail, hint };
export const skip = (detail: string): Finding => ({ status: "skip", detail });
export const warn = (detail: string, hint: string): Finding => ({ status: "warn", detail, hint });
export const fail = (detail: string, hint: string): Finding => ({ status: "fail", detail, hint });

/**
 * A device the console cannot use: with HARDWARE=real it stops at start (fail); with
 * HARDWARE=auto it uses the simulator and says so (warn).
 */
export function unusable(hardware: "auto" | "real" | "sim", detail: string, hint: string): Finding {
  return hardware === "real"
    ? fail(`${detail} (HARDWARE=real: the console will not start)`, hint)
    : warn(`${detail} (HARDWARE=auto: the console simulates it)`, hint);
}

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
