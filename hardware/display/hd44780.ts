/**
 * The real display driver: an HD44780 character LCD (16x2, 20x2, 16x4, 20x4) behind a
 * PCF8574 I2C "backpack", driven straight over i2c-bus with the 4-bit protocol of
 * hd44780-protocol.ts. i2c-bus is an optionalDependency loaded with dynamic `import()` on
 * first use only, so the project installs and runs where its native addon cannot build.
 *
 * Facts about i2c-bus 5 this driver relies on (its i2c-bus.js):
 * - CommonJS; `openPromisified(n)` opens nothing yet: /dev/i2c-n is opened and the address
 *   set (ioctl I2C_SLAVE) on the first transfer to an address, so no bus gives fs's
 *   "ENOENT: no such file or directory, open '/dev/i2c-1'" there (EACCES likewise), an
 *   address claimed by a kernel driver "EBUSY, Device or resource busy" (syscall setAddr);
 * - `i2cWrite(addr, length, buffer)` is one plain I2C write of `length` bytes (one START,
 *   the address, the bytes, one STOP), done with fs.write in libuv's thread pool: it never
 *   blocks the event loop; a byte nobody acknowledges fails it with
 *   "EREMOTEIO: remote I/O error, write" (the Pi's controller reports a NACK as EREMOTEIO);
 * - `i2cRead(addr, 1, buffer)` is a plain one-byte read: a PCF8574 answers with its port
 *   state, changing nothing (the probe's acknowledge check);
 * - `close()` closes the bus's files.
 *
 * Bytes are batched: one i2cWrite per run of bytes between waits, up to `maxWriteBytes`
 * (a changed cell is 4 bytes; moving the cursor 4 or 5). Waits (power-on, the init
 * sequence, clear) are timers (`delay`), never busy loops.
 */

import type { Display } from "../../core/display/display.ts";
import { DisplayError } from "../../core/display/errors.ts";
import { codeOf, messageOf } from "../errors.ts";
import { describeNativeLoadError, type NativePackage, nativeInstallHint } from "../native.ts";
import { HD44780, Hd44780Program, initProgram, rowStart, type Step, shutdownProgram } from "./hd44780-protocol.ts";
import { checkLcdSize, type LcdCols, type LcdRows, toLcdFrame } from "./text.ts";

/** The part of i2c-bus's PromisifiedBus this driver uses. */
export interface I2cBus {
  i2cWrite(address: number, length: number, buffer: Buffer): Promise<{ bytesWritten: number }>;
  i2cRead(address: number, length: number, buffer: Buffer): Promise<{ bytesRead: number }>;
  close(): Promise<void>;
}

/** Opens /dev/i2c-`busNumber` (i2c-bus's openPromisified). */
export type I2cBusOpener = (busNumber: number) => Promise<I2cBus>;

export interface Hd44780Options {
  /** Characters per line (default 16). */
  cols?: LcdCols;
  /** Lines (default 2). */
  rows?: LcdRows;
  /** I2C bus number: /dev/i2c-N (default 1, the header pins 3 and 5 on every Pi since the B+). */
  i2cBus?: number;
  /** 7-bit I2C address of the PCF8574 backpack (default 0x27; 0x3F is the other common one). */
  address?: number;
  /** Opens the bus; injectable for tests (default: i2c-bus's openPromisified, loaded on first use). */
  openBus?: I2cBusOpener;
  /** Waits `ms` (default: a timer). */
  delay?: (ms: number) => Promise<void>;
  /** How long one open or one frame may take before it fails as "io" (default 10 s). */
  timeoutMs?: number;
  /** Most bytes in one I2C write (default 128). */
  maxWriteBytes?: number;
}

export interface Hd44780Display extends Display {
  readonly driver: "hd44780";
  readonly i2cBus: number;
  readonly address: number;
  /**
   * Opens the device now instead of on the first show() (for a start-up check). Resolves
   * at once when it is already open; rejects with DisplayError "unavailable" and the reason.
   */
  open(): Promise<void>;
}

export const HD44780_DEFAULTS = {
  cols: 16,
  rows: 2,
  i2cBus: 1,
  address: 0x27,
  timeoutMs: 10_000,
  maxWriteBytes: 128,
} as const;

const I2C_BUS: NativePackage = {
  name: "i2c-bus",
  called: "i2c-bus",
  installHint: nativeInstallHint({ compiles: "i2c-bus", orElse: "or set HARDWARE=sim" }),
};

/** The default opener: imports i2c-bus (which loads its native addon) and opens the bus. */
export async function openI2cBus(busNumber: number): Promise<I2cBus> {
  const mod = (await import("i2c-bus")) as Partial<typeof import("i2c-bus")>;
  const open = mod.openPromisified ?? mod.default?.openPromisified;
  if (typeof open !== "function") throw new Error("i2c-bus does not export openPromisified");
  return open(busNumber);
}

