/**
 * The PIR motion sensor over the GPIO character device (/dev/gpiochipN), through libgpiod's
 * own tools: `gpiomon` watches the PIR's line and prints every edge; this driver spawns it,
 * reads its output and turns rising edges into "motion" events. It works on every Raspberry
 * Pi from the 1 to the 5 and on Raspberry Pi OS Bookworm (libgpiod 1.6 tools) and Trixie
 * (libgpiod 2.x tools, another syntax: see gpiod-tools.ts), with no native Node.js addon.
 *
 * start():
 * 1. `gpiomon --version` tells the tools' generation (missing: rejects, naming
 *    `sudo apt install gpiod`);
 * 2. `gpiodetect` lists the chips; the header's chip is found by its label (pinctrl-rp1 on a
 *    Pi 5, gpiochip4 or gpiochip0 depending on the kernel; pinctrl-bcm2711 on a Pi 4;
 *    pinctrl-bcm2835 on a Pi 1-3 and Zero), unless `chip` names it; the line offset is the
 *    BCM number;
 * 3. `gpioget` reads the line once, so a line that cannot be requested (busy, no permission)
 *    rejects start() with the reason instead of failing later;
 * 4. `gpiomon` is spawned in its own process group, watching both edges.
 *
 * Behaviour: a rising edge is a "motion" event (source "pir"), subject to the cooldown
 * (cooldown.ts) exactly as the onoff driver; falling edges are never events; a line already
 * high at start() is not an event (there is no edge). gpiomon exiting (crash, killed, chip
 * gone) is restarted after a bounded backoff (`restartDelaysMs`); after `deadAfter` exits in
 * a row that each came before it was running (v2's banner, an edge, or `stableMs` alive),
 * "dead" is emitted once, with gpiomon's last stderr line and a hint; when a later gpiomon
 * runs again, "alive". stop() kills the process group (SIGTERM, then SIGKILL after
 * `stopGraceMs`) and waits until its output is closed, so no gpiomon is left holding the
 * line. Nothing thrown by the listener escapes.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { type Clock, systemClock } from "../../core/clock.ts";
import type { MotionEvent, MotionSensor } from "../../core/motion/sensor.ts";
import { codeOf, messageOf } from "../errors.ts";
import { countOption, headerGpioOption, nonNegativeOption } from "../options.ts";
import { createDeviceSessions, type DeviceSession, type PollTimers, systemTimers } from "../polling.ts";
import { createRetriggerGuard, MOTION_COOLDOWN_MS } from "./cooldown.ts";
import {
  GPIO_GROUP_HINT,
  GPIOD_INSTALL_HINT,
  type GpioChipInfo,
  type GpiodVersion,
  gpiogetArgs,
  gpiomonArgs,
  HEADER_CHIP_LABELS,
  lastLine,
  parseGpiodetect,
  parseGpiodVersion,
  parseGpioget,
  parseGpiomonLine,
  pickHeaderChip,
  runTool,
} from "./gpiod-tools.ts";

export interface GpiodPirOptions {
  /** BCM GPIO number of the PIR's output (0..27, e.g. 17 = physical pin 11): the line offset on the header's chip. */
  pin: number;
  /** The GPIO chip ("gpiochip0"), or "auto" (default): the header's chip found by label with gpiodetect. */
  chip?: string;
  /** A rising edge within this time of the last event is not a new one (default 30 s). */
  cooldownMs?: number;
  /** Environment of the tools (PATH finds them; default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Waits before restarting gpiomon after an exit, by attempt; the last repeats (default 1, 2, 5, 10, 30 s). */
  restartDelaysMs?: readonly number[];
  /** Exits in a row before gpiomon was running that make the sensor "dead" (default 3). */
  deadAfter?: number;
  /** A gpiomon alive this long is running, even without a banner or an edge (default 10 s). */
  stableMs?: number;
  /** Time between SIGTERM and SIGKILL on stop() (default 2 s). */
  stopGraceMs?: number;
  /** Time of events and of the cooldown (default: the system clock). */
  clock?: Clock;
  /** Restart, stable and stop timers (default: the real ones). */
  timers?: PollTimers;
}

