/** The camera motion sensor against a fake camera (real JPEGs from sharp) and manual timers: no camera, no waiting on clocks. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CameraError } from "../../../core/camera/camera.ts";
import type { MotionEvent } from "../../../core/motion/sensor.ts";
import { type CameraMotionOptions, createCameraMotionSensor } from "../../../hardware/motion/camera-motion.ts";
import { ManualClock, ManualTimers } from "../../support/fakes.ts";
import { type Block, FakeCamera, until } from "./fakes.ts";

/** A 40x40 object at column `x` (the camera is 320x240). */
const person = (x: number, y = 100): Block => ({ x, y, w: 40, h: 40, level: 220 });

function setup(extra: Partial<CameraMotionOptions> = {}) {
  const clock = new ManualClock();
  const timers = new ManualTimers(clock);
  const camera = new FakeCamera(clock, "rpicam");
  const events: MotionEvent[] = [];
  const sensor = createCameraMotionSensor({ camera, clock, timers, ...extra });
  const listener = (e: MotionEvent) => {
    events.push(e);
  };
  const ofType = (type: MotionEvent["type"]) => events.filter((e) => e.type === type);
  /** Fires the pending tick and waits until its frame is judged (the next tick is then scheduled). */
  const frame = async () => {
    timers.fire();
    await until(() => timers.pending.length === 1, "the next tick is scheduled");
  };
  /** One frame of each scene, in order. */
  const frames = async (...scenes: Block[][]) => {
    for (const blocks of scenes) {
      camera.scene = { blocks };
      await frame();
    }
  };
  return { clock, timers, camera, events, sensor, listener, ofType, frame, frames };
}

async function started(extra: Partial<CameraMotionOptions> = {}) {
  const t = setup(extra);
  await t.sensor.start(t.listener);
  return t;
}

describe("createCameraMotionSensor: frames and motion", () => {
  test("does nothing until start(); then the first frame at once and one every intervalMs", async () => {
    const t = setup();
    assert.equal(t.sensor.driver, "camera");
    assert.equal(t.timers.pending.length, 0);
    assert.equal(t.camera.snapshots, 0);
    await t.sensor.start(t.listener);
    assert.deepEqual(t.timers.delays, [0]);
    await t.frames([], [], []);
    assert.equal(t.camera.snapshots, 3);
    assert.deepEqual(t.timers.delays, [0, 2000, 2000, 2000]);
    assert.equal(t.events.length, 0, "a still room");
    await t.sensor.stop();
  });

  test("someone walking through: ONE motion event from the camera, with its score and the frame's time", async () => {
    const t = await started({ intervalMs: 1000 });
    await t.frames([], []);
    await t.frames([person(20)]);
    const at = t.clock.now().getTime() + 1000; // the next frame makes the run 2 frames long
    await t.frames([person(60)], [person(100)], [person(140)], [person(180)]);
    await t.frames([person(180)], [person(180)]);
    assert.equal(t.events.length, 1);
    const [event] = t.events;
    assert.ok(event?.type === "motion");
    assert.equal(event.source, "camera");
    assert.equal(event.at, at);
    // the object moved by its own width: two 40x40 squares of 320x240 (about 4.2 %), a little more with blur
    assert.ok(event.score !== undefined && event.score > 0.03 && event.score < 0.08, `score ${event.score}`);
    await t.sensor.stop();
  });

  test("the detector's options reach it: a higher threshold ignores the same movement", async () => {
    const t = await started({ threshold: 0.2 });
    await t.frames([], [person(20)], [person(60)], [person(100)]);
    assert.equal(t.events.length, 0);
    await t.sensor.stop();
  });

  test("a listener that throws does not stop the watch", async () => {
    const t = setup({ cooldownMs: 0 });
    let calls = 0;
    await t.sensor.start(() => {
      calls++;
      throw new Error("listener broke");
    });
    await t.frames([], [person(20)], [person(60)], [], [], [person(200)], [person(240)]);
    assert.equal(calls, 2);
    await t.sensor.stop();
  });
});

