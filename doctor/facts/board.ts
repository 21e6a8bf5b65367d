/**
 * The board and its OS, read from the files the kernel and the distribution provide (under
 * the doctor's root, so a fake Pi tree can stand in):
 *   /proc/device-tree/model   "Raspberry Pi 4 Model B Rev 1.5\0" (absent on boards without a device tree)
 *   /etc/os-release           PRETTY_NAME, VERSION_ID ("12" Bookworm, "13" Trixie), VERSION_CODENAME
 *   /proc/sys/kernel/osrelease  "6.6.51+rpt-rpi-v8"
 *   /proc/sys/kernel/arch     the kernel's machine ("aarch64", "armv7l"; `uname -m`)
 *   the C library's dynamic loader: /lib/ld-linux-aarch64.so.1 (64-bit userland) or
 *   /lib/ld-linux-armhf.so.3 (32-bit): a Pi with a 64-bit kernel may run a 32-bit OS.
 */
import { access, readFile } from "node:fs/promises";

export type PiFamily = "pi3" | "pi4" | "pi5" | "zero2w" | "other";

export interface OsRelease {
  prettyName?: string;
  versionId?: string;
  codename?: string;
}

export interface Board {
  /** The model string, when there is a device tree. */
  model?: string;
  isPi: boolean;
  family?: PiFamily;
  os: OsRelease;
  kernel?: string;
  /** The kernel's machine, e.g. "aarch64". */
  machine?: string;
  /** The userland's word size, from its dynamic loader; undefined when neither loader is found. */
  userland?: "64-bit" | "32-bit";
}

/** Which supported family a model string belongs to ("other" for a Pi this project does not support). */
export function piFamily(model: string): PiFamily {
  if (/^Raspberry Pi (5|500|Compute Module 5)\b/.test(model)) return "pi5";
  if (/^Raspberry Pi (4|400|Compute Module 4)\b/.test(model)) return "pi4";
  if (/^Raspberry Pi (3|Compute Module 3)\b/.test(model)) return "pi3";
  if (/^Raspberry Pi Zero 2\b/.test(model)) return "zero2w";
  return "other";
}

/** /etc/os-release's KEY=value lines (values optionally quoted). */
export function parseOsRelease(text: string): OsRelease {
  const values = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    values.set(m[1] as string, (m[2] as string).replace(/^(["'])(.*)\1$/, "$2"));
  }
  const os: OsRelease = {};
  const pretty = values.get("PRETTY_NAME");
  if (pretty) os.prettyName = pretty;
  const versionId = values.get("VERSION_ID");
  if (versionId) os.versionId = versionId;
  const codename = values.get("VERSION_CODENAME");
  if (codename) os.codename = codename;
  return os;
}

async function text(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, "latin1")).replace(/\0+$/, "").trim();
  } catch {
    return undefined;
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Reads the board facts; `at` maps a system path to where it is under the doctor's root. */
export async function readBoard(at: (path: string) => string): Promise<Board> {
  const [model, osText, kernel, machine, loader64, loader32] = await Promise.all([
    text(at("/proc/device-tree/model")),
    text(at("/etc/os-release")),
    text(at("/proc/sys/kernel/osrelease")),
    text(at("/proc/sys/kernel/arch")),
    exists(at("/lib/ld-linux-aarch64.so.1")),
    exists(at("/lib/ld-linux-armhf.so.3")),
  ]);
  const isPi = model !== undefined && /^Raspberry Pi\b/.test(model);
  const board: Board = { isPi, os: osText ? parseOsRelease(osText) : {} };
  if (model) board.model = model;
  if (isPi && model) board.family = piFamily(model);
  if (kernel) board.kernel = kernel;
  if (machine) board.machine = machine;
  if (loader64) board.userland = "64-bit";
  else if (loader32) board.userland = "32-bit";
  return board;
}
