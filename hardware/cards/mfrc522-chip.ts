/**
 * The MFRC522's register protocol, in TypeScript, over any SPI transport (the kernel's
 * /dev/spidev through spidev-transport.ts on a Pi; a register-level emulator in tests).
 * No timers: waiting for the chip is reading its interrupt bits a bounded number of times,
 * and the chip's own timer (started after each transmission, 5 ms) ends a wait for a card
 * that does not answer.
 *
 * Facts from NXP's MFRC522 datasheet (rev. 3.9) used here:
 * - SPI, mode 0, MSB first, up to 10 MHz. Address byte: bit 7 = 1 to read, bits 6..1 the
 *   register, bit 0 = 0, i.e. (reg << 1) & 0x7E. A read sends address bytes and a final
 *   0x00; the chip answers each address during the next byte, so the first byte clocked in
 *   is meaningless. A write sends the address, then data bytes that all go to that
 *   register (the FIFO takes several that way).
 * - Commands (CommandReg bits 3..0): Idle 0, CalcCRC 3, Transmit 4, Transceive 0xC,
 *   SoftReset 0xF. Transceive sends the FIFO when BitFramingReg's StartSend (bit 7) is set,
 *   then receives into the FIFO; it runs until another command is written.
 * - ComIrqReg: TxIRq 0x40, RxIRq 0x20, IdleIRq 0x10, ErrIRq 0x02, TimerIRq 0x01; writing
 *   0x7F clears them all (bit 7 = 0: clear the marked bits). DivIrqReg: CRCIRq 0x04.
 * - ErrorReg: WrErr 0x80, TempErr 0x40, BufferOvfl 0x10, CollErr 0x08, CRCErr 0x04,
 *   ParityErr 0x02, ProtocolErr 0x01. CollReg: CollPosNotValid 0x20, CollPos bits 4..0
 *   (1..31, 0 meaning 32); ValuesAfterColl (bit 7) = 0 clears the bits after a collision.
 * - FIFOLevelReg bits 6..0 = bytes in the 64-byte FIFO, writing bit 7 flushes it;
 *   ControlReg bits 2..0 = valid bits of the last byte received (0 = all 8).
 * - SoftReset resets every register; CommandReg's PowerDown bit (0x10) stays set until the
 *   oscillator runs again. The antenna is off after a reset (TxControlReg bits 1..0).
 * - VersionReg (0x37): 0x91 = v1.0, 0x92 = v2.0 on genuine chips; clones read 0x88, 0xB2
 *   (Fudan FM17522) or 0x12; 0x00 or 0xFF means nothing answers on MISO.
 */
import { countOption } from "../options.ts";

/** The SPI device the chip hangs on, as the chip driver needs it. */
export interface SpiTransport {
  /** One transfer with chip select held: sends `data`, resolves with the bytes clocked in meanwhile (as many). */
  transfer(data: Uint8Array): Promise<Uint8Array>;
  /** Releases the device. */
  close(): Promise<void>;
}

/** MFRC522 registers used here (datasheet chapter 9). */
export const REG = {
  Command: 0x01,
  ComIrq: 0x04,
  DivIrq: 0x05,
  Error: 0x06,
  FIFOData: 0x09,
  FIFOLevel: 0x0a,
  Control: 0x0c,
  BitFraming: 0x0d,
  Coll: 0x0e,
  Mode: 0x11,
  TxMode: 0x12,
  RxMode: 0x13,
  TxControl: 0x14,
  TxASK: 0x15,
  CRCResultH: 0x21,
  CRCResultL: 0x22,
  ModWidth: 0x24,
  TMode: 0x2a,
  TPrescaler: 0x2b,
  TReloadH: 0x2c,
  TReloadL: 0x2d,
  Version: 0x37,
} as const;

/** MFRC522 commands (datasheet chapter 10). */
export const CMD = {
  Idle: 0x00,
  CalcCRC: 0x03,
  Transmit: 0x04,
  Transceive: 0x0c,
  SoftReset: 0x0f,
} as const;

