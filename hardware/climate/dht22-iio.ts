/**
 * The DHT22 through the Linux kernel's IIO driver for the DHT11/DHT22 ("dht11"): no native
 * package, no /dev/gpiomem, so it works on every Raspberry Pi (3, 4, 5, Zero 2 W) and every
 * Raspberry Pi OS (Bookworm, Trixie). Enable it with one line in /boot/firmware/config.txt:
 *
 *     dtoverlay=dht11,gpiopin=4        (gpiopin = DHT_PIN; the overlay reads a DHT22 too)
 *
 * What the kernel exposes, and this driver relies on (drivers/iio/humidity/dht11.c and the
 * Raspberry Pi overlay, checked against their sources):
 * - /sys/bus/iio/devices/iio:deviceN, a link into /sys/devices/platform/<node>/iio:deviceN;
 *   its `name` file holds the platform device's name: "dht11@0" / "dht11@4" for the overlay's
 *   node (plain "dht11" on some kernels), so a name of "dht11" or "dht11@..." is a match, and
 *   so is a device whose `of_node/compatible` lists "dht11";
 * - `of_node` links to the device-tree node; its `gpios` property is big-endian 32-bit cells
 *   <phandle line flags>: the line is the BCM GPIO number the overlay's gpiopin set;
 * - `in_temp_input` (milli-°C) and `in_humidityrelative_input` (milli-%RH) are read on demand:
 *   a read starts a measurement unless the last good one is under 2 s old, in which case both
 *   files report that cached frame;
 * - a failed measurement is the read's errno, and it happens routinely on a busy Pi:
 *   EIO (checksum wrong or a frame it cannot decode), ETIMEDOUT (too few signal edges within
 *   1 s: nothing answered), EAGAIN (the kernel's timer resolution is too coarse). A failure is
 *   not cached: the next read tries the sensor again, so this driver paces its attempts.
 * - no overlay: the directory (or the dht11 device in it) does not exist (ENOENT).
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import {
  type ClimateErrorCode,
  type ClimateSample,
  type ClimateSensor,
  ClimateSensorError,
} from "../../core/climate/sensor.ts";
import { type Clock, systemClock } from "../../core/clock.ts";
import { codeOf, messageOf } from "../errors.ts";
import { DEFAULT_JUMP_LIMITS, type JumpLimits, milliToSample, parseMilli } from "./conversions.ts";
import { checkDht22Options, createAttemptGuard, createJumpFilter, shareReads } from "./dht22-reading.ts";

/** The two file operations the driver needs: node:fs/promises by default, a fake tree in tests. */
export interface SysfsReader {
  readdir(path: string): Promise<string[]>;
  readFile(path: string): Promise<Buffer>;
}

export const nodeSysfs: SysfsReader = {
  readdir: (path) => readdir(path),
  readFile: (path) => readFile(path),
};

export const DHT22_IIO_DEFAULTS = {
  /** Where sysfs is mounted, as a root: the devices are under `${sysfsRoot}sys/bus/iio/devices`. */
  sysfsRoot: "/",
  retries: 3,
  /** The DHT22 needs 2 s between measurements; also the pause before a retry. */
  minIntervalMs: 2000,
  timeoutMs: 5000,
} as const;

export const IIO_DEVICES_DIR = "sys/bus/iio/devices";
export const CONFIG_TXT = "/boot/firmware/config.txt";

/** The config.txt line that makes the kernel expose a DHT22 on `pin`. */
export function dht11OverlayLine(pin: number): string {
  return `dtoverlay=dht11,gpiopin=${pin}`;
}

function overlayHint(pin: number): string {
  return (
    `add \`${dht11OverlayLine(pin)}\` to ${CONFIG_TXT} and reboot (gpiopin must be DHT_PIN, ${pin}; ` +
    "the kernel's dht11 driver reads a DHT22 too)"
  );
}