export const PIR_GPIOD_DEFAULTS = {
  chip: "auto",
  cooldownMs: MOTION_COOLDOWN_MS,
  restartDelaysMs: [1000, 2000, 5000, 10_000, 30_000],
  deadAfter: 3,
  stableMs: 10_000,
  stopGraceMs: 2000,
} as const;

interface Resolved {
  pin: number;
  chip: string;
  cooldownMs: number;
  env: NodeJS.ProcessEnv;
  restartDelaysMs: readonly number[];
  deadAfter: number;
  stableMs: number;
  stopGraceMs: number;
  clock: Clock;
  timers: PollTimers;
  where: string;
}

function resolveOptions(opts: GpiodPirOptions): Resolved {
  const pin = headerGpioOption("pin", opts.pin);
  const chip = opts.chip ?? PIR_GPIOD_DEFAULTS.chip;
  if (chip !== "auto" && !/^(\/dev\/)?gpiochip\d+$|^\d+$/.test(chip)) {
    throw new RangeError(`chip must be "auto" or a GPIO chip such as gpiochip0, got "${chip}"`);
  }
  const cooldownMs = nonNegativeOption("cooldownMs", opts.cooldownMs ?? PIR_GPIOD_DEFAULTS.cooldownMs);
  const restartDelaysMs = opts.restartDelaysMs ?? PIR_GPIOD_DEFAULTS.restartDelaysMs;
  if (restartDelaysMs.length === 0 || restartDelaysMs.some((d) => !Number.isFinite(d) || d < 0)) {
    throw new RangeError("restartDelaysMs must be a non-empty list of delays >= 0");
  }
  const deadAfter = countOption("deadAfter", opts.deadAfter ?? PIR_GPIOD_DEFAULTS.deadAfter);
  const stableMs = opts.stableMs ?? PIR_GPIOD_DEFAULTS.stableMs;
  const stopGraceMs = opts.stopGraceMs ?? PIR_GPIOD_DEFAULTS.stopGraceMs;
  for (const [name, v] of [
    ["stableMs", stableMs],
    ["stopGraceMs", stopGraceMs],
  ] as const) {
    if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`${name} must be > 0, got ${v}`);
  }
  return {
    pin,
    chip: chip.replace(/^\/dev\//, ""),
    cooldownMs,
    env: opts.env ?? process.env,
    restartDelaysMs,
    deadAfter,
    stableMs,
    stopGraceMs,
    clock: opts.clock ?? systemClock,
    timers: opts.timers ?? systemTimers,
    where: `PIR on GPIO ${pin}`,
  };
}

/** What a tool's complaint means for the person at the Pi. */
function hintFor(stderr: string): string {
  if (/Permission denied|Operation not permitted/i.test(stderr)) return GPIO_GROUP_HINT;
  if (/Device or resource busy/i.test(stderr)) {
    return (
      "Another program holds the line: `gpioinfo` shows its consumer (a gpiomon left by an earlier run: " +
      "`pkill -x gpiomon`; an overlay in /boot/firmware/config.txt: remove it), or wire the PIR to a free pin."
    );
  }
  if (/cannot find GPIO chip|No such file or directory|out of range|cannot find line/i.test(stderr)) {
    return "Check the chip and the pin (`gpiodetect`, `gpioinfo`); set MOTION_PIR_CHIP to the chip of the 40-pin header.";
  }
  return "Run the command by hand to see why; `gpioinfo` lists the lines and who uses them.";
}

/** Where the tools were found and what they are: the result of the start-up checks. */
export interface GpiodSetup {
  version: GpiodVersion;
  chip: string;
  /** The chip's label, when gpiodetect listed it. */
  chipLabel?: string;
  /** How the chip was chosen, for messages. */
  chipSource: string;
}

