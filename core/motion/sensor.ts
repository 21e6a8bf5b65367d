/**
 * The motion port: something moved in the room. Implemented by a PIR sensor on a GPIO
 * pin (libgpiod's gpiomon over the GPIO character device, or onoff over sysfs GPIO), by a
 * frame-difference detector on camera frames (sharp), and by the simulator.
 */

export type MotionEvent =
  /** Motion seen (once per movement: a PIR held high or a run of changed frames is one event). */
  | {
      type: "motion";
      at: number;
      source: string /** 0..1: share of the picture that changed (camera detector). */;
      score?: number;
    }
  /** The detector stopped working (GPIO error, gpiomon exiting again and again, camera failing every frame). */
  | { type: "dead"; at: number; reason: string }
  /** The detector works again after being dead. */
  | { type: "alive"; at: number };

export interface MotionSensor {
  /** "pir-gpiod", "pir" (onoff), "camera" or "sim". */
  readonly driver: string;
  /** Starts watching; events go to `listener`. Rejects (with a clear message) if the sensor cannot be opened. */
  start(listener: (event: MotionEvent) => void): Promise<void>;
  /** Stops watching and releases the device. Safe to call twice. */
  stop(): Promise<void>;
}
