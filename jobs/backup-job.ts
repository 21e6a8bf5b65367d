/**
 * Backup job: once a day at BACKUP_AT (local time), an online backup of the embedded
 * database into DATA_DIR/backups, keeping the newest BACKUP_KEEP; `runNow` for /backup
 * (a run in progress is shared). A failed backup is logged and reported to the staff
 * group (a notice, not an incident: the next night tries again).
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import type { Notice } from "../core/alerts/types.ts";
import type { Clock } from "../core/clock.ts";
import type { Config } from "../core/config.ts";
import type { Logger } from "../core/logger.ts";
import type { ScheduledHandle, Scheduler } from "../core/scheduler.ts";
import type { BackupInfo, Storage } from "../storage/ports.ts";
import { listBackups, pruneBackups } from "../storage/sqlite/backup.ts";

export type BackupOutcome =
  | ({
      ok: true;
      kept: number;
      pruned: number;
      /** Where it was uploaded (s3://bucket/key), or why not; absent when no bucket is configured. */
      upload?: { ok: true; url: string } | { ok: false; error: string };
    } & BackupInfo)
  | { ok: false; error: string };

/** Uploads a backup file; resolves with its s3:// URL. */
export type BackupUploader = (file: string) => Promise<string>;

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
      const pruned = await pruneBackups(deps.dir, deps.keep);
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
        kept: (await listBackups(deps.dir)).length,
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

/** Uploads backups to s3://bucket/backups/ROOM/NAME (SSE-S3), streamed from the file. */
export function createS3BackupUploader(opts: {
  region: string;
  bucket: string;
  roomId: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}): BackupUploader {
  // The S3 client (and the SDK) is loaded at the first upload, not at start.
  let client:
    | Promise<{ s3: S3Client; PutObjectCommand: typeof import("@aws-sdk/client-s3").PutObjectCommand }>
    | undefined;
  const connect = async () => {
    const { S3Client, PutObjectCommand } = await import("@aws-sdk/client-s3");
    const s3 = new S3Client({
      region: opts.region,
      ...(opts.endpoint ? { endpoint: opts.endpoint, forcePathStyle: true } : {}),
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
    return { s3, PutObjectCommand };
  };
  return async (file) => {
    client ??= connect().catch((err: unknown) => {
      client = undefined; // try loading again at the next upload
      throw err;
    });
    const { s3, PutObjectCommand } = await client;
    const key = `backups/${opts.roomId}/${basename(file)}`;
    const { size } = await stat(file);
    await s3.send(
      new PutObjectCommand({
        Bucket: opts.bucket,
        Key: key,
        Body: createReadStream(file),
        ContentLength: size,
        ContentType: "application/vnd.sqlite3",
        ServerSideEncryption: "AES256",
      }),
    );
    return `s3://${opts.bucket}/${key}`;
  };
}

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
