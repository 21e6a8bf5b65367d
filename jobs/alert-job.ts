/**
 * Alert job: once a minute, sends reminders for unacknowledged incidents, applies incident
 * changes still journalled (a remote backend that was unreachable), and prunes the outbox.
 */
import type { Clock } from "../core/clock.ts";
import type { Logger } from "../core/logger.ts";
import type { ScheduledHandle, Scheduler } from "../core/scheduler.ts";

const KEEP_DELIVERED_MS = 30 * 24 * 60 * 60 * 1000;

export interface AlertJobDeps {
  engine: { tick(): Promise<void> };
  outbox: { prune(before: number): Promise<number> };
  ledger?: { repair(): Promise<{ applied: number; pending: number }> };
  scheduler: Scheduler;
  clock: Clock;
  logger: Logger;
  roomId: string;
  timeZone?: string;
}

export function createAlertJob(deps: AlertJobDeps) {
  let handle: ScheduledHandle | undefined;
  let runs = 0;
  async function run(): Promise<void> {
    const log = deps.logger.child({ job: "alerts", run: ++runs });
    try {
      await deps.engine.tick();
      if (deps.ledger) {
        const { applied, pending } = await deps.ledger.repair();
        if (applied > 0) log.info({ applied, pending }, "journalled incident changes applied");
      }
      const pruned = await deps.outbox.prune(deps.clock.now().getTime() - KEEP_DELIVERED_MS);
      if (pruned > 0) log.info({ pruned }, "pruned delivered outbox entries");
    } catch (err) {
      log.error({ err }, "alert job failed");
    }
  }
  return {
    run,
    async start() {
      handle ??= deps.scheduler.schedule("0 * * * * *", run, {
        name: `alerts:${deps.roomId}`,
        ...(deps.timeZone ? { timeZone: deps.timeZone } : {}),
      });
    },
    async stop() {
      const h = handle;
      handle = undefined;
      await h?.stop();
    },
  };
}
