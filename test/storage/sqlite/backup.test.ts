/**
 * Online backups of the embedded database, and restoring one: the copy is a complete,
 * checked database that the console opens as its own.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { describe, test } from "node:test";
import { listBackups, pruneBackups } from "../../../storage/sqlite/backup.ts";
import { createSqliteStorage, SQLITE_FILE_NAME } from "../../../storage/sqlite/index.ts";

const ROOM = "r1";

describe("SQLite backups", () => {
  test("a backup taken while the console writes restores into a working database with every row", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "seroma-backup-"));
    const backups = join(dataDir, "backups");
    const storage = createSqliteStorage({ dataDir });
    const t0 = Date.parse("2026-11-23T10:00:00Z");
    await storage.readings.addMany(
      Array.from({ length: 20_000 }, (_, i) => ({
        roomId: ROOM,
        at: t0 + i * 1000,
        temperatureC: 21,
        humidityPct: 40,
      })),
    );
    await storage.staff.add({
      cardUid: "DEADBEEF",
      name: "Margaret",
      role: "admin",
      active: true,
      createdBy: 1,
      createdAt: t0,
    });
    // Writes keep going while the backup copies pages.
    const backup = storage.backup?.(backups, Date.parse("2026-11-24T03:30:00Z"));
    const writes = Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        storage.readings.add({ roomId: ROOM, at: t0 + 30_000_000 + i, temperatureC: 22, humidityPct: 41 }),
      ),
    );
    const [info] = await Promise.all([backup, writes]);
    assert.ok(info);
    assert.equal(basename(info.file), "seroma-20261124-033000.db");
    assert.equal(info.schemaVersion, 7);
    assert.ok(info.bytes > 100_000);
    assert.deepEqual(readdirSync(backups), ["seroma-20261124-033000.db"], "no temp file left");
    await storage.close();

    // Restore: a fresh data directory whose database is the backup.
    const restoredDir = mkdtempSync(join(tmpdir(), "seroma-restored-"));
    copyFileSync(info.file, join(restoredDir, SQLITE_FILE_NAME));
    const restored = createSqliteStorage({ dataDir: restoredDir });
    const n = await restored.readings.count(ROOM);
    assert.ok(n >= 20_000 && n <= 20_050, `the readings are there (${n})`);
    assert.equal((await restored.staff.getByUid("DEADBEEF"))?.name, "Margaret");
    await restored.readings.add({ roomId: ROOM, at: t0 + 40_000_000, temperatureC: 23, humidityPct: 42 });
    assert.equal(await restored.readings.count(ROOM), n + 1, "and it takes new writes");
    await restored.close();
  });

  test("retention keeps the newest N and sweeps stale temp files; foreign files are left alone", async () => {
    const dir = mkdtempSync(join(tmpdir(), "seroma-prune-"));
    mkdirSync(dir, { recursive: true });
    const names = ["seroma-20261120-033000.db", "seroma-20261121-033000.db", "seroma-20261122-033000.db"];
    for (const n of names) writeFileSync(join(dir, n), "x");
    writeFileSync(join(dir, ".tmp-123-seroma-20261123-033000.db"), "partial");
    writeFileSync(join(dir, "notes.txt"), "mine");
    const deleted = await pruneBackups(dir, 2);
    assert.deepEqual(
      deleted.map((f) => basename(f)),
      ["seroma-20261120-033000.db"],
    );
    assert.deepEqual(
      (await listBackups(dir)).map((f) => basename(f)),
      ["seroma-20261122-033000.db", "seroma-20261121-033000.db"],
    );
    assert.deepEqual(readdirSync(dir).sort(), ["notes.txt", "seroma-20261121-033000.db", "seroma-20261122-033000.db"]);
    assert.deepEqual(await listBackups(join(dir, "missing")), []);
  });

  test("a backup into a place that cannot be written rejects and leaves nothing behind", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "seroma-backup-bad-"));
    const storage = createSqliteStorage({ dataDir });
    const blocker = join(dataDir, "not-a-dir");
    writeFileSync(blocker, "a file where the backup directory should be");
    await assert.rejects(
      storage.backup?.(blocker, Date.now()) ?? Promise.reject(new Error("no backup")),
      /EEXIST|ENOTDIR/,
    );
    await storage.close();
  });
});
