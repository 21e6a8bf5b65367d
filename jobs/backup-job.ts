/**
 * Backup job: once a day at BACKUP_AT (local time), an online backup of the embedded
 * database into DATA_DIR/backups, keeping the newest BACKUP_KEEP; `runNow` for /backup
 * (a run in progress is shared). A failed backup is logged and reported to the staff
 * group (a notice, not an incident: the next night tries again).
 */
import type { Notice } from "../core/alerts/types.ts";
import type { Clock } from "../core/clock.ts";
import type { Logger } from "../core/logger.ts";
import type { ScheduledHandle, Scheduler } from "../core/scheduler.ts";
import type { BackupOutcome, BackupUploader, Storage } from "../core/storage.ts";

/** Uploads a backup file; resolves with its s3:// URL. */
export type { BackupOutcome, BackupUploader };

export interface BackupJobDeps {
  roomId: string;
  storage: Pick<Storage, "backup" | "kind">;
  dir: string;
  keep: number;
  /** "HH:MM" local; undefined: no nightly backup (runNow still works). */
  at: string | undefined;
  timeZone: string;
  scheduler: Scheduler;
  clock: Clock;
  logger: Logger;
  notify: (n: Notice) => Promise<void>;
  /** Also uploads each backup (S3 when configured). */
  upload?: BackupUploader;
  /** The backups in `dir`, newest first, and deleting all but the newest `keep` (storage/sqlite/backup.ts). */
  files: { list(dir: string): Promise<string[]>; prune(dir: string, keep: number): Promise<string[]> };
}

export interface BackupJob {
  start(): Promise<void>;
  stop(): Promise<void>;
  runNow(): Promise<BackupOutcome>;
}

export function createBackupJob(deps: BackupJobDeps): BackupJob {
  const log = deps.logger.child({ job: "backup" });
  let handle: ScheduledHandle | undefined;
  let running: Promise<BackupOutcome> | undefined;

  async function run(): Promise<BackupOutcome> {
    const backup = deps.storage.backup;
    if (!backup) {
      return {
        ok: false,
        error: `the ${deps.storage.kind} backend keeps no local database to copy (with AWS, enable DynamoDB point-in-time recovery)`,
      };
    }
    try {
      const info = await backup.call(deps.storage, deps.dir, deps.clock.now().getTime());
      const pruned = await deps.files.prune(deps.dir, deps.keep);
      log.info({ file: info.file, bytes: info.bytes, ms: info.durationMs, pruned: pruned.length }, "backup written");
      let upload: { ok: true; url: string } | { ok: false; error: string } | undefined;
      if (deps.upload) {
        try {
          upload = { ok: true, url: await deps.upload(info.file) };
          log.info({ url: upload.url }, "backup uploaded");
        } catch (err) {
          upload = { ok: false, error: (err as Error).message };
          log.error({ err }, "backup written locally, but the upload failed");
        }
      }
      return {
        ok: true,
        ...info,
        kept: (await deps.files.list(deps.dir)).length,
        pruned: pruned.length,
        ...(upload ? { upload } : {}),
      };
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      log.error({ err }, "backup failed");
      return { ok: false, error };
    }
  }

  function runNow(): Promise<BackupOutcome> {
    running ??= run().finally(() => {
      running = undefined;
    });
    return running;
  }

  return {
    async start() {
      if (!deps.at) return;
      const [hh, mm] = deps.at.split(":");
      handle = deps.scheduler.schedule(
        `0 ${Number(mm)} ${Number(hh)} * * *`,
        async () => {
          const outcome = await runNow();
          if (!outcome.ok) {
            await deps.notify({
              kind: "backup-failed",
              roomId: deps.roomId,
              severity: "warning",
              at: deps.clock.now().getTime(),
              details: { error: outcome.error.slice(0, 300) },
            });
          }
        },
        { name: "backup", timeZone: deps.timeZone },
      );
    },
    async stop() {
      await handle?.stop();
      handle = undefined;
      await running;
    },
    runNow,
  };
}