function permissionHint(path: string): string {
  return (
    `give the service user read access to ${path}: these files are normally readable by everyone, so ` +
    "check `ls -l` on them and add the user to the group that owns them, or add a udev rule, e.g. " +
    "/etc/udev/rules.d/99-dht11.rules with " +
    '`ACTION=="add", SUBSYSTEM=="iio", RUN+="/bin/chmod a+r /sys%p/in_temp_input /sys%p/in_humidityrelative_input"` ' +
    "(then `sudo udevadm trigger` or reboot)"
  );
}

export interface Dht11IioDevice {
  /** The device's directory, e.g. /sys/bus/iio/devices/iio:device0. */
  dir: string;
  /** Its `name` file, e.g. "dht11@4". */
  name: string;
  /** The BCM GPIO from the device tree (`of_node/gpios`); undefined when it cannot be read. */
  gpio: number | undefined;
}

export type Dht11IioLookup =
  | { found: true; device: Dht11IioDevice }
  | {
      found: false;
      /** What is wrong, e.g. "no IIO dht11 device under /sys/bus/iio/devices". */
      reason: string;
      /** What to do about it (the config.txt line, a permission fix). */
      hint: string;
    };

export interface FindDht11Options {
  /** BCM GPIO the DHT22 is on (DHT_PIN): the overlay's gpiopin must be the same. */
  pin: number;
  sysfsRoot?: string;
  fs?: SysfsReader;
}

/** The text of a sysfs or device-tree string file, without the trailing newline or NULs. */
function text(buf: Buffer): string {
  return buf.toString("utf8").replace(/\0+$/, "").trim();
}

/** The GPIO line of a device-tree `gpios` property (<phandle line flags>, big-endian cells). */
export function gpioFromDtGpios(cells: Uint8Array): number | undefined {
  if (cells.byteLength < 8) return undefined;
  return new DataView(cells.buffer, cells.byteOffset, cells.byteLength).getUint32(4, false);
}

/** Whether an IIO device is the kernel's dht11 driver: by its name, else by its node's compatible. */
async function isDht11(fs: SysfsReader, dir: string, name: string): Promise<boolean> {
  if (name === "dht11" || name.startsWith("dht11@")) return true;
  try {
    const compatible = (await fs.readFile(join(dir, "of_node", "compatible"))).toString("utf8").split("\0");
    return compatible.includes("dht11");
  } catch {
    return false;
  }
}

/**
 * Finds the kernel's dht11 IIO device for `pin` (reads directory entries and small files only;
 * never starts a measurement). A device whose GPIO cannot be told is accepted; one on another
 * GPIO is not (the hint says to make gpiopin and DHT_PIN agree). Never rejects.
 */
export async function findDht11IioDevice(opts: FindDht11Options): Promise<Dht11IioLookup> {
  const fs = opts.fs ?? nodeSysfs;
  const devicesDir = join(opts.sysfsRoot ?? DHT22_IIO_DEFAULTS.sysfsRoot, IIO_DEVICES_DIR);
  const { pin } = opts;
  let entries: string[];
  try {
    entries = await fs.readdir(devicesDir);
  } catch (e) {
    const code = codeOf(e);
    if (code === "EACCES" || code === "EPERM") {
      return { found: false, reason: `cannot list ${devicesDir} (${code})`, hint: permissionHint(devicesDir) };
    }
    const why = code === "ENOENT" ? "no IIO devices at all" : messageOf(e);
    return { found: false, reason: `no IIO dht11 device (${devicesDir}: ${why})`, hint: overlayHint(pin) };
  }
  const numbered = entries
    .map((entry) => ({ entry, n: /^iio:device(\d+)$/.exec(entry)?.[1] }))
    .filter((x): x is { entry: string; n: string } => x.n !== undefined)
    .sort((a, b) => Number(a.n) - Number(b.n));
  const devices: Dht11IioDevice[] = [];
  for (const { entry } of numbered) {
    const dir = join(devicesDir, entry);
    let name: string;
    try {
      name = text(await fs.readFile(join(dir, "name")));
    } catch {
      continue;
    }
    if (!(await isDht11(fs, dir, name))) continue;
    let gpio: number | undefined;
    try {
      gpio = gpioFromDtGpios(await fs.readFile(join(dir, "of_node", "gpios")));
    } catch {
      gpio = undefined;
    }
    devices.push({ dir, name, gpio });
  }
  const device = devices.find((d) => d.gpio === pin) ?? devices.find((d) => d.gpio === undefined);
  if (device) return { found: true, device };
  const other = devices[0];
  if (other) {
    return {
      found: false,
      reason: `the IIO dht11 device ${other.dir} (${other.name}) is on GPIO ${other.gpio}, but DHT_PIN is ${pin}`,
      hint:
        `make them agree: \`${dht11OverlayLine(pin)}\` in ${CONFIG_TXT} and reboot, or DHT_PIN=${other.gpio} ` +
        "if the sensor is wired there",
    };
  }
  return { found: false, reason: `no IIO dht11 device under ${devicesDir}`, hint: overlayHint(pin) };
}

