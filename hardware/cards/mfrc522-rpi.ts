/**
 * The "mfrc522-rpi" card reader driver: an MFRC522 (RC522 module) on the Raspberry Pi's
 * SPI0 header pins, driven through mfrc522-rpi. Kept, by name only (CARD_DRIVER=mfrc522-rpi),
 * for Pi 1-4 users who want it: the default driver is mfrc522-spidev.ts, which talks to the
 * chip through the kernel's /dev/spidev and works on every Pi, the Pi 5 included (rpio,
 * underneath mfrc522-rpi, cannot drive a Pi 5: node-rpio #179). The package is an
 * optionalDependency loaded with dynamic `import()` by start() only, so the project installs
 * and runs where it cannot build.
 *
 * Facts about mfrc522-rpi 2.1.3 this driver relies on (from its index.js, commands.js,
 * README and test/read.js, and from rpi-softspi 1.0.5 and rpio 2.4.2 underneath):
 * - the ESM import exposes the CommonJS class as `default`; `new MFRC522(spi)` calls
 *   `spi.open()`; `.setResetPin(pin)` opens the pin with rpio and holds it low for 50 ms
 *   (a blocking hard reset); every method is synchronous;
 * - the SPI object is rpi-softspi's SoftSPI (a dependency of mfrc522-rpi): it bit-bangs SPI
 *   on GPIO pins with rpio, so the kernel's /dev/spidev is not used; its asserts throw
 *   plain strings ("Not initialized"), not Errors;
 * - rpio numbers pins physically (header pin 1..40) unless told otherwise, which is why
 *   the library's example passes 23/19/21/24 (SCLK/MOSI/MISO/CE0) and reset 22 (= BCM 25);
 *   this driver takes BCM numbers and converts them with the 40-pin header map;
 * - rpio reads /proc/device-tree/model to detect the board, and when it is not a Raspberry
 *   Pi it silently switches to a mock mode (only a "WARNING" line on stderr) in which every
 *   read is 0: so the driver checks the board and /dev/gpiomem itself before opening,
 *   instead of polling a reader that cannot exist; rpio (built without libcap) always maps
 *   /dev/gpiomem, also as root, and reports failure as Error("Could not initialize bcm2835");
 * - rpio's bcm2835 code does not know the Raspberry Pi 5's RP1 GPIO chip;
 * - a scan, as in test/read.js: `reset()` (soft reset + antenna on), `findCard()` (REQA:
 *   `{ status }`), `getUid()` (anticollision, cascade level 1 only: `{ status, data }`,
 *   data = 4 bytes + BCC, status false on a BCC mismatch), `stopCrypto()`;
 * - there is no getVersion(): `readRegister(0x37)` (VersionReg) reads 0x91/0x92 on a
 *   genuine chip (0x88, 0x12, 0xB2 on clones), and 0x00 or 0xFF when nothing answers.
 *
 * Because `getUid()` stops at cascade level 1, a 7- or 10-byte UID (NTAG stickers, DESFire
 * badges, phones) would come back as "88 xx xx xx": shared by every card of a batch. The
 * driver completes the cascade itself (SELECT + anticollision at levels 2 and 3, with the
 * library's `toCard` and `calculateCRC`), as ISO/IEC 14443-3 describes.
 *
 * Behaviour: one poll every `pollMs` (a setTimeout chain: a poll never overlaps the next);
 * sightings become taps through the shared debouncer (see debounce.ts). Watchdog: when
 * polls keep throwing (SPI errors) or the version register reads 0x00/0xFF for
 * `watchdogMs`, it hard-resets the chip once; if the next poll still fails it emits
 * "dead" (once), then retries every `deadPollMs` with a hard reset before each retry, and
 * emits "alive" when the chip answers again. Nothing thrown by the library or by the
 * listener ever leaves the polling loop.
 */
