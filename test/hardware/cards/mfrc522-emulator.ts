/**
 * A register-level MFRC522 emulator behind an SPI transport, for the tests of the spidev
 * driver: bytes in, bytes out, as the chip answers them (NXP MFRC522 datasheet rev. 3.9),
 * with ISO/IEC 14443-3 type A cards in its field.
 *
 * Written from the datasheet and the standard, not from the driver: register numbers,
 * bits and reset values are spelled out here again, so a wrong constant in the driver
 * shows up as a card that is never read, not as two copies of the same mistake.
 *
 * What it does:
 * - SPI framing: address byte (reg << 1) & 0x7E, bit 7 = read; a read returns each
 *   register during the next byte (the first byte clocked in is junk) and must end with
 *   0x00; a write sends every data byte to the same register (the FIFO).
 * - Registers with their reset values; SoftReset (CommandReg reads PowerDown until done),
 *   a hard reset (NRSTPD), the 64-byte FIFO (flush, overflow), ComIrqReg / DivIrqReg
 *   set/clear semantics, interrupts that become visible only after `busyReads` reads
 *   (the chip takes time), ErrorReg, ControlReg's RxLastBits, CollReg.
 * - Commands: Idle, CalcCRC (the CRC coprocessor, preset from ModeReg), Transmit,
 *   Transceive (started by BitFramingReg's StartSend, with TxLastBits and RxAlign), SoftReset.
 *   The timer: with TModeReg's TAuto set, a frame nobody answers raises TimerIRq; without
 *   it, nothing does (as on the chip, whose timer then never runs).
 * - The RF field: cards hear the reader only with the antenna on (TxControlReg bits 1..0),
 *   100 % ASK (TxASKReg 0x40) and 106 kBd; switching the antenna off unpowers them.
 * - Cards: ISO/IEC 14443-3 states (IDLE, READY per cascade level, ACTIVE, HALT, and the
 *   "woken from HALT" variants), REQA/WUPA -> ATQA, ANTICOLLISION with any number of known
 *   bits (answers aligned at RxAlign), SELECT with BCC and CRC_A checked -> SAK + CRC_A,
 *   HLTA; cascade levels for 4-, 7- and 10-byte UIDs. Several cards answering differently
 *   collide: CollErr (and ParityErr), CollPos counted from the FIFO's bit 0 (RxAlign bits
 *   included, as NXP's reader library reads it), bits after the collision cleared when
 *   CollReg's ValuesAfterColl is 0.
 * - Faults: damaged answers (parity, protocol, CRC flagged, a wrong SAK CRC, a wrong BCC),
 *   a bus on which nothing answers (MISO stuck low or high).
 * - Protocol violations (a malformed SPI frame, reading an empty FIFO, writing a read-only
 *   register, an unemulated command or mode) are recorded in `violations`: tests assert it
 *   stays empty.
 */
import type { SpiTransport } from "../../../hardware/cards/mfrc522-chip.ts";

const R = {
  Command: 0x01,
  ComIEn: 0x02,
  DivIEn: 0x03,
  ComIrq: 0x04,
  DivIrq: 0x05,
  Error: 0x06,
  Status1: 0x07,
  Status2: 0x08,
  FIFOData: 0x09,
  FIFOLevel: 0x0a,
  WaterLevel: 0x0b,
  Control: 0x0c,
  BitFraming: 0x0d,
  Coll: 0x0e,
  Mode: 0x11,
  TxMode: 0x12,
  RxMode: 0x13,
  TxControl: 0x14,
  TxASK: 0x15,
  TxSel: 0x16,
  RxSel: 0x17,
  RxThreshold: 0x18,
  Demod: 0x19,
  MfTx: 0x1c,
  MfRx: 0x1d,
  SerialSpeed: 0x1f,
  CRCResultH: 0x21,
  CRCResultL: 0x22,
  ModWidth: 0x24,
  RFCfg: 0x26,
  GsN: 0x27,
  CWGsP: 0x28,
  ModGsP: 0x29,
  TMode: 0x2a,
  TPrescaler: 0x2b,
  TReloadH: 0x2c,
  TReloadL: 0x2d,
  Version: 0x37,
} as const;

