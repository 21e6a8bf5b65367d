/**
 * ffmpeg, as the camera drivers use it: finding it, the H.264 settings Telegram plays
 * (sendVideo wants H.264 in MP4 with yuv420p; +faststart puts the index first so the
 * player can start at once), JPEG quality for its mjpeg encoder, and turning a series of
 * JPEG frames into an MP4 (the simulator's clips).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { CameraError } from "../../core/camera/camera.ts";
import { isMp4 } from "./media.ts";
import { findProgram, runProgram, withTempDir } from "./process.ts";

export const FFMPEG_INSTALL_HINT = "Install it with `sudo apt install ffmpeg`.";

/** Output arguments for an MP4 Telegram plays as video (no audio). */
export const H264_MP4_ARGS = [
  "-c:v",
  "libx264",
  "-preset",
  "veryfast",
  "-pix_fmt",
  "yuv420p",
  "-movflags",
  "+faststart",
  "-an",
] as const;

/** Where ffmpeg is on PATH (of `env`, default this process's), or undefined when it is not installed. */
export function findFfmpeg(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return findProgram("ffmpeg", env);
}

/** JPEG quality 1..100 (100 best) as ffmpeg's mjpeg `-q:v` 31..2 (2 best). */
export function mjpegQscale(quality: number): number {
  const q = Math.min(100, Math.max(1, quality));
  return Math.round(31 - ((q - 1) * 29) / 99);
}

export interface JpegsToMp4Options {
  ffmpegPath: string;
  frames: AsyncIterable<Buffer>;
  fps: number;
  timeoutMs: number;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

/** Encodes JPEG frames (piped to ffmpeg as they come) into an H.264 MP4; returns its bytes. */
export function encodeJpegsToMp4(opts: JpegsToMp4Options): Promise<Buffer> {
  return withTempDir("seroma-clip-", async (dir) => {
    const out = join(dir, "clip.mp4");
    await runProgram({
      command: opts.ffmpegPath,
      name: "ffmpeg",
      installHint: FFMPEG_INSTALL_HINT,
      args: [
        "-hide_banner",
        "-loglevel",
        "error",
        "-f",
        "image2pipe",
        "-c:v",
        "mjpeg",
        "-framerate",
        String(opts.fps),
        "-i",
        "-",
        ...H264_MP4_ARGS,
        "-y",
        out,
      ],
      input: opts.frames,
      timeoutMs: opts.timeoutMs,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.env ? { env: opts.env } : {}),
    });
    const bytes = await readFile(out).catch(() => Buffer.alloc(0));
    if (!isMp4(bytes)) throw new CameraError("failed", `ffmpeg wrote no playable MP4 (${bytes.length} bytes)`);
    return bytes;
  });
}
