/**
 * The daily summary: at DAILY_SUMMARY_AT in the room's time zone it queues one "summary"
 * notice with the incidents opened in the last 24 hours and those still open (a real SQLite
 * incident table); a failure is logged and the next day tries again.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Incident, Notice } from "../../core/alerts/types.ts";
import { type Logger, silentLogger } from "../../core/logger.ts";
import { createDailySummaryJob } from "../../jobs/daily-summary-job.ts";
import { createSqliteStorage } from "../../storage/sqlite/index.ts";
import { ManualClock, ManualScheduler } from "../support/fakes.ts";
import { captureLogs } from "../support/log-capture.ts";

const HOUR = 3_600_000;
/** 07:30 in Berlin (UTC+1 in November). */
const NOW = Date.parse("2026-11-23T06:30:00Z");

const incident = (over: Partial<Incident> & Pick<Incident, "id" | "rule" | "openedAt">): Incident => ({
  roomId: "lab",
  severity: "warning",
  state: "open",
  details: {},
  lastNotifiedAt: over.openedAt,
  ...over,
});

type Incidents = Parameters<typeof createDailySummaryJob>[0]["incidents"];

function setup(
  opts: { logger?: Logger; notify?: (n: Notice) => Promise<void>; incidents?: (real: Incidents) => Incidents } = {},
) {
  const clock = new ManualClock(NOW);
  const scheduler = new ManualScheduler();
  const storage = createSqliteStorage({ file: ":memory:" });
  const notices: Notice[] = [];
  const job = createDailySummaryJob({
    roomId: "lab",
    at: "07:30",
    timeZone: "Europe/Berlin",
    incidents: opts.incidents ? opts.incidents(storage.incidents) : storage.incidents,
    notify: opts.notify ?? (async (n) => void notices.push(n)),
    scheduler,
    clock,
    logger: opts.logger ?? silentLogger,
  });
  return { clock, scheduler, storage, notices, job };
}

describe("daily summary job", () => {
  test("start schedules it at its local time (starting twice schedules once); stop removes it", async () => {
    const { scheduler, job } = setup();
    await job.start();
    await job.start();
    assert.deepEqual(
      scheduler.active().map((e) => [e.name, e.expression]),
      [["daily-summary:lab", "0 30 7 * * *"]],
    );
    await job.stop();
    assert.deepEqual(scheduler.active(), []);
  });

  test("at its time it queues one summary: incidents opened in the last 24 h (this room's) and those still open", async () => {
    const { scheduler, storage, notices, job } = setup();
    const add = (i: Incident) => storage.incidents.insert(i);
    await add(incident({ id: "too-old", rule: "door.breach", openedAt: NOW - 24 * HOUR - 1, state: "resolved" }));
    await add(incident({ id: "day-start", rule: "door.unknown-card", openedAt: NOW - 24 * HOUR, state: "resolved" }));
    await add(incident({ id: "this-morning", rule: "climate.temperature", openedAt: NOW - HOUR }));
    await add(incident({ id: "last-week", rule: "sensor.dead", openedAt: NOW - 7 * 24 * HOUR }));
    await add(incident({ id: "next-door", rule: "door.breach", openedAt: NOW - HOUR, roomId: "other" }));

    await job.start();
    await scheduler.tick("daily-summary:lab");

    assert.deepEqual(notices, [
      {
        kind: "summary",
        roomId: "lab",
        severity: "info",
        at: NOW,
        details: { incidents: 2, open: 2 },
      },
    ]);
    await job.stop();
  });

  test("a quiet day is summarised too (zero incidents)", async () => {
    const { scheduler, notices, job } = setup();
    await job.start();
    await scheduler.tick("daily-summary:lab");
    assert.deepEqual(
      notices.map((n) => n.details),
      [{ incidents: 0, open: 0 }],
    );
    await job.stop();
  });

  test("a failing notify is logged, never thrown; the next day's summary goes out", async () => {
    const logs = captureLogs();
    const sent: Notice[] = [];
    let fail = true;
    const { clock, scheduler, job } = setup({
      logger: logs.logger,
      notify: async (n) => {
        if (fail) throw new Error("outbox unavailable");
        sent.push(n);
      },
    });
    await job.start();
    await scheduler.tick("daily-summary:lab");
    assert.deepEqual(logs.messages("error"), ["daily summary failed"]);
    fail = false;
    clock.advance(24 * HOUR);
    await scheduler.tick("daily-summary:lab");
    assert.deepEqual(
      sent.map((n) => n.at),
      [NOW + 24 * HOUR],
    );
    await job.stop();
  });

  test("incidents that cannot be read: no summary, logged, and the job keeps its schedule", async () => {
    const logs = captureLogs();
    const { scheduler, notices, job } = setup({
      logger: logs.logger,
      incidents: (real) => ({
        openedBetween: async () => {
          throw new Error("SQLITE_IOERR");
        },
        listOpen: (roomId) => real.listOpen(roomId),
      }),
    });
    await job.start();
    await scheduler.tick("daily-summary:lab");
    assert.deepEqual(notices, []);
    assert.deepEqual(logs.messages("error"), ["daily summary failed"]);
    assert.equal(scheduler.active().length, 1);
    await job.stop();
  });
});
