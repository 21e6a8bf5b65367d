import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { describe, test } from "node:test";
import type { MediaItem, MediaStore, NewMedia } from "../../core/camera/media.ts";
import { createLogger, silentLogger } from "../../core/logger.ts";
import { createMediaRetentionJob, type MediaRetentionBudget } from "../../jobs/media-retention-job.ts";
import { createSqliteStorage } from "../../storage/sqlite/index.ts";
import { ManualClock, ManualScheduler } from "../support/fakes.ts";

const DAY = 86_400_000;
const NOW = Date.parse("2026-11-23T10:00:00Z");

const item = (roomId: string, at: number, size: number): NewMedia => ({
  roomId,
  at,
  kind: "snapshot",
  mime: "image/jpeg",
  reason: "motion",
  bytes: Buffer.alloc(size, 1),
});

function setup(budget: MediaRetentionBudget, opts: { wrap?: (real: MediaStore) => MediaStore; logs?: string[] } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), "seroma-retention-"));
  const storage = createSqliteStorage({ dataDir });
  const mediaDir = join(dataDir, "media");
  const clock = new ManualClock(NOW);
  const scheduler = new ManualScheduler();
  const logs = opts.logs;
  const logger = logs
    ? createLogger(
        "info",
        new Writable({
          write(chunk, _enc, done) {
            logs.push(String(chunk));
            done();
          },
        }),
      )
    : silentLogger;
  const media = opts.wrap ? opts.wrap(storage.media) : storage.media;
  const job = createMediaRetentionJob({ media, budget, scheduler, clock, logger });
  return { storage, mediaDir, clock, scheduler, job };
}

/** Saves items (oldest first by `at` is not required); returns them in save order. */
async function fill(media: MediaStore, list: NewMedia[]): Promise<MediaItem[]> {
  const out: MediaItem[] = [];
  for (const m of list) out.push(await media.save(m));
  return out;
}

async function remainingIds(media: MediaStore, all: MediaItem[]): Promise<number[]> {
  const out: number[] = [];
  for (const m of all) if (await media.get(m.id)) out.push(m.id);
  return out;
}

/** The invariant: a remaining row has its file; a deleted row's file is gone. */
async function assertRowsMatchFiles(media: MediaStore, mediaDir: string, all: MediaItem[], except: number[] = []) {
  for (const m of all) {
    if (except.includes(m.id)) continue;
    const row = await media.get(m.id);
    const file = existsSync(join(mediaDir, m.key));
    if (row) assert.ok(file, `item ${m.id} is indexed, so its file exists`);
    else assert.ok(!file, `item ${m.id} is not indexed, so its file is gone`);
  }
}

