/**
 * What the HD44780 driver talks to, faked at the boundary the system exposes: an i2c-bus
 * PromisifiedBus (i2cWrite, i2cRead, close; /dev/i2c-N opened lazily on the first transfer,
 * failing with the errors i2c-bus gives) with a PCF8574 backpack at an address, whose eight
 * outputs feed an HD44780 model that decodes the 4-bit protocol from the pin levels:
 * E falling edges latch D4..D7, RS selects instruction or data, RW must stay low, the
 * nibbles pair up in 4-bit mode, the instructions (clear, home, entry mode, display
 * control, shift, function set, CGRAM/DDRAM address) act on DDRAM and the address counter
 * as the datasheet says, and the screen is read back the way a panel of a given size shows
 * its rows. Time is virtual: each I2C byte takes 90 us (100 kHz), `delay(ms)` moves it on,
 * and the model records every protocol violation (RS changing as E rises, data changing
 * as E falls, an instruction while the controller is busy, a read).
 */
import type { I2cBus } from "../../../hardware/display/hd44780.ts";

/** Errors shaped like the ones i2c-bus produces: fs's (open, write) and the addon's (setAddr). */
export function i2cError(code: "ENOENT" | "EACCES" | "EREMOTEIO" | "ENXIO" | "EBUSY" | "EIO", bus = 1): Error {
  const fsError = (message: string, errno: number, syscall: string, path?: string) =>
    Object.assign(new Error(message), { code, errno, syscall, ...(path ? { path } : {}) });
  switch (code) {
    case "ENOENT":
      return fsError(`ENOENT: no such file or directory, open '/dev/i2c-${bus}'`, -2, "open", `/dev/i2c-${bus}`);
    case "EACCES":
      return fsError(`EACCES: permission denied, open '/dev/i2c-${bus}'`, -13, "open", `/dev/i2c-${bus}`);
    case "EREMOTEIO":
      return fsError("EREMOTEIO: remote I/O error, write", -121, "write");
    case "ENXIO":
      return fsError("ENXIO: no such device or address, write", -6, "write");
    case "EIO":
      return fsError("EIO: i/o error, write", -5, "write");
    case "EBUSY":
      return Object.assign(new Error("EBUSY, Device or resource busy"), { code, errno: 16, syscall: "setAddr" });
  }
}

const RS = 0x01;
const RW = 0x02;
const E = 0x04;
const BL = 0x08;

/** Execution times (us) at the datasheet's 270 kHz oscillator. */
const EXEC_US = 37 + 4;
const SLOW_US = 1520;

export type PanelStart =
  /** Power just came on: 8-bit interface, busy for 40 ms, PCF8574 outputs all high. */
  | "power-on"
  /** Left in 4-bit mode by an earlier run, display on. */
  | "4-bit"
  /** Left in 4-bit mode halfway through a byte (the console died between two nibbles). */
  | "4-bit, mid-byte";

/** An HD44780 behind a PCF8574: feed it port bytes with their time, read the screen back. */
export class Hd44780Model {
  readonly violations: string[] = [];
  private entries: string[] = [];
  backlight: boolean;
  displayOn = false;
  cursorOn = false;
  blinkOn = false;
  interfaceBits: 4 | 8 = 8;
  twoLines = false;
  increment = true;
  displayShift = false;
  /** Instructions decoded since the last reset of the log. */
  private ddram: number[] = new Array(0x80).fill(0x20);
  private cgram: number[] = new Array(0x40).fill(0);
  private ac = 0;
  private target: "ddram" | "cgram" = "ddram";
  private port: number;
  private pending: number | undefined;
  private busyUntil: number;
  private poweredOn: boolean;
  /** 8-bit function sets since power-on (the first wants 4.1 ms, the second 100 us). */
  private initSets = 0;

  constructor(start: PanelStart = "power-on") {
    if (start === "power-on") {
      this.port = 0xff; // PCF8574 quasi-bidirectional outputs come up high
      this.busyUntil = 40_000;
      this.poweredOn = true;
      this.backlight = true;
    } else {
      this.port = BL;
      this.busyUntil = 0;
      this.poweredOn = false;
      this.backlight = true;
      this.interfaceBits = 4;
      this.twoLines = true;
      this.displayOn = true;
      this.ddram.fill(0x23); // whatever the earlier run left: '#'
      if (start === "4-bit, mid-byte") this.pending = 0x4;
    }
  }

  /** The decoded instructions and text since the last clearLog(), compact: "ddram 0x40", "text 'ab'". */
  log(): string[] {
    return [...this.entries];
  }

  clearLog(): void {
    this.entries = [];
  }

  private note(entry: string): void {
    this.entries.push(entry);
  }

