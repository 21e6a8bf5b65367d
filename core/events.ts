/** Typed events that jobs emit and listeners (alerts, LCD, logs) consume. */
import type { ClimateErrorCode } from "../hardware/climate/port.ts";
import type { Reading } from "./types.ts";

export interface RoomEvents extends Record<string, unknown> {
  /** A reading was taken and stored. */
  "climate.reading": { reading: Reading };
  /** The sensor failed to give a reading (after the driver's own retries). */
  "climate.sensor-error": { roomId: string; at: number; code: ClimateErrorCode; message: string };
  /** A reading was taken but could not be stored. */
  "storage.error": { roomId: string; at: number; operation: string; message: string };
}
