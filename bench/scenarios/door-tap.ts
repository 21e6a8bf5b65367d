/**
 * Card tap -> access decision, access-log write and LCD update, through the real pieces:
 * the simulated card reader (de-bounce off, so every tap counts), the door job, a SQLite
 * file already holding `prefill` access-log rows and `staff` cards, the alert pipeline
 * (breaches and unknown cards open incidents and outbox rows, as in production, without
 * a delivery channel) and the display job drawing on the simulated LCD.
 *
 * Timed from `reader.tap()` to the simulated LCD showing the new frame. The reader's own
 * polling period (CARD_POLL_MS, 200 ms by default) comes on top on a Pi and is excluded,
 * as the target says. Each decision kind is timed separately: 10:00 (allowed),
 * 02:00 (off hours: a breach, so an alert is raised too), and unknown cards.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectAlertsToBus, setupAlerts } from "../../app/alerts.ts";
import { parseConfig } from "../../core/config.ts";
import type { Display } from "../../core/display/display.ts";
import { EventBus } from "../../core/event-bus.ts";
import type { RoomEvents } from "../../core/events.ts";
import { silentLogger } from "../../core/logger.ts";
import type { ScheduledHandle, Scheduler } from "../../core/scheduler.ts";
import { createSimulatedCardReader } from "../../hardware/cards/simulator.ts";
import { createSimulatedDisplay } from "../../hardware/display/simulator.ts";
import { createDisplayJob } from "../../jobs/display-job.ts";
import { createDoorJob } from "../../jobs/door-job.ts";
import { createSqliteAccessLogRepository } from "../../storage/sqlite/access.ts";
import { closeDatabase, openDatabase } from "../../storage/sqlite/database.ts";
import { createSqliteStorage, SQLITE_FILE_NAME } from "../../storage/sqlite/index.ts";
import { type Metric, summarize } from "../stats.ts";

const ROOM = "bench-room";

/** The display job's once-a-minute refresh is not part of this measurement. */
const idleScheduler: Scheduler = {
  schedule: (): ScheduledHandle => ({ stop: async () => {} }),
};

const uidOf = (i: number) => `04B1C2${i.toString(16).toUpperCase().padStart(8, "0")}`;

export async function doorTapBench(opts: { taps: number; prefill: number; staff: number }): Promise<Metric[]> {
  const dir = mkdtempSync(join(tmpdir(), "seroma-bench-door-"));
  try {
    const parsed = parseConfig({ ROOM_ID: ROOM, DATA_DIR: dir, TIMEZONE: "UTC", LOG_LEVEL: "silent" });
    if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
    const config = parsed.config;

    // A lived-in database: a year's worth of door taps and a staff table.
    const db = openDatabase(join(dir, SQLITE_FILE_NAME));
    const log = createSqliteAccessLogRepository(db);
    db.exec("BEGIN");
    const t0 = Date.now() - opts.prefill * 30_000;
    for (let j = 0; j < opts.prefill; j++) {
      const i = j % opts.staff;
      await log.add({
        roomId: ROOM,
        at: t0 + j * 30_000,
        cardUid: uidOf(i),
        staffName: `Staff ${i}`,
        decision: "allowed",
      });
    }
    db.exec("COMMIT");
    closeDatabase(db);

    const storage = createSqliteStorage({ dataDir: dir });
    for (let i = 0; i < opts.staff; i++) {
      await storage.staff.add({
        cardUid: uidOf(i),
        name: `Staff member ${i}`,
        role: "staff",
        active: true,
        createdBy: 1,
        createdAt: Date.now(),
      });
    }

    let now = new Date("2026-11-24T10:00:00Z").getTime();
    const clock = { now: () => new Date(now) };
    const bus = new EventBus<RoomEvents>(silentLogger);
    const alerts = setupAlerts({ config, storage, clock, logger: silentLogger, translate: (k) => k });
    connectAlertsToBus(alerts, bus, "UTC");
    await alerts.start();

    let shown: (() => void) | undefined;
    const lcd = createSimulatedDisplay({ cols: 16, rows: 2 });
    // Done when the display has taken the frame (an unchanged frame counts too: the
    // simulator, like the driver, then writes nothing).
    const display: Display = {
      driver: lcd.driver,
      cols: lcd.cols,
      rows: lcd.rows,
      show: async (lines) => {
        await lcd.show(lines);
        shown?.();
      },
      clear: () => lcd.clear(),
      close: () => lcd.close(),
    };
    const displayJob = createDisplayJob({
      roomId: ROOM,
      display,
      bus,
      clock,
      scheduler: idleScheduler,
      timeZone: "UTC",
      logger: silentLogger,
      t: (k, v) => (v ? `${k} ${Object.values(v).join(" ")}` : k),
      messageMs: 60_000,
    });
    await displayJob.start();
    const reader = createSimulatedCardReader({ clock, debounceMs: 0 });
    const door = createDoorJob({
      roomId: ROOM,
      reader,
      staff: storage.staff,
      accessLog: storage.accessLog,
      officeHours: config.officeHours,
      clock,
      bus,
      logger: silentLogger,
    });
    await door.start();

    // Phases go forward in time: the reader's de-bounce (like the real one) compares times.
    async function timeTaps(kind: string, at: string, uid: (n: number) => string): Promise<Metric[]> {
      now = new Date(at).getTime();
      const samples: number[] = [];
      for (let n = 0; n < opts.taps; n++) {
        now += 1_000;
        const drawn = new Promise<void>((resolve) => {
          shown = resolve;
        });
        const start = performance.now();
        if (!reader.tap(uid(n))) throw new Error(`the simulated reader did not take tap ${n} (${kind})`);
        await drawn;
        samples.push(performance.now() - start);
        await door.idle();
        await alerts.engine.idle();
      }
      const s = summarize(samples.slice(Math.min(50, opts.taps / 10))); // without the warm-up
      return [
        { scenario: "door-tap", metric: `${kind}: tap -> LCD p50`, value: s.p50, unit: "ms" },
        {
          scenario: "door-tap",
          metric: `${kind}: tap -> LCD p99`,
          value: s.p99,
          unit: "ms",
          target: { op: "<", value: 20 },
        },
      ];
    }

    const metrics = [
      ...(await timeTaps("allowed (10:00)", "2026-11-24T10:00:00Z", (n) => uidOf(n % opts.staff))),
      ...(await timeTaps("breach (02:00)", "2026-11-25T02:00:00Z", (n) => uidOf(n % opts.staff))),
      ...(await timeTaps(
        "unknown card",
        "2026-11-24T10:00:00Z",
        (n) => `0A${n.toString(16).toUpperCase().padStart(6, "0")}`,
      )),
    ];
    metrics.push({
      scenario: "door-tap",
      metric: "access-log rows at the end",
      value: await storage.accessLog.count(ROOM),
      unit: "rows",
    });
    await door.stop();
    await displayJob.stop();
    await alerts.stop();
    await storage.close();
    return metrics;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
