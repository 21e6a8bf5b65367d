/**
 * A simulated DHT22 for development and tests. It honours the driver's contract: values
 * rounded to one decimal and validated by the same conversions (so a pinned 120 °C is
 * rejected as "implausible"), failures as ClimateSensorError with the same codes.
 *
 * The weather: a day/night cycle from the clock (±1.5 °C, warmest at 15:00 local time),
 * a slow mean-reverting random walk, a little noise per read, and relative humidity that
 * falls as the air warms. Deterministic for a given seed and sequence of clock readings.
 *
 * Unlike the driver, it applies no jump check: a pinned value is a steady reading, which
 * the driver would accept once a second reading confirms it.
 */

import {
  type ClimateErrorCode,
  type ClimateSample,
  type ClimateSensor,
  ClimateSensorError,
} from "../../core/climate/sensor.ts";
import { type Clock, systemClock } from "../../core/clock.ts";
import { mulberry32 } from "../../core/random.ts";
import { toSample } from "./conversions.ts";

export interface SimulatedClimateOptions {
  /** Drives the day/night cycle and the drift (default: the system clock). */
  clock?: Clock;
  /** PRNG seed; the same seed and clock readings give the same values (default 1). */
  seed?: number;
  /** Mean room temperature (default 22 °C). */
  baseTemperatureC?: number;
  /** Mean relative humidity (default 45 %). */
  baseHumidityPct?: number;
}

export interface SimulatedClimateSensor extends ClimateSensor {
  readonly driver: "sim";
  /** Number of read() calls so far, failed ones included (not those after close()). */
  readonly reads: number;
  /** Pins the reported value(s) until release(); the other quantity keeps simulating. */
  set(values: { temperatureC?: number; humidityPct?: number }): void;
  /** Undoes set() and stick(): back to the simulated weather. */
  release(): void;
  /** The next `times` reads (default 1; Infinity: until repair()) fail with `code`. */
  fail(code: ClimateErrorCode, times?: number): void;
  /** Cancels pending failures. */
  repair(): void;
  /** Reports the last value (or the next one, before any read) forever, until release(). */
  stick(): void;
}

const DAY_AMPLITUDE_C = 1.5;
const WARMEST_HOUR = 15;
/** Random walk: per-√minute step and relaxation time (stationary spread ≈ σ·√(τ/2)). */
const TEMP_WALK = { sigma: 0.05, tauMin: 120, limit: 3 };
const HUM_WALK = { sigma: 0.2, tauMin: 180, limit: 8 };
/** How many % RH the air loses per °C it warms (roughly, at room conditions). */
const HUMIDITY_PER_DEGREE = 2.5;
const NOISE_C = 0.1;
const NOISE_PCT = 0.3;
/** Elapsed time assumed for the first read, and the most the walk advances in one step. */
const FIRST_STEP_MIN = 1;
const MAX_STEP_MIN = 24 * 60;

const FAULT_MESSAGES: Record<ClimateErrorCode, string> = {
  unavailable: "sim: the simulated sensor is unavailable (fault injected)",
  checksum: "sim: no valid frame after 4 attempts (fault injected)",
  timeout: "sim: the sensor did not answer in time (fault injected)",
  implausible: "sim: only implausible readings (fault injected)",
};

export function createSimulatedClimateSensor(opts: SimulatedClimateOptions = {}): SimulatedClimateSensor {
  const clock = opts.clock ?? systemClock;
  const random = mulberry32(opts.seed ?? 1);
  const baseT = opts.baseTemperatureC ?? 22;
  const baseH = opts.baseHumidityPct ?? 45;

  let reads = 0;
  let closed = false;
  let tempDrift = 0;
  let humDrift = 0;
  let lastAt: number | undefined;
  let pinned: { temperatureC?: number; humidityPct?: number } = {};
  let stuck: ClimateSample | undefined;
  let sticky = false;
  let lastReported: ClimateSample | undefined;
  let fault: { code: ClimateErrorCode; remaining: number } | undefined;

  /** Standard normal deviate (Box-Muller). */
  function gauss(): number {
    const u = 1 - random();
    const v = random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  function walk(value: number, w: { sigma: number; tauMin: number; limit: number }, dtMin: number): number {
    const next = value * Math.exp(-dtMin / w.tauMin) + w.sigma * Math.sqrt(dtMin) * gauss();
    return Math.max(-w.limit, Math.min(w.limit, next));
  }

  /** Advances the weather to now and returns the raw (unrounded) air. */
  function weather(): { temperatureC: number; humidityPct: number } {
    const now = clock.now();
    const at = now.getTime();
    const dtMin = lastAt === undefined ? FIRST_STEP_MIN : Math.min(MAX_STEP_MIN, Math.max(0, (at - lastAt) / 60_000));
    lastAt = at;
    tempDrift = walk(tempDrift, TEMP_WALK, dtMin);
    humDrift = walk(humDrift, HUM_WALK, dtMin);
    const hour = now.getHours() + now.getMinutes() / 60 + now.getSeconds() / 3600;
    const daily = DAY_AMPLITUDE_C * Math.cos((2 * Math.PI * (hour - WARMEST_HOUR)) / 24);
    const warming = daily + tempDrift;
    const temperatureC = baseT + warming + NOISE_C * gauss();
    const humidityPct = baseH - HUMIDITY_PER_DEGREE * warming + humDrift + NOISE_PCT * gauss();
    return { temperatureC, humidityPct: Math.max(1, Math.min(99, humidityPct)) };
  }

  function nextSample(): ClimateSample {
    const air = weather();
    if (sticky) {
      stuck ??= lastReported;
      if (stuck) return stuck;
    }
    const raw = {
      temperatureC: pinned.temperatureC ?? air.temperatureC,
      humidityPct: pinned.humidityPct ?? air.humidityPct,
    };
    const result = toSample(raw.temperatureC, raw.humidityPct);
    if (!result.ok) throw new ClimateSensorError("implausible", `sim: only implausible readings (${result.reason})`);
    if (sticky) stuck = result.sample;
    lastReported = result.sample;
    return result.sample;
  }

  return {
    driver: "sim",
    get reads() {
      return reads;
    },
    async read(): Promise<ClimateSample> {
      if (closed) throw new ClimateSensorError("unavailable", "sim: the sensor was closed");
      reads++;
      if (fault && fault.remaining > 0) {
        fault.remaining--;
        const { code } = fault;
        if (fault.remaining <= 0) fault = undefined;
        throw new ClimateSensorError(code, FAULT_MESSAGES[code]);
      }
      return nextSample();
    },
    async close(): Promise<void> {
      closed = true;
    },
    set(values) {
      pinned = { ...pinned, ...values };
    },
    release() {
      pinned = {};
      sticky = false;
      stuck = undefined;
    },
    fail(code, times = 1) {
      if (!(times > 0)) throw new RangeError(`times must be > 0 (or Infinity), got ${times}`);
      fault = { code, remaining: times };
    },
    repair() {
      fault = undefined;
    },
    stick() {
      sticky = true;
      stuck = lastReported;
    },
  };
}

export { mulberry32 };
