/** Frame differencing: the pure compare on synthetic frames, the detector's events, and prepareFrame on real JPEGs. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import sharp from "sharp";
import {
  compareFrames,
  createFrameDiffDetector,
  type FrameDiffDetectorOptions,
  type GreyFrame,
  prepareFrame,
} from "../../../hardware/motion/frame-diff.ts";
import { greyFrame, noisy, sceneJpeg, seeded, shifted } from "./fakes.ts";

const W = 320;
const H = 240;
const N = W * H;
const block = (x: number, y: number, w = 40, h = 40, level = 200) => ({ x, y, w, h, level });
const room = (blocks: ReturnType<typeof block>[] = [], background = 100) => greyFrame(W, H, background, blocks);

describe("compareFrames", () => {
  test("identical frames: 0", () => {
    const a = room([block(10, 10)]);
    const b = room([block(10, 10)]);
    assert.equal(compareFrames(a, b), 0);
    assert.equal(compareFrames(a, a, { ignoreGlobalShift: true }), 0);
  });

  test("a 40x40 block moved to a free spot: its old and new places changed, 2 * 1600 pixels", () => {
    const a = room([block(10, 10)]);
    const b = room([block(100, 100)]);
    assert.equal(compareFrames(a, b), (2 * 1600) / N);
    assert.equal(compareFrames(b, a), (2 * 1600) / N, "symmetric");
    assert.equal(compareFrames(a, b, { ignoreGlobalShift: true }), (2 * 1600) / N);
  });

  test("a block moved by half its width overlaps itself: only the uncovered and newly covered strips changed", () => {
    const a = room([block(100, 100)]);
    const b = room([block(120, 100)]);
    assert.equal(compareFrames(a, b), (2 * 20 * 40) / N);
  });

  test("a pixel changed when its level moved by MORE than pixelDelta", () => {
    const a = room();
    assert.equal(compareFrames(a, room([block(0, 0, W, H, 125)])), 0, "exactly 25: unchanged");
    assert.equal(compareFrames(a, room([block(0, 0, W, H, 126)])), 1, "26: changed");
    assert.equal(compareFrames(a, room([block(0, 0, W, H, 110)]), { pixelDelta: 5 }), 1);
    assert.equal(compareFrames(a, room([block(0, 0, W, 120, 74)])), 0.5, "darker counts too");
  });

  test("a uniform brightness change: everything changed, unless the global shift is taken out", () => {
    const a = room([block(10, 10)]);
    const brighter = shifted(a, 40);
    assert.equal(compareFrames(a, brighter), 1);
    assert.equal(compareFrames(a, brighter, { ignoreGlobalShift: true }), 0);
    assert.equal(compareFrames(a, shifted(a, -60), { ignoreGlobalShift: true }), 0);
  });

  test("lights and movement at once: with the shift taken out, exactly the moved block counts", () => {
    const a = room([block(10, 10)]);
    const b = shifted(room([block(100, 100)]), 35);
    assert.equal(compareFrames(a, b), 1);
    assert.equal(compareFrames(a, b, { ignoreGlobalShift: true }), (2 * 1600) / N);
  });

  test("frames of different sizes, or a bad pixelDelta: RangeError", () => {
    assert.throws(() => compareFrames(room(), greyFrame(160, 120, 100)), RangeError);
    assert.throws(() => compareFrames(room(), { width: W, height: H, data: new Uint8Array(10) }), /differ in size/);
    assert.throws(() => compareFrames(room(), room(), { pixelDelta: -1 }), /pixelDelta/);
    assert.throws(() => compareFrames(room(), room(), { pixelDelta: Number.NaN }), /pixelDelta/);
  });
});

/** Pushes frames one per 2 s from `t0`; returns the indexes that were motion events and the results. */
function feed(frames: GreyFrame[], opts: FrameDiffDetectorOptions = {}, stepMs = 2000, t0 = 1_000_000) {
  const detector = createFrameDiffDetector(opts);
  const results = frames.map((f, i) => detector.push(f, t0 + i * stepMs));
  const events = results.flatMap((r, i) => (r.motion ? [i] : []));
  return { detector, results, events };
}

const still = (count: number, frame = room([block(10, 10)])) => Array.from({ length: count }, () => frame);
/** A block walking across the room, `count` frames. */
const walk = (count: number, y = 100) => Array.from({ length: count }, (_, i) => room([block(10 + i * 30, y)]));

