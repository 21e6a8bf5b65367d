/**
 * The USB webcam driver with the real ffmpeg, reading its lavfi test source instead of a
 * webcam (and a missing /dev/video device for the unhappy path). A fake ffmpeg script covers
 * what a real one cannot be made to do on demand (hang).
 */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import sharp from "sharp";
import { isJpeg } from "../../../hardware/camera/media.ts";
import { CAPTURE_DEFAULTS } from "../../../hardware/camera/settings.ts";
import { createV4l2Camera, probeV4l2, v4l2ClipArgs, v4l2SnapshotArgs } from "../../../hardware/camera/v4l2.ts";
import { ManualClock } from "../../support/fakes.ts";
import {
  ffmpegPath,
  ffprobe,
  isRunning,
  noFfmpeg,
  readPid,
  rejectsWith,
  systemPath,
  tempDir,
  writePrograms,
} from "./fakes.ts";

const testSource = ["-f", "lavfi", "-i", "testsrc2=size=640x360:rate=10"];

let root: { dir: string; cleanup: () => void };
before(() => {
  root = tempDir();
});
after(() => root.cleanup());

describe("v4l2 argument lists", () => {
  test("snapshot: the device at the asked size, one mjpeg frame to stdout, quality as -q:v", () => {
    const s = { ...CAPTURE_DEFAULTS, quality: 100 };
    assert.deepEqual(v4l2SnapshotArgs(s, { device: "/dev/video2" }), [
      "-hide_banner",
      "-loglevel",
      "error",
      "-f",
      "v4l2",
      "-video_size",
      "1280x720",
      "-i",
      "/dev/video2",
      "-frames:v",
      "1",
      "-q:v",
      "2",
      "-f",
      "image2",
      "-c:v",
      "mjpeg",
      "pipe:1",
    ]);
    const withInput = v4l2SnapshotArgs({ ...s, quality: 1 }, { device: "/dev/video0", input: testSource });
    assert.deepEqual(withInput.slice(3, 7), testSource);
    assert.equal(withInput[withInput.indexOf("-q:v") + 1], "31");
  });

  test("clip: frame rate and input format on the device, -t, H.264 for Telegram", () => {
    const s = { ...CAPTURE_DEFAULTS, framerate: 15 };
    const args = v4l2ClipArgs(s, { device: "/dev/video0", inputFormat: "mjpeg" }, 7, "/tmp/out.mp4");
    assert.equal(
      args.join(" "),
      "-hide_banner -loglevel error -f v4l2 -input_format mjpeg -video_size 1280x720 -framerate 15 -i /dev/video0 " +
        "-t 7 -c:v libx264 -preset veryfast -pix_fmt yuv420p -movflags +faststart -an -y /tmp/out.mp4",
    );
  });
});

describe("createV4l2Camera with the real ffmpeg", { skip: noFfmpeg }, () => {
  test("snapshot: a JPEG of the size the source delivers, at the clock's time", async () => {
    const clock = new ManualClock("2026-11-23T10:00:00Z");
    const camera = createV4l2Camera({ input: testSource, clock, ffmpegPath: ffmpegPath ?? "ffmpeg" });
    assert.equal(camera.driver, "v4l2");
    const shot = await camera.snapshot();
    assert.ok(isJpeg(shot.jpeg));
    const meta = await sharp(shot.jpeg).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ["jpeg", 640, 360]);
    assert.deepEqual([shot.width, shot.height], [640, 360], "the delivered size, not the 1280x720 asked for");
    assert.equal(shot.at, clock.now().getTime());
  });

  test("higher quality gives more bytes", async () => {
    const low = await createV4l2Camera({ input: testSource, quality: 5 }).snapshot();
    const high = await createV4l2Camera({ input: testSource, quality: 95 }).snapshot();
    assert.ok(high.jpeg.length > low.jpeg.length, `${high.jpeg.length} > ${low.jpeg.length}`);
  });

  test("clip: an H.264 MP4 of the requested length", async () => {
    const camera = createV4l2Camera({ input: testSource, clock: new ManualClock() });
    const progress: number[] = [];
    const clip = await camera.clip(2, { onProgress: (f) => progress.push(f) });
    assert.equal(clip.format, "mp4");
    assert.equal(clip.bytes.toString("latin1", 4, 8), "ftyp");
    assert.deepEqual([clip.width, clip.height], [640, 360]);
    assert.ok(Math.abs(clip.seconds - 2) <= 0.1, `${clip.seconds} s`);
    const probed = await ffprobe(clip.bytes);
    assert.equal(probed.codec, "h264");
    assert.ok(Math.abs(probed.durationSeconds - 2) <= 0.1 + 1e-6, `${probed.durationSeconds} s`);
    assert.equal(probed.frames, 20, "2 s at 10 fps");
    assert.deepEqual([progress[0], progress[progress.length - 1]], [0, 1]);
  });

  test("no such device -> unavailable", async () => {
    const camera = createV4l2Camera({ device: "/dev/video-seroma-none" });
    const err = await rejectsWith(camera.snapshot(), "unavailable", /there is no \/dev\/video-seroma-none/);
    assert.match(err.message, /webcam/);
  });

  test("a bad input -> failed, with ffmpeg's own error line", async () => {
    const camera = createV4l2Camera({ input: ["-f", "lavfi", "-i", "nosuchfilter=size=2x2"] });
    await rejectsWith(camera.snapshot(), "failed", /ffmpeg failed \(exit code \d+\): .+/);
  });

  test("serialized: concurrent snapshots all succeed", async () => {
    const camera = createV4l2Camera({ input: testSource });
    const shots = await Promise.all([camera.snapshot(), camera.snapshot(), camera.snapshot()]);
    assert.ok(shots.every((s) => isJpeg(s.jpeg)));
  });
});

