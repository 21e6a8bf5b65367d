/**
 * The behaviour every ReadingRepository and UserSettingsRepository must have, whatever
 * the backend: registers node:test cases (call it inside a describe). Each case opens a
 * fresh, empty store through `open` and closes it at the end.
 *
 * Left out on purpose: two readings of a room at the same millisecond. SQLite keeps both
 * (newest-inserted first in `latest`), DynamoDB keeps the last one (a reading is
 * identified by (room, at), which makes uploads idempotent); each backend's own tests
 * cover its rule.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Reading, ReadingBucket } from "../../../core/climate/reading.ts";
import type { Storage } from "../../../core/storage.ts";

export interface ReadingsContractStore {
  storage: Pick<Storage, "readings" | "userSettings">;
  close(): Promise<void>;
}

/** A reading fixture (shared with the SQLite-only tests). */
export const r = (roomId: string, at: number, t = 21, h = 45): Reading => ({
  roomId,
  at,
  temperatureC: t,
  humidityPct: h,
});

/**
 * Checks `aggregate(room, from, from + span, count)` over a room whose readings are `rows`, all
 * inside the range and spread over it: `count` buckets of span / count ms (a whole number), each
 * starting where it should, together holding every reading.
 */
export function assertEvenBuckets(
  buckets: ReadingBucket[],
  from: number,
  span: number,
  count: number,
  rows: Reading[],
) {
  assert.equal(buckets.length, count);
  const size = span / count;
  for (const [i, b] of buckets.entries()) assert.equal(b.at, from + i * size);
  assert.equal(
    buckets.reduce((n, b) => n + b.count, 0),
    rows.length,
  );
}

