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
import type { MediaItem, NewMedia } from "../../../storage/media-ports.ts";
import { closeDatabase, openDatabase } from "../../../storage/sqlite/database.ts";
import { createSqliteStorage, SQLITE_FILE_NAME } from "../../../storage/sqlite/index.ts";
import { MEDIA_QUERIES, MediaValidationError } from "../../../storage/sqlite/media.ts";

const tmp = () => mkdtempSync(join(tmpdir(), "seroma-media-test-"));

/** A storage on a real SQLite file in a fresh data directory. */
function open() {
  const dataDir = tmp();
  const s = createSqliteStorage({ dataDir });
  return { s, dataDir, mediaDir: join(dataDir, "media") };
}

const T0 = Date.parse("2026-11-23T10:15:00Z");
const jpeg = (n = 1, size = 64) => Buffer.alloc(size, n);

const snap = (roomId: string, at: number, extra: Partial<NewMedia> = {}): NewMedia => ({
  roomId,
  at,
  kind: "snapshot",
  mime: "image/jpeg",
  reason: "request",
  bytes: jpeg(at % 251),
  ...extra,
});
const clip = (roomId: string, at: number, extra: Partial<NewMedia> = {}): NewMedia => ({
  roomId,
  at,
  kind: "clip",
  mime: "video/mp4",
  reason: "motion",
  bytes: jpeg(7, 200),
  seconds: 5,
  width: 640,
  height: 360,
  ...extra,
});

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

const ids = (items: MediaItem[]) => items.map((i) => i.id);

/** Sets a file's mtime (epoch ms). */
const age = (path: string, mtime: number) => utimesSync(path, mtime / 1000, mtime / 1000);

