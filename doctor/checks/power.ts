/**
 * Under-voltage and throttling, from the firmware's throttled bits: the kernel's
 * /sys/devices/platform/soc/soc:firmware/get_throttled (hex, e.g. "50000") where it exists,
 * else `vcgencmd get_throttled` ("throttled=0x50000").
 *   0x1 under-voltage now     0x2 ARM frequency capped now   0x4 throttled now   0x8 soft temperature limit now
 *   0x10000 .. 0x80000: the same, has occurred since boot
 * Something happening now is a fail; something that happened since boot, a warning. A Pi
 * short of power corrupts SD cards and drops USB devices.
 */
import { readFile } from "node:fs/promises";
import { type Check, fail, ok, skip, warn } from "../check.ts";
import type { PiFamily } from "../facts/board.ts";
import { lastLine } from "../programs.ts";

const SYSFS = "/sys/devices/platform/soc/soc:firmware/get_throttled";

const BITS = [
  { bit: 0, what: "under-voltage", kind: "power" },
  { bit: 1, what: "ARM frequency capped", kind: "either" },
  { bit: 2, what: "throttled", kind: "either" },
  { bit: 3, what: "soft temperature limit", kind: "heat" },
] as const;

export interface Throttled {
  now: string[];
  past: string[];
  power: boolean;
  heat: boolean;
}

export function decodeThrottled(value: number): Throttled {
  const t: Throttled = { now: [], past: [], power: false, heat: false };
  for (const { bit, what, kind } of BITS) {
    const now = (value & (1 << bit)) !== 0;
    const past = (value & (1 << (bit + 16))) !== 0;
    if (now) t.now.push(what);
    if (past) t.past.push(what);
    if ((now || past) && kind === "power") t.power = true;
    if ((now || past) && kind === "heat") t.heat = true;
  }
  return t;
}

const SUPPLY: Record<PiFamily, string> = {
  pi5: "the official 27 W USB-C supply (5.1 V, 5 A)",
  pi4: "the official 15.3 W USB-C supply (5.1 V, 3 A)",
  pi3: "the official 12.5 W micro-USB supply (5.1 V, 2.5 A)",
  zero2w: "the official 12.5 W micro-USB supply (5.1 V, 2.5 A)",
  other: "the official Raspberry Pi supply for this model",
};

async function readThrottled(
  ctx: Parameters<Check["run"]>[0],
): Promise<{ value: number; source: string } | { error: string }> {
  try {
    const text = (await readFile(ctx.at(SYSFS), "latin1")).trim();
    if (/^[0-9a-f]+$/i.test(text)) return { value: Number.parseInt(text, 16), source: SYSFS };
  } catch {
    // not on this kernel: ask the firmware
  }
  const r = await ctx.run("vcgencmd", ["get_throttled"]);
  if (!r.found) return { error: "vcgencmd is not installed" };
  const m = /throttled=(0x[0-9a-f]+)/i.exec(r.stdout);
  if (r.code === 0 && m) return { value: Number.parseInt(m[1] as string, 16), source: "vcgencmd get_throttled" };
  return { error: `vcgencmd get_throttled: ${lastLine(r.stderr) ?? lastLine(r.stdout) ?? `exit ${r.code}`}` };
}

export const powerCheck: Check = {
  id: "power",
  title: "Power and throttling",
  manual: "vcgencmd get_throttled",
  async run(ctx) {
    const board = await ctx.board();
    if (!board.isPi) return skip("not a Raspberry Pi: no firmware to ask");
    const read = await readThrottled(ctx);
    if ("error" in read) {
      return warn(
        `cannot read the throttled flags (${read.error})`,
        "`sudo apt install raspi-utils` for vcgencmd, and add the user to the video group (`sudo usermod -aG video $USER`)",
      );
    }
    const hex = `0x${read.value.toString(16)}`;
    const t = decodeThrottled(read.value);
    if (t.now.length === 0 && t.past.length === 0) return ok(`no under-voltage or throttling since boot (${hex})`);
    const fixes = [
      ...(t.power
        ? [`use ${SUPPLY[board.family ?? "other"]} and a short, thick cable; power USB disks separately`]
        : []),
      ...(t.heat
        ? ["cool it: a heatsink or fan (the Active Cooler on a Pi 5); `vcgencmd measure_temp` shows the temperature"]
        : []),
      ...(!t.power && !t.heat ? [`check the supply (${SUPPLY[board.family ?? "other"]}) and the cooling`] : []),
    ].join("; ");
    const said = [
      ...(t.now.length ? [`now: ${t.now.join(", ")}`] : []),
      ...(t.past.length ? [`since boot: ${t.past.join(", ")}`] : []),
    ].join("; ");
    const finding = `${said} (${hex}, ${read.source})`;
    return t.now.length > 0 ? fail(finding, fixes) : warn(`${finding}: it may happen again`, fixes);
  },
};
