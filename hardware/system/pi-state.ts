/**
 * What the Pi itself says about its health, read from what the kernel and its tools expose
 * (no native code): the board model, whether the system clock is synchronised, and the
 * firmware's under-voltage / throttling flags. Every reader takes a root directory (a fake
 * tree in tests) and a way to run a program (a fake on PATH in tests), and never throws:
 * an answer it cannot get is `undefined` with the reason.
 *
 * (The board itself: board.ts.)
 * - Clock: a Pi has no battery-backed clock; until NTP synchronised it, the time can be
 *   days off, and office hours (which decide what is a breach) are judged on it. Sources, in
 *   order: `timedatectl show -p NTPSynchronized --value` ("yes"/"no"), then systemd-timesyncd's
 *   flag file /run/systemd/timesync/synchronized (exists once synchronised).
 * - Power: the firmware's throttled bits, from /sys/devices/platform/soc/soc:firmware/get_throttled
 *   (newer kernels, hex text) or `vcgencmd get_throttled` ("throttled=0x50005"):
 *   bit 0 under-voltage now, 1 ARM frequency capped now, 2 throttled now, 3 soft temperature
 *   limit now; bits 16-19 the same "has occurred since boot".
 */
import { execFile } from "node:child_process";
import { access, readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type Answer,
  decodeThrottled,
  parseThrottled,
  type SystemHealthReaders,
  type Throttled,
} from "../../core/system/health.ts";

export { decodeThrottled, parseThrottled };

export interface SystemSources {
  /** Where /proc, /sys and /run are (default "/"). */
  root?: string;
  /** Environment for the programs (PATH), default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Per program call (default 3 s). */
  timeoutMs?: number;
}

function run(cmd: string, args: string[], s: SystemSources): Promise<Answer<string>> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env: s.env ?? process.env, timeout: s.timeoutMs ?? 3_000 }, (err, stdout, stderr) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        resolve({
          ok: false,
          reason: code === "ENOENT" ? `${cmd} is not installed` : `${cmd}: ${(stderr || err.message).trim()}`,
        });
      } else resolve({ ok: true, value: stdout });
    });
  });
}

const at = (s: SystemSources, path: string) => join(s.root ?? "/", path);

/** Whether the system clock is synchronised (NTP). */
export async function readClockSynchronised(s: SystemSources = {}): Promise<Answer<boolean>> {
  const t = await run("timedatectl", ["show", "-p", "NTPSynchronized", "--value"], s);
  if (t.ok) {
    const v = t.value.trim();
    if (v === "yes" || v === "no") return { ok: true, value: v === "yes" };
  }
  try {
    await access(at(s, "run/systemd/timesync/synchronized"));
    return { ok: true, value: true };
  } catch {
    // timesyncd writes the flag file when it synchronises; without timedatectl we only know "not yet" if timesyncd runs.
  }
  try {
    await access(at(s, "run/systemd/timesync"));
    return { ok: true, value: false };
  } catch {
    return { ok: false, reason: t.ok ? "timedatectl gave no answer" : t.reason };
  }
}

/** The firmware's throttled flags (a Pi only). */
export async function readThrottled(s: SystemSources = {}): Promise<Answer<Throttled>> {
  try {
    const text = await readFile(at(s, "sys/devices/platform/soc/soc:firmware/get_throttled"), "utf8");
    const bits = parseThrottled(text);
    if (bits !== undefined) return { ok: true, value: decodeThrottled(bits) };
  } catch {
    // Older kernels: ask the firmware through vcgencmd.
  }
  const v = await run("vcgencmd", ["get_throttled"], s);
  if (!v.ok) return v;
  const bits = parseThrottled(v.value);
  return bits === undefined
    ? { ok: false, reason: `vcgencmd get_throttled said "${v.value.trim()}"` }
    : { ok: true, value: decodeThrottled(bits) };
}

/** The readers of this system (or of a fake root and PATH), for the system-health job. */
export function systemHealthReaders(s: SystemSources = {}): SystemHealthReaders {
  return { clockSynchronised: () => readClockSynchronised(s), throttled: () => readThrottled(s) };
}
