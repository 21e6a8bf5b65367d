/**
 * The embedded database: one SQLite file in DATA_DIR, WAL mode, schema migrations
 * tracked in `PRAGMA user_version`. The data directory is created on first open.
 *
 * Opening is where an SD card's troubles show first:
 *   - a file that is not a database, or a corrupted one (checked with quick_check when
 *     the last run did not close it cleanly: its WAL file is still there), is *set aside*
 *     (renamed to `seroma.db.corrupt-<time>`, with its -wal/-shm; never deleted) and a
 *     fresh database is created, so the console starts and can tell the admins;
 *   - a file or directory that cannot be written (read-only, wrong owner) or a full disk
 *     stops the start with a `DatabaseOpenError`: one line saying what, where and how to
 *     fix it (no stack trace).
 *
 * Durability: WAL with `synchronous=FULL` by default, so a committed transaction is on the
 * storage before the commit returns (the WAL is fsynced at every commit). With NORMAL, WAL
 * mode stays consistent after a power cut but may lose the last commits, and those would be
 * an outbox row (an alert not yet sent) or a door tap. Every write of this database is
 * small and rare (a reading a minute, a tap, an alert), so FULL costs little: measured by
 * `npm run bench -- durability` (README, "Durability"). The AWS reading buffer opens its own
 * database with NORMAL (readings buffered during an outage; bursts of inserts).
 */
