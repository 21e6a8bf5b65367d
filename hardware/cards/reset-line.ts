/**
 * The MFRC522's RST line (NRSTPD, "not reset and power-down"): held low, the chip is off;
 * released high, it starts from its power-on state. A pulse low is the hard reset the
 * watchdog uses when a soft reset is not enough. Without rpio (which cannot drive a Pi 5),
 * the line is driven through the GPIO character device's own tools, libgpiod's `gpioset`
 * (Debian package `gpiod`), whose syntax changed between libgpiod v1 (Bookworm) and v2
 * (Trixie):
 *
 *   v1: gpiofind GPIO25                                 -> "gpiochip0 25" (chip, offset)
 *       gpioset --mode=time --usec=50000 gpiochip0 25=0  (low for 50 ms, then exits)
 *       gpioset gpiochip0 25=1                           (high; exits at once)
 *   v2: gpioset --toggle 50ms,0 GPIO25=0                 (low, toggled high after 50 ms;
 *                                                         a last period of 0 exits)
 *
 * Lines are found by name (GPIO25 is named so on every Pi's header, the Pi 5 included,
 * whichever gpiochip it sits on). After gpioset exits the kernel no longer promises the
 * level, but the line was last driven high and RC522 modules pull RST up themselves, so
 * the chip runs. No pin: the driver resets the chip with SoftReset only.
 */
import { execFile } from "node:child_process";
import { codeOf, messageOf } from "../errors.ts";

export interface ResetLine {
  /** For people: "GPIO 25 via gpioset". */
  readonly description: string;
  /** A hard reset: RST low for a moment, then high. Rejects with a message that says what is missing. */
  pulse(): Promise<void>;
}

/** Runs a program; resolves with its output, rejects when it cannot start or exits non-zero. */
export type CommandRunner = (command: string, args: readonly string[]) => Promise<{ stdout: string; stderr: string }>;

export interface GpiosetResetLineOptions {
  /** BCM GPIO number of the RST line. */
  bcm: number;
  /** How long RST is held low (default 50 ms, as mfrc522-rpi does). */
  lowMs?: number;
  /** Runs gpioset/gpiofind; injectable for tests (default: execFile with a 5 s timeout). */
  run?: CommandRunner;
  /** Environment of the default runner (tests put fake programs first on PATH). */
  env?: NodeJS.ProcessEnv;
}

const GPIOD_HINT = "install libgpiod's tools (`sudo apt install gpiod`) and add the user to the gpio group";

function execRunner(env: NodeJS.ProcessEnv | undefined): CommandRunner {
  return (command, args) =>
    new Promise((resolve, reject) => {
      execFile(command, [...args], { timeout: 5000, env: env ?? process.env }, (err, stdout, stderr) => {
        if (err) reject(Object.assign(err, { stderr: String(stderr) }));
        else resolve({ stdout: String(stdout), stderr: String(stderr) });
      });
    });
}

/** libgpiod's major version from `gpioset --version` ("gpioset (libgpiod) v1.6.3", "gpioset (libgpiod) v2.1.3"). */
export function gpiodMajorVersion(versionText: string): number | undefined {
  const m = /libgpiod\)?\s+v(\d+)\./.exec(versionText) ?? /\bv(\d+)\.\d+/.exec(versionText);
  return m ? Number(m[1]) : undefined;
}

function failure(what: string, e: unknown): Error {
  if (codeOf(e) === "ENOENT") return new Error(`${what}: gpioset is not installed; ${GPIOD_HINT}`, { cause: e });
  const stderr = String((e as { stderr?: unknown } | null)?.stderr ?? "").trim();
  return new Error(`${what}: ${stderr || messageOf(e)}; ${GPIOD_HINT}`, { cause: e });
}

/** The RST line on BCM GPIO `bcm`, pulsed with gpioset (libgpiod v1 or v2, found out on first use). */
export function createGpiosetResetLine(opts: GpiosetResetLineOptions): ResetLine {
  const { bcm } = opts;
  if (!Number.isInteger(bcm) || bcm < 0 || bcm > 27)
    throw new RangeError(`the reset pin must be a BCM GPIO 0..27, got ${bcm}`);
  const lowMs = opts.lowMs ?? 50;
  if (!Number.isInteger(lowMs) || lowMs < 1 || lowMs > 1000)
    throw new RangeError(`lowMs must be 1..1000, got ${lowMs}`);
  const run = opts.run ?? execRunner(opts.env);
  const name = `GPIO${bcm}`;
  const what = `hard reset on GPIO ${bcm}`;
  let major: Promise<number> | undefined;

  async function detect(): Promise<number> {
    let text: string;
    try {
      const out = await run("gpioset", ["--version"]);
      text = `${out.stdout}\n${out.stderr}`;
    } catch (e) {
      throw failure(what, e);
    }
    const version = gpiodMajorVersion(text);
    if (version !== 1 && version !== 2) {
      throw new Error(
        `${what}: cannot tell libgpiod's version from \`gpioset --version\` (${text.trim().split("\n")[0]})`,
      );
    }
    return version;
  }

  return {
    description: `GPIO ${bcm} via gpioset`,
    async pulse() {
      major ??= detect();
      let version: number;
      try {
        version = await major;
      } catch (e) {
        major = undefined; // installed later: try again next time
        throw e;
      }
      try {
        if (version === 2) {
          await run("gpioset", ["--toggle", `${lowMs}ms,0`, `${name}=0`]);
          return;
        }
        const found = (await run("gpiofind", [name])).stdout.trim().split(/\s+/);
        const [chip, offset] = found;
        if (!chip || !offset || !/^\d+$/.test(offset)) throw new Error(`gpiofind ${name} printed "${found.join(" ")}"`);
        await run("gpioset", ["--mode=time", `--usec=${lowMs * 1000}`, chip, `${offset}=0`]);
        await run("gpioset", [chip, `${offset}=1`]);
      } catch (e) {
        throw failure(what, e);
      }
    },
  };
}
