/**
 * The real display driver: an HD44780 character LCD (16x2, 20x2, 16x4, 20x4) behind a
 * PCF8574 I2C "backpack", driven through raspberrypi-liquid-crystal. The package is an
 * optionalDependency loaded with dynamic `import()` on first use only, so the project
 * installs and runs where it (or its native i2c-bus and sleep addons) cannot build.
 *
 * Facts about raspberrypi-liquid-crystal 1.20.0 this driver relies on (from its index.js,
 * and i2c-bus 5 underneath, checked on a machine without I2C):
 * - CommonJS `module.exports = LCD`, so the ESM import has the class as `default`;
 *   `new LCD(bus, address, cols, rows)` does no I/O;
 * - `begin()` (Promise) runs the 4-bit init sequence and clears the screen; it rejects
 *   with i2c-bus's errors: the bus file is opened on the first byte, so no bus gives
 *   fs's Error "ENOENT: no such file or directory, open '/dev/i2c-1'" (code ENOENT,
 *   likewise EACCES), and a byte nobody acknowledges gives the native
 *   Error "EREMOTEIO, Remote I/O error" (code EREMOTEIO, syscall sendByte);
 * - `begin()` twice throws "already initialized", so a reopen needs a new instance;
 * - `setCursor(col, row)` sets DDRAM address 0x80 | ([0x00, 0x40, 0x14, 0x54][row] + col):
 *   right for 16x2, 20x2 and 20x4; a 16x4 panel's rows 2-3 start at 0x10/0x50, so the
 *   driver passes `col - 4` for them;
 * - `print(text)` writes `charCodeAt(i) & 0xFF` per UTF-16 unit: LCD text (text.ts) is
 *   written byte for byte; `printLine(row, text)` never settles for row >= rows, so it
 *   is not used;
 * - `noDisplay()` turns the display and the backlight off; `close()` closes the bus file
 *   (it throws before begin() ever ran; its own index.d.ts omits it);
 * - every I2C byte is preceded by a synchronous 2 ms `sleep.usleep` (in `_sendByte(x)`,
 *   which writes one byte with the bus's async `sendByte(address, byte, cb)`), and each
 *   character is 6 bytes: about 12 ms of blocked event loop per cell (a full 20x4 redraw
 *   would block the whole console for about 1 s). `withoutBusyWaits` below removes those
 *   pauses once the panel is initialized; and only changed cells are rewritten;
 * - `begin()`'s last step "turns the backlight on" by writing the byte 0x08 as a
 *   *character*: the panel's top-left cell then shows CGRAM character 0 (random pixels
 *   at power-up), so the driver never assumes that cell is blank after an open.
 */
import { DisplayError } from "./errors.ts";
import type { Display } from "./port.ts";
import { checkLcdSize, type LcdCols, type LcdRows, toLcdFrame } from "./text.ts";

/** The part of a raspberrypi-liquid-crystal LCD instance this driver uses. */
export interface LcdDevice {
  begin(): Promise<void>;
  clear(): Promise<void>;
  setCursor(col: number, row: number): Promise<void>;
  print(text: string): Promise<void>;
  /** Display and backlight off (optional: a library without it just leaves them on). */
  noDisplay?(): Promise<void>;
  close(): Promise<void>;
}

/** The library's default export: `new LCD(bus, address, cols, rows)`. */
export type LcdConstructor = new (bus: number, address: number, cols: number, rows: number) => LcdDevice;

export interface Hd44780Options {
  /** Characters per line (default 16). */
  cols?: LcdCols;
  /** Lines (default 2). */
  rows?: LcdRows;
  /** I2C bus number: /dev/i2c-N (default 1, the header pins 3 and 5 on every Pi since the B+). */
  i2cBus?: number;
  /** 7-bit I2C address of the PCF8574 backpack (default 0x27; 0x3F is the other common one). */
  address?: number;
  /** Loads raspberrypi-liquid-crystal; injectable for tests (default: dynamic `import()`). */
  loadLibrary?: () => Promise<LcdConstructor>;
  /** How long one open or one frame may take before it fails as "io" (default 10 s). */
  timeoutMs?: number;
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
} as const;

