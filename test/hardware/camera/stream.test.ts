/**
 * Live streams of the camera drivers: rpicam and v4l2 against fake rpicam-vid / ffmpeg
 * programs (shell scripts first on PATH) that write MJPEG to stdout in odd chunk sizes, die
 * midway or print nothing; v4l2 against the real ffmpeg's test source; the simulator.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import sharp from "sharp";
import type { Camera, Snapshot } from "../../../core/camera/camera.ts";
import { jpegSize } from "../../../hardware/camera/media.ts";
import { createRpicamCamera, type RpicamOptions, rpicamLiveArgs } from "../../../hardware/camera/rpicam.ts";
import { CAPTURE_DEFAULTS } from "../../../hardware/camera/settings.ts";
import { createSimulatedCamera } from "../../../hardware/camera/simulator.ts";
import { createV4l2Camera, v4l2LiveArgs } from "../../../hardware/camera/v4l2.ts";
import { ManualClock } from "../../support/fakes.ts";
import {
  eventually,
  isRunning,
  makeJpeg,
  noFfmpeg,
  readPid,
  rejectsWith,
  systemPath,
  tempDir,
  writePrograms,
} from "./fakes.ts";

let root: { dir: string; cleanup: () => void };
let framesFile: string;
let first: Buffer;
let second: Buffer;

before(async () => {
  root = tempDir();
  first = await makeJpeg(320, 240);
  second = await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 200, g: 20, b: 20 } } })
    .jpeg({ quality: 80 })
    .toBuffer();
  framesFile = join(root.dir, "frames.mjpeg");
  writeFileSync(framesFile, Buffer.concat([first, second]));
});

after(() => root.cleanup());

let binCount = 0;
function fakeBin(programs: Record<string, string>): { opts: RpicamOptions; file: (n: string) => string } {
  const bin = join(root.dir, `bin${binCount++}`);
  mkdirSync(bin);
  writePrograms(bin, programs);
  return { opts: { binDir: bin, env: { PATH: systemPath } }, file: (n: string) => join(bin, n) };
}

/** A capture program that writes the two frames over and over, in 1000-byte writes, after some garbage. */
const mjpegForever = (pidFile: string, argsFile: string, chunk = 1000) => `
echo $$ >> "${pidFile}"
printf "%s " "$@" > "${argsFile}"
echo "[0:00:00.1] [42] INFO Camera camera.cpp:1 starting" >&2
printf 'not a picture'
while :; do
  dd if="${framesFile}" bs=${chunk} 2>/dev/null
  sleep 0.03
done
`;

/** Runs `camera.stream` until `count` frames came (or `ms` passed), then stops it; returns the frames. */
async function take(
  camera: Camera,
  count: number,
  opts: { fps?: number; ms?: number; width?: number; height?: number } = {},
): Promise<{ frames: Snapshot[]; result: Promise<void> }> {
  const frames: Snapshot[] = [];
  const stop = new AbortController();
  const stream = camera.stream;
  assert.ok(stream, `${camera.driver} streams`);
  const result = stream.call(camera, {
    fps: opts.fps ?? 10,
    ...(opts.width ? { width: opts.width } : {}),
    ...(opts.height ? { height: opts.height } : {}),
    signal: stop.signal,
    onFrame: (f) => {
      frames.push(f);
      if (frames.length >= count) stop.abort();
    },
  });
  result.catch(() => {});
  const timer = setTimeout(() => stop.abort(), opts.ms ?? 5000);
  try {
    await result;
  } catch {
    // the caller looks at `result`
  } finally {
    clearTimeout(timer);
  }
  return { frames, result };
}

