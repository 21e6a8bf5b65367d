import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { closeDatabase, openDatabase } from "../../../storage/sqlite/database.ts";
import { createSqliteStorage, SQLITE_FILE_NAME } from "../../../storage/sqlite/index.ts";
import { MEDIA_QUERIES, MediaValidationError } from "../../../storage/sqlite/media.ts";
import { badMedia, clip, realJpeg, snap, T0 } from "../contract/media-servers.ts";

// The behaviour of the media store is the contract's (test/storage/contract/media-servers.ts, run
// against SQLite and S3 + DynamoDB); these are SQLite's own: the files on disk (layout, atomic writes,
// files gone or undeletable, orphans), restarts, CHECK constraints, query plans and the wiring.

const tmp = () => mkdtempSync(join(tmpdir(), "seroma-media-test-"));

/** A storage on a real SQLite file in a fresh data directory. */
function open() {
  const dataDir = tmp();
  const s = createSqliteStorage({ dataDir });
  return { s, dataDir, mediaDir: join(dataDir, "media") };
}

/** Every file under a directory, relative, with forward slashes. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import("node:fs").Dirent[])
    .filter((e) => e.isFile())
    .map((e) =>
      join(e.parentPath, e.name)
        .slice(dir.length + 1)
        .split("\\")
        .join("/"),
    )
    .sort();
}

/** Sets a file's mtime (epoch ms). */
const age = (path: string, mtime: number) => utimesSync(path, mtime / 1000, mtime / 1000);

