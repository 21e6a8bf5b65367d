/**
 * The USB webcam driver: a V4L2 device (/dev/video0) read through ffmpeg.
 *
 *   snapshot: ffmpeg -hide_banner -loglevel error -f v4l2 -video_size WxH -i /dev/videoN
 *                    -frames:v 1 -q:v Q -f image2 -c:v mjpeg pipe:1      (JPEG on stdout)
 *   clip:     ffmpeg ... -f v4l2 -video_size WxH -framerate F -i /dev/videoN -t <seconds>
 *                    -c:v libx264 -preset veryfast -pix_fmt yuv420p -movflags +faststart -an
 *                    <temp file>.mp4
 *   live:     ffmpeg ... -f v4l2 -framerate FPS -video_size WxH -i /dev/videoN -an -f mjpeg
 *                    -q:v Q -flush_packets 1 pipe:1      (JPEGs back to back on stdout,
 *                    split by mjpeg.ts; with inputFormat "mjpeg" the camera's own JPEGs
 *                    are passed through: -c:v copy, no re-encoding)
 *
 * `input` replaces the "-f v4l2 ... -i device" part (tests use ffmpeg's lavfi test source).
 * A webcam may deliver another size than the one asked for: snapshots and clips report
 * the size found in the output. Same contract as the Raspberry Pi driver: one capture at a
 * time, a time limit after which ffmpeg is killed ("timeout"), close() stops a capture.
 */
