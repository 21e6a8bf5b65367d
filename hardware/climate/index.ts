/**
 * Climate drivers by name, probes, and the choice main.ts makes from HARDWARE.
 *
 *   selectClimateSensor({ mode, pin, clock }) -> Promise<{ sensor, reason? }>
 *     sim  -> the simulator.
 *     real -> in this order:
 *             1. the kernel's IIO dht11 device for DHT_PIN (dtoverlay=dht11,gpiopin=PIN): every
 *                Pi and OS, the one for a Pi 5 or Trixie. Chosen when the device exists;
 *                one reading is taken, and a failure keeps it, with `reason` as a warning.
 *             2. node-dht-sensor (Pi 1-4, Bookworm), probed once (no retries).
 *             Neither usable (no overlay; no library or no GPIO) -> rejects with
 *             ClimateSensorError "unavailable" saying why for both, so start-up stops.
 *     auto -> the same order; neither usable -> the simulator, with `reason` saying why.
 *             A Pi whose sensor answers badly (checksum, timeout, implausible) keeps the real
 *             driver, with `reason` as a warning: silently switching a real server room to
 *             invented temperatures would be worse than failing reads.
 *   createClimateSensor(name, opts) -> a driver by name ("dht22-iio" | "dht22" | "sim"), no I/O.
 *   probeDht22Iio(opts) -> the IIO device and one reading, or the error code with a fix hint
 *                          (for `npm run doctor`).
 *   probeDht22(opts) -> one read through a throw-away node-dht-sensor driver: works or why not.
 */

import type { ClimateErrorCode, ClimateSample, ClimateSensor } from "../../core/climate/sensor.ts";
import { ClimateSensorError } from "../../core/climate/sensor.ts";
import type { Clock } from "../../core/clock.ts";
import { messageOf } from "../errors.ts";
import { createByName, type HardwareMode, pickDevice, reasonsOf } from "../select.ts";
import { createDht22Sensor, type Dht22Options } from "./dht22.ts";
import { createDht22IioSensor, type Dht22IioOptions, findDht11IioDevice } from "./dht22-iio.ts";
import { createSimulatedClimateSensor, type SimulatedClimateOptions } from "./simulator.ts";

export {
  type ClimateErrorCode,
  type ClimateSample,
  type ClimateSensor,
  ClimateSensorError,
} from "../../core/climate/sensor.ts";
export { createDht22Sensor, type Dht22Options, type DhtLibrary } from "./dht22.ts";
export {
  CONFIG_TXT,
  createDht22IioSensor,
  DHT22_IIO_DEFAULTS,
  type Dht11IioDevice,
  type Dht11IioLookup,
  type Dht22IioOptions,
  type Dht22IioProbe,
  dht11OverlayLine,
  type FindDht11Options,
  findDht11IioDevice,
  gpioFromDtGpios,
  IIO_DEVICES_DIR,
  nodeSysfs,
  probeDht22Iio,
  type SysfsReader,
} from "./dht22-iio.ts";
export {
  createSimulatedClimateSensor,
  type SimulatedClimateOptions,
  type SimulatedClimateSensor,
} from "./simulator.ts";

export interface ClimateSensorOptions {
  /** BCM GPIO number of the DHT22 data line (DHT_PIN; both DHT22 drivers; default 4). */
  pin?: number;
  /** Passed to every driver (pacing, jump check, simulated day/night). */
  clock?: Clock;
  /** Further options for the kernel IIO driver (e.g. `sysfsRoot` for a fake tree). */
  dht22Iio?: Omit<Dht22IioOptions, "pin" | "clock">;
  /** Further options for the node-dht-sensor driver. */
  dht22?: Omit<Dht22Options, "pin" | "clock">;
  /** Further options for the simulator. */
  sim?: Omit<SimulatedClimateOptions, "clock">;
}

const drivers = {
  "dht22-iio": (o: ClimateSensorOptions): ClimateSensor =>
    createDht22IioSensor({ ...o.dht22Iio, pin: o.pin ?? 4, ...(o.clock ? { clock: o.clock } : {}) }),
  dht22: (o: ClimateSensorOptions): ClimateSensor =>
    createDht22Sensor({ ...o.dht22, pin: o.pin ?? 4, ...(o.clock ? { clock: o.clock } : {}) }),
  sim: (o: ClimateSensorOptions): ClimateSensor =>
    createSimulatedClimateSensor({ ...o.sim, ...(o.clock ? { clock: o.clock } : {}) }),
} as const satisfies Record<string, (o: ClimateSensorOptions) => ClimateSensor>;