/** Reset values (datasheet table 20 and chapter 9); the rest reset to 0x00. */
const RESET_VALUES: ReadonlyMap<number, number> = new Map([
  [R.Command, 0x20],
  [R.ComIEn, 0x80],
  [R.ComIrq, 0x14],
  [R.Status1, 0x21],
  [R.WaterLevel, 0x08],
  [R.Control, 0x10],
  [R.Coll, 0xa0],
  [R.Mode, 0x3f],
  [R.TxControl, 0x80],
  [R.TxSel, 0x10],
  [R.RxSel, 0x84],
  [R.RxThreshold, 0x84],
  [R.Demod, 0x4d],
  [R.MfTx, 0x62],
  [R.SerialSpeed, 0xeb],
  [R.CRCResultH, 0xff],
  [R.CRCResultL, 0xff],
  [R.ModWidth, 0x26],
  [R.RFCfg, 0x48],
  [R.GsN, 0x88],
  [R.CWGsP, 0x20],
  [R.ModGsP, 0x20],
]);

const READ_ONLY = new Set<number>([R.Error, R.Status1, R.CRCResultH, R.CRCResultL, R.Version]);

const CMD_IDLE = 0x0;
const CMD_CALC_CRC = 0x3;
const CMD_TRANSMIT = 0x4;
const CMD_NO_CMD_CHANGE = 0x7;
const CMD_TRANSCEIVE = 0xc;
const CMD_SOFT_RESET = 0xf;

const IRQ_TX = 0x40;
const IRQ_RX = 0x20;
const IRQ_IDLE = 0x10;
const IRQ_ERR = 0x02;
const IRQ_TIMER = 0x01;
const DIV_CRC = 0x04;
const ERR_COLL = 0x08;
const ERR_CRC = 0x04;
const ERR_PARITY = 0x02;
const ERR_PROTOCOL = 0x01;
const ERR_BUFFER_OVFL = 0x10;

const SEL = [0x93, 0x95, 0x97];
const CASCADE_TAG = 0x88;
const CRC_PRESETS = [0x0000, 0x6363, 0xa671, 0xffff];

/** CRC_A (ISO/IEC 14443-3 annex B) with the given preset: [low byte, high byte]. */
export function crc16(data: readonly number[], preset = 0x6363): [number, number] {
  let crc = preset;
  for (const b of data) {
    let ch = (b ^ (crc & 0xff)) & 0xff;
    ch = (ch ^ (ch << 4)) & 0xff;
    crc = ((crc >> 8) ^ (ch << 8) ^ (ch << 3) ^ (ch >> 4)) & 0xffff;
  }
  return [crc & 0xff, crc >> 8];
}

const xor = (bytes: readonly number[]) => bytes.reduce((a, b) => a ^ b, 0);
const bit = (bytes: readonly number[], i: number) => ((bytes[i >> 3] ?? 0) >> (i & 7)) & 1;
const toBits = (bytes: readonly number[], from = 0, to = bytes.length * 8) => {
  const out: number[] = [];
  for (let i = from; i < to; i++) out.push(bit(bytes, i));
  return out;
};
export const hexBytes = (hex: string): number[] => (hex.match(/../g) ?? []).map((h) => Number.parseInt(h, 16));

type PiccState = "idle" | "ready" | "active" | "halt";
type FrameKind = "reqa" | "wupa" | "anticollision" | "select" | "hlta" | "other";

export interface CardSpec {
  /** UID bytes (4, 7 or 10) or hex. */
  uid: number[] | string;
  /** Final SAK (default 0x08 for 4-byte UIDs, MIFARE Classic; 0x00 for 7, Ultralight/NTAG; 0x20 for 10). */
  sak?: number;
}