export function readingsContract(open: () => Promise<ReadingsContractStore>): void {
  const withStore = async (fn: (s: ReadingsContractStore["storage"]) => Promise<void>): Promise<void> => {
    const store = await open();
    try {
      await fn(store.storage);
    } finally {
      await store.close();
    }
  };

  test("an empty store has no readings", () =>
    withStore(async (s) => {
      assert.deepEqual(await s.readings.latest("a", 10), []);
      assert.deepEqual(await s.readings.between("a", 0, 1e13, 10), []);
      assert.equal(await s.readings.count("a"), 0);
      assert.deepEqual(await s.readings.aggregate("a", 0, 1e13, 10), []);
    }));

  test("readings round-trip exactly (fractions, negatives, real timestamps)", () =>
    withStore(async (s) => {
      const at = Date.UTC(2026, 10, 16, 12, 34, 56, 789);
      const rows = [r("a", at, 23.4, 51.2), r("a", at + 1, -12.35, 0), r("a", at + 2, 0.1 + 0.2, 99.99)];
      await s.readings.add(rows[0] as Reading);
      await s.readings.addMany(rows.slice(1));
      assert.deepEqual(await s.readings.latest("a", 10), [...rows].reverse());
      const [first] = await s.readings.latest("a", 1);
      assert.deepEqual(Object.keys(first ?? {}).sort(), ["at", "humidityPct", "roomId", "temperatureC"]);
    }));

  test("latest is newest first, scoped to the room, bounded by limit", () =>
    withStore(async (s) => {
      await s.readings.addMany([r("a", 1000, 20), r("a", 3000, 22), r("a", 2000, 21), r("b", 4000, 30)]);
      await s.readings.add(r("a", 500, 19));
      assert.deepEqual(
        (await s.readings.latest("a", 3)).map((x) => [x.roomId, x.at, x.temperatureC]),
        [
          ["a", 3000, 22],
          ["a", 2000, 21],
          ["a", 1000, 20],
        ],
      );
      assert.deepEqual(
        (await s.readings.latest("a", 100)).map((x) => x.at),
        [3000, 2000, 1000, 500],
      );
      assert.deepEqual(await s.readings.latest("b", 10), [r("b", 4000, 30)]);
      assert.deepEqual(await s.readings.latest("nobody", 10), []);
      assert.deepEqual(await s.readings.latest("a", 0), [], "limit 0 is no rows");
    }));

  test("latest over many readings returns exactly the newest `limit`", () =>
    withStore(async (s) => {
      const base = Date.UTC(2026, 0, 1);
      const rows: Reading[] = [];
      for (let i = 0; i < 300; i++) rows.push(r("a", base + i * 2000, 20 + (i % 7) / 10, 40 + (i % 3)));
      await s.readings.addMany(rows);
      await s.readings.addMany(rows.slice(0, 50).map((x) => ({ ...x, roomId: "b" })));
      const latest = await s.readings.latest("a", 20);
      assert.deepEqual(latest, rows.slice(-20).reverse());
      assert.equal(await s.readings.count("a"), 300);
      assert.equal(await s.readings.count("b"), 50);
    }));

  test("between is half-open, oldest first, bounded by limit, scoped to the room", () =>
    withStore(async (s) => {
      await s.readings.addMany([1000, 2000, 3000, 4000].map((at) => r("a", at)));
      await s.readings.addMany([r("b", 2500), r("b", 3500)]);
      assert.deepEqual(
        (await s.readings.between("a", 2000, 4000, 100)).map((x) => x.at),
        [2000, 3000],
      );
      assert.deepEqual(
        (await s.readings.between("a", 0, 10_000, 2)).map((x) => x.at),
        [1000, 2000],
        "the oldest `limit`",
      );
      assert.deepEqual(
        (await s.readings.between("a", 3000, 4000, 1)).map((x) => x.at),
        [3000],
      );
      assert.deepEqual(
        (await s.readings.between("a", 3001, 4000, 1)).map((x) => x.at),
        [],
        "the excluded bound does not count",
      );
      assert.deepEqual(
        (await s.readings.between("a", 1500, 4001, 100)).map((x) => x.at),
        [2000, 3000, 4000],
      );
      assert.deepEqual(await s.readings.between("a", 2000, 2000, 100), [], "empty range");
      assert.deepEqual(await s.readings.between("a", 4000, 1000, 100), [], "reversed range");
      assert.deepEqual(await s.readings.between("a", 0, 10_000, 0), [], "limit 0");
      assert.deepEqual(await s.readings.between("nobody", 0, 10_000, 100), []);
      assert.deepEqual(await s.readings.between("b", 0, 10_000, 100), [r("b", 2500), r("b", 3500)]);
    }));

  test("count is per room and follows adds", () =>
    withStore(async (s) => {
      await s.readings.addMany([r("a", 1), r("a", 2), r("b", 1)]);
      assert.equal(await s.readings.count("a"), 2);
      await s.readings.add(r("a", 3));
      assert.equal(await s.readings.count("a"), 3);
      assert.equal(await s.readings.count("b"), 1);
      assert.equal(await s.readings.count("nobody"), 0);
      await s.readings.addMany([]);
      assert.equal(await s.readings.count("a"), 3, "an empty addMany adds nothing");
    }));

  test("aggregate: equal buckets from `from`, only buckets with data, oldest first", () =>
    withStore(async (s) => {
      await s.readings.addMany([
        // bucket 0 = [1000, 2000): three readings
        r("a", 1000, 20, 40),
        r("a", 1500, 22, 50),
        r("a", 1999, 24, 45),
        // bucket 1 empty; bucket 2 = [3000, 4000): one reading
        r("a", 3000, 19.5, 61),
        // bucket 9 = [10000, 11000): the last one; 11000 is outside (half-open)
        r("a", 10_999, 25, 30),
        r("a", 11_000, 99, 99),
        r("a", 999, 99, 99),
        // another room in the same time range
        r("b", 1200, 99, 99),
      ]);
      assert.deepEqual(await s.readings.aggregate("a", 1000, 11_000, 10), [
        { at: 1000, count: 3, tMin: 20, tAvg: 22, tMax: 24, hMin: 40, hAvg: 45, hMax: 50 },
        { at: 3000, count: 1, tMin: 19.5, tAvg: 19.5, tMax: 19.5, hMin: 61, hAvg: 61, hMax: 61 },
        { at: 10_000, count: 1, tMin: 25, tAvg: 25, tMax: 25, hMin: 30, hAvg: 30, hMax: 30 },
      ]);
      // Bucket size is rounded up: 10 ms in 3 buckets -> 4 ms each, starting at `from`.
      await s.readings.addMany([r("c", 100), r("c", 103), r("c", 104), r("c", 109)]);
      assert.deepEqual(
        (await s.readings.aggregate("c", 100, 110, 3)).map((b) => [b.at, b.count]),
        [
          [100, 2],
          [104, 1],
          [108, 1],
        ],
      );
      // A fractional bucket count is floored (2.9 -> 2 buckets of 5 ms).
      assert.deepEqual(
        (await s.readings.aggregate("c", 100, 110, 2.9)).map((b) => [b.at, b.count]),
        [
          [100, 3],
          [105, 1],
        ],
      );
      assert.deepEqual(await s.readings.aggregate("nobody", 0, 100_000, 240), []);
      assert.deepEqual(await s.readings.aggregate("a", 5000, 5000, 10), [], "empty range");
      assert.deepEqual(await s.readings.aggregate("a", 11_000, 1000, 10), [], "reversed range");
      assert.deepEqual(await s.readings.aggregate("a", 0, 100_000, 0), [], "no buckets");
      assert.deepEqual(await s.readings.aggregate("a", 0, 100_000, 0.5), [], "less than one bucket");
    }));

  test("aggregate averages exactly like SQLite's avg() (compensated summation)", () =>
    withStore(async (s) => {
      // Plain left-to-right summation gives 0.20000000000000004 here.
      await s.readings.addMany([r("a", 0, 0.1, 0.1), r("a", 1, 0.2, 0.2), r("a", 2, 0.3, 0.3)]);
      const [bucket] = await s.readings.aggregate("a", 0, 10, 1);
      assert.equal(bucket?.tAvg, 0.19999999999999998);
      assert.equal(bucket?.hAvg, 0.19999999999999998);
      assert.equal(bucket?.count, 3);
    }));

  test("aggregate over a day of 30 s readings at real timestamps, uneven buckets", () =>
    withStore(async (s) => {
      const from = Date.UTC(2026, 10, 16);
      const day = 86_400_000;
      const rows: Reading[] = [];
      for (let at = from; at < from + day; at += 30_000) {
        const i = (at - from) / 30_000;
        rows.push(r("a", at, 20 + (i % 10) / 10, 40 + (i % 7) * 1.5));
      }
      await s.readings.addMany(rows);
      const buckets = await s.readings.aggregate("a", from, from + day, 240);
      assertEvenBuckets(buckets, from, day, 240, rows);
      assert.equal(buckets[0]?.tMin, 20);
      assert.equal(buckets[0]?.tMax, 20.9);
      assert.equal(buckets[0]?.hMin, 40);
      assert.equal(buckets[0]?.hMax, 49);
      assert.equal(buckets[0]?.count, 12);
      // 7 buckets over a day: ceil(86_400_000 / 7) ms each, the last one shorter.
      const seven = await s.readings.aggregate("a", from, from + day, 7);
      const size7 = Math.ceil(day / 7);
      assert.deepEqual(
        seven.map((b) => b.at),
        [0, 1, 2, 3, 4, 5, 6].map((i) => from + i * size7),
      );
      assert.deepEqual(
        seven.map((b) => b.count),
        [0, 1, 2, 3, 4, 5, 6].map((i) => {
          const lo = from + i * size7;
          const hi = Math.min(from + day, lo + size7);
          return rows.filter((x) => x.at >= lo && x.at < hi).length;
        }),
      );
    }));

  test("user settings: the locale override is per user, replaced, and cleared", () =>
    withStore(async (s) => {
      assert.equal(await s.userSettings.getLocale(42), undefined);
      await s.userSettings.setLocale(42, "ja");
      await s.userSettings.setLocale(7, "de");
      assert.equal(await s.userSettings.getLocale(42), "ja");
      assert.equal(await s.userSettings.getLocale(7), "de");
      await s.userSettings.setLocale(42, "en");
      assert.equal(await s.userSettings.getLocale(42), "en");
      await s.userSettings.setLocale(42, undefined);
      assert.equal(await s.userSettings.getLocale(42), undefined);
      assert.equal(await s.userSettings.getLocale(7), "de", "other users untouched");
      await s.userSettings.setLocale(99, undefined);
      assert.equal(await s.userSettings.getLocale(99), undefined, "clearing an unknown user is fine");
      await s.userSettings.setLocale(8_123_456_789, "uk");
      assert.equal(await s.userSettings.getLocale(8_123_456_789), "uk", "large Telegram ids");
    }));
}
