/**
 * The one session helper of the devices that report to a listener: both card readers
 * (cards/mfrc522-spidev.ts, cards/mfrc522-rpi.ts), both PIR drivers (motion/pir-gpiod.ts,
 * motion/pir.ts) and the camera motion sensor (motion/camera-motion.ts). A driver says how
 * to open its device, how to poll it (if it is polled) and how to close it; this file does
 * the rest the same way for all of them:
 *
 *   createDeviceSessions({ where, what, open, poll?, close }) -> { start, stop, device, wake, cancel }
 *     start(listener): one session at a time ("... is already started"); open(session)
 *       rejects: start() rejects with its error. A stop() while opening: what open() returns
 *       is closed as soon as it returns.
 *     polling (with `poll`): one poll at a time, a timer chain (a poll never overlaps the next):
 *       the first right after opening, each next one `poll.once()`'s answer later (a number at
 *       once for a synchronous device, a promise for an asynchronous one). `poll.held()` true:
 *       no poll starts (cancel() drops the pending one; wake(ms) schedules one again).
 *     stop(): the session ends at once (no event after it, no new poll), then it waits for
 *       the opening and for the poll in flight, and closes the device. Safe twice; start()
 *       may follow.
 *   session.emit(event): the listener, guarded: nothing it throws or rejects reaches the
 *     driver, and nothing is emitted after stop().
 *   session.answered / failed / giveUp: failure counting and the "dead"/"alive" events:
 *     giveUp() emits "dead" once, the next answered() "alive" once. The rule for giving up
 *     (failures in a row, time failing, a reset tried first) is the driver's.
 */

/** Timer functions, injectable for tests (default: the global ones). */
export interface PollTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: PollTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** The events every device with a listener has (CardReaderEvent and MotionEvent include them). */
export type HealthEvent = { type: "dead"; reason: string; at: number } | { type: "alive"; at: number };

/** Calls a device's listener: nothing it throws or rejects reaches the device (simulators use it too). */
export function notify<E>(listener: ((event: E) => void) | undefined, event: E): void {
  if (!listener) return;
  try {
    const result: unknown = listener(event);
    if (result instanceof Promise) result.catch(() => {});
  } catch {
    // a failing listener must not stop the device
  }
}

/** One start()..stop() of a device. */
export interface DeviceSession<E> {
  /** False from stop() on: nothing is emitted, no poll starts. */
  readonly active: boolean;
  /** Whether "dead" was emitted and the device has not answered since. */
  readonly dead: boolean;
  /** Failures in a row since the device last answered. */
  readonly failures: number;
  /** When the first of them happened (clock ms); undefined while the device answers. */
  readonly failingSince: number | undefined;
  /** Tells the listener (see notify), while the session is active. */
  emit(event: E | HealthEvent): void;
  /** The device answered: the failures are forgotten; "alive" if it was dead (then true). */
  answered(at: number): boolean;
  /** The device failed once more: counted. */
  failed(at: number): void;
  /** "dead" with `reason`, unless it already is (then false). */
  giveUp(at: number, reason: string): boolean;
}

export interface DevicePolling<E, D> {
  timers: PollTimers;
  /** One poll; returns the pause (ms) before the next. Should catch its own errors. */
  once(session: DeviceSession<E>, device: D): number | Promise<number>;
  /** The pause after a poll that threw after all. */
  fallbackMs: number;
  /** While true, no poll starts (the camera sensor's pause()). */
  held?: () => boolean;
}

export interface DeviceSessionsOptions<E, D> {
  /** The device, for the "already started" error: "MFRC522 on /dev/spidev0.0". */
  where: string;
  /** "reader" or "sensor": "... the reader is already started". */
  what: string;
  /** Opens the device for `session`; rejects when it cannot (start() then rejects). */
  open(session: DeviceSession<E>): Promise<D>;
  /** For a polled device. */
  poll?: DevicePolling<E, D>;
  /** Releases the device; never rejects. */
  close(device: D, session: DeviceSession<E>): void | Promise<void>;
}

