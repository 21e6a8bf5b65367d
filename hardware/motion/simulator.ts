/**
 * A simulated motion sensor for development and tests. It honours the drivers' contract:
 * motion spaced by the same re-trigger suppression (cooldown.ts; `cooldownMs`, default 30 s
 * like the drivers, 0 to report every trigger), and the same failures: `kill()` is a sensor
 * that stops working ("dead", once), `revive()` one that works again ("alive").
 *
 * Like a real sensor that is not being watched, it ignores movement while it is stopped
 * (before start(), after stop()) or dead: trigger() then returns false and emits nothing. A
 * sensor killed while stopped reports "dead" at start(). Events are delivered synchronously,
 * from inside trigger()/kill()/revive()/start(). A listener that throws is ignored, as in
 * the drivers.
 */
import { type Clock, systemClock } from "../../core/clock.ts";
import type { MotionEvent, MotionSensor } from "../../core/motion/sensor.ts";
import { notify } from "../polling.ts";
import { createRetriggerGuard, MOTION_COOLDOWN_MS } from "./cooldown.ts";

export interface SimulatedMotionOptions {
  /** Time of events and of the cooldown (default: the system clock). */
  clock?: Clock;
  /** As in the drivers (default 30 s). */
  cooldownMs?: number;
}

export interface SimulatedMotionSensor extends MotionSensor {
  readonly driver: "sim";
  /** Whether start() was called and stop() not since. */
  readonly running: boolean;
  /** Number of "motion" events emitted so far. */
  readonly motions: number;
  /**
   * Something moves. Returns whether that made a "motion" event (false: stopped, dead, or
   * within the cooldown). `score` (0..1, optional) is passed on as the event's score.
   */
  trigger(score?: number): boolean;
  /** The sensor stops working: "dead" (once; when started, or at start()). */
  kill(reason?: string): void;
  /** The sensor works again: "alive" if "dead" was emitted. */
  revive(): void;
}

const DEFAULT_DEAD_REASON = "sim: the motion sensor stopped working (fault injected)";

export function createSimulatedMotionSensor(opts: SimulatedMotionOptions = {}): SimulatedMotionSensor {
  const clock = opts.clock ?? systemClock;
  const guard = createRetriggerGuard(opts.cooldownMs ?? MOTION_COOLDOWN_MS);
  let listener: ((event: MotionEvent) => void) | undefined;
  let motions = 0;
  let dead: { reason: string; emitted: boolean } | undefined;

  const now = () => clock.now().getTime();

  /** As in the drivers: a failing listener does not break the device. */
  function emit(event: MotionEvent): void {
    notify(listener, event);
  }

  return {
    driver: "sim",
    get running() {
      return listener !== undefined;
    },
    get motions() {
      return motions;
    },
    async start(l) {
      if (listener) throw new Error("sim: the motion sensor is already started");
      listener = l;
      if (dead) {
        dead.emitted = true;
        emit({ type: "dead", at: now(), reason: dead.reason });
      }
    },
    async stop() {
      listener = undefined;
    },
    trigger(score) {
      if (score !== undefined && !(Number.isFinite(score) && score >= 0 && score <= 1)) {
        throw new RangeError(`sim: score must be a number from 0 to 1, got ${score}`);
      }
      if (!listener || dead) return false;
      const at = now();
      if (!guard.allow(at)) return false;
      motions++;
      emit(score === undefined ? { type: "motion", at, source: "sim" } : { type: "motion", at, source: "sim", score });
      return true;
    },
    kill(reason = DEFAULT_DEAD_REASON) {
      if (dead) return;
      dead = { reason, emitted: false };
      if (listener) {
        dead.emitted = true;
        emit({ type: "dead", at: now(), reason });
      }
    },
    revive() {
      if (!dead) return;
      const { emitted } = dead;
      dead = undefined;
      if (listener && emitted) emit({ type: "alive", at: now() });
    },
  };
}
