/**
 * libgpiod's command-line tools (package `gpiod`), as the "pir-gpiod" motion driver uses
 * them: what they print and how they are called, in both generations. Pure parsers and
 * argument builders, plus one small runner for the short-lived tools.
 *
 * Facts from the tools' sources (libgpiod 1.6 tools/gpiomon.c, gpiodetect.c, gpioget.c;
 * libgpiod 2.x tools/gpiomon.c, tools-common.c):
 * - `--version` prints "gpiomon (libgpiod) v1.6.3" (v1, Raspberry Pi OS Bookworm) or
 *   "gpiomon (libgpiod) v2.2.1" (v2, Trixie), then copyright lines; newer tools print
 *   their own version and the library's: "gpiomon v2.3.2 (libgpiod v2.2.1)".
 * - gpiodetect prints one line per chip in both: "gpiochip0 [pinctrl-bcm2711] (58 lines)".
 *   A chip it may not open: v1 prints "gpiochip0 Permission denied" on stdout; v2 prints
 *   "gpiodetect: unable to open chip '/dev/gpiochip0': Permission denied" on stderr.
 * - v1 syntax: `gpiomon [OPTIONS] <chip> <offset>...`; both edges unless -r/-f alone;
 *   `-b/--line-buffered` makes stdout line buffered (without it a pipe is block buffered
 *   and events arrive in 4 KiB lumps); SIGTERM/SIGINT make it exit 0. Default output:
 *   "event:  RISING EDGE offset: 17 timestamp: [    1234.567890123]" ("FALLING EDGE").
 *   -F formats: %o offset, %e 1 rising / 0 falling, %s, %n.
 * - v2 syntax: `gpiomon [OPTIONS] <line>...`, lines by name ("GPIO17") or, with
 *   `-c/--chip`, by offset; `-e/--edges rising|falling|both` (default both); `-b` is now
 *   the bias (!); `--banner` prints "Monitoring line '17'..." once the line is requested;
 *   stdout is flushed before every wait, so no buffering option is needed; SIGTERM kills
 *   it (no handler). Default output: "<seconds>.<ns>\trising\t<line id>", the line id being
 *   "gpiochip0 17" (unnamed line), "gpiochip0 17 \"GPIO17\"" (named, with --chip) or
 *   "\"GPIO17\"" (by name); with --utc/--localtime the time is "2024-01-02T03:04:05.123456789Z".
 *   -F formats: %o, %l line name, %c chip, %e 1 rising / 2 falling, %E "rising"/"falling",
 *   %S, %U, %L.
 * - gpioget: v1 `gpioget <chip> <offset>` prints "0" or "1"; v2 `gpioget --numeric -c <chip>
 *   <offset>` prints "0" or "1" (without --numeric: "\"17\"=inactive").
 */
import { spawn } from "node:child_process";

/** apt's package name for the tools on Raspberry Pi OS and Debian. */
export const GPIOD_INSTALL_HINT =
  "Install libgpiod's tools with `sudo apt install gpiod`, and run the console as a user in the gpio group " +
  "(`sudo usermod -aG gpio $USER`, then log in again).";

export const GPIO_GROUP_HINT =
  "Add this user to the gpio group (`sudo usermod -aG gpio $USER`, then log in again): /dev/gpiochip* " +
  "belongs to root:gpio on Raspberry Pi OS.";

export interface GpiodVersion {
  major: number;
  minor: number;
  patch: number;
  /** As printed, e.g. "v1.6.3". */
  text: string;
}

/** The version in `gpiomon --version` (or any tool's); undefined when there is none. */
export function parseGpiodVersion(output: string): GpiodVersion | undefined {
  // "gpiomon (libgpiod) v2.2.1" (the library's version is the tools'), or, from newer tools,
  // "gpiomon v2.3.2 (libgpiod v2.2.1)": the tool's own version, whose syntax is what counts.
  const m =
    /\(libgpiod\)\s+(v?(\d+)\.(\d+)(?:\.(\d+))?[^\s]*)/.exec(output) ??
    /^\S+\s+(v(\d+)\.(\d+)(?:\.(\d+))?[^\s]*)\s+\(libgpiod\b/m.exec(output);
  if (!m) return undefined;
  return {
    major: Number(m[2]),
    minor: Number(m[3]),
    patch: m[4] === undefined ? 0 : Number(m[4]),
    text: m[1]?.startsWith("v") ? (m[1] as string) : `v${m[1]}`,
  };
}

export interface GpioChipInfo {
  /** "gpiochip0" */
  name: string;
  /** "pinctrl-bcm2711" */
  label: string;
  lines: number;
}

export interface GpiodetectResult {
  chips: GpioChipInfo[];
  /** Chips the tool could not open (permission). */
  denied: string[];
}

/** gpiodetect's output (both versions): the chips, and the ones it could not open. */
export function parseGpiodetect(stdout: string, stderr = ""): GpiodetectResult {
  const chips: GpioChipInfo[] = [];
  const denied: string[] = [];
  for (const line of stdout.split("\n")) {
    const chip = /^(\S+) \[(.*)\] \((\d+) lines\)\s*$/.exec(line);
    if (chip) {
      chips.push({ name: chip[1] as string, label: chip[2] as string, lines: Number(chip[3]) });
      continue;
    }
    const v1Denied = /^(gpiochip\d+) Permission denied\s*$/.exec(line);
    if (v1Denied) denied.push(v1Denied[1] as string);
  }
  for (const line of stderr.split("\n")) {
    const v2Denied = /unable to open chip '(?:\/dev\/)?([^']+)': Permission denied/.exec(line);
    if (v2Denied) denied.push(v2Denied[1] as string);
  }
  return { chips, denied };
}

