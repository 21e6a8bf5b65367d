import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type ChannelResult,
  createOutboxDispatcher,
  type DeliveryChannel,
  type OutboxEntryLike,
} from "../../../core/alerts/dispatcher.ts";
import type { Notice } from "../../../core/alerts/types.ts";
import { silentLogger } from "../../../core/logger.ts";
import { createSqliteStorage } from "../../../storage/sqlite/index.ts";
import { ManualClock } from "../../support/fakes.ts";

const notice = (i: number, at = Date.parse("2026-11-23T10:00:00Z")): Notice => ({
  kind: "raised",
  roomId: "lab",
  severity: "warning",
  rule: "climate.temperature",
  at,
  details: { n: i },
});

/** A scripted channel: answers from `script` in turn (then ok), records what it got. */
function scripted(script: ChannelResult[] = [], extra: Partial<DeliveryChannel> = {}) {
  const got: Array<{ ids: number[]; late: number; at: number; digest: boolean }> = [];
  const channel: DeliveryChannel = {
    name: "test",
    async deliver(e: OutboxEntryLike, late: number) {
      got.push({ ids: [e.id], late, at: performance.now(), digest: false });
      return script.shift() ?? { ok: true, ref: `m${e.id}` };
    },
    ...extra,
  };
  return { channel, got };
}

