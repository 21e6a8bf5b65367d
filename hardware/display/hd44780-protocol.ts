/**
 * The HD44780's 4-bit interface behind a PCF8574 I2C port expander (the usual LCD
 * "backpack"), as pure byte programs: what to send and where to wait. No I/O here; the
 * driver (hd44780.ts) sends the bytes with i2c-bus and does the waits on timers.
 *
 * The backpack's wiring (PCF8574 port bit -> LCD pin): P0 = RS, P1 = RW, P2 = E,
 * P3 = backlight transistor, P4..P7 = D4..D7. Every byte written to the PCF8574 sets all
 * eight outputs at once, so one 4-bit transfer ("nibble") is two bytes: the nibble with E
 * high, then with E low; the HD44780 latches D4..D7 on E's falling edge. RS and RW must be
 * stable before E rises (t_AS), so when RS changes (command -> data) one byte sets it first
 * with E low. A byte is the high nibble, then the low one.
 *
 * Timing (HD44780U datasheet): an instruction runs 37 us, "clear display" and "return home"
 * 1.52 ms. At the Pi's default I2C clock (100 kHz) each byte on the bus takes 90 us, so two
 * bytes pass between one instruction's last E fall and the next one's: the bus itself is
 * slower than the controller and no busy flag is read (RW stays low). Only clear/home and
 * the power-on initialisation need waits, which the programs carry as `{ waitMs }` steps.
 *
 * Initialisation (datasheet figure 24, "initializing by instruction", 4-bit): E low (a
 * PCF8574 powers up with all outputs high), wait > 40 ms
 * after power-on; send the single nibble 0x3 (function set, 8-bit) and wait > 4.1 ms; 0x3
 * again, wait > 100 us; 0x3 a third time; 0x2 (4-bit); from then on whole bytes: function
 * set (4-bit, 2 lines, 5x8 dots), display off, clear, entry mode (increment, no shift),
 * display on (cursor and blink off). The three 0x3 nibbles also resynchronise a panel that
 * was left in 4-bit mode halfway through a byte (the console restarted, the LCD did not).
 */

/** PCF8574 port bits. */
export const PCF8574 = {
  RS: 0x01,
  RW: 0x02,
  E: 0x04,
  BACKLIGHT: 0x08,
} as const;

/** HD44780 instructions and their flags. */
export const HD44780 = {
  CLEAR: 0x01,
  HOME: 0x02,
  ENTRY_MODE: 0x04,
  ENTRY_INCREMENT: 0x02,
  ENTRY_SHIFT: 0x01,
  DISPLAY_CONTROL: 0x08,
  DISPLAY_ON: 0x04,
  CURSOR_ON: 0x02,
  BLINK_ON: 0x01,
  SHIFT: 0x10,
  FUNCTION_SET: 0x20,
  EIGHT_BIT: 0x10,
  TWO_LINES: 0x08,
  FONT_5X10: 0x04,
  SET_CGRAM: 0x40,
  SET_DDRAM: 0x80,
} as const;

/** Waits of the datasheet, rounded up to whole milliseconds (timers have no finer grain). */
export const HD44780_WAITS_MS = {
  /** After power-on before the first instruction (> 40 ms at 3 V, > 15 ms at 5 V). */
  powerOn: 50,
  /** After the first function set nibble (> 4.1 ms). */
  first: 5,
  /** After the second and third (> 100 us). */
  next: 1,
  /** "clear display" and "return home" (1.52 ms). */
  slow: 2,
} as const;

export type Step = { bytes: number[] } | { waitMs: number };

/** DDRAM address of the first cell of `row`: 0x00, 0x40, then 0x14/0x54 (20 columns) or 0x10/0x50 (16x4). */
export function rowStart(cols: number, rows: number, row: number): number {
  const starts = cols === 16 && rows === 4 ? [0x00, 0x40, 0x10, 0x50] : [0x00, 0x40, 0x14, 0x54];
  const start = starts[row];
  if (start === undefined) throw new RangeError(`row ${row} does not exist on a ${cols}x${rows} display`);
  return start;
}

/**
 * Builds a program of PCF8574 bytes and waits. It remembers the last byte it put on the port,
 * so it knows when RS needs a byte of its own before E rises; a new builder assumes nothing
 * about the port.
 */
