import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Reading } from "../../core/climate/reading.ts";
import { EventBus } from "../../core/event-bus.ts";
import type { RoomEvents } from "../../core/events.ts";
import { silentLogger } from "../../core/logger.ts";
import type { ReadingRepository } from "../../core/storage.ts";
import { createSimulatedClimateSensor } from "../../hardware/climate/simulator.ts";
import { createRoomStatusJob } from "../../jobs/room-status-job.ts";
import { createSqliteStorage } from "../../storage/sqlite/index.ts";
import { ManualClock, ManualScheduler } from "../support/fakes.ts";

function setup(readings?: ReadingRepository) {
  const clock = new ManualClock("2026-11-23T10:00:00Z");
  const scheduler = new ManualScheduler();
  const storage = createSqliteStorage({ file: ":memory:" });
  const sensor = createSimulatedClimateSensor({ clock, seed: 3 });
  const bus = new EventBus<RoomEvents>(silentLogger);
  const events: Array<{ type: string; payload: unknown }> = [];
  for (const type of ["climate.reading", "climate.sensor-error", "storage.error"] as const) {
    bus.on(type, (payload) => void events.push({ type, payload }));
  }
  const job = createRoomStatusJob({
    roomId: "lab",
    sensor,
    readings: readings ?? storage.readings,
    clock,
    scheduler,
    bus,
    logger: silentLogger,
    cron: "*/5 * * * * *",
  });
  return { clock, scheduler, storage, sensor, bus, events, job };
}

describe("room-status job", () => {
  test("takes a first reading at start, then one per tick, stored with the room and the clock's time", async () => {
    const { clock, scheduler, storage, job, events } = setup();
    await job.start();
    assert.equal(scheduler.active().length, 1);
    assert.equal(scheduler.active()[0]?.expression, "*/5 * * * * *");
    assert.equal(await storage.readings.count("lab"), 1, "a reading right at startup");
    clock.advance(5_000);
    await scheduler.tick("room-status");
    clock.advance(5_000);
    await scheduler.tick("room-status");
    const rows = await storage.readings.latest("lab", 10);
    assert.deepEqual(
      rows.map((r) => r.at),
      [Date.parse("2026-11-23T10:00:10Z"), Date.parse("2026-11-23T10:00:05Z"), Date.parse("2026-11-23T10:00:00Z")],
    );
    assert.equal(events.filter((e) => e.type === "climate.reading").length, 3);
    await job.stop();
    assert.equal(scheduler.active().length, 0, "stop removes the schedule");
  });

  test("stores exactly the value the sensor reported", async () => {
    const { sensor, storage, job } = setup();
    sensor.set({ temperatureC: 31.4, humidityPct: 22.5 });
    await job.sampleNow();
    const [r] = await storage.readings.latest("lab", 1);
    assert.equal(r?.temperatureC, 31.4);
    assert.equal(r?.humidityPct, 22.5);
  });

  test("a sensor failure is an event, not a crash, and the next tick recovers", async () => {
    const { clock, scheduler, sensor, storage, job, events } = setup();
    sensor.fail("checksum", 1);
    await job.start();
    assert.equal(await storage.readings.count("lab"), 0);
    const err = events.find((e) => e.type === "climate.sensor-error")?.payload as RoomEvents["climate.sensor-error"];
    assert.equal(err.code, "checksum");
    assert.equal(err.roomId, "lab");
    clock.advance(5_000);
    await scheduler.tick("room-status");
    assert.equal(await storage.readings.count("lab"), 1);
    await job.stop();
  });

  test("garbage from the sensor is never stored", async () => {
    const { sensor, storage, job, events } = setup();
    sensor.set({ temperatureC: 120 });
    const outcome = await job.sampleNow();
    assert.equal(outcome.ok, false);
    assert.equal(await storage.readings.count("lab"), 0);
    const payload = events[0]?.payload as RoomEvents["climate.sensor-error"] | undefined;
    assert.equal(payload?.code, "implausible");
  });

  test("a storage failure is reported as an event and the job keeps going", async () => {
    let failing = true;
    const stored: Reading[] = [];
    const flaky: ReadingRepository = {
      async add(r) {
        if (failing) throw new Error("disk I/O error");
        stored.push(r);
      },
      addMany: async () => {},
      latest: async () => [],
      between: async () => [],
      count: async () => stored.length,
      aggregate: async () => [],
    };
    const { scheduler, job, events } = setup(flaky);
    await job.start();
    assert.equal(events[0]?.type, "storage.error");
    const payload = events[0]?.payload as RoomEvents["storage.error"] | undefined;
    assert.match(payload?.message ?? "", /disk I\/O/);
    failing = false;
    await scheduler.tick("room-status");
    assert.equal(stored.length, 1);
    await job.stop();
  });

  test("a throwing listener does not break the job or other listeners", async () => {
    const { bus, job, storage } = setup();
    let seen = 0;
    bus.on("climate.reading", () => {
      throw new Error("listener bug");
    });
    bus.on("climate.reading", () => {
      seen++;
    });
    const outcome = await job.sampleNow();
    assert.equal(outcome.ok, true);
    assert.equal(seen, 1);
    assert.equal(await storage.readings.count("lab"), 1);
  });

  test("concurrent sampleNow calls share one sensor read", async () => {
    const { sensor, job, storage } = setup();
    const [a, b] = await Promise.all([job.sampleNow(), job.sampleNow()]);
    assert.deepEqual(a, b);
    assert.equal(sensor.reads, 1);
    assert.equal(await storage.readings.count("lab"), 1);
  });

  test("stop waits for a sample in progress", async () => {
    const { job, storage } = setup();
    const pending = job.sampleNow();
    await job.stop();
    assert.equal(await storage.readings.count("lab"), 1);
    await pending;
  });
});
