/**
 * Storage watch: SD cards fill up, and a console that cannot write loses its history
 * (alerts still go out from memory, see core/alerts/pipeline.ts). Every minute (and at
 * start) it reads the free space of DATA_DIR's file system (statfs) and sets the
 * `storage.space` condition well before the disk is full:
 *   - free below DISK_FREE_WARN_PCT: warning; old media make room (the media retention
 *     job deletes the oldest photos and clips until the free space is back above the
 *     warning level plus a margin), when the media live on that file system;
 *   - free below DISK_FREE_CRITICAL_PCT, or under DISK_FREE_CRITICAL_MB: critical;
 *   - back above the warning level: resolved.
 * A statfs that fails is logged (the next run tries again). Never throws.
 */
import { statfs } from "node:fs/promises";
import type { Incident, Severity } from "../core/alerts/types.ts";
import { type DiskSpace, type DiskThresholds, formatBytes, judgeSpace } from "../core/system/disk.ts";

export type { DiskSpace };

import type { Clock } from "../core/clock.ts";
import type { Logger } from "../core/logger.ts";
import type { ScheduledHandle, Scheduler } from "../core/scheduler.ts";

export interface StorageWatchDeps {
  dir: string;
  thresholds: DiskThresholds;
  engine: {
    setCondition(
      rule: "storage.space",
      problem: { severity: Severity; details: Incident["details"] } | undefined,
      at: number,
      nowDetails?: Incident["details"],
    ): Promise<void>;
  };
  /** Frees about `bytes` by deleting the oldest media (absent when media do not live on this file system). */
  makeRoom?: (bytes: number) => Promise<{ freedBytes: number }>;
  scheduler: Scheduler;
  clock: Clock;
  logger: Logger;
  /** Reads the file system's space (default: statfs). */
  measure?: (dir: string) => Promise<DiskSpace>;
  timeZone?: string;
}

export interface StorageWatchJob {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Measures and judges now; resolves with what it measured (undefined if it could not). */
  runNow(): Promise<DiskSpace | undefined>;
}

async function statfsSpace(dir: string): Promise<DiskSpace> {
  const s = await statfs(dir);
  return { free: Number(s.bavail) * Number(s.bsize), size: Number(s.blocks) * Number(s.bsize) };
}

/** Room is made up to the warning level plus this share of the file system. */
const MARGIN_PCT = 2;

export function createStorageWatchJob(deps: StorageWatchDeps): StorageWatchJob {
  const measure = deps.measure ?? statfsSpace;
  let handle: ScheduledHandle | undefined;
  let inFlight: Promise<DiskSpace | undefined> | undefined;
  let runs = 0;

  async function run(): Promise<DiskSpace | undefined> {
    const log = deps.logger.child({ job: "storage-watch", run: ++runs });
    let space: DiskSpace;
    try {
      space = await measure(deps.dir);
    } catch (err) {
      log.warn({ err: (err as Error).message, dir: deps.dir }, "cannot read the free space of DATA_DIR");
      return undefined;
    }
    let level = judgeSpace(space, deps.thresholds);
    if (level && deps.makeRoom) {
      const target = ((deps.thresholds.warnFreePct + MARGIN_PCT) / 100) * space.size;
      const want = Math.max(0, Math.ceil(target - space.free));
      try {
        const { freedBytes } = await deps.makeRoom(want);
        if (freedBytes > 0) {
          log.warn({ freedBytes, want }, `low on space: deleted ${formatBytes(freedBytes)} of the oldest media`);
          space = await measure(deps.dir);
          level = judgeSpace(space, deps.thresholds);
        }
      } catch (err) {
        log.error({ err }, "could not make room by deleting old media");
      }
    }
    const at = deps.clock.now().getTime();
    const pct = space.size > 0 ? (space.free / space.size) * 100 : 100;
    const details = {
      free: formatBytes(space.free),
      size: formatBytes(space.size),
      pct: pct.toFixed(1),
      path: deps.dir,
    };
    if (level) log.warn({ ...details, level }, "DATA_DIR is running out of space");
    await deps.engine.setCondition("storage.space", level ? { severity: level, details } : undefined, at, details);
    return space;
  }

  function runNow(): Promise<DiskSpace | undefined> {
    inFlight ??= run()
      .catch((err) => {
        deps.logger.error({ err }, "storage watch failed");
        return undefined;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  }

  return {
    runNow,
    async start() {
      if (handle) return;
      handle = deps.scheduler.schedule("15 * * * * *", async () => void (await runNow()), {
        name: "storage-watch",
        ...(deps.timeZone ? { timeZone: deps.timeZone } : {}),
      });
      await runNow();
    },
    async stop() {
      const h = handle;
      handle = undefined;
      await h?.stop();
      await inFlight;
    },
  };
}