import { constants, readFileSync } from "node:fs";
import { access, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import {
  type Camera,
  CameraError,
  type Clip,
  type ClipOptions,
  type Snapshot,
  type StreamOptions,
} from "../../core/camera/camera.ts";
import { type Clock, systemClock } from "../../core/clock.ts";
import { createCaptureQueue } from "./capture-queue.ts";
import { FFMPEG_INSTALL_HINT, H264_MP4_ARGS, mjpegQscale } from "./ffmpeg.ts";
import { findProgram, lastUsefulLine, programEnv, runProgram, streamProgram } from "./process.ts";
import { recordMp4Clip, snapshotFromJpeg, streamFrame, streamSettings } from "./recording.ts";
import { type CaptureSettings, captureSettings } from "./settings.ts";

export interface V4l2Options {
  /** The video device (default /dev/video0). */
  device?: string;
  /** ffmpeg to run: a path, or a name looked up on PATH (default "ffmpeg"). */
  ffmpegPath?: string;
  /** ffmpeg input arguments instead of the device, e.g. ["-f", "lavfi", "-i", "testsrc2=size=640x360:rate=10"]. */
  input?: readonly string[];
  /** Ask the webcam for this format (ffmpeg's -input_format, e.g. "mjpeg": less USB bandwidth at 1280x720). */
  inputFormat?: string;
  /** Frame size asked for (default 1280x720). */
  width?: number;
  height?: number;
  /** JPEG quality 1..100 (default 85), as ffmpeg's -q:v 31..2. */
  quality?: number;
  /** Frames per second of clips (default 25). */
  framerate?: number;
  /** Time limit of a snapshot (default 10000 ms); a clip gets seconds * 1000 + this. */
  timeoutMs?: number;
  /** Time of the pictures (default: the system clock). */
  clock?: Clock;
  /** Environment of ffmpeg (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** A directory put first on PATH. */
  binDir?: string;
}

export const V4L2_DEFAULTS = { device: "/dev/video0", ffmpegPath: "ffmpeg" } as const;

const VIDEO_GROUP_HINT = "add the user to the video group (`sudo usermod -aG video $USER`, then log in again)";

/** V4L2 nodes of the Raspberry Pi's own camera and codec hardware: not webcams. */
const PI_INTERNAL_NODE = /unicam|rp1-cfe|bcm2835-isp|bcm2835-codec|pispbe|rpivid/i;

interface InputSpec {
  device: string;
  input?: readonly string[];
  inputFormat?: string;
}

function inputArgs(s: CaptureSettings, spec: InputSpec, framerate: boolean): string[] {
  if (spec.input) return [...spec.input];
  return [
    "-f",
    "v4l2",
    ...(spec.inputFormat ? ["-input_format", spec.inputFormat] : []),
    "-video_size",
    `${s.width}x${s.height}`,
    ...(framerate ? ["-framerate", String(s.framerate)] : []),
    "-i",
    spec.device,
  ];
}

/** ffmpeg's arguments for one JPEG on stdout. */
export function v4l2SnapshotArgs(s: CaptureSettings, spec: InputSpec): string[] {
  return [
    "-hide_banner",
    "-loglevel",
    "error",
    ...inputArgs(s, spec, false),
    "-frames:v",
    "1",
    "-q:v",
    String(mjpegQscale(s.quality)),
    "-f",
    "image2",
    "-c:v",
    "mjpeg",
    "pipe:1",
  ];
}

/** ffmpeg's arguments for an H.264 MP4 of `seconds` written to `out`. */
export function v4l2ClipArgs(s: CaptureSettings, spec: InputSpec, seconds: number, out: string): string[] {
  return [
    "-hide_banner",
    "-loglevel",
    "error",
    ...inputArgs(s, spec, true),
    "-t",
    String(seconds),
    ...H264_MP4_ARGS,
    "-y",
    out,
  ];
}

/** ffmpeg's arguments for the live view: MJPEG on stdout at the settings' frame rate until killed. */
export function v4l2LiveArgs(s: CaptureSettings, spec: InputSpec): string[] {
  const copy = !spec.input && spec.inputFormat === "mjpeg";
  return [
    "-hide_banner",
    "-loglevel",
    "error",
    ...inputArgs(s, spec, true),
    "-an",
    "-f",
    "mjpeg",
    ...(copy ? ["-c:v", "copy"] : ["-q:v", String(mjpegQscale(s.quality))]),
    "-flush_packets",
    "1",
    "pipe:1",
  ];
}

function classifyFfmpegFailure(device: string) {
  return (stderr: string): CameraError | undefined => {
    const line = lastUsefulLine(stderr);
    if (stderr.includes(device) || /\/dev\/video/.test(stderr)) {
      if (/no such file or directory/i.test(stderr)) {
        return new CameraError("unavailable", `there is no ${device} (no USB webcam plugged in?): ${line}`);
      }
      if (/permission denied/i.test(stderr)) {
        return new CameraError("unavailable", `cannot open ${device}: permission denied; ${VIDEO_GROUP_HINT}`);
      }
      if (/inappropriate ioctl|not a video capture device/i.test(stderr)) {
        return new CameraError("unavailable", `${device} is not a video capture device: ${line}`);
      }
    }
    if (/device or resource busy/i.test(stderr)) {
      return new CameraError("failed", `${device} is busy (another program is using the webcam): ${line}`);
    }
    return undefined;
  };
}

export interface V4l2Camera extends Camera {
  /** The live stream (this driver always has one). */
  stream(opts: StreamOptions): Promise<void>;
  readonly driver: "v4l2";
  readonly device: string;
}

/** Creates the driver; runs nothing until the first capture. Throws RangeError on bad options. */
export function createV4l2Camera(opts: V4l2Options = {}): V4l2Camera {
  const settings = captureSettings(opts);
  const device = opts.device ?? V4L2_DEFAULTS.device;
  const spec: InputSpec = {
    device,
    ...(opts.input ? { input: opts.input } : {}),
    ...(opts.inputFormat ? { inputFormat: opts.inputFormat } : {}),
  };
  const ffmpeg = opts.ffmpegPath ?? V4L2_DEFAULTS.ffmpegPath;
  const clock = opts.clock ?? systemClock;
  const env = programEnv(opts.env, opts.binDir);
  const queue = createCaptureQueue("v4l2 camera");
  const source = opts.input ? "the ffmpeg input" : device;
  const run = (args: string[], timeoutMs: number, signal: AbortSignal) =>
    runProgram({
      command: ffmpeg,
      name: "ffmpeg",
      args,
      env,
      timeoutMs,
      signal,
      installHint: FFMPEG_INSTALL_HINT,
      classify: classifyFfmpegFailure(device),
    });

  return {
    driver: "v4l2",
    device,
    width: settings.width,
    height: settings.height,
    snapshot(): Promise<Snapshot> {
      return queue.run(async (signal) => {
        const { stdout } = await run(v4l2SnapshotArgs(settings, spec), settings.timeoutMs, signal);
        return snapshotFromJpeg(
          stdout,
          clock.now().getTime(),
          settings,
          `ffmpeg produced no complete JPEG from ${source}`,
        );
      });
    },
    clip(seconds: number, clipOpts: ClipOptions = {}): Promise<Clip> {
      return recordMp4Clip({
        queue,
        clock,
        settings,
        seconds,
        clipOptions: clipOpts,
        tempPrefix: "seroma-v4l2-",
        failure: `ffmpeg wrote no MP4 from ${source}`,
        record: (out, timeoutMs, signal) => run(v4l2ClipArgs(settings, spec, seconds, out), timeoutMs, signal),
      });
    },
    stream(o: StreamOptions): Promise<void> {
      return queue.run(async (closeSignal) => {
        const live = streamSettings(settings, o);
        await streamProgram({
          command: ffmpeg,
          name: "ffmpeg",
          args: v4l2LiveArgs(live, spec),
          env,
          signal: o.signal,
          closeSignal,
          stallMs: settings.timeoutMs,
          installHint: FFMPEG_INSTALL_HINT,
          classify: classifyFfmpegFailure(device),
          onJpeg: (jpeg) => o.onFrame(streamFrame(jpeg, clock.now().getTime(), live)),
        });
      });
    },
    close: () => queue.close(),
  };
}

export interface V4l2ProbeOptions {
  device?: string;
  ffmpegPath?: string;
  env?: NodeJS.ProcessEnv;
  binDir?: string;
  /** Root of the sysfs tree the device's name is read from (default "/"; `npm run doctor` passes its root). */
  sysfsRoot?: string;
}

export interface V4l2Probe {
  available: boolean;
  /** Why not (available false). */
  reason?: string;
  /** Where ffmpeg was found. */
  ffmpegPath?: string;
  device: string;
  /** The device's name from sysfs (e.g. "HD Pro Webcam C920"), when there is one. */
  name?: string;
}

/** The name the kernel gives a video device (/sys/class/video4linux/videoN/name), if any. */
function deviceName(device: string, sysfsRoot = "/"): string | undefined {
  try {
    return readFileSync(join(sysfsRoot, "sys/class/video4linux", basename(device), "name"), "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Whether ffmpeg is installed and the device exists and can be opened by this user. Never rejects. */
export async function probeV4l2(opts: V4l2ProbeOptions = {}): Promise<V4l2Probe> {
  const device = opts.device ?? V4L2_DEFAULTS.device;
  const env = programEnv(opts.env, opts.binDir);
  const wanted = opts.ffmpegPath ?? V4L2_DEFAULTS.ffmpegPath;
  let ffmpegPath: string | undefined;
  if (wanted.includes("/")) {
    ffmpegPath = await access(wanted, constants.X_OK).then(
      () => wanted,
      () => undefined,
    );
  } else {
    ffmpegPath = findProgram(wanted, env);
  }
  if (!ffmpegPath)
    return {
      available: false,
      device,
      reason: `ffmpeg is not installed (${wanted} not found). ${FFMPEG_INSTALL_HINT}`,
    };

  const found = { device, ffmpegPath };
  try {
    await stat(device);
  } catch {
    return { available: false, ...found, reason: `there is no ${device} (no USB webcam plugged in?)` };
  }
  const name = deviceName(device, opts.sysfsRoot);
  const named = name ? { ...found, name } : found;
  if (name && PI_INTERNAL_NODE.test(name)) {
    return {
      available: false,
      ...named,
      reason: `${device} is "${name}", the Raspberry Pi's own camera hardware, not a webcam (use the rpicam driver)`,
    };
  }
  try {
    await access(device, constants.R_OK | constants.W_OK);
  } catch {
    return { available: false, ...named, reason: `cannot open ${device}: permission denied; ${VIDEO_GROUP_HINT}` };
  }
  return { available: true, ...named };
}
