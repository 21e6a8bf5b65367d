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
