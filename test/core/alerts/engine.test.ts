import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type AlertEngine, type createAlertEngine, levelWithHysteresis } from "../../../core/alerts/engine.ts";
import type { Notice } from "../../../core/alerts/types.ts";
import type { Reading } from "../../../core/climate/reading.ts";
import type { Storage } from "../../../core/storage.ts";
import { createSqliteStorage } from "../../../storage/sqlite/index.ts";
import { ManualClock } from "../../support/fakes.ts";
import { recordingEngine } from "../../support/recording-engine.ts";

const T = { warn: { min: 18, max: 27 }, critical: { min: 15, max: 30 } };
const H = { warn: { min: 30, max: 60 }, critical: { min: 20, max: 70 } };
const MIN = 60_000;

function setup(overrides: Partial<Parameters<typeof createAlertEngine>[0]> = {}, storage?: Storage) {
  const clock = new ManualClock("2026-11-23T10:00:00Z");
  const db = storage ?? createSqliteStorage({ file: ":memory:" });
  const { engine, notices } = recordingEngine({
    roomId: "lab",
    clock,
    storage: db,
    thresholds: { temperatureC: T, humidityPct: H },
    minDurationMs: 2 * MIN,
    remindEveryMs: 30 * MIN,
    sensorStuckMs: 60 * MIN,
    ...overrides,
  });
  // A reading every minute; humidity wobbles so the sensor never looks stuck.
  let wobble = 0;
  const read = async (t: number, h?: number) => {
    const r: Reading = {
      roomId: "lab",
      at: clock.now().getTime(),
      temperatureC: t,
      humidityPct: h ?? 45 + (wobble++ % 2) / 10,
    };
    await engine.onReading(r);
    clock.advance(MIN);
  };
  return { clock, db, notices, engine, read };
}

const kinds = (ns: Notice[]) => ns.map((n) => `${n.kind}:${n.rule}:${n.severity}`);

describe("levelWithHysteresis", () => {
  test("raises at the band edge, clears only a margin inside it (both sides)", () => {
    assert.equal(levelWithHysteresis(27.1, T, 1, "ok"), "warn");
    assert.equal(levelWithHysteresis(26.5, T, 1, "warn"), "warn", "inside the band, but not by the margin");
    assert.equal(levelWithHysteresis(25.9, T, 1, "warn"), "ok");
    assert.equal(levelWithHysteresis(30.1, T, 1, "warn"), "critical");
    assert.equal(levelWithHysteresis(29.5, T, 1, "critical"), "critical");
    assert.equal(levelWithHysteresis(28.9, T, 1, "critical"), "warn");
    assert.equal(levelWithHysteresis(17.5, T, 1, "ok"), "warn");
    assert.equal(levelWithHysteresis(18.5, T, 1, "warn"), "warn");
    assert.equal(levelWithHysteresis(19.1, T, 1, "warn"), "ok");
    assert.equal(levelWithHysteresis(14, T, 1, "ok"), "critical");
  });

  test("the issue's example: raise at 30 °C, clear only below 28 °C", () => {
    const t = { warn: { min: 10, max: 30 }, critical: { min: 0, max: 40 } };
    assert.equal(levelWithHysteresis(30.5, t, 2, "ok"), "warn");
    assert.equal(levelWithHysteresis(28.5, t, 2, "warn"), "warn");
    assert.equal(levelWithHysteresis(27.9, t, 2, "warn"), "ok");
  });
});

