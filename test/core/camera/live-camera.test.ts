/**
 * The live camera: one capture for every viewer (counted as rpicam-vid starts of a fake
 * program), the viewer limit, the capture stopped after the last viewer, the frame-rate cap,
 * snapshots served from live frames (the camera is not opened twice), clips pausing the live
 * capture, failures retried while viewers wait.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import sharp from "sharp";
import type { Camera } from "../../../core/camera/camera.ts";
import { createCaptureService } from "../../../core/camera/capture-service.ts";
import {
  createLiveCamera,
  type LiveCamera,
  type LiveEvent,
  type LiveViewer,
} from "../../../core/camera/live-camera.ts";
import { EventBus } from "../../../core/event-bus.ts";
import type { RoomEvents } from "../../../core/events.ts";
import { silentLogger } from "../../../core/logger.ts";
import type { MediaStore } from "../../../core/storage.ts";
import { isJpeg } from "../../../hardware/camera/media.ts";
import { createRpicamCamera } from "../../../hardware/camera/rpicam.ts";
import { createSimulatedCamera } from "../../../hardware/camera/simulator.ts";
import { createSqliteStorage } from "../../../storage/sqlite/index.ts";
import {
  eventually,
  isRunning,
  makeJpeg,
  rejectsWith,
  systemPath,
  tempDir,
  writePrograms,
} from "../../hardware/camera/fakes.ts";
import { ManualClock } from "../../support/fakes.ts";

let root: { dir: string; cleanup: () => void };
let framesFile: string;
let stillFile: string;

before(async () => {
  root = tempDir("seroma-live-test-");
  const a = await makeJpeg(160, 120);
  const b = await sharp({ create: { width: 160, height: 120, channels: 3, background: { r: 220, g: 10, b: 10 } } })
    .jpeg()
    .toBuffer();
  framesFile = join(root.dir, "frames.mjpeg");
  writeFileSync(framesFile, Buffer.concat([a, b]));
  stillFile = join(root.dir, "still.jpg");
  writeFileSync(stillFile, await makeJpeg(640, 480));
});
after(() => root.cleanup());

let bins = 0;
/**
 * A Raspberry Pi camera with fake programs: rpicam-vid appends its pid to `starts` and writes
 * MJPEG every `pauseSeconds`; rpicam-still appends to `stills` and writes a JPEG.
 */
function fakePi(pauseSeconds = "0.05") {
  const bin = join(root.dir, `pi${bins++}`);
  mkdirSync(bin);
  const starts = join(bin, "starts");
  const stills = join(bin, "stills");
  writePrograms(bin, {
    "rpicam-vid": `echo $$ >> "${starts}"\nwhile :; do\n  dd if="${framesFile}" bs=500 2>/dev/null\n  sleep ${pauseSeconds}\ndone`,
    "rpicam-still": `echo $$ >> "${stills}"\ncat "${stillFile}"`,
  });
  const camera = createRpicamCamera({ binDir: bin, env: { PATH: systemPath }, settleMs: 0, timeoutMs: 3000 });
  const pids = () =>
    existsSync(starts)
      ? readFileSync(starts, "utf8")
          .trim()
          .split("\n")
          .filter(Boolean)
          .map((l) => Number.parseInt(l, 10))
      : [];
  const stillCount = () => (existsSync(stills) ? readFileSync(stills, "utf8").trim().split("\n").length : 0);
  return { camera, pids, stillCount };
}

function live(camera: Camera, over: Partial<Parameters<typeof createLiveCamera>[0]> = {}): LiveCamera {
  return createLiveCamera({
    camera,
    fps: 10,
    maxViewers: 3,
    logger: silentLogger,
    lingerMs: 150,
    retryMs: { first: 100, max: 400 },
    ...over,
  });
}

function join1(l: LiveCamera): LiveViewer {
  const j = l.join();
  assert.ok(j.ok, j.ok ? "" : j.message);
  return j.viewer;
}

/** The next event of `viewer` that is not a frame older than... just the next `type` event (within `ms`). */
async function nextOf<T extends LiveEvent["type"]>(
  viewer: LiveViewer,
  type: T,
  ms = 5000,
): Promise<Extract<LiveEvent, { type: T }>> {
  const until = Date.now() + ms;
  for (;;) {
    const left = until - Date.now();
    if (left <= 0) assert.fail(`no ${type} event within ${ms} ms`);
    const e = await Promise.race([viewer.next(), delay(left).then(() => undefined)]);
    if (e?.type === type) return e as Extract<LiveEvent, { type: T }>;
    if (e?.type === "end" && type !== "end") assert.fail(`the viewer ended (${e.reason}) waiting for ${type}`);
  }
}

