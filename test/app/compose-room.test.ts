/**
 * A room's start and stop through its one list of services (app/compose-room.ts over
 * app/services.ts): the whole console through the console harness, then rooms composed
 * directly (no bot) with a device that cannot start or stop. After stop, nothing is left:
 * no schedule, no bus listener, no device polling.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, type TestContext, test } from "node:test";
import { composeRoom, type RoomDevices } from "../../app/compose-room.ts";
import { parseConfig } from "../../core/config.ts";
import type { CardReader } from "../../core/door/card-reader.ts";
import { silentLogger } from "../../core/logger.ts";
import type { MotionSensor } from "../../core/motion/sensor.ts";
import { createSimulatedCamera } from "../../hardware/camera/simulator.ts";
import { createSimulatedCardReader } from "../../hardware/cards/simulator.ts";
import { createSimulatedClimateSensor } from "../../hardware/climate/simulator.ts";
import { createSimulatedDisplay } from "../../hardware/display/simulator.ts";
import { createSimulatedMotionSensor } from "../../hardware/motion/simulator.ts";
import { createSqliteStorage } from "../../storage/sqlite/index.ts";
import { STAFF_GROUP, startConsoleHarness } from "../support/console-harness.ts";
import { ManualClock, ManualScheduler } from "../support/fakes.ts";

const SCHEDULES = [
  "alerts:test-room",
  "backup",
  "display:test-room",
  "media-retention",
  "server-check",
  "storage-watch",
  "system-health",
];

describe("room start and stop (console harness)", () => {
  test("the whole console starts and works; stop leaves no schedule, bus listener or device running", async () => {
    const h = await startConsoleHarness();
    let stopped = false;
    try {
      assert.deepEqual(
        h.scheduler
          .active()
          .map((e) => e.name)
          .sort(),
        SCHEDULES,
      );
      assert.ok(h.bus.listenerCount("climate.reading") >= 2, "the alert engine and the LCD listen");
      assert.equal(h.reader.running, true);
      assert.equal(h.motion.running, true);

      // Started means working: a card at the door reaches the LCD and the alert pipeline.
      h.reader.tap("DEADBEEF");
      await h.api.waitFor(() =>
        h.api.messages(STAFF_GROUP.id).find((m) => m.from_bot && /DE:AD:BE:EF/i.test(m.text ?? m.caption ?? "")),
      );
      assert.match(h.display.text(), /Unknown card/);

      await h.stop();
      stopped = true;
      assert.deepEqual(h.scheduler.active(), []);
      assert.equal(h.bus.listenerCount(), 0, "every subscription released");
      assert.equal(h.reader.running, false);
      assert.equal(h.motion.running, false);
    } finally {
      if (!stopped) await h.stop();
    }
  });
});

/** A room without a bot, around simulated devices; `devices` swaps some for broken ones. */
function room(t: TestContext, devices: (sims: RoomDevices) => Partial<RoomDevices> = () => ({})) {
  const parsed = parseConfig({
    ROOM_ID: "lab",
    DATA_DIR: mkdtempSync(join(tmpdir(), "seroma-room-")),
    HARDWARE: "sim",
    TIMEZONE: "UTC",
    LOG_LEVEL: "silent",
  });
  assert.ok(parsed.ok);
  const config = parsed.config;
  const clock = new ManualClock("2026-11-23T10:00:00Z");
  const scheduler = new ManualScheduler();
  const storage = createSqliteStorage({ dataDir: config.dataDir });
  const reader = createSimulatedCardReader({ clock });
  const motion = createSimulatedMotionSensor({ clock, cooldownMs: 0 });
  const camera = createSimulatedCamera({ clock, seed: 1, ffmpegPath: null });
  const sims: RoomDevices = {
    climate: createSimulatedClimateSensor({ clock, seed: 1 }),
    cards: reader,
    display: createSimulatedDisplay(),
    camera,
    motion,
  };
  const r = composeRoom({
    config,
    storage,
    devices: { ...sims, ...devices(sims) },
    clock,
    scheduler,
    logger: silentLogger,
    manualSampling: true,
    diskSpace: async () => ({ free: 16 * 1024 ** 3, size: 32 * 1024 ** 3 }),
    systemHealth: {
      clockSynchronised: async () => ({ ok: true, value: true }),
      throttled: async () => ({ ok: false, reason: "not a Raspberry Pi" }),
    },
  });
  t.after(async () => {
    await camera.close();
    await storage.close();
  });
  return { room: r, scheduler, reader, motion };
}

