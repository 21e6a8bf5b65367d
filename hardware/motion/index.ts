/**
 * Motion drivers by name, and the choice main.ts makes from HARDWARE.
 *
 *   selectMotionSensor({ mode, pirPin?, camera?, ...opts }) -> Promise<{ sensor, reason? }>
 *     sim  -> the simulator.
 *     auto -> with `pirPin`: the PIR over the GPIO character device ("pir-gpiod": libgpiod's
 *             gpiomon) when probePirGpiod() finds the tools, the chip and a readable line;
 *             else, only where the kernel still has sysfs GPIO, the PIR through onoff ("pir")
 *             when probePir() can open the pin. Failing those (or without `pirPin`), frame
 *             differencing on `camera` when it is a real camera (driver not "sim": a
 *             simulated camera draws its own pictures); else the simulator. `reason` says
 *             which and why.
 *     real -> the same order, but never the simulator: a `pirPin` that neither PIR driver
 *             can use rejects (it was configured, so it is meant to work; no silent fallback
 *             to the camera), and neither a PIR pin nor a real camera rejects, saying what to set.
 *   createMotionSensor(name, opts) -> a driver by name ("pir-gpiod" | "pir" | "camera" |
 *             "sim"), no I/O.
 *   probePirGpiod(pin, opts), probePir(pin, opts) -> what `npm run doctor` reports: the
 *             tools and their version, the chip, the line read once (or why not).
 *
 * Bad options (a pin off the header, a zero interval...) throw a RangeError in every mode,
 * before any probing.
 */

import type { Camera } from "../../core/camera/camera.ts";
import type { Clock } from "../../core/clock.ts";
import type { MotionSensor } from "../../core/motion/sensor.ts";
import {
  type CandidateOutcome,
  createByName,
  type HardwareMode,
  pickDevice,
  reasonsOf,
  type Skipped,
} from "../select.ts";
import { type CameraMotionOptions, createCameraMotionSensor } from "./camera-motion.ts";
import { createPirMotionSensor, PIR_DEFAULTS, type PirOptions, probePir, sysfsGpioPresent } from "./pir.ts";
import { createGpiodPirMotionSensor, type GpiodPirOptions, probePirGpiod } from "./pir-gpiod.ts";
import { createSimulatedMotionSensor } from "./simulator.ts";

export type { MotionEvent, MotionSensor } from "../../core/motion/sensor.ts";
export type { PollTimers } from "../polling.ts";
export {
  CAMERA_MOTION_DEFAULTS,
  type CameraMotionOptions,
  type CameraMotionSensor,
  createCameraMotionSensor,
} from "./camera-motion.ts";
export { createRetriggerGuard, MOTION_COOLDOWN_MS, type RetriggerGuard } from "./cooldown.ts";
export {
  type CompareOptions,
  compareFrames,
  createFrameDiffDetector,
  FRAME_DIFF_DEFAULTS,
  type FrameDiffDetector,
  type FrameDiffDetectorOptions,
  type FrameDiffResult,
  type GreyFrame,
  type PrepareFrameOptions,
  prepareFrame,
} from "./frame-diff.ts";
export {
  GPIO_GROUP_HINT,
  GPIOD_INSTALL_HINT,
  type GpioChipInfo,
  type GpiodVersion,
  HEADER_CHIP_LABELS,
  parseGpiodetect,
  parseGpiodVersion,
  parseGpiomonLine,
  pickHeaderChip,
} from "./gpiod-tools.ts";
export {
  createPirMotionSensor,
  detectGpioOffset,
  type GpioClass,
  type GpioOffset,
  type GpioPin,
  type GpioValue,
  type GpioWatchCallback,
  loadOnoffLibrary,
  type OnoffLibrary,
  PIR_DEFAULTS,
  type PirMotionSensor,
  type PirOptions,
  type PirProbe,
  probePir,
  sysfsGpioPresent,
} from "./pir.ts";
export {
  createGpiodPirMotionSensor,
  type GpiodPirMotionSensor,
  type GpiodPirOptions,
  type GpiodSetup,
  PIR_GPIOD_DEFAULTS,
  type PirGpiodProbe,
  probePirGpiod,
} from "./pir-gpiod.ts";
export {
  createSimulatedMotionSensor,
  type SimulatedMotionOptions,
  type SimulatedMotionSensor,
} from "./simulator.ts";

export interface MotionSensorOptions {
  /** Passed to every driver (event times, cooldown). */
  clock?: Clock;
  /** Passed to every driver (default 30 s). */
  cooldownMs?: number;
  /** BCM GPIO pin of the PIR's output (the "pir-gpiod" and "pir" drivers need it). */
  pirPin?: number;
  /** The camera to difference frames from (the "camera" driver needs it). */
  camera?: Camera;
  /** Further options for the PIR driver over libgpiod's tools (chip, tools' environment, restarts). */
  pirGpiod?: Omit<GpiodPirOptions, "pin" | "clock" | "cooldownMs">;
  /** Further options for the PIR driver over sysfs GPIO (onoff). */
  pir?: Omit<PirOptions, "pin" | "clock" | "cooldownMs">;
  /** Further options for the camera driver (interval, threshold, timers...). */
  cameraMotion?: Omit<CameraMotionOptions, "camera" | "clock" | "cooldownMs">;
}

const shared = (o: MotionSensorOptions) => ({
  ...(o.clock ? { clock: o.clock } : {}),
  ...(o.cooldownMs !== undefined ? { cooldownMs: o.cooldownMs } : {}),
});

