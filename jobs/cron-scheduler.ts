import cron from "node-cron";
import type { Logger } from "../core/logger.ts";
import type { Scheduler } from "../core/scheduler.ts";

/** node-cron behind the Scheduler port. Overlapping runs are skipped, never stacked. */
export function createCronScheduler(logger: Logger): Scheduler {
  const cronLogger = {
    info: (m: string) => logger.debug({ source: "node-cron" }, m),
    warn: (m: string) => logger.warn({ source: "node-cron" }, m),
    error: (m: string | Error, err?: Error) => logger.error({ source: "node-cron", err: err ?? m }, String(m)),
    debug: (m: string | Error) => logger.trace({ source: "node-cron" }, String(m)),
  };
  return {
    schedule(expression, run, opts) {
      const task = cron.schedule(expression, () => run(), {
        name: opts.name,
        timezone: opts.timeZone,
        noOverlap: true,
        logger: cronLogger,
      });
      return {
        async stop() {
          await task.destroy();
        },
      };
    },
  };
}
