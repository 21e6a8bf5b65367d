/** The pure helpers under the drivers: output checks, stderr summaries, settings, quality mapping. */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { promisify } from "node:util";
import sharp from "sharp";
import { mjpegQscale } from "../../../hardware/camera/ffmpeg.ts";
import { isGif, isJpeg, isMp4, jpegSize, mp4Info } from "../../../hardware/camera/media.ts";
import { lastUsefulLine } from "../../../hardware/camera/process.ts";
import { captureSettings, validClipSeconds } from "../../../hardware/camera/settings.ts";
import { ffmpegPath, makeJpeg, makeMp4, noFfmpeg, tempDir } from "./fakes.ts";

describe("isJpeg / jpegSize", () => {
  test("a real JPEG (with EXIF) is whole and has its size in the SOF marker", async () => {
    const jpeg = await sharp({ create: { width: 333, height: 97, channels: 3, background: "#336699" } })
      .withMetadata({ exif: { IFD0: { ImageDescription: "server room" } } })
      .jpeg({ quality: 80 })
      .toBuffer();
    assert.ok(isJpeg(jpeg));
    assert.deepEqual(jpegSize(jpeg), { width: 333, height: 97 });
    const progressive = await sharp(jpeg).jpeg({ progressive: true }).toBuffer();
    assert.deepEqual(jpegSize(progressive), { width: 333, height: 97 }, "SOF2");
  });

  test("truncated, empty or other data is not a JPEG", async () => {
    const jpeg = await makeJpeg();
    assert.equal(isJpeg(jpeg.subarray(0, jpeg.length - 2)), false, "no EOI");
    assert.equal(isJpeg(jpeg.subarray(1)), false, "no SOI");
    assert.equal(isJpeg(Buffer.alloc(0)), false);
    assert.equal(isJpeg(Buffer.from("hello world")), false);
    assert.equal(isJpeg(Buffer.concat([jpeg, Buffer.alloc(16)])), true, "zero padding after EOI is allowed");
    assert.equal(jpegSize(Buffer.from([0xff, 0xd8, 0xff, 0xd9])), undefined);
    assert.equal(jpegSize(jpeg.subarray(0, 30)), undefined);
    assert.equal(jpegSize(Buffer.from("GIF89a")), undefined);
  });
});

describe("isMp4 / mp4Info / isGif", () => {
  test("an MP4 with its index at the end: duration and frame size", () => {
    const mp4 = makeMp4({ durationSeconds: 9.96, width: 1920, height: 1080 });
    assert.ok(isMp4(mp4));
    assert.deepEqual(mp4Info(mp4), { durationSeconds: 9.96, width: 1920, height: 1080 });
  });

  test("not an MP4, or a truncated one: no crash, no invented values", () => {
    assert.equal(isMp4(Buffer.from("not a video at all")), false);
    assert.equal(isMp4(Buffer.alloc(0)), false);
    const mp4 = makeMp4({ durationSeconds: 2, width: 640, height: 480 });
    assert.deepEqual(mp4Info(mp4.subarray(0, 60)), {});
    assert.deepEqual(mp4Info(Buffer.from("junk")), {});
  });

  test("ffmpeg's own MP4 (moov at the front, +faststart)", { skip: noFfmpeg }, async () => {
    const { dir, cleanup } = tempDir();
    try {
      const out = join(dir, "t.mp4");
      await promisify(execFile)(ffmpegPath ?? "ffmpeg", [
        ...["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=10"],
        ...["-t", "1.5", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-an", out],
      ]);
      const bytes = readFileSync(out);
      assert.ok(isMp4(bytes));
      const info = mp4Info(bytes);
      assert.deepEqual([info.width, info.height], [320, 240]);
      assert.ok(Math.abs((info.durationSeconds ?? 0) - 1.5) < 0.11, `${info.durationSeconds}`);
    } finally {
      cleanup();
    }
  });

  test("isGif wants the header and the trailer", async () => {
    const gif = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#f00" } })
      .gif()
      .toBuffer();
    assert.ok(isGif(gif));
    assert.equal(isGif(gif.subarray(0, gif.length - 1)), false);
    assert.equal(isGif(await makeJpeg()), false);
  });
});

describe("lastUsefulLine", () => {
  test("the last error-like line, skipping libcamera's INFO logs and blank lines", () => {
    const stderr = [
      "[0:00:00.512] [1234]  INFO Camera camera_manager.cpp:327 libcamera v0.3.0+65-6ddd79b5",
      "ERROR: *** no cameras available ***",
      "[0:00:00.600] [1234]  INFO RPI pipeline_base.cpp:1121 Using configuration file",
      "",
    ].join("\n");
    assert.equal(lastUsefulLine(stderr), "ERROR: *** no cameras available ***");
  });

  test("otherwise the last non-empty line; long lines are cut", () => {
    assert.equal(lastUsefulLine("first\nsecond\n\n"), "second");
    assert.equal(lastUsefulLine(""), "");
    const long = lastUsefulLine(`error: ${"x".repeat(400)}`);
    assert.equal(long.length, 300);
    assert.ok(long.endsWith("..."));
  });

  test("ffmpeg: the device error, not the progress line", () => {
    const stderr =
      "[video4linux2,v4l2 @ 0x55d] Cannot open video device /dev/video0: No such file or directory\n" +
      "/dev/video0: No such file or directory\n";
    assert.equal(lastUsefulLine(stderr), "/dev/video0: No such file or directory");
    assert.equal(lastUsefulLine("frame=   10 fps=0.0 q=-0.0 size=N/A\n"), "");
  });
});

describe("settings", () => {
  test("defaults and range checks", () => {
    assert.deepEqual(captureSettings({}), { width: 1280, height: 720, quality: 85, framerate: 25, timeoutMs: 10_000 });
    assert.throws(() => captureSettings({ quality: 0 }), /quality must be a whole number 1\.\.100, got 0/);
    assert.throws(() => captureSettings({ width: 12.5 }), /width/);
    assert.throws(() => captureSettings({ framerate: Number.NaN }), /framerate/);
    assert.throws(() => captureSettings({ timeoutMs: Number.POSITIVE_INFINITY }), /timeoutMs/);
  });

  test("clip length 1..60 s", () => {
    assert.deepEqual([1, 2.5, 60].map(validClipSeconds), [true, true, true]);
    assert.deepEqual([0, 0.9, 60.1, Number.NaN, -5].map(validClipSeconds), [false, false, false, false, false]);
  });

  test("JPEG quality as ffmpeg's -q:v: 100 -> 2 (best), 1 -> 31, monotonic", () => {
    assert.equal(mjpegQscale(100), 2);
    assert.equal(mjpegQscale(1), 31);
    assert.equal(mjpegQscale(85), 6);
    for (let q = 2; q <= 100; q++) assert.ok(mjpegQscale(q) <= mjpegQscale(q - 1));
  });
});
