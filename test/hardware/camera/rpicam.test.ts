/**
 * The Raspberry Pi camera driver against fake rpicam-still / rpicam-vid programs (shell
 * scripts first on PATH): real processes, real pipes, real kills; no camera needed.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  createRpicamCamera,
  probeRpicam,
  type RpicamOptions,
  rpicamStillArgs,
  rpicamVidArgs,
} from "../../../hardware/camera/rpicam.ts";
import { CAPTURE_DEFAULTS } from "../../../hardware/camera/settings.ts";
import { ManualClock } from "../../support/fakes.ts";
import {
  eventually,
  isRunning,
  makeJpeg,
  makeMp4,
  readPid,
  rejectsWith,
  systemPath,
  tempDir,
  writePrograms,
} from "./fakes.ts";

let root: { dir: string; cleanup: () => void };
let jpegFile: string;
let mp4File: string;

before(async () => {
  root = tempDir();
  jpegFile = join(root.dir, "frame.jpg");
  writeFileSync(jpegFile, await makeJpeg(320, 240));
  mp4File = join(root.dir, "clip.mp4");
  writeFileSync(mp4File, makeMp4({ durationSeconds: 3.04, width: 1280, height: 720 }));
});

after(() => root.cleanup());

let binCount = 0;
/** A bin directory with these fake programs, and driver options that put it first on PATH. */
function fakeBin(programs: Record<string, string>): { bin: string; opts: RpicamOptions; file: (n: string) => string } {
  const bin = join(root.dir, `bin${binCount++}`);
  mkdirSync(bin);
  writePrograms(bin, programs);
  return {
    bin,
    opts: { binDir: bin, env: { PATH: systemPath }, clock: new ManualClock() },
    file: (n: string) => join(bin, n),
  };
}

/** rpicam-vid stand-in: copies the fixture MP4 to the -o argument. */
const vidWritesMp4 = (src: () => string, argsFile: string) => `
printf "%s " "$@" > "${argsFile}"
out=""
while [ $# -gt 0 ]; do
  if [ "$1" = "-o" ]; then out="$2"; fi
  shift
done
cp "${src()}" "$out"
`;

describe("rpicam argument lists", () => {
  test("still: no preview, a short settle (or --immediate), size, quality, JPEG to stdout", () => {
    const s = { ...CAPTURE_DEFAULTS, width: 1920, height: 1080, quality: 90 };
    assert.deepEqual(rpicamStillArgs(s, 500), [
      "-n",
      "-t",
      "500",
      "--width",
      "1920",
      "--height",
      "1080",
      "-q",
      "90",
      "-e",
      "jpg",
      "-o",
      "-",
    ]);
    const immediate = rpicamStillArgs(s, 0, { camera: 1, extraArgs: ["--rotation", "180"] });
    assert.deepEqual(immediate.slice(0, 6), ["-n", "--immediate", "-t", "1", "--camera", "1"]);
    assert.deepEqual(immediate.slice(-4), ["--rotation", "180", "-o", "-"]);
  });

  test("vid: length in ms, frame rate, libav MP4 to the file", () => {
    const s = { ...CAPTURE_DEFAULTS, framerate: 15 };
    assert.deepEqual(rpicamVidArgs(s, 10, "/tmp/x.mp4"), [
      "-n",
      "-t",
      "10000",
      "--width",
      "1280",
      "--height",
      "720",
      "--framerate",
      "15",
      "--codec",
      "libav",
      "--libav-format",
      "mp4",
      "-o",
      "/tmp/x.mp4",
    ]);
  });
});

