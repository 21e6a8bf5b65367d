/**
 * The security watch as staff control it: outside office hours (or while armed) motion is
 * an incident with a photo and a clip. /arm and /disarm change it; the state survives a restart.
 */

/** Whether the room is armed (watched even in office hours), by whom and since when. */
export interface ArmState {
  armed: boolean;
  by?: { id: number; name: string };
  /** Epoch ms of the last change. */
  since?: number;
}

export interface WatchControl {
  arm(by: { id: number; name: string }): ArmState;
  disarm(by: { id: number; name: string }): ArmState;
  state(): ArmState & { watching: boolean; sensor: string };
}
