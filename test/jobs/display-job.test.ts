/**
 * The display job through a simulated LCD: the status screen at start, on readings and on
 * the minute; door messages for messageMs, then the status again; a failing display retried;
 * stop releases the bus listeners, the schedule and a pending return to the status. The
 * message timer is a real setTimeout in the job: the tests drive it with node:test's mock timers.
 */
import assert from "node:assert/strict";
import { describe, type TestContext, test } from "node:test";
import type { Reading } from "../../core/climate/reading.ts";
import type { AccessDecision, AccessEntry } from "../../core/door/ports.ts";
import { EventBus } from "../../core/event-bus.ts";
import type { RoomEvents } from "../../core/events.ts";
import { type Logger, silentLogger } from "../../core/logger.ts";
import { createSimulatedDisplay } from "../../hardware/display/simulator.ts";
import { createDisplayJob } from "../../jobs/display-job.ts";
import { ManualClock, ManualScheduler } from "../support/fakes.ts";
import { captureLogs } from "../support/log-capture.ts";

const START = "2026-11-23T10:00:00Z";
const MESSAGE_MS = 5_000;

/** The LCD strings (locales/*.ftl, `lcd-*`), with {var} placeholders. */
const STRINGS: Record<string, string> = {
  "lcd-climate": "{t}C {h}%RH",
  "lcd-no-reading": "No reading yet",
  "lcd-welcome": "Welcome,",
  "lcd-off-hours": "Off-hours entry",
  "lcd-denied": "Access denied",
  "lcd-unknown": "Unknown card",
  "lcd-card-read": "Card read",
  "lcd-enroll-by": "Enroll: {name}",
  "lcd-enrolled": "Card enrolled:",
};
const t = (key: string, vars: Record<string, string> = {}) =>
  (STRINGS[key] ?? `?${key}`).replace(/\{(\w+)\}/g, (_, k: string) => vars[k] ?? "");

function setup(opts: { logger?: Logger; timeZone?: string } = {}) {
  const clock = new ManualClock(START);
  const scheduler = new ManualScheduler();
  const bus = new EventBus<RoomEvents>(silentLogger);
  const display = createSimulatedDisplay({ cols: 20, rows: 2 });
  const job = createDisplayJob({
    roomId: "lab",
    display,
    bus,
    clock,
    scheduler,
    timeZone: opts.timeZone ?? "UTC",
    logger: opts.logger ?? silentLogger,
    t,
    messageMs: MESSAGE_MS,
  });
  /** What the panel shows, line by line, without the padding. */
  const shown = () =>
    display
      .text()
      .split("\n")
      .map((l) => l.trimEnd());
  const reading = (temperatureC: number, humidityPct: number) => {
    const r: Reading = { roomId: "lab", at: clock.now().getTime(), temperatureC, humidityPct };
    bus.emit("climate.reading", { reading: r });
  };
  let ids = 0;
  const tap = (decision: AccessDecision, staffName?: string, enrollment?: { by: string }) => {
    const entry: AccessEntry = {
      id: ++ids,
      roomId: "lab",
      at: clock.now().getTime(),
      cardUid: "04a1b2c3",
      decision,
      ...(staffName ? { staffName } : {}),
    };
    bus.emit("door.access", { entry, ...(enrollment ? { enrollment } : {}) });
  };
  return { clock, scheduler, bus, display, job, shown, reading, tap };
}

/** Lets the listeners' promises (the draw after show()) settle. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Drives the job's message timer (setTimeout, Date.now) by hand. */
function mockTimers(t: TestContext): (ms: number) => Promise<void> {
  t.mock.timers.enable({ apis: ["setTimeout", "Date"], now: Date.parse(START) });
  return async (ms) => {
    t.mock.timers.tick(ms);
    await settle();
  };
}