const realDelay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function hex(address: number): string {
  return `0x${address.toString(16).toUpperCase().padStart(2, "0")}`;
}

function loadError(e: unknown): DisplayError {
  return new DisplayError("unavailable", describeNativeLoadError(I2C_BUS, e).message, { cause: e });
}

/** The errno-specific explanation of an I2C failure, naming the bus and address. */
export function describeI2cError(e: unknown, i2cBus: number, address: number): string {
  const where = `LCD on I2C bus ${i2cBus} at ${hex(address)}`;
  const dev = `/dev/i2c-${i2cBus}`;
  const code = codeOf(e);
  const detail = messageOf(e);
  switch (code) {
    case "ENOENT":
      return (
        `${where}: ${dev} does not exist (ENOENT): I2C is not enabled, or this is not a Raspberry Pi. ` +
        "Enable it with `sudo raspi-config` -> Interface Options -> I2C (or `dtparam=i2c_arm=on` in " +
        "/boot/firmware/config.txt) and reboot, check the bus number (`ls /dev/i2c-*`), or set HARDWARE=sim."
      );
    case "EACCES":
    case "EPERM":
      return (
        `${where}: permission denied on ${dev} (${code}): add this user to the i2c group ` +
        "(`sudo usermod -aG i2c $USER`, then log in again), or set HARDWARE=sim."
      );
    case "EREMOTEIO":
    case "ENXIO":
    case "EIO":
    case "ETIMEDOUT":
      return (
        `${where}: nothing answers at this address (${detail}): check the wiring (SDA, SCL, 5 V, GND) and ` +
        `find the backpack's address with \`i2cdetect -y ${i2cBus}\` (PCF8574 backpacks are usually 0x27, ` +
        "PCF8574A ones 0x3F), or set HARDWARE=sim."
      );
    case "EBUSY":
      return (
        `${where}: the address is in use by a kernel driver (EBUSY): check \`i2cdetect -y ${i2cBus}\` ` +
        "(it shows UU) and remove the overlay that claims it, or set HARDWARE=sim."
      );
    default:
      return `${where}: I2C transfer failed (${detail}); check the wiring, or set HARDWARE=sim.`;
  }
}

/**
 * Runs of changed cells between two lines of LCD text, as { start, text } to write. Runs
 * separated by a single unchanged cell are merged: rewriting it costs one I2C byte, the
 * same as moving the cursor past it.
 */
export function changedRuns(before: string, after: string): Array<{ start: number; text: string }> {
  const runs: Array<{ start: number; end: number }> = [];
  for (let i = 0; i < after.length; i++) {
    if (before[i] === after[i]) continue;
    const last = runs[runs.length - 1];
    if (last && i - last.end <= 1) last.end = i + 1;
    else runs.push({ start: i, end: i + 1 });
  }
  return runs.map((r) => ({ start: r.start, text: after.slice(r.start, r.end) }));
}

const TIMED_OUT = Symbol("timed out");

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(TIMED_OUT), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

interface Waiter {
  resolve: () => void;
  reject: (e: unknown) => void;
}

interface FrameJob {
  frame: string[];
  waiters: Waiter[];
}

/**
 * Sends a program: consecutive bytes in writes of at most `maxBytes`, waits in between.
 * `live()` throws when the operation was abandoned (timed out), before each transfer.
 */
async function send(
  bus: I2cBus,
  address: number,
  steps: readonly Step[],
  maxBytes: number,
  delay: (ms: number) => Promise<void>,
  live: () => void = () => {},
): Promise<void> {
  for (const step of steps) {
    live();
    if ("waitMs" in step) {
      await delay(step.waitMs);
      continue;
    }
    for (let i = 0; i < step.bytes.length; i += maxBytes) {
      const chunk = Buffer.from(step.bytes.slice(i, i + maxBytes));
      if (i > 0) live();
      await bus.i2cWrite(address, chunk.length, chunk);
    }
  }
}