describe("rpicam live stream (fake rpicam-vid)", () => {
  test("arguments: run until killed, no preview, MJPEG at the rate and size, quality, flushed, to stdout", () => {
    const s = { ...CAPTURE_DEFAULTS, width: 1280, height: 720, quality: 80 };
    assert.deepEqual(rpicamLiveArgs(s, 5), [
      "-t",
      "0",
      "-n",
      "--codec",
      "mjpeg",
      "--framerate",
      "5",
      "--width",
      "1280",
      "--height",
      "720",
      "-q",
      "80",
      "--flush",
      "-o",
      "-",
    ]);
    const extra = rpicamLiveArgs(s, 2, { camera: 1, extraArgs: ["--rotation", "180"] });
    assert.deepEqual(extra.slice(3, 5), ["--camera", "1"]);
    assert.deepEqual(extra.slice(-4), ["--rotation", "180", "-o", "-"]);
  });

  test("frames split out of odd-sized writes after garbage: whole JPEGs, their size, the clock's time; stop kills the program", async () => {
    const pidFile = join(root.dir, "vid1.pid");
    const argsFile = join(root.dir, "vid1.args");
    const { opts } = fakeBin({ "rpicam-vid": mjpegForever(pidFile, argsFile, 777) });
    const clock = new ManualClock("2026-12-06T10:00:00Z");
    const camera = createRpicamCamera({ ...opts, clock, width: 640, height: 480, quality: 70 });
    const { frames, result } = await take(camera, 5, { fps: 4 });
    await result;
    assert.equal(frames.length, 5);
    assert.ok(frames[0]?.jpeg.equals(first));
    assert.ok(frames[1]?.jpeg.equals(second));
    assert.ok(frames[4]?.jpeg.equals(first));
    assert.deepEqual(jpegSize(frames[0]?.jpeg as Buffer), { width: 320, height: 240 });
    assert.equal(frames[0]?.width, 320, "the size the frame says, not the one asked for");
    assert.equal(frames[0]?.at, clock.now().getTime());
    assert.match(
      readFileSync(argsFile, "utf8"),
      /^-t 0 -n --codec mjpeg --framerate 4 --width 640 --height 480 -q 70 --flush -o - $/,
    );
    const pid = await readPid(pidFile);
    assert.ok(await eventually(() => !isRunning(pid)), "rpicam-vid is gone once the stream stopped");
    await camera.close();
  });

  test("the stream's own size when asked (the live view may be smaller than snapshots)", async () => {
    const argsFile = join(root.dir, "vid2.args");
    const { opts } = fakeBin({ "rpicam-vid": mjpegForever(join(root.dir, "vid2.pid"), argsFile) });
    const camera = createRpicamCamera({ ...opts, width: 1920, height: 1080 });
    await (await take(camera, 1, { width: 640, height: 360 })).result;
    assert.match(readFileSync(argsFile, "utf8"), /--width 640 --height 360/);
    await camera.close();
  });

  test("rpicam-vid dying midway: the frames before it, then failed with its stderr", async () => {
    const keep = first.length + Math.floor(second.length / 2);
    const { opts } = fakeBin({
      "rpicam-vid": `head -c ${keep} "${framesFile}"\necho "ERROR: *** camera frontend has timed out! ***" >&2\nexit 1`,
    });
    const camera = createRpicamCamera(opts);
    const { frames, result } = await take(camera, 10);
    assert.equal(frames.length, 1, "the whole frame; the half one is not delivered");
    await rejectsWith(
      result,
      "failed",
      /rpicam-vid failed \(exit code 1\) after 1 frame: ERROR: \*\*\* camera frontend/,
    );
    await camera.close();
  });

  test("rpicam-vid printing nothing: stopped after timeoutMs -> timeout, and it is gone", async () => {
    const pidFile = join(root.dir, "silent.pid");
    const { opts } = fakeBin({ "rpicam-vid": `echo $$ > "${pidFile}"\nexec sleep 1000` });
    const camera = createRpicamCamera({ ...opts, timeoutMs: 300 });
    const { frames, result } = await take(camera, 1);
    assert.equal(frames.length, 0);
    await rejectsWith(result, "timeout", /rpicam-vid sent no frame for 300 ms after it started/);
    assert.equal(isRunning(await readPid(pidFile)), false);
    await camera.close();
  });

  test("stdout closing without an error: the stream stopped by itself -> failed; no camera -> unavailable", async () => {
    const { opts } = fakeBin({ "rpicam-vid": `cat "${framesFile}"` });
    const camera = createRpicamCamera(opts);
    const { frames, result } = await take(camera, 10);
    assert.equal(frames.length, 2);
    await rejectsWith(result, "failed", /rpicam-vid stopped by itself after 2 frames/);
    const none = fakeBin({ "rpicam-vid": `echo "ERROR: *** no cameras available ***" >&2\nexit 255` });
    await rejectsWith((await take(createRpicamCamera(none.opts), 1)).result, "unavailable", /found no camera/);
    const missing = createRpicamCamera({ env: { PATH: root.dir } });
    await rejectsWith((await take(missing, 1)).result, "unavailable", /rpicam-vid is not installed.*rpicam-apps/);
  });

  test("libcamera-vid on older systems", async () => {
    const pidFile = join(root.dir, "libcamera.pid");
    const { opts } = fakeBin({ "libcamera-vid": mjpegForever(pidFile, join(root.dir, "libcamera.args")) });
    const camera = createRpicamCamera({ ...opts, commandPrefix: "libcamera" });
    const { frames } = await take(camera, 2);
    assert.equal(frames.length, 2);
    await camera.close();
  });

  test("one capture at a time: a snapshot asked of the driver waits for the stream; close() ends the stream with closed", async () => {
    const pidFile = join(root.dir, "vid3.pid");
    const { opts } = fakeBin({
      "rpicam-vid": mjpegForever(pidFile, join(root.dir, "vid3.args")),
      "rpicam-still": `head -c ${first.length} "${framesFile}"`,
    });
    const camera = createRpicamCamera(opts);
    const stop = new AbortController();
    let count = 0;
    const stream = camera.stream?.({ fps: 5, signal: stop.signal, onFrame: () => count++ }) as Promise<void>;
    const pid = await readPid(pidFile);
    const shot = camera.snapshot();
    let shotDone = false;
    void shot.then(() => {
      shotDone = true;
    });
    assert.ok(await eventually(() => count >= 2));
    assert.equal(shotDone, false, "the snapshot waits: the camera is busy with the stream");
    stop.abort();
    await stream;
    const picture = await shot;
    assert.ok(picture.jpeg.equals(first));
    assert.equal(isRunning(pid), false);

    writeFileSync(pidFile, "");
    const again = camera.stream?.({ fps: 5, signal: new AbortController().signal, onFrame: () => {} }) as Promise<void>;
    const pid2 = await readPid(pidFile);
    await camera.close();
    await rejectsWith(again, "closed");
    assert.equal(isRunning(pid2), false);
  });
});