const INSTALL_HINT =
  "On the Raspberry Pi run `npm install --include=optional` in the project folder (i2c-bus and sleep " +
  "compile: `sudo apt install build-essential python3` first), or set HARDWARE=sim.";

async function importLiquidCrystal(): Promise<LcdConstructor> {
  const mod = (await import("raspberrypi-liquid-crystal")) as unknown as { default?: unknown };
  if (typeof mod.default !== "function") {
    throw new Error("raspberrypi-liquid-crystal does not export the LCD class as its default export");
  }
  return withoutBusyWaits(mod.default as LcdConstructor);
}

/** The library internals `withoutBusyWaits` relies on (raspberrypi-liquid-crystal 1.20). */
interface LiquidCrystalInternals {
  _sendByte(byte: number): Promise<void>;
  _i2c: { sendByte(address: number, byte: number, cb: (err: Error | null) => void): void } | null;
  _address: number;
}

/** HD44780 "clear display" and "return home" take up to 1.52 ms; every other command 37 µs. */
const SLOW_COMMAND_MS = 2;

/**
 * The library's class, minus its busy waits: after begin() (whose init sequence relies on
 * the 2 ms pauses, and runs once per open), bytes go out with the bus's asynchronous
 * sendByte and nothing sleeps: an I2C byte at 100 kHz takes about 0.2 ms, far longer than
 * the 37 µs an HD44780 needs per command or character; clear() waits 2 ms on a timer for
 * the one slow command the driver uses. A character is then about 1-2 ms of I2C traffic
 * in the background instead of 12 ms of frozen event loop. If the library's internals are
 * not as expected (another version), the class is returned unchanged: slower, still right.
 */
