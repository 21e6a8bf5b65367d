import assert from "node:assert/strict";
import { existsSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import Database from "better-sqlite3";
import type { Reading } from "../../../core/types.ts";
import { createSqliteStorage, SQLITE_FILE_NAME } from "../../../storage/sqlite/index.ts";

const tmp = () => mkdtempSync(join(tmpdir(), "seroma-sqlite-"));
const r = (roomId: string, at: number, t = 21, h = 45): Reading => ({ roomId, at, temperatureC: t, humidityPct: h });

describe("SQLite storage", () => {
  test("creates the data directory and database on first start", async () => {
    const dataDir = join(tmp(), "nested", "data");
    const s = createSqliteStorage({ dataDir });
    assert.ok(existsSync(join(dataDir, SQLITE_FILE_NAME)));
    await s.close();
  });

  test("latest returns newest first, scoped to the room, bounded by limit", async () => {
    const s = createSqliteStorage({ file: ":memory:" });
    await s.readings.addMany([r("a", 1000, 20), r("a", 3000, 22), r("a", 2000, 21), r("b", 4000, 30)]);
    await s.readings.add(r("a", 500, 19));
    const latest = await s.readings.latest("a", 3);
    assert.deepEqual(
      latest.map((x) => [x.at, x.temperatureC]),
      [
        [3000, 22],
        [2000, 21],
        [1000, 20],
      ],
    );
    assert.equal((await s.readings.latest("b", 10)).length, 1);
    assert.deepEqual(await s.readings.latest("nobody", 10), []);
    assert.equal(await s.readings.count("a"), 4);
    await s.close();
  });

  test("readings with the same timestamp come back newest-inserted first", async () => {
    const s = createSqliteStorage({ file: ":memory:" });
    await s.readings.add(r("a", 1000, 20));
    await s.readings.add(r("a", 1000, 21));
    await s.readings.add(r("a", 1000, 22));
    assert.deepEqual(
      (await s.readings.latest("a", 3)).map((x) => x.temperatureC),
      [22, 21, 20],
    );
    assert.deepEqual(
      (await s.readings.between("a", 0, 2000, 3)).map((x) => x.temperatureC),
      [20, 21, 22],
    );
    await s.close();
  });

  test("between is half-open, oldest first", async () => {
    const s = createSqliteStorage({ file: ":memory:" });
    await s.readings.addMany([1000, 2000, 3000, 4000].map((at) => r("a", at)));
    const rows = await s.readings.between("a", 2000, 4000, 100);
    assert.deepEqual(
      rows.map((x) => x.at),
      [2000, 3000],
    );
    assert.equal((await s.readings.between("a", 0, 10_000, 2)).length, 2);
    await s.close();
  });

  test("aggregate summarises equal time buckets in SQL: only buckets with data, oldest first", async () => {
    const s = createSqliteStorage({ file: ":memory:" });
    await s.readings.addMany([
      // bucket 0 = [1000, 2000): three readings
      r("a", 1000, 20, 40),
      r("a", 1500, 22, 50),
      r("a", 1999, 24, 45),
      // bucket 1 empty; bucket 2 = [3000, 4000): one reading
      r("a", 3000, 19.5, 61),
      // bucket 9 = [10000, 11000): the last one; 11000 is outside (half-open)
      r("a", 10_999, 25, 30),
      r("a", 11_000, 99, 99),
      r("a", 999, 99, 99),
      // another room in the same time range
      r("b", 1200, 99, 99),
    ]);
    const rows = await s.readings.aggregate("a", 1000, 11_000, 10);
    assert.deepEqual(rows, [
      { at: 1000, count: 3, tMin: 20, tAvg: 22, tMax: 24, hMin: 40, hAvg: 45, hMax: 50 },
      { at: 3000, count: 1, tMin: 19.5, tAvg: 19.5, tMax: 19.5, hMin: 61, hAvg: 61, hMax: 61 },
      { at: 10_000, count: 1, tMin: 25, tAvg: 25, tMax: 25, hMin: 30, hAvg: 30, hMax: 30 },
    ]);
    // Bucket size is rounded up: 10 ms in 3 buckets -> 4 ms each, starting at `from`.
    await s.readings.addMany([r("c", 100), r("c", 103), r("c", 104), r("c", 109)]);
    assert.deepEqual(
      (await s.readings.aggregate("c", 100, 110, 3)).map((b) => [b.at, b.count]),
      [
        [100, 2],
        [104, 1],
        [108, 1],
      ],
    );
    assert.deepEqual(await s.readings.aggregate("nobody", 0, 100_000, 240), []);
    assert.deepEqual(await s.readings.aggregate("a", 5000, 5000, 10), [], "empty range");
    assert.deepEqual(await s.readings.aggregate("a", 0, 100_000, 0), [], "no buckets");
    await s.close();
  });

  test("aggregate handles a week of 2 s readings at real timestamps", async () => {
    const s = createSqliteStorage({ file: ":memory:" });
    const from = Date.UTC(2026, 10, 16);
    const week = 7 * 86_400_000;
    const step = 2000;
    const rows: Reading[] = [];
    for (let at = from; at < from + week; at += step) rows.push(r("a", at, 20 + ((at / step) % 10) / 10, 40));
    await s.readings.addMany(rows);
    const buckets = await s.readings.aggregate("a", from, from + week, 240);
    assert.equal(buckets.length, 240);
    const size = week / 240;
    for (const [i, b] of buckets.entries()) assert.equal(b.at, from + i * size);
    assert.equal(
      buckets.reduce((n, b) => n + b.count, 0),
      rows.length,
    );
    assert.equal(buckets[0]?.tMin, 20);
    assert.equal(buckets[0]?.tMax, 20.9);
    await s.close();
  });

  test("data survives a restart; close leaves a clean single-file database", async () => {
    const dataDir = tmp();
    const s1 = createSqliteStorage({ dataDir });
    await s1.readings.add(r("a", 1, 23.4, 51.2));
    await s1.userSettings.setLocale(42, "ja");
    await s1.close();
    const wal = join(dataDir, `${SQLITE_FILE_NAME}-wal`);
    assert.ok(!existsSync(wal) || statSync(wal).size === 0, "WAL checkpointed on close");
    const s2 = createSqliteStorage({ dataDir });
    assert.deepEqual(await s2.readings.latest("a", 1), [r("a", 1, 23.4, 51.2)]);
    assert.equal(await s2.userSettings.getLocale(42), "ja");
    await s2.userSettings.setLocale(42, undefined);
    assert.equal(await s2.userSettings.getLocale(42), undefined);
    assert.equal(await s2.userSettings.getLocale(7), undefined);
    await s2.close();
    await s2.close(); // closing twice is harmless
  });

  test("the 'latest' query uses the (room, time) index", () => {
    const dataDir = tmp();
    const s = createSqliteStorage({ dataDir });
    const db = new Database(join(dataDir, SQLITE_FILE_NAME), { readonly: true });
    const plan = db
      .prepare("EXPLAIN QUERY PLAN SELECT * FROM readings WHERE room_id = ? ORDER BY at DESC, rowid DESC LIMIT ?")
      .all("a", 20) as Array<{ detail: string }>;
    db.close();
    void s.close();
    assert.ok(
      plan.some((p) => p.detail.includes("readings_room_at")),
      plan.map((p) => p.detail).join("; "),
    );
    assert.ok(!plan.some((p) => p.detail.includes("TEMP B-TREE")), "no sort step");
  });

  test("refuses a database from a newer Seroma instead of corrupting it", () => {
    const dataDir = tmp();
    const db = new Database(join(dataDir, SQLITE_FILE_NAME));
    db.pragma("user_version = 999");
    db.close();
    assert.throws(() => createSqliteStorage({ dataDir }), /schema version 999 is newer/);
  });
});
