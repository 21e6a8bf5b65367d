/**
 * (c) Resident memory while the room-status job takes 10,000 samples from the
 * simulated sensor into a real SQLite file (ticks fired back to back, clock advanced).
 * RSS is read after a GC at 1,000 (baseline), 5,000 and 10,000 samples: flat means
 * the growth from baseline to the end stays small.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventBus } from "../../core/event-bus.ts";
import type { RoomEvents } from "../../core/events.ts";
import { silentLogger } from "../../core/logger.ts";
import { createSimulatedClimateSensor } from "../../hardware/climate/simulator.ts";
import { createRoomStatusJob } from "../../jobs/room-status-job.ts";
import { createSqliteStorage } from "../../storage/sqlite/index.ts";
import { ManualClock, ManualScheduler } from "../../test/support/fakes.ts";
import { type Metric, mb } from "../stats.ts";

function rssAfterGc(): { rss: number; heap: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed };
}

export async function samplingMemoryBench(opts: { samples: number }): Promise<Metric[]> {
  const dir = mkdtempSync(join(tmpdir(), "seroma-bench-"));
  const storage = createSqliteStorage({ dataDir: dir });
  const clock = new ManualClock();
  const scheduler = new ManualScheduler();
  const bus = new EventBus<RoomEvents>(silentLogger);
  let stored = 0;
  bus.on("climate.reading", () => {
    stored++;
  });
  const job = createRoomStatusJob({
    roomId: "bench-room",
    sensor: createSimulatedClimateSensor({ clock, seed: 7 }),
    readings: storage.readings,
    clock,
    scheduler,
    bus,
    logger: silentLogger,
    cron: "*/2 * * * * *",
  });
  const checkpoints: Record<number, { rss: number; heap: number }> = {};
  try {
    await job.start(); // first sample
    for (let i = 1; i < opts.samples; i++) {
      clock.advance(2_000);
      await scheduler.tick("room-status");
      if (i + 1 === 1_000 || i + 1 === opts.samples / 2 || i + 1 === opts.samples) checkpoints[i + 1] = rssAfterGc();
    }
    await job.stop();
    if (stored !== opts.samples) throw new Error(`stored ${stored} of ${opts.samples} samples`);
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const zero = { rss: 0, heap: 0 };
  const base = checkpoints[1_000] ?? zero;
  const mid = checkpoints[opts.samples / 2] ?? zero;
  const end = checkpoints[opts.samples] ?? zero;
  const name = "sampling-memory";
  const m = (metric: string, value: number, target?: Metric["target"]): Metric => ({
    scenario: name,
    metric,
    value,
    unit: "MB",
    ...(target ? { target } : {}),
  });
  return [
    { scenario: name, metric: "samples taken and stored", value: stored, unit: "samples" },
    m("RSS after 1,000 samples", mb(base.rss)),
    m(`RSS after ${opts.samples / 2} samples`, mb(mid.rss)),
    m(`RSS after ${opts.samples} samples`, mb(end.rss), { op: "<", value: 150 }),
    m("JS heap after 1,000 samples", mb(base.heap)),
    m(`JS heap after ${opts.samples / 2} samples`, mb(mid.heap)),
    m(`JS heap after ${opts.samples} samples`, mb(end.heap)),
  ];
}
