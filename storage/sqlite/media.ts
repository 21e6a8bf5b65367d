/**
 * SQLite adapter for the media store: files under `dir/YYYY/MM/DD/` (the UTC date of the
 * capture), one index row per file in the `media` table.
 *
 * Order of writes, so that an index row never points at a missing file:
 * - save: temp file `.tmp-<random>` in the day directory, fsync, rename to the final
 *   name, then insert the row. A crash in between leaves at most an orphan file (or a
 *   stale temp file), which `sweepOrphans` removes once it is old enough.
 * - remove: delete the row, then unlink the file. If the unlink fails (other than
 *   "already gone") the row stays deleted and the error is thrown: the file is an orphan
 *   for `sweepOrphans` to retry.
 *
 * Choices the port leaves open:
 * - File names are `<room>-<HHMMSS>-<kind>-<random>.<ext>`: the id is not known before
 *   the row exists, so a random suffix keeps names unique. `<room>` is the room id with
 *   anything but `A-Z a-z 0-9 _ -` replaced (at most 40 characters); the row keeps the
 *   room id as given.
 * - Kinds and MIME types must agree: a snapshot is `image/jpeg`, a clip `video/mp4` or
 *   `image/gif`. Anything else, empty bytes, a bad room id, time, reason or size field
 *   is refused with a `MediaValidationError` before anything is written.
 * - `list` orders by capture time (newest first, id breaking ties); `before` is the id
 *   of the last item of the previous page and continues after that item's (at, id). If
 *   that item has been deleted since (retention removes the oldest first), the page is
 *   empty.
 * - `forAccessEntries` and `forIncident` return oldest first. `linkIncident` on an id that
 *   does not exist (removed meanwhile) does nothing.
 * - `sweepOrphans` only looks inside `YYYY/MM/DD` directories and only at regular files;
 *   anything else under `dir` is left alone. It removes day, month and year directories
 *   it leaves empty. It returns the number of files deleted (orphans and temp files).
 * - A `limit` below 1 (or NaN) returns no rows.
 */
import { randomBytes } from "node:crypto";
import type { Dirent } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rmdir, stat, unlink } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import type { MediaItem, MediaListQuery, MediaStore, MediaUsage } from "../../core/camera/media.ts";
import { rowLimit } from "../validation/limits.ts";
import {
  fileSafeRoom,
  mediaDatePath,
  mediaItemFromRecord,
  validateIncidentLink,
  validateNewMedia,
} from "../validation/media.ts";
import type { SqliteDatabase } from "./database.ts";

// The rules (validation, naming) are shared with the S3 adapter: storage/validation/media.ts.
export { fileSafeRoom, MEDIA_TYPES, MediaValidationError, mediaDatePath } from "../validation/media.ts";

export const TEMP_PREFIX = ".tmp-";

interface MediaRow {
  id: number;
  room_id: string;
  at: number;
  kind: string;
  mime: string;
  size: number;
  reason: string;
  key: string;
  width: number | null;
  height: number | null;
  seconds: number | null;
  requested_by: number | null;
  access_entry_id: number | null;
  incident_id: string | null;
}

/** Columns are the shared stored fields (storage/validation/media.ts) in snake_case, NULL for absent. */
function toItem(r: MediaRow): MediaItem {
  return mediaItemFromRecord({
    id: r.id,
    roomId: r.room_id,
    at: r.at,
    kind: r.kind,
    mime: r.mime,
    size: r.size,
    reason: r.reason,
    key: r.key,
    width: r.width,
    height: r.height,
    seconds: r.seconds,
    requestedBy: r.requested_by,
    accessEntryId: r.access_entry_id,
    incidentId: r.incident_id,
  });
}

const errCode = (err: unknown): string | undefined => (err as { code?: string } | null)?.code;

/** The media store's read queries, exported so a test can check their query plans. */
export const MEDIA_QUERIES = {
  list: `SELECT * FROM media
          WHERE room_id = @room AND at >= @from AND at < @to AND (at, id) < (@beforeAt, @beforeId)
            AND (@kind IS NULL OR kind = @kind)
          ORDER BY at DESC, id DESC LIMIT @limit`,
  forAccessEntries: `SELECT * FROM media
          WHERE access_entry_id IN (SELECT value FROM json_each(?)) ORDER BY at, id`,
  forIncident: "SELECT * FROM media WHERE incident_id = ? ORDER BY at, id",
  usage: "SELECT count(*) AS count, coalesce(sum(size), 0) AS bytes, min(at) AS oldestAt FROM media",
  oldest: "SELECT * FROM media ORDER BY at, id LIMIT ?",
} as const;