import { existsSync, mkdirSync, renameSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { StartupError } from "../../core/startup-error.ts";

export type SqliteDatabase = Database.Database;

/** Each entry moves the schema one version up. Append only; never edit a released step. */
const MIGRATIONS: readonly string[] = [
  // 1: climate readings, per-user settings
  `CREATE TABLE readings (
     room_id TEXT NOT NULL,
     at INTEGER NOT NULL,            -- epoch ms, UTC
     temperature_c REAL NOT NULL,
     humidity_pct REAL NOT NULL
   );
   -- Scanned backwards for "latest N": (at DESC, rowid DESC) with no sort step, so
   -- readings with the same timestamp come back newest-inserted first.
   CREATE INDEX readings_room_at ON readings (room_id, at);
   CREATE TABLE user_settings (
     user_id INTEGER PRIMARY KEY,
     locale TEXT
   );`,
  // 2: alert pipeline: incidents, durable outbox, mutes, audit log
  `CREATE TABLE incidents (
     id TEXT PRIMARY KEY,
     room_id TEXT NOT NULL,
     rule TEXT NOT NULL,
     severity TEXT NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('open', 'resolved')),
     opened_at INTEGER NOT NULL,
     resolved_at INTEGER,
     details TEXT NOT NULL,           -- JSON
     acked_at INTEGER,
     acked_by_id INTEGER,
     acked_by_name TEXT,
     last_notified_at INTEGER NOT NULL,
     telegram_message_id INTEGER
   );
   -- At most one open incident per rule and room, enforced by the database.
   CREATE UNIQUE INDEX incidents_one_open ON incidents (room_id, rule) WHERE state = 'open';
   CREATE INDEX incidents_room_opened ON incidents (room_id, opened_at);
   CREATE TABLE outbox (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     channel TEXT NOT NULL,
     notice TEXT NOT NULL,            -- JSON
     created_at INTEGER NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     next_attempt_at INTEGER NOT NULL,
     delivered_at INTEGER,
     ref TEXT,
     last_error TEXT
   );
   CREATE INDEX outbox_pending ON outbox (channel, id) WHERE delivered_at IS NULL;
   CREATE INDEX outbox_delivered ON outbox (delivered_at) WHERE delivered_at IS NOT NULL;
   CREATE TABLE mutes (
     room_id TEXT NOT NULL,
     rule TEXT NOT NULL,
     until INTEGER NOT NULL,
     by_id INTEGER NOT NULL,
     by_name TEXT NOT NULL,
     PRIMARY KEY (room_id, rule)
   );
   CREATE TABLE audit (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     room_id TEXT NOT NULL,
     user_id INTEGER NOT NULL,
     user_name TEXT NOT NULL,
     action TEXT NOT NULL,
     incident_id TEXT,
     detail TEXT
   );
   CREATE INDEX audit_room_at ON audit (room_id, at);`,
  // 3: door access: staff cards (shared by every room) and the per-room access log
  `CREATE TABLE staff (
     card_uid TEXT PRIMARY KEY,       -- normalized before it gets here; compared exactly
     name TEXT NOT NULL,
     name_lower TEXT NOT NULL,        -- NFC + toLowerCase() in JS (SQLite's lower() is ASCII only)
     role TEXT NOT NULL CHECK (role IN ('admin', 'staff')),
     telegram_user_id INTEGER UNIQUE, -- NULLs do not collide
     active INTEGER NOT NULL CHECK (active IN (0, 1)),
     created_by INTEGER NOT NULL,
     created_at INTEGER NOT NULL,
     revoked_at INTEGER,
     revoked_by INTEGER
   );
   CREATE INDEX staff_name_lower ON staff (name_lower);
   CREATE TABLE access_log (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     room_id TEXT NOT NULL,
     at INTEGER NOT NULL,             -- epoch ms, UTC
     card_uid TEXT NOT NULL,
     staff_name TEXT,                 -- the name at the time; NULL for unknown cards
     decision TEXT NOT NULL CHECK (decision IN ('allowed', 'off-hours', 'unknown', 'revoked'))
   );
   -- "Latest N of a room", paged by id: WHERE room_id = ? AND id < ? ORDER BY id DESC.
   CREATE INDEX access_log_room_id ON access_log (room_id, id);
   -- "By person": WHERE room_id = ? AND card_uid = ? AND id < ? ORDER BY id DESC.
   CREATE INDEX access_log_room_card ON access_log (room_id, card_uid, id);
   -- "Between times": WHERE room_id = ? AND at >= ? AND at < ? ORDER BY at, id (rowid rides along).
   CREATE INDEX access_log_room_at ON access_log (room_id, at);`,
  // 4: media (snapshots and clips): the index of files kept under DATA_DIR/media/YYYY/MM/DD/
  `CREATE TABLE media (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     room_id TEXT NOT NULL,
     at INTEGER NOT NULL,             -- epoch ms, UTC, when captured
     kind TEXT NOT NULL CHECK (kind IN ('snapshot', 'clip')),
     mime TEXT NOT NULL,
     size INTEGER NOT NULL CHECK (size > 0),
     reason TEXT NOT NULL CHECK (reason IN ('request', 'motion', 'breach', 'alert')),
     key TEXT NOT NULL UNIQUE,        -- path of the file relative to the media directory
     width INTEGER,
     height INTEGER,
     seconds REAL,
     requested_by INTEGER,
     access_entry_id INTEGER,
     incident_id TEXT
   );
   -- "A room's newest first" and "between times": ORDER BY at DESC, id DESC (rowid rides along).
   CREATE INDEX media_room_at ON media (room_id, at);
   -- Retention: the oldest items of the whole store, and usage()'s min(at).
   CREATE INDEX media_at ON media (at);
   CREATE INDEX media_access_entry ON media (access_entry_id) WHERE access_entry_id IS NOT NULL;
   CREATE INDEX media_incident ON media (incident_id, at) WHERE incident_id IS NOT NULL;`,
  // 5: server checks: the host catalogue (per room) and the results of check runs
  `CREATE TABLE hosts (
     room_id TEXT NOT NULL,
     name TEXT NOT NULL,
     address TEXT NOT NULL,
     port INTEGER NOT NULL,
     user TEXT NOT NULL,
     key_file TEXT,                   -- NULL: the console's default SSH_KEY_FILE
     host_key TEXT NOT NULL,          -- pinned "SHA256:..." fingerprint
     checks TEXT NOT NULL CHECK (json_valid(checks)),         -- JSON array of check ids
     services TEXT NOT NULL CHECK (json_valid(services)),     -- JSON array of unit names
     thresholds TEXT NOT NULL CHECK (json_valid(thresholds)), -- JSON object
     added_by INTEGER,
     added_at INTEGER,
     -- Also serves "a room's hosts sorted by name".
     PRIMARY KEY (room_id, name)
   );
   CREATE TABLE server_results (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     room_id TEXT NOT NULL,
     host TEXT NOT NULL,              -- no foreign key: results outlive a removed host
     at INTEGER NOT NULL,             -- epoch ms, UTC, when the run started
     duration_ms INTEGER NOT NULL,
     reachable INTEGER NOT NULL CHECK (reachable IN (0, 1)),
     failure_kind TEXT,
     failure_message TEXT,
     presented_host_key TEXT,
     checks TEXT NOT NULL CHECK (json_valid(checks)),         -- JSON HostChecks
     CHECK ((failure_kind IS NULL) = (failure_message IS NULL)),
     CHECK (failure_kind IS NOT NULL OR presented_host_key IS NULL)
   );
   -- "A host's latest": ORDER BY at DESC, id DESC (rowid rides along); latestPerHost
   -- also walks it to find a room's distinct hosts (a skip scan, not a full scan).
   CREATE INDEX server_results_room_host_at ON server_results (room_id, host, at);
   -- Retention: DELETE ... WHERE at < ?.
   CREATE INDEX server_results_at ON server_results (at);`,
  // 6: dead letters (notices a channel refused for good leave the queue, kept for /alerts),
  // and the journal of incident changes not yet applied to a remote backend (STORAGE=aws)
  `ALTER TABLE outbox ADD COLUMN dead_at INTEGER;
   DROP INDEX outbox_pending;
   CREATE INDEX outbox_pending ON outbox (channel, id) WHERE delivered_at IS NULL AND dead_at IS NULL;
   CREATE INDEX outbox_dead ON outbox (dead_at) WHERE dead_at IS NOT NULL;
   CREATE TABLE incident_journal (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     op TEXT NOT NULL CHECK (op IN ('insert', 'update')),
     incident TEXT NOT NULL CHECK (json_valid(incident)),  -- the whole Incident as JSON
     created_at INTEGER NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     last_error TEXT
   );`,
  // 7: the rooms a card opens (NULL: every room), and the access decision "wrong-room" (a
  // card at a room its list does not name). SQLite cannot change a CHECK: the access log is
  // copied into a new table with the new CHECK (ids and the AUTOINCREMENT counter kept).
  `ALTER TABLE staff ADD COLUMN rooms TEXT CHECK (rooms IS NULL OR json_valid(rooms)); -- JSON array of room ids
   CREATE TABLE access_log_v7 (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     room_id TEXT NOT NULL,
     at INTEGER NOT NULL,             -- epoch ms, UTC
     card_uid TEXT NOT NULL,
     staff_name TEXT,                 -- the name at the time; NULL for unknown cards
     decision TEXT NOT NULL CHECK (decision IN ('allowed', 'off-hours', 'unknown', 'revoked', 'wrong-room'))
   );
   INSERT INTO access_log_v7 (id, room_id, at, card_uid, staff_name, decision)
     SELECT id, room_id, at, card_uid, staff_name, decision FROM access_log ORDER BY id;
   UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'access_log'), 0))
     WHERE name = 'access_log_v7';
   DROP TABLE access_log;
   ALTER TABLE access_log_v7 RENAME TO access_log;
   CREATE INDEX access_log_room_id ON access_log (room_id, id);
   CREATE INDEX access_log_room_card ON access_log (room_id, card_uid, id);
   CREATE INDEX access_log_room_at ON access_log (room_id, at);`,
];

/** The schema version this code migrates a database to (`PRAGMA user_version`). */
export const SCHEMA_VERSION = MIGRATIONS.length;

export function migrate(db: SqliteDatabase): { from: number; to: number } {
  const from = db.pragma("user_version", { simple: true }) as number;
  if (from > MIGRATIONS.length) {
    throw new DatabaseOpenError(
      `the database ${db.name}: schema version ${from} is newer than this Seroma knows (${MIGRATIONS.length}); upgrade Seroma, or restore a backup taken by this version`,
    );
  }
  for (let v = from; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v] as string);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return { from, to: MIGRATIONS.length };
}

