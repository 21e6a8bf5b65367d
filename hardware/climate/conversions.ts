/**
 * Pure climate conversions: no I/O, no clock. Shared by the DHT22 driver and the simulator
 * so that both accept and reject exactly the same values.
 */
import type { ClimateSample } from "../../core/climate/sensor.ts";

/** What a DHT22 (AM2302) can measure, from its datasheet. */
export const DHT22_RANGE = {
  temperatureC: { min: -40, max: 80 },
  humidityPct: { min: 0, max: 100 },
} as const;

/**
 * How far a reading may move from the previous accepted one within `intervalMs`.
 * Over a longer gap the limits grow in proportion (two intervals: twice the jump).
 */
export interface JumpLimits {
  temperatureC: number;
  humidityPct: number;
  intervalMs: number;
}

export const DEFAULT_JUMP_LIMITS: JumpLimits = {
  temperatureC: 10,
  humidityPct: 30,
  intervalMs: 60_000,
};

export type SampleResult = { ok: true; sample: ClimateSample } | { ok: false; reason: string };

/** Rounds half away from zero to one decimal; never returns -0. */
export function roundToTenth(value: number): number {
  const r = (Math.sign(value) * Math.round(Math.abs(value) * 10)) / 10;
  return r === 0 ? 0 : r;
}

/**
 * Validates one raw DHT22 frame and rounds it to one decimal.
 * Rejects non-finite values, values outside the datasheet range, and the all-zero frame
 * (0 °C / 0 %RH) that a disconnected or unpowered sensor produces.
 */
export function toSample(rawTemperatureC: number, rawHumidityPct: number): SampleResult {
  if (typeof rawTemperatureC !== "number" || !Number.isFinite(rawTemperatureC)) {
    return { ok: false, reason: `temperature is not a finite number (${String(rawTemperatureC)})` };
  }
  if (typeof rawHumidityPct !== "number" || !Number.isFinite(rawHumidityPct)) {
    return { ok: false, reason: `humidity is not a finite number (${String(rawHumidityPct)})` };
  }
  const temperatureC = roundToTenth(rawTemperatureC);
  const humidityPct = roundToTenth(rawHumidityPct);
  const t = DHT22_RANGE.temperatureC;
  const h = DHT22_RANGE.humidityPct;
  if (temperatureC < t.min || temperatureC > t.max) {
    return { ok: false, reason: `temperature ${temperatureC} °C is outside the DHT22 range ${t.min}..${t.max} °C` };
  }
  if (humidityPct < h.min || humidityPct > h.max) {
    return { ok: false, reason: `humidity ${humidityPct} % is outside the DHT22 range ${h.min}..${h.max} %` };
  }
  if (temperatureC === 0 && humidityPct === 0) {
    return { ok: false, reason: "all-zero frame (0 °C, 0 %): the sensor is likely disconnected" };
  }
  return { ok: true, sample: { temperatureC, humidityPct } };
}

/**
 * Parses one IIO "processed" sysfs value: a whole number of milli-units (the kernel's dht11
 * driver writes e.g. "23400\n" for 23.4 °C, "-5300\n" for -5.3 °C, "45600\n" for 45.6 %RH).
 * Returns undefined for anything else (empty, a fraction, text).
 */
export function parseMilli(text: string): number | undefined {
  const t = text.trim();
  if (!/^-?\d{1,9}$/.test(t)) return undefined;
  const n = Number(t);
  return n === 0 ? 0 : n;
}

/**
 * Converts the kernel's milli-units (in_temp_input in m°C, in_humidityrelative_input in
 * m%RH) to a validated sample, with the same checks as every other DHT22 frame (toSample).
 */
export function milliToSample(temperatureMilliC: number, humidityMilliPct: number): SampleResult {
  return toSample(temperatureMilliC / 1000, humidityMilliPct / 1000);
}

/**
 * Whether `next` is a believable successor of `previous`, read `elapsedMs` later.
 * A jump of more than the limits within one interval is implausible (a glitch that passed
 * the checksum); over longer gaps the allowed change scales with the number of intervals.
 */
export function checkJump(
  previous: ClimateSample,
  next: ClimateSample,
  elapsedMs: number,
  limits: JumpLimits = DEFAULT_JUMP_LIMITS,
): SampleResult {
  const intervals = Math.max(1, Number.isFinite(elapsedMs) ? elapsedMs / limits.intervalMs : 1);
  const dT = Math.abs(next.temperatureC - previous.temperatureC);
  const dH = Math.abs(next.humidityPct - previous.humidityPct);
  const maxT = limits.temperatureC * intervals;
  const maxH = limits.humidityPct * intervals;
  if (dT > maxT) {
    return {
      ok: false,
      reason: `temperature jumped ${roundToTenth(dT)} °C (${previous.temperatureC} -> ${next.temperatureC}), more than ${roundToTenth(maxT)} °C allowed`,
    };
  }
  if (dH > maxH) {
    return {
      ok: false,
      reason: `humidity jumped ${roundToTenth(dH)} % (${previous.humidityPct} -> ${next.humidityPct}), more than ${roundToTenth(maxH)} % allowed`,
    };
  }
  return { ok: true, sample: next };
}

/**
 * Dew point in °C from temperature (°C) and relative humidity (%), Magnus formula with the
 * Sonntag (1990) constants (a = 17.62, b = 243.12 °C; good to ±0.35 °C over -45..60 °C).
 * Not rounded. Returns NaN for humidity <= 0 or non-finite input.
 */
export function dewPointC(temperatureC: number, humidityPct: number): number {
  if (!Number.isFinite(temperatureC) || !Number.isFinite(humidityPct) || humidityPct <= 0) return Number.NaN;
  const a = 17.62;
  const b = 243.12;
  const gamma = Math.log(Math.min(humidityPct, 100) / 100) + (a * temperatureC) / (b + temperatureC);
  return (b * gamma) / (a - gamma);
}
