/**
 * Types for spi-device 3.1 (an optionalDependency), for machines where it did not install:
 * when it did, its own spi-device.d.ts is what `tsc` uses. Only
 * hardware/cards/spidev-transport.ts imports it, and it narrows the module to the part it
 * uses (SpiDeviceLibrary), so this shim only has to keep `tsc` green.
 *
 * The package is CommonJS; the ESM import exposes module.exports as `default`.
 */
declare module "spi-device" {
  export type SpiOptions = { mode?: 0 | 1 | 2 | 3; maxSpeedHz?: number };
  export type SpiMessage = {
    byteLength: number;
    sendBuffer?: Buffer;
    receiveBuffer?: Buffer;
    speedHz?: number;
  }[];
  export class SpiDevice {
    transfer(message: SpiMessage, cb: (err: Error | null | undefined, message: SpiMessage) => void): SpiDevice;
    close(cb: (err: Error | null | undefined) => void): void;
  }
  export function open(
    busNumber: number,
    deviceNumber: number,
    options: SpiOptions | null | undefined,
    cb: (err: Error | null | undefined) => void,
  ): SpiDevice;
}