  /** One byte written to the PCF8574 at time `us`. */
  feed(byte: number, us: number): void {
    const before = this.port;
    const eWas = (before & E) !== 0;
    const eNow = (byte & E) !== 0;
    if ((eWas || eNow) && (before & (RS | RW)) !== (byte & (RS | RW))) {
      this.violations.push(`RS/RW changed while E was high or rising (0x${hex(before)} -> 0x${hex(byte)})`);
    }
    if (eWas && !eNow) {
      if ((before & 0xf0) !== (byte & 0xf0)) {
        this.violations.push(`D4-D7 changed as E fell (0x${hex(before)} -> 0x${hex(byte)}): no hold time`);
      }
      this.latch(before >> 4, (before & RS) !== 0, (before & RW) !== 0, us);
    }
    this.port = byte;
    this.backlight = (byte & BL) !== 0;
  }

  private latch(nibble: number, rs: boolean, rw: boolean, us: number): void {
    if (rw) {
      // a read cycle: harmless in 8-bit mode (the PCF8574's power-on state); the driver never reads
      if (this.interfaceBits === 4) {
        this.violations.push("read cycle (RW high) in 4-bit mode");
        this.pending = this.pending === undefined ? nibble : undefined;
      }
      return;
    }
    if (us < this.busyUntil) {
      this.violations.push(`written at ${us} us while busy until ${this.busyUntil} us`);
    }
    if (this.interfaceBits === 8) {
      this.execute(nibble << 4, rs, us); // D0-D3 are not wired on a backpack
      return;
    }
    if (this.pending === undefined) {
      this.pending = nibble;
      return;
    }
    const value = (this.pending << 4) | nibble;
    this.pending = undefined;
    this.execute(value, rs, us);
  }

  private step(): void {
    if (this.target === "cgram") {
      this.ac = (this.ac + (this.increment ? 1 : -1)) & 0x3f;
      return;
    }
    if (!this.twoLines) {
      this.ac = (this.ac + (this.increment ? 1 : 0x4f)) % 0x50;
      return;
    }
    const next = this.ac + (this.increment ? 1 : -1);
    if (this.increment) this.ac = next === 0x28 ? 0x40 : next === 0x68 ? 0x00 : next;
    else this.ac = next === 0x3f ? 0x27 : next === -1 ? 0x67 : next;
  }

  private execute(value: number, rs: boolean, us: number): void {
    let exec = EXEC_US;
    if (rs) {
      if (this.target === "cgram") this.cgram[this.ac] = value;
      else this.ddram[this.ac] = value;
      this.step();
      const last = this.entries[this.entries.length - 1];
      const ch = String.fromCharCode(value);
      if (last?.startsWith("text '")) this.entries[this.entries.length - 1] = `${last.slice(0, -1)}${ch}'`;
      else this.note(`text '${ch}'`);
    } else if (value & 0x80) {
      this.target = "ddram";
      this.ac = value & 0x7f;
      this.note(`ddram 0x${hex(this.ac)}`);
    } else if (value & 0x40) {
      this.target = "cgram";
      this.ac = value & 0x3f;
      this.note(`cgram 0x${hex(this.ac)}`);
    } else if (value & 0x20) {
      const wasEight = this.interfaceBits === 8;
      this.interfaceBits = value & 0x10 ? 8 : 4;
      // N and F are taken from the function set that leaves 8-bit mode or is sent in 4-bit mode
      if (!wasEight || this.interfaceBits === 4) {
        this.twoLines = (value & 0x08) !== 0;
      }
      if (wasEight && this.poweredOn) {
        this.initSets++;
        if (this.initSets === 1) exec = 4100;
        else if (this.initSets === 2) exec = 100;
      }
      this.note(
        wasEight
          ? `function ${this.interfaceBits}-bit`
          : `function ${this.interfaceBits}-bit ${value & 0x08 ? 2 : 1}-line ${value & 0x04 ? "5x10" : "5x8"}`,
      );
    } else if (value & 0x10) {
      if (value & 0x08) this.violations.push("display shift: the driver never shifts the display");
      else {
        const saved = this.increment;
        this.increment = (value & 0x04) !== 0;
        this.step();
        this.increment = saved;
      }
      this.note(`shift 0x${hex(value)}`);
    } else if (value & 0x08) {
      this.displayOn = (value & 0x04) !== 0;
      this.cursorOn = (value & 0x02) !== 0;
      this.blinkOn = (value & 0x01) !== 0;
      this.note(
        `display ${this.displayOn ? "on" : "off"}${this.cursorOn ? " cursor" : ""}${this.blinkOn ? " blink" : ""}`,
      );
    } else if (value & 0x04) {
      this.increment = (value & 0x02) !== 0;
      this.displayShift = (value & 0x01) !== 0;
      this.note(`entry ${this.increment ? "inc" : "dec"}${this.displayShift ? " shift" : ""}`);
    } else if (value & 0x02) {
      this.ac = 0;
      this.target = "ddram";
      exec = SLOW_US;
      this.note("home");
    } else if (value & 0x01) {
      this.ddram.fill(0x20);
      this.ac = 0;
      this.target = "ddram";
      this.increment = true;
      exec = SLOW_US;
      this.note("clear");
    }
    this.busyUntil = us + exec;
  }

