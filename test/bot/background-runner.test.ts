/**
 * The background runner (bot/background-runner.ts) on its own: bounds per chat and overall, the
 * order queued work starts in, a full queue refused, failures logged and never unhandled,
 * and shutdown: work that finishes within the grace, work aborted after it (its waits
 * reject at once), work that ignores the abort, queued work dropped, new work refused.
 * Tasks are held by the test (no timing assertions).
 */
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { after, before, describe, test } from "node:test";
import { BackgroundAborted, type BackgroundWork, createBackgroundRunner } from "../../bot/background-runner.ts";
import { createLogger, silentLogger } from "../../core/logger.ts";

/** A task the test finishes: `done()` resolves it, `fail(err)` rejects it. */
function heldTask(log: string[], name: string) {
  let done: () => void = () => undefined;
  let fail: (err: unknown) => void = () => undefined;
  const finished = new Promise<void>((resolve, reject) => {
    done = resolve;
    fail = reject;
  });
  return {
    task: async (work: BackgroundWork) => {
      log.push(`start ${name}`);
      await work.wait(finished);
      log.push(`end ${name}`);
    },
    done: () => done(),
    fail: (err: unknown) => fail(err),
  };
}

const turn = () => new Promise((r) => setImmediate(r));

function recordingLogger() {
  const lines: Array<{ level: number; msg: string; work?: string }> = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { logger: createLogger("info", sink), lines };
}

describe("background runner", () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (err: unknown) => unhandled.push(err);
  before(() => process.on("unhandledRejection", onUnhandled));
  after(() => {
    process.off("unhandledRejection", onUnhandled);
    assert.deepEqual(unhandled, [], "no unhandled rejection in any test");
  });

  test("at most perChat run per chat and total overall; the rest wait, oldest first; a full queue is refused", async () => {
    const log: string[] = [];
    const runner = createBackgroundRunner({ logger: silentLogger, perChat: 1, total: 2, queuePerChat: 1 });
    const a1 = heldTask(log, "a1");
    const a2 = heldTask(log, "a2");
    const b1 = heldTask(log, "b1");
    const c1 = heldTask(log, "c1");
    assert.equal(runner.submit(1, "a1", a1.task), "started");
    assert.equal(runner.submit(1, "a2", a2.task), "queued", "chat 1 runs one at a time");
    assert.equal(runner.submit(1, "a3", heldTask(log, "a3").task), "busy", "chat 1's queue is full");
    assert.equal(runner.submit(2, "b1", b1.task), "started", "another chat is not held up");
    assert.equal(runner.submit(3, "c1", c1.task), "queued", "two run in all");
    assert.deepEqual([runner.running, runner.waiting], [2, 2]);

    a1.done();
    await turn();
    await turn();
    // a1's slot goes to a2 (older than c1, and its chat is free now); c1 still waits.
    assert.deepEqual(log, ["start a1", "start b1", "end a1", "start a2"]);
    b1.done();
    await turn();
    await turn();
    assert.deepEqual(log.slice(4), ["end b1", "start c1"]);
    a2.done();
    c1.done();
    await runner.idle();
    assert.deepEqual([runner.running, runner.waiting], [0, 0]);
    assert.ok(!log.includes("start a3"), "the refused task never ran");
  });

  test("a failing task is logged with its logger and never becomes an unhandled rejection", async () => {
    const { logger, lines } = recordingLogger();
    const runner = createBackgroundRunner({ logger });
    const t = heldTask([], "x");
    runner.submit(1, "export", t.task, logger.child({ update: 42 }));
    t.fail(new Error("disk I/O error"));
    await runner.idle();
    const failed = lines.find((l) => l.msg === "background work failed");
    assert.ok(failed, "logged");
    assert.equal(failed.level, 50);
    assert.equal((failed as { update?: number }).update, 42, "with the update's child logger");
    assert.equal(failed.work, "export");
    // The runner takes more work afterwards.
    assert.equal(
      runner.submit(1, "next", async () => undefined),
      "started",
    );
    await runner.idle();
  });

  test("stop() waits for work that finishes within the grace period", async () => {
    const log: string[] = [];
    const runner = createBackgroundRunner({ logger: silentLogger, graceMs: 60_000 });
    const t = heldTask(log, "clip");
    runner.submit(1, "clip", t.task);
    const stopping = runner.stop();
    assert.equal(
      runner.submit(1, "late", async () => undefined),
      "stopping",
      "no new work once stopping",
    );
    t.done();
    assert.deepEqual(await stopping, { finished: 1, aborted: 0, abandoned: 0, dropped: 0 });
    assert.deepEqual(log, ["start clip", "end clip"]);
  });

  test("stop() aborts work still running after the grace: its wait rejects at once; queued work is dropped", async () => {
    const { logger, lines } = recordingLogger();
    const runner = createBackgroundRunner({ logger, perChat: 1, graceMs: 1, abortMs: 60_000 });
    const seen: unknown[] = [];
    let cleanedUp = false;
    runner.submit(1, "clip", async (work) => {
      try {
        await work.wait(new Promise<never>(() => undefined)); // a capture that never ends
      } catch (err) {
        seen.push(err);
        assert.equal(work.signal.aborted, true);
        cleanedUp = true; // e.g. "stopped: the console is restarting"
        throw err;
      }
    });
    let queuedRan = false;
    assert.equal(
      runner.submit(1, "snapshot", async () => {
        queuedRan = true;
      }),
      "queued",
    );
    assert.deepEqual(await runner.stop(), { finished: 0, aborted: 1, abandoned: 0, dropped: 1 });
    assert.equal(seen.length, 1);
    assert.ok(seen[0] instanceof BackgroundAborted);
    assert.ok(cleanedUp);
    assert.equal(queuedRan, false);
    assert.equal(runner.running, 0);
    assert.ok(lines.some((l) => /stopped: the console is stopping/.test(l.msg)));
    assert.ok(!lines.some((l) => l.level >= 50), "an abort is not an error");
    assert.deepEqual(await runner.stop(), { finished: 0, aborted: 1, abandoned: 0, dropped: 1 }, "twice is fine");
  });

  test("work that ignores the abort is left behind after abortMs, and said so", async () => {
    const { logger, lines } = recordingLogger();
    const runner = createBackgroundRunner({ logger, graceMs: 1, abortMs: 1 });
    let finish: () => void = () => undefined;
    runner.submit(1, "stubborn", () => new Promise<void>((r) => (finish = r)));
    assert.deepEqual(await runner.stop(), { finished: 0, aborted: 0, abandoned: 1, dropped: 0 });
    assert.ok(lines.some((l) => l.level === 50 && l.msg === "background work did not stop"));
    finish();
    await runner.idle();
  });

  test("wait() after the abort rejects at once and swallows what the operation does later", async () => {
    const runner = createBackgroundRunner({ logger: silentLogger, graceMs: 1, abortMs: 60_000 });
    let late: (err: unknown) => void = () => undefined;
    const operation = new Promise<never>((_, reject) => {
      late = reject;
    });
    const outcomes: string[] = [];
    runner.submit(1, "check", async (work) => {
      await new Promise<void>((r) => work.signal.addEventListener("abort", () => r()));
      await work.wait(operation).catch((err) => outcomes.push(err instanceof BackgroundAborted ? "aborted" : "other"));
    });
    await runner.stop();
    late(new Error("the operation failed after shutdown"));
    await turn();
    assert.deepEqual(outcomes, ["aborted"]);
  });
});