describe("alert engine", () => {
  test("climate: min duration, one incident, escalation, silent de-escalation, hysteresis, recovery", async () => {
    const { notices, engine, read, db } = setup();
    await read(25);
    await read(27.5); // pending
    await read(27.8); // 1 min
    assert.equal(notices.length, 0, "not before the minimum duration");
    await read(28); // 2 min: raise
    await read(28.2);
    await read(28.1);
    assert.deepEqual(kinds(notices), ["raised:climate.temperature:warning"]);
    assert.equal(notices[0]?.details.value, "28.0");
    assert.equal(notices[0]?.details.direction, "high");
    assert.equal(notices[0]?.details.limit, "27.0");
    await read(30.5); // escalate at once
    await read(29.5); // still critical (hysteresis)
    await read(28.9); // back to warning, silently
    await read(26.5); // still open (hysteresis)
    assert.deepEqual(kinds(notices), ["raised:climate.temperature:warning", "escalated:climate.temperature:critical"]);
    assert.equal(engine.openIncidents()[0]?.severity, "warning");
    await read(25.9);
    assert.deepEqual(kinds(notices).slice(2), ["recovered:climate.temperature:info"]);
    assert.equal(notices[2]?.details.durationMs, 7 * MIN, "raised at minute 3, recovered at minute 10");
    assert.equal(engine.openIncidents().length, 0);
    const stored = await db.incidents.openedBetween("lab", 0, Number.MAX_SAFE_INTEGER);
    assert.equal(stored.length, 1, "one incident, not one per sample");
    assert.equal(stored[0]?.state, "resolved");
  });

  test("a spike shorter than the minimum duration raises nothing", async () => {
    const { notices, read } = setup();
    await read(31);
    await read(31);
    await read(24);
    await read(24);
    assert.deepEqual(notices, []);
  });

  test("humidity has its own incident, low side", async () => {
    const { notices, read } = setup({ minDurationMs: 0 });
    await read(22, 25); // below 30: warning low
    await read(22, 31); // inside, but not by 3 %: still open
    await read(22, 34);
    assert.deepEqual(kinds(notices), ["raised:climate.humidity:warning", "recovered:climate.humidity:info"]);
    assert.equal(notices[0]?.details.direction, "low");
  });

  test("reminders while unacknowledged; none after acknowledgement", async () => {
    const { notices, engine, read, clock } = setup({ minDurationMs: 0 });
    await read(31); // raised at 10:00; the clock is now 10:01
    clock.advance(28 * MIN);
    await engine.tick();
    assert.equal(notices.length, 1, "not yet");
    clock.advance(MIN);
    await engine.tick();
    assert.deepEqual(kinds(notices), ["raised:climate.temperature:critical", "reminder:climate.temperature:critical"]);
    const id = engine.openIncidents()[0]?.id ?? "";
    const ack = await engine.acknowledge(id, { id: 7, name: "Ada" });
    assert.ok(ack.ok);
    assert.equal(ack.incident.ackedBy?.name, "Ada");
    assert.deepEqual(await engine.acknowledge(id, { id: 8, name: "Bob" }).then((r) => r.ok || r.reason), "already");
    clock.advance(120 * MIN);
    await engine.tick();
    assert.equal(notices.length, 2, "no reminder after ack");
    assert.deepEqual(await engine.acknowledge("nope", { id: 7, name: "Ada" }), { ok: false, reason: "not-found" });
  });

  test("escalation needs a fresh acknowledgement", async () => {
    const { engine, read } = setup({ minDurationMs: 0 });
    await read(28);
    const id = engine.openIncidents()[0]?.id ?? "";
    await engine.acknowledge(id, { id: 7, name: "Ada" });
    await read(31);
    assert.equal(engine.openIncidents()[0]?.ackedAt, undefined);
  });

  test("a mute suppresses notices but the incident is still recorded", async () => {
    const { notices, engine, read, db, clock } = setup({ minDurationMs: 0 });
    await db.mutes.set({
      roomId: "lab",
      rule: "climate.temperature",
      until: clock.now().getTime() + 60 * MIN,
      by: { id: 1, name: "A" },
    });
    await read(31);
    assert.equal(engine.openIncidents().length, 1);
    await read(22);
    assert.deepEqual(notices, []);
    // After the mute ends, alerts flow again.
    clock.advance(61 * MIN);
    await read(31);
    assert.deepEqual(kinds(notices), ["raised:climate.temperature:critical"]);
  });

  test("sensor dead after N failures in a row, recovered by the next reading", async () => {
    const { notices, engine, read, clock } = setup();
    const fail = (msg: string) => engine.onSensorError({ at: clock.now().getTime(), code: "timeout", message: msg });
    await fail("no answer");
    await fail("no answer");
    await read(22); // resets the count
    await fail("no answer");
    await fail("no answer");
    assert.equal(notices.length, 0);
    await fail("DHT22 on GPIO 4 did not answer within 5000 ms");
    await fail("again");
    assert.deepEqual(kinds(notices), ["raised:sensor.dead:critical"]);
    assert.match(String(notices[0]?.details.reason), /GPIO 4/);
    await read(22);
    assert.deepEqual(kinds(notices).slice(1), ["recovered:sensor.dead:info"]);
  });

  test("a stuck sensor (identical values for too long) is its own incident", async () => {
    const { notices, read } = setup({ sensorStuckMs: 10 * MIN });
    for (let i = 0; i < 10; i++) await read(22.4, 41.2);
    assert.equal(notices.length, 0);
    await read(22.4, 41.2);
    assert.deepEqual(kinds(notices), ["raised:sensor.stuck:warning"]);
    await read(22.5, 41.2);
    assert.deepEqual(kinds(notices).slice(1), ["recovered:sensor.stuck:info"]);
  });

  test("a restart restores open incidents: no second raise, recovery still sent", async () => {
    const first = setup({ minDurationMs: 0 });
    await first.read(31);
    assert.equal(first.notices.length, 1);
    const second = setup({ minDurationMs: 0 }, first.db);
    await second.engine.start();
    assert.equal(second.engine.openIncidents().length, 1);
    await second.read(31);
    assert.equal(second.notices.length, 0, "no duplicate");
    await second.read(22);
    assert.deepEqual(kinds(second.notices), ["recovered:climate.temperature:info"]);
  });

  test("a failing record is logged, and later events still run", async () => {
    let calls = 0;
    const { engine, read } = setup({
      minDurationMs: 0,
      record: async () => {
        calls++;
        throw new Error("outbox full");
      },
    });
    await read(31);
    await read(22);
    assert.equal(calls, 2);
    assert.equal((engine as AlertEngine).openIncidents().length, 0);
  });
});
