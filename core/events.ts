/** Typed events that jobs emit and listeners (alerts, LCD, logs) consume. */

import type { Incident } from "./alerts/types.ts";
import type { Reading } from "./climate/reading.ts";
import type { ClimateErrorCode } from "./climate/sensor.ts";
import type { AccessEntry, StaffMember } from "./door/ports.ts";

export interface RoomEvents extends Record<string, unknown> {
  /** A reading was taken and stored. */
  "climate.reading": { reading: Reading };
  /** The sensor failed to give a reading (after the driver's own retries). */
  "climate.sensor-error": { roomId: string; at: number; code: ClimateErrorCode; message: string };
  /** A reading was taken but could not be stored. */
  "storage.error": { roomId: string; at: number; operation: string; message: string };
  /**
   * A card was judged at the door and logged. `enrollment`: the tap was also read for an
   * enrollment (`/enroll` waiting for a card), started by the admin named `by`.
   */
  "door.access": {
    entry: AccessEntry;
    member?: StaffMember;
    enrollment?: { by: string };
    /** The decision was made on a clock that is not synchronised (office hours may be judged wrong). */
    clockUnsynced?: boolean;
  };
  "door.reader-dead": { roomId: string; at: number; reason: string };
  "door.reader-alive": { roomId: string; at: number };
  /** A card was enrolled by chat. */
  "door.enrolled": { roomId: string; member: StaffMember };
  /** A capture failed or timed out. */
  "camera.failed": { roomId: string; at: number; code: string; message: string };
  /** A capture worked after failures. */
  "camera.ok": { roomId: string; at: number };
  /** The motion sensor saw movement; `watched`: outside office hours or armed. */
  "motion.detected": { roomId: string; at: number; source: string; watched: boolean };
  "motion.dead": { roomId: string; at: number; reason: string };
  "motion.alive": { roomId: string; at: number };
  /** An incident was raised, updated, acknowledged (in Telegram or on the dashboard) or resolved: the engine's record. */
  "incident.changed": { incident: Incident };
}