export class Hd44780Program {
  readonly steps: Step[] = [];
  private last: number | undefined;

  private backlightOn: boolean;

  constructor(backlightOn = true) {
    this.backlightOn = backlightOn;
  }

  private flags(rs: boolean): number {
    return (rs ? PCF8574.RS : 0) | (this.backlightOn ? PCF8574.BACKLIGHT : 0);
  }

  private push(byte: number): void {
    const step = this.steps[this.steps.length - 1];
    if (step && "bytes" in step) step.bytes.push(byte);
    else this.steps.push({ bytes: [byte] });
    this.last = byte;
  }

  /** One 4-bit transfer: D7..D4 = `nibble`, with an E pulse. */
  nibble(nibble: number, rs = false): this {
    const flags = this.flags(rs);
    const control = PCF8574.RS | PCF8574.RW | PCF8574.BACKLIGHT;
    if (this.last === undefined || (this.last & control) !== flags) this.push(((this.last ?? 0) & 0xf0) | flags);
    const data = ((nibble & 0x0f) << 4) | flags;
    this.push(data | PCF8574.E);
    this.push(data);
    return this;
  }

  /** A byte as two nibbles, high first. */
  byte(value: number, rs: boolean): this {
    return this.nibble(value >> 4, rs).nibble(value & 0x0f, rs);
  }

  /** An instruction; "clear display" and "return home" are followed by their 1.52 ms. */
  command(instruction: number): this {
    this.byte(instruction, false);
    if (instruction === HD44780.CLEAR || instruction === HD44780.HOME || instruction === (HD44780.HOME | 1)) {
      this.wait(HD44780_WAITS_MS.slow);
    }
    return this;
  }

  /** Characters at the address counter: one byte each, the low 8 bits of each UTF-16 unit (text.ts made them ROM codes). */
  text(text: string): this {
    for (let i = 0; i < text.length; i++) this.byte(text.charCodeAt(i) & 0xff, true);
    return this;
  }

  /** Moves the address counter to `address` in DDRAM. */
  moveTo(address: number): this {
    return this.command(HD44780.SET_DDRAM | (address & 0x7f));
  }

  wait(ms: number): this {
    this.steps.push({ waitMs: ms });
    return this;
  }

  /** A byte on the port as it is (no E pulse unless it has E). */
  raw(byte: number): this {
    this.push(byte & 0xff);
    return this;
  }

  /** Turns the backlight on or off with a byte of its own (E low). */
  backlight(on: boolean): this {
    this.backlightOn = on;
    this.push(this.flags(false));
    return this;
  }

  /** Every byte of the program, in order (for tests and sizing). */
  bytes(): number[] {
    return this.steps.flatMap((s) => ("bytes" in s ? s.bytes : []));
  }
}

/** The power-on initialisation (see the top of this file), leaving a clear panel, display on, backlight on. */
export function initProgram(): Hd44780Program {
  const p = new Hd44780Program(true);
  // A PCF8574 comes up with every output high (E, RS and RW too): drop E alone first, so
  // RS and RW never change while E is high
  p.raw(0xff & ~PCF8574.E);
  p.wait(HD44780_WAITS_MS.powerOn);
  p.backlight(true);
  p.nibble(0x3).wait(HD44780_WAITS_MS.first);
  p.nibble(0x3).wait(HD44780_WAITS_MS.next);
  p.nibble(0x3).wait(HD44780_WAITS_MS.next);
  p.nibble(0x2);
  p.command(HD44780.FUNCTION_SET | HD44780.TWO_LINES);
  p.command(HD44780.DISPLAY_CONTROL);
  p.command(HD44780.CLEAR);
  p.command(HD44780.ENTRY_MODE | HD44780.ENTRY_INCREMENT);
  p.command(HD44780.DISPLAY_CONTROL | HD44780.DISPLAY_ON);
  return p;
}

/** What close() leaves: a clear panel, display off, backlight off. */
export function shutdownProgram(): Hd44780Program {
  return new Hd44780Program(true).command(HD44780.CLEAR).command(HD44780.DISPLAY_CONTROL).backlight(false);
}