/** An ISO/IEC 14443-3 type A card (PICC). */
export class EmulatedCard {
  readonly uid: number[];
  readonly sak: number;
  readonly atqa: number[];
  state: PiccState = "idle";
  powered = false;
  /** READY/ACTIVE after a WUPA from HALT ("READY*"): an error sends it back to HALT. */
  private fromHalt = false;
  private level = 0;

  constructor(spec: CardSpec) {
    this.uid = typeof spec.uid === "string" ? hexBytes(spec.uid) : [...spec.uid];
    const size = this.uid.length === 4 ? 0 : this.uid.length === 7 ? 1 : this.uid.length === 10 ? 2 : -1;
    if (size < 0) throw new Error(`a test card's UID has 4, 7 or 10 bytes, got ${this.uid.length}`);
    this.atqa = [(size << 6) | 0x04, 0x00];
    this.sak = spec.sak ?? [0x08, 0x00, 0x20][size] ?? 0;
  }

  /** The 5-byte frames of its cascade levels (4 bytes, cascade tag first if the UID goes on, then the BCC). */
  levelFrames(): number[][] {
    const u = this.uid;
    const parts =
      u.length === 4
        ? [u]
        : u.length === 7
          ? [[CASCADE_TAG, ...u.slice(0, 3)], u.slice(3)]
          : [[CASCADE_TAG, ...u.slice(0, 3)], [CASCADE_TAG, ...u.slice(3, 6)], u.slice(6)];
    return parts.map((p) => [...p, xor(p)]);
  }

  power(on: boolean): void {
    this.powered = on;
    this.state = "idle";
    this.fromHalt = false;
    this.level = 0;
  }

  private fail(): undefined {
    this.state = this.fromHalt ? "halt" : "idle";
    this.level = 0;
    return undefined;
  }

  /** A frame from the reader; the card's answer as bits (LSB first), or undefined for silence. */
  receive(bytes: readonly number[], bitCount: number): number[] | undefined {
    if (!this.powered) return undefined;
    if (bitCount === 7) {
      const cmd = (bytes[0] ?? 0) & 0x7f;
      const wakes =
        (cmd === 0x52 && (this.state === "idle" || this.state === "halt")) || (cmd === 0x26 && this.state === "idle");
      if (wakes) {
        this.fromHalt = this.state === "halt";
        this.state = "ready";
        this.level = 0;
        return toBits(this.atqa);
      }
      return this.state === "ready" || this.state === "active" ? this.fail() : undefined;
    }
    if (this.state === "idle" || this.state === "halt") return undefined;
    if (this.state === "active") {
      const isHalt = bitCount === 32 && bytes[0] === 0x50 && bytes[1] === 0x00;
      const crcOk = isHalt && crc16([0x50, 0x00]).every((b, i) => bytes[2 + i] === b);
      if (crcOk) {
        this.state = "halt";
        return undefined;
      }
      return this.fail();
    }
    // READY, at cascade level `level`
    const frames = this.levelFrames();
    const mine = frames[this.level] ?? [];
    if (bitCount < 16 || bytes[0] !== SEL[this.level]) return this.fail();
    const nvb = bytes[1] ?? 0;
    if (nvb === 0x70) {
      if (bitCount !== 72) return this.fail();
      const crc = crc16(bytes.slice(0, 7));
      if (bytes[7] !== crc[0] || bytes[8] !== crc[1]) return this.fail();
      if (!mine.every((b, i) => bytes[2 + i] === b)) return undefined; // another card is selected
      let sak: number;
      if (this.level < frames.length - 1) {
        this.level++;
        sak = 0x04;
      } else {
        this.state = "active";
        sak = this.sak;
      }
      return toBits([sak, ...crc16([sak])]);
    }
    const byteCount = nvb >> 4;
    const known = (byteCount - 2) * 8 + (nvb & 0x07);
    if (byteCount < 2 || byteCount > 6 || known > 32 || bitCount !== 16 + known) return this.fail();
    for (let i = 0; i < known; i++) if (bit(bytes, 16 + i) !== bit(mine, i)) return undefined;
    return toBits(mine, known, 40);
  }
}

