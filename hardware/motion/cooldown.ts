/**
 * Re-trigger suppression: pure, shared by the PIR driver, the frame-difference detector
 * and the simulator so all of them space their "motion" events the same way.
 *
 * A movement that starts (a PIR rising edge, a new run of changed frames) is a "motion"
 * event only when at least `cooldownMs` have passed since the last event that was
 * emitted; suppressed movements do not extend the quiet period (it counts from the last
 * event, so a room that stays busy is reported again every `cooldownMs` at the most).
 */
import { nonNegativeOption } from "../options.ts";

/** The default quiet time after a motion event, for every motion driver. */
export const MOTION_COOLDOWN_MS = 30_000;

export interface RetriggerGuard {
  /** Whether a movement starting at `at` (ms) is a new event; records it when it is. */
  allow(at: number): boolean;
  /** Whether a movement at `at` would be allowed (records nothing). */
  wouldAllow(at: number): boolean;
  /** Forgets the last event (the next movement is an event). */
  clear(): void;
}

export function createRetriggerGuard(cooldownMs: number): RetriggerGuard {
  nonNegativeOption("cooldownMs", cooldownMs);
  let last: number | undefined;
  const wouldAllow = (at: number) => last === undefined || at - last >= cooldownMs;
  return {
    allow(at) {
      if (!wouldAllow(at)) return false;
      last = at;
      return true;
    },
    wouldAllow,
    clear() {
      last = undefined;
    },
  };
}
