/**
 * A room's services, started and stopped from one list (zigbee2mqtt's controller loops over
 * its extensions the same way): start() in the list's order, stop() in the reverse order,
 * each failure isolated.
 *
 *   - A service that cannot start is logged and the ones after it still start. If it has
 *     `startFailed`, that says what the failure means for the room (the security watch raises
 *     motion.dead) and the failure counts as handled; otherwise start() rejects once the others
 *     have started: with that error, or an AggregateError when several failed. The caller
 *     then stops the room (stop() stops every service, started or not).
 *   - A `required` service (the alert pipeline: every other one reports through it) that
 *     cannot start ends start() at once: nothing after it starts.
 *   - stop() stops every service, even after one fails to stop or never started (a service's
 *     stop() must be safe then); the failures are logged, and stop() rejects with them once
 *     the last one has stopped.
 *
 * A service owns what it subscribes to (bus listeners, schedules) and releases it in stop().
 */
import type { Logger } from "../core/logger.ts";

export interface RoomService {
  /** For the log, and the errors: "door", "alerts", ... */
  readonly name: string;
  start(): Promise<void>;
  /** Releases everything start() took. Safe to call when start() failed or never ran. */
  stop(): Promise<void>;
  /** The service could not start: what that means for the room (logs it, raises an incident...). */
  startFailed?(err: Error): void | Promise<void>;
  /** Nothing after it can run without it: its start failing ends start() at once. */
  readonly required?: boolean;
}

export interface ServiceRunner {
  /** The services' names, in start order. */
  readonly names: readonly string[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

function failure(what: "start" | "stop", failed: Array<{ name: string; err: Error }>): Error {
  const [only] = failed;
  if (failed.length === 1 && only) return only.err;
  return new AggregateError(
    failed.map((f) => f.err),
    `${failed.length} room services could not ${what}: ${failed.map((f) => `${f.name} (${f.err.message})`).join("; ")}`,
  );
}

export function createServiceRunner(services: readonly RoomService[], logger: Logger): ServiceRunner {
  const log = logger.child({ component: "room" });
  return {
    names: services.map((s) => s.name),
    async start() {
      const unhandled: Array<{ name: string; err: Error }> = [];
      for (const service of services) {
        try {
          await service.start();
        } catch (e) {
          const err = asError(e);
          if (service.required) {
            log.error(
              { service: service.name, err },
              `${service.name} could not start; the room cannot run without it`,
            );
            throw err;
          }
          if (!service.startFailed) {
            log.error({ service: service.name, err }, `${service.name} could not start`);
            unhandled.push({ name: service.name, err });
            continue;
          }
          try {
            await service.startFailed(err);
          } catch (reportErr) {
            log.error({ service: service.name, err: reportErr }, `${service.name} could not start or report it`);
            unhandled.push({ name: service.name, err });
          }
        }
      }
      if (unhandled.length > 0) throw failure("start", unhandled);
    },
    async stop() {
      const failed: Array<{ name: string; err: Error }> = [];
      for (const service of [...services].reverse()) {
        try {
          await service.stop();
        } catch (e) {
          const err = asError(e);
          log.error({ service: service.name, err }, `${service.name} could not stop`);
          failed.push({ name: service.name, err });
        }
      }
      if (failed.length > 0) throw failure("stop", failed);
    },
  };
}
