/**
 * The AWS backend's shared plumbing: one DynamoDB document client and one S3 client per
 * console (region and credentials from the standard AWS chain; endpoints overridable for
 * dynalite / s3rver on 127.0.0.1), table naming by prefix, the table definitions every
 * repository contributes (for `npm run aws:setup` and tests), and helpers that page
 * through Query results and write batches with unprocessed-item handling.
 */
import {
  type AttributeDefinition,
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  ResourceInUseException,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
} from "@aws-sdk/lib-dynamodb";

export interface AwsStorageOptions {
  region: string;
  /** Table names are `${prefix}-${base}`; S3 keys live under `media/ROOM/...` in `bucket`. */
  prefix: string;
  bucket: string;
  /** Only for local stand-ins (dynalite, s3rver); real AWS uses the region's endpoints. */
  endpoints?: { dynamodb?: string; s3?: string };
  /** Only for local stand-ins; real AWS takes credentials from the standard chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** SDK attempts per request (throttling and 5xx are retried with backoff). Default 5. */
  maxAttempts?: number;
}

export interface AwsContext {
  readonly ddb: DynamoDBClient;
  readonly doc: DynamoDBDocumentClient;
  readonly s3: S3Client;
  readonly prefix: string;
  readonly bucket: string;
  table(base: string): string;
  /** Counts requests by operation name (the bench checks "one Query per /history"). */
  readonly requests: Map<string, number>;
  destroy(): void;
}

/** A table a repository needs, without its prefix. */
export interface TableSpec {
  base: string;
  keySchema: KeySchemaElement[];
  attributes: AttributeDefinition[];
  gsis?: GlobalSecondaryIndex[];
}

export function createAwsContext(opts: AwsStorageOptions): AwsContext {
  const common = {
    region: opts.region,
    maxAttempts: opts.maxAttempts ?? 5,
    retryMode: "standard" as const,
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
  };
  const ddb = new DynamoDBClient({
    ...common,
    ...(opts.endpoints?.dynamodb ? { endpoint: opts.endpoints.dynamodb } : {}),
  });
  const requests = new Map<string, number>();
  ddb.middlewareStack.add(
    (next, context) => async (args) => {
      const op = String((context as { commandName?: string }).commandName ?? "unknown").replace(/Command$/, "");
      requests.set(op, (requests.get(op) ?? 0) + 1);
      return next(args);
    },
    { step: "initialize", name: "seromaRequestCounter" },
  );
  const doc = DynamoDBDocumentClient.from(ddb, {
    marshallOptions: { removeUndefinedValues: true },
    unmarshallOptions: { wrapNumbers: false },
  });
  const s3 = new S3Client({
    ...common,
    ...(opts.endpoints?.s3 ? { endpoint: opts.endpoints.s3, forcePathStyle: true } : {}),
    // s3rver stores aws-chunked bodies as they come (corrupt): checksums only when required.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  return {
    ddb,
    doc,
    s3,
    prefix: opts.prefix,
    bucket: opts.bucket,
    table: (base) => `${opts.prefix}-${base}`,
    requests,
    destroy() {
      doc.destroy();
      ddb.destroy();
      s3.destroy();
    },
  };
}

/** Every page of a Query, concatenated (bounded by `max` items). */
export async function queryAll<T>(
  ctx: AwsContext,
  input: QueryCommandInput,
  max = Number.POSITIVE_INFINITY,
): Promise<T[]> {
  const out: T[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await ctx.doc.send(new QueryCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) }));
    for (const item of page.Items ?? []) {
      out.push(item as T);
      if (out.length >= max) return out;
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

/**
 * Writes put/delete requests in batches of 25, retrying unprocessed items with
 * exponential backoff (throttling); rejects if some are still unprocessed after `attempts`.
 */
export async function batchWrite(
  ctx: AwsContext,
  table: string,
  requests: NonNullable<BatchWriteCommandInput["RequestItems"]>[string],
  attempts = 8,
): Promise<void> {
  for (let i = 0; i < requests.length; i += 25) {
    let pending = requests.slice(i, i + 25);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= attempts) throw new Error(`DynamoDB left ${pending.length} of the writes to ${table} unprocessed`);
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(2_000, 25 * 2 ** attempt)));
      const res = await ctx.doc.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
      pending = (res.UnprocessedItems?.[table] ?? []) as typeof pending;
    }
  }
}

/** Creates the tables that do not exist yet (idempotent), on-demand billing. */
export async function ensureTables(ctx: AwsContext, specs: readonly TableSpec[]): Promise<string[]> {
  const created: string[] = [];
  for (const spec of specs) {
    const name = ctx.table(spec.base);
    try {
      await ctx.ddb.send(new DescribeTableCommand({ TableName: name }));
      continue;
    } catch (err) {
      if ((err as { name?: string }).name !== "ResourceNotFoundException") throw err;
    }
    const input: CreateTableCommandInput = {
      TableName: name,
      KeySchema: spec.keySchema,
      AttributeDefinitions: spec.attributes,
      BillingMode: "PAY_PER_REQUEST",
      ...(spec.gsis?.length ? { GlobalSecondaryIndexes: spec.gsis } : {}),
    };
    try {
      await ctx.ddb.send(new CreateTableCommand(input));
      created.push(name);
    } catch (err) {
      if (!(err instanceof ResourceInUseException)) throw err;
    }
    await waitUntilTableExists({ client: ctx.ddb, maxWaitTime: 120, minDelay: 1 }, { TableName: name });
  }
  return created;
}