describe("createCameraMotionSensor: a failing camera", () => {
  test("deadAfter (5) failed frames in a row: ONE dead event; the next good frame: alive, and a fresh reference", async () => {
    const t = await started();
    await t.frames([]);
    t.camera.failWith = new CameraError("timeout", "rpicam-still timed out after 15 s");
    for (let i = 0; i < 4; i++) await t.frame();
    assert.equal(t.events.length, 0, "4 failures: not dead yet");
    await t.frame();
    const deadAt = t.clock.now().getTime();
    for (let i = 0; i < 5; i++) await t.frame();
    assert.equal(t.events.length, 1);
    const [dead] = t.events;
    assert.ok(dead?.type === "dead");
    assert.equal(dead.at, deadAt);
    assert.match(
      dead.reason,
      /camera motion \(rpicam camera\): 5 frames in a row failed; last: rpicam-still timed out/,
    );
    assert.equal(t.camera.snapshots, 11, "polling goes on while dead");

    // back, with someone standing elsewhere: alive, but no motion judged across the gap
    t.camera.failWith = undefined;
    await t.frames([person(200)]);
    assert.deepEqual(
      t.events.map((e) => e.type),
      ["dead", "alive"],
    );
    await t.frames([person(200)], [person(200)]);
    assert.deepEqual(
      t.events.map((e) => e.type),
      ["dead", "alive"],
    );
    await t.sensor.stop();
  });

  test("bytes that do not decode are failed frames too", async () => {
    const t = await started({ deadAfter: 2 });
    t.camera.garbage = true;
    await t.frame();
    await t.frame();
    assert.deepEqual(
      t.events.map((e) => e.type),
      ["dead"],
    );
    const [dead] = t.ofType("dead");
    assert.ok(dead?.type === "dead");
    assert.match(dead.reason, /2 frames in a row failed; last: .*unsupported image format/);
    await t.sensor.stop();
  });

  test("failures with good frames in between never make it dead", async () => {
    const t = await started();
    for (let round = 0; round < 3; round++) {
      t.camera.failWith = new CameraError("failed", "rpicam-still exited with code 1");
      for (let i = 0; i < 4; i++) await t.frame();
      t.camera.failWith = undefined;
      await t.frames([]);
    }
    assert.equal(t.events.length, 0);
    await t.sensor.stop();
  });
});

describe("createCameraMotionSensor: one capture at a time", () => {
  test("no tick is scheduled while a capture runs, so captures never overlap", async () => {
    const t = await started();
    await t.frames([]);
    t.camera.hold();
    t.timers.fire();
    await until(() => t.camera.inFlight === 1, "the capture started");
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(t.timers.pending.length, 0, "nothing can start another capture");
    assert.throws(() => t.timers.fire(), /no timer is pending/);
    t.camera.release();
    await until(() => t.timers.pending.length === 1, "the next tick is scheduled");
    assert.equal(t.camera.maxInFlight, 1);
    assert.equal(t.camera.snapshots, 2);
    await t.sensor.stop();
  });

  test("a slow capture skips the ticks it overran: the next one is on the interval grid", async () => {
    const t = await started({ intervalMs: 2000 });
    t.camera.takesMs = 500;
    await t.frame();
    assert.equal(t.timers.delays.at(-1), 1500);
    t.camera.takesMs = 4500;
    await t.frame();
    assert.equal(t.timers.delays.at(-1), 1500, "4.5 s: two ticks skipped, the third is 1.5 s later");
    t.camera.takesMs = 2000;
    await t.frame();
    assert.equal(t.timers.delays.at(-1), 2000);
    await t.sensor.stop();
  });
});

