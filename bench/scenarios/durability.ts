/**
 * What surviving a power cut costs: one write of each kind the console makes (a reading, an
 * outbox row for an alert, a door tap in the access log), each its own transaction as in
 * production, on a database file opened with synchronous=NORMAL and with FULL (WAL mode both;
 * FULL fsyncs the WAL at every commit). The files live in BENCH_DIR (default: the OS temp
 * directory; it must be a real disk, not tmpfs, for fsync to mean anything).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSqliteAccessLogRepository } from "../../storage/sqlite/access.ts";
import { createSqliteOutboxRepository } from "../../storage/sqlite/alerts.ts";
import { closeDatabase, openDatabase, type Synchronous } from "../../storage/sqlite/database.ts";
import { createSqliteReadingRepository } from "../../storage/sqlite/readings.ts";
import { type Metric, summarize } from "../stats.ts";

const ROOM = "bench-room";

export async function durabilityBench(opts: { writes: number }): Promise<Metric[]> {
  const metrics: Metric[] = [];
  const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), "seroma-bench-durability-"));
  try {
    for (const synchronous of ["NORMAL", "FULL"] as Synchronous[]) {
      const db = openDatabase(join(dir, `${synchronous}.db`), undefined, { synchronous });
      const readings = createSqliteReadingRepository(db);
      const outbox = createSqliteOutboxRepository(db);
      const access = createSqliteAccessLogRepository(db);
      const kinds: Record<string, (i: number) => Promise<unknown>> = {
        reading: (i) => readings.add({ roomId: ROOM, at: i, temperatureC: 22 + (i % 7) / 10, humidityPct: 45 }),
        "outbox row (alert)": (i) =>
          outbox.enqueue(
            { kind: "raised", roomId: ROOM, severity: "warning", at: i, details: { temperatureC: 31.2 } },
            ["telegram", "sns"],
            i,
          ),
        "access-log entry (tap)": (i) =>
          access.add({ roomId: ROOM, at: i, cardUid: "04A1B2C3", staffName: "Ada", decision: "allowed" }),
      };
      for (const [kind, write] of Object.entries(kinds)) {
        for (let i = 0; i < 20; i++) await write(i); // warm up
        const samples: number[] = [];
        for (let i = 0; i < opts.writes; i++) {
          const t = performance.now();
          await write(1_000 + i);
          samples.push(performance.now() - t);
        }
        const s = summarize(samples);
        metrics.push(
          { scenario: "durability", metric: `${kind}, synchronous=${synchronous}, p50`, value: s.p50, unit: "ms" },
          { scenario: "durability", metric: `${kind}, synchronous=${synchronous}, p99`, value: s.p99, unit: "ms" },
        );
      }
      closeDatabase(db);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return metrics;
}
