import assert from "node:assert/strict";
import { existsSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import Database from "better-sqlite3";
import type { Reading } from "../../../core/types.ts";
import { createSqliteStorage, SQLITE_FILE_NAME } from "../../../storage/sqlite/index.ts";
import { assertEvenBuckets, r } from "../contract/readings.ts";

const tmp = () => mkdtempSync(join(tmpdir(), "seroma-sqlite-"));

describe("SQLite storage", () => {
  test("creates the data directory and database on first start", async () => {
    const dataDir = join(tmp(), "nested", "data");
    const s = createSqliteStorage({ dataDir });
    assert.ok(existsSync(join(dataDir, SQLITE_FILE_NAME)));
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

  // The contract (readings.ts) runs a day of 30 s readings on both backends; this is the
  // real volume of one week at the sensor's rate, which only the embedded database has to take.
  test("aggregate handles a week of 2 s readings at real timestamps", async () => {
    const s = createSqliteStorage({ file: ":memory:" });
    const from = Date.UTC(2026, 10, 16);
    const week = 7 * 86_400_000;
    const step = 2000;
    const rows: Reading[] = [];
    for (let at = from; at < from + week; at += step) rows.push(r("a", at, 20 + ((at / step) % 10) / 10, 40));
    await s.readings.addMany(rows);
    const buckets = await s.readings.aggregate("a", from, from + week, 240);
    assertEvenBuckets(buckets, from, week, 240, rows);
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
