/**
 * A simulated character LCD for development and tests. It honours the driver's contract:
 * the same fitting and character mapping (text.ts), so frame() holds exactly the cells a
 * real HD44780 would show; failures as DisplayError with the driver's codes ("io" for an
 * injected write failure, "closed" after close()); close() blanks the panel.
 *
 * Unlike the driver it needs no queue: each call finishes before the next one starts.
 */

import type { Display } from "../../core/display/display.ts";
import { DisplayError } from "../../core/display/errors.ts";
import { checkLcdSize, type LcdCols, type LcdRows, lcdToReadable, toLcdFrame } from "./text.ts";

export interface SimulatedDisplayOptions {
  /** Characters per line (default 16). */
  cols?: LcdCols;
  /** Lines (default 2). */
  rows?: LcdRows;
  /**
   * Called after each show()/clear() that changed the panel, with its lines as people read
   * them (lcdToReadable: "°" for the degree cell, kana, ¥ and → where the ROM draws them).
   * For the start-up log or a local UI.
   */
  logger?: (frame: string[]) => void;
  /** How many frames `frames` keeps (default 100). */
  historyLimit?: number;
}

export interface SimulatedDisplay extends Display {
  readonly driver: "sim";
  /** The panel now: `rows` strings of `cols` LCD characters (0xDF for "°"; see text.ts). */
  frame(): string[];
  /** The panel for people: lines joined by "\n", LCD characters shown as drawn ("°"). */
  text(): string;
  /** Every frame a successful show()/clear() drew, oldest first, at most `historyLimit`. */
  readonly frames: readonly (readonly string[])[];
  /** True after close(). */
  readonly closed: boolean;
  /** The next `times` show()/clear() calls (default 1; Infinity: until repair()) reject with "io". */
  fail(times?: number): void;
  /** Cancels pending failures. */
  repair(): void;
}

const FAULT_MESSAGE =
  "sim: LCD did not answer (EREMOTEIO, Remote I/O error; fault injected): the I2C driver would reopen the device on the next show()";

export function createSimulatedDisplay(opts: SimulatedDisplayOptions = {}): SimulatedDisplay {
  const cols = opts.cols ?? 16;
  const rows = opts.rows ?? 2;
  checkLcdSize(cols, rows);
  const historyLimit = opts.historyLimit ?? 100;
  if (!Number.isInteger(historyLimit) || historyLimit < 0) {
    throw new RangeError(`historyLimit must be a whole number >= 0, got ${historyLimit}`);
  }
  const blank = (): string[] => Array.from({ length: rows }, () => " ".repeat(cols));

  let current = blank();
  const history: string[][] = [];
  let failures = 0;
  let closed = false;

  function draw(frame: string[]): void {
    if (closed) throw new DisplayError("closed", "sim: the display was closed");
    if (failures > 0) {
      failures--;
      throw new DisplayError("io", FAULT_MESSAGE);
    }
    const changed = frame.some((line, i) => line !== current[i]);
    current = frame;
    if (historyLimit > 0) {
      history.push([...frame]);
      if (history.length > historyLimit) history.splice(0, history.length - historyLimit);
    }
    if (changed) opts.logger?.(frame.map(lcdToReadable));
  }

  return {
    driver: "sim",
    cols,
    rows,
    async show(lines: readonly string[]): Promise<void> {
      draw(toLcdFrame(lines, cols, rows));
    },
    async clear(): Promise<void> {
      draw(blank());
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      current = blank();
    },
    frame(): string[] {
      return [...current];
    },
    text(): string {
      return current.map(lcdToReadable).join("\n");
    },
    get frames() {
      return history.slice();
    },
    get closed() {
      return closed;
    },
    fail(times = 1): void {
      if (!(times > 0)) throw new RangeError(`times must be > 0 (or Infinity), got ${times}`);
      failures = times;
    },
    repair(): void {
      failures = 0;
    },
  };
}