export type Damage =
  /** ErrorReg ParityErr, and a bit of the answer flipped. */
  | "parity"
  /** ErrorReg ProtocolErr. */
  | "protocol"
  /** ErrorReg CRCErr (what the chip flags when its receiver checks CRCs). */
  | "crc-flag"
  /** The SAK's CRC_A bytes wrong (only the coprocessor check notices). */
  | "sak-crc"
  /** The BCC of an anticollision answer wrong. */
  | "bcc";

interface PendingIrq {
  bits: number;
  reads: number;
}

export interface SentFrame {
  command: "transceive" | "transmit";
  kind: FrameKind;
  bytes: number[];
  bitCount: number;
  answered: number;
}

export class Mfrc522Emulator {
  /** VersionReg: 0x92 (v2.0); 0x91 (v1.0); clones 0x88, 0xB2, 0x12. */
  version = 0x92;
  /** MISO: "ok", or nothing answers and the line reads stuck "low" (0x00) or "high" (0xFF). */
  bus: "ok" | "low" | "high" = "ok";
  /** Reads of ComIrqReg / DivIrqReg before a command's interrupt bits show. */
  busyReads = 1;
  /** Reads of CommandReg during which PowerDown stays set after a SoftReset. */
  resetBusyReads = 2;
  readonly cards: EmulatedCard[] = [];
  readonly violations: string[] = [];
  readonly frames: SentFrame[] = [];
  readonly stats = { transfers: 0, softResets: 0, hardResets: 0, crcCalculations: 0 };
  private readonly damage: { kind: Damage; on: FrameKind | undefined }[] = [];
  private regs = new Uint8Array(64);
  private fifo: number[] = [];
  private command = CMD_IDLE;
  private resetting = 0;
  private pendingIrq: PendingIrq | undefined;
  private pendingDivIrq: PendingIrq | undefined;

  constructor() {
    this.hardReset();
    this.stats.hardResets = 0;
  }

  /** NRSTPD pulled low and released: every register to its reset value, antenna off. */
  hardReset(): void {
    this.stats.hardResets++;
    this.resetRegisters();
    this.resetting = 0;
  }

  /** Puts a card in the field (powered at once if the antenna is on). */
  place(spec: CardSpec | string): EmulatedCard {
    const card = new EmulatedCard(typeof spec === "string" ? { uid: spec } : spec);
    card.power(this.antennaOn());
    this.cards.push(card);
    return card;
  }

  /** Takes a card (or every card) out of the field. */
  take(card?: EmulatedCard): void {
    for (let i = this.cards.length - 1; i >= 0; i--) {
      if (card === undefined || this.cards[i] === card) this.cards.splice(i, 1);
    }
  }

  /** Damages the next `count` answers (of frames of kind `on`, or any). */
  damageNext(kind: Damage, opts: { on?: FrameKind; count?: number } = {}): void {
    for (let i = 0; i < (opts.count ?? 1); i++) this.damage.push({ kind, on: opts.on });
  }

  /** Answers are no longer damaged. */
  clearDamage(): void {
    this.damage.length = 0;
  }

  /** Frames of one kind sent to the field so far. */
  sent(kind: FrameKind): SentFrame[] {
    return this.frames.filter((f) => f.kind === kind);
  }

  register(reg: number): number {
    return this.regs[reg] ?? 0;
  }

