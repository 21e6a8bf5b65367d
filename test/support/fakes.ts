/**
 * Test doubles for the clock and scheduler ports: time and cron ticks move only when a test
 * says so; and manual timers (the drivers' polling timers) that move a ManualClock as they fire.
 */
import assert from "node:assert/strict";
import type { Clock } from "../../core/clock.ts";
import type { ScheduledHandle, Scheduler } from "../../core/scheduler.ts";
import type { PollTimers } from "../../hardware/polling.ts";

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

interface Pending {
  id: number;
  callback: () => void;
  ms: number;
}

/** Timers that run only when told; firing one advances the clock by its delay first. */
export class ManualTimers implements PollTimers {
  readonly pending: Pending[] = [];
  /** Every delay ever scheduled, in order. */
  readonly delays: number[] = [];
  maxPending = 0;
  private next = 1;
  private readonly clock: ManualClock;
  constructor(clock: ManualClock) {
    this.clock = clock;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const t = { id: this.next++, callback, ms };
    this.pending.push(t);
    this.delays.push(ms);
    this.maxPending = Math.max(this.maxPending, this.pending.length);
    return t.id;
  }

  clearTimeout(handle: unknown): void {
    const i = this.pending.findIndex((t) => t.id === handle);
    if (i >= 0) this.pending.splice(i, 1);
  }

  /** Fires the earliest timer (there is at most one); returns its delay. */
  fire(): number {
    const t = this.pending.shift();
    assert.ok(t, "no timer is pending");
    this.clock.advance(t.ms);
    t.callback();
    return t.ms;
  }

  /** Fires timers until at least `ms` of clock time has passed. */
  runFor(ms: number): void {
    let elapsed = 0;
    while (elapsed < ms) elapsed += this.fire();
  }
}
