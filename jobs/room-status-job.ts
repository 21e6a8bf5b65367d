/**
 * Room status job: samples the climate sensor on a cron schedule (and once right at
 * start), stores every reading and emits events. Never throws: a sensor or storage
 * failure is logged and emitted as an event, and the next tick tries again.
 */

import type { Reading, SampleOutcome } from "../core/climate/reading.ts";

export type { SampleOutcome };

import { type ClimateSensor, ClimateSensorError } from "../core/climate/sensor.ts";
import type { Clock } from "../core/clock.ts";
import type { EventBus } from "../core/event-bus.ts";
import type { RoomEvents } from "../core/events.ts";
import type { Logger } from "../core/logger.ts";
import type { ScheduledHandle, Scheduler } from "../core/scheduler.ts";
import type { ReadingRepository } from "../core/storage.ts";

export interface RoomStatusJobDeps {
  roomId: string;
  sensor: ClimateSensor;
  readings: ReadingRepository;
  clock: Clock;
  scheduler: Scheduler;
  bus: EventBus<RoomEvents>;
  logger: Logger;
  /** node-cron expression, e.g. "0 * * * * *" for every minute. */
  cron: string;
  timeZone?: string;
}

export interface RoomStatusJob {
  start(): Promise<void>;
  /** Stops the schedule and waits for a run in progress to finish. */
  stop(): Promise<void>;
  /** Takes one sample now (a run already in progress is shared, not doubled). */
  sampleNow(): Promise<SampleOutcome>;
  readonly runs: number;
}

export function createRoomStatusJob(deps: RoomStatusJobDeps): RoomStatusJob {
  const { roomId, sensor, readings, clock, bus } = deps;
  let handle: ScheduledHandle | undefined;
  let inFlight: Promise<SampleOutcome> | undefined;
  let runs = 0;

  async function sample(): Promise<SampleOutcome> {
    const run = ++runs;
    const log = deps.logger.child({ job: "room-status", run });
    let reading: Reading;
    try {
      const s = await sensor.read();
      reading = { roomId, at: clock.now().getTime(), temperatureC: s.temperatureC, humidityPct: s.humidityPct };
    } catch (err) {
      const code = err instanceof ClimateSensorError ? err.code : "unavailable";
      const message = err instanceof Error ? err.message : String(err);
      log.warn({ code, driver: sensor.driver }, `climate sensor failed: ${message}`);
      bus.emit("climate.sensor-error", { roomId, at: clock.now().getTime(), code, message });
      return { ok: false, stage: "sensor", message };
    }
    try {
      await readings.add(reading);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      log.error({ err }, "could not store reading");
      bus.emit("storage.error", { roomId, at: reading.at, operation: "readings.add", message });
      return { ok: false, stage: "storage", message };
    }
    log.info({ t: reading.temperatureC, rh: reading.humidityPct }, "reading stored");
    bus.emit("climate.reading", { reading });
    return { ok: true, reading };
  }

  function sampleNow(): Promise<SampleOutcome> {
    if (!inFlight) {
      inFlight = sample().finally(() => {
        inFlight = undefined;
      });
    }
    return inFlight;
  }

  return {
    get runs() {
      return runs;
    },
    sampleNow,
    async start() {
      if (handle) return;
      handle = deps.scheduler.schedule(deps.cron, async () => void (await sampleNow()), {
        name: `room-status:${roomId}`,
        timeZone: deps.timeZone,
      });
      await sampleNow();
    },
    async stop() {
      const h = handle;
      handle = undefined;
      await h?.stop();
      await inFlight;
    },
  };
}