describe("live camera: one shared capture (fake rpicam-vid)", () => {
  test("two viewers share one capture: one rpicam-vid, frames to both", async () => {
    const pi = fakePi();
    const l = live(pi.camera);
    const v1 = join1(l);
    const v2 = join1(l);
    const f1 = await nextOf(v1, "frame");
    const f2 = await nextOf(v2, "frame");
    assert.ok(isJpeg(f1.frame.jpeg) && isJpeg(f2.frame.jpeg));
    await nextOf(v1, "frame");
    await nextOf(v2, "frame");
    assert.equal(pi.pids().length, 1, "one rpicam-vid for both viewers");
    const s = l.stats();
    assert.equal(s.captures, 1);
    assert.equal(s.viewers, 2);
    assert.equal(s.capturing, true);
    assert.equal(s.state, "live");
    v1.leave();
    v2.leave();
    await l.camera.close();
  });

  test("the viewer limit: busy at maxViewers, room again when one leaves", async () => {
    const pi = fakePi();
    const l = live(pi.camera, { maxViewers: 2 });
    const v1 = join1(l);
    join1(l);
    const refused = l.join();
    assert.equal(refused.ok, false);
    assert.equal(!refused.ok && refused.reason, "busy");
    assert.match(!refused.ok ? refused.message : "", /at most 2/);
    v1.leave();
    assert.equal(l.join().ok, true);
    await l.camera.close();
  });

  test("the capture stops after the last viewer leaves (after the linger); a viewer back within it keeps the same capture", async () => {
    const pi = fakePi();
    const l = live(pi.camera, { lingerMs: 300 });
    const v1 = join1(l);
    await nextOf(v1, "frame");
    v1.leave();
    await delay(100);
    const v2 = join1(l);
    const first = await v2.next();
    assert.equal(first.type, "frame", "a reload within the linger gets a picture at once");
    assert.equal(pi.pids().length, 1, "no restart within the linger");
    v2.leave();
    const [pid] = pi.pids();
    assert.ok(await eventually(() => !isRunning(pid as number), 3000), "rpicam-vid is gone after the last viewer");
    assert.equal(l.stats().capturing, false);
    assert.ok(await eventually(() => l.stats().state === "idle"));
    const v3 = join1(l);
    await nextOf(v3, "frame");
    assert.equal(pi.pids().length, 2, "a new viewer later starts a new capture");
    v3.leave();
    await l.camera.close();
    assert.ok(await eventually(() => pi.pids().every((p) => !isRunning(p))));
  });

  test("frame-rate cap: a camera far faster than fps is published at fps", async () => {
    const pi = fakePi("0.005");
    const l = live(pi.camera, { fps: 5 });
    const v = join1(l);
    await nextOf(v, "frame");
    const startFrames = l.stats().frames;
    const started = performance.now();
    await delay(1200);
    const elapsed = (performance.now() - started) / 1000;
    const published = l.stats().frames - startFrames;
    assert.ok(published <= Math.ceil(5 * elapsed) + 1, `${published} frames in ${elapsed.toFixed(2)} s at a 5 fps cap`);
    assert.ok(published >= 4, `${published} frames in ${elapsed.toFixed(2)} s`);
    const s = l.stats();
    assert.ok(s.capped > published, `the camera sent more (${s.capped} dropped by the cap)`);
    assert.ok(s.measuredFps > 3.5 && s.measuredFps < 6, `measured ${s.measuredFps}`);
    v.leave();
    await l.camera.close();
  });

  test("a snapshot during live is the newest live frame: rpicam-still is not run (the camera is not opened twice)", async () => {
    const pi = fakePi();
    const l = live(pi.camera);
    const v = join1(l);
    const seen = await nextOf(v, "frame");
    const shot = await l.camera.snapshot();
    assert.ok(isJpeg(shot.jpeg));
    assert.equal(shot.width, 160, "the live frame's size");
    assert.ok(shot.at >= seen.frame.at);
    assert.equal(pi.stillCount(), 0, "no rpicam-still while rpicam-vid has the camera");
    assert.equal(l.stats().sharedSnapshots, 1);
    assert.equal(pi.pids().length, 1);
    v.leave();
    await eventually(() => !l.stats().capturing);
    const alone = await l.camera.snapshot();
    assert.equal(alone.width, 640, "without viewers: the driver's own still");
    assert.equal(pi.stillCount(), 1);
    await l.camera.close();
  });

  test("a snapshot while the capture is starting waits for its first frame instead of opening the camera", async () => {
    const pi = fakePi();
    const l = live(pi.camera);
    const v = join1(l);
    const shot = await l.camera.snapshot();
    assert.equal(shot.width, 160);
    assert.equal(pi.stillCount(), 0);
    v.leave();
    await l.camera.close();
  });

  test("the capture service's snapshots (bot, security watch) go through the shared camera: annotated and stored from the live frame", async () => {
    const pi = fakePi();
    const l = live(pi.camera);
    const storage = createSqliteStorage({ dataDir: mkdtempSync(join(tmpdir(), "seroma-live-media-")) });
    const clock = new ManualClock("2026-12-06T10:00:00Z");
    const service = createCaptureService({
      camera: l.camera,
      media: storage.media as MediaStore,
      roomId: "r1",
      timeZone: "UTC",
      quality: 80,
      clock,
      bus: new EventBus<RoomEvents>(silentLogger),
      logger: silentLogger,
      latestReading: async () => undefined,
    });
    const v = join1(l);
    await nextOf(v, "frame");
    const result = await service.snapshot({ reason: "motion" });
    assert.ok(result.ok);
    assert.ok(result.ok && result.item && isJpeg(result.jpeg));
    assert.equal(pi.stillCount(), 0);
    v.leave();
    await service.close(1000);
    await l.camera.close();
    await storage.close();
  });
});

