/** What the bench reads of another process from /proc (Linux): its memory and its CPU time. */
import { readFileSync } from "node:fs";

/** Clock ticks per second of /proc/PID/stat's times (USER_HZ; 100 on Linux). */
export const CLK_TCK = 100;

/** The Vm* and Threads lines of /proc/PID/status (values in kB, Threads a count). */
export function procStatus(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of readFileSync(`/proc/${pid}/status`, "utf8").split("\n")) {
    const m = /^(Vm\w+|Threads):\s+(\d+)/.exec(line);
    if (m?.[1]) out[m[1]] = Number(m[2]);
  }
  return out;
}

/** Resident memory in bytes (NaN when /proc does not say). */
export function rssOf(pid: number): number {
  return (procStatus(pid).VmRSS ?? Number.NaN) * 1024;
}

/**
 * CPU time in clock ticks: utime + stime, and with `children` (the default) also cutime +
 * cstime (children it has waited for).
 */
export function cpuTicks(pid: number, { children = true } = {}): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (children ? [11, 12, 13, 14] : [11, 12]).reduce((sum, i) => sum + Number(fields[i]), 0);
}
