/**
 * The embedded database: one SQLite file in DATA_DIR, WAL mode, schema migrations
 * tracked in `PRAGMA user_version`. The data directory is created on first open.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";

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
];

export function migrate(db: SqliteDatabase): { from: number; to: number } {
  const from = db.pragma("user_version", { simple: true }) as number;
  if (from > MIGRATIONS.length) {
    throw new Error(
      `database schema version ${from} is newer than this Seroma knows (${MIGRATIONS.length}); upgrade Seroma or restore a backup`,
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

export function openDatabase(file: string): SqliteDatabase {
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  migrate(db);
  return db;
}

/** Checkpoints the WAL into the main file and closes: leaves a clean single-file database. */
export function closeDatabase(db: SqliteDatabase): void {
  if (!db.open) return;
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
}
