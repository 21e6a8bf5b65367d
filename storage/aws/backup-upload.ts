/**
 * Backups of the embedded database also kept on S3: s3://bucket/backups/ROOM/NAME (SSE-S3),
 * streamed from the file. The SDK is loaded at the first upload.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";

import type { BackupUploader } from "../../core/storage.ts";

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