import { constants as fsConstants } from "node:fs";
import { access, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { type Clock, systemClock } from "../../core/clock.ts";
import type { CardReader, CardReaderEvent, CardUid } from "../../core/door/card-reader.ts";
import { codeOf, messageOf } from "../errors.ts";
import { describeNativeLoadError, type NativePackage, nativeInstallHint } from "../native.ts";
import { nonNegativeOption, positiveOption } from "../options.ts";
import { createDeviceSessions, type PollTimers, systemTimers } from "../polling.ts";
import { isPi5Model } from "../system/board.ts";
import { createTapDebouncer } from "./debounce.ts";
import { CARD_READER_DEFAULTS, type ChipPoll, type ChipWatch, watchChip } from "./polling.ts";
import { bcc, bytesToHex, CASCADE_TAG, normalizeUid, parseUidFrame } from "./uid.ts";

/** The SPI object the library drives (rpi-softspi's SoftSPI); the driver only closes it. */
export interface SpiBus {
  close(): unknown;
}

export interface SoftSpiOptions {
  /** Physical header pin numbers, as rpio expects by default. */
  clock: number;
  mosi: number;
  miso: number;
  client: number;
}

/** The part of mfrc522-rpi's MFRC522 class this driver uses. */
export interface Mfrc522RpiChip {
  setResetPin(pin: number): unknown;
  reset(): void;
  readRegister(address: number): number;
  writeRegister(address: number, value: number): void;
  findCard(): { status: boolean | null; bitSize: number | null };
  getUid(): { status: boolean; data: number[] };
  toCard(command: number, bitsToSend: number[]): { status: boolean; data: number[]; bitSize: number };
  calculateCRC(data: number[]): number[];
  stopCrypto(): void;
}

/** What the driver loads: the MFRC522 class and the SPI class it is used with. */
export interface Mfrc522RpiLibrary {
  Mfrc522: new (spi: SpiBus) => Mfrc522RpiChip;
  SoftSPI: new (options: SoftSpiOptions) => SpiBus;
}

export interface Mfrc522RpiOptions {
  /** Pause between polls (default 200 ms). */
  pollMs?: number;
  /** BCM GPIO number of the RST line (default 25, physical pin 22, as in the library's example). */
  resetPin?: number;
  /** SPI0 chip select: 0 = CE0 (BCM 8, pin 24, default), 1 = CE1 (BCM 7, pin 26). */
  spiChip?: number;
  /** A card seen again within this time of its last sighting is not a new tap (default 1500 ms). */
  debounceMs?: number;
  /** How long polls may fail before the chip is reset and then declared dead (default 5000 ms). */
  watchdogMs?: number;
  /** Pause between attempts while the reader is dead (default 2000 ms). */
  deadPollMs?: number;
  /** Loads the library; injectable for tests (default: `loadMfrc522RpiLibrary`, which also checks the board). */
  loadLibrary?: () => Promise<Mfrc522RpiLibrary>;
  /** Time of events and of the debounce and watchdog (default: the system clock). */
  clock?: Clock;
  /** Schedules polls (default: the global setTimeout / clearTimeout). */
  timers?: PollTimers;
}

export const MFRC522_RPI_DEFAULTS = { ...CARD_READER_DEFAULTS, spiChip: 0 } as const;

/** MFRC522 registers and commands used here (mfrc522-rpi's commands.js, NXP datasheet). */
const VERSION_REG = 0x37;
const BIT_FRAMING_REG = 0x0d;
const PCD_TRANSCEIVE = 0x0c;
/** ISO/IEC 14443-3 SEL codes of cascade levels 1, 2, 3 (ANTICOLL = [SEL, 0x20], SELECT = [SEL, 0x70, ...]). */
const SEL_CODES = [0x93, 0x95, 0x97] as const;
/** SAK bit: "UID not complete", go on with the next cascade level. */
const SAK_CASCADE_BIT = 0x04;

/** Physical pin -> BCM GPIO on the 40-pin header (rpio's PINMAP_40; -1: power/ground). */
const PINMAP_40 = [
  -1, -1, -1, 2, -1, 3, -1, 4, 14, -1, 15, 17, 18, 27, -1, 22, 23, -1, 24, 10, -1, 9, 25, 11, 8, -1, 7, 0, 1, 5, -1, 6,
  12, 13, -1, 19, 16, 26, 20, -1, 21,
];

/** BCM GPIO number -> physical header pin (40-pin boards: every Pi since the 2014 B+, but not the Pi 5). */
export function physicalPinOf(bcm: number): number | undefined {
  const pin = PINMAP_40.indexOf(bcm);
  return bcm >= 0 && pin > 0 ? pin : undefined;
}

const SPI0 = { sclk: 11, mosi: 10, miso: 9, ce: [8, 7] } as const;

const MFRC522_RPI: NativePackage = {
  name: "mfrc522-rpi",
  addon: "rpio",
  loads: ["rpi-softspi"],
  installHint: nativeInstallHint({
    compiles: "rpio",
    orElse:
      "enable SPI with `sudo raspi-config` (Interface Options > SPI, as the mfrc522-rpi README asks), " +
      "or set HARDWARE=sim to use the simulated reader",
  }),
};

const GPIO_HINT =
  "Add this user to the gpio group (`sudo usermod -aG gpio $USER`, then log in again), " +
  "or set HARDWARE=sim to use the simulated reader.";

/** Thrown by the board check: its message is already the whole story. */
class GpioAccessError extends Error {
  override readonly name = "GpioAccessError";
}

export interface GpioPaths {
  model: string;
  gpiomem: string;
}

const DEFAULT_GPIO_PATHS: GpioPaths = { model: "/proc/device-tree/model", gpiomem: "/dev/gpiomem" };

/**
 * Why the reader's GPIO cannot be used here, or undefined when it can: the board must be a
 * Raspberry Pi that rpio knows (the same file rpio reads) and /dev/gpiomem must be
 * readable and writable. Never rejects.
 */
export async function gpioAccessProblem(paths: GpioPaths = DEFAULT_GPIO_PATHS): Promise<string | undefined> {
  let model: string;
  try {
    model = (await readFile(paths.model, "latin1")).replace(/\0+$/, "").trim();
  } catch {
    return (
      `this is not a Raspberry Pi (${paths.model} is missing), so there are no GPIO pins to drive the ` +
      "reader (rpio would silently run in its mock mode and never see a card). Set HARDWARE=sim to use the simulated reader."
    );
  }
  if (!/^Raspberry Pi\b/.test(model)) {
    return `this board is "${model}", not a Raspberry Pi: rpio cannot drive its GPIO pins. Set HARDWARE=sim to use the simulated reader.`;
  }
  if (isPi5Model(model)) {
    return (
      `this is a ${model}: rpio (used by mfrc522-rpi) does not support the Pi 5's RP1 GPIO chip. ` +
      "Use a Raspberry Pi 2/3/4/Zero for the reader, or set HARDWARE=sim."
    );
  }
  try {
    await access(paths.gpiomem, fsConstants.R_OK | fsConstants.W_OK);
  } catch (e) {
    return `cannot open ${paths.gpiomem} (${codeOf(e) ?? messageOf(e)}). ${GPIO_HINT}`;
  }
  return undefined;
}

/**
 * The default loader: imports mfrc522-rpi, takes rpi-softspi from next to it (its own
 * dependency), then checks that this is a Raspberry Pi with /dev/gpiomem accessible.
 */
export async function loadMfrc522RpiLibrary(): Promise<Mfrc522RpiLibrary> {
  const mod = (await import("mfrc522-rpi")) as { default?: unknown };
  const Mfrc522 = (mod.default ?? mod) as Mfrc522RpiLibrary["Mfrc522"];
  if (typeof Mfrc522 !== "function") throw new Error("mfrc522-rpi does not export the MFRC522 class");
  const fromLibrary = createRequire(createRequire(import.meta.url).resolve("mfrc522-rpi"));
  const SoftSPI = fromLibrary("rpi-softspi") as Mfrc522RpiLibrary["SoftSPI"];
  if (typeof SoftSPI !== "function") throw new Error("rpi-softspi does not export the SoftSPI class");
  const problem = await gpioAccessProblem();
  if (problem) throw new GpioAccessError(problem);
  return { Mfrc522, SoftSPI };
}

function loadError(e: unknown): Error {
  if (e instanceof GpioAccessError) return new Error(`MFRC522: ${e.message}`, { cause: e });
  return new Error(`MFRC522: ${describeNativeLoadError(MFRC522_RPI, e).message}`, { cause: e });
}

interface Device {
  chip: Mfrc522RpiChip;
  spi: SpiBus;
}

interface Pins {
  /** Physical pin numbers for rpio. */
  sclk: number;
  mosi: number;
  miso: number;
  cs: number;
  reset: number;
}

interface Resolved {
  pollMs: number;
  resetPin: number;
  spiChip: 0 | 1;
  debounceMs: number;
  watchdogMs: number;
  deadPollMs: number;
  pins: Pins;
  where: string;
  loadLibrary: () => Promise<Mfrc522RpiLibrary>;
  clock: Clock;
  timers: PollTimers;
}

function physical(bcm: number): number {
  const pin = physicalPinOf(bcm);
  if (pin === undefined) throw new RangeError(`BCM GPIO ${bcm} is not on the 40-pin header`);
  return pin;
}

function resolveOptions(opts: Mfrc522RpiOptions): Resolved {
  const spiChip = opts.spiChip ?? MFRC522_RPI_DEFAULTS.spiChip;
  if (spiChip !== 0 && spiChip !== 1) throw new RangeError(`spiChip must be 0 (CE0) or 1 (CE1), got ${spiChip}`);
  const resetPin = opts.resetPin ?? MFRC522_RPI_DEFAULTS.resetPin;
  if (!Number.isInteger(resetPin) || physicalPinOf(resetPin) === undefined) {
    throw new RangeError(`resetPin must be a BCM GPIO number on the 40-pin header (0..27), got ${resetPin}`);
  }
  const cs = SPI0.ce[spiChip];
  if (resetPin === SPI0.sclk || resetPin === SPI0.mosi || resetPin === SPI0.miso || resetPin === cs) {
    throw new RangeError(
      `resetPin GPIO ${resetPin} is one of the reader's SPI0 pins (SCLK 11, MOSI 10, MISO 9, CE ${cs})`,
    );
  }
  const debounceMs = nonNegativeOption("debounceMs", opts.debounceMs ?? MFRC522_RPI_DEFAULTS.debounceMs);
  return {
    pollMs: positiveOption("pollMs", opts.pollMs ?? MFRC522_RPI_DEFAULTS.pollMs),
    resetPin,
    spiChip,
    debounceMs,
    watchdogMs: positiveOption("watchdogMs", opts.watchdogMs ?? MFRC522_RPI_DEFAULTS.watchdogMs),
    deadPollMs: positiveOption("deadPollMs", opts.deadPollMs ?? MFRC522_RPI_DEFAULTS.deadPollMs),
    pins: {
      sclk: physical(SPI0.sclk),
      mosi: physical(SPI0.mosi),
      miso: physical(SPI0.miso),
      cs: physical(cs),
      reset: physical(resetPin),
    },
    where: `MFRC522 on SPI0 CE${spiChip} (reset on GPIO ${resetPin})`,
    loadLibrary: opts.loadLibrary ?? loadMfrc522RpiLibrary,
    clock: opts.clock ?? systemClock,
    timers: opts.timers ?? systemTimers,
  };
}

/** Loads the library and opens the SPI pins and the reset line (a 50 ms hard reset). */
async function openDevice(o: Resolved): Promise<Device> {
  let lib: Mfrc522RpiLibrary;
  try {
    lib = await o.loadLibrary();
  } catch (e) {
    throw loadError(e);
  }
  let spi: SpiBus | undefined;
  try {
    spi = new lib.SoftSPI({ clock: o.pins.sclk, mosi: o.pins.mosi, miso: o.pins.miso, client: o.pins.cs });
    const chip = new lib.Mfrc522(spi);
    chip.setResetPin(o.pins.reset);
    return { chip, spi };
  } catch (e) {
    closeQuietly(spi);
    throw new Error(`${o.where}: cannot open the SPI and reset pins (${messageOf(e)}). ${GPIO_HINT}`, { cause: e });
  }
}

function closeQuietly(spi: SpiBus | undefined): void {
  try {
    spi?.close();
  } catch {
    // closing pins that never opened: nothing to release
  }
}

/** Reads the version register; not ok when the value means "nobody answered" (0x00, 0xFF). */
function versionOf(chip: Mfrc522RpiChip): { ok: true; version: number } | { ok: false; reason: string } {
  const version = chip.readRegister(VERSION_REG);
  if (version === 0x00 || version === 0xff || !Number.isInteger(version)) {
    const shown = typeof version === "number" ? `0x${bytesToHex([version & 0xff])}` : String(version);
    return {
      ok: false,
      reason: `the chip's version register reads ${shown} (no answer on SPI: check wiring and power)`,
    };
  }
  return { ok: true, version };
}

/** SELECT at cascade `level` (0-based) with 4 bytes + BCC; returns the SAK, or undefined. */
function select(chip: Mfrc522RpiChip, level: number, four: number[]): number | undefined {
  const sel = SEL_CODES[level];
  if (sel === undefined) return undefined;
  const frame = [sel, 0x70, ...four, bcc(four)];
  const answer = chip.toCard(PCD_TRANSCEIVE, [...frame, ...chip.calculateCRC(frame)]);
  if (!answer.status || answer.bitSize !== 0x18) return undefined;
  return answer.data[0];
}

type UidRead = { ok: true; uid: CardUid } | { ok: false; reason: string };

/** The whole UID of the card that answered REQA: cascade level 1 from the library, then 2 and 3. */
function readUid(chip: Mfrc522RpiChip): UidRead {
  const first = chip.getUid();
  if (!first.status) return { ok: false, reason: "anticollision failed (no answer or BCC mismatch)" };
  let frame = parseUidFrame(first.data);
  const uid: number[] = [];
  for (let level = 0; ; level++) {
    if (!frame.ok) return { ok: false, reason: `cascade level ${level + 1}: ${frame.reason}` };
    const four = frame.bytes;
    if (four[0] !== CASCADE_TAG) {
      uid.push(...four);
      break;
    }
    if (level === SEL_CODES.length - 1) return { ok: false, reason: "cascade tag at the last cascade level" };
    uid.push(...four.slice(1));
    const sak = select(chip, level, four);
    if (sak === undefined) return { ok: false, reason: `SELECT at cascade level ${level + 1} failed` };
    if ((sak & SAK_CASCADE_BIT) === 0) {
      return {
        ok: false,
        reason: `cascade level ${level + 1} has a cascade tag, but the card says its UID is complete`,
      };
    }
    chip.writeRegister(BIT_FRAMING_REG, 0x00);
    const next = chip.toCard(PCD_TRANSCEIVE, [SEL_CODES[level + 1] ?? 0, 0x20]);
    if (!next.status) return { ok: false, reason: `anticollision at cascade level ${level + 2} failed` };
    frame = parseUidFrame(next.data);
  }
  const normalized = normalizeUid(uid);
  if (!normalized) return { ok: false, reason: `implausible UID ${bytesToHex(uid)}` };
  return { ok: true, uid: normalized };
}

/** One scan, as the library's example does it. Throws what the library throws. */
function scan(chip: Mfrc522RpiChip): ChipPoll {
  const version = versionOf(chip);
  if (!version.ok) return { answering: false, reason: version.reason };
  chip.reset();
  const found = chip.findCard();
  if (!found.status) return { answering: true };
  const read = readUid(chip);
  chip.stopCrypto();
  // a garbled UID (BCC mismatch, half a cascade) is a bad read of a card, not a dead reader
  return read.ok ? { answering: true, uid: read.uid } : { answering: true };
}

export type Mfrc522RpiProbe =
  | { available: true; version: number; answering: true }
  | { available: true; answering: false; reason: string }
  | { available: false; reason: string };

/**
 * Opens the reader once (library, board, pins), reads its version register and closes it.
 * `available: false` means no library or no GPIO here; `answering: false` means the Pi is
 * there but the chip does not answer (wiring, power). Never rejects.
 */
export async function probeMfrc522Rpi(opts: Mfrc522RpiOptions = {}): Promise<Mfrc522RpiProbe> {
  let o: Resolved;
  let device: Device;
  try {
    o = resolveOptions(opts);
    device = await openDevice(o);
  } catch (e) {
    return { available: false, reason: messageOf(e) };
  }
  try {
    const version = versionOf(device.chip);
    return version.ok
      ? { available: true, version: version.version, answering: true }
      : { available: true, answering: false, reason: `${o.where}: ${version.reason}` };
  } catch (e) {
    return { available: true, answering: false, reason: `${o.where}: SPI error (${messageOf(e)})` };
  } finally {
    closeQuietly(device.spi);
  }
}

export interface Mfrc522RpiReader extends CardReader {
  readonly driver: "mfrc522-rpi";
}

/** The open reader of one session: the pins, and the watchdog judging its polls. */
interface Open extends Device {
  watch: ChipWatch;
}

/**
 * Creates the MFRC522 reader. Does no I/O: start() loads the library and opens the pins.
 * Options are checked here (RangeError). Can be started again after stop().
 */
export function createMfrc522RpiReader(opts: Mfrc522RpiOptions = {}): Mfrc522RpiReader {
  const o = resolveOptions(opts);
  const debouncer = createTapDebouncer(o.debounceMs);

  function hardReset(device: Device): void {
    try {
      device.chip.setResetPin(o.pins.reset);
    } catch {
      // the next poll tells whether the chip is back
    }
  }

  /** One poll and the watchdog; returns the pause before the next poll. Synchronous, as the library is. */
  function poll(device: Open): number {
    let result: ChipPoll;
    try {
      result = scan(device.chip);
    } catch (e) {
      result = { answering: false, reason: `SPI error (${messageOf(e)})` };
    }
    const verdict = device.watch.judge(result, o.clock.now().getTime());
    if (verdict.reset) hardReset(device);
    return verdict.next;
  }

  const sessions = createDeviceSessions<CardReaderEvent, Open>({
    where: o.where,
    what: "reader",
    async open(s) {
      const device = await openDevice(o);
      const watch = watchChip(s, { ...o, debouncer, resetWhat: "a hard reset" });
      return { ...device, watch };
    },
    poll: { timers: o.timers, once: (_s, device) => poll(device), fallbackMs: o.pollMs },
    close: (device) => closeQuietly(device.spi),
  });

  return { driver: "mfrc522-rpi", start: sessions.start, stop: sessions.stop };
}
