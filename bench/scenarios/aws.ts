/**
 * The AWS backend against DynamoDB and S3 served on 127.0.0.1 (dynalite, s3rver) with the
 * real AWS SDK, side by side with SQLite:
 *   - `/history 20` (readings.latest) and `/access 20` (accessLog.latest) on tables of 2,000
 *     and 20,000 rows: requests per query (must be one Query whatever the size)
 *     and time;
 *   - 10,000 readings buffered on the Pi during an outage, uploaded when DynamoDB answers
 *     again: wall time and BatchWriteItem requests.
 * dynalite is an emulator on LevelDB in memory: its times are not DynamoDB's (a real
 * Query from a Pi takes a network round trip, ~10-40 ms to a nearby region); the request
 * counts are what carries over.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../../core/logger.ts";
import type { AccessLogRepository, ReadingRepository } from "../../core/storage.ts";
import { createDynamoAccessLogRepository } from "../../storage/aws/access-log.ts";
import { createBufferedReadingRepository, openReadingBuffer } from "../../storage/aws/reading-buffer.ts";
import { createDynamoReadingRepository, READINGS_TABLES } from "../../storage/aws/readings.ts";
import { ACCESS_TABLES } from "../../storage/aws/tables.ts";
import { createSqliteStorage } from "../../storage/sqlite/index.ts";
import { startLocalAws } from "../../test/support/aws-local.ts";
import { type Metric, summarize } from "../stats.ts";

const ROOM = "bench-room";
const T0 = Date.parse("2026-01-01T00:00:00Z");

async function fill(readings: ReadingRepository, access: AccessLogRepository, n: number, from: number): Promise<void> {
  const batch = Array.from({ length: n }, (_, i) => ({
    roomId: ROOM,
    at: T0 + (from + i) * 60_000,
    temperatureC: 21 + ((from + i) % 50) / 10,
    humidityPct: 45,
  }));
  await readings.addMany(batch);
  for (let i = 0; i < n; i += 1) {
    await access.add({
      roomId: ROOM,
      at: T0 + (from + i) * 60_000,
      cardUid: "04A1B2C3",
      staffName: "Ada",
      decision: "allowed",
    });
  }
}

async function timeQueries(run: () => Promise<unknown>, times: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    await run();
    samples.push(performance.now() - t);
  }
  return samples;
}

export async function awsBench(opts: { sizes: number[]; queries: number; buffered: number }): Promise<Metric[]> {
  const metrics: Metric[] = [];
  const aws = await startLocalAws({ tables: [...READINGS_TABLES, ...ACCESS_TABLES], prefix: "bench" });
  const sqlite = createSqliteStorage({ dataDir: mkdtempSync(join(tmpdir(), "seroma-bench-aws-")) });
  try {
    const dynReadings = createDynamoReadingRepository(aws.ctx);
    const dynAccess = createDynamoAccessLogRepository(aws.ctx);
    let have = 0;
    for (const size of opts.sizes) {
      await fill(dynReadings, dynAccess, size - have, have);
      await fill(sqlite.readings, sqlite.accessLog, size - have, have);
      have = size;
      for (const [name, dyn, lite] of [
        ["/history 20", () => dynReadings.latest(ROOM, 20), () => sqlite.readings.latest(ROOM, 20)],
        ["/access 20", () => dynAccess.latest(ROOM, 20), () => sqlite.accessLog.latest(ROOM, 20)],
      ] as const) {
        const before = new Map(aws.ctx.requests);
        const dynTimes = summarize(await timeQueries(dyn, opts.queries));
        const requests = [...aws.ctx.requests].reduce((n, [op, c]) => n + c - (before.get(op) ?? 0), 0);
        const queries = (aws.ctx.requests.get("Query") ?? 0) - (before.get("Query") ?? 0);
        const liteTimes = summarize(await timeQueries(lite, opts.queries));
        const label = `${name}, ${size.toLocaleString("en-US")} rows`;
        metrics.push(
          {
            scenario: "aws",
            metric: `${label}: DynamoDB requests per query`,
            value: requests / opts.queries,
            unit: "req",
            target: { op: "<", value: 1.01 },
          },
          { scenario: "aws", metric: `${label}: of which Query`, value: queries / opts.queries, unit: "req" },
          {
            scenario: "aws",
            metric: `${label}: dynalite p50 / p99`,
            value: dynTimes.p50,
            unit: `ms (p99 ${dynTimes.p99.toFixed(2)})`,
          },
          {
            scenario: "aws",
            metric: `${label}: SQLite p50 / p99`,
            value: liteTimes.p50,
            unit: `ms (p99 ${liteTimes.p99.toFixed(3)})`,
          },
        );
      }
    }

    // An outage's worth of readings, buffered on the Pi, then uploaded.
    const buffer = openReadingBuffer(join(mkdtempSync(join(tmpdir(), "seroma-bench-buffer-")), "aws-buffer.db"));
    const repo = createBufferedReadingRepository({ remote: dynReadings, buffer, logger: silentLogger });
    for (let i = 0; i < opts.buffered; i++) {
      buffer.push({ roomId: "outage-room", at: T0 + i * 2_000, temperatureC: 22, humidityPct: 44 });
    }
    const batchesBefore = aws.ctx.requests.get("BatchWriteItem") ?? 0;
    const t = performance.now();
    const uploaded = await repo.flush();
    const wall = performance.now() - t;
    const batches = (aws.ctx.requests.get("BatchWriteItem") ?? 0) - batchesBefore;
    const stored = await dynReadings.count("outage-room");
    buffer.close();
    metrics.push(
      {
        scenario: "aws",
        metric: `upload ${opts.buffered.toLocaleString("en-US")} buffered readings: wall`,
        value: wall,
        unit: "ms",
        target: { op: "<", value: 10_000 },
      },
      { scenario: "aws", metric: "upload: BatchWriteItem requests (25 items each)", value: batches, unit: "req" },
      {
        scenario: "aws",
        metric: "upload: readings stored (none lost, none duplicated)",
        value: stored,
        unit: `of ${uploaded}`,
      },
    );
  } finally {
    await sqlite.close();
    await aws.stop();
  }
  return metrics;
}
