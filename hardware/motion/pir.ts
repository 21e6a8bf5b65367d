/**
 * The fallback PIR driver: a PIR module (HC-SR501 and the like) whose output is wired to a
 * BCM GPIO pin, read through onoff over sysfs GPIO (/sys/class/gpio), for kernels that still
 * have it and Pis without libgpiod's tools; pir-gpiod.ts (the GPIO character device) is
 * preferred. The package is an optionalDependency loaded with
 * dynamic `import()` by start() and probePir() only, so the project installs and runs where
 * it (or its native epoll addon) cannot build.
 *
 * Facts about onoff 6.0 this driver relies on (from its onoff.js and onoff.d.ts):
 * - CommonJS, `module.exports.Gpio = Gpio`: the ESM import has `Gpio` (and `default.Gpio`);
 *   requiring it loads epoll's native addon at once, so a missing build fails the import
 *   ("Could not locate the bindings file");
 * - it uses the kernel's sysfs interface: `new Gpio(n, 'in', 'both', { debounceTimeout })`
 *   writes n to /sys/class/gpio/export (unless already exported), sets direction and edge
 *   and opens gpioN/value; `Gpio.accessible` is whether /sys/class/gpio/export opens for
 *   writing; `unexport()` unwatches, closes and writes n to /sys/class/gpio/unexport;
 * - `watch(cb)` calls `cb(err, value)` on an interrupt, after `debounceTimeout` ms of quiet
 *   (lodash.debounce), with the value read then; with edge 'both' that is 1 after a rising
 *   and 0 after a falling edge; `err` comes from epoll.
 *
 * GPIO numbers: onoff takes sysfs numbers, which were the BCM numbers until Raspberry Pi OS
 * moved to dynamic GPIO bases: on kernel 6.6 the header's GPIO chip starts at 512 on a Pi
 * 1-4 (pinctrl-bcm2835 / pinctrl-bcm2711) and at 571 on a Pi 5 (pinctrl-rp1; 399 or 53 on
 * some earlier kernels). So this driver takes the BCM number and adds an offset: by default
 * ("auto") the `base` of the header's chip among the /sys/class/gpio/gpiochipN folders (found by its
 * `label`), else 0; `gpioOffset` set to a number overrides the detection. `sudo cat
 * /sys/kernel/debug/gpio` shows the numbers in use.
 *
 * Behaviour: a rising edge is a "motion" event (source "pir"); the pin held high is one
 * event (the level is tracked, so repeated 1s are ignored); a rising edge within
 * `cooldownMs` of the last event is suppressed (cooldown.ts). A pin already high at start()
 * is not an event: the first event is the next rising edge. An error passed to the watch
 * callback emits "dead" (once); the next good callback emits "alive". Nothing thrown by
 * the library or the listener escapes.
 */