export type ClimateDriverName = keyof typeof drivers;
export const CLIMATE_DRIVERS = Object.keys(drivers) as ClimateDriverName[];

/** Creates the climate driver called `name` ("dht22-iio", "dht22" or "sim"); does no I/O. */
export function createClimateSensor(name: string, opts: ClimateSensorOptions = {}): ClimateSensor {
  return createByName("climate", drivers, name, opts);
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
    return { available: false, code: "unavailable", reason: messageOf(e) };
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

export type { HardwareMode } from "../select.ts";

export interface SelectClimateOptions {
  mode: HardwareMode;
  /** BCM GPIO number of the DHT22 data line (DHT_PIN); the IIO overlay's gpiopin must match it. */
  pin: number;
  clock?: Clock;
  dht22Iio?: Omit<Dht22IioOptions, "pin" | "clock">;
  dht22?: Omit<Dht22Options, "pin" | "clock">;
  sim?: Omit<SimulatedClimateOptions, "clock">;
}

export interface SelectedClimateSensor {
  sensor: ClimateSensor;
  /** Which driver was chosen and why, or a warning about it; for the start-up log. */
  reason?: string;
}

/** Picks the climate driver for HARDWARE=auto|real|sim (see the top of this file). */
export async function selectClimateSensor(opts: SelectClimateOptions): Promise<SelectedClimateSensor> {
  const factoryOpts: ClimateSensorOptions = {
    pin: opts.pin,
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.dht22Iio ? { dht22Iio: opts.dht22Iio } : {}),
    ...(opts.dht22 ? { dht22: opts.dht22 } : {}),
    ...(opts.sim ? { sim: opts.sim } : {}),
  };
  const { device, reason } = await pickDevice<ClimateSensor>({
    mode: opts.mode,
    device: "DHT22",
    check() {
      createClimateSensor("dht22-iio", factoryOpts);
      createClimateSensor("dht22", factoryOpts);
    },
    candidates: [
      async () => {
        const iio = await findDht11IioDevice({
          pin: opts.pin,
          ...(opts.dht22Iio?.sysfsRoot !== undefined ? { sysfsRoot: opts.dht22Iio.sysfsRoot } : {}),
          ...(opts.dht22Iio?.fs ? { fs: opts.dht22Iio.fs } : {}),
        });
        if (!iio.found) return { skip: `${iio.reason}: ${iio.hint}` };
        const { dir, name, gpio } = iio.device;
        const sensor = createClimateSensor("dht22-iio", factoryOpts);
        const which = `kernel IIO driver: ${dir} (${name}, GPIO ${gpio ?? `${opts.pin}, not confirmed by the device tree`})`;
        try {
          await sensor.read();
          return { use: sensor, reason: which };
        } catch (e) {
          const why = e instanceof ClimateSensorError ? `(${e.code}): ${e.message}` : `: ${String(e)}`;
          return { use: sensor, reason: `${which}; its first reading failed ${why}` };
        }
      },
      async (skipped) => {
        const probe = await probeDht22({
          ...opts.dht22,
          pin: opts.pin,
          retries: 0,
          ...(opts.clock ? { clock: opts.clock } : {}),
        });
        if (!probe.available && probe.code === "unavailable") return { skip: `node-dht-sensor: ${probe.reason}` };
        const sensor = createClimateSensor("dht22", factoryOpts);
        const which = `node-dht-sensor on GPIO ${opts.pin}, since ${reasonsOf(skipped)}`;
        if (probe.available) return { use: sensor, reason: which };
        return { use: sensor, reason: `${which}; the first DHT22 reading failed (${probe.code}): ${probe.reason}` };
      },
    ],
    simulator: () => createClimateSensor("sim", factoryOpts),
    unavailable: (message) => new ClimateSensorError("unavailable", message),
  });
  return { sensor: device, ...(reason !== undefined ? { reason } : {}) };
}