describe("SQLite media store", () => {
  test("the bytes are a file under the key in DATA_DIR/media; the index survives a restart", async () => {
    const { s, dataDir, mediaDir } = open();
    const bytes = await realJpeg();
    const saved = await s.media.save(snap("test-room", T0, { bytes, width: 32, height: 24, requestedBy: 42 }));
    assert.deepEqual(readFileSync(join(mediaDir, saved.key)), bytes, "the bytes are on disk under the key");
    await s.close();

    const again = createSqliteStorage({ dataDir });
    assert.deepEqual(await again.media.get(saved.id), saved, "the index survives a restart");
    assert.deepEqual(await again.media.read(saved.id), bytes);
    assert.ok(existsSync(join(dataDir, SQLITE_FILE_NAME)));
    await again.close();
  });

  test("files land in YYYY/MM/DD of `at` (UTC) with room, time and kind in the name; no temp files left", async () => {
    const { s, mediaDir } = open();
    // 23:59:58 UTC on the last day of a month: a local-time layout would put it elsewhere in most zones.
    const at = Date.parse("2026-01-31T23:59:58Z");
    const a = await s.media.save(snap("test-room", at));
    const b = await s.media.save(clip("test-room", Date.parse("2027-02-03T04:05:06Z")));
    const g = await s.media.save(clip("test-room", at, { mime: "image/gif" }));
    assert.match(a.key, /^2026\/01\/31\/test-room-235958-snapshot-[0-9a-f]+\.jpg$/);
    assert.match(b.key, /^2027\/02\/03\/test-room-040506-clip-[0-9a-f]+\.mp4$/);
    assert.match(g.key, /^2026\/01\/31\/test-room-235958-clip-[0-9a-f]+\.gif$/);
    assert.notEqual(a.key, g.key);
    assert.deepEqual(filesUnder(mediaDir), [a.key, g.key, b.key].sort(), "exactly the indexed files, no .tmp-");
    await s.close();
  });

  test("files of sanitized room ids stay inside the media directory, exactly where their keys say", async () => {
    const { s, mediaDir } = open();
    const items = [
      await s.media.save(snap("../../etc/pass wd", T0)),
      await s.media.save(snap(".tmp-x", T0)),
      await s.media.save(snap("Salle é/1", T0)),
    ];
    for (const item of items) assert.equal(item.key.split("/").length, 4, `YYYY/MM/DD/name: ${item.key}`);
    assert.deepEqual(filesUnder(mediaDir), items.map((i) => i.key).sort(), "no file outside the media directory");
    await s.close();
  });

  test("read of an item whose file was deleted by hand is undefined (no throw)", async () => {
    const { s, mediaDir } = open();
    const item = await s.media.save(snap("a", T0));
    rmSync(join(mediaDir, item.key));
    assert.equal(await s.media.read(item.id), undefined);
    assert.ok(await s.media.get(item.id), "the row is still there");
    await s.close();
  });

  test("remove deletes the file too; true when the file was already gone", async () => {
    const { s, mediaDir } = open();
    const keep = await s.media.save(snap("a", T0));
    const item = await s.media.save(snap("a", T0 + 1));
    assert.equal(await s.media.remove(item.id), true);
    assert.ok(!existsSync(join(mediaDir, item.key)), "file gone");

    const gone = await s.media.save(snap("a", T0 + 2));
    rmSync(join(mediaDir, gone.key));
    assert.equal(await s.media.remove(gone.id), true);
    assert.equal(await s.media.get(gone.id), undefined);

    assert.deepEqual(filesUnder(mediaDir), [keep.key]);
    await s.close();
  });

  test("remove whose file cannot be deleted: the row is gone first, then the error surfaces", async () => {
    const { s, mediaDir } = open();
    const item = await s.media.save(snap("a", T0));
    const path = join(mediaDir, item.key);
    rmSync(path);
    mkdirSync(path); // a non-empty directory where the file was: unlink fails (EISDIR/EPERM), even as root
    writeFileSync(join(path, "x"), "x");
    await assert.rejects(s.media.remove(item.id));
    assert.equal(await s.media.get(item.id), undefined, "no row points at the undeletable path");
    await s.close();
  });

  test("sweepOrphans removes old unindexed files and stale temp files, keeps indexed files and young orphans, prunes empty directories", async () => {
    const { s, mediaDir } = open();
    const now = Date.now();
    const hourAgo = now - 3_600_000;
    const old = now - 2 * 86_400_000;
    const indexedOld = await s.media.save(snap("a", Date.parse("2026-01-02T03:04:05Z")));
    age(join(mediaDir, indexedOld.key), old);
    const indexedNew = await s.media.save(snap("a", T0));

    // An orphan alone in its own day (its directories should go), an orphan and a stale temp file
    // next to an indexed file, and young leftovers that must stay.
    const orphanDay = "2025/12/30";
    mkdirSync(join(mediaDir, orphanDay), { recursive: true });
    const lonely = `${orphanDay}/a-101500-snapshot-deadbeef.jpg`;
    writeFileSync(join(mediaDir, lonely), "x");
    age(join(mediaDir, lonely), old);
    const dayOfNew = indexedNew.key.split("/").slice(0, 3).join("/");
    const orphan = `${dayOfNew}/a-101501-snapshot-0badc0de.jpg`;
    const staleTmp = `${dayOfNew}/.tmp-0123456789abcdef`;
    const youngOrphan = `${dayOfNew}/a-101502-snapshot-cafe.jpg`;
    const youngTmp = `${dayOfNew}/.tmp-fedcba9876543210`;
    for (const f of [orphan, staleTmp, youngOrphan, youngTmp]) writeFileSync(join(mediaDir, f), "x");
    age(join(mediaDir, orphan), old);
    age(join(mediaDir, staleTmp), old);
    // Outside the YYYY/MM/DD layout: not ours to touch.
    writeFileSync(join(mediaDir, "README"), "x");
    age(join(mediaDir, "README"), old);

    assert.equal(await s.media.sweepOrphans(hourAgo), 3);
    assert.deepEqual(filesUnder(mediaDir), ["README", indexedOld.key, indexedNew.key, youngOrphan, youngTmp].sort());
    assert.ok(!existsSync(join(mediaDir, "2025")), "empty day, month and year directories removed");
    assert.ok(await s.media.read(indexedOld.id), "an old indexed file is not an orphan");

    // Once the index row is gone, the old file is an orphan.
    await s.media.remove(indexedNew.id);
    assert.equal(await s.media.sweepOrphans(now + 60_000), 2, "the young leftovers, once old enough");
    assert.deepEqual(filesUnder(mediaDir), ["README", indexedOld.key].sort());
    await s.close();
    const fresh = createSqliteStorage({ file: ":memory:" });
    assert.equal(await fresh.media.sweepOrphans(now), 0, "no media directory yet: nothing to sweep");
    await fresh.close();
  });

  test("bad input writes nothing to disk, not even the media directory", async () => {
    const { s, mediaDir } = open();
    for (const { label, input } of badMedia()) {
      await assert.rejects(s.media.save(input), MediaValidationError, label);
    }
    assert.ok(!existsSync(mediaDir), "not even a directory was created");
    await s.close();
  });

  test("the schema refuses unknown kinds and reasons even past the adapter", () => {
    const db = openDatabase(":memory:");
    const insert = db.prepare(
      "INSERT INTO media (room_id, at, kind, mime, size, reason, key) VALUES ('a', 1, ?, 'image/jpeg', 1, ?, ?)",
    );
    assert.throws(() => insert.run("movie", "request", "k1"), /CHECK constraint/);
    assert.throws(() => insert.run("snapshot", "because", "k2"), /CHECK constraint/);
    insert.run("snapshot", "request", "k3");
    assert.throws(() => insert.run("snapshot", "request", "k3"), /UNIQUE constraint/);
    closeDatabase(db);
  });

  test("list, oldest and the link lookups walk an index: no table scan, no sort step for list/oldest", () => {
    const db = openDatabase(":memory:");
    const plan = (sql: string, ...params: unknown[]) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((p) => p.detail);
    const listParams = { room: "a", from: 0, to: 100, beforeAt: 50, beforeId: 9, kind: null, limit: 20 };
    const cases: Array<[string, string[], string, boolean]> = [
      ["list", plan(MEDIA_QUERIES.list, listParams), "media_room_at", true],
      ["oldest", plan(MEDIA_QUERIES.oldest, 20), "media_at", true],
      ["forIncident", plan(MEDIA_QUERIES.forIncident, "inc"), "media_incident", true],
      ["forAccessEntries", plan(MEDIA_QUERIES.forAccessEntries, "[1,2]"), "media_access_entry", false],
    ];
    closeDatabase(db);
    for (const [name, details, index, noSort] of cases) {
      const text = details.join("; ");
      assert.ok(
        details.some((d) => d.includes(`INDEX ${index}`)),
        `${name} uses ${index}: ${text}`,
      );
      if (noSort) assert.ok(!details.some((d) => d.includes("TEMP B-TREE")), `${name} has no sort step: ${text}`);
      assert.ok(!details.some((d) => d.startsWith("SCAN media ") && !d.includes("INDEX")), `${name}: ${text}`);
    }
  });

  test("storage wiring: {dataDir} puts media in DATA_DIR/media, {file} next to the file or in mediaDir; :memory: cleans up", async () => {
    const dataDir = tmp();
    const a = createSqliteStorage({ dataDir });
    assert.equal(a.mediaDir, join(dataDir, "media"));
    await a.close();
    const dir = tmp();
    const b = createSqliteStorage({ file: join(dir, "x.db") });
    assert.equal(b.mediaDir, join(dir, "media"));
    await b.close();
    const c = createSqliteStorage({ file: join(dir, "y.db"), mediaDir: join(dir, "elsewhere") });
    const item = await c.media.save(snap("a", T0));
    assert.ok(existsSync(join(dir, "elsewhere", item.key)));
    await c.close();

    const m1 = createSqliteStorage({ file: ":memory:" });
    const m2 = createSqliteStorage({ file: ":memory:" });
    assert.notEqual(m1.mediaDir, m2.mediaDir, "each in-memory storage has its own media directory");
    const saved = await m1.media.save(snap("a", T0));
    assert.ok(existsSync(join(m1.mediaDir, saved.key)));
    await m1.close();
    await m2.close();
    assert.ok(!existsSync(m1.mediaDir), "an in-memory storage's media go with it");
  });
});
