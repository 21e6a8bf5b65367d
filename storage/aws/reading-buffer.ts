/**
 * Readings taken while AWS is unreachable: kept in a small local SQLite file
 * (DATA_DIR/aws-buffer.db) in the order they were taken, and uploaded in batches
 * (BatchWriteItem, 25 a request) as soon as AWS answers again. A reading is identified
 * by (room, at) in DynamoDB, so a batch that is retried after a lost answer overwrites
 * itself instead of duplicating: none lost, none duplicated.
 *
 * While the buffer is not empty, new readings queue behind it (order kept). Reads go to
 * DynamoDB; when it cannot be reached, `latest` and `between` answer from the buffer
 * (the readings of the outage), so /status keeps working.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { Reading } from "../../core/climate/reading.ts";
import type { Logger } from "../../core/logger.ts";
import type { ReadingRepository } from "../../core/storage.ts";

export interface ReadingBuffer {
  push(r: Reading): void;
  /** Oldest first, with their buffer ids. */
  peek(limit: number): Array<{ id: number; reading: Reading }>;
  drop(ids: readonly number[]): void;
  count(): number;
  /** Buffered readings of a room, newest first. */
  latest(roomId: string, limit: number): Reading[];
  close(): void;
}

export function openReadingBuffer(file: string): ReadingBuffer {
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec(`CREATE TABLE IF NOT EXISTS pending_readings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    room_id TEXT NOT NULL, at INTEGER NOT NULL, temperature_c REAL NOT NULL, humidity_pct REAL NOT NULL)`);
  const insert = db.prepare(
    "INSERT INTO pending_readings (room_id, at, temperature_c, humidity_pct) VALUES (?, ?, ?, ?)",
  );
  const peek = db.prepare("SELECT * FROM pending_readings ORDER BY id LIMIT ?");
  const del = db.prepare("DELETE FROM pending_readings WHERE id = ?");
  const count = db.prepare("SELECT count(*) AS n FROM pending_readings");
  const latest = db.prepare("SELECT * FROM pending_readings WHERE room_id = ? ORDER BY at DESC, id DESC LIMIT ?");
  type Row = { id: number; room_id: string; at: number; temperature_c: number; humidity_pct: number };
  const toReading = (r: Row): Reading => ({
    roomId: r.room_id,
    at: r.at,
    temperatureC: r.temperature_c,
    humidityPct: r.humidity_pct,
  });
  const dropMany = db.transaction((ids: readonly number[]) => {
    for (const id of ids) del.run(id);
  });
  return {
    push: (r) => void insert.run(r.roomId, r.at, r.temperatureC, r.humidityPct),
    peek: (limit) => (peek.all(limit) as Row[]).map((r) => ({ id: r.id, reading: toReading(r) })),
    drop: (ids) => dropMany(ids),
    count: () => (count.get() as { n: number }).n,
    latest: (roomId, limit) => (latest.all(roomId, limit) as Row[]).map(toReading),
    close: () => db.close(),
  };
}

/** Wraps the DynamoDB readings repository with the offline buffer. */
export function createBufferedReadingRepository(opts: {
  remote: ReadingRepository;
  buffer: ReadingBuffer;
  logger: Logger;
  /** Readings per upload round (each a few BatchWriteItem requests). */
  batch?: number;
}): ReadingRepository & { flush(): Promise<number>; pending(): number } {
  const { remote, buffer } = opts;
  const log = opts.logger.child({ component: "aws-reading-buffer" });
  const batch = opts.batch ?? 500;
  let flushing: Promise<number> | undefined;

  async function flushOnce(): Promise<number> {
    let uploaded = 0;
    for (;;) {
      const rows = buffer.peek(batch);
      if (rows.length === 0) break;
      await remote.addMany(rows.map((r) => r.reading));
      buffer.drop(rows.map((r) => r.id));
      uploaded += rows.length;
    }
    if (uploaded > 0) log.info({ uploaded }, "buffered readings uploaded to DynamoDB");
    return uploaded;
  }

  function flush(): Promise<number> {
    flushing ??= flushOnce().finally(() => {
      flushing = undefined;
    });
    return flushing;
  }

  return {
    async add(reading) {
      if (buffer.count() > 0) {
        buffer.push(reading);
        await flush().catch((err) =>
          log.warn({ err: (err as Error).message, pending: buffer.count() }, "AWS still unreachable"),
        );
        return;
      }
      try {
        await remote.add(reading);
      } catch (err) {
        buffer.push(reading);
        log.warn({ err: (err as Error).message }, "AWS unreachable: reading buffered locally");
      }
    },
    addMany: (readings) => remote.addMany(readings),
    async latest(roomId, limit) {
      try {
        const fromRemote = await remote.latest(roomId, limit);
        const local = buffer.latest(roomId, limit);
        if (local.length === 0) return fromRemote;
        // A batch uploaded but not yet dropped from the buffer is in both: one each.
        const byAt = new Map([...fromRemote, ...local].map((r) => [r.at, r]));
        return [...byAt.values()].sort((a, b) => b.at - a.at).slice(0, limit);
      } catch (err) {
        const local = buffer.latest(roomId, limit);
        if (local.length > 0) return local;
        throw err;
      }
    },
    between: (roomId, from, to, limit) => remote.between(roomId, from, to, limit),
    count: (roomId) => remote.count(roomId),
    aggregate: (roomId, from, to, buckets) => remote.aggregate(roomId, from, to, buckets),
    flush,
    pending: () => buffer.count(),
  };
}
