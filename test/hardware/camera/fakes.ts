/**
 * Test helpers for the camera drivers: fake capture programs (shell scripts put first on
 * PATH), a hand-built MP4 and JPEG, ffprobe, and the frame-difference measure the motion
 * detector uses (share of pixels whose grey level changed by more than 25 at 320x240).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { promisify } from "node:util";
import sharp from "sharp";
import { CameraError, type CameraErrorCode } from "../../../core/camera/camera.ts";
import { findProgram } from "../../../hardware/camera/process.ts";

/** A temporary directory, removed by `cleanup()`. */
export function tempDir(prefix = "seroma-camera-test-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes executable /bin/sh scripts named after the keys into `dir`. */
export function writePrograms(dir: string, programs: Record<string, string>): void {
  for (const [name, body] of Object.entries(programs)) {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
  }
}

/** PATH for fake programs: their directory, then the system's (for sh, cat, sleep). */
export const systemPath = "/usr/local/bin:/usr/bin:/bin";

/** A real JPEG of the given size. */
export async function makeJpeg(width = 64, height = 48): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 40, g: 90, b: 160 } } })
    .jpeg({ quality: 80 })
    .toBuffer();
}

function box(type: string, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + body.length, 0);
  head.write(type, 4, "latin1");
  return Buffer.concat([head, body]);
}

/**
 * A minimal MP4 (ftyp, mdat, then moov with mvhd and one trak/tkhd, like rpicam-vid writes
 * it: index at the end). Not playable, but every box a parser looks at is real.
 */
export function makeMp4(opts: { durationSeconds: number; width: number; height: number }): Buffer {
  const ftyp = box("ftyp", Buffer.from("isom", "latin1"), Buffer.from([0, 0, 2, 0]), Buffer.from("isomiso2mp41"));
  const mdat = box("mdat", Buffer.alloc(64, 7));
  const mvhd = Buffer.alloc(100);
  mvhd.writeUInt32BE(0, 0); // version 0, flags
  mvhd.writeUInt32BE(1000, 12); // timescale
  mvhd.writeUInt32BE(Math.round(opts.durationSeconds * 1000), 16); // duration
  const tkhd = Buffer.alloc(84);
  tkhd.writeUInt32BE(3, 0); // version 0, flags: enabled, in movie
  tkhd.writeUInt32BE(opts.width * 65536, 76);
  tkhd.writeUInt32BE(opts.height * 65536, 80);
  const moov = box("moov", box("mvhd", mvhd), box("trak", box("tkhd", tkhd)));
  return Buffer.concat([ftyp, mdat, moov]);
}

export const ffmpegPath = findProgram("ffmpeg");
export const ffprobePath = findProgram("ffprobe");
export const noFfmpeg = ffmpegPath
  ? false
  : "ffmpeg not installed: apt-get install ffmpeg (CI installs it); these tests need a real ffmpeg";

export interface ProbedVideo {
  codec: string;
  width: number;
  height: number;
  durationSeconds: number;
  frames: number;
}

/** What ffprobe says about the first video stream of `bytes`. */
export async function ffprobe(bytes: Buffer): Promise<ProbedVideo> {
  if (!ffprobePath) throw new Error("ffprobe not installed");
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, "video.mp4");
    writeFileSync(file, bytes);
    const { stdout } = await promisify(execFile)(ffprobePath, [
      "-v",
      "error",
      "-select_streams",
      "v:0",
      "-count_frames",
      "-show_entries",
      "stream=codec_name,width,height,nb_read_frames:format=duration",
      "-of",
      "json",
      file,
    ]);
    const json = JSON.parse(stdout) as {
      streams: { codec_name: string; width: number; height: number; nb_read_frames: string }[];
      format: { duration: string };
    };
    const stream = json.streams[0];
    if (!stream) throw new Error("no video stream");
    return {
      codec: stream.codec_name,
      width: stream.width,
      height: stream.height,
      durationSeconds: Number(json.format.duration),
      frames: Number(stream.nb_read_frames),
    };
  } finally {
    cleanup();
  }
}

/** Grey 320x240, blurred a little: the motion detector's view of a frame. */
async function grey(jpeg: Buffer): Promise<Buffer> {
  return sharp(jpeg).resize(320, 240, { fit: "fill" }).greyscale().blur(1).raw().toBuffer();
}

/** Share (0..1) of pixels whose grey level changed by more than `delta` between two JPEGs. */
export async function changedShare(a: Buffer, b: Buffer, delta = 25): Promise<number> {
  const [ga, gb] = await Promise.all([grey(a), grey(b)]);
  let changed = 0;
  for (let i = 0; i < ga.length; i++) if (Math.abs((ga[i] as number) - (gb[i] as number)) > delta) changed++;
  return changed / ga.length;
}

/** Whether process `pid` is still running (a zombie waiting to be reaped counts as gone). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

/** Waits (up to `ms`) until `check()` is true; returns its last answer. */
export async function eventually(check: () => boolean, ms = 3000): Promise<boolean> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) return false;
    await delay(20);
  }
  return true;
}

/** Reads a pid written by a fake program, waiting for the file to appear. */
export async function readPid(file: string): Promise<number> {
  let pid = Number.NaN;
  await eventually(() => {
    try {
      pid = Number.parseInt(readFileSync(file, "utf8").trim(), 10);
      return Number.isInteger(pid);
    } catch {
      return false;
    }
  });
  if (!Number.isInteger(pid)) throw new Error(`no pid in ${file}`);
  return pid;
}

/** Awaits `p` and asserts it rejected with a CameraError of `code` (and a message matching `message`). */
export async function rejectsWith(p: Promise<unknown>, code: CameraErrorCode, message?: RegExp): Promise<CameraError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof CameraError, `expected CameraError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message, message);
    return e;
  }
  assert.fail(`expected a "${code}" rejection`);
}