function checkOptions(opts: Hd44780Options) {
  const cols = opts.cols ?? HD44780_DEFAULTS.cols;
  const rows = opts.rows ?? HD44780_DEFAULTS.rows;
  checkLcdSize(cols, rows);
  const i2cBus = opts.i2cBus ?? HD44780_DEFAULTS.i2cBus;
  if (!Number.isInteger(i2cBus) || i2cBus < 0)
    throw new RangeError(`i2cBus must be a whole number >= 0, got ${i2cBus}`);
  const address = opts.address ?? HD44780_DEFAULTS.address;
  if (!Number.isInteger(address) || address < 0x03 || address > 0x77) {
    throw new RangeError(`address must be a 7-bit I2C address 0x03..0x77, got ${address}`);
  }
  const timeoutMs = opts.timeoutMs ?? HD44780_DEFAULTS.timeoutMs;
  if (!(timeoutMs > 0)) throw new RangeError(`timeoutMs must be > 0, got ${timeoutMs}`);
  const maxWriteBytes = opts.maxWriteBytes ?? HD44780_DEFAULTS.maxWriteBytes;
  if (!Number.isInteger(maxWriteBytes) || maxWriteBytes < 1) {
    throw new RangeError(`maxWriteBytes must be a whole number >= 1, got ${maxWriteBytes}`);
  }
  return {
    cols,
    rows,
    i2cBus,
    address,
    timeoutMs,
    maxWriteBytes,
    openBus: opts.openBus ?? openI2cBus,
    delay: opts.delay ?? realDelay,
  };
}

export type Hd44780Probe =
  | { available: true; i2cBus: number; address: number }
  | {
      available: false;
      /** "unavailable": no library, no bus, no access, nothing at the address. */
      reason: string;
      /** The errno code behind it (ENOENT, EACCES, EREMOTEIO, EBUSY...), when there is one. */
      code?: string;
    };

/**
 * Whether something acknowledges at the backpack's address: a one-byte read (a PCF8574
 * answers with its port state and changes nothing), for `npm run doctor`. A missing bus
 * (ENOENT), no access (EACCES), no answer (EREMOTEIO) and an address claimed by a kernel
 * driver (EBUSY) each get their explanation. Never rejects.
 */
export async function probeHd44780(
  opts: Pick<Hd44780Options, "i2cBus" | "address" | "openBus" | "timeoutMs"> = {},
): Promise<Hd44780Probe> {
  let o: ReturnType<typeof checkOptions>;
  try {
    o = checkOptions(opts);
  } catch (e) {
    return { available: false, reason: messageOf(e) };
  }
  let bus: I2cBus;
  try {
    bus = await o.openBus(o.i2cBus);
  } catch (e) {
    return { available: false, reason: loadError(e).message };
  }
  try {
    await withTimeout(bus.i2cRead(o.address, 1, Buffer.alloc(1)), o.timeoutMs);
    return { available: true, i2cBus: o.i2cBus, address: o.address };
  } catch (e) {
    if (e === TIMED_OUT) {
      return {
        available: false,
        reason: `LCD on I2C bus ${o.i2cBus} at ${hex(o.address)}: no answer within ${o.timeoutMs} ms`,
      };
    }
    const code = codeOf(e);
    return { available: false, reason: describeI2cError(e, o.i2cBus, o.address), ...(code ? { code } : {}) };
  } finally {
    await withTimeout(bus.close(), o.timeoutMs).catch(() => undefined);
  }
}

/**
 * Creates the HD44780 driver. Does no I/O: i2c-bus is loaded and the panel initialised by
 * open() or the first show()/clear().
 *
 * - Frames are serialized: a show() while another is drawing waits; of several waiting,
 *   only the newest frame is drawn, and every superseded show() settles with it.
 * - Only cells that differ from what the panel shows are rewritten; an identical frame
 *   costs no I2C traffic; a blank frame over a non-blank one is one clear command.
 * - A failed or timed-out open or write rejects with a DisplayError ("unavailable" while
 *   opening, "io" after) whose message names the bus, the address and what to do. The
 *   bus is then closed, and the next show() opens it afresh (init, clear, full redraw): a
 *   loose cable needs no restart.
 * - close() lets the frame being drawn finish, rejects waiting ones with "closed", then
 *   clears the panel, turns the display and the backlight off and closes the bus. It never
 *   rejects.
 */
