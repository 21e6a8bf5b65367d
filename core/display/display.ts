/**
 * The character display port: a HD44780 LCD (16x2 or 20x4) in the room. Implemented
 * by the I2C (PCF8574 backpack) driver and by the simulator.
 */
export interface Display {
  /** "hd44780" or "sim". */
  readonly driver: string;
  readonly cols: number;
  readonly rows: number;
  /**
   * Shows these lines (at most `rows`; each fitted to `cols`: cut, padded, characters
   * the LCD cannot draw replaced). Rejects only if the device fails.
   */
  show(lines: readonly string[]): Promise<void>;
  clear(): Promise<void>;
  /** Releases the device. Safe to call twice. */
  close(): Promise<void>;
}
