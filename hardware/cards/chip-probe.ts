/**
 * A one-shot check of the card reader, for start-up and for `npm run doctor`: open the SPI
 * device, read the MFRC522's VersionReg (0x37), close. Says what is there, in words, with
 * the fixes: SPI off (`dtparam=spi=on`), no permission (the `spi` group), spi-device not
 * installed, nothing answering (wiring, power), a clone chip or an unknown one. Changes
 * nothing on the chip; never rejects.
 */

import { messageOf } from "../errors.ts";
import { type ChipKind, createMfrc522Chip, describeChipVersion, hex, REG, type SpiTransport } from "./mfrc522-chip.ts";
import {
  openSpidevTransport,
  SPIDEV_DEFAULTS,
  type SpiDeviceLibrary,
  SpiUnavailableError,
  spidevNumbers,
} from "./spidev-transport.ts";

export interface CardReaderChipProbe {
  /** The SPI device probed. */
  device: string;
  /**
   * genuine / clone / unknown: a chip answers (VersionReg reads a value other than 0x00/0xFF);
   * absent: the device opened but nothing answers; unavailable: the device cannot be opened.
   */
  verdict: ChipKind | "unavailable";
  /** Whether a chip answers, so the driver can use it. */
  answering: boolean;
  /** VersionReg as read. */
  version?: number;
  /** What the version says ("MFRC522 v2.0", "MFRC522 clone (Fudan FM17522)"). */
  chip?: string;
  /** One line for people. */
  message: string;
  /** What to do about it (empty for a genuine chip). */
  hints: string[];
}

export interface ProbeCardReaderChipOptions {
  /** The spidev device (default /dev/spidev0.0). */
  device?: string;
  /** SPI clock (default 1 MHz). */
  speedHz?: number;
  /** Opens the device; injectable for tests (default: spidev through spi-device). */
  openTransport?: (device: string) => Promise<SpiTransport>;
  /** Loads spi-device for the default openTransport; injectable for tests. */
  loadLibrary?: () => Promise<SpiDeviceLibrary>;
}

function wiringHint(device: string): string {
  const numbers = spidevNumbers(device);
  const cs =
    numbers?.bus === 0 && numbers.device === 1
      ? "SDA to pin 26 (CE1)"
      : numbers?.bus === 0 && numbers.device === 0
        ? "SDA to pin 24 (CE0)"
        : "SDA to the chip select of this SPI device";
  return (
    `Check the wiring: ${cs}, SCK to pin 23, MOSI to pin 19, MISO to pin 21, 3.3V to pin 17 (never 5 V), GND to ` +
    "pin 20, RST to pin 22 (a low RST keeps the chip powered down), and that the module has power."
  );
}

/** Probes the MFRC522 on `device` (see the top of this file). */
export async function probeCardReaderChip(opts: ProbeCardReaderChipOptions = {}): Promise<CardReaderChipProbe> {
  const device = opts.device ?? SPIDEV_DEFAULTS.device;
  const open =
    opts.openTransport ??
    ((path: string) =>
      openSpidevTransport(path, {
        ...(opts.speedHz !== undefined ? { speedHz: opts.speedHz } : {}),
        ...(opts.loadLibrary ? { loadLibrary: opts.loadLibrary } : {}),
      }));
  let transport: SpiTransport;
  try {
    transport = await open(device);
  } catch (e) {
    const hints = e instanceof SpiUnavailableError ? [e.fix] : [];
    const problem = e instanceof SpiUnavailableError ? e.problem : messageOf(e);
    return { device, verdict: "unavailable", answering: false, message: `cannot open ${device}: ${problem}`, hints };
  }
  try {
    const version = await createMfrc522Chip(transport).readRegister(REG.Version);
    const { kind, name } = describeChipVersion(version);
    const base = { device, verdict: kind, version, chip: name };
    switch (kind) {
      case "genuine":
        return {
          ...base,
          answering: true,
          message: `${name} (VersionReg ${hex(version)}) answers on ${device}`,
          hints: [],
        };
      case "clone":
        return {
          ...base,
          answering: true,
          message: `${name} (VersionReg ${hex(version)}) answers on ${device}`,
          hints: ["A clone chip: it reads cards, often at a shorter range than a genuine NXP MFRC522."],
        };
      case "unknown":
        return {
          ...base,
          answering: true,
          message: `something answers on ${device}, but VersionReg reads ${hex(version)}, not an MFRC522 version`,
          hints: [`Is another SPI device on this chip select? ${wiringHint(device)}`],
        };
      default:
        return {
          ...base,
          answering: false,
          message: `nothing answers on ${device}: VersionReg reads ${hex(version)} (MISO stays ${version === 0 ? "low" : "high"})`,
          hints: [wiringHint(device)],
        };
    }
  } catch (e) {
    return {
      device,
      verdict: "absent",
      answering: false,
      message: `SPI transfer on ${device} failed (${messageOf(e)})`,
      hints: [wiringHint(device)],
    };
  } finally {
    await transport.close().catch(() => {});
  }
}
