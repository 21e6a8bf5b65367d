import assert from "node:assert/strict";
import { describe, test } from "node:test";
import sharp from "sharp";
import type { CameraError } from "../../../core/camera/camera.ts";
import { isGif, isJpeg, isMp4 } from "../../../hardware/camera/media.ts";
import { createSimulatedCamera } from "../../../hardware/camera/simulator.ts";
import { ManualClock } from "../../support/fakes.ts";
import { changedShare, ffmpegPath, ffprobe, noFfmpeg, rejectsWith } from "./fakes.ts";

/** The timestamp box in the top-left corner of a 1280x720 frame. */
const cornerOf = (jpeg: Buffer) =>
  sharp(jpeg).extract({ left: 0, top: 0, width: 340, height: 64 }).greyscale().raw().toBuffer();

describe("createSimulatedCamera: snapshots", () => {
  test("a JPEG sharp decodes, at the configured size, taken at the clock's time", async () => {
    const clock = new ManualClock("2026-11-23T10:00:00Z");
    const camera = createSimulatedCamera({ clock });
    assert.equal(camera.driver, "sim");
    assert.equal(camera.width, 1280);
    assert.equal(camera.height, 720);
    const shot = await camera.snapshot();
    assert.ok(isJpeg(shot.jpeg));
    const meta = await sharp(shot.jpeg).metadata();
    assert.equal(meta.format, "jpeg");
    assert.deepEqual([meta.width, meta.height], [1280, 720]);
    assert.deepEqual([shot.width, shot.height], [1280, 720]);
    assert.equal(shot.at, clock.now().getTime());

    const small = createSimulatedCamera({ clock, width: 640, height: 360, quality: 40 });
    const s = await small.snapshot();
    const m = await sharp(s.jpeg).metadata();
    assert.deepEqual([m.width, m.height, s.width, s.height], [640, 360, 640, 360]);
    assert.ok(s.jpeg.length < shot.jpeg.length, "smaller and lower quality: fewer bytes");
  });

  test("bad options throw a RangeError at creation", () => {
    assert.throws(() => createSimulatedCamera({ quality: 0 }), RangeError);
    assert.throws(() => createSimulatedCamera({ quality: 101 }), RangeError);
    assert.throws(() => createSimulatedCamera({ width: 10 }), RangeError);
    assert.throws(() => createSimulatedCamera({ height: 720.5 }), RangeError);
    assert.throws(() => createSimulatedCamera({ clipFps: 0 }), RangeError);
    assert.throws(() => createSimulatedCamera({ timeoutMs: -1 }), RangeError);
  });

  test("the same seed and time draw the same picture; another seed another room", async () => {
    const clock = new ManualClock();
    const a = await createSimulatedCamera({ clock, seed: 3 }).snapshot();
    const b = await createSimulatedCamera({ clock, seed: 3 }).snapshot();
    const c = await createSimulatedCamera({ clock, seed: 4 }).snapshot();
    assert.ok(a.jpeg.equals(b.jpeg));
    assert.ok(!a.jpeg.equals(c.jpeg));
  });

  test("without anyone in the room, frames barely differ (blinking LEDs only)", async () => {
    const clock = new ManualClock();
    const camera = createSimulatedCamera({ clock });
    const first = await camera.snapshot();
    let someLedChanged = false;
    for (const step of [200, 700, 1300, 5000]) {
      clock.advance(step);
      const next = await camera.snapshot();
      if (!next.jpeg.equals(first.jpeg)) someLedChanged = true;
      const share = await changedShare(first.jpeg, next.jpeg);
      assert.ok(share < 0.005, `only ${(share * 100).toFixed(2)} % may change after ${step} ms`);
    }
    assert.ok(someLedChanged, "the LEDs blink: the pictures are not identical");
  });

  test("a person walking across the room changes a good part of the picture, then is gone", async () => {
    const clock = new ManualClock();
    const camera = createSimulatedCamera({ clock });
    const empty = await camera.snapshot();
    assert.equal(camera.personInView, false);
    camera.personEnters(6000);
    assert.equal(camera.personInView, true);
    clock.advance(1000);
    const a = await camera.snapshot();
    clock.advance(1000);
    const b = await camera.snapshot();
    const walked = await changedShare(a.jpeg, b.jpeg);
    assert.ok(walked > 0.03, `a second of walking changes ${(walked * 100).toFixed(2)} % (> 3 %)`);
    assert.ok((await changedShare(empty.jpeg, b.jpeg)) > 0.03, "the person is visible");
    clock.advance(4500);
    assert.equal(camera.personInView, false, "after the walk");
    const after = await camera.snapshot();
    assert.ok((await changedShare(empty.jpeg, after.jpeg)) < 0.005, "the room is empty again");
  });

  test("the timestamp in the corner follows the clock", async () => {
    const clock = new ManualClock("2026-11-23T10:00:00.100Z");
    const camera = createSimulatedCamera({ clock, timeZone: "UTC" });
    const t0 = await cornerOf((await camera.snapshot()).jpeg);
    clock.advance(300);
    const sameSecond = await cornerOf((await camera.snapshot()).jpeg);
    clock.advance(1000);
    const nextSecond = await cornerOf((await camera.snapshot()).jpeg);
    assert.ok(t0.equals(sameSecond), "same second: the corner is unchanged");
    assert.ok(!t0.equals(nextSecond), "a second later: the timestamp changed");
  });
});

