/**
 * Free space of a file system, and how low is too low (DATA_DIR on an SD card fills up):
 * below the warning share a warning, below the critical share (or under an absolute floor)
 * critical. Pure; the storage watch (jobs/) measures and the doctor judges with the same rule.
 */
import type { Severity } from "../alerts/types.ts";

export interface DiskSpace {
  /** Bytes available to the console's user. */
  free: number;
  /** Size of the file system. */
  size: number;
}

export interface DiskThresholds {
  warnFreePct: number;
  criticalFreePct: number;
  criticalFreeBytes: number;
}

/** "1.2 GB", "350 MB". */
export function formatBytes(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GB` : `${Math.round(bytes / 1024 ** 2)} MB`;
}

/** The level of a measurement: undefined when there is enough space. */
export function judgeSpace(space: DiskSpace, t: DiskThresholds): Severity | undefined {
  const pct = space.size > 0 ? (space.free / space.size) * 100 : 100;
  if (pct < t.criticalFreePct || space.free < t.criticalFreeBytes) return "critical";
  if (pct < t.warnFreePct) return "warning";
  return undefined;
}
