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
import type {
  MediaItem,
  MediaListQuery,
  MediaReason,
  MediaStore,
  MediaUsage,
  NewMedia,
  StoredMediaKind,
} from "../media-ports.ts";
import type { SqliteDatabase } from "./database.ts";

/** MIME types the store accepts, with their file extension and the kinds they may be. */
export const MEDIA_TYPES: Readonly<Record<string, { ext: string; kinds: readonly StoredMediaKind[] }>> = {
  "image/jpeg": { ext: "jpg", kinds: ["snapshot"] },
  "video/mp4": { ext: "mp4", kinds: ["clip"] },
  "image/gif": { ext: "gif", kinds: ["clip"] },
};

const KINDS: readonly StoredMediaKind[] = ["snapshot", "clip"];
const REASONS: readonly MediaReason[] = ["request", "motion", "breach", "alert"];
/** The last instant with a four-digit year (the directory layout is YYYY/MM/DD). */
const MAX_AT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
export const TEMP_PREFIX = ".tmp-";

/** A save refused because its input is invalid; nothing was written. */
export class MediaValidationError extends Error {
  override readonly name = "MediaValidationError";
}

/** A room id as it may appear in a file name. */
export const fileSafeRoom = (roomId: string): string =>
  roomId
    .normalize("NFKD")
    .replace(/[^A-Za-z0-9_-]+/g, "_")
    .replace(/^[_-]+|[_-]+$/g, "")
    .slice(0, 40) || "room";

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** `YYYY/MM/DD` and `HHMMSS` of an instant, in UTC. */
export function mediaDatePath(at: number): { day: string; time: string } {
  const d = new Date(at);
  return {
    day: `${pad(d.getUTCFullYear(), 4)}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`,
    time: `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`,
  };
}

const isNonNegativeInt = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

function validate(m: NewMedia): string {
  const bad = (msg: string): never => {
    throw new MediaValidationError(`media not saved: ${msg}`);
  };
  if (typeof m.roomId !== "string" || m.roomId.trim() === "") bad("roomId must be a non-empty string");
  if (!isNonNegativeInt(m.at) || m.at > MAX_AT) bad(`at must be an epoch ms between 0 and ${MAX_AT} (got ${m.at})`);
  if (!KINDS.includes(m.kind)) bad(`kind must be one of ${KINDS.join(", ")} (got ${JSON.stringify(m.kind)})`);
  if (!REASONS.includes(m.reason)) {
    bad(`reason must be one of ${REASONS.join(", ")} (got ${JSON.stringify(m.reason)})`);
  }
  const type = Object.hasOwn(MEDIA_TYPES, m.mime) ? MEDIA_TYPES[m.mime] : undefined;
  if (!type) bad(`unsupported mime ${JSON.stringify(m.mime)}; valid: ${Object.keys(MEDIA_TYPES).join(", ")}`);
  if (!type?.kinds.includes(m.kind)) {
    bad(`a ${m.kind} cannot be ${m.mime} (a snapshot is image/jpeg, a clip video/mp4 or image/gif)`);
  }
  if (!(m.bytes instanceof Uint8Array)) bad("bytes must be a Buffer");
  if (m.bytes.length === 0) bad("bytes are empty");
  for (const f of ["width", "height"] as const) {
    const v = m[f];
    if (v !== undefined && !(Number.isSafeInteger(v) && v > 0)) bad(`${f} must be a positive integer (got ${v})`);
  }
  if (m.seconds !== undefined && !(Number.isFinite(m.seconds) && m.seconds >= 0)) {
    bad(`seconds must be a non-negative number (got ${m.seconds})`);
  }
  if (m.requestedBy !== undefined && !Number.isSafeInteger(m.requestedBy)) {
    bad(`requestedBy must be an integer (got ${m.requestedBy})`);
  }
  if (m.accessEntryId !== undefined && !isNonNegativeInt(m.accessEntryId)) {
    bad(`accessEntryId must be a non-negative integer (got ${m.accessEntryId})`);
  }
  if (m.incidentId !== undefined && (typeof m.incidentId !== "string" || m.incidentId === "")) {
    bad("incidentId must be a non-empty string");
  }
  return (type as { ext: string }).ext;
}

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

function toItem(r: MediaRow): MediaItem {
  const m: MediaItem = {
    id: r.id,
    roomId: r.room_id,
    at: r.at,
    kind: r.kind as StoredMediaKind,
    mime: r.mime,
    size: r.size,
    reason: r.reason as MediaReason,
    key: r.key,
  };
  if (r.width !== null) m.width = r.width;
  if (r.height !== null) m.height = r.height;
  if (r.seconds !== null) m.seconds = r.seconds;
  if (r.requested_by !== null) m.requestedBy = r.requested_by;
  if (r.access_entry_id !== null) m.accessEntryId = r.access_entry_id;
  if (r.incident_id !== null) m.incidentId = r.incident_id;
  return m;
}

const rowLimit = (limit: number): number => (limit >= 1 ? Math.floor(limit) : 0);
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
      const ext = validate(m);
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
      if (typeof incidentId !== "string" || incidentId === "") {
        throw new MediaValidationError("incidentId must be a non-empty string");
      }
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