export interface Dht22IioOptions {
  /** BCM GPIO of the data line (DHT_PIN); the overlay's gpiopin must be the same. */
  pin: number;
  /** Root of the sysfs tree (default "/"); tests point it at a fake tree. */
  sysfsRoot?: string;
  /** Extra attempts after a failed or implausible one (default 3, so 4 attempts). */
  retries?: number;
  /** Least time between two measurements, and so between attempts (default 2000 ms, the DHT22's minimum). */
  minIntervalMs?: number;
  /** How long one attempt may take before the read fails with "timeout" (default 5000 ms). */
  timeoutMs?: number;
  /** File access (default node:fs/promises). */
  fs?: SysfsReader;
  /** Waits between attempts; injectable for tests (default: a timer). */
  sleep?: (ms: number) => Promise<void>;
  /** Time source for the pacing and the jump check (default: the system clock). */
  clock?: Clock;
  /** Largest believable change between readings (default 10 °C / 30 % per 60 s). */
  jumpLimits?: Partial<JumpLimits>;
}

interface Classified {
  error: ClimateSensorError;
  /** Worth another attempt after the pause (the kernel's routine failures). */
  retry: boolean;
  /** The device went away: look it up again on the next read. */
  lost?: boolean;
}

/**
 * Creates the DHT22 driver over the kernel's IIO dht11 device. Does no I/O: the device is
 * looked up on the first `read()` (and again after it disappeared). Measurements are at least
 * `minIntervalMs` apart, across `read()` calls too; concurrent `read()` calls share one reading.
 */
