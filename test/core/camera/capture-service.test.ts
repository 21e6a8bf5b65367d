import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Camera } from "../../../core/camera/camera.ts";
import { createCaptureService } from "../../../core/camera/capture-service.ts";
import { EventBus } from "../../../core/event-bus.ts";
import type { RoomEvents } from "../../../core/events.ts";
import { silentLogger } from "../../../core/logger.ts";
import type { MediaStore, Storage } from "../../../core/storage.ts";
import { isJpeg } from "../../../hardware/camera/media.ts";
import { createSimulatedCamera, type SimulatedCamera } from "../../../hardware/camera/simulator.ts";
import { createSqliteStorage } from "../../../storage/sqlite/index.ts";
import { ManualClock } from "../../support/fakes.ts";

describe("capture service", () => {
  let storage: Storage;
  let camera: SimulatedCamera;
  let media: MediaStore;
  let failSaves = false;
  const events: string[] = [];
  const clock = new ManualClock("2026-11-23T10:00:00Z");
  const bus = new EventBus<RoomEvents>(silentLogger);
  bus.on("camera.failed", (e) => events.push(`failed:${e.code}`));
  bus.on("camera.ok", () => events.push("ok"));

  const service = () =>
    createCaptureService({
      camera,
      media,
      roomId: "r1",
      timeZone: "UTC",
      quality: 80,
      clock,
      bus,
      logger: silentLogger,
      latestReading: async () => ({
        roomId: "r1",
        at: clock.now().getTime() - 60_000,
        temperatureC: 21.5,
        humidityPct: 40,
      }),
    });

  before(() => {
    storage = createSqliteStorage({ dataDir: mkdtempSync(join(tmpdir(), "seroma-capture-")) });
    media = {
      ...storage.media,
      save: (m) => (failSaves ? Promise.reject(new Error("disk full")) : storage.media.save(m)),
    };
    camera = createSimulatedCamera({ clock, width: 640, height: 360, timeoutMs: 200, ffmpegPath: null });
  });
  after(async () => {
    await camera.close();
    await storage.close();
  });

  test("concurrent snapshots share one capture and one stored file", async () => {
    const s = service();
    const before = camera.captures;
    const results = await Promise.all([1, 2, 3].map((id) => s.snapshot({ reason: "request", requestedBy: id })));
    assert.equal(camera.captures - before, 1);
    assert.deepEqual(
      results.map((r) => r.ok && r.shared),
      [false, true, true],
    );
    const ids = new Set(results.map((r) => (r.ok ? r.item?.id : undefined)));
    assert.equal(ids.size, 1);
    assert.ok(results.every((r) => r.ok && isJpeg(r.jpeg)));
    // A later request takes a new picture.
    await s.snapshot({ reason: "request" });
    assert.equal(camera.captures - before, 2);
  });

  test("a shorter clip request joins the clip recording; a longer one waits and records its own", async () => {
    const s = service();
    const before = camera.captures;
    const progress: number[] = [];
    const first = s.clip(2, { reason: "request", onProgress: (f) => progress.push(f) });
    const joined = s.clip(1, { reason: "request" });
    const longer = s.clip(3, { reason: "request" });
    const [a, b, c] = await Promise.all([first, joined, longer]);
    assert.ok(a.ok && b.ok && c.ok);
    assert.equal(b.shared, true);
    assert.equal(b.clip, a.clip, "the same recording");
    assert.equal(c.clip.seconds, 3);
    assert.equal(camera.captures - before, 2, "two recordings for three requests");
    assert.ok(progress.length > 0 && progress.every((f) => f >= 0 && f <= 1));
  });

  test("failures are results with a clear message and a bus event; the next success says ok once", async () => {
    const s = service();
    camera.fail("failed", 1);
    const r = await s.snapshot({ reason: "request" });
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.message.length > 0);
    camera.hang(1);
    const t = await s.clip(1, { reason: "request" });
    assert.deepEqual(t.ok ? "ok" : t.code, "timeout");
    assert.ok((await s.snapshot({ reason: "request" })).ok);
    assert.ok((await s.snapshot({ reason: "request" })).ok);
    assert.deepEqual(events, ["failed:failed", "failed:timeout", "ok"]);
  });

  test("a store that cannot write still returns the picture (without an item)", async () => {
    failSaves = true;
    try {
      const r = await service().snapshot({ reason: "request" });
      assert.ok(r.ok && isJpeg(r.jpeg));
      assert.equal(r.ok && r.item, undefined);
    } finally {
      failSaves = false;
    }
  });

  describe("close() for shutdown", () => {
    /** The simulated camera, with snapshots held until released. */
    function heldCamera() {
      let release: () => void = () => undefined;
      let held = false;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      const cam: Camera = {
        driver: camera.driver,
        width: camera.width,
        height: camera.height,
        async snapshot() {
          const shot = await camera.snapshot();
          held = true;
          await gate;
          return shot;
        },
        clip: (n, o) => camera.clip(n, o),
        close: async () => undefined,
      };
      return { cam, release, isHeld: () => held };
    }
    const serviceWith = (cam: Camera) =>
      createCaptureService({
        camera: cam,
        media,
        roomId: "r1",
        timeZone: "UTC",
        quality: 80,
        clock,
        bus,
        logger: silentLogger,
        latestReading: async () => undefined,
      });
    const stored = async () => (await storage.media.list("r1", { limit: 1000 })).length;

    test("a capture that finishes within the grace is stored; new requests are refused at once", async () => {
      const { cam, release } = heldCamera();
      const s = serviceWith(cam);
      const before = await stored();
      const shot = s.snapshot({ reason: "request" });
      const closing = s.close(60_000);
      assert.deepEqual(await s.clip(1, { reason: "request" }), {
        ok: false,
        code: "closed",
        message: "the camera service is stopping",
      });
      release();
      await closing;
      const r = await shot;
      assert.ok(r.ok && r.item, "finished in time: stored");
      assert.equal(await stored(), before + 1);
    });

    test("a capture still running after the grace is dropped: nothing stored or announced once close() returned", async () => {
      const { cam, release, isHeld } = heldCamera();
      const s = serviceWith(cam);
      const before = await stored();
      const eventsBefore = events.length;
      const shot = s.snapshot({ reason: "request" });
      while (!isHeld()) await new Promise((r) => setImmediate(r));
      await s.close(1); // the capture is held: the grace runs out
      assert.equal((await s.snapshot({ reason: "request" })).ok, false);
      release(); // the camera answers after shutdown
      const r = await shot;
      assert.deepEqual(r.ok ? "ok" : r.code, "closed");
      await s.idle();
      assert.equal(await stored(), before, "not stored");
      assert.equal(events.length, eventsBefore, "no camera event after close");
      await s.close(1); // twice is fine
    });
  });
});