describe("createFrameDiffDetector", () => {
  test("a still room: no events, score 0", () => {
    const { results, events } = feed(still(10));
    assert.deepEqual(events, []);
    assert.ok(results.every((r) => r.score === 0 && !r.changed));
  });

  test("one run of changed frames is ONE event, on its second changed frame, with that frame's score", () => {
    const frames = [...still(3, room()), ...walk(8), ...still(3, room([block(10 + 7 * 30, 100)]))];
    const { results, events } = feed(frames);
    assert.deepEqual(events, [4], "frame 3 is the first changed (vs an empty room), frame 4 makes the run 2 long");
    assert.equal(results[4]?.score, (2 * 1200) / N, "the block moved by 30 px: two 30x40 strips");
    assert.ok(results.slice(3, 11).every((r) => r.changed));
  });

  test("minFrames: a one-frame change (a glitch, a light switched in a corner) is no event; minFrames 1 fires at once", () => {
    const a = room();
    // a lamp in one corner switched on and left on: one frame differs from the one before, then they agree again
    const lamp = room([block(0, 0, 160, 120, 250)]);
    const frames = [a, a, lamp, lamp, lamp];
    assert.deepEqual(feed(frames).events, [], "one changed frame, then the pictures agree again");
    assert.deepEqual(feed(frames, { minFrames: 1 }).events, [2]);
  });

  test("cooldown: a new run within cooldownMs of the last event is not reported; after it, it is", () => {
    const empty = room();
    // runs of 3 moving frames separated by 2 still frames; frames every 2 s: runs start 10 s apart
    const frames: GreyFrame[] = [];
    for (let r = 0; r < 6; r++) {
      frames.push(...walk(3, 20 + r * 30), empty, empty);
    }
    const { events: withCooldown } = feed([empty, ...frames], { cooldownMs: 30_000 });
    const { events: noCooldown } = feed([empty, ...frames], { cooldownMs: 0 });
    assert.equal(noCooldown.length, 6, "without a cooldown each run is an event");
    // events 30 s apart at the least: runs start every 10 s, so every third run
    assert.equal(withCooldown.length, 2);
    const [first, second] = withCooldown;
    assert.ok(first !== undefined && second !== undefined);
    assert.ok((second - first) * 2000 >= 30_000);
  });

  test("a run that reaches minFrames inside the cooldown fires when the cooldown ends, if it is still going", () => {
    const frames = [room(), ...walk(3), room(), room(), ...walk(9, 150)];
    const { events } = feed(frames, { cooldownMs: 20_000 });
    // first event at frame 2 (t = 4 s); second run starts at frame 6 and goes on to frame 14
    assert.equal(events[0], 2);
    assert.equal(events.length, 2);
    assert.equal(events[1], 12, "frame 12 is the first at or after t = 4 s + 20 s");
  });

  test("light changes are no movement: dusk, a lamp switched on, a dimmer turned, auto-exposure settling", () => {
    const scene = room([block(10, 10, 40, 40, 180), block(200, 150, 60, 30, 90)], 140);
    const frames: GreyFrame[] = [];
    for (let i = 0; i < 40; i++) frames.push(shifted(scene, -i * 2)); // dusk: 2 levels per frame
    frames.push(shifted(scene, 60), shifted(scene, 60)); // the lights switched on: one step
    for (const level of [30, 0, -30, -60]) frames.push(shifted(scene, level)); // a dimmer: 30 levels per frame
    for (let i = 1; i <= 10; i++) frames.push(shifted(scene, -60 + i * 8)); // auto-exposure settling
    assert.deepEqual(feed(frames).events, []);
    // the same frames without taking out the global shift: the dimmer looks like movement
    assert.deepEqual(feed(frames, { ignoreGlobalShift: false }).events, [43]);
  });

  test("sensor noise: no events, scores far below the threshold", () => {
    const random = seeded(42);
    const scene = room([block(10, 10)]);
    const frames = Array.from({ length: 40 }, () => noisy(scene, 12, random));
    const { results, events } = feed(frames);
    assert.deepEqual(events, []);
    assert.ok(Math.max(...results.map((r) => r.score)) < 0.02 / 4);
    // the same noise is movement to a detector that counts every small change
    assert.notDeepEqual(feed(frames, { pixelDelta: 5 }).events, []);
  });

  test("movement in a noisy room under changing light is still seen", () => {
    const random = seeded(7);
    const frames = walk(6).map((f, i) => noisy(shifted(f, i * 5), 10, random));
    assert.deepEqual(feed(frames).events, [2]);
  });

  test("reset() forgets the previous frame and the run, not the cooldown", () => {
    const detector = createFrameDiffDetector({ cooldownMs: 60_000 });
    const [a, b, c, d] = walk(4);
    assert.ok(a && b && c && d);
    detector.push(a, 0);
    assert.equal(detector.push(b, 2000).motion, false);
    detector.reset();
    assert.deepEqual(detector.push(c, 4000), { motion: false, score: 0, changed: false }, "a new reference");
    assert.equal(detector.push(d, 6000).motion, false, "run of 1 after the reset");
    assert.equal(detector.push(a, 8000).motion, true);
    detector.reset();
    detector.push(b, 10_000);
    detector.push(c, 12_000);
    assert.equal(detector.push(d, 14_000).motion, false, "still inside the cooldown of the event at 8 s");
  });

  test("a frame of another size starts over instead of throwing", () => {
    const detector = createFrameDiffDetector();
    detector.push(room(), 0);
    assert.deepEqual(detector.push(greyFrame(160, 120, 100), 2000), { motion: false, score: 0, changed: false });
  });

  test("bad options are RangeErrors", () => {
    assert.throws(() => createFrameDiffDetector({ threshold: 1 }), /threshold/);
    assert.throws(() => createFrameDiffDetector({ threshold: -0.1 }), /threshold/);
    assert.throws(() => createFrameDiffDetector({ minFrames: 0 }), /minFrames/);
    assert.throws(() => createFrameDiffDetector({ minFrames: 1.5 }), /minFrames/);
    assert.throws(() => createFrameDiffDetector({ cooldownMs: -1 }), /cooldownMs/);
    assert.throws(() => createFrameDiffDetector({ pixelDelta: 256 }), /pixelDelta/);
  });
});