  /** One SPI transfer. */
  transfer(mosi: Uint8Array): Uint8Array {
    this.stats.transfers++;
    const miso = new Uint8Array(mosi.length);
    if (this.bus !== "ok") return miso.fill(this.bus === "low" ? 0x00 : 0xff);
    if (mosi.length < 2) {
      this.violation(`an SPI transfer of ${mosi.length} byte(s): an address byte and at least one more are needed`);
      return miso;
    }
    const first = mosi[0] ?? 0;
    if (first & 0x80) {
      miso[0] = 0xa5; // not defined by the datasheet
      for (let i = 0; i < mosi.length - 1; i++) {
        const address = mosi[i] ?? 0;
        if ((address & 0x81) !== 0x80)
          this.violation(`read address byte 0x${address.toString(16)}: bit 7 must be 1, bit 0 must be 0`);
        miso[i + 1] = this.read((address >> 1) & 0x3f);
      }
      if (mosi[mosi.length - 1] !== 0x00) this.violation("a read must end with 0x00");
      return miso;
    }
    if (first & 0x01) this.violation(`write address byte 0x${first.toString(16)}: bit 0 must be 0`);
    const reg = (first >> 1) & 0x3f;
    for (const value of mosi.subarray(1)) this.write(reg, value);
    return miso;
  }

  private violation(text: string): void {
    this.violations.push(text);
  }

  private antennaOn(): boolean {
    return (this.register(R.TxControl) & 0x03) === 0x03;
  }

  private resetRegisters(): void {
    const wasOn = this.antennaOn();
    this.regs = new Uint8Array(64);
    for (const [reg, value] of RESET_VALUES) this.regs[reg] = value;
    this.fifo = [];
    this.command = CMD_IDLE;
    this.pendingIrq = undefined;
    this.pendingDivIrq = undefined;
    if (wasOn) for (const card of this.cards) card.power(false);
  }

  private read(reg: number): number {
    switch (reg) {
      case R.Command: {
        if (this.resetting > 0) {
          this.resetting--;
          return 0x30 | CMD_SOFT_RESET;
        }
        return (this.register(R.Command) & 0x30) | this.command;
      }
      case R.ComIrq:
        this.pendingIrq = this.settle(R.ComIrq, this.pendingIrq);
        return this.register(R.ComIrq);
      case R.DivIrq:
        this.pendingDivIrq = this.settle(R.DivIrq, this.pendingDivIrq);
        return this.register(R.DivIrq);
      case R.FIFOLevel:
        return this.fifo.length;
      case R.FIFOData: {
        const value = this.fifo.shift();
        if (value === undefined) {
          this.violation("read FIFODataReg with the FIFO empty");
          return 0x00;
        }
        return value;
      }
      case R.Version:
        return this.version;
      default:
        return this.register(reg);
    }
  }

  /** One read of an interrupt register: the pending bits show once `reads` reads have passed. */
  private settle(reg: number, pending: PendingIrq | undefined): PendingIrq | undefined {
    if (!pending) return undefined;
    if (pending.reads > 0) return { ...pending, reads: pending.reads - 1 };
    this.regs[reg] = this.register(reg) | pending.bits;
    return undefined;
  }

  private write(reg: number, value: number): void {
    if (READ_ONLY.has(reg)) {
      this.violation(`write 0x${value.toString(16)} to read-only register 0x${reg.toString(16)}`);
      return;
    }
    switch (reg) {
      case R.Command:
        this.regs[R.Command] = value & 0x30;
        this.runCommand(value & 0x0f);
        return;
      case R.ComIrq:
      case R.DivIrq: {
        const bits = value & 0x7f;
        this.regs[reg] = value & 0x80 ? this.register(reg) | bits : this.register(reg) & ~bits;
        return;
      }
      case R.FIFOLevel:
        if (value & 0x80) {
          this.fifo = [];
          this.regs[R.Error] = this.register(R.Error) & ~ERR_BUFFER_OVFL;
        }
        return;
      case R.FIFOData:
        if (this.fifo.length >= 64) {
          this.violation("FIFO overflow (64 bytes)");
          this.regs[R.Error] = this.register(R.Error) | ERR_BUFFER_OVFL;
          return;
        }
        this.fifo.push(value);
        return;
      case R.BitFraming:
        this.regs[R.BitFraming] = value;
        if (value & 0x80) {
          if (this.command === CMD_TRANSCEIVE) this.transmit("transceive");
          else this.violation("StartSend set without the Transceive command");
        }
        return;
      case R.Coll:
        this.regs[R.Coll] = (this.register(R.Coll) & 0x7f) | (value & 0x80);
        return;
      case R.TxControl: {
        const wasOn = this.antennaOn();
        this.regs[R.TxControl] = value;
        const on = this.antennaOn();
        if (on !== wasOn) for (const card of this.cards) card.power(on);
        return;
      }
      case R.Control:
        this.regs[R.Control] = (this.register(R.Control) & 0x3f) | (value & 0xc0);
        return;
      default:
        this.regs[reg] = value;
    }
  }