const drivers = {
  "pir-gpiod": (o: MotionSensorOptions): MotionSensor => {
    if (o.pirPin === undefined) {
      throw new Error('the "pir-gpiod" motion driver needs `pirPin` (the BCM GPIO of the PIR)');
    }
    return createGpiodPirMotionSensor({ ...o.pirGpiod, ...shared(o), pin: o.pirPin });
  },
  pir: (o: MotionSensorOptions): MotionSensor => {
    if (o.pirPin === undefined) throw new Error('the "pir" motion driver needs `pirPin` (the BCM GPIO of the PIR)');
    return createPirMotionSensor({ ...o.pir, ...shared(o), pin: o.pirPin });
  },
  camera: (o: MotionSensorOptions): MotionSensor => {
    if (!o.camera) throw new Error('the "camera" motion driver needs `camera`');
    return createCameraMotionSensor({ ...o.cameraMotion, ...shared(o), camera: o.camera });
  },
  sim: (o: MotionSensorOptions): MotionSensor => createSimulatedMotionSensor(shared(o)),
} as const satisfies Record<string, (o: MotionSensorOptions) => MotionSensor>;

export type MotionDriverName = keyof typeof drivers;
export const MOTION_DRIVERS = Object.keys(drivers) as MotionDriverName[];

/** Creates the motion driver called `name` ("pir-gpiod", "pir", "camera" or "sim"); does no I/O. */
export function createMotionSensor(name: string, opts: MotionSensorOptions = {}): MotionSensor {
  return createByName("motion", drivers, name, opts);
}

export type { HardwareMode } from "../select.ts";

export interface SelectMotionSensorOptions extends MotionSensorOptions {
  mode: HardwareMode;
}

export interface SelectedMotionSensor {
  sensor: MotionSensor;
  /** Why this driver was chosen, or a warning about it; for the start-up log. */
  reason?: string;
}

/** Picks the motion sensor for HARDWARE=auto|real|sim (see the top of this file). */
export async function selectMotionSensor(opts: SelectMotionSensorOptions): Promise<SelectedMotionSensor> {
  const { mode, ...factoryOpts } = opts;
  const pin = factoryOpts.pirPin;
  const camera = factoryOpts.camera && factoryOpts.camera.driver !== "sim" ? factoryOpts.camera : undefined;
  const pirCandidates = (pin: number): ((skipped: readonly Skipped[]) => Promise<CandidateOutcome<MotionSensor>>)[] => [
    async () => {
      const gpiod = await probePirGpiod(pin, factoryOpts.pirGpiod);
      if (!gpiod.available) return { skip: gpiod.reason };
      return {
        use: createMotionSensor("pir-gpiod", factoryOpts),
        reason:
          `PIR on GPIO ${pin} over the GPIO character device: gpiomon ${gpiod.version} on ${gpiod.chip}` +
          `${gpiod.chipLabel ? ` [${gpiod.chipLabel}]` : ""}, line ${gpiod.line}`,
      };
    },
    async (skipped) => {
      const sysfsRoot = factoryOpts.pir?.sysfsGpioRoot ?? PIR_DEFAULTS.sysfsGpioRoot;
      let problem: string;
      if (await sysfsGpioPresent(sysfsRoot)) {
        const probe = await probePir(pin, factoryOpts.pir);
        if (probe.available) {
          return {
            use: createMotionSensor("pir", factoryOpts),
            reason:
              `libgpiod's tools cannot watch the PIR (${reasonsOf(skipped)}); using sysfs GPIO ${probe.sysfsGpio} ` +
              "through onoff instead",
          };
        }
        problem = probe.reason;
      } else {
        problem = `this kernel has no sysfs GPIO (${sysfsRoot}) for the onoff fallback`;
      }
      // a configured PIR is meant to work: no silent fallback to the camera
      if (mode === "real") {
        const why = reasonsOf([...skipped, { reason: problem }]);
        throw new Error(`HARDWARE=real, but the PIR motion sensor cannot be used: ${why}`);
      }
      return { skip: problem };
    },
  ];
  const noPir = (why: string) =>
    pin !== undefined ? `the PIR cannot be used (${why})` : "no PIR pin configured (MOTION_PIR_PIN)";
  const noCamera = factoryOpts.camera ? "the camera is simulated (frame difference needs a real camera)" : "no camera";
  const { device, reason } = await pickDevice<MotionSensor>({
    mode,
    device: "motion sensor",
    check() {
      if (pin !== undefined) {
        createMotionSensor("pir-gpiod", factoryOpts);
        createMotionSensor("pir", factoryOpts);
      }
      if (camera) createMotionSensor("camera", factoryOpts);
    },
    candidates: [
      ...(pin !== undefined ? pirCandidates(pin) : []),
      ...(camera
        ? [
            async (skipped: readonly Skipped[]): Promise<CandidateOutcome<MotionSensor>> => ({
              use: createMotionSensor("camera", factoryOpts),
              reason:
                skipped.length > 0
                  ? "HARDWARE=auto and the PIR motion sensor cannot be used, detecting motion by frame difference " +
                    `on the ${camera.driver} camera instead: ${reasonsOf(skipped)}`
                  : `no PIR pin configured (MOTION_PIR_PIN): detecting motion by frame difference on the ${camera.driver} camera`,
            }),
          ]
        : []),
    ],
    simulator: () => createMotionSensor("sim", factoryOpts),
    refusal: (why) =>
      `HARDWARE=real, but there is no motion sensor: ${noPir(why)}, and ${noCamera}. Set MOTION_PIR_PIN to the ` +
      "BCM GPIO pin of a PIR sensor, connect a camera, or set HARDWARE=sim.",
    fallback: (why) => `HARDWARE=auto and no motion sensor, using the simulator: ${noPir(why)}; ${noCamera}`,
  });
  return { sensor: device, ...(reason !== undefined ? { reason } : {}) };
}
