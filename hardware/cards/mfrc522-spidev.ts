/**
 * The default card reader driver ("mfrc522"): an MFRC522 (RC522 module) on the Pi's SPI0
 * pins, spoken to through the kernel's SPI driver (/dev/spidev0.0, `dtparam=spi=on`), so it
 * works on every Raspberry Pi: 3, 4, 5 and Zero 2 W. The register protocol is
 * mfrc522-chip.ts, the ISO/IEC 14443-3 UID read card-select.ts (whole 4-, 7- and 10-byte
 * UIDs, collisions resolved), the transport spidev-transport.ts (spi-device, an
 * optionalDependency loaded by start() only). The reset line, if a pin is given, is
 * pulsed with libgpiod's gpioset (reset-line.ts); without one, SoftReset does the job.
 *
 * Behaviour, the same as the mfrc522-rpi driver's, so the door cannot tell them apart:
 * - start() opens the device, hard-resets the chip (when there is a reset line) and sets it
 *   up; it rejects only when the device cannot be opened (spi-device missing, SPI off, no
 *   permission), with the fix in the message. A chip that does not answer is the
 *   watchdog's business.
 * - One poll every `pollMs` (a timer chain: a poll never overlaps the next): the version
 *   register (0x00/0xFF: nothing answers), the chip's set-up checked (a power dip resets
 *   it: set up again), then WUPA, the cascade, HLTA. A held card answers every poll and is
 *   one tap through the shared debouncer (debounce.ts); a damaged read is retried within
 *   the poll and otherwise ignored (a bad read of a card, not a dead reader).
 * - Watchdog: when polls keep failing (SPI errors, version 0x00/0xFF, a command the chip
 *   never finishes) for `watchdogMs`, the chip is reset once (RST pulse if any, SoftReset
 *   and set-up); if the next poll still fails, "dead" (once); then a reset and a retry
 *   every `deadPollMs`, and "alive" when it answers again. Nothing thrown by the chip, the
 *   transport or the listener leaves the polling loop.
 * - stop() ends the polling (an SPI transfer under way finishes, no further one starts),
 *   then closes the device; it can be started again.
 */
import { type Clock, systemClock } from "../../core/clock.ts";
import type { CardReader, CardReaderEvent } from "../../core/door/card-reader.ts";
import { messageOf } from "../errors.ts";
import { countOption, nonNegativeOption, positiveOption } from "../options.ts";
import { createDeviceSessions, type DeviceSession, type PollTimers, systemTimers } from "../polling.ts";
import { readCard } from "./card-select.ts";
import { createTapDebouncer } from "./debounce.ts";
import { ChipError, createMfrc522Chip, hex, type Mfrc522Chip, type SpiTransport } from "./mfrc522-chip.ts";
import { CARD_READER_DEFAULTS, type ChipPoll, type ChipWatch, watchChip } from "./polling.ts";
import { createGpiosetResetLine, type ResetLine } from "./reset-line.ts";
import { openSpidevTransport, SPIDEV_DEFAULTS } from "./spidev-transport.ts";
import { normalizeUid } from "./uid.ts";

export interface Mfrc522SpidevOptions {
  /** The spidev device (default /dev/spidev0.0: SPI0, CE0 = header pin 24). */
  device?: string;
  /** SPI clock (default 1 MHz). */
  speedHz?: number;
  /** Pause between polls (default 200 ms). */
  pollMs?: number;
  /** A card seen again within this time of its last sighting is not a new tap (default 1500 ms). */
  debounceMs?: number;
  /** How long polls may fail before the chip is reset and then declared dead (default 5000 ms). */
  watchdogMs?: number;
  /** Pause between attempts while the reader is dead (default 2000 ms). */
  deadPollMs?: number;
  /** BCM GPIO of the RST line, pulsed with gpioset (default 25 = pin 22); null: SoftReset only. */
  resetPin?: number | null;
  /** Tries per poll when a card's answers are damaged (default 3). */
  readAttempts?: number;
  /** Opens the SPI device; injectable for tests (default: spidev through spi-device). */
  openTransport?: (device: string) => Promise<SpiTransport>;
  /** The RST line; injectable for tests (default: gpioset on `resetPin`; null: none). */
  resetLine?: ResetLine | null;
  /** Reads of an interrupt register before the chip counts as stuck (see mfrc522-chip.ts). */
  maxWaitReads?: number;
  /** Time of events and of the debounce and watchdog (default: the system clock). */
  clock?: Clock;
  /** Schedules polls (default: the global setTimeout / clearTimeout). */
  timers?: PollTimers;
}

