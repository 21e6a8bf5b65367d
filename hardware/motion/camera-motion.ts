/**
 * Motion from the camera: the frame-difference detector (frame-diff.ts) fed with snapshots.
 * For rooms without a PIR sensor; it needs a real camera (a simulated one draws its own
 * pictures, so differencing them says nothing about the room).
 *
 * Polling: one snapshot per tick, ticks every `intervalMs` (a setTimeout chain, so captures
 * never overlap). A capture that takes longer than the interval skips the ticks it overran:
 * the next one starts at the next multiple of `intervalMs` after the slow one began. Each
 * frame is decoded to 320x240 grey (prepareFrame) and pushed to the detector; a motion
 * event carries the detector's score and the frame's time.
 *
 * Failures: a frame that cannot be had (the camera rejects with a CameraError, or returns
 * bytes that do not decode) is a failed frame. `deadAfter` (5) failed frames in a row emit
 * "dead" once, with the last error; polling goes on at the same pace, and the next good frame
 * emits "alive" and becomes the new reference (no motion is judged across the gap).
 *
 * Pausing (for the security watch while it records a clip: the camera is busy, and the
 * frames around a clip say nothing new): pause() stops polling at once (a capture already
 * running is waited for by stop() but its frame is dropped); resume() restarts it one
 * interval later with a fresh reference frame. Pauses nest: polling resumes when every
 * pause() has had its resume(). pauseDuring(fn) wraps both around `fn`. Pausing does not
 * emit anything and does not count as failures. The pause count belongs to the sensor, not
 * to one start()/stop(): a sensor started while paused polls from the last resume().
 *
 * Nothing thrown by the camera, sharp or the listener leaves the polling loop.
 */

import type { Camera } from "../../core/camera/camera.ts";
import { type Clock, systemClock } from "../../core/clock.ts";
import type { MotionEvent, MotionSensor } from "../../core/motion/sensor.ts";
import { messageOf } from "../errors.ts";
import { countOption, positiveOption } from "../options.ts";
import { createDeviceSessions, type DeviceSession, type PollTimers, systemTimers } from "../polling.ts";
import {
  createFrameDiffDetector,
  FRAME_DIFF_DEFAULTS,
  type FrameDiffDetector,
  type FrameDiffDetectorOptions,
  type GreyFrame,
  prepareFrame,
} from "./frame-diff.ts";

export interface CameraMotionOptions extends FrameDiffDetectorOptions {
  /** Where the frames come from. */
  camera: Camera;
  /** Time between frames (default 2000 ms). */
  intervalMs?: number;
  /** Failed frames in a row before "dead" (default 5). */
  deadAfter?: number;
  /** Size of the grey frames compared (default 320x240). */
  frameWidth?: number;
  frameHeight?: number;
  /** Time of events when a snapshot has none, and of the tick grid (default: the system clock). */
  clock?: Clock;
  /** Schedules ticks (default: the global setTimeout / clearTimeout). */
  timers?: PollTimers;
}

export const CAMERA_MOTION_DEFAULTS = { intervalMs: 2000, deadAfter: 5 } as const;

export interface CameraMotionSensor extends MotionSensor {
  readonly driver: "camera";
  /** Whether polling is paused (pause() called more often than resume()). */
  readonly paused: boolean;
  /** Stops frame polling until resume() (nests). */
  pause(): void;
  /** Undoes one pause(); the last one restarts polling one interval later, with a fresh reference frame. */
  resume(): void;
  /** pause(), then `work`, then resume(), whatever `work` does. */
  pauseDuring<T>(work: () => Promise<T>): Promise<T>;
}

/** Creates the camera motion sensor. Does no I/O until start(). Options are checked here (RangeError). */
export function createCameraMotionSensor(opts: CameraMotionOptions): CameraMotionSensor {
  const { camera } = opts;
  if (!camera || typeof camera.snapshot !== "function") {
    throw new TypeError("createCameraMotionSensor: `camera` must be a Camera");
  }
  const intervalMs = positiveOption("intervalMs", opts.intervalMs ?? CAMERA_MOTION_DEFAULTS.intervalMs);
  const deadAfter = countOption("deadAfter", opts.deadAfter ?? CAMERA_MOTION_DEFAULTS.deadAfter);
  const size = {
    width: opts.frameWidth ?? FRAME_DIFF_DEFAULTS.width,
    height: opts.frameHeight ?? FRAME_DIFF_DEFAULTS.height,
  };
  const detector: FrameDiffDetector = createFrameDiffDetector(opts);
  const clock = opts.clock ?? systemClock;
  const where = `camera motion (${camera.driver} camera)`;
  const now = () => clock.now().getTime();

  let pauses = 0;
  /** Bumped by pause(): a frame captured across a pause is dropped. */
  let epoch = 0;

  function failed(s: DeviceSession<MotionEvent>, e: unknown, at: number): void {
    s.failed(at);
    if (s.failures < deadAfter) return;
    if (s.giveUp(at, `${where}: ${s.failures} frames in a row failed; last: ${messageOf(e)}`)) detector.reset();
  }

  function judge(s: DeviceSession<MotionEvent>, frame: GreyFrame, at: number): void {
    if (s.answered(at)) detector.reset();
    const result = detector.push(frame, at);
    if (result.motion) s.emit({ type: "motion", at, source: "camera", score: result.score });
  }

  /** One capture; never rejects. */
  async function capture(s: DeviceSession<MotionEvent>, startEpoch: number): Promise<void> {
    let frame: GreyFrame;
    let at: number;
    try {
      const snapshot = await camera.snapshot();
      at = Number.isFinite(snapshot.at) ? snapshot.at : now();
      frame = await prepareFrame(snapshot.jpeg, size);
    } catch (e) {
      if (s.active && epoch === startEpoch) failed(s, e, now());
      return;
    }
    if (s.active && epoch === startEpoch) judge(s, frame, at);
  }

  /** One tick: a capture, then the pause to the next tick on the interval grid (a slow capture skips the ticks it overran). */
  async function poll(s: DeviceSession<MotionEvent>): Promise<number> {
    const startedAt = now();
    await capture(s, epoch);
    const elapsed = Math.max(0, now() - startedAt);
    return intervalMs - (elapsed % intervalMs);
  }

  const sessions = createDeviceSessions<MotionEvent, Camera>({
    where,
    what: "sensor",
    async open() {
      detector.reset();
      return camera;
    },
    poll: { timers: opts.timers ?? systemTimers, once: poll, fallbackMs: intervalMs, held: () => pauses > 0 },
    close() {},
  });

  function pause(): void {
    pauses++;
    epoch++;
    sessions.cancel();
  }

  function resume(): void {
    if (pauses === 0) return;
    pauses--;
    if (pauses > 0) return;
    detector.reset();
    sessions.wake(intervalMs);
  }

  return {
    driver: "camera",
    get paused() {
      return pauses > 0;
    },
    start: sessions.start,
    stop: sessions.stop,
    pause,
    resume,
    async pauseDuring(work) {
      pause();
      try {
        return await work();
      } finally {
        resume();
      }
    },
  };
}
