import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import Database from "better-sqlite3";
import type { Reading } from "../../../core/climate/reading.ts";
import { StartupError } from "../../../core/startup-error.ts";
import { DatabaseOpenError } from "../../../storage/sqlite/database.ts";
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

describe("SQLite storage: a database that cannot be opened", () => {
  test("a file that is not a database is set aside (kept) and the console starts on a fresh one", async () => {
    const dataDir = tmp();
    const file = join(dataDir, SQLITE_FILE_NAME);
    writeFileSync(file, "this is not an SQLite database, an SD card wrote garbage here".repeat(100));
    const s = createSqliteStorage({ dataDir });
    try {
      assert.equal(s.replacedDatabase?.file, file);
      assert.match(s.replacedDatabase?.error ?? "", /not a database/);
      const setAside = s.replacedDatabase?.setAside ?? "";
      assert.match(setAside, /seroma\.db\.corrupt-\d{4}-/);
      assert.match(readFileSync(setAside, "utf8"), /^this is not an SQLite database/, "kept as it was");
      await s.readings.add(r("a", 1, 20));
      assert.equal((await s.readings.latest("a", 1)).length, 1, "the fresh one works");
    } finally {
      await s.close();
    }
    const again = createSqliteStorage({ dataDir });
    assert.equal(again.replacedDatabase, undefined, "a healthy start says nothing");
    await again.close();
  });

  test("a page corrupted by a power cut is found at the next start (quick_check after an unclean stop)", async () => {
    const dataDir = tmp();
    const file = join(dataDir, SQLITE_FILE_NAME);
    const s = createSqliteStorage({ dataDir });
    await s.readings.addMany(Array.from({ length: 20_000 }, (_, i) => r("a", i * 1000, 20 + (i % 7))));
    await s.close();
    // Scribble over pages in the middle of the file, and leave a WAL file behind as a power cut does.
    const bytes = readFileSync(file);
    bytes.fill(0xa5, 8 * 4096, 12 * 4096);
    writeFileSync(file, bytes);
    writeFileSync(`${file}-wal`, "");
    const up = createSqliteStorage({ dataDir });
    try {
      assert.ok(up.replacedDatabase, "set aside");
      assert.match(up.replacedDatabase?.error ?? "", /quick_check|malformed|corrupt/i);
      assert.ok(existsSync(up.replacedDatabase?.setAside ?? ""));
      assert.equal(await up.readings.count("a"), 0, "a fresh database");
    } finally {
      await up.close();
    }
  });

  test("a database that cannot be written stops the start with one line: what, where, how to fix it", async (t) => {
    const dataDir = tmp();
    const s = createSqliteStorage({ dataDir });
    await s.close();
    const file = join(dataDir, SQLITE_FILE_NAME);
    let undo: () => void;
    if (process.getuid?.() === 0) {
      // root writes through file modes: a read-only mount is what stops it.
      const mount = spawnSync("mount", ["--bind", "-o", "ro", dataDir, dataDir]);
      if (mount.status !== 0) {
        t.skip(`cannot make a read-only mount here: ${mount.stderr}`);
        return;
      }
      spawnSync("mount", ["-o", "remount,bind,ro", dataDir]);
      undo = () => spawnSync("umount", [dataDir]);
    } else {
      chmodSync(file, 0o444);
      chmodSync(dataDir, 0o555);
      undo = () => {
        chmodSync(dataDir, 0o755);
        chmodSync(file, 0o644);
      };
    }
    try {
      assert.throws(
        () => createSqliteStorage({ dataDir }),
        (err: Error) => {
          assert.ok(err instanceof DatabaseOpenError, String(err));
          assert.ok(err instanceof StartupError);
          assert.match(err.message, new RegExp(file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")));
          assert.match(err.message, /read-only|cannot be opened/);
          assert.match(err.message, /DATA_DIR|write access/);
          assert.doesNotMatch(err.message, /\n/);
          return true;
        },
      );
      assert.ok(existsSync(file), "nothing was set aside or deleted");
      assert.deepEqual(
        readdirSync(dataDir).filter((n) => n.includes("corrupt")),
        [],
      );
    } finally {
      undo();
    }
  });
});