export function createDht22IioSensor(opts: Dht22IioOptions): ClimateSensor {
  const { pin } = opts;
  const retries = opts.retries ?? DHT22_IIO_DEFAULTS.retries;
  checkDht22Options(pin, retries);
  const minIntervalMs = opts.minIntervalMs ?? DHT22_IIO_DEFAULTS.minIntervalMs;
  if (!Number.isFinite(minIntervalMs) || minIntervalMs < 0) {
    throw new RangeError(`minIntervalMs must be >= 0, got ${minIntervalMs}`);
  }
  const timeoutMs = opts.timeoutMs ?? DHT22_IIO_DEFAULTS.timeoutMs;
  const fs = opts.fs ?? nodeSysfs;
  const sysfsRoot = opts.sysfsRoot ?? DHT22_IIO_DEFAULTS.sysfsRoot;
  const sleep = opts.sleep ?? ((ms: number) => delay(ms));
  const clock = opts.clock ?? systemClock;
  const jumps = createJumpFilter({ ...DEFAULT_JUMP_LIMITS, ...opts.jumpLimits });
  /** A sysfs read that outlived its timeout: no new one is started until it returns. */
  const guard = createAttemptGuard(timeoutMs);
  const where = `DHT22 on GPIO ${pin} (kernel IIO)`;
  const reads = shareReads(where, readWithRetries);

  let device: Dht11IioDevice | undefined;
  /** When the last measurement was started (clock ms). */
  let lastAttemptAt: number | undefined;

  async function locate(): Promise<Dht11IioDevice> {
    if (device) return device;
    const found = await findDht11IioDevice({ pin, sysfsRoot, fs });
    if (!found.found) {
      throw new ClimateSensorError("unavailable", `${where}: ${found.reason}: ${found.hint}`, { hint: found.hint });
    }
    device = found.device;
    return device;
  }

  /** Waits until `minIntervalMs` has passed since the last measurement started. */
  async function pace(): Promise<void> {
    if (lastAttemptAt === undefined) return;
    const since = clock.now().getTime() - lastAttemptAt;
    // a clock set backwards (NTP at boot on a Pi without RTC) waits one interval, not forever
    const wait = since < 0 ? minIntervalMs : minIntervalMs - since;
    if (wait > 0) await sleep(wait);
  }

  function classify(e: unknown, dev: Dht11IioDevice, file: string): Classified {
    if (e instanceof ClimateSensorError) return { error: e, retry: false };
    const code = codeOf(e);
    const path = join(dev.dir, file);
    const at = `${where}, ${dev.dir}`;
    switch (code) {
      case "EIO":
        return {
          error: new ClimateSensorError("checksum", `${file}: EIO (a corrupt or undecodable frame)`, { cause: e }),
          retry: true,
        };
      case "ETIMEDOUT":
        return {
          error: new ClimateSensorError(
            "timeout",
            `${file}: ETIMEDOUT (the sensor did not answer: check its power, wiring and pull-up)`,
            { cause: e },
          ),
          retry: true,
        };
      case "EAGAIN":
      case "EBUSY":
        return {
          error: new ClimateSensorError("timeout", `${file}: ${code} (the kernel asks to try again)`, { cause: e }),
          retry: true,
        };
      case "ENOENT":
      case "ENODEV":
      case "ENXIO": {
        const hint = overlayHint(pin);
        return {
          error: new ClimateSensorError("unavailable", `${at}: ${path} is gone (${code}): ${hint}`, {
            cause: e,
            hint,
          }),
          retry: false,
          lost: true,
        };
      }
      case "EACCES":
      case "EPERM": {
        const hint = permissionHint(path);
        return {
          error: new ClimateSensorError("unavailable", `${at}: cannot read ${path} (${code}): ${hint}`, {
            cause: e,
            hint,
          }),
          retry: false,
        };
      }
      default:
        return {
          error: new ClimateSensorError("unavailable", `${at}: reading ${path} failed: ${messageOf(e)}`, { cause: e }),
          retry: false,
        };
    }
  }

  type Attempt = { ok: true; temperature: string; humidity: string } | { ok: false; file: string; error: unknown };

  /** One measurement: both files (the second gets the kernel's cached frame of the first). */
  async function attempt(dev: Dht11IioDevice): Promise<Attempt> {
    if (guard.stuck) {
      throw new ClimateSensorError(
        "timeout",
        `${where}: the previous read of ${dev.dir} has not returned after ${timeoutMs} ms; not starting another`,
      );
    }
    let file = "in_temp_input";
    const work = (async (): Promise<Attempt> => {
      try {
        const temperature = text(await fs.readFile(join(dev.dir, file)));
        file = "in_humidityrelative_input";
        const humidity = text(await fs.readFile(join(dev.dir, file)));
        return { ok: true, temperature, humidity };
      } catch (error) {
        return { ok: false, file, error };
      }
    })();
    return guard.run(
      work,
      () => new ClimateSensorError("timeout", `${where}: ${join(dev.dir, file)} did not answer within ${timeoutMs} ms`),
    );
  }

  function failureHint(code: ClimateErrorCode): string | undefined {
    switch (code) {
      case "checksum":
        return (
          "an EIO now and then is normal, on every attempt it is not: check the pull-up (10 kΩ DATA to 3V3) " +
          "and the cable (short, away from mains and fans)"
        );
      case "timeout":
        return (
          `nothing answers on GPIO ${pin}: check the sensor's 3V3 and GND, that DATA is on GPIO ${pin} ` +
          "(the overlay's gpiopin), and the pull-up"
        );
      case "implausible":
        return "the sensor reports values a DHT22 cannot measure: check its supply and replace it if it persists";
      default:
        return undefined;
    }
  }

  async function readWithRetries(): Promise<ClimateSample> {
    const attempts = retries + 1;
    let failure: { code: ClimateErrorCode; reason: string; cause?: unknown } | undefined;
    let dev: Dht11IioDevice | undefined;
    for (let i = 0; i < attempts; i++) {
      dev = await locate();
      await pace();
      reads.throwIfClosed();
      lastAttemptAt = clock.now().getTime();
      const raw = await attempt(dev);
      if (!raw.ok) {
        const c = classify(raw.error, dev, raw.file);
        if (c.lost) device = undefined;
        if (!c.retry) throw c.error;
        failure = { code: c.error.code, reason: c.error.message, cause: raw.error };
        continue;
      }
      const t = parseMilli(raw.temperature);
      const h = parseMilli(raw.humidity);
      if (t === undefined || h === undefined) {
        const [file, value] =
          t === undefined ? ["in_temp_input", raw.temperature] : ["in_humidityrelative_input", raw.humidity];
        failure = {
          code: "implausible",
          reason: `${file} is not a whole number of milli-units (${JSON.stringify(value)})`,
        };
        continue;
      }
      const valid = milliToSample(t, h);
      if (!valid.ok) {
        failure = { code: "implausible", reason: valid.reason };
        continue;
      }
      const accepted = jumps.accept(valid.sample, clock.now().getTime());
      if (accepted.ok) return accepted.sample;
      failure = { code: "implausible", reason: accepted.reason };
    }
    const f = failure ?? { code: "checksum" as const, reason: "no reading" };
    const what =
      f.code === "implausible" ? "only implausible readings" : f.code === "timeout" ? "no answer" : "no valid frame";
    const times = attempts === 1 ? "1 attempt" : `${attempts} attempts ${minIntervalMs} ms apart`;
    const hint = failureHint(f.code);
    throw new ClimateSensorError(f.code, `${where}, ${dev?.dir ?? "?"}: ${what} after ${times} (last: ${f.reason})`, {
      ...(f.cause === undefined ? {} : { cause: f.cause }),
      ...(hint ? { hint } : {}),
    });
  }

  return { driver: "dht22-iio", read: reads.read, close: reads.close };
}