async function tool(o: Resolved, command: string, args: string[]) {
  try {
    return await runTool(command, args, { env: o.env });
  } catch (e) {
    if (codeOf(e) === "ENOENT") {
      throw new Error(
        `${o.where}: ${command} was not found (libgpiod's tools are not installed). ${GPIOD_INSTALL_HINT}`,
        {
          cause: e,
        },
      );
    }
    throw new Error(`${o.where}: ${command} could not be run (${messageOf(e)}). ${GPIOD_INSTALL_HINT}`, { cause: e });
  }
}

/** Steps 1 and 2 of start(): the tools' version and the chip. Rejects with what to do. */
async function inspect(o: Resolved): Promise<GpiodSetup> {
  const v = await tool(o, "gpiomon", ["--version"]);
  const version = parseGpiodVersion(v.stdout);
  if (!version) {
    throw new Error(
      `${o.where}: \`gpiomon --version\` printed no libgpiod version (${lastLine(v.stdout + v.stderr) ?? `exit ${v.code}`}). ` +
        GPIOD_INSTALL_HINT,
    );
  }
  const detect = await tool(o, "gpiodetect", []);
  const { chips, denied } = parseGpiodetect(detect.stdout, detect.stderr);
  const listed = (name: string) => chips.find((c) => c.name === name);
  let chip: GpioChipInfo | undefined;
  let chipSource: string;
  if (o.chip !== "auto") {
    chip = listed(o.chip);
    chipSource = `chip ${o.chip} as configured`;
    if (!chip && chips.length > 0) {
      throw new Error(
        `${o.where}: there is no GPIO chip ${o.chip}; gpiodetect lists ${describeChips(chips)}. Set MOTION_PIR_CHIP=auto ` +
          "or to one of them.",
      );
    }
  } else {
    chip = pickHeaderChip(chips);
    if (!chip) {
      if (denied.length > 0) {
        throw new Error(
          `${o.where}: gpiodetect may not open ${denied.join(", ")} (permission denied). ${GPIO_GROUP_HINT}`,
        );
      }
      throw new Error(
        `${o.where}: no Raspberry Pi GPIO chip (${HEADER_CHIP_LABELS.join(", ")}) among ` +
          `${chips.length ? describeChips(chips) : "the chips gpiodetect lists (none)"}: not a Raspberry Pi? ` +
          "Set MOTION_PIR_CHIP to the chip the PIR is wired to.",
      );
    }
    chipSource = `${chip.name} [${chip.label}] found by its label`;
  }
  if (chip && o.pin >= chip.lines) {
    throw new Error(`${o.where}: ${chip.name} [${chip.label}] has only ${chip.lines} lines.`);
  }
  return {
    version,
    chip: chip?.name ?? o.chip,
    ...(chip ? { chipLabel: chip.label } : {}),
    chipSource,
  };
}

function describeChips(chips: readonly GpioChipInfo[]): string {
  return chips.map((c) => `${c.name} [${c.label}]`).join(", ");
}

/** Step 3: the line's level with gpioget; rejects with the tool's complaint and a hint. */
async function readLevel(o: Resolved, setup: GpiodSetup): Promise<0 | 1> {
  const r = await tool(o, "gpioget", gpiogetArgs(setup.version, setup.chip, o.pin));
  const level = r.code === 0 ? parseGpioget(r.stdout) : undefined;
  if (level === undefined) {
    const said = lastLine(r.stderr) ?? lastLine(r.stdout) ?? (r.signal ? `killed by ${r.signal}` : `exit ${r.code}`);
    throw new Error(`${o.where}: gpioget cannot read line ${o.pin} of ${setup.chip} (${said}). ${hintFor(r.stderr)}`);
  }
  return level;
}