/** The database could not be opened for a reason a person must fix (not corruption). */
export class DatabaseOpenError extends StartupError {
  override readonly name = "DatabaseOpenError";
}

/** A corrupt database file that was moved out of the way, and why. */
export interface SetAsideDatabase {
  /** The path the fresh database now has. */
  file: string;
  /** Where the corrupt one went. */
  setAside: string;
  /** What SQLite said. */
  error: string;
}

const CORRUPT_CODES = new Set(["SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_CORRUPT_INDEX", "SQLITE_CORRUPT_VTAB"]);

function sqliteCode(err: unknown): string {
  return String((err as { code?: unknown }).code ?? "");
}

export type Synchronous = "FULL" | "NORMAL";

function configure(db: SqliteDatabase, check: boolean, synchronous: Synchronous): void {
  db.pragma("journal_mode = WAL");
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  if (check) {
    const rows = db.pragma("quick_check(5)") as Array<{ quick_check: string }>;
    const problems = rows.map((r) => r.quick_check).filter((r) => r !== "ok");
    if (problems.length > 0) {
      throw Object.assign(new Error(`quick_check: ${problems.join("; ")}`), { code: "SQLITE_CORRUPT" });
    }
  }
  migrate(db);
}

/** One line for a database that cannot be opened for a reason a person must fix; undefined for corruption. */
function explain(file: string, err: unknown): DatabaseOpenError | undefined {
  const code = sqliteCode(err);
  const message = (err as Error).message;
  if (code === "SQLITE_READONLY" || code.startsWith("SQLITE_READONLY_") || code === "EACCES" || code === "EROFS") {
    return new DatabaseOpenError(
      `the database ${file} is read-only (${message}): give the user running Seroma write access to it and to ${dirname(file)} (e.g. sudo chown -R seroma: ${dirname(file)}), or set DATA_DIR to a writable directory`,
    );
  }
  if (code === "SQLITE_CANTOPEN" || code.startsWith("SQLITE_CANTOPEN_") || code === "SQLITE_PERM") {
    return new DatabaseOpenError(
      `the database ${file} cannot be opened (${message}): check that ${dirname(file)} exists and the user running Seroma may read and write it, or set DATA_DIR to a directory it can write`,
    );
  }
  if (code === "SQLITE_FULL" || code === "ENOSPC") {
    return new DatabaseOpenError(
      `no space left for the database ${file} (${message}): free space on that file system (old photos and clips are in ${dirname(file)}/media), then start again`,
    );
  }
  if (code === "SQLITE_IOERR" || code.startsWith("SQLITE_IOERR_")) {
    return new DatabaseOpenError(
      `the database ${file} cannot be read or written (${message}): the storage device may be failing; check it (dmesg), copy ${dirname(file)} elsewhere, then start again`,
    );
  }
  if (!CORRUPT_CODES.has(code)) return undefined;
  return undefined;
}