describe("createCameraMotionSensor: pause and resume", () => {
  test("pause() stops polling at once; resume() restarts it one interval later; pauses nest", async () => {
    const t = await started();
    await t.frames([]);
    t.sensor.pause();
    assert.equal(t.sensor.paused, true);
    assert.equal(t.timers.pending.length, 0);
    t.sensor.pause();
    t.sensor.resume();
    assert.equal(t.timers.pending.length, 0, "one pause is still in force");
    t.sensor.resume();
    assert.equal(t.sensor.paused, false);
    assert.equal(t.timers.pending.length, 1);
    assert.equal(t.timers.delays.at(-1), 2000);
    t.sensor.resume(); // one too many: ignored
    assert.equal(t.timers.pending.length, 1);
    await t.frames([]);
    assert.equal(t.camera.snapshots, 2);
    await t.sensor.stop();
  });

  test("a frame captured across a pause is dropped, and the first frame after it is a fresh reference", async () => {
    const t = await started();
    await t.frames([], [person(20)]); // a run of 1
    t.camera.hold();
    t.camera.scene = { blocks: [person(60)] };
    t.timers.fire();
    await until(() => t.camera.inFlight === 1, "the capture started");
    t.sensor.pause(); // the watch starts recording a clip
    t.sensor.resume(); // ... and is done before the capture is
    assert.equal(t.timers.pending.length, 0, "no tick while the capture still runs");
    t.camera.release();
    await until(() => t.timers.pending.length === 1, "the next tick is scheduled");
    assert.equal(t.camera.maxInFlight, 1);
    assert.equal(t.events.length, 0, "the frame taken across the pause did not make the run 2 long");
    await t.frames([person(200)]);
    assert.equal(t.events.length, 0, "a new reference, not compared with the frame before the pause");
    await t.frames([person(240)]);
    assert.equal(t.events.length, 0, "a run of 1: the frame from across the pause was not the reference either");
    await t.frames([person(280)]);
    assert.deepEqual(
      t.events.map((e) => e.type),
      ["motion"],
    );
    await t.sensor.stop();
  });

  test("pauseDuring(work): paused while work runs, resumed after, even when it fails", async () => {
    const t = await started();
    await t.frames([]);
    const result = await t.sensor.pauseDuring(async () => {
      assert.equal(t.sensor.paused, true);
      assert.equal(t.timers.pending.length, 0);
      return "clip";
    });
    assert.equal(result, "clip");
    assert.equal(t.sensor.paused, false);
    assert.equal(t.timers.pending.length, 1);
    await assert.rejects(
      t.sensor.pauseDuring(async () => {
        throw new CameraError("timeout", "rpicam-vid timed out");
      }),
      /rpicam-vid timed out/,
    );
    assert.equal(t.sensor.paused, false);
    assert.equal(t.timers.pending.length, 1);
    await t.sensor.stop();
  });
});

describe("createCameraMotionSensor: start and stop", () => {
  test("stop() waits for the capture in progress, emits nothing after, and is safe twice", async () => {
    const t = await started({ minFrames: 1 });
    await t.frames([]);
    t.camera.hold();
    t.camera.scene = { blocks: [person(100)] };
    t.timers.fire();
    await until(() => t.camera.inFlight === 1, "the capture started");
    let stopped = false;
    const stopping = t.sensor.stop().then(() => {
      stopped = true;
    });
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(stopped, false, "still waiting for the capture");
    t.camera.release();
    await stopping;
    assert.equal(t.camera.inFlight, 0);
    assert.equal(t.events.length, 0, "the changed frame came after stop()");
    assert.equal(t.timers.pending.length, 0);
    await t.sensor.stop();
  });

  test("start() twice rejects; after stop() it starts again", async () => {
    const t = await started();
    await assert.rejects(t.sensor.start(t.listener), /already started/);
    await t.sensor.stop();
    await t.sensor.start(t.listener);
    await t.frames([], [person(20)], [person(60)]);
    assert.deepEqual(
      t.events.map((e) => e.type),
      ["motion"],
    );
    await t.sensor.stop();
  });

  test("bad options are errors at creation", () => {
    const camera = new FakeCamera(new ManualClock());
    assert.throws(() => createCameraMotionSensor({ camera, intervalMs: 0 }), /intervalMs/);
    assert.throws(() => createCameraMotionSensor({ camera, deadAfter: 0 }), /deadAfter/);
    assert.throws(() => createCameraMotionSensor({ camera, threshold: 2 }), /threshold/);
    assert.throws(() => createCameraMotionSensor({ camera: undefined as unknown as FakeCamera }), /must be a Camera/);
  });
});
