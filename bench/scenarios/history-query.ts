/**
 * (b) Bulk-insert 1,000,000 readings into a real SQLite file, then time the
 * `/history 20` query (latest 20 of the room) with other rooms' rows mixed in.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Reading } from "../../core/climate/reading.ts";
import { createSqliteStorage } from "../../storage/sqlite/index.ts";
import { type Metric, summarize } from "../stats.ts";

export async function historyQueryBench(opts: { rows: number; queries: number }): Promise<Metric[]> {
  const dir = mkdtempSync(join(tmpdir(), "seroma-bench-"));
  const storage = createSqliteStorage({ dataDir: dir });
  try {
    const batch = 10_000;
    const start = Date.now() - opts.rows * 60_000;
    const t0 = performance.now();
    for (let i = 0; i < opts.rows; i += batch) {
      const rows: Reading[] = [];
      for (let j = i; j < Math.min(i + batch, opts.rows); j++) {
        // Every 10th row belongs to another room sharing the file.
        rows.push({
          roomId: j % 10 === 0 ? "other-room" : "bench-room",
          at: start + j * 60_000,
          temperatureC: 20 + (j % 50) / 10,
          humidityPct: 40 + (j % 30) / 10,
        });
      }
      await storage.readings.addMany(rows);
    }
    const insertSeconds = (performance.now() - t0) / 1000;

    const samples: number[] = [];
    for (let q = 0; q < opts.queries; q++) {
      const t = performance.now();
      const rows = await storage.readings.latest("bench-room", 20);
      samples.push(performance.now() - t);
      if (rows.length !== 20) throw new Error(`expected 20 rows, got ${rows.length}`);
    }
    const s = summarize(samples);
    const name = "history-query";
    return [
      { scenario: name, metric: "rows stored", value: opts.rows, unit: "rows" },
      {
        scenario: name,
        metric: "bulk insert rate",
        value: opts.rows / insertSeconds,
        unit: "rows/s",
        target: { op: ">", value: 100_000 },
      },
      { scenario: name, metric: "latest-20 query p50", value: s.p50, unit: "ms" },
      { scenario: name, metric: "latest-20 query p99", value: s.p99, unit: "ms", target: { op: "<", value: 2 } },
    ];
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