/**
 * Opens (creating if needed) and migrates the database. A corrupt file is set aside and a
 * fresh one created (`onSetAside` hears about it); other failures throw DatabaseOpenError.
 * `synchronous`: FULL (default; see above) or NORMAL (benchmarks compare the two).
 */
export function openDatabase(
  file: string,
  onSetAside?: (info: SetAsideDatabase) => void,
  options: { synchronous?: Synchronous } = {},
): SqliteDatabase {
  const synchronous = options.synchronous ?? "FULL";
  if (file !== ":memory:") {
    try {
      mkdirSync(dirname(file), { recursive: true });
    } catch (err) {
      throw new DatabaseOpenError(
        `the data directory ${dirname(file)} cannot be created (${(err as Error).message}): create it and give the user running Seroma write access, or set DATA_DIR`,
      );
    }
  }
  // A WAL file left behind: the last run did not close cleanly (power cut?): check the pages.
  const uncleanShutdown = file !== ":memory:" && existsSync(`${file}-wal`);
  let db: SqliteDatabase | undefined;
  try {
    db = new Database(file);
    configure(db, uncleanShutdown, synchronous);
    return db;
  } catch (err) {
    db?.close();
    if (err instanceof DatabaseOpenError) throw err;
    const fatal = explain(file, err);
    if (fatal) throw fatal;
    if (!CORRUPT_CODES.has(sqliteCode(err)) || file === ":memory:") throw err;
    const setAside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, "-")}`;
    for (const suffix of ["", "-wal", "-shm"]) {
      if (existsSync(`${file}${suffix}`)) renameSync(`${file}${suffix}`, `${setAside}${suffix}`);
    }
    onSetAside?.({ file, setAside, error: (err as Error).message });
    const fresh = new Database(file);
    try {
      configure(fresh, false, synchronous);
    } catch (again) {
      fresh.close();
      throw explain(file, again) ?? again;
    }
    return fresh;
  }
}

/** Checkpoints the WAL into the main file and closes: leaves a clean single-file database. */
export function closeDatabase(db: SqliteDatabase): void {
  if (!db.open) return;
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
}
