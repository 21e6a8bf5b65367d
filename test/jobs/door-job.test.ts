/**
 * The door job with the simulated reader and a real SQLite file: every tap judged and
 * logged in order, enrollment captures (first come, first served; timeout; stop), reader
 * health events, and a failing store that does not stop the door.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parseConfig } from "../../core/config.ts";
import type { AccessLogRepository } from "../../core/door/ports.ts";
import { EventBus } from "../../core/event-bus.ts";
import type { RoomEvents } from "../../core/events.ts";
import { silentLogger } from "../../core/logger.ts";
import { createSimulatedCardReader } from "../../hardware/cards/simulator.ts";
import { createDoorJob } from "../../jobs/door-job.ts";
import { createSqliteStorage } from "../../storage/sqlite/index.ts";
import { ManualClock } from "../support/fakes.ts";

async function setup(opts: { accessLog?: (real: AccessLogRepository) => AccessLogRepository } = {}) {
  const parsed = parseConfig({ TIMEZONE: "UTC", OFFICE_HOURS: "mon-fri 07:00-19:00" });
  assert.ok(parsed.ok);
  const storage = createSqliteStorage({ dataDir: mkdtempSync(join(tmpdir(), "seroma-door-")) });
  const clock = new ManualClock("2026-11-24T10:00:00Z"); // a Tuesday
  const reader = createSimulatedCardReader({ clock, debounceMs: 1_000 });
  const bus = new EventBus<RoomEvents>(silentLogger);
  const events: string[] = [];
  bus.on("door.access", ({ entry, enrollment }) => {
    events.push(`${entry.cardUid}:${entry.decision}${enrollment ? ` (for ${enrollment.by})` : ""}`);
  });
  bus.on("door.reader-dead", ({ reason }) => {
    events.push(`dead:${reason}`);
  });
  bus.on("door.reader-alive", () => {
    events.push("alive");
  });
  const accessLog = opts.accessLog ? opts.accessLog(storage.accessLog) : storage.accessLog;
  const door = createDoorJob({
    roomId: "r1",
    reader,
    staff: storage.staff,
    accessLog,
    officeHours: parsed.config.officeHours,
    clock,
    bus,
    logger: silentLogger,
  });
  await storage.staff.add({
    cardUid: "0A0B0C0D",
    name: "Ada",
    role: "staff",
    active: true,
    createdBy: 1,
    createdAt: clock.now().getTime(),
  });
  await door.start();
  const tap = async (uid: string) => {
    clock.advance(2_000);
    reader.tap(uid);
    await door.idle();
  };
  return { storage, clock, reader, door, events, tap };
}

describe("door job", () => {
  // Capture timers are unref'd (they must not keep a stopping console alive): keep this
  // test process alive while they run.
  let keepAlive: NodeJS.Timeout;
  before(() => {
    keepAlive = setInterval(() => {}, 1_000);
  });
  after(() => clearInterval(keepAlive));

  test("judges and logs every tap in order; the weekend is off hours", async () => {
    const { storage, clock, events, tap, door } = await setup();
    await tap("0a:0b:0c:0d");
    await tap("11223344");
    clock.set("2026-11-28T10:00:00Z"); // Saturday
    await tap("0A0B0C0D");
    assert.deepEqual(events, ["0A0B0C0D:allowed", "11223344:unknown", "0A0B0C0D:off-hours"]);
    const rows = await storage.accessLog.latest("r1", 10);
    assert.deepEqual(
      rows.map((r) => [r.cardUid, r.decision, r.staffName]),
      [
        ["0A0B0C0D", "off-hours", "Ada"],
        ["11223344", "unknown", undefined],
        ["0A0B0C0D", "allowed", "Ada"],
      ],
    );
    await door.stop();
    await storage.close();
  });

  test("a capture gets a copy of the next tap, which is judged and logged as always", async () => {
    const { storage, events, tap, door } = await setup();
    const first = door.captureNextTap(10_000, "Grace");
    const second = door.captureNextTap(10_000, "Linus");
    await tap("0A0B0C0D");
    assert.equal(await first.card, "0A0B0C0D");
    await tap("55667788");
    assert.equal(await second.card, "55667788");
    await tap("0A0B0C0D");
    assert.deepEqual(events, ["0A0B0C0D:allowed (for Grace)", "55667788:unknown (for Linus)", "0A0B0C0D:allowed"]);
    assert.deepEqual(
      (await storage.accessLog.latest("r1", 10)).map((e) => `${e.cardUid}:${e.decision}`),
      ["0A0B0C0D:allowed", "55667788:unknown", "0A0B0C0D:allowed"],
    );
    await door.stop();
    await storage.close();
  });

  test("a capture times out or is cancelled with undefined, and gives the reader back", async () => {
    const { storage, tap, door } = await setup();
    const timedOut = door.captureNextTap(20, "Grace");
    assert.equal(await timedOut.card, undefined);
    const cancelled = door.captureNextTap(10_000, "Grace");
    cancelled.cancel();
    assert.equal(await cancelled.card, undefined);
    await tap("0A0B0C0D");
    assert.equal((await storage.accessLog.latest("r1", 1))[0]?.decision, "allowed");
    await door.stop();
    await storage.close();
  });

  test("stop() abandons waiting captures without answering them (nobody is left to tell)", async () => {
    const { storage, door } = await setup();
    const capture = door.captureNextTap(50, "Grace");
    await door.stop();
    const outcome = await Promise.race([
      capture.card.then(() => "settled"),
      new Promise((r) => setTimeout(() => r("pending"), 120)),
    ]);
    assert.equal(outcome, "pending", "not even the timeout answers it after stop()");
    await storage.close();
  });

  test("reader death and recovery become events", async () => {
    const { storage, reader, door, events } = await setup();
    reader.kill("no answer");
    await door.idle();
    reader.revive();
    await door.idle();
    assert.deepEqual(events, ["dead:no answer", "alive"]);
    await door.stop();
    await storage.close();
  });

  test("a failing access log does not silence the tap: it is still announced; later taps are stored", async () => {
    let fail = true;
    const { storage, tap, door, events } = await setup({
      accessLog: (real) => ({
        ...real,
        add: async (e) => {
          if (fail) {
            fail = false;
            throw new Error("SQLITE_FULL: database or disk is full");
          }
          return real.add(e);
        },
      }),
    });
    await tap("0A0B0C0D");
    await tap("11223344");
    assert.deepEqual(events, ["0A0B0C0D:allowed", "11223344:unknown"]);
    assert.equal(await storage.accessLog.count("r1"), 1);
    await door.stop();
    await storage.close();
  });
});