export type PirGpiodProbe =
  | {
      available: true;
      /** libgpiod tools' version, e.g. "v2.2.1". */
      version: string;
      chip: string;
      chipLabel?: string;
      line: number;
      /** The level gpioget read. */
      level: 0 | 1;
    }
  | { available: false; reason: string };

/**
 * The checks start() makes, without watching: the tools and their version, the chip, and
 * the line read once with gpioget. For start-up selection and `npm run doctor`. Never rejects.
 */
export async function probePirGpiod(pin: number, opts: Omit<GpiodPirOptions, "pin"> = {}): Promise<PirGpiodProbe> {
  try {
    const o = resolveOptions({ ...opts, pin });
    const setup = await inspect(o);
    const level = await readLevel(o, setup);
    return {
      available: true,
      version: setup.version.text,
      chip: setup.chip,
      ...(setup.chipLabel ? { chipLabel: setup.chipLabel } : {}),
      line: pin,
      level,
    };
  } catch (e) {
    return { available: false, reason: messageOf(e) };
  }
}

interface Run {
  child: ChildProcess;
  running: boolean;
  stderr: string;
  closed: Promise<void>;
  done: boolean;
  stableTimer?: unknown;
}

/** One session's watch: what start() found, and the gpiomon running now. */
interface Watch {
  session: DeviceSession<MotionEvent>;
  setup?: GpiodSetup;
  run?: Run;
  restartTimer?: unknown;
  /** Restarts since gpiomon last ran; indexes restartDelaysMs. */
  attempt: number;
}

export interface GpiodPirMotionSensor extends MotionSensor {
  readonly driver: "pir-gpiod";
  /** The pid of the gpiomon watching now (its process group), if one runs. */
  readonly monitorPid: number | undefined;
  /** What start() found (tools' version, chip), once started. */
  readonly setup: GpiodSetup | undefined;
}

/**
 * Creates the PIR sensor over libgpiod's tools. Does no I/O: start() runs the tools. Options
 * are checked here (RangeError). Can be started again after stop().
 */
