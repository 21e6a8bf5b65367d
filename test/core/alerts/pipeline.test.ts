import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { DeliveryChannel, OutboxEntryLike } from "../../../core/alerts/dispatcher.ts";
import { type AlertPipeline, createAlertPipeline } from "../../../core/alerts/pipeline.ts";
import type { AlertLedger, Incident, Notice } from "../../../core/alerts/types.ts";
import type { Reading } from "../../../core/climate/reading.ts";
import { silentLogger } from "../../../core/logger.ts";
import { createSqliteStorage } from "../../../storage/sqlite/index.ts";
import { ManualClock } from "../../support/fakes.ts";

const T = { warn: { min: 18, max: 27 }, critical: { min: 15, max: 30 } };
const H = { warn: { min: 30, max: 60 }, critical: { min: 20, max: 70 } };

async function until(probe: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A channel that records what it got. */
function recorder(name = "test") {
  const got: Notice[] = [];
  const channel: DeliveryChannel = {
    name,
    async deliver(e: OutboxEntryLike) {
      got.push(e.notice);
      return { ok: true, ref: String(e.id) };
    },
  };
  return { channel, got };
}

/**
 * The real SQLite storage whose ledger can be made to fail like a full disk: `full = true`
 * makes every commit throw SQLITE_FULL (the outbox's own writes too), as a DATA_DIR with no
 * space left does.
 */
function fillableStorage() {
  const real = createSqliteStorage({ file: ":memory:" });
  const state = { full: false };
  const full = () => Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" });
  const alertLedger: AlertLedger = {
    commit: (w) => (state.full ? Promise.reject(full()) : real.alertLedger.commit(w)),
    repair: () => real.alertLedger.repair(),
  };
  const outbox = {
    ...real.outbox,
    markDelivered: (ids: readonly number[], at: number, ref?: string) =>
      state.full ? Promise.reject(full()) : real.outbox.markDelivered(ids, at, ref),
  };
  return { real, state, storage: { ...real, alertLedger, outbox } };
}

function pipeline(
  s: ReturnType<typeof fillableStorage>,
  channels: DeliveryChannel[],
  clock = new ManualClock("2026-11-23T10:00:00Z"),
  onIncident?: (i: Incident) => void,
): AlertPipeline {
  return createAlertPipeline({
    ...(onIncident ? { onIncident } : {}),
    engine: {
      roomId: "lab",
      thresholds: { temperatureC: T, humidityPct: H },
      hysteresis: { temperatureC: 1, humidityPct: 3 },
      minDurationMs: 0,
      remindEveryMs: 0,
      sensorDeadAfter: 3,
      sensorStuckMs: 0,
    },
    repos: s.storage,
    channels,
    clock,
    logger: silentLogger,
    lateAfterMs: 60_000,
    backoff: { minMs: 10, maxMs: 50 },
    storageRetryMs: 20,
  });
}

const reading = (t: number, at: number): Reading => ({ roomId: "lab", at, temperatureC: t, humidityPct: 45 });

describe("alert pipeline", () => {
  test("onIncident hears every change once it is written (raised, acknowledged, resolved); a listener that throws breaks nothing", async () => {
    const s = fillableStorage();
    const { channel, got } = recorder();
    const heard: string[] = [];
    /** What storage held when the listener was called. */
    const seen: Array<Promise<Incident | undefined>> = [];
    const clock = new ManualClock("2026-11-23T10:00:00Z");
    const p = pipeline(s, [channel], clock, (i) => {
      heard.push(`${i.state}${i.ackedBy ? ` acked by ${i.ackedBy.name}` : ""}`);
      seen.push(s.real.incidents.get(i.id));
      throw new Error("a listener's bug");
    });
    await p.start();
    await p.engine.onReading(reading(31, clock.now().getTime()));
    await p.engine.idle();
    const [open] = p.engine.openIncidents();
    assert.ok(open);
    await p.engine.acknowledge(open.id, { id: 1, name: "Ada" });
    await p.engine.onReading(reading(22, clock.now().getTime() + 60_000));
    await p.engine.idle();
    await until(() => heard.length === 3);
    assert.deepEqual(heard, ["open", "open acked by Ada", "resolved acked by Ada"]);
    const stored = await Promise.all(seen);
    assert.deepEqual(
      stored.map((x) => `${x?.state}${x?.ackedBy ? ` acked by ${x.ackedBy.name}` : ""}`),
      heard,
      "each change is stored before the listener hears of it",
    );
    await until(() => got.length >= 2);
    await p.stop();
  });

  test("an incident and its alert are written together: no incident without its outbox row", async () => {
    const s = fillableStorage();
    const { channel } = recorder();
    const p = pipeline(s, [channel]);
    await p.start();
    await p.stop(); // nothing delivered: look at what was written
    await p.engine.onReading(reading(31, Date.parse("2026-11-23T10:00:00Z")));
    await p.engine.idle();
    const [incident] = await s.real.incidents.listOpen("lab");
    const [entry] = await s.real.outbox.pending("test", 10);
    assert.equal(entry?.notice.incidentId, incident?.id);
    assert.equal(entry?.notice.kind, "raised");
  });

  test("disk full: the alert still goes out, from memory; storage failing is itself an alert; all is stored once it can be", async () => {
    const s = fillableStorage();
    const { channel, got } = recorder();
    const clock = new ManualClock("2026-11-23T10:00:00Z");
    const p = pipeline(s, [channel], clock);
    await p.start();
    s.state.full = true;
    await p.engine.onReading(reading(31, clock.now().getTime()));
    await p.engine.raiseEvent("door.breach", "critical", { uid: "DEADBEEF", name: "M", time: "02:00" }, 1);
    await until(() => got.length >= 3);
    assert.deepEqual(got.map((n) => `${n.kind}:${n.rule}`).sort(), [
      "raised:climate.temperature",
      "raised:door.breach",
      "raised:storage.write",
    ]);
    assert.equal(got.find((n) => n.rule === "storage.write")?.severity, "critical");
    assert.deepEqual(await s.real.incidents.listOpen("lab"), [], "nothing could be written");
    assert.ok(p.heldWrites() > 0);

    // Space again: what was held is stored in order, storage.write resolves (and says so).
    s.state.full = false;
    await until(() => got.some((n) => n.kind === "recovered" && n.rule === "storage.write"));
    await until(() => p.heldWrites() === 0);
    const open = (await s.real.incidents.listOpen("lab")).map((i) => i.rule);
    assert.deepEqual(open, ["climate.temperature"]);
    const storageIncident = (await s.real.incidents.openedBetween("lab", 0, Number.MAX_SAFE_INTEGER)).find(
      (i) => i.rule === "storage.write",
    );
    assert.equal(storageIncident?.state, "resolved");
    await until(async () => (await s.real.outbox.countPending("test")) === 0);
    await p.stop();
    // Delivered from memory: not written again as pending.
    assert.equal(got.filter((n) => n.kind === "raised" && n.rule === "climate.temperature").length, 1, "no duplicate");
  });

  test("reads work, writes do not: a delivered entry is not sent again while its delivery cannot be recorded", async () => {
    const s = fillableStorage();
    const { channel, got } = recorder();
    const p = pipeline(s, [channel]);
    // Queued while storage was fine, delivered while it is full.
    await s.real.outbox.enqueue({ kind: "started", roomId: "lab", severity: "info", at: 0, details: {} }, ["test"], 0);
    s.state.full = true;
    await p.start();
    await until(() => got.length >= 1);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(got.filter((n) => n.kind === "started").length, 1, "sent once, not again and again");
    s.state.full = false;
    await p.notify({ kind: "summary", roomId: "lab", severity: "info", at: 1, details: {} });
    await until(async () => (await s.real.outbox.countPending("test")) === 0);
    await p.stop();
    assert.equal(got.filter((n) => n.kind === "started").length, 1);
  });

  test("a change the database refuses for what it is (a constraint) is not held forever: its alert goes, later ones too", async () => {
    const s = fillableStorage();
    const { channel, got } = recorder();
    const clock = new ManualClock("2026-11-23T10:00:00Z");
    const p = pipeline(s, [channel], clock);
    await p.start();
    // Out of step with the engine: an open temperature incident the engine does not know about.
    await s.real.incidents.insert({
      id: "stray",
      roomId: "lab",
      rule: "climate.temperature",
      severity: "warning",
      state: "open",
      openedAt: 0,
      details: {},
      lastNotifiedAt: 0,
    });
    await p.engine.onReading(reading(31, clock.now().getTime())); // its insert violates "one open per rule"
    await p.engine.raiseEvent("door.breach", "critical", { uid: "DEADBEEF", name: "M", time: "02:00" }, 1);
    await until(() => got.length >= 2);
    await p.stop();
    assert.deepEqual(
      got.map((n) => `${n.kind}:${n.rule}`),
      ["raised:climate.temperature", "raised:door.breach"],
    );
    assert.equal(p.heldWrites(), 0, "nothing held");
    assert.equal(
      got.some((n) => n.rule === "storage.write"),
      false,
      "not mistaken for a storage failure",
    );
    assert.equal((await s.real.incidents.openedBetween("lab", 0, 10)).length, 2, "the stray one and the breach");
  });

  test("a dead letter is reported to the other channels, with what it said and why", async () => {
    const s = fillableStorage();
    const admins = recorder("admins");
    const group: DeliveryChannel = {
      name: "telegram",
      deliver: async () => ({ ok: false, retryable: false, error: "403 Forbidden: bot was kicked" }),
      describe: (e) => `summary of ${e.notice.rule}`,
    };
    const p = createAlertPipeline({
      engine: {
        roomId: "lab",
        thresholds: { temperatureC: T, humidityPct: H },
        hysteresis: { temperatureC: 1, humidityPct: 3 },
        minDurationMs: 0,
        remindEveryMs: 0,
        sensorDeadAfter: 3,
        sensorStuckMs: 0,
      },
      repos: s.storage,
      channels: [group, admins.channel],
      clock: new ManualClock("2026-11-23T10:00:00Z"),
      logger: silentLogger,
      lateAfterMs: 60_000,
      routes: (n, c) => (n.kind === "undeliverable" ? c !== n.details.channel : c === "telegram"),
    });
    await p.start();
    await p.engine.onReading(reading(28, Date.parse("2026-11-23T10:00:00Z")));
    await until(() => admins.got.length === 1);
    await p.stop();
    const report = admins.got[0];
    assert.equal(report?.kind, "undeliverable");
    assert.equal(report?.details.channel, "telegram");
    assert.equal(report?.details.what, "summary of climate.temperature");
    assert.match(String(report?.details.error), /403 Forbidden/);
    assert.equal(report?.severity, "warning");
    assert.equal((await s.real.outbox.dead(0, 10))[0]?.notice.rule, "climate.temperature");
  });
});