/** A device whose start() or stop() fails (after really stopping it) with `fail`'s message. */
type Faults = { start?: string; stop?: string };
const brokenReader = (reader: CardReader, fail: Faults): CardReader => ({
  driver: reader.driver,
  async start(listener) {
    if (fail.start) throw new Error(fail.start);
    await reader.start(listener);
  },
  async stop() {
    await reader.stop();
    if (fail.stop) throw new Error(fail.stop);
  },
});
const brokenMotion = (motion: MotionSensor, fail: Faults): MotionSensor => ({
  driver: motion.driver,
  async start(listener) {
    if (fail.start) throw new Error(fail.start);
    await motion.start(listener);
  },
  async stop() {
    await motion.stop();
    if (fail.stop) throw new Error(fail.stop);
  },
});

describe("room start and stop (one list of services)", () => {
  test("the services start alerts first and stop the bot's background work first", (t) => {
    const { room: r } = room(t);
    assert.deepEqual(r.services, [
      "alerts",
      "alert-job",
      "display",
      "room-status",
      "capture",
      "door",
      "media-retention",
      "storage-watch",
      "system-health",
      "server-checks",
      "backups",
      "security-watch",
      "background",
    ]);
  });

  test("a motion sensor that cannot start is a motion.dead incident; the rest of the room runs and start() resolves", async (t) => {
    const {
      room: r,
      scheduler,
      reader,
    } = room(t, (s) => ({
      motion: brokenMotion(s.motion, { start: "gpiochip0: Device or resource busy" }),
    }));
    await r.start();
    await r.alerts.engine.idle();
    const dead = r.alerts.engine.openIncidents().find((i) => i.rule === "motion.dead");
    assert.equal(dead?.details.reason, "gpiochip0: Device or resource busy");
    assert.equal(reader.running, true);
    assert.equal(scheduler.active().length, 7);
    await r.stop();
    assert.equal(r.bus.listenerCount(), 0);
    assert.deepEqual(scheduler.active(), []);
  });

  test("a card reader that cannot start: the services after it still start, then start() rejects with its error", async (t) => {
    const {
      room: r,
      scheduler,
      motion,
    } = room(t, (s) => ({
      cards: brokenReader(s.cards, { start: "MFRC522 on /dev/spidev0.0: ENOENT" }),
    }));
    await assert.rejects(r.start(), { message: "MFRC522 on /dev/spidev0.0: ENOENT" });
    assert.equal(motion.running, true, "the security watch started after the door failed");
    assert.ok(scheduler.active().some((e) => e.name === "server-check"));
    await r.stop();
    assert.equal(r.bus.listenerCount(), 0);
    assert.deepEqual(scheduler.active(), []);
    assert.equal(motion.running, false);
  });

  test("a stop that fails does not keep the rest of the room from stopping; stop() rejects with it", async (t) => {
    const {
      room: r,
      scheduler,
      motion,
    } = room(t, (s) => ({
      cards: brokenReader(s.cards, { stop: "spidev: close failed" }),
    }));
    await r.start();
    await assert.rejects(r.stop(), { message: "spidev: close failed" });
    assert.equal(motion.running, false);
    assert.deepEqual(scheduler.active(), []);
    assert.equal(r.bus.listenerCount(), 0, "the alert pipeline, stopped after the door, released its listeners");
  });
});
