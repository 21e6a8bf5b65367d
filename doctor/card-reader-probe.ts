/**
 * The card reader as the doctor probes it, behind one small adapter so the check does not
 * change when the driver does. Today the console drives the MFRC522 with mfrc522-rpi (rpio
 * bit-banging SPI on /dev/gpiomem; not on a Pi 5). The driver over the kernel's /dev/spidev
 * (hardware/cards probeCardReaderChip, being written on another branch) returns results of
 * the same shape as ReaderChipProbe; when it lands, an adapter whose prerequisites are
 * "/dev/spidev0.N exists and opens" and whose probeChip is
 *   (o) => probeCardReaderChip({ device: o.device })
 * replaces `cardReaderAdapter` at the bottom of this file.
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
    const { probeMfrc522 } = await import("../hardware/cards/index.ts");
    const p = await probeMfrc522({ resetPin: o.resetPin, spiChip: o.spiChip });
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

/** The adapter the doctor uses (see the top of this file). */
export const cardReaderAdapter: CardReaderAdapter = mfrc522RpiAdapter;
