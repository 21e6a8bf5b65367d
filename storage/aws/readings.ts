/**
 * DynamoDB adapter for climate readings (STORAGE=aws): several rooms share one table.
 *
 * Table `${prefix}-readings`
 *   PK roomId (S), SK at (N, epoch ms). Item: { roomId, at, temperatureC, humidityPct }.
 *
 * - A reading is identified by (room, at): a second reading of a room at the same
 *   millisecond replaces the first. That makes uploads idempotent: a batch retried after
 *   a lost answer (the SDK's retries, the outage buffer's re-upload) overwrites itself
 *   instead of duplicating. SQLite keeps both rows of such a pair instead; a sensor that
 *   samples every few seconds never produces one.
 * - `latest` is one Query (ScanIndexForward=false, Limit n, consistent read): one request
 *   for `/history 20` however large the table (n readings are far below the 1 MB page).
 * - `between` is a Query `at BETWEEN from AND to` with Limit n+1 (consistent read):
 *   `at` is unique within a room, so at most one item sits on the excluded bound `to`
 *   and is dropped (half-open range without a filter expression that would defeat Limit).
 * - `count` is a Query with Select=COUNT, paged (each page counts up to 1 MB of items).
 * - `aggregate` pages through the range (projection at/temperatureC/humidityPct,
 *   eventually consistent: a chart does not need the last second) and buckets in memory
 *   with SQLite's arithmetic: bucket size `ceil((to - from) / floor(buckets))`, bucket
 *   number `trunc((at - from) / size)` in doubles, bucket start `from + b * size`, and
 *   averages summed with Kahan-Babuska-Neumaier compensation like SQLite's avg(), so both
 *   backends return the same numbers to the last bit.
 * - `addMany` de-duplicates by (room, at) (the last one wins, as with single puts;
 *   BatchWriteItem refuses duplicate keys in one request) and writes through `batchWrite`
 *   (25 puts a request, unprocessed items retried with backoff). It is not one
 *   transaction as in SQLite: if it rejects, some batches may be stored; repeating the
 *   call is safe (idempotent).
 * - Never a Scan. Errors (throttling after the SDK's retries, 5xx, unreachable) reject
 *   with the SDK's error.
 */