  private runCommand(cmd: number): void {
    switch (cmd) {
      case CMD_IDLE:
        this.command = CMD_IDLE;
        return;
      case CMD_NO_CMD_CHANGE:
        return;
      case CMD_CALC_CRC: {
        this.command = CMD_CALC_CRC;
        this.stats.crcCalculations++;
        const preset = CRC_PRESETS[this.register(R.Mode) & 0x03] ?? 0;
        if (this.register(R.Mode) & 0x80) this.violation("ModeReg MSBFirst is not emulated");
        const [low, high] = crc16(this.fifo.splice(0), preset);
        this.regs[R.CRCResultL] = low;
        this.regs[R.CRCResultH] = high;
        this.pendingDivIrq = { bits: DIV_CRC, reads: this.busyReads };
        return;
      }
      case CMD_TRANSMIT:
        this.command = CMD_TRANSMIT;
        this.transmit("transmit");
        return;
      case CMD_TRANSCEIVE:
        this.command = CMD_TRANSCEIVE;
        return;
      case CMD_SOFT_RESET:
        this.stats.softResets++;
        this.resetRegisters();
        this.resetting = this.resetBusyReads;
        return;
      default:
        this.violation(`command 0x${cmd.toString(16)} is not emulated`);
    }
  }

  private fieldWorks(): boolean {
    if ((this.register(R.TxMode) | this.register(R.RxMode)) & 0x80) {
      this.violation("TxCRCEn/RxCRCEn are not emulated (the driver computes CRC_A with CalcCRC)");
    }
    const speed106 = ((this.register(R.TxMode) >> 4) & 0x07) === 0 && ((this.register(R.RxMode) >> 4) & 0x07) === 0;
    return this.antennaOn() && (this.register(R.TxASK) & 0x40) !== 0 && speed106;
  }

  private kindOf(bytes: readonly number[], bitCount: number): FrameKind {
    if (bitCount === 7) return bytes[0] === 0x52 ? "wupa" : bytes[0] === 0x26 ? "reqa" : "other";
    if (bytes[0] === 0x50 && bytes[1] === 0x00 && bitCount === 32) return "hlta";
    if (SEL.includes(bytes[0] ?? -1)) return bytes[1] === 0x70 ? "select" : "anticollision";
    return "other";
  }

  private transmit(command: "transceive" | "transmit"): void {
    const bitFraming = this.register(R.BitFraming);
    const txLastBits = command === "transmit" ? 0 : bitFraming & 0x07;
    const rxAlign = (bitFraming >> 4) & 0x07;
    const bytes = this.fifo.splice(0);
    if (bytes.length === 0) {
      this.violation(`${command} with an empty FIFO`);
      return;
    }
    const bitCount = (bytes.length - 1) * 8 + (txLastBits || 8);
    const kind = this.kindOf(bytes, bitCount);
    const field = this.fieldWorks();
    const answers = field
      ? this.cards.map((c) => c.receive(bytes, bitCount)).filter((a): a is number[] => a !== undefined)
      : [];
    this.frames.push({ command, kind, bytes, bitCount, answered: answers.length });
    this.regs[R.Error] = 0;
    if (command === "transmit") {
      this.command = CMD_IDLE;
      this.pendingIrq = { bits: IRQ_TX | IRQ_IDLE, reads: this.busyReads };
      return;
    }
    if (answers.length === 0) {
      const timer = this.register(R.TMode) & 0x80 ? IRQ_TIMER : 0;
      this.pendingIrq = { bits: IRQ_TX | timer, reads: this.busyReads };
      return;
    }
    this.receive(kind, answers, rxAlign);
  }

