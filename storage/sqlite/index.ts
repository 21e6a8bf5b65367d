import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Storage } from "../../core/storage.ts";
import { createSqliteAccessLogRepository, createSqliteStaffRepository } from "./access.ts";
import {
  createSqliteAlertLedger,
  createSqliteAuditRepository,
  createSqliteIncidentJournal,
  createSqliteIncidentRepository,
  createSqliteMuteRepository,
  createSqliteOutboxRepository,
} from "./alerts.ts";
import { backupSqlite } from "./backup.ts";
import { closeDatabase, openDatabase, type SetAsideDatabase } from "./database.ts";
import { createSqliteMediaStore } from "./media.ts";
import { createSqliteReadingRepository } from "./readings.ts";
import { createSqliteHostRepository, createSqliteServerResultRepository } from "./servers.ts";
import { createSqliteStaffMirror } from "./staff-mirror.ts";
import { createSqliteUserSettingsRepository } from "./user-settings.ts";

export const SQLITE_FILE_NAME = "seroma.db";
export const MEDIA_DIR_NAME = "media";

/**
 * Opens (creating if needed) `DATA_DIR/seroma.db` with media files under `DATA_DIR/media`,
 * or a given file / ":memory:". With a file, media go to `mediaDir`, by default `media`
 * next to the file; with ":memory:", to a fresh directory under the OS temp directory
 * that `close()` deletes. Media directories are created on the first save.
 */
export function createSqliteStorage(
  opts: { dataDir: string } | { file: string; mediaDir?: string },
): Storage & { file: string; mediaDir: string; incidentJournal: ReturnType<typeof createSqliteIncidentJournal> } {
  const file = "file" in opts ? opts.file : join(opts.dataDir, SQLITE_FILE_NAME);
  const ephemeralMedia = "file" in opts && opts.file === ":memory:" && opts.mediaDir === undefined;
  const mediaDir =
    "dataDir" in opts
      ? join(opts.dataDir, MEDIA_DIR_NAME)
      : (opts.mediaDir ??
        (ephemeralMedia ? join(tmpdir(), `seroma-media-${randomUUID()}`) : join(dirname(file), MEDIA_DIR_NAME)));
  let replacedDatabase: SetAsideDatabase | undefined;
  const db = openDatabase(file, (info) => {
    replacedDatabase = info;
  });
  return {
    kind: "sqlite",
    ...(replacedDatabase ? { replacedDatabase } : {}),
    file,
    mediaDir,
    readings: createSqliteReadingRepository(db),
    userSettings: createSqliteUserSettingsRepository(db),
    incidents: createSqliteIncidentRepository(db),
    outbox: createSqliteOutboxRepository(db),
    alertLedger: createSqliteAlertLedger(db),
    // For a backend whose incidents live elsewhere (STORAGE=aws keeps its outbox here).
    incidentJournal: createSqliteIncidentJournal(db),
    mutes: createSqliteMuteRepository(db),
    audit: createSqliteAuditRepository(db),
    staff: createSqliteStaffRepository(db),
    accessLog: createSqliteAccessLogRepository(db),
    staffMirror: createSqliteStaffMirror(db),
    media: createSqliteMediaStore(db, { dir: mediaDir }),
    hosts: createSqliteHostRepository(db),
    serverResults: createSqliteServerResultRepository(db),
    backup: (dir, at) => backupSqlite(db, dir, at),
    async close() {
      closeDatabase(db);
      if (ephemeralMedia) rmSync(mediaDir, { recursive: true, force: true });
    },
  };
}