const IRQ = { Tx: 0x40, Rx: 0x20, Idle: 0x10, Err: 0x02, Timer: 0x01, ClearAll: 0x7f } as const;
const DIV_IRQ_CRC = 0x04;
const ERR = { Wr: 0x80, Temp: 0x40, BufferOvfl: 0x10, Coll: 0x08, CRC: 0x04, Parity: 0x02, Protocol: 0x01 } as const;
const COLL_POS_NOT_VALID = 0x20;
const POWER_DOWN = 0x10;
const START_SEND = 0x80;
const FLUSH_FIFO = 0x80;
const ANTENNA_ON = 0x03;
const FIFO_SIZE = 64;

/**
 * What init() writes after the soft reset (the usual MFRC522 set-up for ISO/IEC 14443 A at
 * 106 kBd): the timer counts 25 µs ticks (TPrescaler 0xA9: 13.56 MHz / 339) from the end
 * of each transmission and raises TimerIRq after 200 of them (5 ms: a card's ATQA, UID or
 * SAK starts about 90 µs after the frame and lasts under 0.5 ms; the shorter the wait, the
 * fewer interrupt-register reads a poll of an empty field costs); 100 % ASK; CRC preset
 * 0x6363 (CRC_A); bits after a collision cleared.
 */
const SETUP: readonly (readonly [number, number])[] = [
  [REG.TxMode, 0x00],
  [REG.RxMode, 0x00],
  [REG.ModWidth, 0x26],
  [REG.TMode, 0x80],
  [REG.TPrescaler, 0xa9],
  [REG.TReloadH, 0x00],
  [REG.TReloadL, 0xc8],
  [REG.TxASK, 0x40],
  [REG.Mode, 0x3d],
  [REG.Coll, 0x00],
];

/** The SPI address byte that reads `reg`. */
export function readAddress(reg: number): number {
  return 0x80 | ((reg << 1) & 0x7e);
}

/** The SPI address byte that writes `reg`. */
export function writeAddress(reg: number): number {
  return (reg << 1) & 0x7e;
}

export type ChipKind = "genuine" | "clone" | "unknown" | "absent";

/** What a VersionReg value says about the chip on the bus. */
export function describeChipVersion(version: number): { kind: ChipKind; name: string } {
  switch (version) {
    case 0x91:
      return { kind: "genuine", name: "MFRC522 v1.0" };
    case 0x92:
      return { kind: "genuine", name: "MFRC522 v2.0" };
    case 0x88:
      return { kind: "clone", name: "MFRC522 clone (Fudan FM17522)" };
    case 0xb2:
      return { kind: "clone", name: "MFRC522 clone (Fudan FM17522, 0xB2)" };
    case 0x12:
      return { kind: "clone", name: "MFRC522 clone (counterfeit, 0x12)" };
    case 0x00:
    case 0xff:
      return { kind: "absent", name: "nothing (MISO stuck at 0x00 or 0xFF)" };
    default:
      return { kind: "unknown", name: "an unknown chip" };
  }
}

export function hex(byte: number): string {
  return `0x${(byte & 0xff).toString(16).toUpperCase().padStart(2, "0")}`;
}

/** The chip did not do what it must (a command that never finished): reset it. */
export class ChipError extends Error {
  override readonly name = "ChipError";
}

export type RfError = "parity" | "crc" | "protocol" | "buffer-overflow" | "temperature" | "write";

export type TransceiveResult =
  /** An answer: `data` as in the FIFO; `lastBits` valid bits of its last byte (0 = all 8). */
  | { status: "ok"; data: number[]; lastBits: number }
  /** Nobody answered before the chip's timer ran out. */
  | { status: "timeout" }
  /** Several cards answered differently; `position` of the first collided bit (1-based, FIFO frame), if the chip knows it. */
  | { status: "collision"; data: number[]; position: number | undefined }
  /** The answer was damaged (ErrorReg). */
  | { status: "error"; error: RfError; errorReg: number };

export interface ChipStatus {
  /** VersionReg as read. */
  version: number;
  /** Whether the set-up of init() is still in place (antenna on, timer, CRC preset): false after a reset. */
  configured: boolean;
}

