/**
 * The backups of a room, wired from the configuration: the job (jobs/), the database's
 * backup files (storage/sqlite/backup.ts) and, with S3_BUCKET + AWS_REGION, uploads to S3.
 */
import type { Config } from "../core/config.ts";
import { type BackupJob, type BackupJobDeps, createBackupJob } from "../jobs/backup-job.ts";
import { createS3BackupUploader } from "../storage/aws/backup-upload.ts";
import { listBackups, pruneBackups } from "../storage/sqlite/backup.ts";

/**
 * The backup job as the configuration describes it (BACKUP_*, and S3 uploads with
 * S3_BUCKET + AWS_REGION). Backends without a local database (AWS: DynamoDB has
 * point-in-time recovery) get no nightly run; /backup says why.
 */
export function createBackupJobFromConfig(
  config: Pick<Config, "roomId" | "backup" | "officeHours">,
  deps: Pick<BackupJobDeps, "storage" | "scheduler" | "clock" | "logger" | "notify"> & {
    /** Only for local S3 stand-ins; real AWS uses the standard credential chain. */
    s3Credentials?: { accessKeyId: string; secretAccessKey: string };
  },
): BackupJob {
  const { s3Credentials, ...rest } = deps;
  const s3 = config.backup.s3;
  return createBackupJob({
    ...rest,
    files: { list: listBackups, prune: pruneBackups },
    roomId: config.roomId,
    dir: config.backup.dir,
    keep: config.backup.keep,
    at: deps.storage.backup ? config.backup.at : undefined,
    timeZone: config.officeHours.timeZone,
    ...(s3
      ? {
          upload: createS3BackupUploader({
            region: s3.region,
            bucket: s3.bucket,
            roomId: config.roomId,
            ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
            ...(s3Credentials ? { credentials: s3Credentials } : {}),
          }),
        }
      : {}),
  });
}
