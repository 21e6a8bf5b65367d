/**
 * The real climate driver: a DHT22 (AM2302) on a Raspberry Pi GPIO pin, read through
 * node-dht-sensor. The package is an optionalDependency loaded with dynamic `import()` on
 * the first read only, so the project installs and runs where it cannot build.
 *
 * It is the fallback: selectClimateSensor prefers the kernel's IIO driver (dht22-iio.ts).
 * node-dht-sensor 0.4.x drives the GPIO through bcm2835 (/dev/gpiomem: no Raspberry Pi 5) or
 * libgpiod v1 (does not build against Trixie's libgpiod 2). Upstream merged libgpiod v2
 * support (PR #150, "0.5"), but npm still only has 0.4.5, so the dependency range stays
 * ^0.4.5; on a Pi 5 or on Trixie use the IIO driver (`dtoverlay=dht11,gpiopin=PIN`).
 *
 * Facts about node-dht-sensor 0.4.5 this driver relies on (from its lib/index.js and
 * src/*.cpp, checked on a non-Pi machine):
 * - the ESM import exposes the CommonJS exports as `default` ({ initialize, read,
 *   setMaxRetries, promises }); `promises.read(22, pin)` resolves `{ temperature, humidity }`
 *   and rejects with Error("failed to initialize sensor") or Error("failed to read sensor");
 * - `initialize(22, pin)` returns false when the GPIO cannot be opened; the library itself
 *   only prints "bcm2835_init: Unable to open /dev/mem" to stderr (not a Pi, or no access);
 * - each `read` already retries up to 3 times, 450 ms apart, before it reports a failure;
 * - after a good frame it returns that cached frame for 3 s instead of reading the pin again,
 *   so a retry after a checksum-valid but implausible frame must wait more than 3 s to see
 *   a new frame (hence the 3100 ms default delay, above the 2 s DHT22 minimum);
 * - `initialize({ test: { fake: { temperature, humidity } } })` switches the whole process
 *   to a test mode in which every read returns those values without touching the GPIO.
 */
import { setTimeout as delay } from "node:timers/promises";
import {
  type ClimateErrorCode,
  type ClimateSample,
  type ClimateSensor,
  ClimateSensorError,
} from "../../core/climate/sensor.ts";
import { type Clock, systemClock } from "../../core/clock.ts";
import { messageOf } from "../errors.ts";
import { describeNativeLoadError, type NativePackage, nativeInstallHint } from "../native.ts";
import { DEFAULT_JUMP_LIMITS, type JumpLimits, toSample } from "./conversions.ts";
import { checkDht22Options, createAttemptGuard, createJumpFilter, shareReads } from "./dht22-reading.ts";

export interface DhtReadout {
  temperature: number;
  humidity: number;
}

/** The part of node-dht-sensor this driver uses (its CommonJS exports). */
export interface DhtLibrary {
  /** Opens the GPIO; false when it cannot (not a Pi, no access to /dev/gpiomem). */
  initialize(type: 22, pin: number): boolean;
  /** Process-wide test mode: every read returns `fake` without touching the GPIO. */
  initialize(options: { test: { fake: DhtReadout } }): void;
  promises: { read(type: 22, pin: number): Promise<DhtReadout> };
}

export interface Dht22Options {
  /** BCM GPIO number of the data line (GPIO4 is physical pin 7). */
  pin: number;
  /** Extra attempts after the first failed or implausible one (default 3, so 4 attempts). */
  retries?: number;
  /** Pause between attempts (default 3100 ms: the DHT22 needs 2 s, the library caches 3 s). */
  retryDelayMs?: number;
  /** How long one attempt may take before the read fails with "timeout" (default 5000 ms). */
  timeoutMs?: number;
  /** Loads node-dht-sensor; injectable for tests (default: dynamic `import()`). */
  loadLibrary?: () => Promise<DhtLibrary>;
  /** Waits between attempts; injectable for tests (default: a timer). */
  sleep?: (ms: number) => Promise<void>;
  /** Time source for the jump check (default: the system clock). */
  clock?: Clock;
  /** Largest believable change between readings (default 10 °C / 30 % per 60 s). */
  jumpLimits?: Partial<JumpLimits>;
  /** Use node-dht-sensor's own test mode with these values instead of the GPIO. */
  fake?: DhtReadout;
}

export const DHT22_DEFAULTS = {
  retries: 3,
  retryDelayMs: 3100,
  timeoutMs: 5000,
} as const;

const NODE_DHT_SENSOR: NativePackage = {
  name: "node-dht-sensor",
  called: "node-dht-sensor",
  installHint: nativeInstallHint({
    compiles: "it",
    note: "on a Pi 5 use `npm install node-dht-sensor --use_libgpiod=true`",
    orElse: "or set HARDWARE=sim",
  }),
};

const GPIO_HINT =
  "This is not a Raspberry Pi, or this user has no GPIO access: add the user to the gpio " +
  "group (`sudo usermod -aG gpio $USER`, then log in again) or set HARDWARE=sim.";

async function importNodeDhtSensor(): Promise<DhtLibrary> {
  const mod = (await import("node-dht-sensor")) as { default?: DhtLibrary } & Partial<DhtLibrary>;
  const lib = mod.default ?? mod;
  if (typeof lib.initialize !== "function" || typeof lib.promises?.read !== "function") {
    throw new Error("node-dht-sensor does not export initialize() and promises.read()");
  }
  return lib as DhtLibrary;
}

