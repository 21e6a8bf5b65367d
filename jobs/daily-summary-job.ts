/**
 * Daily summary: at DAILY_SUMMARY_AT (room timezone), queues a "summary" notice; the
 * staff-group channel turns it into the 24 h climate chart with the day's incident count.
 * It goes through the outbox like any alert, so an outage delays it instead of losing it.
 */

import type { IncidentRepository } from "../core/alerts/ports.ts";
import type { Notice } from "../core/alerts/types.ts";
import type { Clock } from "../core/clock.ts";
import type { Logger } from "../core/logger.ts";
import type { ScheduledHandle, Scheduler } from "../core/scheduler.ts";

export interface DailySummaryJobDeps {
  roomId: string;
  /** "HH:MM" local time. */
  at: string;
  timeZone: string;
  incidents: Pick<IncidentRepository, "openedBetween" | "listOpen">;
  notify(notice: Notice): Promise<void>;
  scheduler: Scheduler;
  clock: Clock;
  logger: Logger;
}

export function createDailySummaryJob(deps: DailySummaryJobDeps) {
  let handle: ScheduledHandle | undefined;
  const [hh, mm] = deps.at.split(":").map(Number) as [number, number];
  async function run(): Promise<void> {
    const log = deps.logger.child({ job: "daily-summary" });
    try {
      const now = deps.clock.now().getTime();
      const day = await deps.incidents.openedBetween(deps.roomId, now - 24 * 3_600_000, now + 1);
      const open = await deps.incidents.listOpen(deps.roomId);
      await deps.notify({
        kind: "summary",
        roomId: deps.roomId,
        severity: "info",
        at: now,
        details: { incidents: day.length, open: open.length },
      });
      log.info({ incidents: day.length, open: open.length }, "daily summary queued");
    } catch (err) {
      log.error({ err }, "daily summary failed");
    }
  }
  return {
    run,
    async start() {
      handle ??= deps.scheduler.schedule(`0 ${mm} ${hh} * * *`, run, {
        name: `daily-summary:${deps.roomId}`,
        timeZone: deps.timeZone,
      });
    },
    async stop() {
      const h = handle;
      handle = undefined;
      await h?.stop();
    },
  };
}
