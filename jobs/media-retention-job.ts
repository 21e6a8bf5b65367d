/**
 * Media retention job: keeps the media store within its budgets (one disk, so the
 * budgets are per store, not per room). On a cron schedule (and once right at start):
 *
 * 1. deletes every item captured before `now - maxAgeMs`;
 * 2. while the index counts more than `maxBytes`, deletes the oldest items first;
 * 3. sweeps orphan files (no index row) older than an hour.
 *
 * `makeRoom(bytes)` runs the same deletions with a tighter size budget (the disk is
 * filling up: the storage watch asks for room), oldest first.
 *
 * `maxAgeMs` 0 / `maxBytes` 0 turn that budget off. Items go through `MediaStore.remove`
 * (index row first, then the file), so a remaining row always has its file. An item
 * that fails to delete is logged and skipped; the run goes on with the next one. Every
 * loop is bounded: a run never spins on items it cannot delete. Never throws.
 */

import type { MediaItem, MediaStore } from "../core/camera/media.ts";
import type { Clock } from "../core/clock.ts";
import type { Logger } from "../core/logger.ts";
import type { ScheduledHandle, Scheduler } from "../core/scheduler.ts";

/** Orphan files younger than this are left alone: a save may be about to index them. */
export const ORPHAN_GRACE_MS = 60 * 60 * 1000;
const BATCH = 100;
/** Upper bound on batches per phase (about 100 000 items): the next run continues. */
const MAX_BATCHES = 1_000;

export interface MediaRetentionBudget {
  /** Total bytes kept (0: no size limit). */
  maxBytes: number;
  /** Oldest item kept, in ms (0: no age limit). */
  maxAgeMs: number;
}

export interface MediaRetentionJobDeps {
  media: MediaStore;
  budget: MediaRetentionBudget;
  scheduler: Scheduler;
  clock: Clock;
  logger: Logger;
  /** node-cron expression; every 15 minutes by default. */
  cron?: string;
  timeZone?: string;
}

export interface MediaRetentionResult {
  /** Items whose index row and file were deleted. */
  removed: number;
  /** Bytes of those items. */
  freedBytes: number;
  /** Orphan and stale temp files swept. */
  orphans: number;
  /** Items (or the orphan sweep) that failed; logged, retried on the next run. */
  failed: number;
}

export interface MediaRetentionJob {
  start(): Promise<void>;
  /** Stops the schedule and waits for a run in progress to finish. */
  stop(): Promise<void>;
  /** Runs now (a run already in progress is shared, not doubled). */
  runNow(): Promise<MediaRetentionResult>;
  /** Deletes the oldest media until `bytes` are freed (or nothing is left), after any run in progress. */
  makeRoom(bytes: number): Promise<MediaRetentionResult>;
  readonly runs: number;
}

export function createMediaRetentionJob(deps: MediaRetentionJobDeps): MediaRetentionJob {
  const { media, budget, clock } = deps;
  const cron = deps.cron ?? "0 */15 * * * *";
  let handle: ScheduledHandle | undefined;
  let inFlight: Promise<MediaRetentionResult> | undefined;
  let runs = 0;

  async function run(room = 0): Promise<MediaRetentionResult> {
    const log = deps.logger.child({ job: "media-retention", run: ++runs, ...(room > 0 ? { room } : {}) });
    const result: MediaRetentionResult = { removed: 0, freedBytes: 0, orphans: 0, failed: 0 };
    /** Items this run failed to delete: skipped from then on (their rows may still lead the index). */
    const stuck = new Set<number>();

    async function removeItem(item: MediaItem): Promise<boolean> {
      try {
        if (!(await media.remove(item.id))) return false; // removed meanwhile by someone else
        result.removed++;
        result.freedBytes += item.size;
        return true;
      } catch (err) {
        stuck.add(item.id);
        result.failed++;
        log.warn({ err, id: item.id, key: item.key }, "could not delete media item");
        return false;
      }
    }

    /** The oldest items not yet tried; asks for enough rows to get past the stuck ones. */
    async function nextBatch(): Promise<MediaItem[]> {
      return (await media.oldest(BATCH + stuck.size)).filter((i) => !stuck.has(i.id));
    }

    // Each batch removes an item or marks one stuck, and a phase ends after MAX_BATCHES:
    // no loop can spin on items it cannot delete.
    async function ageOut(cutoff: number): Promise<void> {
      for (let batch = 0; batch < MAX_BATCHES; batch++) {
        const items = await nextBatch();
        if (items.length === 0) return;
        for (const item of items) {
          if (item.at >= cutoff) return;
          await removeItem(item);
        }
      }
      log.warn({ batches: MAX_BATCHES }, "age budget: stopped early; the next run continues");
    }

    async function fitSize(maxBytes: number): Promise<void> {
      for (let batch = 0; batch < MAX_BATCHES; batch++) {
        let bytes = (await media.usage()).bytes;
        if (bytes <= maxBytes) return;
        const items = await nextBatch();
        if (items.length === 0) return;
        for (const item of items) {
          if (bytes <= maxBytes) return;
          if (await removeItem(item)) bytes -= item.size;
        }
      }
      log.warn({ batches: MAX_BATCHES }, "size budget: stopped early; the next run continues");
    }

    try {
      const now = clock.now().getTime();
      if (budget.maxAgeMs > 0) await ageOut(now - budget.maxAgeMs);
      if (budget.maxBytes > 0) await fitSize(budget.maxBytes);
      if (room > 0) await fitSize(Math.max(0, (await media.usage()).bytes - room));
      try {
        result.orphans = await media.sweepOrphans(now - ORPHAN_GRACE_MS);
      } catch (err) {
        result.failed++;
        log.warn({ err }, "could not sweep orphan media files");
      }
    } catch (err) {
      result.failed++;
      log.error({ err }, "media retention failed");
    }
    if (result.removed > 0 || result.orphans > 0 || result.failed > 0) {
      log.info({ ...result }, `media retention: removed ${result.removed} items, freed ${result.freedBytes} bytes`);
    }
    return result;
  }

  function runNow(): Promise<MediaRetentionResult> {
    if (!inFlight) {
      inFlight = run().finally(() => {
        inFlight = undefined;
      });
    }
    return inFlight;
  }

  return {
    get runs() {
      return runs;
    },
    runNow,
    async makeRoom(bytes) {
      // A run of its own (the regular budgets, then `bytes` more), after any run in progress.
      while (inFlight) await inFlight;
      inFlight = run(bytes).finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
    async start() {
      if (handle) return;
      handle = deps.scheduler.schedule(cron, async () => void (await runNow()), {
        name: "media-retention",
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
