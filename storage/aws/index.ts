/**
 * STORAGE=aws: every repository on DynamoDB and the media store on S3, shared by all the
 * rooms of a backend, except what must work while AWS cannot be reached, which stays on
 * the Pi in DATA_DIR:
 *   - the alert outbox (seroma.db): an alert is written before it is sent, so it must be
 *     writable when the network is down; it is the Pi's own delivery queue anyway;
 *   - readings taken while AWS is unreachable (aws-buffer.db), uploaded when it is back.
 * The tables and the bucket are created by `npm run aws:setup` (the Pi's IAM policy
 * cannot create them); at start the console checks that they exist.
 */

import { join } from "node:path";
import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import type { Logger } from "../../core/logger.ts";
import type { Storage } from "../../core/storage.ts";
import { createSqliteStorage } from "../sqlite/index.ts";
import { createDynamoAccessLogRepository } from "./access-log.ts";
import { createJournalledAlertLedger } from "./alert-ledger.ts";
import { createDynamoAuditRepository } from "./audit.ts";
import { type AwsContext, type AwsStorageOptions, createAwsContext } from "./client.ts";
import { createDynamoIncidentRepository } from "./incidents.ts";
import { createS3MediaStore } from "./media.ts";
import { createDynamoMuteRepository } from "./mutes.ts";
import { createBufferedReadingRepository, openReadingBuffer } from "./reading-buffer.ts";
import { createDynamoReadingRepository } from "./readings.ts";
import { createDynamoHostRepository, createDynamoServerResultRepository } from "./servers.ts";
import { createDynamoStaffRepository } from "./staff.ts";
import { ALL_TABLES } from "./tables.ts";
import { createDynamoUserSettingsRepository } from "./user-settings.ts";

/** Tables or the bucket do not exist: `npm run aws:setup` was not run (for this region and prefix). */
export class AwsBackendNotSetUpError extends Error {
  override readonly name = "AwsBackendNotSetUpError";
  readonly missing: readonly string[];
  constructor(missing: readonly string[]) {
    super(`the AWS backend is not set up (missing: ${missing.join(", ")}); run npm run aws:setup`);
    this.missing = missing;
  }
}

export type AwsStorage = Storage & {
  readonly aws: AwsContext;
  /** Uploads readings buffered during an outage now; resolves with how many. */
  flushReadings(): Promise<number>;
  pendingReadings(): number;
  /** Rejects with AwsBackendNotSetUpError if a table or the bucket does not exist (other errors: AWS unreachable...). */
  verify(): Promise<void>;
};

export function createAwsStorage(opts: AwsStorageOptions & { dataDir: string; logger: Logger }): AwsStorage {
  const ctx = createAwsContext(opts);
  // The outbox stays local: see the top of this file.
  const local = createSqliteStorage({ dataDir: opts.dataDir });
  const buffer = openReadingBuffer(join(opts.dataDir, "aws-buffer.db"));
  const readings = createBufferedReadingRepository({
    remote: createDynamoReadingRepository(ctx),
    buffer,
    logger: opts.logger,
  });
  const incidents = createDynamoIncidentRepository(ctx);
  return {
    kind: "aws",
    ...(local.replacedDatabase ? { replacedDatabase: local.replacedDatabase } : {}),
    aws: ctx,
    readings,
    userSettings: createDynamoUserSettingsRepository(ctx),
    incidents,
    outbox: local.outbox,
    alertLedger: createJournalledAlertLedger(local.incidentJournal, incidents, opts.logger),
    mutes: createDynamoMuteRepository(ctx),
    audit: createDynamoAuditRepository(ctx),
    staff: createDynamoStaffRepository(ctx),
    accessLog: createDynamoAccessLogRepository(ctx),
    media: createS3MediaStore(ctx),
    hosts: createDynamoHostRepository(ctx),
    serverResults: createDynamoServerResultRepository(ctx),
    flushReadings: () => readings.flush(),
    pendingReadings: () => readings.pending(),
    async verify() {
      const missing: string[] = [];
      for (const spec of ALL_TABLES) {
        try {
          await ctx.ddb.send(new DescribeTableCommand({ TableName: ctx.table(spec.base) }));
        } catch (err) {
          if ((err as { name?: string }).name === "ResourceNotFoundException") missing.push(ctx.table(spec.base));
          else throw err;
        }
      }
      try {
        // ListObjectsV2 under media/ is what the Pi's policy allows (HeadBucket needs an unconditioned ListBucket).
        await ctx.s3.send(new ListObjectsV2Command({ Bucket: ctx.bucket, Prefix: "media/", MaxKeys: 1 }));
      } catch (err) {
        if ((err as { name?: string }).name === "NoSuchBucket") missing.push(`bucket ${ctx.bucket}`);
        else throw err;
      }
      if (missing.length > 0) throw new AwsBackendNotSetUpError(missing);
    },
    async close() {
      ctx.destroy();
      buffer.close();
      await local.close();
    },
  };
}