export interface Mfrc522Chip {
  readRegister(reg: number): Promise<number>;
  /** Several registers in one SPI transfer. */
  readRegisters(regs: readonly number[]): Promise<number[]>;
  /** Writes `values` to `reg`, in one SPI transfer. */
  writeRegister(reg: number, ...values: number[]): Promise<void>;
  /** SoftReset, then waits for the oscillator (PowerDown cleared). */
  softReset(): Promise<void>;
  /** Soft reset, the set-up for ISO/IEC 14443 A, antenna on. */
  init(): Promise<void>;
  /** VersionReg and whether init()'s set-up is still in place, in one SPI transfer. */
  status(): Promise<ChipStatus>;
  /** Sends `data` to the cards in the field and receives their answer. */
  transceive(data: readonly number[], framing?: { txLastBits?: number; rxAlign?: number }): Promise<TransceiveResult>;
  /** Sends `data` without waiting for an answer (HLTA). */
  transmit(data: readonly number[]): Promise<void>;
  /** CRC_A of `data` by the chip's coprocessor: [low byte, high byte], in the order they are sent. */
  calculateCrc(data: readonly number[]): Promise<[number, number]>;
}

export interface Mfrc522ChipOptions {
  /**
   * How many times a command's interrupt bits are read before the chip counts as stuck
   * (default 2000; at 1 MHz one read takes well under 100 µs, so this is far beyond the
   * chip's 5 ms timer).
   */
  maxWaitReads?: number;
}

function assertBits(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 7) throw new RangeError(`${name} must be 0..7, got ${value}`);
}

function rfErrorOf(errorReg: number): RfError | undefined {
  if (errorReg & ERR.Temp) return "temperature";
  if (errorReg & ERR.Wr) return "write";
  if (errorReg & ERR.BufferOvfl) return "buffer-overflow";
  if (errorReg & ERR.Protocol) return "protocol";
  if (errorReg & ERR.Parity) return "parity";
  if (errorReg & ERR.CRC) return "crc";
  return undefined;
}

