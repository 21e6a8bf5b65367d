/**
 * AWS unreachable for a while, then back: readings taken meanwhile are kept on the Pi,
 * /status still answers from them, and they are uploaded in batches when DynamoDB
 * answers again: none lost, none duplicated. Real DynamoDB API (dynalite) behind a
 * proxy that can be unplugged, real AWS SDK.
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
import { startTcpProxy, type TcpProxy } from "../../support/tcp-proxy.ts";

const ROOM = "room-a";
const T0 = Date.parse("2026-11-23T10:00:00Z");
const reading = (i: number) => ({
  roomId: ROOM,
  at: T0 + i * 2_000,
  temperatureC: 20 + (i % 10) / 10,
  humidityPct: 40,
});

describe("readings while AWS is unreachable", () => {
  let aws: LocalAws;
  let proxy: TcpProxy;
  before(async () => {
    aws = await startLocalAws({ tables: READINGS_TABLES, prefix: "buffer" });
    proxy = await startTcpProxy(Number(new URL(aws.options.endpoints?.dynamodb ?? "").port));
  });
  after(async () => {
    await proxy.close();
    await aws.stop();
  });

  test("are buffered on the Pi, served from there, and uploaded once when it is back", async () => {
    const ctx = createAwsContext({ ...aws.options, endpoints: { ...aws.options.endpoints, dynamodb: proxy.url } });
    const buffer = openReadingBuffer(join(mkdtempSync(join(tmpdir(), "seroma-buffer-")), "aws-buffer.db"));
    const repo = createBufferedReadingRepository({
      remote: createDynamoReadingRepository(ctx),
      buffer,
      logger: silentLogger,
    });
    const remote = createDynamoReadingRepository(aws.ctx);
    try {
      await repo.add(reading(0));
      assert.equal(repo.pending(), 0, "online: straight to DynamoDB");

      proxy.setDown(true);
      for (let i = 1; i <= 300; i++) await repo.add(reading(i));
      assert.equal(repo.pending(), 300, "nothing lost while offline");
      const latest = await repo.latest(ROOM, 3);
      assert.deepEqual(
        latest.map((r) => r.at),
        [reading(300).at, reading(299).at, reading(298).at],
        "/status answers from the buffer",
      );
      await assert.rejects(repo.flush(), "the upload fails while unplugged, keeping the buffer");
      assert.equal(repo.pending(), 300);

      proxy.setDown(false);
      assert.equal(await repo.flush(), 300);
      assert.equal(repo.pending(), 0);
      assert.equal(await remote.count(ROOM), 301, "every reading once: none lost, none duplicated");
      // A retried batch (answer lost after DynamoDB wrote it) overwrites itself.
      await remote.addMany([reading(5), reading(6)]);
      assert.equal(await remote.count(ROOM), 301);
      const back = await remote.latest(ROOM, 301);
      assert.deepEqual(
        back.map((r) => r.at),
        Array.from({ length: 301 }, (_, i) => reading(300 - i).at),
        "in order",
      );
    } finally {
      buffer.close();
      ctx.destroy();
    }
  });
});
