import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import {
  createSnsChannel,
  type SnsChannel,
  type SnsNotice,
  sanitizeSubject,
  truncateUtf8,
} from "../../../channels/sns/sns-channel.ts";
import { type SnsServer, startSnsServer } from "../../support/sns-server.ts";

const TOPIC = "arn:aws:sns:us-east-1:123456789012:seroma-alerts";
const FIFO_TOPIC = "arn:aws:sns:us-east-1:123456789012:seroma-alerts.fifo";
const MISSING_TOPIC = "arn:aws:sns:us-east-1:123456789012:no-such-topic";
const TEST_CREDENTIALS = { accessKeyId: "AKIDSEROMATEST", secretAccessKey: "seroma-test-secret" };

function notice(over: Partial<SnsNotice> = {}): SnsNotice {
  return {
    subject: "Server room too hot",
    message: "Temperature 31.5 C (limit 28 C) in room dc1",
    severity: "critical",
    roomId: "dc1",
    dedupId: "alert-1",
    ...over,
  };
}

describe("SNS channel against a local SNS endpoint", () => {
  let sns: SnsServer;
  const channels: SnsChannel[] = [];
  const savedEnv = { ...process.env };

  /** A channel whose own SNSClient finds the test credentials through the standard chain (env). */
  function channel(opts: { topicArn?: string; timeoutMs?: number } = {}): SnsChannel {
    const c = createSnsChannel({
      topicArn: opts.topicArn ?? TOPIC,
      endpoint: sns.url,
      region: "us-east-1",
      ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
    });
    channels.push(c);
    return c;
  }

  before(async () => {
    delete process.env.AWS_PROFILE;
    process.env.AWS_ACCESS_KEY_ID = TEST_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = TEST_CREDENTIALS.secretAccessKey;
    process.env.AWS_EC2_METADATA_DISABLED = "true";
    sns = await startSnsServer({ topics: [TOPIC, FIFO_TOPIC] });
  });

  afterEach(() => sns.resetFaults());

  after(async () => {
    for (const c of channels) c.close();
    await sns.close();
    process.env = savedEnv;
  });

  test("a publish arrives with subject, message and the severity/room attributes", async () => {
    const before = sns.published.length;
    const r = await channel().send(notice({ dedupId: "plain-1" }));
    assert.equal(r.ok, true);
    const got = sns.published[before];
    assert.ok(got, "the server recorded the publish");
    assert.equal(got.topicArn, TOPIC);
    assert.equal(got.subject, "Server room too hot");
    assert.equal(got.message, "Temperature 31.5 C (limit 28 C) in room dc1");
    assert.deepEqual(got.attributes, { severity: "critical", room: "dc1" });
    assert.equal(got.groupId, undefined, "standard topics get no MessageGroupId");
    assert.equal(got.dedupId, undefined, "standard topics get no MessageDeduplicationId");
    assert.deepEqual(r, { ok: true, ref: got.messageId });
  });

  test("a non-ASCII subject is transliterated and a long one truncated, so SNS accepts both", async () => {
    const c = channel();
    const before = sns.published.length;
    const r1 = await c.send(notice({ subject: "Température 35.2°C — über\nlimit ☃ サーバー室" }));
    assert.equal(r1.ok, true, JSON.stringify(r1));
    assert.equal(sns.published[before]?.subject, "Temperature 35.2C - uber limit");

    const long = `Disk nearly full on ${"very-long-hostname-".repeat(12)}end`;
    const r2 = await c.send(notice({ subject: long }));
    assert.equal(r2.ok, true, JSON.stringify(r2));
    const subject = sns.published[before + 1]?.subject ?? "";
    assert.ok(subject.length <= 99, `subject is ${subject.length} characters`);
    assert.ok(subject.endsWith("..."), subject);
    assert.ok(subject.startsWith("Disk nearly full on very-long-hostname-"), subject);
    assert.match(subject, /^[\x20-\x7e]+$/);

    const r3 = await c.send(notice({ subject: "温度警告", roomId: "dc1" }));
    assert.equal(r3.ok, true, JSON.stringify(r3));
    assert.equal(sns.published[before + 2]?.subject, "Seroma critical alert (dc1)", "nothing left: a fallback subject");
  });

  test("sanitizeSubject and truncateUtf8 keep SNS's limits", () => {
    assert.equal(sanitizeSubject("Room ℃ ２５ ok"), "Room C 25 ok");
    assert.equal(sanitizeSubject("  tabs\tand\r\nnewlines  "), "tabs and newlines");
    assert.equal(sanitizeSubject("x".repeat(150)), `${"x".repeat(96)}...`);
    const s = "é".repeat(1000); // 2 bytes each
    const t = truncateUtf8(s, 1001);
    assert.ok(Buffer.byteLength(t) <= 1001);
    assert.ok(!t.includes("\uFFFD"), "no character was split");
    assert.match(t, /\[truncated \d+ bytes\]$/);
    assert.equal(truncateUtf8("short", 10), "short");
  });

  test("a message over 256 KB is truncated on a UTF-8 boundary and still delivered", async () => {
    const before = sns.published.length;
    const r = await channel().send(notice({ message: `${"ü€".repeat(60_000)}tail` })); // 300,004 bytes
    assert.equal(r.ok, true, JSON.stringify(r));
    const got = sns.published[before];
    assert.ok(got);
    assert.ok(Buffer.byteLength(got.message) <= 262_144);
    assert.ok(!got.message.includes("\uFFFD"), "no character was split");
    assert.match(got.message, /\[truncated \d+ bytes\]$/);
  });

  test("FIFO topics get MessageGroupId = room and MessageDeduplicationId = dedupId; duplicates are not redelivered", async () => {
    const c = channel({ topicArn: FIFO_TOPIC });
    const before = sns.published.length;
    const r1 = await c.send(notice({ roomId: "dc-2", dedupId: "alert-42:critical" }));
    assert.equal(r1.ok, true, JSON.stringify(r1));
    const got = sns.published[before];
    assert.ok(got);
    assert.equal(got.topicArn, FIFO_TOPIC);
    assert.equal(got.groupId, "dc-2");
    assert.equal(got.dedupId, "alert-42:critical");
    assert.equal(got.attributes.room, "dc-2");

    const r2 = await c.send(notice({ roomId: "dc-2", dedupId: "alert-42:critical" }));
    assert.deepEqual(r2, r1, "SNS answers a duplicate with the first MessageId");
    assert.equal(sns.published.length, before + 1, "the duplicate was not delivered again");

    const r3 = await c.send(notice({ roomId: "サーバー室 1", dedupId: "x".repeat(200) }));
    assert.equal(r3.ok, true, JSON.stringify(r3));
    const third = sns.published[before + 1];
    assert.ok(third?.groupId && /^[\x21-\x7e]{1,128}$/.test(third.groupId), third?.groupId);
    assert.ok(third?.dedupId && /^[\x21-\x7e]{1,128}$/.test(third.dedupId), third?.dedupId);
  });

  test("AuthorizationError is not retryable and says what to fix", async () => {
    const c = channel();
    sns.failNext("AuthorizationError", 403);
    const requests = sns.requests;
    const r = await c.send(notice());
    assert.equal(r.ok, false);
    assert.ok(!r.ok);
    assert.equal(r.retryable, false);
    assert.match(r.error, /^SNS refused: AuthorizationError/);
    assert.match(r.error, /not authorized to perform: SNS:Publish/);
    assert.ok(r.error.includes(`check the IAM policy allows sns:Publish on ${TOPIC}`), r.error);
    assert.ok(!r.error.includes("\n"), "one line");
    assert.equal(sns.requests, requests + 1, "the SDK did not retry a client error");
  });

  test("rejected credentials are not retryable", async () => {
    sns.failNext("InvalidClientTokenId", 403);
    const r = await channel().send(notice());
    assert.ok(!r.ok);
    assert.equal(r.retryable, false);
    assert.match(r.error, /InvalidClientTokenId.*check the access key/);
  });

  test("missing credentials (CredentialsProviderError) are not retryable", async () => {
    const client = new SNSClient({
      endpoint: sns.url,
      region: "us-east-1",
      credentials: async () => {
        throw Object.assign(new Error("Could not load credentials from any providers"), {
          name: "CredentialsProviderError",
        });
      },
    });
    const c = createSnsChannel({ topicArn: TOPIC, client });
    const r = await c.send(notice());
    c.close();
    client.destroy();
    assert.ok(!r.ok);
    assert.equal(r.retryable, false);
    assert.match(r.error, /no usable AWS credentials: Could not load credentials/);
  });

  test("a topic that does not exist is NotFound, not retryable", async () => {
    const r = await channel({ topicArn: MISSING_TOPIC }).send(notice());
    assert.ok(!r.ok);
    assert.equal(r.retryable, false);
    assert.match(r.error, /topic not found: NotFound \(HTTP 404\): Topic does not exist/);
    assert.ok(r.error.includes(MISSING_TOPIC), r.error);
  });

  test("an invalid parameter is not retryable", async () => {
    sns.failNext("InvalidParameter", 400, "Invalid parameter: Message");
    const r = await channel().send(notice());
    assert.ok(!r.ok);
    assert.equal(r.retryable, false);
    assert.match(r.error, /refused the message: InvalidParameter \(HTTP 400\): Invalid parameter: Message/);
  });

  test("a malformed topic ARN is refused before any request", async () => {
    const requests = sns.requests;
    const r = await channel({ topicArn: "seroma-alerts" }).send(notice());
    assert.ok(!r.ok);
    assert.equal(r.retryable, false);
    assert.match(r.error, /topic ARN "seroma-alerts" is not valid/);
    assert.equal(sns.requests, requests);
  });

  test("throttling is retryable, with retryAfterMs when the response gives it", async () => {
    const c = channel();
    sns.failNext("Throttled", 429, undefined, 2); // both SDK attempts
    const r1 = await c.send(notice());
    assert.ok(!r1.ok);
    assert.equal(r1.retryable, true);
    assert.match(r1.error, /throttled.*Throttled \(HTTP 429\): Rate exceeded/);

    sns.failNext("Throttling", 400, "Rate exceeded", 2, { "x-amz-retry-after": "150" });
    const r2 = await c.send(notice());
    assert.ok(!r2.ok);
    assert.equal(r2.retryable, true);
    assert.equal(r2.retryAfterMs, 150);

    sns.failNext("KMSThrottling", 400, "KMS rate exceeded", 2);
    const r3 = await c.send(notice());
    sns.resetFaults(); // the SDK may not retry KMSThrottling itself
    assert.ok(!r3.ok);
    assert.equal(r3.retryable, true);
    assert.match(r3.error, /throttled.*KMSThrottling/);
  });

  test("a 5xx is retryable; one transient failure is absorbed by the SDK's single retry", async () => {
    const c = channel();
    sns.failNext("InternalError", 500, undefined, 2);
    const r1 = await c.send(notice());
    assert.ok(!r1.ok);
    assert.equal(r1.retryable, true);
    assert.match(r1.error, /server error: InternalError \(HTTP 500\)/);

    const before = sns.published.length;
    sns.failNext("ServiceUnavailable", 503, "Service Unavailable", 1);
    const r2 = await c.send(notice());
    assert.equal(r2.ok, true, JSON.stringify(r2));
    assert.equal(sns.published.length, before + 1);
  });

  test("a server that is down is a retryable network error, returned within the timeout", async () => {
    const c = channel({ timeoutMs: 5000 });
    sns.setDown(true);
    try {
      const r = await c.send(notice());
      assert.ok(!r.ok);
      assert.equal(r.retryable, true);
      assert.match(r.error, /SNS unreachable \((ECONNRESET|EPIPE|ECONNREFUSED)\)/);
    } finally {
      sns.setDown(false);
    }
    const r2 = await c.send(notice());
    assert.equal(r2.ok, true, `recovers once the server is back: ${JSON.stringify(r2)}`);
  });

  test("a server slower than timeoutMs is a retryable timeout", async () => {
    const c = channel({ timeoutMs: 300 });
    sns.setLatency(2000);
    try {
      const r = await c.send(notice());
      assert.ok(!r.ok);
      assert.equal(r.retryable, true);
      assert.match(r.error, /timed out after 300 ms/);
    } finally {
      sns.setLatency(0);
    }
  });

  test("close() aborts a send in flight and refuses later sends", async () => {
    const c = channel({ timeoutMs: 5000 });
    sns.setLatency(2000);
    try {
      const requests = sns.requests;
      const pending = c.send(notice());
      await sns.waitFor(() => sns.requests > requests);
      c.close();
      const r = await pending;
      assert.ok(!r.ok);
      assert.equal(r.retryable, true, "an aborted send can be retried after restart");
      assert.match(r.error, /closed/);
    } finally {
      sns.setLatency(0);
    }
    const after = await c.send(notice());
    assert.deepEqual(after, { ok: false, retryable: false, error: "SNS channel is closed" });
    c.close(); // idempotent
  });

  test("a given client is used as is and not destroyed by close()", async () => {
    const client = new SNSClient({ endpoint: sns.url, region: "us-east-1", credentials: TEST_CREDENTIALS });
    const c = createSnsChannel({ topicArn: TOPIC, client });
    const before = sns.published.length;
    const r = await c.send(notice({ subject: "via given client" }));
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.equal(sns.published[before]?.subject, "via given client");
    c.close();
    const out = await client.send(new PublishCommand({ TopicArn: TOPIC, Message: "still usable" }));
    assert.ok(out.MessageId);
    client.destroy();
  });
});
