/**
 * Card reader drivers by name, and the choice main.ts makes from HARDWARE.
 *
 *   selectCardReader({ mode, ...opts }) -> Promise<{ reader, reason? }>
 *     sim  -> the simulator.
 *     real -> the MFRC522; rejects when the library is missing or this is not a Pi with
 *             GPIO access, so start-up stops and says why.
 *     auto -> probes the MFRC522 once (load the library, check the board, open the pins,
 *             read the version register); no library or no GPIO -> the simulator, with
 *             `reason` saying why. A Pi whose chip does not answer (wiring, power) keeps the
 *             MFRC522, with `reason` as a warning: its watchdog then reports it "dead",
 *             which is what the room needs to hear, rather than a door that silently
 *             accepts invented taps.
 *   createCardReader(name, opts) -> a driver by name ("mfrc522-rpi" | "sim"), no I/O.
 */
import type { Clock } from "../../core/clock.ts";
import { createMfrc522RpiReader, type Mfrc522RpiOptions, probeMfrc522Rpi } from "./mfrc522-rpi.ts";
import type { CardReader } from "./port.ts";
import { createSimulatedCardReader } from "./simulator.ts";

export { createTapDebouncer, type TapDebouncer } from "./debounce.ts";
export {
  createMfrc522RpiReader,
  gpioAccessProblem,
  loadMfrc522RpiLibrary,
  MFRC522_RPI_DEFAULTS,
  type Mfrc522RpiChip,
  type Mfrc522RpiLibrary,
  type Mfrc522RpiOptions,
  type Mfrc522RpiProbe,
  type Mfrc522RpiReader,
  probeMfrc522Rpi,
} from "./mfrc522-rpi.ts";
export { CARD_READER_DEFAULTS, type PollTimers } from "./polling.ts";
export type { CardReader, CardReaderEvent, CardUid } from "./port.ts";
export {
  createSimulatedCardReader,
  type SimulatedCardReader,
  type SimulatedCardReaderOptions,
} from "./simulator.ts";
export { formatUid, normalizeUid } from "./uid.ts";

export interface CardReaderOptions {
  /** Passed to both drivers (event times, debounce, watchdog). */
  clock?: Clock;
  /** Passed to both drivers (default 1500 ms). */
  debounceMs?: number;
  /** Further options for the mfrc522-rpi driver. */
  mfrc522Rpi?: Omit<Mfrc522RpiOptions, "clock" | "debounceMs">;
}

const drivers = {
  "mfrc522-rpi": (o: CardReaderOptions): CardReader =>
    createMfrc522RpiReader({
      ...o.mfrc522Rpi,
      ...(o.clock ? { clock: o.clock } : {}),
      ...(o.debounceMs !== undefined ? { debounceMs: o.debounceMs } : {}),
    }),
  sim: (o: CardReaderOptions): CardReader =>
    createSimulatedCardReader({
      ...(o.clock ? { clock: o.clock } : {}),
      ...(o.debounceMs !== undefined ? { debounceMs: o.debounceMs } : {}),
    }),
} as const satisfies Record<string, (o: CardReaderOptions) => CardReader>;

export type CardReaderDriverName = keyof typeof drivers;
export const CARD_READER_DRIVERS = Object.keys(drivers) as CardReaderDriverName[];

/** Creates the card reader driver called `name` ("mfrc522-rpi" or "sim"); does no I/O. */
export function createCardReader(name: string, opts: CardReaderOptions = {}): CardReader {
  if (!Object.hasOwn(drivers, name)) {
    throw new Error(`unknown card reader driver "${name}"; valid drivers: ${CARD_READER_DRIVERS.join(", ")}`);
  }
  return drivers[name as CardReaderDriverName](opts);
}

export type HardwareMode = "auto" | "real" | "sim";

export interface SelectCardReaderOptions extends CardReaderOptions {
  mode: HardwareMode;
}

export interface SelectedCardReader {
  reader: CardReader;
  /** Why this driver was chosen, or a warning about it; for the start-up log. */
  reason?: string;
}

/** Picks the card reader for HARDWARE=auto|real|sim (see the top of this file). */
export async function selectCardReader(opts: SelectCardReaderOptions): Promise<SelectedCardReader> {
  const { mode, ...factoryOpts } = opts;
  if (mode === "sim") return { reader: createCardReader("sim", factoryOpts), reason: "HARDWARE=sim" };
  if (mode !== "auto" && mode !== "real") {
    throw new Error(`unknown hardware mode "${String(mode)}"; valid modes: auto, real, sim`);
  }

  // bad options are a configuration error in every mode: this throws a RangeError before any probing
  const reader = createCardReader("mfrc522-rpi", factoryOpts);
  const probe = await probeMfrc522Rpi(factoryOpts.mfrc522Rpi);
  if (!probe.available) {
    if (mode === "real") throw new Error(`HARDWARE=real, but the MFRC522 card reader cannot be used: ${probe.reason}`);
    return {
      reader: createCardReader("sim", factoryOpts),
      reason: `HARDWARE=auto and no usable MFRC522 card reader, using the simulator: ${probe.reason}`,
    };
  }
  if (probe.answering) return { reader };
  return { reader, reason: `the MFRC522 card reader does not answer yet: ${probe.reason}` };
}
