/**
 * A console's watch over its own link to the broker: the hub's `hub.broker` incident (raised
 * once the link has been down for the bound, resolved when it is back, both languages), and
 * a room agent's single log line.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createBrokerAlarm, HUB_BROKER_RULE } from "../../../app/broker-alarm.ts";
import { createI18n } from "../../../bot/i18n.ts";
import { renderNotice, ruleName } from "../../../core/alerts/render.ts";
import type { Notice } from "../../../core/alerts/types.ts";
import { silentLogger } from "../../../core/logger.ts";
import { type BrokerLinkState, createBrokerWatch } from "../../../core/rooms/broker-watch.ts";
import { createSqliteStorage } from "../../../storage/sqlite/index.ts";
import { ManualClock } from "../../support/fakes.ts";
import { captureLogs } from "../../support/log-capture.ts";
import { recordingEngine } from "../../support/recording-engine.ts";

const BROKER = "mqtts://broker.lan:8883";

function setup(downAfterMs = 120_000) {
  let now = 1_000_000;
  const changes: Array<{ down: boolean; details?: Record<string, string | number>; at: number }> = [];
  const watch = createBrokerWatch({
    broker: BROKER,
    downAfterMs,
    clock: { now: () => new Date(now) },
    async setDown(problem, at) {
      assert.equal(problem?.severity ?? "critical", "critical");
      changes.push({ down: problem !== undefined, ...(problem ? { details: problem.details } : {}), at });
    },
  });
  return { watch, changes, now: () => now, advance: (ms: number) => (now += ms) };
}

describe("broker watch", () => {
  test("down for the bound: raised once, with the broker, since when and the last error; back: resolved once", async () => {
    const { watch, changes, advance, now } = setup();
    await watch.check({ connected: true });
    const lost: BrokerLinkState = {
      connected: false,
      downSince: now(),
      lastError: "connect ECONNREFUSED 10.0.0.5:8883",
    };
    advance(119_000);
    await watch.check(lost);
    assert.equal(changes.length, 0, "within the bound");
    advance(1_000);
    await watch.check(lost);
    advance(30_000);
    await watch.check(lost);
    assert.deepEqual(changes, [
      {
        down: true,
        details: { broker: BROKER, since: 1_000_000, seconds: 120, error: "connect ECONNREFUSED 10.0.0.5:8883" },
        at: 1_120_000,
      },
    ]);
    assert.ok(watch.down());
    await watch.check({ connected: true });
    await watch.check({ connected: true });
    assert.deepEqual(changes.slice(1), [{ down: false, at: 1_150_000 }]);
    assert.ok(!watch.down());
  });

  test("short outages (a broker restart) raise nothing; never connected since the start counts as down", async () => {
    const { watch, changes, advance, now } = setup(10_000);
    const since = now();
    advance(5_000);
    await watch.check({ connected: false, downSince: since });
    await watch.check({ connected: true });
    advance(5_000);
    await watch.check({ connected: false, downSince: now() });
    assert.equal(changes.length, 0);
    // No error known (a broker that never answered): the incident says none.
    advance(10_000);
    await watch.check({ connected: false, downSince: now() - 10_000 });
    assert.equal(changes[0]?.details?.error, "");
    // No downSince at all (the link is being stopped): nothing.
    const other = setup(10_000);
    other.advance(60_000);
    await other.watch.check({ connected: false });
    assert.equal(other.changes.length, 0);
  });

  test("remember(): raised before a restart, resolved once connected", async () => {
    const { watch, changes } = setup();
    watch.remember(true);
    await watch.check({ connected: true });
    assert.deepEqual(
      changes.map((c) => c.down),
      [false],
    );
  });
});

describe("the hub's hub.broker incident", () => {
  test("the alarm raises it in the hub's engine (critical) and resolves it with a recovery", async () => {
    const clock = new ManualClock("2026-12-06T10:00:00Z");
    const db = createSqliteStorage({ file: ":memory:" });
    const { engine, notices } = recordingEngine({ roomId: "hq", clock, storage: db, sensorStuckMs: 3_600_000 });
    await engine.start?.();
    let link: BrokerLinkState = { connected: true };
    const alarm = createBrokerAlarm({
      role: "hub",
      broker: BROKER,
      downAfterMs: 8_000,
      clock,
      logger: silentLogger,
      link: () => link,
      everyMs: 5,
    });
    alarm.start(engine);
    const settle = () => new Promise((r) => setTimeout(r, 30));
    link = { connected: false, downSince: clock.now().getTime(), lastError: "connect ECONNREFUSED 127.0.0.1:8883" };
    clock.advance(7_000);
    await settle();
    assert.equal(notices.length, 0);
    clock.advance(2_000);
    await settle();
    await engine.idle();
    assert.deepEqual(
      notices.map((n) => `${n.kind} ${n.rule} ${n.severity} ${n.roomId}`),
      ["raised hub.broker critical hq"],
    );
    assert.deepEqual(
      engine.openIncidents().map((i) => i.rule),
      [HUB_BROKER_RULE],
    );
    clock.advance(51_000);
    link = { connected: true };
    await settle();
    await engine.idle();
    await alarm.stop();
    assert.deepEqual(
      notices.map((n) => `${n.kind} ${n.rule}`),
      ["raised hub.broker", "recovered hub.broker"],
    );
    assert.equal(engine.openIncidents().length, 0);

    // The alert and its recovery, in both languages.
    const raised = notices[0] as Notice;
    const recovered = notices[1] as Notice;
    const i18n = createI18n("en");
    const ctx = (locale: string) => ({
      t: (k: string, v?: Record<string, string | number>) => i18n.t(locale, k, v),
      timeZone: "UTC",
      now: clock.now().getTime(),
    });
    const en = renderNotice(ctx("en"), raised);
    assert.match(en, /CRITICAL<\/b> · hq/i);
    assert.match(en, /The hub has not reached the site's broker <b>mqtts:\/\/broker\.lan:8883<\/b> for 9 seconds/);
    assert.match(en, /Last error: connect ECONNREFUSED 127\.0\.0\.1:8883/);
    assert.match(
      renderNotice(ctx("en"), recovered),
      /The hub reaches the broker <b>mqtts:\/\/broker\.lan:8883<\/b> again \(after 1 min\)/,
    );
    const ja = renderNotice(ctx("ja"), raised);
    assert.match(ja, /ハブがサイトのブローカー <b>mqtts:\/\/broker\.lan:8883<\/b> に 9 秒間接続できていません/);
    assert.match(ja, /最後のエラー: connect ECONNREFUSED/);
    assert.match(
      renderNotice(ctx("ja"), recovered),
      /ハブがブローカー <b>mqtts:\/\/broker\.lan:8883<\/b> に再接続しました/,
    );
    assert.equal(ruleName(ctx("en").t, "hub.broker"), "the hub's link to the broker");
    assert.equal(ruleName(ctx("ja").t, "hub.broker"), "ハブのブローカー接続");
    for (const text of [en, ja]) assert.doesNotMatch(text, /\{|\}|undefined/);
  });

  test("a room agent's alarm: one error per outage, a line when it is back, no incident", async () => {
    const clock = new ManualClock("2026-12-06T10:00:00Z");
    const logs = captureLogs("info");
    let link: BrokerLinkState = {
      connected: false,
      downSince: clock.now().getTime(),
      lastError: "connect ECONNREFUSED",
    };
    const alarm = createBrokerAlarm({
      role: "room",
      broker: BROKER,
      downAfterMs: 8_000,
      clock,
      logger: logs.logger,
      link: () => link,
      everyMs: 5,
    });
    alarm.start();
    const settle = () => new Promise((r) => setTimeout(r, 30));
    clock.advance(10_000);
    await settle();
    await settle();
    link = { connected: true };
    await settle();
    await alarm.stop();
    assert.deepEqual(logs.messages("error"), [
      "this room has not reached the broker mqtts://broker.lan:8883 for 10 s (more than 8 s): its alerts wait in its outbox until it is back",
    ]);
    assert.ok(logs.messages("info").includes("the broker mqtts://broker.lan:8883 is reachable again"));
  });
});