describe("createRpicamCamera", () => {
  test("snapshot: the JPEG from rpicam-still's stdout, its real size, the clock's time", async () => {
    const { opts, file } = fakeBin({
      "rpicam-still": `printf "%s " "$@" > "${join(root.dir, "still-args")}"\ncat "${jpegFile}"`,
    });
    const clock = new ManualClock("2026-11-23T10:00:00Z");
    const camera = createRpicamCamera({ ...opts, clock, width: 640, height: 480, quality: 70 });
    assert.equal(camera.driver, "rpicam");
    assert.deepEqual([camera.width, camera.height], [640, 480]);
    const shot = await camera.snapshot();
    assert.ok(shot.jpeg.equals(readFileSync(jpegFile)));
    assert.deepEqual([shot.width, shot.height], [320, 240], "the size in the JPEG, not the one asked for");
    assert.equal(shot.at, clock.now().getTime());
    assert.equal(
      readFileSync(join(root.dir, "still-args"), "utf8").trim(),
      "-n -t 500 --width 640 --height 480 -q 70 -e jpg -o -",
    );
    assert.ok(file("rpicam-still"));
  });

  test("the libcamera prefix runs libcamera-still", async () => {
    const { opts } = fakeBin({ "libcamera-still": `cat "${jpegFile}"` });
    const camera = createRpicamCamera({ ...opts, commandPrefix: "libcamera" });
    assert.equal(camera.commandPrefix, "libcamera");
    assert.ok((await camera.snapshot()).jpeg.length > 0);
    await rejectsWith(createRpicamCamera(opts).snapshot(), "unavailable", /rpicam-still is not installed/);
  });

  test("not installed -> unavailable, with how to install it", async () => {
    const { opts } = fakeBin({});
    const err = await rejectsWith(createRpicamCamera(opts).snapshot(), "unavailable", /rpicam-still is not installed/);
    assert.match(err.message, /apt install rpicam-apps/);
    await rejectsWith(createRpicamCamera(opts).clip(2), "unavailable", /rpicam-vid is not installed/);
  });

  test("no camera attached (exit 1, 'no cameras available') -> unavailable, with what to check", async () => {
    const { opts } = fakeBin({
      "rpicam-still": `echo "[0:00:01.1] [123]  INFO Camera camera_manager.cpp:327 libcamera v0.3.0" >&2
echo "ERROR: *** no cameras available ***" >&2
exit 1`,
    });
    const err = await rejectsWith(createRpicamCamera(opts).snapshot(), "unavailable", /found no camera/);
    assert.match(err.message, /ribbon cable/);
  });

  test("another failure -> failed, with the last useful stderr line", async () => {
    const { opts } = fakeBin({
      "rpicam-still": `echo "[0:00:01.1] [123]  INFO RPI pipeline_base.cpp:1121 Using configuration file" >&2
echo "ERROR: *** failed to allocate capture buffers ***" >&2
echo "" >&2
exit 255`,
    });
    await rejectsWith(
      createRpicamCamera(opts).snapshot(),
      "failed",
      /rpicam-still failed \(exit code 255\): ERROR: \*\*\* failed to allocate capture buffers \*\*\*/,
    );
  });

  test("the camera held by another program -> failed, saying it is busy", async () => {
    const { opts } = fakeBin({
      "rpicam-still": `echo "ERROR: *** failed to acquire camera /base/soc/i2c0mux/i2c@1/imx708@1a ***" >&2\nexit 255`,
    });
    await rejectsWith(createRpicamCamera(opts).snapshot(), "failed", /busy/);
  });

  test("empty or truncated output -> failed", async () => {
    const jpeg = readFileSync(jpegFile);
    const truncated = join(root.dir, "truncated.jpg");
    writeFileSync(truncated, jpeg.subarray(0, jpeg.length - 20));
    const empty = fakeBin({ "rpicam-still": "exit 0" });
    await rejectsWith(createRpicamCamera(empty.opts).snapshot(), "failed", /no.*JPEG|complete JPEG \(0 bytes\)/);
    const cut = fakeBin({ "rpicam-still": `cat "${truncated}"` });
    await rejectsWith(createRpicamCamera(cut.opts).snapshot(), "failed", /complete JPEG/);
    const text = fakeBin({ "rpicam-still": "echo 'Still capture image received'" });
    await rejectsWith(createRpicamCamera(text.opts).snapshot(), "failed", /complete JPEG/);
  });

  test("a program that never finishes is killed after timeoutMs (with what it started) -> timeout", async () => {
    const pidFile = join(root.dir, "hang.pid");
    const childFile = join(root.dir, "hang-child.pid");
    const { opts } = fakeBin({
      "rpicam-still": `sleep 1000 &
echo $! > "${childFile}"
echo $$ > "${pidFile}"
wait`,
    });
    const camera = createRpicamCamera({ ...opts, timeoutMs: 300 });
    const shot = camera.snapshot();
    const pid = await readPid(pidFile);
    const child = await readPid(childFile);
    assert.ok(isRunning(pid) && isRunning(child), "running before the time limit");
    await rejectsWith(shot, "timeout", /did not finish within 300 ms/);
    assert.equal(isRunning(pid), false, "rpicam-still was killed");
    assert.ok(await eventually(() => !isRunning(child)), "and the process it started too");
  });

  test("one capture at a time: a second call waits for the first", async () => {
    const log = join(root.dir, "serial.log");
    const { opts } = fakeBin({
      "rpicam-still": `echo "start $$" >> "${log}"\nsleep 0.3\necho "end $$" >> "${log}"\ncat "${jpegFile}"`,
    });
    const camera = createRpicamCamera(opts);
    const shots = await Promise.all([camera.snapshot(), camera.snapshot(), camera.snapshot()]);
    assert.equal(shots.length, 3);
    const lines = readFileSync(log, "utf8").trim().split("\n");
    assert.equal(lines.length, 6);
    for (let i = 0; i < lines.length; i += 2) {
      const [start, end] = [lines[i]?.split(" "), lines[i + 1]?.split(" ")];
      assert.equal(start?.[0], "start");
      assert.equal(end?.[0], "end");
      assert.equal(start?.[1], end?.[1], "each run ends before the next starts");
    }
  });

  test("close() kills a running capture ('closed'), refuses waiting and later ones; twice is fine", async () => {
    const pidFile = join(root.dir, "close.pid");
    const { opts } = fakeBin({ "rpicam-still": `echo $$ > "${pidFile}"\nexec sleep 1000` });
    const camera = createRpicamCamera({ ...opts, timeoutMs: 60_000 });
    const running = camera.snapshot();
    const waiting = camera.clip(5);
    const pid = await readPid(pidFile);
    assert.ok(isRunning(pid));
    await camera.close();
    await rejectsWith(running, "closed");
    await rejectsWith(waiting, "closed");
    assert.equal(isRunning(pid), false, "the program is gone");
    await rejectsWith(camera.snapshot(), "closed");
    await camera.close();
  });

  test("clip: rpicam-vid writes an MP4 to a temp file, which is read back and removed", async () => {
    const argsFile = join(root.dir, "vid-args");
    const { opts } = fakeBin({ "rpicam-vid": vidWritesMp4(() => mp4File, argsFile) });
    const clock = new ManualClock("2026-11-23T10:00:00Z");
    const camera = createRpicamCamera({ ...opts, clock, framerate: 15 });
    const tempsBefore = readdirSync(tmpdir()).filter((n) => n.startsWith("seroma-rpicam-")).length;
    const progress: number[] = [];
    const clip = await camera.clip(3, { onProgress: (f) => progress.push(f) });
    assert.ok(clip.bytes.equals(readFileSync(mp4File)));
    assert.equal(clip.format, "mp4");
    assert.equal(clip.mime, "video/mp4");
    assert.equal(clip.seconds, 3.04, "the length in the file");
    assert.deepEqual([clip.width, clip.height], [1280, 720]);
    assert.equal(clip.at, clock.now().getTime());
    const args = readFileSync(argsFile, "utf8").trim().split(" ");
    assert.deepEqual(args.slice(0, 3), ["-n", "-t", "3000"]);
    assert.ok(args.join(" ").includes("--framerate 15 --codec libav --libav-format mp4 -o "));
    const out = args[args.length - 1] ?? "";
    assert.ok(out.startsWith(tmpdir()) && out.endsWith(".mp4"), out);
    assert.equal(existsSync(out), false, "the temp file is removed");
    assert.equal(readdirSync(tmpdir()).filter((n) => n.startsWith("seroma-rpicam-")).length, tempsBefore);
    assert.deepEqual([progress[0], progress[progress.length - 1]], [0, 1]);
  });

  test("clip: no file, or not an MP4 -> failed; a clip length outside 1..60 -> failed", async () => {
    const none = fakeBin({ "rpicam-vid": "exit 0" });
    await rejectsWith(createRpicamCamera(none.opts).clip(2), "failed", /did not write an MP4 \(0 bytes\)/);
    const junk = join(root.dir, "junk.bin");
    writeFileSync(junk, "not a video at all");
    const bad = fakeBin({ "rpicam-vid": vidWritesMp4(() => junk, join(root.dir, "junk-args")) });
    await rejectsWith(createRpicamCamera(bad.opts).clip(2), "failed", /did not write an MP4/);
    await rejectsWith(createRpicamCamera(bad.opts).clip(0.5), "failed", /1\.\.60/);
    await rejectsWith(createRpicamCamera(bad.opts).clip(120), "failed", /1\.\.60/);
  });

  test("clip: the time limit is the clip's length plus timeoutMs", async () => {
    const { opts } = fakeBin({ "rpicam-vid": "exec sleep 1000" });
    const err = await rejectsWith(createRpicamCamera({ ...opts, timeoutMs: 200 }).clip(1), "timeout");
    assert.match(err.message, /within 1200 ms/);
  });

  test("bad options throw a RangeError at creation", () => {
    assert.throws(() => createRpicamCamera({ quality: 0 }), RangeError);
    assert.throws(() => createRpicamCamera({ width: 0 }), RangeError);
    assert.throws(() => createRpicamCamera({ framerate: 0 }), RangeError);
    assert.throws(() => createRpicamCamera({ timeoutMs: 0 }), RangeError);
    assert.throws(() => createRpicamCamera({ settleMs: -1 }), RangeError);
    assert.throws(() => createRpicamCamera({ camera: -1 }), RangeError);
    assert.throws(() => createRpicamCamera({ commandPrefix: "raspi" as "rpicam" }), RangeError);
  });
});

