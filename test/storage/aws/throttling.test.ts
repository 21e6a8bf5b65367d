/**
 * DynamoDB throttling: the SDK retries with backoff and the caller sees success; when
 * throttling outlasts the retries, the caller gets the throttling error (no hang, no
 * silent loss), and the reading buffer keeps the reading for later.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { silentLogger } from "../../../core/logger.ts";
import { createAwsContext } from "../../../storage/aws/client.ts";
import { createBufferedReadingRepository, openReadingBuffer } from "../../../storage/aws/reading-buffer.ts";
import { createDynamoReadingRepository, READINGS_TABLES } from "../../../storage/aws/readings.ts";
import { type LocalAws, startLocalAws } from "../../support/aws-local.ts";
import { type FaultProxy, startFaultProxy } from "../../support/http-fault-proxy.ts";

const THROTTLED = {
  status: 400,
  type: "ProvisionedThroughputExceededException",
  message: "Rate of requests exceeds the allowed throughput.",
};
const T0 = Date.parse("2026-11-23T10:00:00Z");

describe("DynamoDB throttling", () => {
  let aws: LocalAws;
  let proxy: FaultProxy;
  before(async () => {
    aws = await startLocalAws({ tables: READINGS_TABLES, prefix: "throttle" });
    proxy = await startFaultProxy(aws.options.endpoints?.dynamodb ?? "");
  });
  after(async () => {
    await proxy.close();
    await aws.stop();
  });

  test("a few throttled requests are retried by the SDK; the caller sees success", async () => {
    const ctx = createAwsContext({
      ...aws.options,
      maxAttempts: 5,
      endpoints: { ...aws.options.endpoints, dynamodb: proxy.url },
    });
    try {
      const repo = createDynamoReadingRepository(ctx);
      const before = proxy.injected;
      proxy.fail(3, THROTTLED, "PutItem");
      await repo.add({ roomId: "r", at: T0, temperatureC: 21, humidityPct: 40 });
      assert.equal(proxy.injected - before, 3, "three throttled answers, then the write went through");
      proxy.fail(2, THROTTLED, "Query");
      assert.equal((await repo.latest("r", 1))[0]?.at, T0);
    } finally {
      ctx.destroy();
    }
  });

  test("throttling longer than the retries rejects with the throttling error, and the buffer keeps the reading", async () => {
    const ctx = createAwsContext({
      ...aws.options,
      maxAttempts: 2,
      endpoints: { ...aws.options.endpoints, dynamodb: proxy.url },
    });
    const buffer = openReadingBuffer(join(mkdtempSync(join(tmpdir(), "seroma-throttle-")), "b.db"));
    try {
      const remote = createDynamoReadingRepository(ctx);
      proxy.fail(2, THROTTLED, "PutItem");
      await assert.rejects(remote.add({ roomId: "r", at: T0 + 1, temperatureC: 21, humidityPct: 40 }), {
        name: "ProvisionedThroughputExceededException",
      });
      const repo = createBufferedReadingRepository({ remote, buffer, logger: silentLogger });
      proxy.fail(2, THROTTLED, "PutItem");
      await repo.add({ roomId: "r", at: T0 + 2, temperatureC: 21, humidityPct: 40 });
      assert.equal(repo.pending(), 1);
      assert.equal(await repo.flush(), 1);
      assert.equal(await remote.count("r"), 2);
    } finally {
      buffer.close();
      ctx.destroy();
    }
  });

  test("BatchWriteItem's unprocessed items are sent again until written; never-ending refusal rejects", async () => {
    const ctx = createAwsContext({ ...aws.options, endpoints: { ...aws.options.endpoints, dynamodb: proxy.url } });
    try {
      const repo = createDynamoReadingRepository(ctx);
      const batch = Array.from({ length: 60 }, (_, i) => ({
        roomId: "u",
        at: T0 + i,
        temperatureC: 20,
        humidityPct: 40,
      }));
      const before = ctx.requests.get("BatchWriteItem") ?? 0;
      proxy.unprocessed(2);
      await repo.addMany(batch);
      assert.equal(
        (ctx.requests.get("BatchWriteItem") ?? 0) - before,
        5,
        "3 batches of at most 25, two of them sent twice",
      );
      assert.equal(await repo.count("u"), 60);
      proxy.unprocessed(1_000);
      await assert.rejects(
        repo.addMany([{ roomId: "u2", at: T0, temperatureC: 20, humidityPct: 40 }]),
        /left 1 of the writes to .* unprocessed/,
      );
      proxy.unprocessed(0);
    } finally {
      ctx.destroy();
    }
  });
});
