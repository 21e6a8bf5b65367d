/**
 * Climate drivers by name, a probe, and the choice main.ts makes from HARDWARE.
 *
 *   selectClimateSensor({ mode, pin, clock }) -> Promise<{ sensor, reason? }>
 *     sim  -> the simulator.
 *     real -> the DHT22; rejects (ClimateSensorError "unavailable") when there is no library
 *             or no GPIO, so start-up stops and says why.
 *     auto -> probes the DHT22 once (no retries); no library or no GPIO -> the simulator,
 *             with `reason` saying why. A Pi whose sensor answers badly (checksum, timeout,
 *             implausible) keeps the DHT22, with `reason` as a warning: silently switching a
 *             real server room to invented temperatures would be worse than failing reads.
 *   createClimateSensor(name, opts) -> a driver by name ("dht22" | "sim"), no I/O.
 *   probeDht22(opts) -> one read through a throw-away DHT22 driver: works or why not.
 */
import type { Clock } from "../../core/clock.ts";
import { createDht22Sensor, type Dht22Options } from "./dht22.ts";
import type { ClimateErrorCode, ClimateSample, ClimateSensor } from "./port.ts";
import { ClimateSensorError } from "./port.ts";
import { createSimulatedClimateSensor, type SimulatedClimateOptions } from "./simulator.ts";

export { createDht22Sensor, type Dht22Options, type DhtLibrary } from "./dht22.ts";
export { type ClimateErrorCode, type ClimateSample, type ClimateSensor, ClimateSensorError } from "./port.ts";
export {
  createSimulatedClimateSensor,
  type SimulatedClimateOptions,
  type SimulatedClimateSensor,
} from "./simulator.ts";

export interface ClimateSensorOptions {
  /** BCM GPIO number of the DHT22 data line (dht22 only; default 4). */
  pin?: number;
  /** Passed to both drivers (jump check, simulated day/night). */
  clock?: Clock;
  /** Further options for the DHT22 driver. */
  dht22?: Omit<Dht22Options, "pin" | "clock">;
  /** Further options for the simulator. */
  sim?: Omit<SimulatedClimateOptions, "clock">;
}

const drivers = {
  dht22: (o: ClimateSensorOptions): ClimateSensor =>
    createDht22Sensor({ ...o.dht22, pin: o.pin ?? 4, ...(o.clock ? { clock: o.clock } : {}) }),
  sim: (o: ClimateSensorOptions): ClimateSensor =>
    createSimulatedClimateSensor({ ...o.sim, ...(o.clock ? { clock: o.clock } : {}) }),
} as const satisfies Record<string, (o: ClimateSensorOptions) => ClimateSensor>;

export type ClimateDriverName = keyof typeof drivers;
export const CLIMATE_DRIVERS = Object.keys(drivers) as ClimateDriverName[];

/** Creates the climate driver called `name` ("dht22" or "sim"); does no I/O. */
export function createClimateSensor(name: string, opts: ClimateSensorOptions = {}): ClimateSensor {
  if (!Object.hasOwn(drivers, name)) {
    throw new Error(`unknown climate driver "${name}"; valid drivers: ${CLIMATE_DRIVERS.join(", ")}`);
  }
  return drivers[name as ClimateDriverName](opts);
}

export type Dht22Probe =
  | { available: true; sample: ClimateSample }
  | { available: false; code: ClimateErrorCode; reason: string };

/**
 * probeDht22(opts) -> { available: true, sample } | { available: false, code, reason }
 *
 * Tries the real DHT22 once (one read with the driver's retries, then closes it) and says
 * whether it works. `code` "unavailable" means no library or no GPIO (not a Pi): fall back
 * to the simulator. Any other code means the Pi is there but the sensor misbehaves (wiring,
 * power): worth a loud warning even if main.ts falls back. Never rejects.
 * Pass `{ pin, retries: 0 }` for a quick probe (a few seconds at most on a Pi).
 */
export async function probeDht22(opts: Dht22Options): Promise<Dht22Probe> {
  let sensor: ClimateSensor;
  try {
    sensor = createDht22Sensor(opts);
  } catch (e) {
    return { available: false, code: "unavailable", reason: e instanceof Error ? e.message : String(e) };
  }
  try {
    return { available: true, sample: await sensor.read() };
  } catch (e) {
    if (e instanceof ClimateSensorError) return { available: false, code: e.code, reason: e.message };
    return { available: false, code: "unavailable", reason: String(e) };
  } finally {
    await sensor.close();
  }
}

export type HardwareMode = "auto" | "real" | "sim";

export interface SelectClimateOptions {
  mode: HardwareMode;
  /** BCM GPIO number of the DHT22 data line. */
  pin: number;
  clock?: Clock;
  dht22?: Omit<Dht22Options, "pin" | "clock">;
  sim?: Omit<SimulatedClimateOptions, "clock">;
}

export interface SelectedClimateSensor {
  sensor: ClimateSensor;
  /** Why this driver was chosen, or a warning about it; for the start-up log. */
  reason?: string;
}

/** Picks the climate driver for HARDWARE=auto|real|sim (see the top of this file). */
export async function selectClimateSensor(opts: SelectClimateOptions): Promise<SelectedClimateSensor> {
  const factoryOpts: ClimateSensorOptions = {
    pin: opts.pin,
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.dht22 ? { dht22: opts.dht22 } : {}),
    ...(opts.sim ? { sim: opts.sim } : {}),
  };
  if (opts.mode === "sim") return { sensor: createClimateSensor("sim", factoryOpts), reason: "HARDWARE=sim" };

  const probe = await probeDht22({
    ...opts.dht22,
    pin: opts.pin,
    retries: 0,
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  if (!probe.available && probe.code === "unavailable") {
    if (opts.mode === "real") {
      throw new ClimateSensorError("unavailable", `HARDWARE=real, but the DHT22 cannot be used: ${probe.reason}`);
    }
    return {
      sensor: createClimateSensor("sim", factoryOpts),
      reason: `HARDWARE=auto and no usable DHT22, using the simulator: ${probe.reason}`,
    };
  }
  const sensor = createClimateSensor("dht22", factoryOpts);
  if (probe.available) return { sensor };
  return { sensor, reason: `the first DHT22 reading failed (${probe.code}): ${probe.reason}` };
}