describe("probeRpicam", () => {
  const listing = `echo "Available cameras"
echo "-----------------"
echo "0 : imx708 [4608x2592 10-bit RGGB] (/base/soc/i2c0mux/i2c@1/imx708@1a)"
echo "    Modes: 'SRGGB10_CSI2P' : 1536x864 [120.13 fps - (768, 432)/3072x1728 crop]"`;

  test("a camera listed -> available, with the camera's line", async () => {
    const { opts } = fakeBin({ "rpicam-still": listing });
    const probe = await probeRpicam({ binDir: opts.binDir, env: { PATH: systemPath } });
    assert.deepEqual(probe, {
      available: true,
      commandPrefix: "rpicam",
      camera: "0 : imx708 [4608x2592 10-bit RGGB] (/base/soc/i2c0mux/i2c@1/imx708@1a)",
    });
  });

  test("'No cameras available!' -> not available, with what to check", async () => {
    const { opts } = fakeBin({ "rpicam-still": 'echo "No cameras available!"' });
    const probe = await probeRpicam({ binDir: opts.binDir, env: { PATH: systemPath } });
    assert.equal(probe.available, false);
    assert.equal(probe.commandPrefix, "rpicam");
    assert.match(probe.reason ?? "", /found no camera.*ribbon cable/);
  });

  test("only libcamera-still (Bullseye) -> found under that prefix", async () => {
    const { opts } = fakeBin({ "libcamera-still": listing });
    const probe = await probeRpicam({ binDir: opts.binDir, env: { PATH: systemPath } });
    assert.equal(probe.available, true);
    assert.equal(probe.commandPrefix, "libcamera");
  });

  test("neither installed -> not available, saying so", async () => {
    const { opts } = fakeBin({});
    const probe = await probeRpicam({ env: { PATH: opts.binDir ?? "" } });
    assert.equal(probe.available, false);
    assert.equal(probe.commandPrefix, undefined);
    assert.match(probe.reason ?? "", /neither rpicam-still nor libcamera-still is installed/);
  });

  test("a program that hangs or fails -> not available, with why", async () => {
    const hang = fakeBin({ "rpicam-still": "exec sleep 1000" });
    const slow = await probeRpicam({ binDir: hang.opts.binDir, env: { PATH: systemPath }, timeoutMs: 200 });
    assert.equal(slow.available, false);
    assert.match(slow.reason ?? "", /did not finish within 200 ms/);
    const broken = fakeBin({
      "rpicam-still": 'echo "error while loading shared libraries: libcamera.so.0.2" >&2; exit 127',
    });
    const probe = await probeRpicam({ binDir: broken.opts.binDir, env: { PATH: systemPath } });
    assert.equal(probe.available, false);
    assert.match(probe.reason ?? "", /shared libraries/);
  });
});