export type Dht22IioProbe =
  | { available: true; device: Dht11IioDevice; sample: ClimateSample }
  | { available: false; code: ClimateErrorCode; reason: string; hint?: string };

/**
 * probeDht22Iio(opts) -> { available: true, device, sample } | { available: false, code, reason, hint? }
 *
 * For `npm run doctor` and the start-up choice: finds the IIO dht11 device for `opts.pin`, then
 * takes one reading through a throw-away driver (with its retries; pass `retries: 0` for a
 * single measurement) and closes it. `code` "unavailable" means no usable device (no overlay,
 * another gpiopin, no permission): `hint` says what to change. Other codes mean the device is
 * there but the sensor misbehaves (wiring, power). Never rejects.
 */
export async function probeDht22Iio(opts: Dht22IioOptions): Promise<Dht22IioProbe> {
  const found = await findDht11IioDevice(opts);
  if (!found.found) {
    return { available: false, code: "unavailable", reason: `${found.reason}: ${found.hint}`, hint: found.hint };
  }
  let sensor: ClimateSensor;
  try {
    sensor = createDht22IioSensor(opts);
  } catch (e) {
    return { available: false, code: "unavailable", reason: messageOf(e) };
  }
  try {
    return { available: true, device: found.device, sample: await sensor.read() };
  } catch (e) {
    if (e instanceof ClimateSensorError) {
      return { available: false, code: e.code, reason: e.message, ...(e.hint ? { hint: e.hint } : {}) };
    }
    return { available: false, code: "unavailable", reason: messageOf(e) };
  } finally {
    await sensor.close();
  }
}