describe("live camera: simulator", () => {
  test("a slow viewer skips frames (latest-frame semantics): nothing queues up", async () => {
    const sim = createSimulatedCamera({ width: 160, height: 90 });
    const l = live(sim, { fps: 20 });
    const v = join1(l);
    const a = await nextOf(v, "frame");
    await delay(600);
    const b = await nextOf(v, "frame");
    assert.ok(b.frame.seq - a.frame.seq >= 5, `jumped from ${a.frame.seq} to ${b.frame.seq}`);
    assert.ok(v.skipped >= 4, `skipped ${v.skipped}`);
    const c = await nextOf(v, "frame");
    assert.ok(c.frame.seq > b.frame.seq);
    v.leave();
    await l.camera.close();
  });

  test("a failing capture is retried with backoff while viewers wait; they are told, then get frames again", async () => {
    const sim = createSimulatedCamera({ width: 160, height: 90 });
    const l = live(sim, { fps: 20 });
    const v = join1(l);
    await nextOf(v, "frame");
    sim.fail("failed", 2);
    const e1 = await nextOf(v, "error");
    assert.equal(e1.code, "failed");
    assert.equal(e1.retryInMs, 100);
    const e2 = await nextOf(v, "error");
    assert.equal(e2.retryInMs, 200, "the wait doubles");
    assert.equal(l.stats().state, "retrying");
    assert.match(l.stats().lastError?.message ?? "", /fault injected/);
    await nextOf(v, "frame");
    assert.equal(l.stats().state, "live");
    assert.equal(l.stats().lastError, undefined);
    assert.equal(l.stats().captures, 3);
    // a viewer joining while the capture is failing hears about it at once
    sim.unplug();
    await nextOf(v, "error");
    const late = join1(l);
    const told = await late.next();
    assert.equal(told.type, "error");
    assert.equal(told.type === "error" && told.code, "unavailable");
    sim.plug();
    await nextOf(late, "frame");
    v.leave();
    late.leave();
    await l.camera.close();
  });

  test("a snapshot between retries takes the camera directly, with the live capture held off", async () => {
    const sim = createSimulatedCamera({ width: 160, height: 90 });
    const l = live(sim, { fps: 20, retryMs: { first: 300, max: 300 } });
    const v = join1(l);
    await nextOf(v, "frame");
    sim.fail("failed", 1);
    await nextOf(v, "error");
    const capturesBefore = sim.captures;
    const shot = await l.camera.snapshot();
    assert.ok(isJpeg(shot.jpeg));
    assert.equal(sim.captures, capturesBefore + 1, "the driver's own snapshot");
    await nextOf(v, "frame");
    v.leave();
    await l.camera.close();
  });

  test("a clip pauses the live capture and it resumes afterwards; viewers stay", async () => {
    const sim = createSimulatedCamera({ width: 160, height: 90, ffmpegPath: null });
    const l = live(sim, { fps: 10 });
    const v = join1(l);
    await nextOf(v, "frame");
    const clip = l.camera.clip(1);
    assert.ok(await eventually(() => l.stats().state === "paused" && !sim.streaming));
    const c = await clip;
    assert.equal(c.format, "gif");
    await nextOf(v, "frame");
    assert.equal(l.stats().captures, 2, "resumed: a second capture");
    assert.equal(l.stats().viewers, 1);
    v.leave();
    await l.camera.close();
  });

  test("close(): viewers end, joins are refused, the driver is closed by the shared camera's close()", async () => {
    const sim = createSimulatedCamera({ width: 160, height: 90 });
    const l = live(sim);
    const v = join1(l);
    await nextOf(v, "frame");
    await l.close();
    assert.deepEqual(await v.next(), { type: "end", reason: "closed" });
    const refused = l.join();
    assert.equal(!refused.ok && refused.reason, "unavailable");
    assert.equal(l.stats().state, "closed");
    assert.equal(sim.streaming, false);
    await l.camera.close();
    await rejectsWith(sim.snapshot(), "closed");
  });

  test("a camera without a live stream: join says unavailable; snapshots still work", async () => {
    const sim = createSimulatedCamera({ width: 160, height: 90 });
    const plain: Camera = {
      driver: "plain",
      width: 160,
      height: 90,
      snapshot: () => sim.snapshot(),
      clip: (s) => sim.clip(s),
      close: () => sim.close(),
    };
    const l = live(plain);
    assert.equal(l.available, false);
    const j = l.join();
    assert.equal(!j.ok && j.reason, "unavailable");
    assert.ok(isJpeg((await l.camera.snapshot()).jpeg));
    await l.camera.close();
  });

  test("options are checked", () => {
    const sim = createSimulatedCamera();
    assert.throws(() => live(sim, { fps: 0 }), RangeError);
    assert.throws(() => live(sim, { fps: 31 }), RangeError);
    assert.throws(() => live(sim, { maxViewers: 0 }), RangeError);
  });
});
