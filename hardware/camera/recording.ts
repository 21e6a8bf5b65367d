/**
 * The steps the program-driven cameras (rpicam, v4l2) share around their own command
 * lines: turning a program's JPEG into a Snapshot, and recording an MP4 clip into a temp
 * directory with progress, a time limit of the clip's length plus the capture timeout,
 * and the result checked.
 */
import { join } from "node:path";
import {
  CameraError,
  type Clip,
  type ClipOptions,
  type Snapshot,
  type StreamOptions,
} from "../../core/camera/camera.ts";
import type { Clock } from "../../core/clock.ts";
import type { CaptureQueue } from "./capture-queue.ts";
import { isJpeg, jpegSize, readMp4Clip } from "./media.ts";
import { withTempDir } from "./process.ts";
import { reportWhileRecording } from "./progress.ts";
import { type CaptureSettings, validClipSeconds } from "./settings.ts";

/** The Snapshot of the JPEG a program wrote; CameraError("failed", `${failure} (N bytes)`) if it is incomplete. */
export function snapshotFromJpeg(bytes: Buffer, at: number, settings: CaptureSettings, failure: string): Snapshot {
  if (!isJpeg(bytes)) throw new CameraError("failed", `${failure} (${bytes.length} bytes)`);
  const size = jpegSize(bytes) ?? { width: settings.width, height: settings.height };
  return { jpeg: bytes, width: size.width, height: size.height, at };
}

/** The live stream's settings: the camera's, with the stream's own frame size and rate (checked: CameraError "failed"). */
export function streamSettings(
  settings: CaptureSettings,
  o: Pick<StreamOptions, "fps" | "width" | "height">,
): CaptureSettings {
  if (!(o.fps > 0 && o.fps <= 120)) throw new CameraError("failed", `fps must be > 0 and <= 120, got ${o.fps}`);
  const width = o.width ?? settings.width;
  const height = o.height ?? settings.height;
  for (const [name, v] of [
    ["width", width],
    ["height", height],
  ] as const) {
    if (!Number.isInteger(v) || v < 16 || v > 8192)
      throw new CameraError("failed", `${name} must be a whole number 16..8192, got ${v}`);
  }
  return { ...settings, width, height, framerate: o.fps };
}

/** A frame of a live stream: its own size when its SOF says so, else the size asked for. */
export function streamFrame(jpeg: Buffer, at: number, s: Pick<CaptureSettings, "width" | "height">): Snapshot {
  const size = jpegSize(jpeg) ?? { width: s.width, height: s.height };
  return { jpeg, width: size.width, height: size.height, at };
}

export interface RecordMp4Options {
  queue: CaptureQueue;
  clock: Clock;
  settings: CaptureSettings;
  seconds: number;
  clipOptions: ClipOptions;
  /** Prefix of the temp directory (e.g. "seroma-rpicam-"). */
  tempPrefix: string;
  /** What went wrong when no MP4 came out (the byte count is appended). */
  failure: string;
  /** Runs the program that writes the MP4 to `out` within `timeoutMs`. */
  record(out: string, timeoutMs: number, signal: AbortSignal): Promise<unknown>;
}

/** One clip, in the camera's queue: validated length, progress while recording, the MP4 read back and checked. */
export function recordMp4Clip(o: RecordMp4Options): Promise<Clip> {
  if (!validClipSeconds(o.seconds)) {
    return Promise.reject(new CameraError("failed", `a clip must be 1..60 seconds long, got ${o.seconds}`));
  }
  return o.queue.run((signal) =>
    withTempDir(o.tempPrefix, async (dir) => {
      const out = join(dir, "clip.mp4");
      const at = o.clock.now().getTime();
      const stopProgress = reportWhileRecording(o.clipOptions.onProgress, o.seconds * 1000);
      try {
        await o.record(out, o.seconds * 1000 + o.settings.timeoutMs, signal);
      } finally {
        stopProgress();
      }
      return readMp4Clip(out, o.failure, { ...o.settings, seconds: o.seconds, at });
    }),
  );
}