/**
 * Labels of the chip that drives the 40-pin header, best first: Pi 5 (RP1: gpiochip4 on its
 * first kernels, gpiochip0 since), Pi 4 / 400 / CM4, Pi 1-3 / Zero / Zero 2 W. On every one
 * of them the line offset on that chip is the BCM GPIO number.
 */
export const HEADER_CHIP_LABELS = ["pinctrl-rp1", "pinctrl-bcm2711", "pinctrl-bcm2835"] as const;

/** The header's chip among `chips`, by label; undefined on other boards. */
export function pickHeaderChip(chips: readonly GpioChipInfo[]): GpioChipInfo | undefined {
  for (const label of HEADER_CHIP_LABELS) {
    const chip = chips.find((c) => c.label === label);
    if (chip) return chip;
  }
  return undefined;
}

/** gpiomon's arguments to watch both edges of `offset` on `chip`, for this tool generation. */
export function gpiomonArgs(version: GpiodVersion, chip: string, offset: number): string[] {
  if (version.major < 2) return ["--line-buffered", chip, String(offset)];
  return ["--banner", "--chip", chip, "--edges", "both", String(offset)];
}

/** gpioget's arguments to read `offset` on `chip` as "0"/"1". */
export function gpiogetArgs(version: GpiodVersion, chip: string, offset: number): string[] {
  if (version.major < 2) return [chip, String(offset)];
  return ["--numeric", "--chip", chip, String(offset)];
}

/** gpioget's value: 0, 1, or undefined when it printed something else. */
export function parseGpioget(stdout: string): 0 | 1 | undefined {
  const first = stdout.trim().split(/\s+/)[0];
  if (first === "0" || first === "inactive" || /=inactive$/.test(first ?? "")) return 0;
  if (first === "1" || first === "active" || /=active$/.test(first ?? "")) return 1;
  return undefined;
}

export type GpiomonLine =
  | { kind: "edge"; edge: "rising" | "falling" }
  /** v2's --banner: the line is requested, events will follow. */
  | { kind: "banner" };

/**
 * One line of gpiomon's output: an edge (v1 "event:  RISING EDGE offset: 17 ...", v2
 * "1234.5\trising\tgpiochip0 17", or a --format with %E), v2's banner, or undefined for
 * anything else. The first word that names an edge counts, so a line name after it (v2
 * quotes names) cannot be mistaken for one.
 */
export function parseGpiomonLine(line: string): GpiomonLine | undefined {
  if (/^Monitoring lines? /.test(line)) return { kind: "banner" };
  for (const word of line.split(/[\s\t]+/)) {
    const w = word.toLowerCase();
    if (w === "rising" || w === "falling") return { kind: "edge", edge: w };
  }
  return undefined;
}

export interface ToolResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunToolOptions {
  env?: NodeJS.ProcessEnv;
  /** Killed after this long (default 5 s). */
  timeoutMs?: number;
}

/**
 * Runs a short-lived tool and collects its output. Rejects only when it cannot be started
 * (the spawn error: code ENOENT when it is not on PATH, EACCES when not executable).
 */
export function runTool(command: string, args: readonly string[], opts: RunToolOptions = {}): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: opts.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
      timeout: opts.timeoutMs ?? 5000,
      killSignal: "SIGKILL",
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      if (stdout.length < 65_536) stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      if (stderr.length < 65_536) stderr += chunk;
    });
    child.once("error", reject);
    child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** The last non-empty line of a tool's stderr, for messages. */
export function lastLine(text: string): string | undefined {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  return lines[lines.length - 1];
}