export function withoutBusyWaits(Base: LcdConstructor): LcdConstructor {
  if (typeof (Base.prototype as Partial<LiquidCrystalInternals>)._sendByte !== "function") return Base;
  return class extends (Base as new (...args: ConstructorParameters<LcdConstructor>) => LcdDevice) {
    #ready = false;

    override async begin(): Promise<void> {
      await super.begin();
      this.#ready = true;
    }

    _sendByte(byte: number): Promise<void> {
      const self = this as unknown as LiquidCrystalInternals;
      const bus = self._i2c;
      if (!this.#ready || !bus || typeof bus.sendByte !== "function") {
        return (Base.prototype as unknown as LiquidCrystalInternals)._sendByte.call(this, byte);
      }
      return new Promise((resolve, reject) => {
        bus.sendByte(self._address, byte, (err) => (err ? reject(err) : resolve()));
      });
    }

    override async clear(): Promise<void> {
      await super.clear();
      await new Promise((r) => setTimeout(r, SLOW_COMMAND_MS));
    }
  };
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function codeOf(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

function hex(address: number): string {
  return `0x${address.toString(16).toUpperCase().padStart(2, "0")}`;
}

function loadError(e: unknown): DisplayError {
  if (codeOf(e) === "ERR_MODULE_NOT_FOUND" && /raspberrypi-liquid-crystal/.test(messageOf(e))) {
    return new DisplayError("unavailable", `raspberrypi-liquid-crystal is not installed. ${INSTALL_HINT}`, {
      cause: e,
    });
  }
  return new DisplayError(
    "unavailable",
    `raspberrypi-liquid-crystal could not be loaded (${messageOf(e)}); its native addons may be missing or ` +
      `built for another Node.js version: run \`npm rebuild i2c-bus sleep\`. ${INSTALL_HINT}`,
    { cause: e },
  );
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
 * Creates the HD44780 driver. Does no I/O: the library is loaded and the device opened by
 * open() or the first show()/clear().
 *
 * - Frames are serialized: a show() while another is drawing waits; of several waiting,
 *   only the newest frame is drawn, and every superseded show() settles with it.
 * - Only cells that differ from what the panel shows are rewritten; an identical frame
 *   costs no I2C traffic; a blank frame over a non-blank one is one clear command.
 * - A failed or timed-out open or write rejects with a DisplayError ("unavailable" while
 *   opening, "io" after) whose message names the bus, the address and what to do. The
 *   device is then dropped, and the next show() opens it afresh (init, clear, full
 *   redraw): a loose cable needs no restart.
 * - close() lets the frame being drawn finish, rejects waiting ones with "closed", then
 *   clears the panel, turns the backlight off and closes the bus. It never rejects.
 */
export function createHd44780Display(opts: Hd44780Options = {}): Hd44780Display {
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
  const loadLibrary = opts.loadLibrary ?? importLiquidCrystal;
  const where = `LCD on I2C bus ${i2cBus} at ${hex(address)}`;
  const blank = (): string[] => Array.from({ length: rows }, () => " ".repeat(cols));

  let Ctor: LcdConstructor | undefined;
  let device: LcdDevice | undefined;
  /** What the panel shows while `device` is open. */
  let shown: string[] = blank();
  /** Serializes every use of the device. */
  let chain: Promise<unknown> = Promise.resolve();
  /** The frame waiting for its turn; newer show() calls replace its frame. */
  let pending: FrameJob | undefined;
  let closed = false;
  let closing: Promise<void> | undefined;
  /** Bumped when an operation times out; the abandoned one checks it before every step. */
  let epoch = 0;

  function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = chain.then(fn);
    chain = run.catch(() => undefined);
    return run;
  }

  function closedError(): DisplayError {
    return new DisplayError("closed", `${where}: the display was closed`);
  }

  /** Closes a device without waiting long or failing: it may be the reason we are here. */
  async function release(lcd: LcdDevice, tidy: boolean): Promise<void> {
    const step = async (fn: () => Promise<void>) => {
      try {
        await withTimeout(Promise.resolve().then(fn), timeoutMs);
      } catch {
        // best effort: the bus may be gone
      }
    };
    if (tidy) {
      await step(() => lcd.clear());
      const off = lcd.noDisplay;
      if (typeof off === "function") await step(() => off.call(lcd));
    }
    await step(() => lcd.close());
  }

  function drop(): void {
    const lcd = device;
    device = undefined;
    if (lcd) void release(lcd, false);
  }

  /** Raised when a timed-out operation resumes after the driver gave up on it. */
  function stale(): DisplayError {
    return new DisplayError("io", `${where}: an operation finished after its timeout and was discarded`);
  }

  async function ensureOpen(myEpoch: number): Promise<LcdDevice> {
    if (device) return device;
    if (!Ctor) {
      try {
        Ctor = await loadLibrary();
      } catch (e) {
        throw loadError(e);
      }
    }
    if (myEpoch !== epoch) throw stale();
    const lcd = new Ctor(i2cBus, address, cols, rows);
    try {
      await lcd.begin();
    } catch (e) {
      void release(lcd, false);
      throw new DisplayError("unavailable", describeI2cError(e, i2cBus, address), { cause: e });
    }
    if (myEpoch !== epoch) {
      void release(lcd, false);
      throw stale();
    }
    device = lcd;
    // begin() clears the panel, then leaves one character in its top-left cell (see the
    // top of this file): mark that cell unknown so the first frame rewrites it.
    shown = blank();
    shown[0] = `\uFFFF${(shown[0] ?? "").slice(1)}`;
    return lcd;
  }

  /** The library's setCursor assumes 20-column row starts; see the top of this file. */
  function cursor(col: number, row: number): [number, number] {
    return cols === 16 && row >= 2 ? [col - 4, row] : [col, row];
  }

  async function draw(frame: string[], myEpoch: number): Promise<void> {
    const lcd = await ensureOpen(myEpoch);
    try {
      const isBlank = (line: string) => line.trim() === "";
      const live = () => {
        if (myEpoch !== epoch) throw stale();
      };
      if (frame.every(isBlank)) {
        if (!shown.every(isBlank)) await lcd.clear();
        live();
        shown = [...frame];
        return;
      }
      for (let row = 0; row < rows; row++) {
        const target = frame[row] ?? "";
        for (const run of changedRuns(shown[row] ?? "", target)) {
          live();
          const [c, r] = cursor(run.start, row);
          await lcd.setCursor(c, r);
          await lcd.print(run.text);
        }
        live();
        shown[row] = target;
      }
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
          const lcd = device;
          device = undefined;
          if (lcd) await release(lcd, true);
        });
      })();
      return closing;
    },
  };
}
