/**
 * The card reader as the doctor probes it, behind one small adapter per driver so the check
 * does not change when the driver does: `mfrc522` (the default: the register protocol over
 * the kernel's /dev/spidev, every Pi) and `mfrc522-rpi` (mfrc522-rpi bit-banging SPI through
 * /dev/gpiomem; Pi 1-4 only, chosen with CARD_DRIVER).
 */
import type { DoctorContext } from "./context.ts";

export interface ReaderProbeInput {
  /** Where a system path is under the doctor's root. */
  at: DoctorContext["at"];
  /** BCM GPIO of the RST line (CARD_RST_PIN). */
  resetPin: number;
  /** SPI0 chip select (CARD_SPI_CE). */
  spiChip: number;
  /** The reader's spidev device, /dev/spidev0.N. */
  device: string;
}

/** What one look at the chip found (the shape of hardware/cards' CardReaderChipProbe). */
export interface ReaderChipProbe {
  /** genuine / clone / unknown: a chip answers; absent: nothing answers; unavailable: cannot be opened here. */
  verdict: "genuine" | "clone" | "unknown" | "absent" | "unavailable";
  answering: boolean;
  /** One line for people. */
  message: string;
  /** What to do about it. */
  hints: string[];
}

export interface CardReaderAdapter {
  /** The driver the console uses, for the report. */
  driver: string;
  /** Why the driver cannot work on this board (read from files under the root), or undefined. */
  prerequisites(o: ReaderProbeInput): Promise<{ problem: string; hint: string } | undefined>;
  /** Opens the reader once and reads its version (the real root only). */
  probeChip(o: ReaderProbeInput): Promise<ReaderChipProbe>;
}

function hex(n: number): string {
  return `0x${n.toString(16).toUpperCase().padStart(2, "0")}`;
}

/** MFRC522 VersionReg values: NXP's own, and the clones' (as hardware/cards documents them). */
function kindOf(version: number): "genuine" | "clone" | "unknown" {
  if (version === 0x91 || version === 0x92) return "genuine";
  if (version === 0x88 || version === 0x12 || version === 0xb2) return "clone";
  return "unknown";
}

const WIRING =
  "check the wiring (README: Wiring on the Pi): SDA to pin 24 (CE0) or 26 (CE1), SCK 23, MOSI 19, MISO 21, " +
  "RST 22, 3.3V to pin 17 (never 5 V), GND 20";

export const mfrc522RpiAdapter: CardReaderAdapter = {
  driver: "mfrc522-rpi",
  async prerequisites(o) {
    const { gpioAccessProblem } = await import("../hardware/cards/index.ts");
    const problem = await gpioAccessProblem({ model: o.at("/proc/device-tree/model"), gpiomem: o.at("/dev/gpiomem") });
    if (!problem) return undefined;
    if (/Pi 5|RP1/.test(problem)) {
      return {
        problem: "its GPIO library (rpio) cannot drive a Raspberry Pi 5",
        hint: "use a Raspberry Pi 3 or 4 for the reader until the /dev/spidev driver lands (it needs `dtparam=spi=on`)",
      };
    }
    return {
      problem: problem.replace(/ ?(Add this user|Set HARDWARE=sim).*$/, ""),
      hint: "`sudo usermod -aG gpio $USER`, then log out and in again",
    };
  },
  async probeChip(o) {
    const { probeMfrc522Rpi } = await import("../hardware/cards/index.ts");
    const p = await probeMfrc522Rpi({ resetPin: o.resetPin, spiChip: o.spiChip });
    if (!p.available) return { verdict: "unavailable", answering: false, message: p.reason, hints: [] };
    if (!p.answering) return { verdict: "absent", answering: false, message: p.reason, hints: [WIRING] };
    const kind = kindOf(p.version);
    return {
      verdict: kind,
      answering: true,
      message: `an MFRC522 answers (VersionReg ${hex(p.version)}${kind === "clone" ? ", a clone chip" : ""})`,
      hints: kind === "unknown" ? [`VersionReg ${hex(p.version)} is no MFRC522's: ${WIRING}`] : [],
    };
  },
};

export const mfrc522SpidevAdapter: CardReaderAdapter = {
  driver: "mfrc522",
  async prerequisites(o) {
    const { access, constants } = await import("node:fs/promises");
    const path = o.at(o.device);
    try {
      await access(path);
    } catch {
      return {
        problem: `${o.device} does not exist: the kernel's SPI driver is off`,
        hint: "add `dtparam=spi=on` to /boot/firmware/config.txt (or `sudo raspi-config nonint do_spi 0`) and reboot",
      };
    }
    try {
      await access(path, constants.R_OK | constants.W_OK);
    } catch {
      return {
        problem: `${o.device} cannot be opened by this user`,
        hint: "`sudo usermod -aG spi $USER`, then log in again",
      };
    }
    return undefined;
  },
  async probeChip(o) {
    const { probeCardReaderChip } = await import("../hardware/cards/index.ts");
    const p = await probeCardReaderChip({ device: o.device });
    return {
      verdict: p.verdict,
      answering: p.answering,
      message: p.message,
      hints: p.verdict === "absent" ? [...p.hints, WIRING] : p.hints,
    };
  },
};

/** The adapter for the configured driver (CARD_DRIVER). */
export function cardReaderAdapter(driver: string): CardReaderAdapter {
  return driver === "mfrc522-rpi" ? mfrc522RpiAdapter : mfrc522SpidevAdapter;
}