describe("createSimulatedCamera: faults, as the real drivers fail", () => {
  test("fail(): the next captures reject with that code, then it works again", async () => {
    const camera = createSimulatedCamera({ clock: new ManualClock() });
    camera.fail();
    await rejectsWith(camera.snapshot(), "failed", /fault injected/);
    await camera.snapshot();
    camera.fail("unavailable", 2);
    await rejectsWith(camera.snapshot(), "unavailable");
    await rejectsWith(camera.clip(2), "unavailable");
    await camera.snapshot();
    assert.equal(camera.captures, 5, "failed captures count too");
    camera.fail("timeout", Number.POSITIVE_INFINITY);
    await rejectsWith(camera.snapshot(), "timeout");
    await rejectsWith(camera.snapshot(), "timeout");
    camera.repair();
    await camera.snapshot();
    assert.throws(() => camera.fail("failed", 0), RangeError);
  });

  test("hang(): the capture produces nothing and times out after timeoutMs; the next one works", async () => {
    const camera = createSimulatedCamera({ clock: new ManualClock(), timeoutMs: 50 });
    camera.hang();
    await rejectsWith(camera.snapshot(), "timeout", /within 50 ms/);
    assert.ok(isJpeg((await camera.snapshot()).jpeg));
    camera.hang(1);
    await rejectsWith(camera.clip(1), "timeout");
  });

  test("one capture at a time: a call waits for a hanging one before it", async () => {
    const camera = createSimulatedCamera({ clock: new ManualClock(), timeoutMs: 80 });
    camera.hang();
    const order: string[] = [];
    const first = camera.snapshot().then(
      () => order.push("first ok"),
      (e: CameraError) => order.push(`first ${e.code}`),
    );
    const second = camera.snapshot().then(() => order.push("second ok"));
    await Promise.all([first, second]);
    assert.deepEqual(order, ["first timeout", "second ok"]);
  });

  test("unplug(): unavailable until plugged back in", async () => {
    const camera = createSimulatedCamera({ clock: new ManualClock() });
    camera.unplug();
    await rejectsWith(camera.snapshot(), "unavailable", /unplugged/);
    await rejectsWith(camera.clip(1), "unavailable");
    camera.plug();
    await camera.snapshot();
  });

  test("close(): stops a hanging capture ('closed'), later calls are refused, twice is fine", async () => {
    const camera = createSimulatedCamera({ clock: new ManualClock(), timeoutMs: 60_000 });
    camera.hang();
    const hanging = camera.snapshot();
    const waiting = camera.snapshot();
    await new Promise((r) => setTimeout(r, 20));
    await camera.close();
    await rejectsWith(hanging, "closed");
    await rejectsWith(waiting, "closed");
    await rejectsWith(camera.snapshot(), "closed");
    await rejectsWith(camera.clip(1), "closed");
    await camera.close();
  });

  test("close() during a real-time clip rejects it with 'closed'", async () => {
    const camera = createSimulatedCamera({ clock: new ManualClock(), realTime: true, ffmpegPath: null });
    const progress: number[] = [];
    let started!: () => void;
    const recording = new Promise<void>((r) => {
      started = r;
    });
    const clip = camera.clip(30, {
      onProgress: (f) => {
        progress.push(f);
        if (f > 0) started();
      },
    });
    await recording;
    await camera.close();
    await rejectsWith(clip, "closed");
    assert.ok(!progress.includes(1), "the recording never ended");
  });

  test("a clip length outside 1..60 s is refused", async () => {
    const camera = createSimulatedCamera({ clock: new ManualClock(), ffmpegPath: null });
    await rejectsWith(camera.clip(0), "failed", /1\.\.60/);
    await rejectsWith(camera.clip(61), "failed", /1\.\.60/);
    await rejectsWith(camera.clip(Number.NaN), "failed");
    assert.equal(camera.captures, 0);
  });
});

