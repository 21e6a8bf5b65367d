/**
 * npm run aws:setup -- --region eu-central-1 --bucket my-seroma-media [--prefix seroma] [--topic seroma-alerts]
 *
 * Creates the DynamoDB tables, the S3 bucket (public access blocked, SSE-S3, TLS only)
 * and the SNS topic idempotently, with the credentials of whoever runs it (an admin, not
 * the Pi), then prints the least-privilege IAM policy for the Pi and the .env lines.
 * Values default to AWS_REGION, S3_BUCKET and AWS_PREFIX from the environment.
 */
import { parseArgs } from "node:util";
import { SNSClient } from "@aws-sdk/client-sns";
import { createAwsContext } from "../storage/aws/client.ts";
import { setupAwsBackend } from "../storage/aws/setup.ts";
import { ALL_TABLES } from "../storage/aws/tables.ts";

const { values } = parseArgs({
  options: {
    region: { type: "string" },
    bucket: { type: "string" },
    prefix: { type: "string" },
    topic: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  process.stdout.write(
    "npm run aws:setup -- --region REGION --bucket BUCKET [--prefix seroma] [--topic NAME]\n" +
      "Creates the tables, bucket and topic (idempotent) and prints the Pi's IAM policy.\n",
  );
  process.exit(0);
}
const env = process.env;
const region = values.region ?? env.AWS_REGION;
const bucket = values.bucket ?? env.S3_BUCKET;
const prefix = values.prefix ?? env.AWS_PREFIX ?? "seroma";
if (!region || !bucket) {
  process.stderr.write("aws:setup needs a region and a bucket: --region eu-central-1 --bucket my-seroma-media\n");
  process.exit(1);
}
if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(prefix)) {
  process.stderr.write("--prefix: use 1-40 lowercase letters, digits or '-'\n");
  process.exit(1);
}
const ctx = createAwsContext({
  region,
  prefix,
  bucket,
  ...(env.AWS_DYNAMODB_ENDPOINT || env.AWS_S3_ENDPOINT
    ? {
        endpoints: {
          ...(env.AWS_DYNAMODB_ENDPOINT ? { dynamodb: env.AWS_DYNAMODB_ENDPOINT } : {}),
          ...(env.AWS_S3_ENDPOINT ? { s3: env.AWS_S3_ENDPOINT } : {}),
        },
      }
    : {}),
});
try {
  const result = await setupAwsBackend(ctx, {
    tables: ALL_TABLES,
    region,
    ...(values.topic ? { topic: { sns: new SNSClient({ region }), name: values.topic } } : {}),
  });
  const out = process.stdout;
  out.write(`Tables (${ALL_TABLES.length}): ${result.tablesCreated.length} created, the rest existed.\n`);
  out.write(
    `Bucket ${bucket}: ${result.bucketCreated ? "created" : "existed"}; public access blocked, SSE-S3, TLS only.\n`,
  );
  for (const w of result.warnings) out.write(`warning: ${w}\n`);
  if (result.topicArn) out.write(`SNS topic: ${result.topicArn}\n`);
  out.write("\nIAM policy for the Pi (attach to its user or role; nothing else is needed):\n\n");
  out.write(`${JSON.stringify(result.policy, null, 2)}\n\n`);
  out.write("In the Pi's .env:\n\n");
  out.write(`STORAGE=aws\nAWS_REGION=${region}\nAWS_PREFIX=${prefix}\nS3_BUCKET=${bucket}\n`);
  if (result.topicArn) out.write(`SNS_TOPIC_ARN=${result.topicArn}\n`);
} catch (err) {
  process.stderr.write(`aws:setup failed: ${(err as Error).name}: ${(err as Error).message}\n`);
  process.exitCode = 1;
} finally {
  ctx.destroy();
}
