/**
 * `npm run aws:setup`: creates what a Seroma backend needs in one region, idempotently
 * (run it again any time): the DynamoDB tables (on-demand billing), the S3 bucket
 * (public access blocked, default encryption SSE-S3, TLS-only bucket policy) and the SNS
 * topic; then prints the least-privilege IAM policy the Pi's user or role needs: only
 * these tables and their indexes, only `media/` and `backups/` in this bucket, only
 * Publish to this topic. iam/seroma-pi-policy.json is the same policy as a template.
 */
import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import {
  CreateBucketCommand,
  HeadBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
} from "@aws-sdk/client-s3";
import { CreateTopicCommand, type SNSClient } from "@aws-sdk/client-sns";
import type { AwsContext, TableSpec } from "./client.ts";
import { ensureTables } from "./client.ts";

export interface PiPolicyInput {
  tableArns: readonly string[];
  bucket: string;
  topicArn?: string;
}

/** The IAM policy document for the Pi: exactly the actions Seroma uses, on exactly its resources. */
export function buildPiPolicy(input: PiPolicyInput): Record<string, unknown> {
  const statements: Record<string, unknown>[] = [
    {
      Sid: "SeromaTables",
      Effect: "Allow",
      Action: [
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:Query",
        "dynamodb:BatchWriteItem",
        "dynamodb:DescribeTable",
      ],
      Resource: input.tableArns.flatMap((arn) => [arn, `${arn}/index/*`]),
    },
    {
      Sid: "SeromaMedia",
      Effect: "Allow",
      Action: ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
      Resource: `arn:aws:s3:::${input.bucket}/media/*`,
    },
    {
      Sid: "SeromaBackupUploads",
      Effect: "Allow",
      Action: "s3:PutObject",
      Resource: `arn:aws:s3:::${input.bucket}/backups/*`,
    },
    {
      Sid: "SeromaListOwnPrefixes",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: `arn:aws:s3:::${input.bucket}`,
      Condition: { StringLike: { "s3:prefix": ["media/*", "backups/*"] } },
    },
  ];
  if (input.topicArn) {
    statements.push({ Sid: "SeromaAlerts", Effect: "Allow", Action: "sns:Publish", Resource: input.topicArn });
  }
  return { Version: "2012-10-17", Statement: statements };
}

export interface SetupResult {
  topicArn?: string;
  tablesCreated: string[];
  tableArns: string[];
  bucketCreated: boolean;
  /** Hardening steps the endpoint refused (a local stand-in may not implement them). */
  warnings: string[];
  policy: Record<string, unknown>;
}

export async function setupAwsBackend(
  ctx: AwsContext,
  opts: {
    tables: readonly TableSpec[];
    region: string;
    /** Creates (or finds: CreateTopic is idempotent by name) this topic. */
    topic?: { sns: SNSClient; name: string };
  },
): Promise<SetupResult> {
  const warnings: string[] = [];
  let topicArn: string | undefined;
  if (opts.topic) {
    const t = await opts.topic.sns.send(new CreateTopicCommand({ Name: opts.topic.name }));
    topicArn = t.TopicArn;
  }
  const tablesCreated = await ensureTables(ctx, opts.tables);
  const tableArns: string[] = [];
  for (const spec of opts.tables) {
    const d = await ctx.ddb.send(new DescribeTableCommand({ TableName: ctx.table(spec.base) }));
    if (d.Table?.TableArn) tableArns.push(d.Table.TableArn);
  }
  let bucketCreated = false;
  try {
    await ctx.s3.send(new HeadBucketCommand({ Bucket: ctx.bucket }));
  } catch (err) {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status !== 404) throw err;
    await ctx.s3.send(
      new CreateBucketCommand({
        Bucket: ctx.bucket,
        ...(opts.region === "us-east-1"
          ? {}
          : { CreateBucketConfiguration: { LocationConstraint: opts.region as never } }),
      }),
    );
    bucketCreated = true;
  }
  const hardening: Array<[string, () => Promise<unknown>]> = [
    [
      "block public access",
      () =>
        ctx.s3.send(
          new PutPublicAccessBlockCommand({
            Bucket: ctx.bucket,
            PublicAccessBlockConfiguration: {
              BlockPublicAcls: true,
              IgnorePublicAcls: true,
              BlockPublicPolicy: true,
              RestrictPublicBuckets: true,
            },
          }),
        ),
    ],
    [
      "default encryption",
      () =>
        ctx.s3.send(
          new PutBucketEncryptionCommand({
            Bucket: ctx.bucket,
            ServerSideEncryptionConfiguration: {
              Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
            },
          }),
        ),
    ],
    [
      "TLS-only bucket policy",
      () =>
        ctx.s3.send(
          new PutBucketPolicyCommand({
            Bucket: ctx.bucket,
            Policy: JSON.stringify({
              Version: "2012-10-17",
              Statement: [
                {
                  Sid: "DenyInsecureTransport",
                  Effect: "Deny",
                  Principal: "*",
                  Action: "s3:*",
                  Resource: [`arn:aws:s3:::${ctx.bucket}`, `arn:aws:s3:::${ctx.bucket}/*`],
                  Condition: { Bool: { "aws:SecureTransport": "false" } },
                },
              ],
            }),
          }),
        ),
    ],
  ];
  for (const [what, run] of hardening) {
    try {
      await run();
    } catch (err) {
      warnings.push(`${what}: ${(err as Error).name}: ${(err as Error).message}`);
    }
  }
  return {
    ...(topicArn ? { topicArn } : {}),
    tablesCreated,
    tableArns,
    bucketCreated,
    warnings,
    policy: buildPiPolicy({
      tableArns,
      bucket: ctx.bucket,
      ...(topicArn ? { topicArn } : {}),
    }),
  };
}
