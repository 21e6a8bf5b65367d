/** Test doubles for the clock and scheduler ports: time and cron ticks move only when a test says so. */
import type { Clock } from "../../core/clock.ts";
import type { ScheduledHandle, Scheduler } from "../../core/scheduler.ts";

export class ManualClock implements Clock {
  private t: number;
  constructor(start: Date | string | number = "2026-11-23T10:00:00Z") {
    this.t = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.t);
  }
  set(at: Date | string | number): void {
    this.t = new Date(at).getTime();
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

interface Entry {
  expression: string;
  name: string;
  run: () => Promise<void>;
  active: boolean;
}

/** Records schedules; `tick(name)` fires one as node-cron would. */
export class ManualScheduler implements Scheduler {
  readonly entries: Entry[] = [];
  schedule(expression: string, run: () => Promise<void>, opts: { name: string }): ScheduledHandle {
    const entry: Entry = { expression, name: opts.name, run, active: true };
    this.entries.push(entry);
    return {
      stop: async () => {
        entry.active = false;
      },
    };
  }
  active(): Entry[] {
    return this.entries.filter((e) => e.active);
  }
  async tick(namePrefix = ""): Promise<void> {
    const due = this.active().filter((e) => e.name.startsWith(namePrefix));
    if (due.length === 0) throw new Error(`no active schedule named ${namePrefix}*`);
    await Promise.all(due.map((e) => e.run()));
  }
}
