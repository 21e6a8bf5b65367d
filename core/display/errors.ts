/**
 * The one error type display drivers reject with (the I2C driver and the simulator alike),
 * so callers can tell "there is no usable LCD" from "a write failed" without parsing text.
 */
export type DisplayErrorCode =
  /** The library is missing, or the device could not be opened (no /dev/i2c-N, no access, nothing at the address). */
  | "unavailable"
  /** The device was open, but a write failed or did not finish in time (loose cable, bus error). */
  | "io"
  /** close() was called. */
  | "closed";

export class DisplayError extends Error {
  override readonly name = "DisplayError";
  readonly code: DisplayErrorCode;
  constructor(code: DisplayErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
