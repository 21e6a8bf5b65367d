/**
 * Card reader drivers by name, the chip probe, and the choice main.ts makes from HARDWARE
 * and CARD_DRIVER.
 *
 *   selectCardReader({ mode, driver, ...opts }) -> Promise<{ reader, reason }>
 *     sim  -> the simulator.
 *     driver "mfrc522" (the default, on every Pi: the MFRC522 through the kernel's
 *     /dev/spidev; mfrc522-spidev.ts):
 *       real -> rejects when the SPI device cannot be opened (spi-device missing, SPI off,
 *               no permission), with the fix, so start-up stops and says why.
 *       auto -> probes the chip once (open the device, read VersionReg, close); cannot open
 *               -> the simulator, `reason` saying why. A chip that does not answer (wiring,
 *               power) keeps the driver, `reason` as a warning: its watchdog then reports
 *               it "dead", which is what the room needs to hear, rather than a door that
 *               silently accepts invented taps.
 *     driver "mfrc522-rpi" (by name only, for Pi 1-4: mfrc522-rpi.ts, rpio underneath):
 *       the same choices after its own probe (library, board, /dev/gpiomem, VersionReg).
 *       Never on a Pi 5 (rpio cannot drive it, node-rpio #179): real rejects and names
 *       CARD_DRIVER=mfrc522; auto uses "mfrc522" instead and says so.
 *     `reason` always says which driver and why (or what is wrong), for the start-up log.
 *   createCardReader(name, opts) -> a driver by name ("mfrc522" | "mfrc522-rpi" | "sim"), no I/O.
 *   probeCardReaderChip(opts) -> what answers on the SPI device, in words, with the fixes
 *     (for `npm run doctor`; never rejects).
 */
import type { Clock } from "../../core/clock.ts";
import type { CardReader } from "../../core/door/card-reader.ts";
import { type CandidateOutcome, createByName, type HardwareMode, pickDevice } from "../select.ts";
import { type Board, detectBoard } from "../system/board.ts";
import { probeCardReaderChip } from "./chip-probe.ts";
import { hex } from "./mfrc522-chip.ts";
import { createMfrc522RpiReader, type Mfrc522RpiOptions, probeMfrc522Rpi } from "./mfrc522-rpi.ts";
import { createMfrc522SpidevReader, MFRC522_SPIDEV_DEFAULTS, type Mfrc522SpidevOptions } from "./mfrc522-spidev.ts";
import { createSimulatedCardReader } from "./simulator.ts";

export type { CardReader, CardReaderEvent, CardUid } from "../../core/door/card-reader.ts";
export { type Board, detectBoard, isPi5Model } from "../system/board.ts";
export { type CardReaderChipProbe, type ProbeCardReaderChipOptions, probeCardReaderChip } from "./chip-probe.ts";
export { createTapDebouncer, type TapDebouncer } from "./debounce.ts";
export { type ChipKind, describeChipVersion, type SpiTransport } from "./mfrc522-chip.ts";
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
export {
  createMfrc522SpidevReader,
  MFRC522_SPIDEV_DEFAULTS,
  type Mfrc522SpidevOptions,
  type Mfrc522SpidevReader,
} from "./mfrc522-spidev.ts";
export { CARD_READER_DEFAULTS, type PollTimers } from "./polling.ts";
export { createGpiosetResetLine, type ResetLine } from "./reset-line.ts";
export {
  createSimulatedCardReader,
  type SimulatedCardReader,
  type SimulatedCardReaderOptions,
} from "./simulator.ts";
export { openSpidevTransport, SPIDEV_DEFAULTS, SpiUnavailableError } from "./spidev-transport.ts";
export { normalizeUid } from "./uid.ts";

export interface CardReaderOptions {
  /** Passed to every driver (event times, debounce, watchdog). */
  clock?: Clock;
  /** Passed to every driver (default 1500 ms). */
  debounceMs?: number;
  /** Further options for the mfrc522 driver (over /dev/spidev). */
  mfrc522?: Omit<Mfrc522SpidevOptions, "clock" | "debounceMs">;
  /** Further options for the mfrc522-rpi driver. */
  mfrc522Rpi?: Omit<Mfrc522RpiOptions, "clock" | "debounceMs">;
}

function shared(o: CardReaderOptions): { clock?: Clock; debounceMs?: number } {
  return {
    ...(o.clock ? { clock: o.clock } : {}),
    ...(o.debounceMs !== undefined ? { debounceMs: o.debounceMs } : {}),
  };
}

const drivers = {
  mfrc522: (o: CardReaderOptions): CardReader => createMfrc522SpidevReader({ ...o.mfrc522, ...shared(o) }),
  "mfrc522-rpi": (o: CardReaderOptions): CardReader => createMfrc522RpiReader({ ...o.mfrc522Rpi, ...shared(o) }),
  sim: (o: CardReaderOptions): CardReader => createSimulatedCardReader(shared(o)),
} as const satisfies Record<string, (o: CardReaderOptions) => CardReader>;

export type CardReaderDriverName = keyof typeof drivers;
export const CARD_READER_DRIVERS = Object.keys(drivers) as CardReaderDriverName[];

