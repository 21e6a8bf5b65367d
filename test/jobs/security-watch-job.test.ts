import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { Incident } from "../../core/alerts/types.ts";
import type { CaptureService } from "../../core/camera/capture-service.ts";
import { parseConfig } from "../../core/config.ts";
import { EventBus } from "../../core/event-bus.ts";
import type { RoomEvents } from "../../core/events.ts";
import { silentLogger } from "../../core/logger.ts";
import { createSimulatedMotionSensor } from "../../hardware/motion/simulator.ts";
import { createFileArmStore, createSecurityWatchJob } from "../../jobs/security-watch-job.ts";
import { ManualClock } from "../support/fakes.ts";

const parsed = parseConfig({ TIMEZONE: "UTC" });
if (!parsed.ok) throw new Error(parsed.errors.join("; "));
const officeHours = parsed.config.officeHours;

function setup(opts: { snapshotFails?: boolean; store?: string } = {}) {
  const clock = new ManualClock("2026-11-24T02:00:00Z"); // Tuesday, outside 07:00-19:00
  const bus = new EventBus<RoomEvents>(silentLogger);
  const motion = createSimulatedMotionSensor({ clock, cooldownMs: 0 });
  const raised: Incident["details"][] = [];
  const captured: string[] = [];
  const links: Array<[number, string]> = [];
  const capture: CaptureService = {
    driver: "fake",
    async snapshot(req) {
      captured.push(`snapshot:${req.reason}`);
      if (opts.snapshotFails) return { ok: false, code: "timeout", message: "no answer" };
      return {
        ok: true,
        item: { id: 7 } as never,
        jpeg: Buffer.from([0xff, 0xd8]),
        width: 1,
        height: 1,
        at: 0,
        shared: false,
      };
    },
    async clip(seconds, req) {
      captured.push(`clip:${seconds}:${req.incidentId}`);
      return { ok: false, code: "failed", message: "not in this test" };
    },
    async idle() {},
    async close() {},
  };
  const watch = createSecurityWatchJob({
    roomId: "r",
    motion,
    capture,
    media: { linkIncident: async (id, incident) => void links.push([id, incident]) },
    raise: async (details, at) => {
      raised.push(details);
      return {
        id: `inc-${raised.length}`,
        roomId: "r",
        rule: "room.motion",
        severity: "warning",
        state: "resolved",
        openedAt: at,
        details,
        lastNotifiedAt: at,
      };
    },
    officeHours,
    clock,
    bus,
    logger: silentLogger,
    cooldownMs: 120_000,
    clipSeconds: 4,
    timeOf: () => "02:00",
    ...(opts.store ? { armStore: createFileArmStore(opts.store) } : {}),
  });
  return { clock, bus, motion, watch, raised, captured, links };
}

describe("security watch job", () => {
  test("off hours: snapshot, incident with the photo, link, then a clip for the incident", async () => {
    const s = setup();
    await s.watch.start();
    assert.equal(s.motion.trigger(0.25), true);
    await s.watch.idle();
    assert.deepEqual(s.raised, [{ time: "02:00", source: "sim", armed: 0, score: 0.25, mediaId: 7 }]);
    assert.deepEqual(s.links, [[7, "inc-1"]]);
    assert.deepEqual(s.captured, ["snapshot:motion", "clip:4:inc-1"]);
    await s.watch.stop();
    assert.equal(s.motion.trigger(), false, "stopped: the sensor is released");
  });

  test("a failed snapshot still raises the incident, without a photo", async () => {
    const s = setup({ snapshotFails: true });
    const outcome = await s.watch.onMotion(s.clock.now().getTime(), "pir");
    assert.ok(outcome.watched && outcome.incident);
    assert.deepEqual(s.raised, [{ time: "02:00", source: "pir", armed: 0 }]);
    assert.deepEqual(s.links, []);
  });

  test("cooldown: one incident per visit; after the cooldown, a new one", async () => {
    const s = setup();
    const t0 = s.clock.now().getTime();
    await s.watch.onMotion(t0, "sim");
    assert.equal((await s.watch.onMotion(t0 + 119_000, "sim")).watched, true);
    assert.equal(s.raised.length, 1);
    await s.watch.onMotion(t0 + 121_000, "sim");
    assert.equal(s.raised.length, 2);
  });

  test("office hours: logged only; armed: watched; the armed state survives a restart", async () => {
    const store = join(mkdtempSync(join(tmpdir(), "seroma-watch-")), "watch.json");
    const s = setup({ store });
    s.clock.set("2026-11-24T10:00:00Z");
    assert.deepEqual(await s.watch.onMotion(s.clock.now().getTime(), "sim"), {
      watched: false,
      reason: "office-hours",
    });
    assert.equal(s.watch.state().watching, false);
    s.watch.arm({ id: 1, name: "Ada" });
    const restarted = setup({ store });
    restarted.clock.set("2026-11-24T10:05:00Z");
    assert.deepEqual([restarted.watch.state().armed, restarted.watch.state().by?.name], [true, "Ada"]);
    await restarted.watch.onMotion(restarted.clock.now().getTime(), "sim");
    assert.equal(restarted.raised[0]?.armed, 1);
    restarted.watch.disarm({ id: 1, name: "Ada" });
    assert.equal(setup({ store }).watch.state().armed, false);
  });

  test("a dead sensor and its recovery go to the bus (the alert engine listens there)", async () => {
    const s = setup();
    const seen: string[] = [];
    s.bus.on("motion.dead", (e) => seen.push(`dead:${e.reason}`));
    s.bus.on("motion.alive", () => seen.push("alive"));
    s.bus.on("motion.detected", (e) => seen.push(`motion:${e.watched}`));
    await s.watch.start();
    s.motion.kill("GPIO read failed");
    s.motion.revive();
    s.motion.trigger();
    await s.watch.idle();
    assert.deepEqual(seen, ["dead:GPIO read failed", "alive", "motion:true"]);
    await s.watch.stop();
  });
});
