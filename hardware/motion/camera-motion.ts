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
import {
  createFrameDiffDetector,
  FRAME_DIFF_DEFAULTS,
  type FrameDiffDetector,
  type FrameDiffDetectorOptions,
  type GreyFrame,
  prepareFrame,
} from "./frame-diff.ts";

/** Timer functions, injectable for tests (default: the global ones); the same shape as the card reader's. */
export interface PollTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

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

interface Session {
  active: boolean;
  listener: (event: MotionEvent) => void;
  timer?: unknown;
  /** The capture in progress, if any (stop() waits for it). */
  inFlight?: Promise<void>;
  failures: number;
  dead: boolean;
}

/** Creates the camera motion sensor. Does no I/O until start(). Options are checked here (RangeError). */
export function createCameraMotionSensor(opts: CameraMotionOptions): CameraMotionSensor {
  const { camera } = opts;
  if (!camera || typeof camera.snapshot !== "function") {
    throw new TypeError("createCameraMotionSensor: `camera` must be a Camera");
  }
  const intervalMs = opts.intervalMs ?? CAMERA_MOTION_DEFAULTS.intervalMs;
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
    throw new RangeError(`intervalMs must be a finite number > 0, got ${intervalMs}`);
  }
  const deadAfter = opts.deadAfter ?? CAMERA_MOTION_DEFAULTS.deadAfter;
  if (!Number.isInteger(deadAfter) || deadAfter < 1) {
    throw new RangeError(`deadAfter must be an integer >= 1, got ${deadAfter}`);
  }
  const size = {
    width: opts.frameWidth ?? FRAME_DIFF_DEFAULTS.width,
    height: opts.frameHeight ?? FRAME_DIFF_DEFAULTS.height,
  };
  const detector: FrameDiffDetector = createFrameDiffDetector(opts);
  const clock = opts.clock ?? systemClock;
  const timers: PollTimers = opts.timers ?? {
    setTimeout: (callback, ms) => setTimeout(callback, ms),
    clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  };
  const where = `camera motion (${camera.driver} camera)`;
  const now = () => clock.now().getTime();

  let session: Session | undefined;
  let pauses = 0;
  /** Bumped by pause(): a frame captured across a pause is dropped. */
  let epoch = 0;

  function emit(s: Session, event: MotionEvent): void {
    if (!s.active) return;
    try {
      const result: unknown = s.listener(event);
      if (result instanceof Promise) result.catch(() => {});
    } catch {
      // a failing listener must not stop the watch
    }
  }

  function schedule(s: Session, ms: number): void {
    if (!s.active || pauses > 0 || s.timer !== undefined || s.inFlight) return;
    s.timer = timers.setTimeout(() => {
      s.timer = undefined;
      tick(s);
    }, ms);
  }

  function failed(s: Session, e: unknown, at: number): void {
    s.failures++;
    if (s.dead || s.failures < deadAfter) return;
    s.dead = true;
    detector.reset();
    emit(s, {
      type: "dead",
      at,
      reason: `${where}: ${s.failures} frames in a row failed; last: ${messageOf(e)}`,
    });
  }

  function judge(s: Session, frame: GreyFrame, at: number): void {
    s.failures = 0;
    if (s.dead) {
      s.dead = false;
      detector.reset();
      emit(s, { type: "alive", at });
    }
    const result = detector.push(frame, at);
    if (result.motion) emit(s, { type: "motion", at, source: "camera", score: result.score });
  }

  /** One capture; never rejects. */
  async function capture(s: Session, startEpoch: number): Promise<void> {
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

  function tick(s: Session): void {
    if (!s.active || pauses > 0) return;
    const startedAt = now();
    const run = capture(s, epoch)
      .catch(() => {
        // capture() catches everything itself; this is the last line of defence for the loop
      })
      .finally(() => {
        s.inFlight = undefined;
        const elapsed = Math.max(0, now() - startedAt);
        // the next tick on the interval grid: a slow capture skips the ticks it overran
        schedule(s, intervalMs - (elapsed % intervalMs));
      });
    s.inFlight = run;
  }

  function pause(): void {
    pauses++;
    epoch++;
    const s = session;
    if (s?.timer !== undefined) {
      timers.clearTimeout(s.timer);
      s.timer = undefined;
    }
  }

  function resume(): void {
    if (pauses === 0) return;
    pauses--;
    if (pauses > 0) return;
    detector.reset();
    if (session) schedule(session, intervalMs);
  }

  return {
    driver: "camera",
    get paused() {
      return pauses > 0;
    },
    async start(listener) {
      if (session) throw new Error(`${where}: the sensor is already started`);
      const s: Session = { active: true, listener, failures: 0, dead: false };
      session = s;
      detector.reset();
      schedule(s, 0);
    },
    async stop() {
      const s = session;
      if (!s) return;
      session = undefined;
      s.active = false;
      if (s.timer !== undefined) {
        timers.clearTimeout(s.timer);
        s.timer = undefined;
      }
      await s.inFlight;
    },
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