describe("SQLite media store", () => {
  test("save then get and read round-trip on a real file and database; optional fields absent when unset", async () => {
    const { s, dataDir, mediaDir } = open();
    const bytes = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 0xff, 0xd9]);
    const saved = await s.media.save(snap("test-room", T0, { bytes, width: 1280, height: 720, requestedBy: 42 }));
    assert.deepEqual(saved, {
      id: saved.id,
      roomId: "test-room",
      at: T0,
      kind: "snapshot",
      mime: "image/jpeg",
      size: bytes.length,
      reason: "request",
      key: saved.key,
      width: 1280,
      height: 720,
      requestedBy: 42,
    });
    assert.ok(!("seconds" in saved) && !("accessEntryId" in saved) && !("incidentId" in saved), "no unset keys");
    assert.deepEqual(await s.media.get(saved.id), saved);
    assert.deepEqual(await s.media.read(saved.id), bytes);
    assert.deepEqual(readFileSync(join(mediaDir, saved.key)), bytes, "the bytes are on disk under the key");
    assert.equal(await s.media.get(saved.id + 1), undefined);
    assert.equal(await s.media.read(saved.id + 1), undefined);
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

  test("room ids are sanitized in file names (kept as given in the index)", async () => {
    const { s, mediaDir } = open();
    const evil = await s.media.save(snap("../../etc/pass wd", T0));
    const dots = await s.media.save(snap(".tmp-x", T0));
    const unicode = await s.media.save(snap("Salle é/1", T0));
    for (const item of [evil, dots, unicode]) {
      const [, , , name, ...rest] = item.key.split("/");
      assert.equal(rest.length, 0, `no extra path segments in ${item.key}`);
      assert.match(name ?? "", /^[A-Za-z0-9_-]+-101500-snapshot-[0-9a-f]+\.jpg$/, item.key);
      assert.ok(existsSync(join(mediaDir, item.key)));
    }
    assert.equal(evil.roomId, "../../etc/pass wd");
    assert.equal((await s.media.list("../../etc/pass wd", { limit: 5 }))[0]?.id, evil.id);
    assert.ok(!dots.key.split("/")[3]?.startsWith("."), "a room cannot make a name look like a temp file");
    await s.close();
  });

  test("list: a room's items newest first, scoped to the room, bounded by limit", async () => {
    const { s } = open();
    const a1 = await s.media.save(snap("a", T0));
    const a3 = await s.media.save(snap("a", T0 + 3_000));
    const a2 = await s.media.save(clip("a", T0 + 2_000)); // saved after a3 but captured before it
    await s.media.save(snap("b", T0 + 5_000));
    assert.deepEqual(ids(await s.media.list("a", { limit: 10 })), [a3.id, a2.id, a1.id]);
    assert.deepEqual(ids(await s.media.list("a", { limit: 2 })), [a3.id, a2.id]);
    assert.equal((await s.media.list("b", { limit: 10 })).length, 1);
    assert.deepEqual(await s.media.list("nobody", { limit: 10 }), []);
    assert.deepEqual(await s.media.list("a", { limit: 0 }), [], "limit 0 is no rows, not 'no limit'");
    assert.deepEqual(await s.media.list("a", { limit: -1 }), []);
    await s.close();
  });

  test("list: half-open time range, kind filter, paging with `before` (ties on `at` broken by id)", async () => {
    const { s } = open();
    const saved: MediaItem[] = [];
    for (let i = 0; i < 7; i++) {
      // Two items share each timestamp: paging must neither skip nor repeat them.
      const at = T0 + Math.floor(i / 2) * 1_000;
      saved.push(await s.media.save(i % 3 === 0 ? clip("a", at) : snap("a", at)));
      await s.media.save(snap("other", at));
    }
    const newestFirst = [...saved].sort((x, y) => y.at - x.at || y.id - x.id);

    const seen: number[] = [];
    let before: number | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await s.media.list("a", { limit: 3, ...(before === undefined ? {} : { before }) });
      if (page.length === 0) break;
      assert.ok(page.length <= 3);
      seen.push(...ids(page));
      before = page[page.length - 1]?.id;
    }
    assert.deepEqual(seen, ids(newestFirst), "pages cover every item once, newest first");

    const range = await s.media.list("a", { from: T0 + 1_000, to: T0 + 3_000, limit: 10 });
    assert.deepEqual(ids(range), ids(newestFirst.filter((m) => m.at >= T0 + 1_000 && m.at < T0 + 3_000)));
    assert.deepEqual(
      range.map((m) => m.at),
      [T0 + 2_000, T0 + 2_000, T0 + 1_000, T0 + 1_000],
    );

    const clips = await s.media.list("a", { kind: "clip", limit: 10 });
    assert.deepEqual(ids(clips), ids(newestFirst.filter((m) => m.kind === "clip")));
    assert.equal(clips.length, 3);
    const snaps = await s.media.list("a", { kind: "snapshot", limit: 2, before: newestFirst[1]?.id });
    assert.deepEqual(ids(snaps), ids(newestFirst.slice(2).filter((m) => m.kind === "snapshot")).slice(0, 2));

    const paged = await s.media.list("a", { from: T0 + 1_000, limit: 10, before: newestFirst[2]?.id });
    assert.deepEqual(ids(paged), ids(newestFirst.slice(3).filter((m) => m.at >= T0 + 1_000)));

    const removed = newestFirst[0];
    assert.ok(removed);
    await s.media.remove(removed.id);
    assert.deepEqual(await s.media.list("a", { limit: 10, before: removed.id }), [], "a vanished cursor: empty page");
    await s.close();
  });

  test("forAccessEntries, forIncident (oldest first) and linkIncident", async () => {
    const { s } = open();
    const e1 = await s.media.save(snap("a", T0 + 2_000, { reason: "breach", accessEntryId: 11 }));
    const e1b = await s.media.save(clip("a", T0 + 1_000, { reason: "breach", accessEntryId: 11 }));
    const e2 = await s.media.save(snap("a", T0 + 3_000, { reason: "breach", accessEntryId: 12 }));
    const plain = await s.media.save(snap("a", T0 + 4_000, { reason: "motion" }));
    assert.deepEqual(ids(await s.media.forAccessEntries([11])), [e1b.id, e1.id]);
    assert.deepEqual(ids(await s.media.forAccessEntries([12, 11, 11, 99])), [e1b.id, e1.id, e2.id]);
    assert.deepEqual(await s.media.forAccessEntries([]), []);
    assert.deepEqual(await s.media.forAccessEntries([99]), []);
    assert.equal((await s.media.get(e1.id))?.accessEntryId, 11);

    const early = await s.media.save(clip("a", T0, { incidentId: "inc-1" }));
    assert.deepEqual(ids(await s.media.forIncident("inc-1")), [early.id]);
    await s.media.linkIncident(plain.id, "inc-1");
    await s.media.linkIncident(e2.id, "inc-1");
    await s.media.linkIncident(e2.id + 1_000, "inc-1"); // no such item: nothing happens
    assert.deepEqual(ids(await s.media.forIncident("inc-1")), [early.id, e2.id, plain.id]);
    assert.equal((await s.media.get(plain.id))?.incidentId, "inc-1");
    assert.deepEqual(await s.media.forIncident("inc-2"), []);
    await assert.rejects(s.media.linkIncident(plain.id, ""), MediaValidationError);
    await s.close();
  });

  test("usage totals the whole store (every room); oldest is oldest first across rooms", async () => {
    const { s } = open();
    assert.deepEqual(await s.media.usage(), { count: 0, bytes: 0 });
    const b = await s.media.save(snap("b", T0 + 1_000, { bytes: jpeg(1, 10) }));
    const a = await s.media.save(snap("a", T0 + 2_000, { bytes: jpeg(1, 20) }));
    const c = await s.media.save(clip("c", T0, { bytes: jpeg(1, 30) }));
    assert.deepEqual(await s.media.usage(), { count: 3, bytes: 60, oldestAt: T0 });
    assert.deepEqual(ids(await s.media.oldest(2)), [c.id, b.id]);
    assert.deepEqual(ids(await s.media.oldest(10)), [c.id, b.id, a.id]);
    assert.deepEqual(await s.media.oldest(0), []);
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

  test("remove deletes the row and then the file; false for no row; true when the file was already gone", async () => {
    const { s, mediaDir } = open();
    const keep = await s.media.save(snap("a", T0));
    const item = await s.media.save(snap("a", T0 + 1));
    assert.equal(await s.media.remove(item.id), true);
    assert.equal(await s.media.get(item.id), undefined);
    assert.equal(await s.media.read(item.id), undefined);
    assert.ok(!existsSync(join(mediaDir, item.key)), "file gone");
    assert.equal(await s.media.remove(item.id), false, "a second remove finds no row");
    assert.equal(await s.media.remove(9_999), false);

    const gone = await s.media.save(snap("a", T0 + 2));
    rmSync(join(mediaDir, gone.key));
    assert.equal(await s.media.remove(gone.id), true);
    assert.equal(await s.media.get(gone.id), undefined);

    assert.deepEqual(await s.media.read(keep.id), snap("a", T0).bytes, "other items untouched");
    assert.deepEqual(filesUnder(mediaDir), [keep.key]);
    assert.deepEqual(await s.media.usage(), { count: 1, bytes: keep.size, oldestAt: T0 });
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

  test("bad input is refused with a clear message and nothing is written", async () => {
    const { s, mediaDir } = open();
    const cases: Array<[Partial<NewMedia>, RegExp]> = [
      [{ mime: "image/png" }, /unsupported mime "image\/png"; valid: image\/jpeg, video\/mp4, image\/gif/],
      [{ mime: "video/mp4" }, /a snapshot cannot be video\/mp4/],
      [{ bytes: Buffer.alloc(0) }, /bytes are empty/],
      [{ bytes: "not bytes" as unknown as Buffer }, /bytes must be a Buffer/],
      [{ roomId: "" }, /roomId must be a non-empty string/],
      [{ roomId: "   " }, /roomId must be a non-empty string/],
      [{ at: Number.NaN }, /at must be an epoch ms/],
      [{ at: -1 }, /at must be an epoch ms/],
      [{ at: 1.5 }, /at must be an epoch ms/],
      [{ kind: "movie" as NewMedia["kind"] }, /kind must be one of snapshot, clip/],
      [{ reason: "because" as NewMedia["reason"] }, /reason must be one of request, motion, breach, alert/],
      [{ width: 0 }, /width must be a positive integer/],
      [{ seconds: -1 }, /seconds must be a non-negative number/],
    ];
    for (const [bad, message] of cases) {
      await assert.rejects(
        s.media.save(snap("a", T0, bad)),
        (err: unknown) => err instanceof MediaValidationError && message.test(err.message),
        `${JSON.stringify(bad)} refused with ${message}`,
      );
    }
    await assert.rejects(s.media.save(clip("a", T0, { mime: "image/jpeg" })), /a clip cannot be image\/jpeg/);
    assert.deepEqual(await s.media.usage(), { count: 0, bytes: 0 });
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
