/** npm run aws:setup against DynamoDB and S3 on 127.0.0.1: idempotent, and the policy it prints. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { SNSClient } from "@aws-sdk/client-sns";
import { buildPiPolicy, setupAwsBackend } from "../../../storage/aws/setup.ts";
import { ALL_TABLES } from "../../../storage/aws/tables.ts";
import { LOCAL_CREDENTIALS, type LocalAws, startLocalAws } from "../../support/aws-local.ts";
import { startSnsServer } from "../../support/sns-server.ts";

describe("aws:setup", () => {
  let aws: LocalAws;
  before(async () => {
    aws = await startLocalAws({ prefix: "setup", bucket: "setup-bucket" });
  });
  after(async () => {
    await aws.stop();
  });

  test("creates every table once; a second run creates nothing and prints the same policy", async () => {
    const sns = await startSnsServer();
    const client = new SNSClient({
      region: "eu-central-1",
      endpoint: sns.url,
      credentials: LOCAL_CREDENTIALS,
    });
    const topic = { sns: client, name: "seroma-alerts" };
    const first = await setupAwsBackend(aws.ctx, { tables: ALL_TABLES, region: "eu-central-1", topic });
    assert.equal(first.topicArn, "arn:aws:sns:eu-central-1:123456789012:seroma-alerts");
    const alerts = (first.policy as { Statement: Array<{ Sid: string; Resource: unknown }> }).Statement.find(
      (st) => st.Sid === "SeromaAlerts",
    );
    assert.equal(alerts?.Resource, first.topicArn, "Publish to this topic only");
    assert.deepEqual(first.tablesCreated.sort(), ALL_TABLES.map((t) => `setup-${t.base}`).sort());
    assert.equal(first.bucketCreated, false, "the bucket existed (startLocalAws made it)");
    const second = await setupAwsBackend(aws.ctx, { tables: ALL_TABLES, region: "eu-central-1", topic });
    assert.deepEqual(second.tablesCreated, []);
    assert.equal(second.topicArn, first.topicArn);
    assert.deepEqual(second.policy, first.policy);
    assert.deepEqual(sns.created, [first.topicArn, first.topicArn]);
    client.destroy();
    await sns.close();
  });

  test("the policy allows only these tables, this bucket's media/ and backups/, and the topic", () => {
    const policy = buildPiPolicy({
      tableArns: ["arn:aws:dynamodb:eu-central-1:123456789012:table/seroma-readings"],
      bucket: "b",
      topicArn: "arn:aws:sns:eu-central-1:123456789012:alerts",
    }) as { Statement: Array<{ Sid: string; Action: string | string[]; Resource: string | string[] }> };
    const bySid = new Map(policy.Statement.map((s) => [s.Sid, s]));
    assert.deepEqual(bySid.get("SeromaTables")?.Resource, [
      "arn:aws:dynamodb:eu-central-1:123456789012:table/seroma-readings",
      "arn:aws:dynamodb:eu-central-1:123456789012:table/seroma-readings/index/*",
    ]);
    const actions = policy.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    for (const a of actions) assert.ok(!a.includes("*"), `no wildcard actions (${a})`);
    assert.ok(!actions.some((a) => /Scan|CreateTable|DeleteTable|PutBucket/.test(a)), "no Scan, no admin actions");
    assert.equal(bySid.get("SeromaMedia")?.Resource, "arn:aws:s3:::b/media/*");
    assert.deepEqual(
      [bySid.get("SeromaBackupUploads")?.Action, bySid.get("SeromaBackupUploads")?.Resource],
      ["s3:PutObject", "arn:aws:s3:::b/backups/*"],
      "backups can be uploaded, never read back or deleted by the Pi",
    );
    assert.equal(bySid.get("SeromaAlerts")?.Resource, "arn:aws:sns:eu-central-1:123456789012:alerts");
  });

  test("the shipped template grants the same actions as the generated policy", () => {
    const template = JSON.parse(
      readFileSync(new URL("../../../iam/seroma-pi-policy.json", import.meta.url), "utf8"),
    ) as {
      Statement: Array<{ Sid: string; Action: string | string[] }>;
    };
    const generated = buildPiPolicy({ tableArns: ["t"], bucket: "b", topicArn: "s" }) as typeof template;
    const actions = (p: typeof template) =>
      Object.fromEntries(p.Statement.map((s) => [s.Sid, [s.Action].flat().sort()]));
    assert.deepEqual(actions(template), actions(generated));
  });
});
