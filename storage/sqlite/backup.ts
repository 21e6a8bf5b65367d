/**
 * Online backups of the embedded database: better-sqlite3's backup API copies the live
 * database page by page (readers and writers keep going) into a temp file next to the
 * backups, the copy is checked (`PRAGMA quick_check`, schema version), then renamed to
 * `seroma-YYYYMMDD-HHMMSS.db`. Older backups beyond the retention count are deleted.
 *
 * Restoring: stop the console, copy a backup over DATA_DIR/seroma.db (and delete
 * seroma.db-wal and seroma.db-shm if present), start the console (README, "Backups").
 */
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { BackupInfo } from "../../core/storage.ts";
import type { SqliteDatabase } from "./database.ts";

const BACKUP_NAME = /^seroma-(\d{8})-(\d{6})\.db$/;

function stamp(at: number): string {
  const iso = new Date(at).toISOString(); // UTC: names sort by time whatever the zone
  return `${iso.slice(0, 10).replaceAll("-", "")}-${iso.slice(11, 19).replaceAll(":", "")}`;
}

/** Backs `db` up into `dir` (created if needed). Rejects, leaving nothing behind, if the copy fails or is damaged. */
export async function backupSqlite(db: SqliteDatabase, dir: string, at: number): Promise<BackupInfo> {
  const started = performance.now();
  await mkdir(dir, { recursive: true });
  const name = `seroma-${stamp(at)}.db`;
  const tmp = join(dir, `.tmp-${process.pid}-${name}`);
  try {
    await db.backup(tmp);
    // The copy inherits WAL mode; a backup is one self-contained file: journal_mode DELETE.
    const copy = new Database(tmp, { fileMustExist: true });
    let schemaVersion: number;
    try {
      copy.pragma("journal_mode = DELETE");
      const check = copy.pragma("quick_check", { simple: true });
      if (check !== "ok") throw new Error(`the backup copy failed its integrity check: ${String(check)}`);
      schemaVersion = copy.pragma("user_version", { simple: true }) as number;
    } finally {
      copy.close();
    }
    const file = join(dir, name);
    await rename(tmp, file);
    const { size } = await stat(file);
    return { file, bytes: size, durationMs: Math.round(performance.now() - started), schemaVersion };
  } catch (err) {
    for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) await rm(f, { force: true });
    throw err;
  }
}

/** Backups in `dir`, newest first (only files this module names). */
export async function listBackups(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  return names
    .filter((n) => BACKUP_NAME.test(n))
    .sort()
    .reverse()
    .map((n) => join(dir, n));
}

/** Deletes all but the newest `keep` backups (and stale temp files); returns the deleted paths. */
export async function pruneBackups(dir: string, keep: number): Promise<string[]> {
  const all = await listBackups(dir);
  const doomed = all.slice(Math.max(0, keep));
  for (const f of doomed) await rm(f, { force: true });
  try {
    for (const n of await readdir(dir)) if (n.startsWith(".tmp-")) await rm(join(dir, n), { force: true });
  } catch {
    // no directory: nothing to sweep
  }
  return doomed;
}
