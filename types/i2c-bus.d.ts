/**
 * Types for the part of i2c-bus 5 (an optionalDependency; the package ships no typings)
 * that hardware/display/hd44780.ts uses, written from its i2c-bus.js and README. Present
 * whether or not the package installed, so `tsc` stays green everywhere.
 *
 * The package is CommonJS (`module.exports = { open, openSync, openPromisified }`): the ESM
 * import exposes them as named exports and on `default`. Requiring it loads the native
 * addon (i2c.node), so the import fails where it did not build.
 */
declare module "i2c-bus" {
  export interface BytesWritten {
    bytesWritten: number;
    buffer: Buffer;
  }

  export interface BytesRead {
    bytesRead: number;
    buffer: Buffer;
  }

  export interface OpenOptions {
    /** I2C_SLAVE_FORCE: use an address even if a kernel driver claims it. */
    forceAccess?: boolean;
  }

  export interface PromisifiedBus {
    /** Plain I2C write of `length` bytes (one START ... STOP); rejects with fs's errors (EREMOTEIO: no acknowledge). */
    i2cWrite(address: number, length: number, buffer: Buffer): Promise<BytesWritten>;
    /** Plain I2C read of `length` bytes. */
    i2cRead(address: number, length: number, buffer: Buffer): Promise<BytesRead>;
    sendByte(address: number, byte: number): Promise<void>;
    receiveByte(address: number): Promise<number>;
    scan(startAddress?: number, endAddress?: number): Promise<number[]>;
    close(): Promise<void>;
  }

  /** Opens nothing yet: /dev/i2c-N is opened on the first transfer to each address. */
  export function openPromisified(busNumber: number, options?: OpenOptions): Promise<PromisifiedBus>;

  const i2c: { openPromisified: typeof openPromisified };
  export default i2c;
}