export function createHd44780Display(opts: Hd44780Options = {}): Hd44780Display {
  const { cols, rows, i2cBus, address, timeoutMs, maxWriteBytes, openBus, delay } = checkOptions(opts);
  const where = `LCD on I2C bus ${i2cBus} at ${hex(address)}`;
  const blank = (): string[] => Array.from({ length: rows }, () => " ".repeat(cols));

  let device: I2cBus | undefined;
  /** What the panel shows while `device` is open. */
  let shown: string[] = blank();
  /** Serializes every use of the device. */
  let chain: Promise<unknown> = Promise.resolve();
  /** The frame waiting for its turn; newer show() calls replace its frame. */
  let pending: FrameJob | undefined;
  let closed = false;
  let closing: Promise<void> | undefined;
  /** Bumped when an operation times out; the abandoned one checks it before every transfer. */
  let epoch = 0;

  function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = chain.then(fn);
    chain = run.catch(() => undefined);
    return run;
  }

  function closedError(): DisplayError {
    return new DisplayError("closed", `${where}: the display was closed`);
  }

  /** Closes a bus without waiting long or failing: it may be the reason we are here. */
  async function release(bus: I2cBus, tidy: boolean): Promise<void> {
    if (tidy) {
      try {
        await withTimeout(send(bus, address, shutdownProgram().steps, maxWriteBytes, delay), timeoutMs);
      } catch {
        // best effort: the bus may be gone
      }
    }
    try {
      await withTimeout(bus.close(), timeoutMs);
    } catch {
      // nothing more to do
    }
  }

  function drop(): void {
    const bus = device;
    device = undefined;
    if (bus) void release(bus, false);
  }

  /** Raised when a timed-out operation resumes after the driver gave up on it. */
  function stale(): DisplayError {
    return new DisplayError("io", `${where}: an operation finished after its timeout and was discarded`);
  }

  async function ensureOpen(myEpoch: number): Promise<I2cBus> {
    if (device) return device;
    let bus: I2cBus;
    try {
      bus = await openBus(i2cBus);
    } catch (e) {
      throw loadError(e);
    }
    const live = () => {
      if (myEpoch !== epoch) throw stale();
    };
    try {
      await send(bus, address, initProgram().steps, maxWriteBytes, delay, live);
    } catch (e) {
      void release(bus, false);
      if (e instanceof DisplayError) throw e;
      throw new DisplayError("unavailable", describeI2cError(e, i2cBus, address), { cause: e });
    }
    if (myEpoch !== epoch) {
      void release(bus, false);
      throw stale();
    }
    device = bus;
    shown = blank(); // the init sequence ends with a clear panel
    return bus;
  }

  async function draw(frame: string[], myEpoch: number): Promise<void> {
    const bus = await ensureOpen(myEpoch);
    const live = () => {
      if (myEpoch !== epoch) throw stale();
    };
    try {
      const program = new Hd44780Program(true);
      const isBlank = (line: string) => line.trim() === "";
      if (frame.every(isBlank)) {
        if (!shown.every(isBlank)) program.command(HD44780.CLEAR);
      } else {
        for (let row = 0; row < rows; row++) {
          for (const run of changedRuns(shown[row] ?? "", frame[row] ?? "")) {
            program.moveTo(rowStart(cols, rows, row) + run.start).text(run.text);
          }
        }
      }
      await send(bus, address, program.steps, maxWriteBytes, delay, live);
      live();
      shown = [...frame];
    } catch (e) {
      if (myEpoch !== epoch) throw e;
      drop();
      throw new DisplayError("io", describeI2cError(e, i2cBus, address), { cause: e });
    }
  }

  /**
   * Runs one device operation with the timeout. On a timeout the device is dropped and the
   * epoch moves on, so the abandoned operation, should it ever resume, touches nothing.
   */
  async function guarded<T>(fn: (myEpoch: number) => Promise<T>): Promise<T> {
    const myEpoch = epoch;
    try {
      return await withTimeout(fn(myEpoch), timeoutMs);
    } catch (e) {
      if (e === TIMED_OUT) {
        epoch++;
        drop();
        throw new DisplayError("io", `${where} did not finish within ${timeoutMs} ms; it will be reopened`);
      }
      throw e;
    }
  }

  function enqueue(frame: string[]): Promise<void> {
    if (closed) return Promise.reject(closedError());
    return new Promise<void>((resolve, reject) => {
      if (pending) {
        pending.frame = frame;
        pending.waiters.push({ resolve, reject });
        return;
      }
      const job: FrameJob = { frame, waiters: [{ resolve, reject }] };
      pending = job;
      void exclusive(async () => {
        if (pending === job) pending = undefined;
        if (closed) return; // close() has rejected the waiters
        try {
          await guarded((myEpoch) => draw(job.frame, myEpoch));
          for (const w of job.waiters) w.resolve();
        } catch (e) {
          for (const w of job.waiters) w.reject(e);
        }
      });
    });
  }

  return {
    driver: "hd44780",
    cols,
    rows,
    i2cBus,
    address,
    show(lines: readonly string[]): Promise<void> {
      return enqueue(toLcdFrame(lines, cols, rows));
    },
    clear(): Promise<void> {
      return enqueue(blank());
    },
    open(): Promise<void> {
      if (closed) return Promise.reject(closedError());
      return exclusive(() =>
        guarded(async (myEpoch) => {
          await ensureOpen(myEpoch);
        }),
      );
    },
    close(): Promise<void> {
      closing ??= (async () => {
        closed = true;
        const job = pending;
        pending = undefined;
        if (job) for (const w of job.waiters) w.reject(closedError());
        await exclusive(async () => {
          const bus = device;
          device = undefined;
          if (bus) await release(bus, true);
        });
      })();
      return closing;
    },
  };
}
