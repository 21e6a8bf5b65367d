/**
 * What the two DHT22 drivers (dht22-iio.ts through the kernel, dht22.ts through
 * node-dht-sensor) do the same way around their measurements:
 *
 *   createJumpFilter(limits): the plausibility of a valid reading against the last accepted
 *     one (checkJump in conversions.ts). A jump beyond the limits is refused, unless the
 *     next reading lands close to the refused one: two readings agreeing confirm that the
 *     air really changed (a door opened, the air conditioning stopped).
 *   createAttemptGuard(timeoutMs): one attempt's time limit; an attempt that outlived it
 *     keeps the guard `stuck` until it returns, so no second measurement is started on top.
 *   checkDht22Options(pin, retries): the checks of the options both drivers take (RangeError).
 *   shareReads(where, readOnce): concurrent read() calls share one reading (the sensor does
 *     one at a time); close() refuses new reads and waits for the one under way; any error
 *     that is not a ClimateSensorError becomes one ("unavailable").
 */
import { type ClimateSample, ClimateSensorError } from "../../core/climate/sensor.ts";
import { messageOf } from "../errors.ts";
import { checkJump, type JumpLimits, type SampleResult } from "./conversions.ts";

/** The data pin (a BCM GPIO number) and the retries after a failed attempt; a RangeError when wrong. */
export function checkDht22Options(pin: number, retries: number): void {
  if (!Number.isInteger(pin) || pin < 0 || pin > 31) {
    throw new RangeError(`DHT22 pin must be a BCM GPIO number 0..31, got ${pin}`);
  }
  if (!Number.isInteger(retries) || retries < 0) {
    throw new RangeError(`retries must be a whole number >= 0, got ${retries}`);
  }
}

export interface JumpFilter {
  /** `sample`, read at `at` (clock ms): accepted (the new reference) or refused with the reason. */
  accept(sample: ClimateSample, at: number): SampleResult;
}

interface Stamped {
  sample: ClimateSample;
  at: number;
}

export function createJumpFilter(limits: JumpLimits): JumpFilter {
  /** The last accepted reading, the reference for the jump check. */
  let last: Stamped | undefined;
  /** An in-range reading that jumped away from `last`; a second one close to it confirms it. */
  let candidate: Stamped | undefined;
  return {
    accept(sample, at) {
      const fresh: Stamped = { sample, at };
      const fromLast: SampleResult = last ? checkJump(last.sample, sample, at - last.at, limits) : { ok: true, sample };
      const confirmed = candidate ? checkJump(candidate.sample, sample, at - candidate.at, limits).ok : false;
      if (fromLast.ok || confirmed) {
        last = fresh;
        candidate = undefined;
        return { ok: true, sample };
      }
      candidate = fresh;
      return fromLast;
    },
  };
}

export interface AttemptGuard {
  /** Whether an attempt outlived its time limit and has not returned yet. */
  readonly stuck: boolean;
  /** What `work` gives, or `timedOut()` thrown once it has taken `timeoutMs` (it is then stuck until it settles). */
  run<T>(work: Promise<T>, timedOut: () => Error): Promise<T>;
}

const TIMED_OUT = Symbol("timed out");

export function createAttemptGuard(timeoutMs: number): AttemptGuard {
  let stuck: Promise<void> | undefined;
  return {
    get stuck() {
      return stuck !== undefined;
    },
    async run(work, timedOut) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
        timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs);
      });
      try {
        const result = await Promise.race([work, timeout]);
        if (result !== TIMED_OUT) return result;
        const settled: Promise<void> = work.then(
          () => undefined,
          () => undefined,
        );
        stuck = settled;
        void settled.then(() => {
          if (stuck === settled) stuck = undefined;
        });
        throw timedOut();
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

export interface SharedReads {
  read(): Promise<ClimateSample>;
  close(): Promise<void>;
  /** Throws the "closed" error once close() was called (between the attempts of a reading). */
  throwIfClosed(): void;
}

export function shareReads(where: string, readOnce: () => Promise<ClimateSample>): SharedReads {
  let inflight: Promise<ClimateSample> | undefined;
  let closed = false;
  const closedError = () => new ClimateSensorError("unavailable", `${where}: the sensor was closed`);
  return {
    read() {
      if (closed) return Promise.reject(closedError());
      if (!inflight) {
        const current: Promise<ClimateSample> = readOnce()
          .catch((e: unknown) => {
            throw e instanceof ClimateSensorError
              ? e
              : new ClimateSensorError("unavailable", `${where}: ${messageOf(e)}`, { cause: e });
          })
          .finally(() => {
            if (inflight === current) inflight = undefined;
          });
        inflight = current;
      }
      return inflight;
    },
    async close() {
      closed = true;
      await inflight?.catch(() => undefined);
    },
    throwIfClosed() {
      if (closed) throw closedError();
    },
  };
}
