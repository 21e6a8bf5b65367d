import type { Reading } from "../../core/climate/reading.ts";
import type { ReadingBucket, ReadingRepository } from "../../core/storage.ts";
import type { SqliteDatabase } from "./database.ts";

interface Row {
  room_id: string;
  at: number;
  temperature_c: number;
  humidity_pct: number;
}

const toReading = (r: Row): Reading => ({
  roomId: r.room_id,
  at: r.at,
  temperatureC: r.temperature_c,
  humidityPct: r.humidity_pct,
});

export function createSqliteReadingRepository(db: SqliteDatabase): ReadingRepository {
  const insert = db.prepare("INSERT INTO readings (room_id, at, temperature_c, humidity_pct) VALUES (?, ?, ?, ?)");
  const latest = db.prepare<[string, number], Row>(
    "SELECT * FROM readings WHERE room_id = ? ORDER BY at DESC, rowid DESC LIMIT ?",
  );
  const between = db.prepare<[string, number, number, number], Row>(
    "SELECT * FROM readings WHERE room_id = ? AND at >= ? AND at < ? ORDER BY at ASC, rowid ASC LIMIT ?",
  );
  const count = db.prepare<[string], { n: number }>("SELECT count(*) AS n FROM readings WHERE room_id = ?");
  // One pass over the (room_id, at) index range; the bucket number is an integer
  // (CAST: bound numbers may arrive as REAL). Rows never reach JS, only the buckets.
  const aggregate = db.prepare<{ room: string; from: number; to: number; size: number }, ReadingBucket>(
    `SELECT @from + b * @size AS at, count(*) AS count,
            min(temperature_c) AS tMin, avg(temperature_c) AS tAvg, max(temperature_c) AS tMax,
            min(humidity_pct) AS hMin, avg(humidity_pct) AS hAvg, max(humidity_pct) AS hMax
       FROM (SELECT CAST((at - @from) / @size AS INTEGER) AS b, temperature_c, humidity_pct
               FROM readings WHERE room_id = @room AND at >= @from AND at < @to)
      GROUP BY b ORDER BY b`,
  );
  const insertMany = db.transaction((readings: readonly Reading[]) => {
    for (const r of readings) insert.run(r.roomId, r.at, r.temperatureC, r.humidityPct);
  });

  return {
    async add(r) {
      insert.run(r.roomId, r.at, r.temperatureC, r.humidityPct);
    },
    async addMany(readings) {
      insertMany(readings);
    },
    async latest(roomId, limit) {
      return latest.all(roomId, limit).map(toReading);
    },
    async between(roomId, from, to, limit) {
      return between.all(roomId, from, to, limit).map(toReading);
    },
    async count(roomId) {
      return count.get(roomId)?.n ?? 0;
    },
    async aggregate(roomId, from, to, buckets) {
      const n = Math.floor(buckets);
      if (!(n >= 1) || !(to > from)) return [];
      const size = Math.ceil((to - from) / n);
      return aggregate.all({ room: roomId, from, to, size });
    },
  };
}
