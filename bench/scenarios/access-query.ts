/**
 * (c) Fill a real SQLite file with `rows` door access-log entries (two rooms sharing
 * the file, ~50 staff cards plus some unknown cards), then time the queries behind
 * `/access` (latest 20 of the room, and older pages of it) and `/access <name>`
 * (one card's latest 20).
 *
 * The bulk fill opens the database directly (openDatabase + the real repository's
 * `add`) and wraps every 10,000 adds in BEGIN/COMMIT: the port has no `addMany`, and
 * the door logs one tap at a time. The rate of that real one-tap-one-commit path is
 * measured separately, through the Storage object, on `singleAdds` extra rows.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AccessDecision, AccessEntry } from "../../core/door/ports.ts";
import { createSqliteAccessLogRepository } from "../../storage/sqlite/access.ts";
import { closeDatabase, openDatabase } from "../../storage/sqlite/database.ts";
import { createSqliteStorage, SQLITE_FILE_NAME } from "../../storage/sqlite/index.ts";
import { type Metric, summarize } from "../stats.ts";

const ROOM = "bench-room";
const CARDS = Array.from({ length: 50 }, (_, i) => `04A2B3C4D5E6${i.toString(16).toUpperCase().padStart(2, "0")}`);

/** A cheap integer hash: spreads consecutive j over the cards independently of the room. */
function mix(j: number): number {
  let h = Math.imul(j ^ (j >>> 16), 0x45d9f3b);
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  return (h ^ (h >>> 16)) >>> 0;
}

function syntheticEntry(j: number, start: number): Omit<AccessEntry, "id"> {
  const roomId = j % 10 === 0 ? "other-room" : ROOM; // every 10th tap is at the other door
  const at = start + j * 30_000;
  if (j % 97 === 0) return { roomId, at, cardUid: `DEAD${j.toString(16).toUpperCase()}`, decision: "unknown" };
  const i = mix(j) % CARDS.length; // every card taps at both doors
  const decision: AccessDecision = i === 0 ? "revoked" : j % 13 === 0 ? "off-hours" : "allowed";
  return { roomId, at, cardUid: CARDS[i] as string, staffName: `Staff ${i}`, decision };
}

export async function accessQueryBench(opts: {
  rows: number;
  queries: number;
  singleAdds?: number;
}): Promise<Metric[]> {
  const singleAdds = opts.singleAdds ?? 10_000;
  const dir = mkdtempSync(join(tmpdir(), "seroma-bench-"));
  const start = Date.now() - (opts.rows + singleAdds) * 30_000;
  try {
    // 1. Bulk fill: the repository's own INSERT, 10,000 per transaction.
    const db = openDatabase(join(dir, SQLITE_FILE_NAME));
    const bulk = createSqliteAccessLogRepository(db);
    const batch = 10_000;
    const t0 = performance.now();
    for (let i = 0; i < opts.rows; i += batch) {
      db.exec("BEGIN");
      try {
        for (let j = i; j < Math.min(i + batch, opts.rows); j++) await bulk.add(syntheticEntry(j, start));
        db.exec("COMMIT");
      } catch (err) {
        db.exec("ROLLBACK");
        throw err;
      }
    }
    const bulkSeconds = (performance.now() - t0) / 1000;
    closeDatabase(db);

    // 2. Reopen as the console does; one tap = one `add` = one commit.
    const storage = createSqliteStorage({ dataDir: dir });
    try {
      const t1 = performance.now();
      for (let j = opts.rows; j < opts.rows + singleAdds; j++) await storage.accessLog.add(syntheticEntry(j, start));
      const singleSeconds = (performance.now() - t1) / 1000;
      const total = opts.rows + singleAdds;

      // The repository is synchronous underneath; await once per query like a caller would.
      const latest: number[] = [];
      const paged: number[] = [];
      const byCard: number[] = [];
      for (let q = 0; q < opts.queries; q++) {
        let t = performance.now();
        const a = await storage.accessLog.latest(ROOM, 20);
        latest.push(performance.now() - t);
        // An older page somewhere in the history (ids 1..total, pseudo-random but repeatable).
        const before = 1 + ((q * 104_729) % total);
        t = performance.now();
        const b = await storage.accessLog.latest(ROOM, 20, Math.max(before, 1_000));
        paged.push(performance.now() - t);
        t = performance.now();
        const c = await storage.accessLog.byCard(ROOM, CARDS[q % CARDS.length] as string, 20);
        byCard.push(performance.now() - t);
        for (const [what, got] of [
          ["latest", a.length],
          ["latest page", b.length],
          ["byCard", c.length],
        ] as const) {
          if (got !== 20) throw new Error(`${what}: expected 20 rows, got ${got}`);
        }
      }
      const countSamples: number[] = [];
      for (let q = 0; q < Math.min(20, opts.queries); q++) {
        const t = performance.now();
        await storage.accessLog.count(ROOM);
        countSamples.push(performance.now() - t);
      }
      const roomRows = await storage.accessLog.count(ROOM);
      if (roomRows < opts.rows * 0.8) throw new Error(`count: expected about 90% of the rows, got ${roomRows}`);

      const l = summarize(latest);
      const p = summarize(paged);
      const c = summarize(byCard);
      const n = summarize(countSamples);
      const name = "access-query";
      return [
        { scenario: name, metric: "rows stored", value: total, unit: "rows" },
        {
          scenario: name,
          metric: "bulk fill rate (add, 10k per transaction)",
          value: opts.rows / bulkSeconds,
          unit: "rows/s",
        },
        {
          scenario: name,
          metric: "single add rate (one commit each)",
          value: singleAdds / singleSeconds,
          unit: "rows/s",
        },
        { scenario: name, metric: "latest-20 query p50", value: l.p50, unit: "ms" },
        { scenario: name, metric: "latest-20 query p99", value: l.p99, unit: "ms", target: { op: "<", value: 2 } },
        { scenario: name, metric: "latest-20 older page p50", value: p.p50, unit: "ms" },
        { scenario: name, metric: "latest-20 older page p99", value: p.p99, unit: "ms", target: { op: "<", value: 2 } },
        { scenario: name, metric: "byCard-20 query p50", value: c.p50, unit: "ms" },
        { scenario: name, metric: "byCard-20 query p99", value: c.p99, unit: "ms", target: { op: "<", value: 2 } },
        { scenario: name, metric: "rows in the queried room", value: roomRows, unit: "rows" },
        { scenario: name, metric: "count (whole room) p50", value: n.p50, unit: "ms" },
      ];
    } finally {
      await storage.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
