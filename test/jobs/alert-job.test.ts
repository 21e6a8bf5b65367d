/**
 * The alert job: every minute the engine's tick (reminders), the ledger's repair (incident
 * changes still journalled) and the pruning of delivered and dead outbox entries older than
 * 30 days (a real SQLite outbox); a failing step is logged and the next minute runs again.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Notice } from "../../core/alerts/types.ts";
import { type Logger, silentLogger } from "../../core/logger.ts";
import { createAlertJob } from "../../jobs/alert-job.ts";
import { createSqliteStorage } from "../../storage/sqlite/index.ts";
import { ManualClock, ManualScheduler } from "../support/fakes.ts";
import { captureLogs } from "../support/log-capture.ts";

const DAY = 86_400_000;
const NOW = Date.parse("2026-11-23T10:00:00Z");

const notice = (at: number): Notice => ({
  kind: "raised",
  roomId: "lab",
  severity: "warning",
  at,
  rule: "climate.temperature",
  incidentId: `inc-${at}`,
  details: {},
});

type Outbox = Parameters<typeof createAlertJob>[0]["outbox"];

function setup(
  opts: { logger?: Logger; tick?: () => Promise<void>; repair?: boolean; outbox?: (real: Outbox) => Outbox } = {},
) {
  const clock = new ManualClock(NOW);
  const scheduler = new ManualScheduler();
  const storage = createSqliteStorage({ file: ":memory:" });
  const calls: string[] = [];
  const job = createAlertJob({
    engine: {
      async tick() {
        calls.push("tick");
        await opts.tick?.();
      },
    },
    outbox: opts.outbox ? opts.outbox(storage.outbox) : storage.outbox,
    ...(opts.repair === false
      ? {}
      : {
          ledger: {
            async repair() {
              calls.push("repair");
              return { applied: 0, pending: 0 };
            },
          },
        }),
    scheduler,
    clock,
    logger: opts.logger ?? silentLogger,
    roomId: "lab",
    timeZone: "UTC",
  });
  return { clock, scheduler, storage, calls, job };
}

describe("alert job", () => {
  test("start schedules one run a minute (starting twice schedules once); stop removes it; start again brings it back", async () => {
    const { scheduler, job } = setup();
    await job.start();
    await job.start();
    assert.deepEqual(
      scheduler.active().map((e) => [e.name, e.expression]),
      [["alerts:lab", "0 * * * * *"]],
    );
    await job.stop();
    assert.deepEqual(scheduler.active(), []);
    await job.stop(); // twice is fine
    await job.start();
    assert.equal(scheduler.active().length, 1);
    await job.stop();
  });

  test("each tick runs the engine's reminders and the ledger's repair", async () => {
    const { scheduler, calls, job } = setup();
    await job.start();
    await scheduler.tick("alerts:lab");
    await scheduler.tick("alerts:lab");
    assert.deepEqual(calls, ["tick", "repair", "tick", "repair"]);
    await job.stop();
  });

  test("prunes delivered and dead outbox entries older than 30 days; newer and pending ones stay", async () => {
    const { scheduler, storage, job } = setup();
    const outbox = storage.outbox;
    const [oldDelivered] = await outbox.enqueue(notice(NOW - 40 * DAY), ["telegram"], NOW - 40 * DAY);
    const [oldDead] = await outbox.enqueue(notice(NOW - 40 * DAY + 1), ["telegram"], NOW - 40 * DAY);
    const [recentDead] = await outbox.enqueue(notice(NOW - 29 * DAY), ["telegram"], NOW - 29 * DAY);
    const [pending] = await outbox.enqueue(notice(NOW - 35 * DAY), ["sns"], NOW - 35 * DAY);
    assert.ok(oldDelivered && oldDead && recentDead && pending);
    await outbox.markDelivered([oldDelivered], NOW - 31 * DAY);
    await outbox.markDead(oldDead, "chat not found", NOW - 31 * DAY);
    await outbox.markDead(recentDead, "chat not found", NOW - 29 * DAY);

    await job.start();
    await scheduler.tick("alerts:lab");

    assert.deepEqual(
      (await outbox.dead(0, 10)).map((e) => e.id),
      [recentDead],
      "the dead letter older than 30 days is gone",
    );
    assert.deepEqual(
      (await outbox.pending("sns", 10)).map((e) => e.id),
      [pending],
      "an undelivered entry is never pruned, however old",
    );
    assert.equal(await outbox.prune(NOW - 30 * DAY), 0, "nothing older than 30 days left to prune");
    await job.stop();
  });

  test("the 30 days follow the injected clock", async () => {
    const { clock, scheduler, storage, job } = setup();
    const [id] = await storage.outbox.enqueue(notice(NOW), ["telegram"], NOW);
    assert.ok(id);
    await storage.outbox.markDead(id, "refused", NOW);
    await job.start();
    clock.advance(30 * DAY);
    await scheduler.tick("alerts:lab");
    assert.equal((await storage.outbox.dead(0, 10)).length, 1, "exactly 30 days: kept");
    clock.advance(1);
    await scheduler.tick("alerts:lab");
    assert.equal((await storage.outbox.dead(0, 10)).length, 0);
    await job.stop();
  });

  test("works without a ledger (a backend with no journal)", async () => {
    const { scheduler, calls, job } = setup({ repair: false });
    await job.start();
    await scheduler.tick("alerts:lab");
    assert.deepEqual(calls, ["tick"]);
    await job.stop();
  });

  test("a failing run is logged, never thrown, and the next minute runs again", async () => {
    const logs = captureLogs();
    let failures = 1;
    const { scheduler, storage, calls, job } = setup({
      logger: logs.logger,
      tick: async () => {
        if (failures-- > 0) throw new Error("engine busy");
      },
    });
    const [id] = await storage.outbox.enqueue(notice(NOW - 40 * DAY), ["telegram"], NOW - 40 * DAY);
    assert.ok(id);
    await storage.outbox.markDead(id, "refused", NOW - 40 * DAY);
    await job.start();
    await scheduler.tick("alerts:lab"); // resolves despite the failure
    assert.deepEqual(logs.messages("error"), ["alert job failed"]);

    await scheduler.tick("alerts:lab");
    assert.equal(calls.filter((c) => c === "tick").length, 2);
    assert.equal((await storage.outbox.dead(0, 10)).length, 0, "the next run pruned");
    assert.deepEqual(logs.messages("error"), ["alert job failed"], "one failure, one error");
    await job.stop();
  });

  test("a failing prune (storage) is logged and the next minute runs again", async () => {
    const logs = captureLogs();
    let fail = true;
    const { scheduler, storage, job } = setup({
      logger: logs.logger,
      outbox: (real) => ({
        prune: async (before) => {
          if (fail) throw new Error("SQLITE_BUSY");
          return real.prune(before);
        },
      }),
    });
    const [id] = await storage.outbox.enqueue(notice(NOW - 40 * DAY), ["telegram"], NOW - 40 * DAY);
    assert.ok(id);
    await storage.outbox.markDead(id, "refused", NOW - 40 * DAY);
    await job.start();
    await scheduler.tick("alerts:lab");
    assert.deepEqual(logs.messages("error"), ["alert job failed"]);
    assert.equal((await storage.outbox.dead(0, 10)).length, 1);
    fail = false;
    await scheduler.tick("alerts:lab");
    assert.equal((await storage.outbox.dead(0, 10)).length, 0);
    assert.deepEqual(logs.messages("info"), ["pruned delivered outbox entries"]);
    await job.stop();
  });
});