describe("v4l2 live stream", () => {
  test("arguments: ffmpeg from the device at the rate and size, MJPEG to stdout; the camera's own JPEGs copied when it gives MJPEG", () => {
    const s = { ...CAPTURE_DEFAULTS, width: 640, height: 480, quality: 85, framerate: 5 };
    const args = v4l2LiveArgs(s, { device: "/dev/video2" });
    assert.deepEqual(args, [
      "-hide_banner",
      "-loglevel",
      "error",
      "-f",
      "v4l2",
      "-video_size",
      "640x480",
      "-framerate",
      "5",
      "-i",
      "/dev/video2",
      "-an",
      "-f",
      "mjpeg",
      "-q:v",
      "6",
      "-flush_packets",
      "1",
      "pipe:1",
    ]);
    const copy = v4l2LiveArgs(s, { device: "/dev/video0", inputFormat: "mjpeg" });
    assert.deepEqual(copy.slice(3, 7), ["-f", "v4l2", "-input_format", "mjpeg"]);
    assert.ok(copy.join(" ").includes("-f mjpeg -c:v copy -flush_packets 1 pipe:1"));
  });

  test("a fake ffmpeg writing MJPEG in odd chunks; dying midway -> failed with its stderr", async () => {
    const pidFile = join(root.dir, "ff.pid");
    const { opts } = fakeBin({ ffmpeg: mjpegForever(pidFile, join(root.dir, "ff.args"), 333) });
    const camera = createV4l2Camera({ ...opts, device: "/dev/video9" });
    const { frames, result } = await take(camera, 3);
    await result;
    assert.equal(frames.length, 3);
    assert.ok(frames[1]?.jpeg.equals(second));
    assert.equal(isRunning(await readPid(pidFile)), false);
    const dying = fakeBin({
      ffmpeg: `head -c ${first.length + 100} "${framesFile}"\necho "/dev/video9: No such device" >&2\nexit 1`,
    });
    const { frames: some, result: failed } = await take(createV4l2Camera({ ...dying.opts, device: "/dev/video9" }), 5);
    assert.equal(some.length, 1);
    await rejectsWith(failed, "failed", /ffmpeg failed \(exit code 1\) after 1 frame: \/dev\/video9: No such device/);
  });

  test("the real ffmpeg's test source, in real time: frames at about the rate", { skip: noFfmpeg }, async () => {
    const camera = createV4l2Camera({
      input: ["-re", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=10"],
      width: 320,
      height: 240,
    });
    const started = Date.now();
    const { frames, result } = await take(camera, 6, { fps: 10 });
    await result;
    assert.equal(frames.length, 6);
    assert.deepEqual(jpegSize(frames[5]?.jpeg as Buffer), { width: 320, height: 240 });
    assert.ok(Date.now() - started >= 300, "paced by -re, not as fast as ffmpeg can");
    await camera.close();
  });
});

describe("simulator live stream", () => {
  test("frames of the room at the rate, each different (LEDs and the clock move)", async () => {
    const camera = createSimulatedCamera({ width: 320, height: 180, timeoutMs: 300 });
    const started = Date.now();
    const { frames, result } = await take(camera, 6, { fps: 10 });
    await result;
    const took = Date.now() - started;
    assert.equal(frames.length, 6);
    assert.ok(took >= 400, `6 frames at 10 fps take about 0.5 s, took ${took} ms`);
    assert.deepEqual(jpegSize(frames[0]?.jpeg as Buffer), { width: 320, height: 180 });
    const distinct = new Set(frames.map((f) => f.jpeg.toString("base64")));
    assert.ok(distinct.size >= 3, `frames differ (${distinct.size} distinct of 6)`);
    assert.equal(camera.streams, 1);
    assert.equal(camera.streaming, false);
    await camera.close();
  });

  test("faults: fail() midway rejects with its code, unplug() with unavailable, hang() with timeout; close() with closed", async () => {
    const camera = createSimulatedCamera({ width: 160, height: 90, timeoutMs: 200 });
    let n = 0;
    const failing = camera.stream({
      fps: 20,
      signal: new AbortController().signal,
      onFrame: () => {
        if (++n === 2) camera.fail("failed");
      },
    });
    await rejectsWith(failing, "failed", /fault injected/);
    assert.equal(n, 2);

    camera.unplug();
    await rejectsWith((await take(camera, 1)).result, "unavailable");
    camera.plug();

    let got = 0;
    const hanging = camera.stream({
      fps: 20,
      signal: new AbortController().signal,
      onFrame: () => {
        if (++got === 1) camera.hang();
      },
    });
    await rejectsWith(hanging, "timeout", /no frame for 200 ms/);

    const open = camera.stream({ fps: 5, signal: new AbortController().signal, onFrame: () => {} });
    await eventually(() => camera.streaming);
    await camera.close();
    await rejectsWith(open, "closed");
  });
});