  /** What a panel of this size shows now: its rows' DDRAM, blank while the display is off. */
  screen(cols: number, rows: number): string[] {
    const starts = cols === 16 && rows === 4 ? [0x00, 0x40, 0x10, 0x50] : [0x00, 0x40, 0x14, 0x54];
    return starts.slice(0, rows).map((s, row) => {
      if (!this.displayOn || (row > 0 && !this.twoLines)) return " ".repeat(cols);
      return this.ddram
        .slice(s, s + cols)
        .map((c) => String.fromCharCode(c))
        .join("");
    });
  }
}

function hex(n: number): string {
  return n.toString(16).padStart(2, "0");
}

type Op = "write" | "read" | "close";

/**
 * The I2C side: buses as i2c-bus opens them, a PCF8574 with its panel at `address`, the
 * virtual clock, failures and hangs on demand.
 */
export class FakeI2c {
  readonly panel: Hd44780Model;
  /** Virtual time, in microseconds. */
  now = 0;
  /** /dev/i2c-N exists (else ENOENT on the first transfer). */
  busExists = true;
  /** This user may open it (else EACCES). */
  accessible = true;
  /** A kernel driver claims the address (EBUSY). */
  claimed = false;
  /** The backpack answers at its address (else every transfer fails with EREMOTEIO). */
  acknowledges = true;
  /** Every bus number opened, in order. */
  readonly opened: number[] = [];
  closes = 0;
  /** Every i2cWrite that went through: its bytes. */
  writes: number[][] = [];
  reads = 0;
  private failures: Array<{ op: Op; error: unknown; skip: number }> = [];
  private gates: Array<{ op: Op; reached: () => void; release: Promise<void> }> = [];

  readonly address: number;

  constructor(address = 0x27, start: PanelStart = "power-on") {
    this.address = address;
    this.panel = new Hd44780Model(start);
  }

  /** The next `op` (after `skip` that succeed) fails with `error`. */
  failNext(op: Op, error: unknown, skip = 0): void {
    this.failures.push({ op, error, skip });
  }

  /** The next `op` waits until release(); never releasing it is a hung bus. */
  hold(op: Op): { reached: Promise<void>; release: () => void } {
    let release!: () => void;
    let reached!: () => void;
    const reachedP = new Promise<void>((r) => {
      reached = r;
    });
    const releaseP = new Promise<void>((r) => {
      release = r;
    });
    this.gates.push({ op, reached, release: releaseP });
    return { reached: reachedP, release };
  }

  /** The decoded instructions since the last reset(), and whether any byte went out. */
  ops(): string[] {
    return this.panel.log();
  }

  reset(): void {
    this.panel.clearLog();
    this.writes = [];
  }

  /** Bytes written since the last reset(). */
  bytes(): number {
    return this.writes.reduce((n, w) => n + w.length, 0);
  }

  screen(cols: number, rows: number): string[] {
    return this.panel.screen(cols, rows);
  }

  /** The `delay` option for the driver: moves virtual time on. */
  readonly delay = async (ms: number): Promise<void> => {
    this.now += ms * 1000;
  };

  /** The `openBus` option for the driver. */
  readonly openBus = async (busNumber: number): Promise<I2cBus> => {
    this.opened.push(busNumber);
    const fake = this;
    let fileOpen = false;
    let closed = false;
    const enter = async (op: Op, address: number) => {
      const gate = fake.gates.findIndex((g) => g.op === op);
      if (gate >= 0) {
        const [g] = fake.gates.splice(gate, 1);
        g?.reached();
        await g?.release;
      }
      const failure = fake.failures.find((f) => f.op === op);
      if (failure && failure.skip > 0) failure.skip--;
      else if (failure) {
        fake.failures.splice(fake.failures.indexOf(failure), 1);
        throw failure.error;
      }
      if (op === "close") return;
      if (closed) throw Object.assign(new Error("EBADF: bad file descriptor, write"), { code: "EBADF" });
      if (!fileOpen) {
        // i2c-bus opens /dev/i2c-N and sets the address on the first transfer
        if (!fake.busExists) throw i2cError("ENOENT", busNumber);
        if (!fake.accessible) throw i2cError("EACCES", busNumber);
        if (fake.claimed) throw i2cError("EBUSY", busNumber);
        fileOpen = true;
      }
      if (address !== fake.address || !fake.acknowledges) throw i2cError("EREMOTEIO", busNumber);
    };
    return {
      async i2cWrite(address, length, buffer) {
        await enter("write", address);
        const bytes = [...buffer.subarray(0, length)];
        fake.writes.push(bytes);
        fake.now += 90; // START + address byte
        for (const b of bytes) {
          fake.now += 90;
          fake.panel.feed(b, fake.now);
        }
        return { bytesWritten: length };
      },
      async i2cRead(address, length, buffer) {
        await enter("read", address);
        fake.reads++;
        fake.now += 90 * (1 + length);
        buffer.fill(0xff, 0, length);
        return { bytesRead: length };
      },
      async close() {
        fake.closes++;
        closed = true;
        await enter("close", fake.address);
      },
    };
  };
}