describe("createV4l2Camera: missing ffmpeg, hangs, close", () => {
  test("ffmpeg not installed -> unavailable, with how to install it", async () => {
    const camera = createV4l2Camera({ input: testSource, ffmpegPath: "/nonexistent/ffmpeg" });
    await rejectsWith(camera.snapshot(), "unavailable", /ffmpeg is not installed.*apt install ffmpeg/);
    const byName = createV4l2Camera({ input: testSource, env: { PATH: root.dir } });
    await rejectsWith(byName.clip(1), "unavailable", /ffmpeg is not installed/);
  });

  test("an ffmpeg that never finishes is killed after timeoutMs -> timeout; close() stops another", async () => {
    const bin = join(root.dir, "hang-bin");
    mkdirSync(bin);
    const pidFile = join(root.dir, "ffmpeg.pid");
    writePrograms(bin, { ffmpeg: `echo $$ >> "${pidFile}"\nexec sleep 1000` });
    const camera = createV4l2Camera({ input: testSource, binDir: bin, env: { PATH: systemPath }, timeoutMs: 200 });
    await rejectsWith(camera.snapshot(), "timeout", /ffmpeg did not finish within 200 ms/);
    const first = await readPid(pidFile);
    assert.equal(isRunning(first), false);

    writeFileSync(pidFile, "");
    const slow = createV4l2Camera({ input: testSource, binDir: bin, env: { PATH: systemPath }, timeoutMs: 60_000 });
    const running = slow.clip(10);
    const pid = await readPid(pidFile);
    await slow.close();
    await rejectsWith(running, "closed");
    assert.equal(isRunning(pid), false);
    await rejectsWith(slow.snapshot(), "closed");
  });

  test("bad options throw a RangeError at creation", () => {
    assert.throws(() => createV4l2Camera({ quality: 0 }), RangeError);
    assert.throws(() => createV4l2Camera({ height: 8193 }), RangeError);
  });
});

describe("probeV4l2", () => {
  test("ffmpeg there and the device openable -> available", async () => {
    const device = join(root.dir, "fake-video-device");
    writeFileSync(device, "");
    const fake = join(root.dir, "probe-bin");
    mkdirSync(fake);
    writePrograms(fake, { ffmpeg: "exit 0" });
    const probe = await probeV4l2({ device, binDir: fake, env: { PATH: "" } });
    assert.deepEqual(probe, { available: true, device, ffmpegPath: join(fake, "ffmpeg") });
  });

  test("no ffmpeg -> not available, with how to install it", async () => {
    const probe = await probeV4l2({ device: "/dev/null", env: { PATH: root.dir } });
    assert.equal(probe.available, false);
    assert.match(probe.reason ?? "", /ffmpeg is not installed.*apt install ffmpeg/);
    const byPath = await probeV4l2({ device: "/dev/null", ffmpegPath: "/nonexistent/ffmpeg" });
    assert.match(byPath.reason ?? "", /\/nonexistent\/ffmpeg not found/);
  });

  test("the device's kernel name is read under sysfsRoot: the Pi's own codec node is no webcam, a named webcam is", async () => {
    const fake = join(root.dir, "probe-bin3");
    mkdirSync(fake);
    writePrograms(fake, { ffmpeg: "exit 0" });
    const sysfs = join(root.dir, "sysfs-root");
    const device = join(root.dir, "video0");
    writeFileSync(device, "");
    const nameFile = join(sysfs, "sys/class/video4linux/video0/name");
    mkdirSync(join(nameFile, ".."), { recursive: true });
    writeFileSync(nameFile, "bcm2835-codec-decode\n");
    const codec = await probeV4l2({ device, binDir: fake, env: { PATH: "" }, sysfsRoot: sysfs });
    assert.equal(codec.available, false);
    assert.equal(codec.name, "bcm2835-codec-decode");
    assert.match(codec.reason ?? "", /the Raspberry Pi's own camera hardware, not a webcam/);
    writeFileSync(nameFile, "HD Pro Webcam C920\n");
    const webcam = await probeV4l2({ device, binDir: fake, env: { PATH: "" }, sysfsRoot: sysfs });
    assert.deepEqual(webcam, { available: true, device, ffmpegPath: join(fake, "ffmpeg"), name: "HD Pro Webcam C920" });
  });

  test("no device -> not available, saying which", async () => {
    const fake = join(root.dir, "probe-bin2");
    mkdirSync(fake);
    writePrograms(fake, { ffmpeg: "exit 0" });
    const probe = await probeV4l2({ device: "/dev/video-seroma-none", binDir: fake });
    assert.equal(probe.available, false);
    assert.match(probe.reason ?? "", /there is no \/dev\/video-seroma-none \(no USB webcam plugged in\?\)/);
  });
});