export function createGpiodPirMotionSensor(opts: GpiodPirOptions): GpiodPirMotionSensor {
  const o = resolveOptions(opts);
  const guard = createRetriggerGuard(o.cooldownMs);
  const now = () => o.clock.now().getTime();

  function running(w: Watch, run: Run): void {
    if (!w.session.active || w.run !== run || run.running) return;
    run.running = true;
    if (run.stableTimer !== undefined) o.timers.clearTimeout(run.stableTimer);
    run.stableTimer = undefined;
    w.attempt = 0;
    w.session.answered(now());
  }

  function onLine(w: Watch, run: Run, line: string): void {
    if (!w.session.active || w.run !== run) return;
    const parsed = parseGpiomonLine(line);
    if (!parsed) return;
    running(w, run);
    if (parsed.kind !== "edge" || parsed.edge !== "rising") return;
    const at = now();
    if (guard.allow(at)) w.session.emit({ type: "motion", at, source: "pir" });
  }

  function onExit(w: Watch, run: Run, how: string): void {
    if (run.stableTimer !== undefined) o.timers.clearTimeout(run.stableTimer);
    run.stableTimer = undefined;
    const s = w.session;
    if (!s.active || w.run !== run) return;
    w.run = undefined;
    // an exit after gpiomon ran is no failure: the count started again when it ran
    if (!run.running) s.failed(now());
    if (!run.running && s.failures >= o.deadAfter) {
      const said = lastLine(run.stderr);
      s.giveUp(
        now(),
        `${o.where}: gpiomon keeps exiting (${how}${said ? `: ${said}` : ""}); restarting it with a backoff. ` +
          hintFor(run.stderr),
      );
    }
    const delay = o.restartDelaysMs[Math.min(w.attempt, o.restartDelaysMs.length - 1)] as number;
    w.attempt++;
    w.restartTimer = o.timers.setTimeout(() => {
      w.restartTimer = undefined;
      if (s.active && !w.run) monitor(w);
    }, delay);
  }

  /** Spawns gpiomon in its own process group and wires its output. Never throws. */
  function monitor(w: Watch): void {
    const setup = w.setup as GpiodSetup;
    let child: ChildProcess;
    let resolveClosed!: () => void;
    const closed = new Promise<void>((resolve) => {
      resolveClosed = resolve;
    });
    try {
      child = spawn("gpiomon", gpiomonArgs(setup.version, setup.chip, o.pin), {
        env: o.env,
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
      });
    } catch (e) {
      // spawn() itself threw (bad arguments, no resources): handled like an exit
      const failed: Run = {
        child: undefined as unknown as ChildProcess,
        running: false,
        stderr: "",
        closed,
        done: true,
      };
      resolveClosed();
      w.run = failed;
      onExit(w, failed, `could not be started: ${messageOf(e)}`);
      return;
    }
    const run: Run = { child, running: false, stderr: "", closed, done: false };
    w.run = run;
    let pending = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      pending += chunk;
      let nl = pending.indexOf("\n");
      while (nl >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        try {
          onLine(w, run, line);
        } catch {
          // onLine catches the listener itself; this is the last line of defence
        }
        nl = pending.indexOf("\n");
      }
      if (pending.length > 4096) pending = "";
    });
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      run.stderr = (run.stderr + chunk).slice(-2048);
    });
    const finish = (how: string) => {
      if (run.done) return;
      run.done = true;
      resolveClosed();
      onExit(w, run, how);
    };
    child.once("error", (e) => {
      // not started (ENOENT: the tools were removed since start()); a running child's
      // errors (kill failures) are followed by "close"
      if (child.pid === undefined) finish(`could not be started: ${messageOf(e)}`);
    });
    child.once("close", (code, signal) => finish(signal ? `killed by ${signal}` : `exit code ${code}`));
    run.stableTimer = o.timers.setTimeout(() => {
      run.stableTimer = undefined;
      running(w, run);
    }, o.stableMs);
  }

  /** Kills gpiomon's process group and waits for its output to close. */
  async function kill(run: Run): Promise<void> {
    if (run.stableTimer !== undefined) o.timers.clearTimeout(run.stableTimer);
    run.stableTimer = undefined;
    if (run.done) return;
    const signal = (sig: NodeJS.Signals) => {
      const pid = run.child.pid;
      if (pid === undefined) return;
      try {
        process.kill(-pid, sig);
      } catch {
        try {
          run.child.kill(sig);
        } catch {
          // already gone
        }
      }
    };
    signal("SIGTERM");
    let grace: unknown;
    const timedOut = new Promise<boolean>((resolve) => {
      grace = o.timers.setTimeout(() => resolve(true), o.stopGraceMs);
    });
    const exited = await Promise.race([run.closed.then(() => false), timedOut]);
    o.timers.clearTimeout(grace);
    if (exited) {
      signal("SIGKILL");
      await run.closed;
    }
  }

  const sessions = createDeviceSessions<MotionEvent, Watch>({
    where: o.where,
    what: "sensor",
    async open(session) {
      const w: Watch = { session, attempt: 0 };
      const setup = await inspect(o);
      if (!session.active) return w;
      await readLevel(o, setup);
      if (!session.active) return w;
      w.setup = setup;
      monitor(w);
      return w;
    },
    async close(w) {
      if (w.restartTimer !== undefined) o.timers.clearTimeout(w.restartTimer);
      w.restartTimer = undefined;
      const run = w.run;
      w.run = undefined;
      if (run) await kill(run);
    },
  });

  return {
    driver: "pir-gpiod",
    get monitorPid() {
      const run = sessions.device?.run;
      return run && !run.done ? run.child.pid : undefined;
    },
    get setup() {
      return sessions.device?.setup;
    },
    start: sessions.start,
    stop: sessions.stop,
  };
}