/** The MFRC522 on `transport`. Does no I/O until called. */
export function createMfrc522Chip(transport: SpiTransport, opts: Mfrc522ChipOptions = {}): Mfrc522Chip {
  const maxWaitReads = countOption("maxWaitReads", opts.maxWaitReads ?? 2000);

  async function readRegisters(regs: readonly number[]): Promise<number[]> {
    if (regs.length === 0) return [];
    const out = new Uint8Array(regs.length + 1);
    regs.forEach((reg, i) => {
      out[i] = readAddress(reg);
    });
    const back = await transport.transfer(out);
    if (back.length !== out.length) {
      throw new Error(`SPI transfer returned ${back.length} bytes for ${out.length} sent`);
    }
    return Array.from(back.subarray(1));
  }

  async function readRegister(reg: number): Promise<number> {
    return (await readRegisters([reg]))[0] ?? 0;
  }

  async function writeRegister(reg: number, ...values: number[]): Promise<void> {
    await transport.transfer(Uint8Array.from([writeAddress(reg), ...values.map((v) => v & 0xff)]));
  }

  async function readFifo(count: number): Promise<number[]> {
    return count === 0 ? [] : readRegisters(new Array<number>(count).fill(REG.FIFOData));
  }

  /** Reads `reg` until `done(value)`; the last value, or a ChipError after maxWaitReads. */
  async function waitFor(reg: number, done: (value: number) => boolean, what: string): Promise<number> {
    for (let i = 0; i < maxWaitReads; i++) {
      const value = await readRegister(reg);
      if (done(value)) return value;
    }
    throw new ChipError(`the MFRC522 did not finish ${what} (${maxWaitReads} reads)`);
  }

  async function loadFifo(command: number, data: readonly number[]): Promise<void> {
    if (data.length === 0 || data.length > FIFO_SIZE) {
      throw new RangeError(`the FIFO takes 1..${FIFO_SIZE} bytes, got ${data.length}`);
    }
    await writeRegister(REG.Command, CMD.Idle);
    if (command === CMD.CalcCRC) await writeRegister(REG.DivIrq, DIV_IRQ_CRC);
    else await writeRegister(REG.ComIrq, IRQ.ClearAll);
    await writeRegister(REG.FIFOLevel, FLUSH_FIFO);
    await writeRegister(REG.FIFOData, ...data);
  }

  async function softReset(): Promise<void> {
    await writeRegister(REG.Command, CMD.SoftReset);
    await waitFor(REG.Command, (v) => (v & POWER_DOWN) === 0, "its soft reset");
  }

  async function antennaOn(): Promise<void> {
    const txControl = await readRegister(REG.TxControl);
    if ((txControl & ANTENNA_ON) !== ANTENNA_ON) await writeRegister(REG.TxControl, txControl | ANTENNA_ON);
  }

  return {
    readRegister,
    readRegisters,
    writeRegister,
    softReset,

    async init() {
      await softReset();
      for (const [reg, value] of SETUP) await writeRegister(reg, value);
      await antennaOn();
    },

    async status() {
      const [version = 0, txControl = 0, tMode = 0, mode = 0] = await readRegisters([
        REG.Version,
        REG.TxControl,
        REG.TMode,
        REG.Mode,
      ]);
      const configured = (txControl & ANTENNA_ON) === ANTENNA_ON && (tMode & 0x80) !== 0 && (mode & 0x03) === 0x01;
      return { version, configured };
    },

    async transceive(data, framing = {}) {
      const txLastBits = framing.txLastBits ?? 0;
      const rxAlign = framing.rxAlign ?? 0;
      assertBits("txLastBits", txLastBits);
      assertBits("rxAlign", rxAlign);
      const bitFraming = (rxAlign << 4) | txLastBits;
      await loadFifo(CMD.Transceive, data);
      await writeRegister(REG.BitFraming, bitFraming);
      await writeRegister(REG.Command, CMD.Transceive);
      await writeRegister(REG.BitFraming, bitFraming | START_SEND);
      let irq: number;
      try {
        irq = await waitFor(REG.ComIrq, (v) => (v & (IRQ.Rx | IRQ.Idle | IRQ.Err | IRQ.Timer)) !== 0, "a transceive");
      } finally {
        await writeRegister(REG.BitFraming, bitFraming);
        await writeRegister(REG.Command, CMD.Idle);
      }
      const errorReg = await readRegister(REG.Error);
      if ((irq & (IRQ.Rx | IRQ.Err)) === 0) return { status: "timeout" };
      // in the order NXP's reader library weighs them: a collision also garbles parity bits
      const fatal = rfErrorOf(errorReg & (ERR.Temp | ERR.Wr | ERR.BufferOvfl));
      if (fatal) return { status: "error", error: fatal, errorReg };
      const [level = 0, control = 0] = await readRegisters([REG.FIFOLevel, REG.Control]);
      const fifo = await readFifo(Math.min(level & 0x7f, FIFO_SIZE));
      if (errorReg & ERR.Coll) {
        const coll = await readRegister(REG.Coll);
        const position = coll & COLL_POS_NOT_VALID ? undefined : coll & 0x1f || 32;
        return { status: "collision", data: fifo, position };
      }
      const damaged = rfErrorOf(errorReg);
      if (damaged) return { status: "error", error: damaged, errorReg };
      if (fifo.length === 0) return { status: "timeout" };
      return { status: "ok", data: fifo, lastBits: control & 0x07 };
    },

    async transmit(data) {
      await loadFifo(CMD.Transmit, data);
      await writeRegister(REG.BitFraming, 0x00);
      await writeRegister(REG.Command, CMD.Transmit);
      await waitFor(REG.ComIrq, (v) => (v & (IRQ.Tx | IRQ.Idle)) !== 0, "a transmission");
      await writeRegister(REG.Command, CMD.Idle);
    },

    async calculateCrc(data) {
      await loadFifo(CMD.CalcCRC, data);
      await writeRegister(REG.Command, CMD.CalcCRC);
      await waitFor(REG.DivIrq, (v) => (v & DIV_IRQ_CRC) !== 0, "a CRC calculation");
      await writeRegister(REG.Command, CMD.Idle);
      const [low = 0, high = 0] = await readRegisters([REG.CRCResultL, REG.CRCResultH]);
      return [low, high];
    },
  };
}
