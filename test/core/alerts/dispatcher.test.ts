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
});