  private receive(kind: FrameKind, answers: number[][], rxAlign: number): void {
    const length = Math.max(...answers.map((a) => a.length));
    const bits: number[] = [];
    let collision: number | undefined;
    for (let i = 0; i < length; i++) {
      const values = new Set(answers.map((a) => a[i]).filter((v) => v !== undefined));
      if (values.size > 1 && collision === undefined) collision = i;
      const cleared = collision !== undefined && (this.register(R.Coll) & 0x80) === 0;
      bits.push(cleared ? 0 : values.has(1) ? 1 : 0);
    }
    let error = 0;
    const damage = this.takeDamage(kind);
    if (damage === "parity") {
      error |= ERR_PARITY;
      bits[0] = bits[0] ? 0 : 1;
    } else if (damage === "protocol") error |= ERR_PROTOCOL;
    else if (damage === "crc-flag") error |= ERR_CRC;
    else if (damage === "sak-crc" && bits.length === 24) bits[16] = bits[16] ? 0 : 1;
    else if (damage === "bcc" && bits.length >= 8) bits[bits.length - 1] = bits[bits.length - 1] ? 0 : 1;
    // the FIFO: the first bit received goes to bit `rxAlign` of the first byte; the bits below are not
    // defined by the datasheet: ones here, so a driver that does not mask them is caught
    const total = rxAlign + bits.length;
    const fifo = new Array<number>(Math.ceil(total / 8)).fill(0);
    fifo[0] = (1 << rxAlign) - 1;
    bits.forEach((b, i) => {
      const at = rxAlign + i;
      if (b) fifo[at >> 3] = (fifo[at >> 3] ?? 0) | (1 << (at & 7));
    });
    this.fifo = fifo;
    this.regs[R.Control] = (this.register(R.Control) & 0xf8) | (total & 0x07);
    const valuesAfterColl = this.register(R.Coll) & 0x80;
    if (collision !== undefined) {
      error |= ERR_COLL | ERR_PARITY;
      const position = rxAlign + collision + 1;
      this.regs[R.Coll] = valuesAfterColl | (position > 32 ? 0x20 : position & 0x1f);
    } else {
      this.regs[R.Coll] = valuesAfterColl | 0x20;
    }
    this.regs[R.Error] = error;
    this.pendingIrq = { bits: IRQ_TX | IRQ_RX | (error ? IRQ_ERR : 0), reads: this.busyReads };
  }

  private takeDamage(kind: FrameKind): Damage | undefined {
    const i = this.damage.findIndex((d) => d.on === undefined || d.on === kind);
    if (i < 0) return undefined;
    return this.damage.splice(i, 1)[0]?.kind;
  }
}

/** An SPI error as spi-device reports it (a Nan::ErrnoException). */
export function spiError(code = "EIO", errno = 5, syscall = "transfer"): Error {
  return Object.assign(new Error(`${code}, Input/output error`), { code, errno, syscall });
}

/** The emulator behind the driver's SPI transport interface, with transfer failures on demand. */
export class EmulatedSpi implements SpiTransport {
  open = true;
  closes = 0;
  /** While set, every transfer rejects with it (e.g. spiError("EIO")). */
  failure: Error | undefined;
  /** Called before every transfer (tests use it to change the world mid-poll). */
  onTransfer: (() => void) | undefined;

  readonly chip: Mfrc522Emulator;

  constructor(chip: Mfrc522Emulator) {
    this.chip = chip;
  }

  async transfer(data: Uint8Array): Promise<Uint8Array> {
    this.onTransfer?.();
    if (!this.open) {
      this.chip.violations.push("transfer on a closed SPI device");
      throw new Error("EBADF, transfer on a closed device");
    }
    if (this.failure) throw this.failure;
    return this.chip.transfer(data);
  }

  async close(): Promise<void> {
    this.open = false;
    this.closes++;
  }
}
