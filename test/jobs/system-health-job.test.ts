/**
 * The system-health job through fake readers (core/system/health.ts) and a fake alert engine:
 * clock.unsynced and clockSynced(), power.undervoltage and power.throttled from the firmware's
 * bits, the sticky "under-voltage has occurred" bit as one event, unknown answers setting
 * nothing, failures logged and never thrown.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Incident, Severity } from "../../core/alerts/types.ts";
import { type Logger, silentLogger } from "../../core/logger.ts";
import { type Answer, decodeThrottled, type Throttled } from "../../core/system/health.ts";
import { createSystemHealthJob } from "../../jobs/system-health-job.ts";
import { ManualClock, ManualScheduler } from "../support/fakes.ts";
import { captureLogs } from "../support/log-capture.ts";

const NOW = Date.parse("2026-11-23T10:00:00Z");

function setup(opts: { logger?: Logger } = {}) {
  const clock = new ManualClock(NOW);
  const scheduler = new ManualScheduler();
  const state: { clock: Answer<boolean> | Error; power: Answer<Throttled> } = {
    clock: { ok: true, value: true },
    power: { ok: false, reason: "not a Raspberry Pi" },
  };
  /** What the engine was told, as "rule severity" ("rule ok" for a resolved condition). */
  const calls: string[] = [];
  const details: Array<Incident["details"]> = [];
  const job = createSystemHealthJob({
    engine: {
      async setCondition(rule, problem: { severity: Severity; details: Incident["details"] } | undefined) {
        calls.push(`${rule} ${problem?.severity ?? "ok"}`);
        if (problem) details.push(problem.details);
      },
      async raiseEvent(rule, severity, d, at) {
        calls.push(`${rule} ${severity} (event)`);
        details.push(d);
        return {
          id: "e1",
          roomId: "lab",
          rule,
          severity,
          state: "resolved",
          openedAt: at,
          details: d,
          lastNotifiedAt: at,
        };
      },
    },
    readers: {
      async clockSynchronised() {
        if (state.clock instanceof Error) throw state.clock;
        return state.clock;
      },
      async throttled() {
        return state.power;
      },
    },
    scheduler,
    clock,
    logger: opts.logger ?? silentLogger,
    timeZone: "Europe/Berlin",
  });
  const power = (bits: number) => {
    state.power = { ok: true, value: decodeThrottled(bits) };
  };
  return { clock, scheduler, state, calls, details, job, power };
}

describe("system health job", () => {
  test("start looks at once and every minute (starting twice schedules once); a synchronised clock on a machine that is no Pi", async () => {
    const { scheduler, calls, job } = setup();
    assert.equal(job.clockSynced(), undefined, "unknown before the first look");
    await job.start();
    await job.start();
    assert.deepEqual(
      scheduler.active().map((e) => [e.name, e.expression]),
      [["system-health", "45 * * * * *"]],
    );
    assert.equal(job.clockSynced(), true);
    assert.deepEqual(calls, ["clock.unsynced ok"], "no power data: no power condition either way");
    await scheduler.tick("system-health");
    assert.deepEqual(calls, ["clock.unsynced ok", "clock.unsynced ok"]);
    await job.stop();
    assert.deepEqual(scheduler.active(), []);
  });

  test("an unsynchronised clock is a warning and clockSynced() says so; synchronised again, resolved", async () => {
    const { state, calls, job } = setup();
    state.clock = { ok: true, value: false };
    await job.runNow();
    assert.equal(job.clockSynced(), false);
    state.clock = { ok: true, value: true };
    await job.runNow();
    assert.equal(job.clockSynced(), true);
    assert.deepEqual(calls, ["clock.unsynced warning", "clock.unsynced ok"]);
  });

  test("a clock that cannot be read sets nothing and leaves clockSynced() as it was", async () => {
    const { state, calls, job } = setup();
    state.clock = { ok: false, reason: "no timedatectl" };
    await job.runNow();
    assert.equal(job.clockSynced(), undefined);
    assert.deepEqual(calls, []);
  });

  test("the firmware's bits: under-voltage now is critical; capped, throttled or soft-temp now a warning; all clear resolves both", async () => {
    const { calls, details, job, power } = setup();
    power(0x1); // under-voltage now
    await job.runNow();
    power(0x2 | 0x4 | 0x8); // capped, throttled, soft temperature limit now
    await job.runNow();
    power(0x0);
    await job.runNow();
    assert.deepEqual(calls, [
      "clock.unsynced ok",
      "power.undervoltage critical",
      "power.throttled ok",
      "clock.unsynced ok",
      "power.undervoltage ok",
      "power.throttled warning",
      "clock.unsynced ok",
      "power.undervoltage ok",
      "power.throttled ok",
    ]);
    assert.deepEqual(details, [{ bits: "0x1" }, { what: "capped, throttled, soft-temp", bits: "0xe" }]);
  });

  test("under-voltage that has occurred (too short to be seen now) is one event, not one a minute", async () => {
    const { clock, calls, details, job, power } = setup();
    power(0x10000); // has occurred, not now
    await job.runNow();
    clock.advance(60_000);
    await job.runNow();
    const events = calls.filter((c) => c.endsWith("(event)"));
    assert.deepEqual(events, ["power.undervoltage-seen warning (event)"]);
    assert.deepEqual(details.at(-1), { time: "11:00", bits: "0x10000" }, "the time in the room's zone");
  });

  test("under-voltage seen now is the critical condition, not also an event; its sticky bit raises nothing later", async () => {
    const { calls, job, power } = setup();
    power(0x10001); // now, and so also "has occurred"
    await job.runNow();
    power(0x10000); // over, the sticky bit stays
    await job.runNow();
    assert.deepEqual(
      calls.filter((c) => c.endsWith("(event)")),
      [],
    );
    assert.ok(calls.includes("power.undervoltage critical"));
  });

  test("a reader that throws is logged, never thrown; the next minute looks again", async () => {
    const logs = captureLogs();
    const { scheduler, state, calls, job } = setup({ logger: logs.logger });
    state.clock = new Error("timedatectl: Failed to connect to bus");
    await job.start();
    assert.deepEqual(logs.messages("error"), ["system health check failed"]);
    assert.deepEqual(calls, []);
    state.clock = { ok: true, value: true };
    await scheduler.tick("system-health");
    assert.deepEqual(calls, ["clock.unsynced ok"]);
    await job.stop();
  });
});