async function until(probe: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

type Storage = ReturnType<typeof createSqliteStorage>;

/** A dispatcher over the real SQLite outbox, with defaults for what a test does not care about. */
function dispatcher(
  storage: Storage,
  channels: DeliveryChannel[],
  extra: Partial<Parameters<typeof createOutboxDispatcher>[0]> = {},
) {
  return createOutboxDispatcher({
    outbox: storage.outbox,
    channels,
    clock: new ManualClock(),
    logger: silentLogger,
    lateAfterMs: 60_000,
    ...extra,
  });
}

describe("outbox dispatcher", () => {
  test("delivers in order, once each, and marks them delivered with the channel's ref", async () => {
    const storage = createSqliteStorage({ file: ":memory:" });
    const { channel, got } = scripted();
    const clock = new ManualClock();
    const d = dispatcher(storage, [channel], { clock });
    for (let i = 1; i <= 4; i++) await storage.outbox.enqueue(notice(i), ["test"], clock.now().getTime());
    d.start();
    await until(() => got.length === 4);
    await d.stop();
    assert.deepEqual(
      got.map((g) => g.ids[0]),
      [1, 2, 3, 4],
    );
    assert.equal(await storage.outbox.countPending("test"), 0);
  });

  test("a failing head is retried and nothing overtakes it; retry-after is honoured", async () => {
    const storage = createSqliteStorage({ file: ":memory:" });
    const { channel, got } = scripted([
      { ok: false, retryable: true, error: "502 Bad Gateway" },
      { ok: false, retryable: true, error: "429 Too Many Requests", retryAfterMs: 150 },
    ]);
    const clock = new ManualClock();
    const d = dispatcher(storage, [channel], { clock, minBackoffMs: 10 });
    await storage.outbox.enqueue(notice(1), ["test"], 0);
    await storage.outbox.enqueue(notice(2), ["test"], 0);
    d.start();
    await until(() => got.length === 4);
    await d.stop();
    assert.deepEqual(
      got.map((g) => g.ids[0]),
      [1, 1, 1, 2],
    );
    assert.ok((got[2]?.at ?? 0) - (got[1]?.at ?? 0) >= 140, "waited for retry-after before the third try");
    const [entry] = await storage.outbox.pending("test", 10);
    assert.equal(entry, undefined);
  });

  test("late deliveries are flagged with how late they are", async () => {
    const storage = createSqliteStorage({ file: ":memory:" });
    const { channel, got } = scripted();
    const clock = new ManualClock("2026-11-23T10:05:00Z");
    const d = dispatcher(storage, [channel], { clock });
    await storage.outbox.enqueue(notice(1, Date.parse("2026-11-23T10:00:00Z")), ["test"], 0);
    await storage.outbox.enqueue(notice(2, Date.parse("2026-11-23T10:04:30Z")), ["test"], 0);
    d.start();
    await until(() => got.length === 2);
    await d.stop();
    assert.equal(got[0]?.late, 5 * 60_000);
    assert.equal(got[1]?.late, 0, "30 s is not late");
  });

  test("a backlog goes out as digests; a digest may carry fewer than offered", async () => {
    const storage = createSqliteStorage({ file: ":memory:" });
    const digests: number[][] = [];
    const { channel, got } = scripted([], {
      digestMax: 10,
      async deliverDigest(entries) {
        digests.push(entries.map((e) => e.id));
        return { ok: true, ref: "d", delivered: Math.min(entries.length, 8) };
      },
    });
    const d = dispatcher(storage, [channel], { digestThreshold: 5 });
    for (let i = 1; i <= 20; i++) await storage.outbox.enqueue(notice(i), ["test"], 0);
    d.start();
    await until(() => digests.length + got.length >= 3 && digests.flat().length + got.length >= 20);
    await d.stop();
    const delivered = [...digests.flatMap((ids) => ids.slice(0, 8)), ...got.map((g) => g.ids[0])];
    // Every entry exactly once, in order.
    assert.deepEqual(
      delivered,
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    assert.deepEqual(digests[0], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.equal(digests[1]?.[0], 9, "the two the first digest could not carry come first in the next");
  });

  test("pacing: never more than perWindow sends inside one window", async () => {
    const storage = createSqliteStorage({ file: ":memory:" });
    const { channel, got } = scripted([], { pacing: { perWindow: 3, windowMs: 200, minGapMs: 0 } });
    const d = dispatcher(storage, [channel], { digestThreshold: 1000 });
    for (let i = 1; i <= 7; i++) await storage.outbox.enqueue(notice(i), ["test"], 0);
    d.start();
    await until(() => got.length === 7);
    await d.stop();
    for (let i = 3; i < got.length; i++) {
      assert.ok((got[i]?.at ?? 0) - (got[i - 3]?.at ?? 0) >= 199, `send ${i + 1} respected the window`);
    }
  });

  test("after a restart, what was undelivered goes out and what was delivered does not", async () => {
    const storage = createSqliteStorage({ file: ":memory:" });
    for (let i = 1; i <= 3; i++) await storage.outbox.enqueue(notice(i), ["test"], 0);
    await storage.outbox.markDelivered([1], 5, "m1");
    const { channel, got } = scripted();
    const d = dispatcher(storage, [channel]);
    d.start();
    await until(() => got.length === 2);
    await d.stop();
    assert.deepEqual(
      got.map((g) => g.ids[0]),
      [2, 3],
    );
  });

  test("one channel failing does not hold up another", async () => {
    const storage = createSqliteStorage({ file: ":memory:" });
    const down: DeliveryChannel = {
      name: "sns",
      deliver: async () => ({ ok: false, retryable: true, error: "connect ECONNREFUSED" }),
    };
    const { channel, got } = scripted();
    const d = dispatcher(storage, [down, channel], { minBackoffMs: 10 });
    for (let i = 1; i <= 3; i++) await storage.outbox.enqueue(notice(i), ["sns", "test"], 0);
    d.start();
    await until(() => got.length === 3);
    await d.stop();
    assert.equal(await storage.outbox.countPending("sns"), 3, "kept for later, not dropped");
    const [head] = await storage.outbox.pending("sns", 1);
    assert.ok((head?.attempts ?? 0) >= 1);
    assert.match(head?.lastError ?? "", /ECONNREFUSED/);
  });

  test("a permanent refusal goes out once in the safe short form; the queue moves on", async () => {
    const storage = createSqliteStorage({ file: ":memory:" });
    const safe: number[] = [];
    const { channel, got } = scripted(
      [{ ok: false, retryable: false, error: "400 Bad Request: message is too long" }],
      {
        async deliverSafe(e) {
          safe.push(e.id);
          return { ok: true, ref: `s${e.id}` };
        },
      },
    );
    const d = dispatcher(storage, [channel]);
    await storage.outbox.enqueue(notice(1), ["test"], 0);
    await storage.outbox.enqueue(notice(2), ["test"], 0);
    d.start();
    await until(() => got.length === 2);
    await d.stop();
    assert.deepEqual(safe, [1]);
    assert.deepEqual(
      got.map((g) => g.ids[0]),
      [1, 2],
    );
    assert.equal(await storage.outbox.countPending("test"), 0);
    assert.deepEqual(await storage.outbox.dead(0, 10), [], "delivered in short form, not dead");
  });

  test("refused for good, safe form too: dead-lettered, reported, never offered again", async () => {
    const storage = createSqliteStorage({ file: ":memory:" });
    const reported: Array<{ channel: string; id: number; error: string }> = [];
    const forbidden: ChannelResult = { ok: false, retryable: false, error: "403 Forbidden: bot was kicked" };
    const { channel, got } = scripted([forbidden], {
      deliverSafe: async () => forbidden,
      describe: (e) => `notice ${e.id}`,
    });
    const clock = new ManualClock();
    const d = dispatcher(storage, [channel], {
      clock,
      onDeadLetter: async (c, e, error) => void reported.push({ channel: c.name, id: e.id, error }),
    });
    await storage.outbox.enqueue(notice(1), ["test"], 0);
    await storage.outbox.enqueue(notice(2), ["test"], 0);
    d.start();
    await until(() => got.length === 2);
    await d.stop();
    assert.deepEqual(
      got.map((g) => g.ids[0]),
      [1, 2],
      "the second was not held back",
    );
    assert.equal(reported.length, 1);
    assert.equal(reported[0]?.id, 1);
    assert.match(reported[0]?.error ?? "", /403 Forbidden: bot was kicked; safe form: 403/);
    const [dead] = await storage.outbox.dead(0, 10);
    assert.equal(dead?.id, 1);
    assert.equal(dead?.deadAt, clock.now().getTime());
    assert.equal(await storage.outbox.countPending("test"), 0);
  });

  test("an entry that keeps failing on its own: newer critical alerts overtake it, and in the end it is refused", async () => {
    const storage = createSqliteStorage({ file: ":memory:" });
    const got: number[] = [];
    const channel: DeliveryChannel = {
      name: "test",
      async deliver(e) {
        got.push(e.id);
        return e.id === 1 ? { ok: false, retryable: true, error: "photo upload timed out" } : { ok: true };
      },
      deliverSafe: async () => ({ ok: false, retryable: false, error: "still no" }),
    };
    const d = dispatcher(storage, [channel], { minBackoffMs: 5, maxBackoffMs: 20, holdAfter: 3, poisonAfter: 6 });
    await storage.outbox.enqueue(notice(1), ["test"], 0);
    await storage.outbox.enqueue(notice(2), ["test"], 0); // a warning: waits its turn
    await storage.outbox.enqueue({ ...notice(3), severity: "critical" }, ["test"], 0);
    d.start();
    await until(() => got.includes(2));
    await d.stop();
    const firstCritical = got.indexOf(3);
    assert.ok(firstCritical > 0, "the critical one went out");
    assert.deepEqual(got.slice(0, 3), [1, 1, 1], "the head kept its place for three tries");
    assert.ok(firstCritical < got.lastIndexOf(1), "the critical one went before the head gave up");
    assert.ok(got.indexOf(2) > got.lastIndexOf(1), "the warning kept its place behind the head");
    assert.equal(got.filter((id) => id === 1).length, 6, "refused for good after six tries");
    assert.equal((await storage.outbox.dead(0, 10))[0]?.id, 1);
  });

  test("while the service is unreachable everything waits in order; resume() ends the wait at once", async () => {
    const storage = createSqliteStorage({ file: ":memory:" });
    let up = false;
    const got: number[] = [];
    const channel: DeliveryChannel = {
      name: "test",
      async deliver(e) {
        got.push(e.id);
        return up ? { ok: true } : { ok: false, retryable: true, unreachable: true, error: "Telegram unreachable" };
      },
    };
    // Backoff and probe far longer than the test may take: only resume() can bring the retry.
    const d = dispatcher(storage, [channel], { minBackoffMs: 60_000, maxBackoffMs: 60_000, probeMs: 60_000 });
    await storage.outbox.enqueue(notice(1), ["test"], 0);
    await storage.outbox.enqueue({ ...notice(2), severity: "critical" }, ["test"], 0);
    d.start();
    await until(() => got.length === 1);
    up = true;
    d.kick(); // new work does not end an outage's wait
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(got, [1], "nothing overtakes while the service is down");
    d.resume(["other-channel"]);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(got, [1], "another channel's recovery is not this one's");
    d.resume(["test"]);
    await until(() => got.length === 3);
    await d.stop();
    assert.deepEqual(got, [1, 1, 2]);
  });

  test("a 429 retry-after is Telegram's rule: resume() does not cut it short", async () => {
    const storage = createSqliteStorage({ file: ":memory:" });
    const { channel, got } = scripted([
      { ok: false, retryable: true, unreachable: true, error: "502 Bad Gateway" },
      { ok: false, retryable: true, error: "429 Too Many Requests", retryAfterMs: 300 },
    ]);
    const d = dispatcher(storage, [channel], { minBackoffMs: 60_000, probeMs: 60_000 });
    await storage.outbox.enqueue(notice(1), ["test"], 0);
    d.start();
    await until(() => got.length === 1);
    d.resume();
    await until(() => got.length === 2);
    d.resume();
    await until(() => got.length === 3);
    await d.stop();
    assert.ok((got[2]?.at ?? 0) - (got[1]?.at ?? 0) >= 290, "waited for retry-after");
  });
});
