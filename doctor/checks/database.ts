/**
 * The database, DATA_DIR/seroma.db, opened read-only (the doctor never changes it, and the
 * console may be running): `PRAGMA quick_check` and the schema version against this code's.
 * A damaged file is a fail whose fix restores the newest backup in DATA_DIR/backups
 * (storage/sqlite/backup.ts names them seroma-YYYYMMDD-HHMMSS.db, UTC).
 */
import { access, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { type Check, fail, messageOf, ok, skip } from "../check.ts";
import { NO_CONFIG } from "./configuration.ts";

const DB_FILE = "seroma.db";
const DAMAGED = new Set(["SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_CORRUPT_INDEX", "SQLITE_CORRUPT_VTAB"]);

interface SqliteLike {
  pragma(source: string, options?: { simple?: boolean }): unknown;
  close(): void;
}
type DatabaseClass = new (file: string, options: { readonly: boolean; fileMustExist: boolean }) => SqliteLike;

function restoreHint(dataDir: string, newest: string | undefined): string {
  const db = join(dataDir, DB_FILE);
  if (!newest) {
    return (
      `there is no backup in ${join(dataDir, "backups")}: at its next start the console sets the file aside ` +
      `(${DB_FILE}.corrupt-<time>) and starts on a fresh database; keep the damaged copy (\`sqlite3 ${db} .recover\` may save rows)`
    );
  }
  return (
    `restore the newest backup: \`sudo systemctl stop seroma && cp ${db} ${db}.before-restore && ` +
    `rm -f ${db}-wal ${db}-shm && cp ${newest} ${db} && sudo systemctl start seroma\``
  );
}

export const databaseCheck: Check = {
  id: "database",
  title: "Database",
  manual: "sqlite3 -readonly DATA_DIR/seroma.db 'PRAGMA quick_check'",
  async run(ctx) {
    if (!ctx.config.ok) return skip(NO_CONFIG);
    const { dataDir } = ctx.config.config;
    const file = join(dataDir, DB_FILE);
    const present = await access(file).then(
      () => true,
      () => false,
    );
    if (!present) return skip(`no ${file} yet: the console creates it at its first start`);
    let Database: DatabaseClass;
    let schemaVersion: number;
    let listBackups: (dir: string) => Promise<string[]>;
    try {
      Database = (await import("better-sqlite3")).default as unknown as DatabaseClass;
      ({ SCHEMA_VERSION: schemaVersion } = await import("../../storage/sqlite/database.ts"));
      ({ listBackups } = await import("../../storage/sqlite/backup.ts"));
    } catch (e) {
      return fail(
        `cannot check ${file}: better-sqlite3 does not load (${messageOf(e).split("\n")[0]})`,
        "`npm rebuild better-sqlite3` (see Native modules)",
      );
    }
    const backups = await listBackups(join(dataDir, "backups")).catch(() => [] as string[]);
    const newest = backups[0];
    let problems: string[] = [];
    let version = 0;
    try {
      const db = new Database(file, { readonly: true, fileMustExist: true });
      try {
        const rows = db.pragma("quick_check(5)") as Array<{ quick_check: string }>;
        problems = rows.map((r) => r.quick_check).filter((r) => r !== "ok");
        version = db.pragma("user_version", { simple: true }) as number;
      } finally {
        db.close();
      }
    } catch (e) {
      const code = String((e as { code?: unknown }).code ?? "");
      if (!DAMAGED.has(code)) {
        return fail(
          `${file} cannot be opened (${code || "error"}: ${messageOf(e)})`,
          `give the user that runs the console access to it: \`sudo chown -R seroma: ${dataDir}\``,
        );
      }
      problems = [`${code}: ${messageOf(e)}`];
    }
    if (problems.length > 0) {
      return fail(
        `${file} is damaged (${problems.join("; ")})${newest ? `; newest backup: ${basename(newest)}` : "; no backups"}`,
        restoreHint(dataDir, newest),
      );
    }
    const { size } = await stat(file);
    const kb = `${Math.max(1, Math.round(size / 1024))} KB`;
    const backupNote = newest
      ? `newest backup ${basename(newest)}`
      : "no backups yet (nightly at BACKUP_AT, or /backup)";
    if (version > schemaVersion) {
      return fail(
        `${file}: schema version ${version} is newer than this Seroma's (${schemaVersion}): the console refuses it`,
        "update Seroma (`git pull && npm install`) to the version that wrote it, or restore a backup this version took",
      );
    }
    const schema =
      version === schemaVersion
        ? `schema version ${version} (current)`
        : `schema version ${version} (the console migrates it to ${schemaVersion} at its next start)`;
    return ok(`${file} (${kb}): quick_check ok; ${schema}; ${backupNote}`);
  },
};