describe("display job", () => {
  test("start draws the status at once; a reading redraws it; each minute's tick moves the clock (room's time zone)", async () => {
    const { clock, scheduler, job, shown, reading } = setup({ timeZone: "Europe/Berlin" });
    await job.start();
    assert.deepEqual(shown(), ["No reading yet", "11:00 lab"]);
    assert.deepEqual(
      scheduler.active().map((e) => [e.name, e.expression]),
      [["display:lab", "0 * * * * *"]],
    );

    reading(22.46, 45.4);
    await settle();
    assert.deepEqual(shown(), ["22.5C 45%RH", "11:00 lab"]);

    clock.advance(60_000);
    await scheduler.tick("display:lab");
    assert.deepEqual(shown(), ["22.5C 45%RH", "11:01 lab"]);
    await job.stop();
  });

  test("a door greeting replaces the status for messageMs, then the status returns with what arrived meanwhile", async (t) => {
    const advance = mockTimers(t);
    const { scheduler, job, shown, reading, tap } = setup();
    await job.start();
    tap("allowed", "Ada");
    await settle();
    assert.deepEqual(shown(), ["Welcome,", "Ada"]);

    // Neither a reading nor the minute's tick cuts the message short.
    reading(24, 50);
    await settle();
    await scheduler.tick("display:lab");
    await advance(MESSAGE_MS - 1);
    assert.deepEqual(shown(), ["Welcome,", "Ada"]);

    await advance(1);
    assert.deepEqual(shown(), ["24.0C 50%RH", "10:00 lab"]);
    await job.stop();
  });

  test("every door decision, a card read for an enrollment and an enrolled card have their own message", async (t) => {
    const advance = mockTimers(t);
    const { bus, job, shown, tap } = setup();
    await job.start();
    const cases: Array<[() => void, string[]]> = [
      [() => tap("allowed", "Ada"), ["Welcome,", "Ada"]],
      [() => tap("off-hours", "Linus"), ["Off-hours entry", "Linus"]],
      [() => tap("revoked", "Mallory"), ["Access denied", "Mallory"]],
      [() => tap("unknown"), ["Unknown card", "Access denied"]],
      // Read for an enrollment: whatever the decision, the LCD says who is enrolling it.
      [() => tap("unknown", undefined, { by: "Ada" }), ["Card read", "Enroll: Ada"]],
      [
        () =>
          bus.emit("door.enrolled", {
            roomId: "lab",
            member: { cardUid: "04a1b2c3", name: "Grace", role: "staff", active: true, createdBy: 1001, createdAt: 0 },
          }),
        ["Card enrolled:", "Grace"],
      ],
    ];
    for (const [act, lines] of cases) {
      act();
      await settle();
      assert.deepEqual(shown(), lines);
      await advance(MESSAGE_MS);
      assert.deepEqual(shown(), ["No reading yet", "10:00 lab"], `the status returns after ${lines.join(" / ")}`);
    }
    await job.stop();
  });

  test("a second message restarts the countdown: it stays its full time", async (t) => {
    const advance = mockTimers(t);
    const { job, shown, tap } = setup();
    await job.start();
    tap("allowed", "Ada");
    await advance(3_000);
    tap("allowed", "Linus");
    await advance(MESSAGE_MS - 1); // past the first message's end
    assert.deepEqual(shown(), ["Welcome,", "Linus"]);
    await advance(1);
    assert.deepEqual(shown(), ["No reading yet", "10:00 lab"]);
    await job.stop();
  });

  test("a failing display does not stop the job: retried on the next frame, logged once per failure streak", async () => {
    const logs = captureLogs();
    const { scheduler, display, job, shown, reading } = setup({ logger: logs.logger });
    display.fail(2);
    await job.start(); // fails, not thrown
    reading(21, 40); // fails again
    await settle();
    assert.deepEqual(shown(), ["", ""], "nothing drawn yet");
    await scheduler.tick("display:lab");
    assert.deepEqual(shown(), ["21.0C 40%RH", "10:00 lab"]);
    assert.deepEqual(logs.messages("error"), ["display failed"]);
    assert.deepEqual(logs.messages("info"), ["display works again"]);
    await job.stop();
  });

  test("a listener of the same event that throws does not keep the LCD from updating", async () => {
    const { bus, job, shown, reading } = setup();
    bus.on("climate.reading", () => {
      throw new Error("listener bug");
    });
    await job.start();
    reading(19.5, 55);
    await settle();
    assert.deepEqual(shown(), ["19.5C 55%RH", "10:00 lab"]);
    await job.stop();
  });

  test("stop releases its bus listeners and its schedule; nothing is drawn after it, not even a pending return to the status", async (t) => {
    const advance = mockTimers(t);
    const { bus, scheduler, display, job, shown, reading, tap } = setup();
    await job.start();
    assert.equal(bus.listenerCount(), 3, "climate.reading, door.access, door.enrolled");
    tap("allowed", "Ada");
    await settle();
    await job.stop();
    assert.equal(bus.listenerCount(), 0);
    assert.deepEqual(scheduler.active(), []);

    const frames = display.frames.length;
    reading(30, 60);
    tap("unknown");
    await advance(MESSAGE_MS);
    assert.equal(display.frames.length, frames, "no frame after stop");
    assert.deepEqual(shown(), ["Welcome,", "Ada"]);
  });
});
