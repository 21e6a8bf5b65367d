/**
 * Types for onoff 6 (an optionalDependency), written from its onoff.d.ts and onoff.js.
 * Present whether or not the package installed, so `tsc` stays green everywhere; only
 * hardware/motion/pir.ts imports it.
 *
 * The package is CommonJS (`module.exports.Gpio = Gpio`): the ESM import exposes `Gpio` as
 * a named export (and as `default.Gpio`). Requiring it loads epoll's native addon, so the
 * import fails where epoll did not build. GPIO numbers are the kernel's sysfs numbers (on
 * Raspberry Pi OS with kernel 6.6 and later: the chip's base, e.g. 512 or 571, plus BCM).
 */
declare module "onoff" {
  export type High = 1;
  export type Low = 0;
  export type Direction = "in" | "out" | "high" | "low";
  export type Edge = "none" | "rising" | "falling" | "both";

  export type Options = {
    /** Milliseconds the level must be stable before watch callbacks run (lodash.debounce). */
    debounceTimeout?: number;
    activeLow?: boolean;
    reconfigureDirection?: boolean;
  };

  export type BinaryValue = High | Low;
  export type ValueCallback = (err: Error | null | undefined, value: BinaryValue) => void;

  export class Gpio {
    static HIGH: High;
    static LOW: Low;
    /** Whether /sys/class/gpio/export can be opened for writing. */
    static readonly accessible: boolean;

    /** Exports the GPIO (sysfs number) unless already exported, configures it and opens its value file. Throws on failure. */
    constructor(gpio: number, direction: Direction, edge?: Edge, options?: Options);
    constructor(gpio: number, direction: Direction, options?: Options);

    read(callback: ValueCallback): void;
    read(): Promise<BinaryValue>;
    readSync(): BinaryValue;

    write(value: BinaryValue, callback: (err: Error | null | undefined) => void): void;
    write(value: BinaryValue): Promise<void>;
    writeSync(value: BinaryValue): void;

    /** Calls `callback(err, value)` on interrupts of the configured edge(s). */
    watch(callback: ValueCallback): void;
    unwatch(callback?: ValueCallback): void;
    unwatchAll(): void;

    direction(): Direction;
    setDirection(direction: Direction): void;
    edge(): Edge;
    setEdge(edge: Edge): void;
    activeLow(): boolean;
    setActiveLow(invert: boolean): void;

    /** Unwatches, closes the value file and unexports the GPIO. */
    unexport(): void;
  }

  const onoff: { Gpio: typeof Gpio };
  export default onoff;
}