const DAY_PARTS = [/^\d{4}$/, /^\d{2}$/, /^\d{2}$/] as const;

export function createSqliteMediaStore(db: SqliteDatabase, opts: { dir: string }): MediaStore {
  const dir = resolve(opts.dir);
  const insert = db.prepare<Omit<MediaRow, "id">, MediaRow>(
    `INSERT INTO media (room_id, at, kind, mime, size, reason, key, width, height, seconds, requested_by,
       access_entry_id, incident_id)
     VALUES (@room_id, @at, @kind, @mime, @size, @reason, @key, @width, @height, @seconds, @requested_by,
       @access_entry_id, @incident_id)
     RETURNING *`,
  );
  const byId = db.prepare<[number], MediaRow>("SELECT * FROM media WHERE id = ?");
  const atOf = db.prepare<[number], { at: number }>("SELECT at FROM media WHERE id = ?");
  const keyExists = db.prepare<[string], { one: number }>("SELECT 1 AS one FROM media WHERE key = ?");
  const list = db.prepare<
    { room: string; from: number; to: number; beforeAt: number; beforeId: number; kind: string | null; limit: number },
    MediaRow
  >(MEDIA_QUERIES.list);
  const forEntries = db.prepare<[string], MediaRow>(MEDIA_QUERIES.forAccessEntries);
  const forIncident = db.prepare<[string], MediaRow>(MEDIA_QUERIES.forIncident);
  const link = db.prepare<[string, number]>("UPDATE media SET incident_id = ? WHERE id = ?");
  const usage = db.prepare<[], { count: number; bytes: number; oldestAt: number | null }>(MEDIA_QUERIES.usage);
  const oldest = db.prepare<[number], MediaRow>(MEDIA_QUERIES.oldest);
  const del = db.prepare<[number], { key: string }>("DELETE FROM media WHERE id = ? RETURNING key");

  /** The absolute path of a key, refusing anything that would leave the media directory. */
  const pathOf = (key: string): string => {
    const p = resolve(dir, key);
    if (!p.startsWith(dir + sep)) throw new Error(`media key ${JSON.stringify(key)} points outside ${dir}`);
    return p;
  };

  async function unlinkQuietly(path: string): Promise<void> {
    await unlink(path).catch(() => undefined);
  }

  /** Creates the day directory and an exclusive temp file in it (retrying if a sweep removed the directory meanwhile). */
  async function openTemp(dayDir: string) {
    for (let attempt = 1; ; attempt++) {
      await mkdir(dayDir, { recursive: true });
      const path = join(dayDir, `${TEMP_PREFIX}${randomBytes(8).toString("hex")}`);
      try {
        return { path, fh: await open(path, "wx", 0o644) };
      } catch (err) {
        if (errCode(err) !== "ENOENT" || attempt >= 3) throw err;
      }
    }
  }

  async function writeAtomically(dayDir: string, finalPath: string, bytes: Uint8Array): Promise<void> {
    const { path: tmp, fh } = await openTemp(dayDir);
    try {
      try {
        await fh.writeFile(bytes);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, finalPath);
    } catch (err) {
      await unlinkQuietly(tmp);
      throw err;
    }
    // Make the rename itself durable (best effort: not every platform can fsync a directory).
    try {
      const d = await open(dayDir, "r");
      try {
        await d.sync();
      } finally {
        await d.close();
      }
    } catch {}
  }

  async function removeIfEmpty(path: string): Promise<boolean> {
    try {
      await rmdir(path);
      return true;
    } catch {
      return false; // ENOTEMPTY (a save got there first), ENOENT, ...
    }
  }

  async function subdirs(path: string, pattern: RegExp): Promise<string[]> {
    try {
      const entries = await readdir(path, { withFileTypes: true });
      return entries
        .filter((e) => e.isDirectory() && pattern.test(e.name))
        .map((e) => e.name)
        .sort();
    } catch (err) {
      if (errCode(err) === "ENOENT") return [];
      throw err;
    }
  }

  async function sweepDay(rel: string, olderThan: number): Promise<number> {
    let removed = 0;
    let entries: Dirent[];
    try {
      entries = await readdir(join(dir, rel), { withFileTypes: true });
    } catch (err) {
      if (errCode(err) === "ENOENT") return 0;
      throw err;
    }
    for (const e of entries) {
      if (!e.isFile()) continue;
      const key = `${rel}/${e.name}`;
      const path = join(dir, rel, e.name);
      // Temp files are never indexed; final names are checked against the index.
      if (!e.name.startsWith(TEMP_PREFIX) && keyExists.get(key)) continue;
      let mtime: number;
      try {
        mtime = (await stat(path)).mtimeMs;
      } catch {
        continue; // gone meanwhile
      }
      if (mtime >= olderThan) continue; // young: a save may be about to index it
      // Look again right before deleting: the row may have been inserted since the first check.
      if (!e.name.startsWith(TEMP_PREFIX) && keyExists.get(key)) continue;
      try {
        await unlink(path);
        removed++;
      } catch (err) {
        if (errCode(err) !== "ENOENT") throw err;
      }
    }
    return removed;
  }

  return {
    async save(m) {
      const ext = validateNewMedia(m);
      const { day, time } = mediaDatePath(m.at);
      const name = `${fileSafeRoom(m.roomId)}-${time}-${m.kind}-${randomBytes(6).toString("hex")}.${ext}`;
      const key = `${day}/${name}`;
      const dayDir = join(dir, day);
      const finalPath = join(dayDir, name);
      await writeAtomically(dayDir, finalPath, m.bytes);
      try {
        const row = insert.get({
          room_id: m.roomId,
          at: m.at,
          kind: m.kind,
          mime: m.mime,
          size: m.bytes.length,
          reason: m.reason,
          key,
          width: m.width ?? null,
          height: m.height ?? null,
          seconds: m.seconds ?? null,
          requested_by: m.requestedBy ?? null,
          access_entry_id: m.accessEntryId ?? null,
          incident_id: m.incidentId ?? null,
        });
        if (!row) throw new Error("media insert returned no row");
        return toItem(row);
      } catch (err) {
        await unlinkQuietly(finalPath);
        throw err;
      }
    },

    async get(id) {
      const r = byId.get(id);
      return r && toItem(r);
    },

    async read(id) {
      const r = byId.get(id);
      if (!r) return undefined;
      try {
        return await readFile(pathOf(r.key));
      } catch (err) {
        if (errCode(err) === "ENOENT") return undefined;
        throw err;
      }
    },

    async list(roomId, q: MediaListQuery) {
      let beforeAt = Number.MAX_SAFE_INTEGER;
      let beforeId = Number.MAX_SAFE_INTEGER;
      if (q.before !== undefined) {
        const cursor = atOf.get(q.before);
        if (!cursor) return [];
        beforeAt = cursor.at;
        beforeId = q.before;
      }
      return list
        .all({
          room: roomId,
          from: q.from ?? Number.MIN_SAFE_INTEGER,
          to: q.to ?? Number.MAX_SAFE_INTEGER,
          beforeAt,
          beforeId,
          kind: q.kind ?? null,
          limit: rowLimit(q.limit),
        })
        .map(toItem);
    },

    async forAccessEntries(entryIds) {
      const ids = [...new Set(entryIds)].filter((id) => Number.isSafeInteger(id));
      if (ids.length === 0) return [];
      return forEntries.all(JSON.stringify(ids)).map(toItem);
    },

    async forIncident(incidentId) {
      return forIncident.all(incidentId).map(toItem);
    },

    async linkIncident(id, incidentId) {
      validateIncidentLink(incidentId);
      link.run(incidentId, id);
    },

    async usage(): Promise<MediaUsage> {
      const r = usage.get();
      const u: MediaUsage = { count: r?.count ?? 0, bytes: r?.bytes ?? 0 };
      if (r && r.oldestAt !== null) u.oldestAt = r.oldestAt;
      return u;
    },

    async oldest(limit) {
      return oldest.all(rowLimit(limit)).map(toItem);
    },

    async remove(id) {
      const r = del.get(id);
      if (!r) return false;
      try {
        await unlink(pathOf(r.key));
      } catch (err) {
        if (errCode(err) !== "ENOENT") throw err;
      }
      return true;
    },

    async sweepOrphans(olderThan) {
      let removed = 0;
      const [yearRe, monthRe, dayRe] = DAY_PARTS;
      for (const y of await subdirs(dir, yearRe)) {
        for (const mo of await subdirs(join(dir, y), monthRe)) {
          for (const d of await subdirs(join(dir, y, mo), dayRe)) {
            removed += await sweepDay(`${y}/${mo}/${d}`, olderThan);
            await removeIfEmpty(join(dir, y, mo, d));
          }
          await removeIfEmpty(join(dir, y, mo));
        }
        await removeIfEmpty(join(dir, y));
      }
      return removed;
    },
  };
}