describe("prepareFrame", () => {
  test("a 1280x720 camera JPEG -> 320x240 grey bytes", async () => {
    const jpeg = await sceneJpeg(1280, 720, { background: 120 });
    const frame = await prepareFrame(jpeg);
    assert.equal(frame.width, 320);
    assert.equal(frame.height, 240);
    assert.equal(frame.data.length, 320 * 240);
    assert.ok(frame.data instanceof Uint8Array);
    const mean = frame.data.reduce((s, v) => s + v, 0) / frame.data.length;
    assert.ok(Math.abs(mean - 120) < 4, `mean grey ${mean}`);
  });

  test("colour is turned to grey; another size can be asked for", async () => {
    const red = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 255, g: 0, b: 0 } } })
      .jpeg()
      .toBuffer();
    const frame = await prepareFrame(red, { width: 64, height: 48 });
    assert.equal(frame.data.length, 64 * 48);
    const level = frame.data[100] as number;
    assert.ok(level > 60 && level < 190, `red is a middle grey (its luminance), got ${level}`);
    assert.ok(
      frame.data.every((v) => Math.abs(v - level) <= 2),
      "one channel, the same grey everywhere",
    );
  });

  test("an object moved in the picture: the score of the prepared frames is about its share", async () => {
    // a 160x120 object in a 640x480 picture (1/16 of it) moves to a free spot: about 2/16 changed
    const before = await prepareFrame(
      await sceneJpeg(640, 480, { blocks: [{ x: 40, y: 40, w: 160, h: 120, level: 220 }], noise: 6, seed: 1 }),
    );
    const after = await prepareFrame(
      await sceneJpeg(640, 480, { blocks: [{ x: 400, y: 300, w: 160, h: 120, level: 220 }], noise: 6, seed: 2 }),
    );
    const score = compareFrames(before, after, { ignoreGlobalShift: true });
    assert.ok(score > 0.1 && score < 0.15, `score ${score}`);
    const again = await prepareFrame(
      await sceneJpeg(640, 480, { blocks: [{ x: 400, y: 300, w: 160, h: 120, level: 220 }], noise: 6, seed: 3 }),
    );
    assert.ok(compareFrames(after, again, { ignoreGlobalShift: true }) < 0.005, "noise alone: next to nothing");
  });

  test("the blur takes out most sensor noise: two noisy pictures of the same room hardly differ", async () => {
    // +-30 noise on every pixel: without the blur about a quarter of the pixels would differ by more than 25
    const a = await prepareFrame(await sceneJpeg(320, 240, { noise: 30, seed: 11 }));
    const b = await prepareFrame(await sceneJpeg(320, 240, { noise: 30, seed: 12 }));
    const score = compareFrames(a, b, { ignoreGlobalShift: true });
    assert.ok(score < 0.01, `score ${score}`);
  });

  test("bytes that are not an image reject; a bad size is a RangeError", async () => {
    await assert.rejects(prepareFrame(Buffer.from("not a jpeg")));
    await assert.rejects(prepareFrame(Buffer.alloc(0)));
    const jpeg = await sceneJpeg(64, 48);
    await assert.rejects(prepareFrame(jpeg, { width: 0 }), RangeError);
    await assert.rejects(prepareFrame(jpeg, { height: 2.5 }), RangeError);
  });
});