function loadError(e: unknown): ClimateSensorError {
  return new ClimateSensorError("unavailable", describeNativeLoadError(NODE_DHT_SENSOR, e).message, { cause: e });
}

function gpioError(pin: number, cause?: unknown): ClimateSensorError {
  const detail = cause === undefined ? "" : ` (${messageOf(cause)})`;
  return new ClimateSensorError(
    "unavailable",
    `DHT22 on GPIO ${pin}: cannot open the GPIO (/dev/gpiomem or /dev/mem)${detail}. ${GPIO_HINT}`,
    cause === undefined ? undefined : { cause },
  );
}

/** A rejection from the library's read: GPIO trouble is final, anything else is worth a retry. */
function classifyReadError(pin: number, e: unknown): ClimateSensorError {
  if (e instanceof ClimateSensorError) return e;
  const msg = messageOf(e);
  if (/initiali[sz]e|\/dev\/(gpio)?mem|permission|EACCES|EPERM/i.test(msg)) return gpioError(pin, e);
  if (/sensor type is invalid/i.test(msg)) {
    return new ClimateSensorError("unavailable", `DHT22 on GPIO ${pin}: ${msg}`, { cause: e });
  }
  return new ClimateSensorError("checksum", msg || "failed to read sensor", { cause: e });
}

/**
 * Creates the DHT22 driver. Does no I/O: the library is loaded and the GPIO opened on the
 * first `read()`. A failure to load or open is remembered (restart the process after fixing
 * it). Concurrent `read()` calls share one reading, since the sensor can do one at a time.
 */
export function createDht22Sensor(opts: Dht22Options): ClimateSensor {
  const { pin } = opts;
  const retries = opts.retries ?? DHT22_DEFAULTS.retries;
  checkDht22Options(pin, retries);
  const retryDelayMs = opts.retryDelayMs ?? DHT22_DEFAULTS.retryDelayMs;
  const timeoutMs = opts.timeoutMs ?? DHT22_DEFAULTS.timeoutMs;
  const loadLibrary = opts.loadLibrary ?? importNodeDhtSensor;
  const sleep = opts.sleep ?? ((ms: number) => delay(ms));
  const clock = opts.clock ?? systemClock;
  const jumps = createJumpFilter({ ...DEFAULT_JUMP_LIMITS, ...opts.jumpLimits });
  const guard = createAttemptGuard(timeoutMs);
  const where = `DHT22 on GPIO ${pin}`;
  const reads = shareReads(where, readWithRetries);

  let opened: Promise<DhtLibrary> | undefined;

  function open(): Promise<DhtLibrary> {
    opened ??= (async () => {
      let lib: DhtLibrary;
      try {
        lib = await loadLibrary();
      } catch (e) {
        throw loadError(e);
      }
      try {
        if (opts.fake) {
          lib.initialize({ test: { fake: { temperature: opts.fake.temperature, humidity: opts.fake.humidity } } });
        } else if (lib.initialize(22, pin) === false) {
          throw gpioError(pin);
        }
      } catch (e) {
        throw e instanceof ClimateSensorError ? e : gpioError(pin, e);
      }
      return lib;
    })();
    return opened;
  }

  async function attempt(lib: DhtLibrary): Promise<DhtReadout> {
    if (guard.stuck) {
      throw new ClimateSensorError(
        "timeout",
        `${where}: the previous read has not returned after ${timeoutMs} ms; not starting another`,
      );
    }
    const native = Promise.resolve().then(() => lib.promises.read(22, pin));
    try {
      return await guard.run(
        native,
        () => new ClimateSensorError("timeout", `${where} did not answer within ${timeoutMs} ms`),
      );
    } catch (e) {
      throw classifyReadError(pin, e);
    }
  }

  async function readWithRetries(): Promise<ClimateSample> {
    const lib = await open();
    const attempts = retries + 1;
    let failure: { code: ClimateErrorCode; reason: string; cause?: unknown } | undefined;
    for (let i = 0; i < attempts; i++) {
      if (i > 0) await sleep(retryDelayMs);
      reads.throwIfClosed();
      let raw: DhtReadout;
      try {
        raw = await attempt(lib);
      } catch (e) {
        const err = classifyReadError(pin, e);
        if (err.code !== "checksum") throw err;
        failure = { code: "checksum", reason: err.message, cause: e };
        continue;
      }
      const valid = toSample(raw.temperature, raw.humidity);
      if (!valid.ok) {
        failure = { code: "implausible", reason: valid.reason };
        continue;
      }
      const accepted = jumps.accept(valid.sample, clock.now().getTime());
      if (accepted.ok) return accepted.sample;
      failure = { code: "implausible", reason: accepted.reason };
    }
    const f = failure ?? { code: "checksum" as const, reason: "no reading" };
    const what = f.code === "checksum" ? "no valid frame" : "only implausible readings";
    throw new ClimateSensorError(
      f.code,
      `${where}: ${what} after ${attempts} attempt${attempts === 1 ? "" : "s"} (last: ${f.reason})`,
      f.cause === undefined ? undefined : { cause: f.cause },
    );
  }

  return { driver: "dht22", read: reads.read, close: reads.close };
}
