/**
 * The climate sensor port: one reading of the room's air.
 * Implemented by the DHT22 drivers (the kernel's IIO dht11 driver, node-dht-sensor) and by
 * the simulator.
 */
export interface ClimateSample {
  /** Degrees Celsius, one decimal. */
  temperatureC: number;
  /** Relative humidity in percent, one decimal. */
  humidityPct: number;
}

export type ClimateErrorCode =
  /** The driver library is missing or the device cannot be opened (no /dev/gpiomem, not a Pi). */
  | "unavailable"
  /** The sensor answered, but the frame was corrupt on every attempt. */
  | "checksum"
  /** The sensor did not answer in time. */
  | "timeout"
  /** The sensor answered with a value no DHT22 can produce (or NaN). */
  | "implausible";

export class ClimateSensorError extends Error {
  override readonly name = "ClimateSensorError";
  /** What to do about it, when the driver knows (a config.txt line, a permission, the wiring). */
  readonly hint: string | undefined;
  readonly code: ClimateErrorCode;
  constructor(code: ClimateErrorCode, message: string, options?: { cause?: unknown; hint?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options?.hint;
  }
}

export interface ClimateSensor {
  /** Which driver this is: "dht22-iio", "dht22" or "sim". */
  readonly driver: string;
  /** One reading; rejects with ClimateSensorError, never with anything else. */
  read(): Promise<ClimateSample>;
  /** Releases the device. Safe to call twice. */
  close(): Promise<void>;
}
