/**
 * The scheduler port: jobs ask for a cron schedule through it, so tests can fire
 * ticks by hand instead of waiting. Production uses node-cron (jobs/cron-scheduler.ts).
 */
export interface ScheduledHandle {
  stop(): Promise<void>;
}

export interface Scheduler {
  /** `expression` is a node-cron expression (5 fields, or 6 with seconds first). */
  schedule(expression: string, run: () => Promise<void>, opts: { name: string; timeZone?: string }): ScheduledHandle;
}
