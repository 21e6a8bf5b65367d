/**
 * Types for node-dht-sensor 0.4 (an optionalDependency with no types of its own), written
 * from its lib/index.js and src/node-dht-sensor.cpp. Present whether or not the package
 * installed, so `tsc` stays green everywhere; only hardware/climate/dht22.ts imports it.
 */
declare module "node-dht-sensor" {
  /** 11 for DHT11, 22 for DHT22 / AM2302. */
  export type SensorType = 11 | 22;

  export interface Readout {
    temperature: number;
    humidity: number;
  }

  export interface SyncReadout extends Readout {
    isValid: boolean;
    errors: number;
  }

  export interface TestModeOptions {
    /** Test mode: every read returns these values without touching the GPIO (process-wide). */
    test: { fake: Readout };
  }

  export interface Initialize {
    /** Opens the GPIO (bcm2835 or libgpiod); false when it cannot (not a Pi, no access). */
    (type: SensorType, pin: number, maxRetries?: number): boolean;
    (options: TestModeOptions): void;
  }

  export interface PromisesApi {
    initialize: Initialize;
    setMaxRetries(retries: number): void;
    readSync(type: SensorType, pin: number): SyncReadout;
    /** Rejects with Error("failed to initialize sensor") or Error("failed to read sensor"). */
    read(type: SensorType, pin: number): Promise<Readout>;
  }

  export interface DhtSensorModule {
    initialize: Initialize;
    setMaxRetries(retries: number): void;
    read(type: SensorType, pin: number): SyncReadout;
    read(
      type: SensorType,
      pin: number,
      callback: (err: Error | null, temperature: number, humidity: number) => void,
    ): void;
    promises: PromisesApi;
  }

  const sensor: DhtSensorModule;
  export default sensor;
  export const initialize: Initialize;
}