/** The drivers of a real reader, as CARD_DRIVER names them; the first is the default. */
export const REAL_CARD_READER_DRIVERS = ["mfrc522", "mfrc522-rpi"] as const;
export type RealCardReaderDriver = (typeof REAL_CARD_READER_DRIVERS)[number];

/** Creates the card reader driver called `name` ("mfrc522", "mfrc522-rpi" or "sim"); does no I/O. */
export function createCardReader(name: string, opts: CardReaderOptions = {}): CardReader {
  return createByName("card reader", drivers, name, opts);
}

export type { HardwareMode } from "../select.ts";

export interface SelectCardReaderOptions extends CardReaderOptions {
  mode: HardwareMode;
  /** The real driver (CARD_DRIVER): "mfrc522" (default, over /dev/spidev) or "mfrc522-rpi" (Pi 1-4). */
  driver?: RealCardReaderDriver;
  /** Where /proc/device-tree/model is read from (default "/"; tests give a fake root). */
  boardRoot?: string;
}

export interface SelectedCardReader {
  reader: CardReader;
  /** Which driver and why, or a warning about it; for the start-up log. */
  reason?: string;
}

/** The mfrc522 driver (over /dev/spidev): probes the chip once (open the device, read VersionReg, close). */
async function trySpidev(opts: CardReaderOptions, why: string): Promise<CandidateOutcome<CardReader>> {
  // bad options are a configuration error in every mode: this throws a RangeError before any probing
  const reader = createCardReader("mfrc522", opts);
  const probe = await probeCardReaderChip({
    device: opts.mfrc522?.device ?? MFRC522_SPIDEV_DEFAULTS.device,
    ...(opts.mfrc522?.speedHz !== undefined ? { speedHz: opts.mfrc522.speedHz } : {}),
    ...(opts.mfrc522?.openTransport ? { openTransport: opts.mfrc522.openTransport } : {}),
  });
  const fixes = probe.hints.length > 0 ? ` ${probe.hints.join(" ")}` : "";
  if (probe.verdict === "unavailable") return { skip: `${probe.message}.${fixes}` };
  if (!probe.answering) {
    return { use: reader, reason: `${why}; the MFRC522 card reader does not answer yet: ${probe.message}.${fixes}` };
  }
  return { use: reader, reason: `${why}: ${probe.message}.${fixes}` };
}

/** The mfrc522-rpi driver: its own probe (library, board, /dev/gpiomem, VersionReg). */
async function tryMfrc522Rpi(opts: CardReaderOptions, board: Board): Promise<CandidateOutcome<CardReader>> {
  // bad options are a configuration error in every mode: this throws a RangeError before any probing
  const reader = createCardReader("mfrc522-rpi", opts);
  const probe = await probeMfrc522Rpi(opts.mfrc522Rpi);
  if (!probe.available) return { skip: probe.reason };
  const why = `driver mfrc522-rpi (CARD_DRIVER): the MFRC522 through mfrc522-rpi, SPI bit-banged with rpio (${board.description})`;
  if (probe.answering) return { use: reader, reason: `${why}: VersionReg ${hex(probe.version)}` };
  return { use: reader, reason: `${why}; the MFRC522 card reader does not answer yet: ${probe.reason}` };
}

/** Picks the card reader for HARDWARE=auto|real|sim and CARD_DRIVER (see the top of this file). */
export async function selectCardReader(opts: SelectCardReaderOptions): Promise<SelectedCardReader> {
  const { mode, driver = "mfrc522", boardRoot, ...factoryOpts } = opts;
  /** Whether the driver tried reads /dev/spidev: its refusal adds the way to the simulator. */
  let spidev = true;
  const { device, reason } = await pickDevice<CardReader>({
    mode,
    device: "MFRC522 card reader",
    check() {
      if (!(REAL_CARD_READER_DRIVERS as readonly string[]).includes(driver)) {
        throw new Error(
          `unknown card reader driver "${String(driver)}"; valid drivers: ${REAL_CARD_READER_DRIVERS.join(", ")}`,
        );
      }
    },
    candidates: [
      async () => {
        const board = await detectBoard(boardRoot);
        if (driver === "mfrc522") {
          const why = `driver mfrc522: the MFRC522 through the kernel's SPI driver, the default on every Raspberry Pi (${board.description})`;
          return trySpidev(factoryOpts, why);
        }
        if (!board.pi5) {
          spidev = false;
          return tryMfrc522Rpi(factoryOpts, board);
        }
        const rpio = `this is a ${board.description}, and rpio (under mfrc522-rpi) cannot drive its RP1 GPIO (node-rpio #179)`;
        if (mode === "real") {
          throw new Error(
            `HARDWARE=real with CARD_DRIVER=mfrc522-rpi, but ${rpio}. Set CARD_DRIVER=mfrc522 (the default): it reads the reader through /dev/spidev.`,
          );
        }
        return trySpidev(factoryOpts, `CARD_DRIVER=mfrc522-rpi, but ${rpio}: using driver mfrc522 instead`);
      },
    ],
    simulator: () => createCardReader("sim", factoryOpts),
    refusal: (why) =>
      `HARDWARE=real, but the MFRC522 card reader cannot be used: ${why}` +
      (spidev ? " Or set HARDWARE=sim to use the simulated reader." : ""),
  });
  return { reader: device, ...(reason !== undefined ? { reason } : {}) };
}
