/**
 * DynamoDB and S3 on 127.0.0.1 for tests and benches: dynalite (in memory, tables
 * created at once) and s3rver (files in a temp directory), with an AwsContext whose real
 * AWS SDK clients talk to them, and the tables of the given specs created.
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import dynalite from "dynalite";
import S3rver from "s3rver";
import {
  type AwsContext,
  type AwsStorageOptions,
  createAwsContext,
  ensureTables,
  type TableSpec,
} from "../../storage/aws/client.ts";

export interface LocalAws {
  options: AwsStorageOptions;
  /** A context on the local services (the caller may make more with `options`). */
  ctx: AwsContext;
  /** Stops both servers (connections refused afterwards: "AWS unreachable"). */
  stop(): Promise<void>;
}

export const LOCAL_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

export async function startLocalAws(
  opts: { tables?: readonly TableSpec[]; prefix?: string; bucket?: string } = {},
): Promise<LocalAws> {
  const dyn: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    dyn.once("error", reject);
    dyn.listen(0, "127.0.0.1", () => resolve());
  });
  const dir = mkdtempSync(join(tmpdir(), "seroma-s3rver-"));
  const bucket = opts.bucket ?? "seroma-test";
  const s3 = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory: dir });
  const s3Address = await s3.run();
  const options: AwsStorageOptions = {
    region: "eu-central-1",
    prefix: opts.prefix ?? "seroma-test",
    bucket,
    endpoints: {
      dynamodb: `http://127.0.0.1:${(dyn.address() as AddressInfo).port}`,
      s3: `http://127.0.0.1:${s3Address.port}`,
    },
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 2,
  };
  const ctx = createAwsContext(options);
  await ctx.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  if (opts.tables) await ensureTables(ctx, opts.tables);
  return {
    options,
    ctx,
    async stop() {
      ctx.destroy();
      await new Promise<void>((resolve) => dyn.close(() => resolve()));
      await s3.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