import { access, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { type Clock, systemClock } from "../../core/clock.ts";
import type { MotionEvent, MotionSensor } from "../../core/motion/sensor.ts";
import { codeOf, messageOf } from "../errors.ts";
import { describeNativeLoadError, type NativePackage, nativeInstallHint } from "../native.ts";
import { headerGpioOption, nonNegativeOption } from "../options.ts";
import { createDeviceSessions, type DeviceSession } from "../polling.ts";
import { createRetriggerGuard, MOTION_COOLDOWN_MS } from "./cooldown.ts";
import { HEADER_CHIP_LABELS } from "./gpiod-tools.ts";

export type GpioValue = 0 | 1;
export type GpioWatchCallback = (err: Error | null | undefined, value: GpioValue) => void;

/** The part of onoff's Gpio object this driver uses. */
export interface GpioPin {
  readSync(): GpioValue;
  watch(callback: GpioWatchCallback): void;
  unwatch(callback?: GpioWatchCallback): void;
  unexport(): void;
}

/** The part of onoff's Gpio class this driver uses. */
export interface GpioClass {
  new (gpio: number, direction: "in", edge: "both", options: { debounceTimeout?: number }): GpioPin;
  readonly accessible: boolean;
}

export interface OnoffLibrary {
  Gpio: GpioClass;
}

export interface PirOptions {
  /** BCM GPIO number of the PIR's output (0..27, e.g. 17 = physical pin 11). */
  pin: number;
  /** onoff's debounceTimeout: the level must be stable this long before it is read (default 10 ms). */
  debounceMs?: number;
  /** A rising edge within this time of the last event is not a new one (default 30 s). */
  cooldownMs?: number;
  /** Added to the BCM number to get the sysfs number: a number, or "auto" (default: detected, see above). */
  gpioOffset?: number | "auto";
  /** Where the sysfs GPIO chips are listed, for "auto" (default /sys/class/gpio). */
  sysfsGpioRoot?: string;
  /** Loads onoff; injectable for tests (default: `loadOnoffLibrary`). */
  loadLibrary?: () => Promise<OnoffLibrary>;
  /** Time of events and of the cooldown (default: the system clock). */
  clock?: Clock;
}

export const PIR_DEFAULTS = {
  debounceMs: 10,
  cooldownMs: MOTION_COOLDOWN_MS,
  sysfsGpioRoot: "/sys/class/gpio",
} as const;

const ONOFF: NativePackage = {
  name: "onoff",
  addon: "epoll",
  loads: ["epoll"],
  installHint: nativeInstallHint({
    compiles: "onoff's epoll addon",
    orElse: "or leave MOTION_PIR_PIN unset to detect motion with the camera (HARDWARE=sim: the simulator)",
  }),
};

const GPIO_HINT =
  "Add this user to the gpio group (`sudo usermod -aG gpio $USER`, then log in again), or leave " +
  "MOTION_PIR_PIN unset to detect motion with the camera (HARDWARE=sim: the simulator).";

/** The default loader: imports onoff (which loads epoll's native addon). */
export async function loadOnoffLibrary(): Promise<OnoffLibrary> {
  const mod = (await import("onoff")) as { Gpio?: unknown; default?: { Gpio?: unknown } };
  const Gpio = (mod.Gpio ?? mod.default?.Gpio) as GpioClass | undefined;
  if (typeof Gpio !== "function") throw new Error("onoff does not export the Gpio class");
  return { Gpio };
}

function loadError(e: unknown): Error {
  return new Error(`PIR: ${describeNativeLoadError(ONOFF, e).message}`, { cause: e });
}

/**
 * Whether this kernel still has the sysfs GPIO interface onoff needs (`root`/export exists).
 * Raspberry Pi OS is retiring it; where it is gone, only the GPIO character device is left.
 */
export async function sysfsGpioPresent(root: string = PIR_DEFAULTS.sysfsGpioRoot): Promise<boolean> {
  try {
    await access(join(root, "export"));
    return true;
  } catch {
    return false;
  }
}

export interface GpioOffset {
  offset: number;
  /** Where it came from, for messages. */
  source: string;
}

/**
 * The sysfs number of BCM GPIO 0: the `base` of the header's chip among
 * `root`/gpiochip*, found by its label; 0 when there is no such chip (or no sysfs GPIO at
 * all, e.g. not a Pi: start() then fails on `Gpio.accessible`). Never rejects.
 */
export async function detectGpioOffset(root: string = PIR_DEFAULTS.sysfsGpioRoot): Promise<GpioOffset> {
  let names: string[];
  try {
    names = (await readdir(root)).filter((n) => /^gpiochip\d+$/.test(n));
  } catch {
    return { offset: 0, source: `${root} is missing` };
  }
  const chips: { name: string; label: string; base: number }[] = [];
  for (const name of names) {
    try {
      const label = (await readFile(join(root, name, "label"), "utf8")).trim();
      const base = Number.parseInt((await readFile(join(root, name, "base"), "utf8")).trim(), 10);
      if (Number.isInteger(base) && base >= 0) chips.push({ name, label, base });
    } catch {
      // a chip without label/base: not the one we want
    }
  }
  for (const wanted of HEADER_CHIP_LABELS) {
    const chip = chips.find((c) => c.label === wanted);
    if (chip) return { offset: chip.base, source: `${join(root, chip.name)} (${chip.label}) starts at ${chip.base}` };
  }
  return { offset: 0, source: `no Raspberry Pi GPIO chip (${HEADER_CHIP_LABELS.join(", ")}) in ${root}` };
}

interface Resolved {
  pin: number;
  debounceMs: number;
  cooldownMs: number;
  gpioOffset: number | "auto";
  sysfsGpioRoot: string;
  loadLibrary: () => Promise<OnoffLibrary>;
  clock: Clock;
  where: string;
}

function resolveOptions(opts: PirOptions): Resolved {
  const pin = headerGpioOption("pin", opts.pin);
  const debounceMs = opts.debounceMs ?? PIR_DEFAULTS.debounceMs;
  if (!Number.isInteger(debounceMs) || debounceMs < 0) {
    throw new RangeError(`debounceMs must be an integer >= 0, got ${debounceMs}`);
  }
  const cooldownMs = nonNegativeOption("cooldownMs", opts.cooldownMs ?? PIR_DEFAULTS.cooldownMs);
  const gpioOffset = opts.gpioOffset ?? "auto";
  if (gpioOffset !== "auto" && (!Number.isInteger(gpioOffset) || gpioOffset < 0)) {
    throw new RangeError(`gpioOffset must be "auto" or an integer >= 0, got ${String(gpioOffset)}`);
  }
  return {
    pin,
    debounceMs,
    cooldownMs,
    gpioOffset,
    sysfsGpioRoot: opts.sysfsGpioRoot ?? PIR_DEFAULTS.sysfsGpioRoot,
    loadLibrary: opts.loadLibrary ?? loadOnoffLibrary,
    clock: opts.clock ?? systemClock,
    where: `PIR on GPIO ${pin}`,
  };
}

interface Opened {
  gpio: GpioPin;
  sysfs: number;
}

/** Loads onoff, checks GPIO access, works out the sysfs number and exports the pin as an input. */
async function openPin(o: Resolved): Promise<Opened> {
  let lib: OnoffLibrary;
  try {
    lib = await o.loadLibrary();
  } catch (e) {
    throw loadError(e);
  }
  let accessible: boolean;
  try {
    accessible = lib.Gpio.accessible === true;
  } catch {
    accessible = false;
  }
  if (!accessible) {
    throw new Error(
      `${o.where}: GPIO is not accessible: not a Raspberry Pi, or no permission for /sys/class/gpio / gpiochip ` +
        `(${join(o.sysfsGpioRoot, "export")} cannot be opened for writing). ${GPIO_HINT}`,
    );
  }
  const offset: GpioOffset =
    o.gpioOffset === "auto"
      ? await detectGpioOffset(o.sysfsGpioRoot)
      : { offset: o.gpioOffset, source: "gpioOffset option" };
  const sysfs = offset.offset + o.pin;
  try {
    const gpio = new lib.Gpio(sysfs, "in", "both", { debounceTimeout: o.debounceMs });
    return { gpio, sysfs };
  } catch (e) {
    const code = codeOf(e);
    const hint =
      code === "EACCES" || code === "EPERM"
        ? GPIO_HINT
        : `Is sysfs GPIO ${sysfs} right for this kernel? The offset ${offset.offset} came from ${offset.source}; ` +
          "`sudo cat /sys/kernel/debug/gpio` lists the numbers (set gpioOffset to override).";
    throw new Error(`${o.where} (sysfs GPIO ${sysfs}): cannot open the pin (${messageOf(e)}). ${hint}`, {
      cause: e,
    });
  }
}

function releaseQuietly(gpio: GpioPin, callback?: GpioWatchCallback): void {
  try {
    if (callback) gpio.unwatch(callback);
  } catch {
    // unexport() unwatches too
  }
  try {
    gpio.unexport();
  } catch {
    // a pin that is already gone: nothing to release
  }
}

export type PirProbe = { available: true; sysfsGpio: number } | { available: false; reason: string };

/**
 * Opens the PIR's pin once (library, GPIO access, export as input) and releases it. A PIR
 * cannot be asked whether it is wired: `available` only says the pin can be watched. Never
 * rejects.
 */
export async function probePir(pin: number, opts: Omit<PirOptions, "pin"> = {}): Promise<PirProbe> {
  try {
    const opened = await openPin(resolveOptions({ ...opts, pin }));
    releaseQuietly(opened.gpio);
    return { available: true, sysfsGpio: opened.sysfs };
  } catch (e) {
    return { available: false, reason: messageOf(e) };
  }
}

/** The watched pin of one session. */
interface Watched {
  gpio: GpioPin;
  callback?: GpioWatchCallback;
}

export interface PirMotionSensor extends MotionSensor {
  readonly driver: "pir";
}

/**
 * Creates the PIR sensor. Does no I/O: start() loads onoff and exports the pin. Options are
 * checked here (RangeError). Can be started again after stop().
 */
export function createPirMotionSensor(opts: PirOptions): PirMotionSensor {
  const o = resolveOptions(opts);
  const guard = createRetriggerGuard(o.cooldownMs);
  const now = () => o.clock.now().getTime();

  /** The pin's level as last seen (edges are changes of it); per session. */
  function watcher(s: DeviceSession<MotionEvent>, level: GpioValue): GpioWatchCallback {
    function onChange(err: Error | null | undefined, value: unknown): void {
      if (!s.active) return;
      const at = now();
      if (err) {
        s.giveUp(at, `${o.where}: watching the pin failed (${messageOf(err)})`);
        return;
      }
      s.answered(at);
      const next: GpioValue = value === 1 ? 1 : 0;
      const rising = next === 1 && level === 0;
      level = next;
      if (rising && guard.allow(at)) s.emit({ type: "motion", at, source: "pir" });
    }
    return (err, value) => {
      try {
        onChange(err, value);
      } catch {
        // onChange catches the listener itself; this is the last line of defence
      }
    };
  }

  const sessions = createDeviceSessions<MotionEvent, Watched>({
    where: o.where,
    what: "sensor",
    async open(s) {
      const { gpio } = await openPin(o);
      // stop() was called while opening: released without watching
      if (!s.active) return { gpio };
      let level: GpioValue;
      try {
        level = gpio.readSync() === 1 ? 1 : 0;
      } catch {
        level = 0;
      }
      const callback = watcher(s, level);
      try {
        gpio.watch(callback);
      } catch (e) {
        releaseQuietly(gpio);
        throw new Error(`${o.where}: cannot watch the pin for edges (${messageOf(e)}). ${GPIO_HINT}`, {
          cause: e,
        });
      }
      return { gpio, callback };
    },
    close: ({ gpio, callback }) => releaseQuietly(gpio, callback),
  });

  return { driver: "pir", start: sessions.start, stop: sessions.stop };
}
