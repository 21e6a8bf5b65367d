import { join } from "node:path";
import type { Storage } from "../ports.ts";
import { createSqliteAccessLogRepository, createSqliteStaffRepository } from "./access.ts";
import {
  createSqliteAuditRepository,
  createSqliteIncidentRepository,
  createSqliteMuteRepository,
  createSqliteOutboxRepository,
} from "./alerts.ts";
import { closeDatabase, openDatabase } from "./database.ts";
import { createSqliteReadingRepository } from "./readings.ts";
import { createSqliteUserSettingsRepository } from "./user-settings.ts";

export const SQLITE_FILE_NAME = "seroma.db";

/** Opens (creating if needed) `DATA_DIR/seroma.db`, or a given file / ":memory:". */
export function createSqliteStorage(opts: { dataDir: string } | { file: string }): Storage & { file: string } {
  const file = "file" in opts ? opts.file : join(opts.dataDir, SQLITE_FILE_NAME);
  const db = openDatabase(file);
  return {
    kind: "sqlite",
    file,
    readings: createSqliteReadingRepository(db),
    userSettings: createSqliteUserSettingsRepository(db),
    incidents: createSqliteIncidentRepository(db),
    outbox: createSqliteOutboxRepository(db),
    mutes: createSqliteMuteRepository(db),
    audit: createSqliteAuditRepository(db),
    staff: createSqliteStaffRepository(db),
    accessLog: createSqliteAccessLogRepository(db),
    async close() {
      closeDatabase(db);
    },
  };
}