export const MFRC522_SPIDEV_DEFAULTS = {
  ...CARD_READER_DEFAULTS,
  device: SPIDEV_DEFAULTS.device,
  speedHz: SPIDEV_DEFAULTS.speedHz,
  readAttempts: 3,
} as const;

export interface Mfrc522SpidevReader extends CardReader {
  readonly driver: "mfrc522";
}

/** The transport was used after stop(): the poll under way ends there. */
class StoppedError extends Error {
  override readonly name = "StoppedError";
}

interface Resolved {
  device: string;
  pollMs: number;
  debounceMs: number;
  watchdogMs: number;
  deadPollMs: number;
  readAttempts: number;
  maxWaitReads: number | undefined;
  openTransport: (device: string) => Promise<SpiTransport>;
  resetLine: ResetLine | undefined;
  where: string;
  resetWhat: string;
  clock: Clock;
  timers: PollTimers;
}

function resolveOptions(opts: Mfrc522SpidevOptions): Resolved {
  const device = opts.device ?? MFRC522_SPIDEV_DEFAULTS.device;
  if (typeof device !== "string" || !device.startsWith("/")) {
    throw new RangeError(`device must be an absolute path such as /dev/spidev0.0, got ${String(device)}`);
  }
  const speedHz = opts.speedHz ?? MFRC522_SPIDEV_DEFAULTS.speedHz;
  if (!Number.isInteger(speedHz) || speedHz < 10_000 || speedHz > 10_000_000) {
    throw new RangeError(`speedHz must be an integer within 10 kHz..10 MHz (the MFRC522's limit), got ${speedHz}`);
  }
  const resetPin = opts.resetPin === undefined ? MFRC522_SPIDEV_DEFAULTS.resetPin : opts.resetPin;
  if (resetPin !== null && (!Number.isInteger(resetPin) || resetPin < 0 || resetPin > 27)) {
    throw new RangeError(`resetPin must be a BCM GPIO number 0..27 (or null for none), got ${resetPin}`);
  }
  // SPI0's own pins cannot be the reset line: SCLK 11, MOSI 10, MISO 9, CE0 8, CE1 7
  if (resetPin !== null && [7, 8, 9, 10, 11].includes(resetPin)) {
    throw new RangeError(`resetPin GPIO ${resetPin} is one of SPI0's pins (SCLK 11, MOSI 10, MISO 9, CE0 8, CE1 7)`);
  }
  const readAttempts = countOption("readAttempts", opts.readAttempts ?? MFRC522_SPIDEV_DEFAULTS.readAttempts);
  const resetLine =
    opts.resetLine === undefined
      ? resetPin === null
        ? undefined
        : createGpiosetResetLine({ bcm: resetPin })
      : (opts.resetLine ?? undefined);
  return {
    device,
    pollMs: positiveOption("pollMs", opts.pollMs ?? MFRC522_SPIDEV_DEFAULTS.pollMs),
    debounceMs: nonNegativeOption("debounceMs", opts.debounceMs ?? MFRC522_SPIDEV_DEFAULTS.debounceMs),
    watchdogMs: positiveOption("watchdogMs", opts.watchdogMs ?? MFRC522_SPIDEV_DEFAULTS.watchdogMs),
    deadPollMs: positiveOption("deadPollMs", opts.deadPollMs ?? MFRC522_SPIDEV_DEFAULTS.deadPollMs),
    readAttempts,
    maxWaitReads: opts.maxWaitReads,
    openTransport: opts.openTransport ?? ((path) => openSpidevTransport(path, { speedHz })),
    resetLine,
    where: `MFRC522 on ${device}${resetLine ? ` (reset: ${resetLine.description})` : ""}`,
    resetWhat: resetLine ? "an RST pulse and a soft reset" : "a soft reset",
    clock: opts.clock ?? systemClock,
    timers: opts.timers ?? systemTimers,
  };
}

