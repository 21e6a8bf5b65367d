/** Pure climate assessment: level against thresholds, and the trend of recent readings. */
import type { Range, Thresholds } from "../config.ts";
import type { Reading } from "./reading.ts";

export type Level = "ok" | "warn" | "critical";
export type Direction = "low" | "high";

export interface Assessment {
  level: Level;
  direction?: Direction;
}

function outside(value: number, r: Range): Direction | undefined {
  if (value < r.min) return "low";
  if (value > r.max) return "high";
  return undefined;
}

export function assess(value: number, t: Thresholds): Assessment {
  const critical = outside(value, t.critical);
  if (critical) return { level: "critical", direction: critical };
  const warn = outside(value, t.warn);
  if (warn) return { level: "warn", direction: warn };
  return { level: "ok" };
}

export type Trend = "rising" | "falling" | "steady" | "unknown";

/**
 * Trend of a quantity over the readings of the last `windowMs` before the newest one:
 * compares the newest value with the oldest one inside the window.
 * `readings` is newest first (as `ReadingRepository.latest` returns them).
 */
export function trendOf(
  readings: readonly Reading[],
  pick: (r: Reading) => number,
  opts: { windowMs: number; epsilon: number },
): Trend {
  const newest = readings[0];
  if (!newest) return "unknown";
  let oldest: Reading | undefined;
  for (const r of readings) {
    if (newest.at - r.at > opts.windowMs) break;
    oldest = r;
  }
  if (!oldest || oldest === newest) return "unknown";
  const delta = pick(newest) - pick(oldest);
  if (delta > opts.epsilon) return "rising";
  if (delta < -opts.epsilon) return "falling";
  return "steady";
}