describe("createSimulatedCamera: clips", () => {
  test("with ffmpeg: an H.264 MP4 of the requested length", { skip: noFfmpeg }, async () => {
    const clock = new ManualClock();
    const camera = createSimulatedCamera({ clock, width: 640, height: 360, clipFps: 5, ffmpegPath: ffmpegPath ?? "" });
    camera.personEnters(3000);
    const progress: number[] = [];
    const clip = await camera.clip(3, { onProgress: (f) => progress.push(f) });
    assert.equal(clip.format, "mp4");
    assert.equal(clip.mime, "video/mp4");
    assert.ok(isMp4(clip.bytes), "starts with an ftyp box");
    assert.equal(clip.bytes.toString("latin1", 4, 8), "ftyp");
    assert.deepEqual([clip.width, clip.height, clip.seconds], [640, 360, 3]);
    assert.equal(clip.at, clock.now().getTime());
    const probed = await ffprobe(clip.bytes);
    assert.equal(probed.codec, "h264");
    assert.deepEqual([probed.width, probed.height], [640, 360]);
    assert.ok(Math.abs(probed.durationSeconds - 3) <= 1 / 5 + 1e-6, `duration ${probed.durationSeconds} s`);
    assert.equal(probed.frames, 15);
    assert.equal(progress[0], 0);
    assert.equal(progress[progress.length - 1], 1);
    assert.ok(
      progress.every((f, i) => i === 0 || f >= (progress[i - 1] as number)),
      "progress never goes back",
    );
  });

  test("odd frame sizes are rounded down to even numbers for H.264", { skip: noFfmpeg }, async () => {
    const camera = createSimulatedCamera({
      clock: new ManualClock(),
      width: 321,
      height: 181,
      ffmpegPath: ffmpegPath ?? "",
    });
    const clip = await camera.clip(1);
    assert.deepEqual([clip.width, clip.height], [320, 180]);
    const probed = await ffprobe(clip.bytes);
    assert.deepEqual([probed.width, probed.height], [320, 180]);
  });

  test("without ffmpeg (ffmpegPath: null): an animated GIF, downscaled", async () => {
    const camera = createSimulatedCamera({ clock: new ManualClock(), ffmpegPath: null });
    camera.personEnters(2000);
    const progress: number[] = [];
    const clip = await camera.clip(2, { onProgress: (f) => progress.push(f) });
    assert.equal(clip.format, "gif");
    assert.equal(clip.mime, "image/gif");
    assert.ok(isGif(clip.bytes));
    const meta = await sharp(clip.bytes, { animated: true }).metadata();
    assert.equal(meta.format, "gif");
    assert.ok((meta.pages ?? 0) > 1, `animated: ${meta.pages} pages`);
    assert.equal(meta.pages, 8, "2 s at 4 fps");
    assert.equal(meta.width, 400);
    assert.equal(meta.pageHeight, 225);
    assert.deepEqual([clip.width, clip.height, clip.seconds], [400, 225, 2]);
    assert.deepEqual(meta.delay, new Array(8).fill(250));
    // the person moves between the first and the last frame
    const first = await sharp(clip.bytes, { page: 0 }).jpeg().toBuffer();
    const last = await sharp(clip.bytes, { page: 7 }).jpeg().toBuffer();
    assert.ok((await changedShare(first, last)) > 0.03);
    assert.equal(progress[0], 0);
    assert.equal(progress[progress.length - 1], 1);
  });

  test("an ffmpeg path that does not exist falls back to GIF", async () => {
    const camera = createSimulatedCamera({ clock: new ManualClock(), ffmpegPath: "/nonexistent/ffmpeg" });
    const clip = await camera.clip(1);
    assert.equal(clip.format, "gif");
    assert.ok(isGif(clip.bytes));
  });

  test("a listener that throws does not break the clip", async () => {
    const camera = createSimulatedCamera({ clock: new ManualClock(), ffmpegPath: null });
    const clip = await camera.clip(1, {
      onProgress: () => {
        throw new Error("listener bug");
      },
    });
    assert.equal(clip.format, "gif");
  });
});