import { PutCommand, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import type { Reading } from "../../core/climate/reading.ts";
import type { ReadingBucket, ReadingRepository } from "../../core/storage.ts";
import { rowLimit } from "../validation/limits.ts";
import { type AwsContext, batchWrite, queryAll, type TableSpec } from "./client.ts";
import { queryCount, tableSpec } from "./dynamo-helpers.ts";

export const READINGS_TABLE = "readings";

export const READINGS_TABLES: TableSpec[] = [
  tableSpec(READINGS_TABLE, { hash: "roomId", range: "at" }, { roomId: "S", at: "N" }),
];

interface ReadingItem {
  roomId: string;
  at: number;
  temperatureC: number;
  humidityPct: number;
}

const toItem = (r: Reading): ReadingItem => ({
  roomId: r.roomId,
  at: r.at,
  temperatureC: r.temperatureC,
  humidityPct: r.humidityPct,
});

const toReading = (i: ReadingItem): Reading => ({
  roomId: i.roomId,
  at: i.at,
  temperatureC: i.temperatureC,
  humidityPct: i.humidityPct,
});

/** `at` is a reserved word in DynamoDB expressions. */
const NAMES = { "#room": "roomId", "#at": "at" } as const;

/** Sums like SQLite's sum()/avg() on REAL values (Kahan-Babuska-Neumaier). */
class CompensatedSum {
  private sum = 0;
  private err = 0;
  add(r: number): void {
    const s = this.sum;
    const t = s + r;
    if (Math.abs(s) > Math.abs(r)) this.err += s - t + r;
    else this.err += r - t + s;
    this.sum = t;
  }
  total(): number {
    return Number.isFinite(this.err) ? this.sum + this.err : this.sum;
  }
}

class Bucket {
  count = 0;
  tMin = Number.POSITIVE_INFINITY;
  tMax = Number.NEGATIVE_INFINITY;
  hMin = Number.POSITIVE_INFINITY;
  hMax = Number.NEGATIVE_INFINITY;
  private readonly tSum = new CompensatedSum();
  private readonly hSum = new CompensatedSum();
  readonly at: number;
  constructor(at: number) {
    this.at = at;
  }
  add(t: number, h: number): void {
    this.count++;
    if (t < this.tMin) this.tMin = t;
    if (t > this.tMax) this.tMax = t;
    if (h < this.hMin) this.hMin = h;
    if (h > this.hMax) this.hMax = h;
    this.tSum.add(t);
    this.hSum.add(h);
  }
  result(): ReadingBucket {
    return {
      at: this.at,
      count: this.count,
      tMin: this.tMin,
      tAvg: this.tSum.total() / this.count,
      tMax: this.tMax,
      hMin: this.hMin,
      hAvg: this.hSum.total() / this.count,
      hMax: this.hMax,
    };
  }
}

export function createDynamoReadingRepository(ctx: AwsContext): ReadingRepository {
  const TableName = ctx.table(READINGS_TABLE);

  /** `from <= at <= to` of a room, oldest first (the caller drops `at === to`). */
  const range = (roomId: string, from: number, to: number): QueryCommandInput => ({
    TableName,
    KeyConditionExpression: "#room = :room AND #at BETWEEN :from AND :to",
    ExpressionAttributeNames: NAMES,
    ExpressionAttributeValues: { ":room": roomId, ":from": from, ":to": to },
  });

  return {
    async add(r) {
      await ctx.doc.send(new PutCommand({ TableName, Item: toItem(r) }));
    },

    async addMany(readings) {
      const unique = new Map<string, ReadingItem>();
      for (const r of readings) {
        const key = `${r.at}\u0000${r.roomId}`;
        unique.delete(key); // keep insertion order of the last occurrence
        unique.set(key, toItem(r));
      }
      if (unique.size === 0) return;
      await batchWrite(
        ctx,
        TableName,
        [...unique.values()].map((Item) => ({ PutRequest: { Item } })),
      );
    },

    async latest(roomId, limit) {
      const n = rowLimit(limit);
      if (n === 0) return [];
      const items = await queryAll<ReadingItem>(
        ctx,
        {
          TableName,
          KeyConditionExpression: "#room = :room",
          ExpressionAttributeNames: { "#room": "roomId" },
          ExpressionAttributeValues: { ":room": roomId },
          ScanIndexForward: false,
          ConsistentRead: true,
          Limit: n,
        },
        n,
      );
      return items.map(toReading);
    },

    async between(roomId, from, to, limit) {
      const n = rowLimit(limit);
      if (n === 0 || !(to > from)) return [];
      const items = await queryAll<ReadingItem>(
        ctx,
        { ...range(roomId, from, to), ConsistentRead: true, Limit: n + 1 },
        n + 1,
      );
      return items
        .filter((i) => i.at < to)
        .slice(0, n)
        .map(toReading);
    },

    async count(roomId) {
      return queryCount(ctx, {
        TableName,
        KeyConditionExpression: "#room = :room",
        ExpressionAttributeNames: { "#room": "roomId" },
        ExpressionAttributeValues: { ":room": roomId },
      });
    },

    async aggregate(roomId, from, to, buckets) {
      const n = Math.floor(buckets);
      if (!(n >= 1) || !(to > from)) return [];
      const size = Math.ceil((to - from) / n);
      const items = await queryAll<Omit<ReadingItem, "roomId">>(ctx, {
        ...range(roomId, from, to),
        ExpressionAttributeNames: { ...NAMES, "#t": "temperatureC", "#h": "humidityPct" },
        ProjectionExpression: "#at, #t, #h",
      });
      const out: ReadingBucket[] = [];
      let current: Bucket | undefined;
      let currentIndex = Number.NaN;
      for (const i of items) {
        if (!(i.at < to)) continue;
        // The same double arithmetic as SQLite's CAST((at - from) / size AS INTEGER).
        const b = Math.trunc((i.at - from) / size);
        if (b !== currentIndex) {
          if (current) out.push(current.result());
          current = new Bucket(from + b * size);
          currentIndex = b;
        }
        current?.add(i.temperatureC, i.humidityPct);
      }
      if (current) out.push(current.result());
      return out;
    },
  };
}