export interface DeviceSessions<E, D> {
  start(listener: (event: E | HealthEvent) => void): Promise<void>;
  stop(): Promise<void>;
  /** The device of the running session, once open() has returned it. */
  readonly device: D | undefined;
  /** A poll in `ms`, unless one is pending or running, or polling is held or stopped. */
  wake(ms: number): void;
  /** Drops the pending poll (one running finishes). */
  cancel(): void;
}

interface Running<E, D> {
  session: DeviceSession<E> & { end(): void };
  /** Resolves when start() has finished opening (or failed to). */
  opening: Promise<void>;
  open: boolean;
  device?: D;
  timer?: unknown;
  /** The poll under way, if any. */
  inFlight?: Promise<void>;
}

function createSession<E>(listener: (event: E | HealthEvent) => void): DeviceSession<E> & { end(): void } {
  let active = true;
  let dead = false;
  let failures = 0;
  let failingSince: number | undefined;
  const emit = (event: E | HealthEvent) => {
    if (active) notify(listener, event);
  };
  return {
    get active() {
      return active;
    },
    get dead() {
      return dead;
    },
    get failures() {
      return failures;
    },
    get failingSince() {
      return failingSince;
    },
    emit,
    answered(at) {
      failures = 0;
      failingSince = undefined;
      if (!dead) return false;
      dead = false;
      emit({ type: "alive", at });
      return true;
    },
    failed(at) {
      failures++;
      failingSince ??= at;
    },
    giveUp(at, reason) {
      if (dead) return false;
      dead = true;
      emit({ type: "dead", reason, at });
      return true;
    },
    end() {
      active = false;
    },
  };
}

export function createDeviceSessions<E, D>(o: DeviceSessionsOptions<E, D>): DeviceSessions<E, D> {
  const { poll } = o;
  let current: Running<E, D> | undefined;

  function schedule(r: Running<E, D>, ms: number): void {
    if (!poll || !r.open || !r.session.active || poll.held?.() || r.timer !== undefined || r.inFlight) return;
    r.timer = poll.timers.setTimeout(() => {
      r.timer = undefined;
      tick(r);
    }, ms);
  }

  function tick(r: Running<E, D>): void {
    if (!poll || !r.session.active || poll.held?.()) return;
    let next: number | Promise<number>;
    try {
      next = poll.once(r.session, r.device as D);
    } catch {
      next = poll.fallbackMs;
    }
    if (typeof next === "number") {
      schedule(r, next);
      return;
    }
    r.inFlight = next
      .catch(() => poll.fallbackMs)
      .then((ms) => {
        r.inFlight = undefined;
        schedule(r, ms);
      });
  }

  function cancel(r: Running<E, D> | undefined): void {
    if (r?.timer === undefined || !poll) return;
    poll.timers.clearTimeout(r.timer);
    r.timer = undefined;
  }

  return {
    get device() {
      return current?.open ? current.device : undefined;
    },
    async start(listener) {
      if (current) throw new Error(`${o.where}: the ${o.what} is already started`);
      let settle!: () => void;
      const r: Running<E, D> = {
        session: createSession<E>(listener),
        opening: new Promise<void>((resolve) => {
          settle = resolve;
        }),
        open: false,
      };
      current = r;
      try {
        const device = await o.open(r.session);
        if (!r.session.active) {
          // stop() was called while opening
          await o.close(device, r.session);
          return;
        }
        r.device = device;
        r.open = true;
        schedule(r, 0);
      } catch (e) {
        r.session.end();
        if (current === r) current = undefined;
        throw e;
      } finally {
        settle();
      }
    },
    async stop() {
      const r = current;
      if (!r) return;
      current = undefined;
      r.session.end();
      cancel(r);
      await r.opening;
      if (r.inFlight) await r.inFlight;
      if (!r.open) return;
      r.open = false;
      const device = r.device as D;
      r.device = undefined;
      await o.close(device, r.session);
    },
    wake(ms) {
      if (current) schedule(current, ms);
    },
    cancel() {
      cancel(current);
    },
  };
}