describe("media retention job", () => {
  test("age budget: everything captured before now - maxAgeMs goes, in every room; the rest stays", async () => {
    const { storage, mediaDir, job } = setup({ maxAgeMs: 7 * DAY, maxBytes: 0 });
    const all = await fill(storage.media, [
      item("a", NOW - 30 * DAY, 10),
      item("b", NOW - 8 * DAY, 20),
      item("a", NOW - 7 * DAY - 1, 30),
      item("a", NOW - 7 * DAY, 40), // exactly at the cutoff: kept
      item("b", NOW - DAY, 50),
      item("a", NOW, 60),
    ]);
    const r = await job.runNow();
    assert.deepEqual(r, { removed: 3, freedBytes: 60, orphans: 0, failed: 0 });
    assert.deepEqual(await remainingIds(storage.media, all), [all[3]?.id, all[4]?.id, all[5]?.id]);
    await assertRowsMatchFiles(storage.media, mediaDir, all);
    assert.deepEqual(await job.runNow(), { removed: 0, freedBytes: 0, orphans: 0, failed: 0 }, "nothing left to do");
    await storage.close();
  });

  test("size budget: deletes oldest first (across rooms and batches) until the total fits", async () => {
    const { storage, mediaDir, job } = setup({ maxAgeMs: 0, maxBytes: 1_000 });
    // 250 items of 10 bytes, saved in scrambled time order and alternating rooms: the newest 100 fit.
    const list: NewMedia[] = [];
    for (let i = 0; i < 250; i++) {
      const slot = (i * 97) % 250; // a permutation of 0..249
      list.push(item(i % 2 ? "a" : "b", NOW - (250 - slot) * 60_000, 10));
    }
    const all = await fill(storage.media, list);
    const newest100 = [...all]
      .sort((x, y) => y.at - x.at)
      .slice(0, 100)
      .map((m) => m.id)
      .sort((x, y) => x - y);
    const r = await job.runNow();
    assert.deepEqual(r, { removed: 150, freedBytes: 1_500, orphans: 0, failed: 0 });
    assert.deepEqual(
      (await remainingIds(storage.media, all)).sort((x, y) => x - y),
      newest100,
    );
    assert.deepEqual(await storage.media.usage(), { count: 100, bytes: 1_000, oldestAt: NOW - 100 * 60_000 });
    await assertRowsMatchFiles(storage.media, mediaDir, all);
    await storage.close();
  });

  test("size budget with uneven sizes: exactly the oldest items needed, and no more", async () => {
    const { storage, job } = setup({ maxAgeMs: 0, maxBytes: 100 });
    const all = await fill(storage.media, [
      item("a", NOW - 5_000, 40), // oldest
      item("a", NOW - 4_000, 30),
      item("b", NOW - 3_000, 50),
      item("a", NOW - 2_000, 20),
      item("a", NOW - 1_000, 10),
    ]);
    // Total 150 > 100: the 40 and the 30 go (150 -> 110 -> 80); the 50 stays.
    assert.deepEqual(await job.runNow(), { removed: 2, freedBytes: 70, orphans: 0, failed: 0 });
    assert.deepEqual(await remainingIds(storage.media, all), [all[2]?.id, all[3]?.id, all[4]?.id]);
    await storage.close();
  });

  test("both budgets: age first, then size; every remaining row has its file, every removed row's file is gone", async () => {
    const { storage, mediaDir, job } = setup({ maxAgeMs: 3 * DAY, maxBytes: 250 });
    const list: NewMedia[] = [];
    for (let d = 6; d >= 0; d--) list.push(item(d % 2 ? "a" : "b", NOW - d * DAY + 1, 100));
    const all = await fill(storage.media, list);
    const r = await job.runNow();
    // Ages 6..3 days go (4 items); of the 3 left (300 bytes) the oldest goes too.
    assert.deepEqual(r, { removed: 5, freedBytes: 500, orphans: 0, failed: 0 });
    assert.deepEqual(await remainingIds(storage.media, all), [all[5]?.id, all[6]?.id]);
    await assertRowsMatchFiles(storage.media, mediaDir, all);
    await storage.close();
  });

  test("budgets of 0 are off: nothing is removed", async () => {
    const { storage, job } = setup({ maxAgeMs: 0, maxBytes: 0 });
    const all = await fill(storage.media, [item("a", NOW - 400 * DAY, 1_000), item("a", NOW, 5_000)]);
    assert.deepEqual(await job.runNow(), { removed: 0, freedBytes: 0, orphans: 0, failed: 0 });
    assert.equal((await remainingIds(storage.media, all)).length, 2);
    await storage.close();
  });

  test("sweeps orphan files older than an hour (by the clock), not younger ones", async () => {
    const { storage, mediaDir, clock, job } = setup({ maxAgeMs: 0, maxBytes: 0 });
    const kept = await storage.media.save(item("a", NOW, 10));
    const day = join(mediaDir, "2026/11/23");
    mkdirSync(day, { recursive: true });
    const setMtime = (name: string, ms: number) => {
      writeFileSync(join(day, name), "x");
      utimesSync(join(day, name), ms / 1000, ms / 1000);
    };
    const now = clock.now().getTime();
    setMtime("a-090000-snapshot-aaaa.jpg", now - 2 * 3_600_000);
    setMtime(".tmp-bbbb", now - 61 * 60_000);
    setMtime("a-095500-snapshot-cccc.jpg", now - 30 * 60_000);
    assert.deepEqual(await job.runNow(), { removed: 0, freedBytes: 0, orphans: 2, failed: 0 });
    assert.ok(!existsSync(join(day, "a-090000-snapshot-aaaa.jpg")));
    assert.ok(!existsSync(join(day, ".tmp-bbbb")));
    assert.ok(existsSync(join(day, "a-095500-snapshot-cccc.jpg")), "a young orphan may be about to be indexed");
    assert.ok(existsSync(join(mediaDir, kept.key)));
    await storage.close();
  });

  test("a file that cannot be deleted is logged and skipped; the run goes on", async () => {
    const logs: string[] = [];
    const { storage, mediaDir, job } = setup({ maxAgeMs: DAY, maxBytes: 0 }, { logs });
    const all = await fill(storage.media, [
      item("a", NOW - 5 * DAY, 10),
      item("a", NOW - 4 * DAY, 10),
      item("a", NOW - 3 * DAY, 10),
      item("a", NOW, 10),
    ]);
    const stuck = all[1];
    assert.ok(stuck);
    // A non-empty directory where the file was: unlink fails with a real error, even as root.
    const path = join(mediaDir, stuck.key);
    rmSync(path);
    mkdirSync(path);
    writeFileSync(join(path, "inside"), "x");

    const r = await job.runNow();
    assert.deepEqual(r, { removed: 2, freedBytes: 20, orphans: 0, failed: 1 });
    assert.deepEqual(await remainingIds(storage.media, all), [all[3]?.id], "the items after the failure went too");
    assert.equal(await storage.media.get(stuck.id), undefined, "the store deleted its row before trying the file");
    await assertRowsMatchFiles(storage.media, mediaDir, all, [stuck.id]);
    const lines = logs.map((l) => JSON.parse(l) as { level: number; msg: string; id?: number; removed?: number });
    assert.ok(
      lines.some((l) => l.level === 40 && l.id === stuck.id && /could not delete/.test(l.msg)),
      "the failure is logged with the item",
    );
    assert.ok(
      lines.some((l) => l.level === 30 && l.removed === 2 && /media retention: removed 2 items/.test(l.msg)),
      "a summary line",
    );
    await storage.close();
  });

  test("an item whose row cannot be deleted is tried once per run: no endless loop, the others still go", async () => {
    let stuckId = -1;
    let removeCalls = 0;
    const { storage, job } = setup(
      { maxAgeMs: 0, maxBytes: 30 },
      {
        wrap: (real) => ({
          ...real,
          async remove(id) {
            removeCalls++;
            if (id === stuckId) throw new Error("database is locked");
            return real.remove(id);
          },
        }),
      },
    );
    const all = await fill(storage.media, [
      item("a", NOW - 5_000, 10), // stuck: its row stays, so it keeps leading the oldest list
      item("a", NOW - 4_000, 10),
      item("a", NOW - 3_000, 10),
      item("a", NOW - 2_000, 10),
      item("a", NOW - 1_000, 10),
    ]);
    stuckId = all[0]?.id ?? -1;
    const r = await job.runNow();
    // 50 bytes, budget 30: the stuck item still counts, so the next two oldest go.
    assert.deepEqual(r, { removed: 2, freedBytes: 20, orphans: 0, failed: 1 });
    assert.equal(removeCalls, 3, "the stuck item was tried once");
    assert.deepEqual(await remainingIds(storage.media, all), [all[0]?.id, all[3]?.id, all[4]?.id]);
    await storage.close();
  });

  test("a store that never shrinks cannot make a run loop forever", async () => {
    const items: MediaItem[] = Array.from({ length: 5 }, (_, i) => ({
      id: i + 1,
      roomId: "a",
      at: NOW - DAY * (10 - i),
      kind: "snapshot",
      mime: "image/jpeg",
      size: 1_000,
      reason: "motion",
      key: `k${i}`,
    }));
    let oldestCalls = 0;
    const stubborn: MediaStore = {
      save: async () => assert.fail("not used"),
      get: async (id) => items.find((i) => i.id === id),
      read: async () => undefined,
      list: async () => [],
      forAccessEntries: async () => [],
      forIncident: async () => [],
      linkIncident: async () => {},
      usage: async () => ({ count: items.length, bytes: items.length * 1_000, oldestAt: items[0]?.at }),
      oldest: async (limit) => {
        oldestCalls++;
        return items.slice(0, limit);
      },
      remove: async () => {
        throw new Error("EACCES");
      },
      sweepOrphans: async () => 0,
    };
    const job = createMediaRetentionJob({
      media: stubborn,
      budget: { maxAgeMs: DAY, maxBytes: 1 },
      scheduler: new ManualScheduler(),
      clock: new ManualClock(NOW),
      logger: silentLogger,
    });
    const r = await job.runNow();
    assert.deepEqual(r, { removed: 0, freedBytes: 0, orphans: 0, failed: 5 });
    assert.ok(oldestCalls <= 4, `bounded: ${oldestCalls} batches`);
  });

  test("runNow while a run is in progress shares it; start runs once, then on the schedule; stop ends it", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let usageCalls = 0;
    let gated = false;
    const { storage, scheduler, clock, job } = setup(
      { maxAgeMs: DAY, maxBytes: 0 },
      {
        wrap: (real) => ({
          ...real,
          async oldest(limit) {
            if (gated) await gate;
            return real.oldest(limit);
          },
          async usage() {
            usageCalls++;
            return real.usage();
          },
        }),
      },
    );
    const all = await fill(storage.media, [item("a", NOW - 2 * DAY, 10), item("a", NOW - 3 * DAY, 10)]);
    gated = true;
    const first = job.runNow();
    const second = job.runNow();
    assert.equal(first, second, "the same promise");
    release();
    const [a, b] = await Promise.all([first, second]);
    assert.deepEqual(a, { removed: 2, freedBytes: 20, orphans: 0, failed: 0 });
    assert.equal(a, b);
    assert.equal(job.runs, 1, "one run, not two");
    assert.equal(usageCalls, 0, "size budget off: usage not even asked");
    gated = false;

    await job.start();
    assert.equal(job.runs, 2, "a run right at start");
    assert.deepEqual(
      scheduler.active().map((e) => [e.name, e.expression]),
      [["media-retention", "0 */15 * * * *"]],
    );
    const later = await storage.media.save(item("a", NOW, 10));
    clock.advance(2 * DAY);
    await scheduler.tick("media-retention");
    assert.equal(job.runs, 3);
    assert.equal(await storage.media.get(later.id), undefined, "the scheduled run used the clock's new time");
    await job.start();
    assert.equal(scheduler.active().length, 1, "start twice schedules once");
    await job.stop();
    assert.equal(scheduler.active().length, 0);
    assert.equal((await remainingIds(storage.media, all)).length, 0);
    await storage.close();
  });
});
