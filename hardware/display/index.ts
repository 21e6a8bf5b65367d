/**
 * Display drivers by name, and the choice main.ts makes from HARDWARE.
 *
 *   selectDisplay({ mode, cols, rows, i2cBus, address, logger }) -> Promise<{ display, reason? }>
 *     sim  -> the simulator.
 *     real -> the HD44780 over i2c-bus, opened (initialised) now; rejects (DisplayError
 *             "unavailable") when i2c-bus is missing or the device cannot be opened, so
 *             start-up stops and says why.
 *     auto -> tries to open the HD44780; on failure (no i2c-bus, no /dev/i2c-N, no access,
 *             nothing at the address) the simulator, with `reason` saying why. Once chosen,
 *             the HD44780 driver survives a loose cable by itself (it reopens on the next
 *             frame), but auto does not switch from the simulator to an LCD plugged in later:
 *             restart for that.
 *   createDisplay(name, opts) -> a driver by name ("hd44780" | "sim"), no I/O.
 *   probeHd44780({ i2cBus, address }) -> for `npm run doctor`: whether anything acknowledges
 *             at the backpack's address (a one-byte read), or why not (ENOENT, EACCES,
 *             EREMOTEIO, EBUSY explained).
 */

import type { Display } from "../../core/display/display.ts";
import { DisplayError } from "../../core/display/errors.ts";
import { messageOf } from "../errors.ts";
import { createByName, type HardwareMode, pickDevice } from "../select.ts";
import { createHd44780Display, type Hd44780Options } from "./hd44780.ts";
import { createSimulatedDisplay, type SimulatedDisplayOptions } from "./simulator.ts";
import type { LcdCols, LcdRows } from "./text.ts";

export type { Display } from "../../core/display/display.ts";
export { DisplayError, type DisplayErrorCode } from "../../core/display/errors.ts";
export {
  changedRuns,
  createHd44780Display,
  describeI2cError,
  HD44780_DEFAULTS,
  type Hd44780Display,
  type Hd44780Options,
  type Hd44780Probe,
  type I2cBus,
  type I2cBusOpener,
  openI2cBus,
  probeHd44780,
} from "./hd44780.ts";
export {
  HD44780,
  HD44780_WAITS_MS,
  Hd44780Program,
  initProgram,
  PCF8574,
  rowStart,
  type Step,
  shutdownProgram,
} from "./hd44780-protocol.ts";
export { createSimulatedDisplay, type SimulatedDisplay, type SimulatedDisplayOptions } from "./simulator.ts";
export {
  centre,
  fitLines,
  LCD_DEGREE,
  LCD_OVERFLOW,
  type LcdCols,
  type LcdRows,
  lcdToReadable,
  toLcdCharset,
  toLcdFrame,
} from "./text.ts";

export interface DisplayOptions {
  /** Characters per line (default 16). */
  cols?: LcdCols;
  /** Lines (default 2). */
  rows?: LcdRows;
  /** I2C bus number (hd44780 only; default 1). */
  i2cBus?: number;
  /** I2C address of the backpack (hd44780 only; default 0x27). */
  address?: number;
  /** Receives each new frame as readable lines (sim only). */
  logger?: (frame: string[]) => void;
  /** Further options for the HD44780 driver (bus opener, delay, timeout). */
  hd44780?: Omit<Hd44780Options, "cols" | "rows" | "i2cBus" | "address">;
  /** Further options for the simulator. */
  sim?: Omit<SimulatedDisplayOptions, "cols" | "rows" | "logger">;
}

/** Copies only the keys that are set, so `undefined` never overrides a default. */
function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const drivers = {
  hd44780: (o: DisplayOptions): Display =>
    createHd44780Display({
      ...o.hd44780,
      ...defined({ cols: o.cols, rows: o.rows, i2cBus: o.i2cBus, address: o.address }),
    }),
  sim: (o: DisplayOptions): Display =>
    createSimulatedDisplay({ ...o.sim, ...defined({ cols: o.cols, rows: o.rows, logger: o.logger }) }),
} as const satisfies Record<string, (o: DisplayOptions) => Display>;

export type DisplayDriverName = keyof typeof drivers;
export const DISPLAY_DRIVERS = Object.keys(drivers) as DisplayDriverName[];

/** Creates the display driver called `name` ("hd44780" or "sim"); does no I/O. */
export function createDisplay(name: string, opts: DisplayOptions = {}): Display {
  return createByName("display", drivers, name, opts);
}

export type { HardwareMode } from "../select.ts";

export interface SelectDisplayOptions extends DisplayOptions {
  mode: HardwareMode;
}

export interface SelectedDisplay {
  display: Display;
  /** Why this driver was chosen; for the start-up log. */
  reason?: string;
}

/** Picks the display driver for HARDWARE=auto|real|sim (see the top of this file). */
export async function selectDisplay(opts: SelectDisplayOptions): Promise<SelectedDisplay> {
  const { mode, ...factoryOpts } = opts;
  const { device, reason } = await pickDevice<Display>({
    mode,
    device: "LCD",
    candidates: [
      async () => {
        const lcd = createHd44780Display({
          ...opts.hd44780,
          ...defined({ cols: opts.cols, rows: opts.rows, i2cBus: opts.i2cBus, address: opts.address }),
        });
        try {
          await lcd.open();
          return { use: lcd };
        } catch (e) {
          await lcd.close();
          return { skip: messageOf(e), cause: e };
        }
      },
    ],
    simulator: () => createDisplay("sim", factoryOpts),
    unavailable: (message, cause) => new DisplayError("unavailable", message, { cause }),
  });
  return { display: device, ...(reason !== undefined ? { reason } : {}) };
}