/** One poll of the chip. Throws what the transport throws, and ChipErrors. */
async function scan(chip: Mfrc522Chip, readAttempts: number): Promise<ChipPoll> {
  const status = await chip.status();
  if (status.version === 0x00 || status.version === 0xff) {
    return {
      answering: false,
      reason: `the chip's version register reads ${hex(status.version)} (no answer on SPI: check wiring and power)`,
    };
  }
  // a power dip or an RST glitch resets the chip to its power-on state: antenna off, no timer
  if (!status.configured) await chip.init();
  const read = await readCard(chip, { attempts: readAttempts });
  if (read.kind !== "card") return { answering: true };
  const uid = normalizeUid(read.uid);
  return uid === undefined ? { answering: true } : { answering: true, uid };
}

/** The open reader of one session. */
interface Open {
  transport: SpiTransport;
  chip: Mfrc522Chip;
  watch: ChipWatch;
  /** Why the last RST pulse failed (gpioset missing...), for the "dead" reason. */
  resetProblem?: string;
}

/**
 * Creates the MFRC522 reader over spidev. Does no I/O: start() opens the device.
 * Options are checked here (RangeError). Can be started again after stop().
 */
export function createMfrc522SpidevReader(opts: Mfrc522SpidevOptions = {}): Mfrc522SpidevReader {
  const o = resolveOptions(opts);
  const debouncer = createTapDebouncer(o.debounceMs);

  /** Hard reset (RST pulse) if there is a line, then SoftReset and set-up. Never rejects. */
  async function reset(device: Pick<Open, "chip" | "resetProblem">): Promise<void> {
    if (o.resetLine) {
      try {
        await o.resetLine.pulse();
        device.resetProblem = undefined;
      } catch (e) {
        device.resetProblem = messageOf(e);
      }
    }
    try {
      await device.chip.init();
    } catch {
      // the next poll tells whether the chip is back
    }
  }

  /** One poll and the watchdog; returns the pause before the next poll. */
  async function poll(s: DeviceSession<CardReaderEvent>, device: Open): Promise<number> {
    let result: ChipPoll;
    try {
      result = await scan(device.chip, o.readAttempts);
    } catch (e) {
      if (e instanceof StoppedError || !s.active) return o.pollMs;
      result = {
        answering: false,
        reason: e instanceof ChipError ? e.message : `SPI error (${messageOf(e)})`,
      };
    }
    if (!s.active) return o.pollMs;
    const verdict = device.watch.judge(result, o.clock.now().getTime());
    if (verdict.reset) await reset(device);
    return verdict.next;
  }

  /** The transport as the chip sees it: no new transfer once the session stopped. */
  function guarded(s: DeviceSession<CardReaderEvent>, transport: SpiTransport): SpiTransport {
    return {
      transfer: (data) =>
        s.active ? transport.transfer(data) : Promise.reject(new StoppedError("the reader stopped")),
      close: () => transport.close(),
    };
  }

  const sessions = createDeviceSessions<CardReaderEvent, Open>({
    where: o.where,
    what: "reader",
    async open(s) {
      let transport: SpiTransport;
      try {
        transport = await o.openTransport(o.device);
      } catch (e) {
        throw new Error(`MFRC522 on ${o.device}: ${messageOf(e)}`, { cause: e });
      }
      const chip = createMfrc522Chip(guarded(s, transport), o.maxWaitReads ? { maxWaitReads: o.maxWaitReads } : {});
      const device: Open = {
        transport,
        chip,
        watch: watchChip(s, {
          ...o,
          debouncer,
          resetNote: () => (device.resetProblem ? ` (the RST pulse failed: ${device.resetProblem})` : ""),
        }),
      };
      if (s.active) await reset(device);
      return device;
    },
    poll: { timers: o.timers, once: poll, fallbackMs: o.pollMs },
    close: (device) => device.transport.close().catch(() => {}),
  });

  return { driver: "mfrc522", start: sessions.start, stop: sessions.stop };
}
