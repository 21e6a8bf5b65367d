/**
 * How every device is chosen: by name from a lookup map (createByName), and from HARDWARE
 * (pickDevice), the same way for the climate sensor, the card reader, the LCD, the camera
 * and the motion sensor.
 *
 *   createByName(what, drivers, name, opts) -> drivers[name](opts); an unknown name throws
 *     listing the valid ones ('unknown camera driver "x"; valid drivers: rpicam, v4l2, sim').
 *   pickDevice({ mode, device, candidates, simulator, ... }) -> Promise<{ device, reason? }>
 *     sim  -> the simulator, reason "HARDWARE=sim".
 *     auto -> `check()` (bad options throw in every mode but sim, before any probing), then
 *             the real drivers in order: the first that can be used is taken, with its
 *             reason; none -> the simulator, with a reason saying why for each of them.
 *     real -> the same order; none -> rejects with the reasons (the start-up stops).
 *     Anything else -> throws 'unknown hardware mode "x"; valid modes: auto, real, sim'.
 *   A candidate that must not be passed over in real mode (a device that was configured, so
 *   is meant to work) throws its own refusal instead of returning `{ skip }`.
 */

/** HARDWARE: every device real where it can be (auto), real or refuse to start (real), simulated (sim). */
export type HardwareMode = "auto" | "real" | "sim";

export const HARDWARE_MODES: readonly HardwareMode[] = ["auto", "real", "sim"];

/**
 * `drivers[name](opts)`: the driver called `name`, made by its factory. Throws, naming `what`
 * ("climate", "card reader"...) and listing the valid names, when there is no such driver.
 */
export function createByName<O, D>(
  what: string,
  drivers: Readonly<Record<string, (opts: O) => D>>,
  name: string,
  opts: O,
): D {
  const make = Object.hasOwn(drivers, name) ? drivers[name] : undefined;
  if (!make) {
    throw new Error(`unknown ${what} driver "${name}"; valid drivers: ${Object.keys(drivers).join(", ")}`);
  }
  return make(opts);
}

/**
 * What trying one real driver gave: the device to use (and why, or a warning about it), or
 * why it cannot be used (`reason` texts of the skipped drivers are joined with "; ").
 */
export type CandidateOutcome<D> = { use: D; reason?: string } | { skip: string; cause?: unknown };

export interface Skipped {
  /** Why that driver cannot be used. */
  reason: string;
  /** The error behind it, if any. */
  cause?: unknown;
}

/** The reasons of skipped drivers, joined with "; " (the <why> of the messages below). */
export function reasonsOf(skipped: readonly Skipped[]): string {
  return skipped.map((s) => s.reason).join("; ");
}

export interface DeviceChoice<D> {
  mode: HardwareMode;
  /** The device as messages name it: "DHT22", "LCD", "MFRC522 card reader". */
  device: string;
  /** Bad options throw here (RangeError), in auto and real alike, before any probing. */
  check?: () => void;
  /**
   * The real drivers, best first. Each probes once and says whether it can be used; it is
   * told why the ones before it were skipped.
   */
  candidates: readonly ((skipped: readonly Skipped[]) => Promise<CandidateOutcome<D>>)[];
  /** Makes the simulator (sim, and auto when no real driver can be used). */
  simulator: () => D;
  /** Builds the error HARDWARE=real rejects with (default: Error); gets the last skip's cause. */
  unavailable?: (message: string, cause: unknown) => Error;
  /** The message of that error (default: "HARDWARE=real, but the <device> cannot be used: <why>"). */
  refusal?: (why: string) => string;
  /** The reason given with the simulator (default: "HARDWARE=auto and no usable <device>, using the simulator: <why>"). */
  fallback?: (why: string) => string;
}

export interface PickedDevice<D> {
  device: D;
  /** Which driver was chosen and why, or a warning about it; for the start-up log. */
  reason?: string;
}

/** Picks the device for HARDWARE=auto|real|sim (see the top of this file). */
export async function pickDevice<D>(choice: DeviceChoice<D>): Promise<PickedDevice<D>> {
  const { mode } = choice;
  if (mode === "sim") return { device: choice.simulator(), reason: "HARDWARE=sim" };
  if (mode !== "auto" && mode !== "real") {
    throw new Error(`unknown hardware mode "${String(mode)}"; valid modes: ${HARDWARE_MODES.join(", ")}`);
  }
  choice.check?.();
  const skipped: Skipped[] = [];
  for (const candidate of choice.candidates) {
    const outcome = await candidate(skipped);
    if ("use" in outcome) {
      return { device: outcome.use, ...(outcome.reason !== undefined ? { reason: outcome.reason } : {}) };
    }
    skipped.push({ reason: outcome.skip, ...(outcome.cause !== undefined ? { cause: outcome.cause } : {}) });
  }
  const why = reasonsOf(skipped);
  if (mode === "real") {
    const message = choice.refusal
      ? choice.refusal(why)
      : `HARDWARE=real, but the ${choice.device} cannot be used: ${why}`;
    const cause = skipped[skipped.length - 1]?.cause;
    throw choice.unavailable
      ? choice.unavailable(message, cause)
      : new Error(message, cause === undefined ? undefined : { cause });
  }
  return {
    device: choice.simulator(),
    reason: choice.fallback
      ? choice.fallback(why)
      : `HARDWARE=auto and no usable ${choice.device}, using the simulator: ${why}`,
  };
}
