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
import { lastUsefulLine, programEnv, runProgram, streamProgram } from "./process.ts";
import { recordMp4Clip, snapshotFromJpeg, streamFrame, streamSettings } from "./recording.ts";
import { type CaptureSettings, captureSettings } from "./settings.ts";

export type RpicamCommandPrefix = "rpicam" | "libcamera";

export interface RpicamOptions {
  /** "rpicam" (rpicam-still, rpicam-vid; default) or "libcamera" (libcamera-still, libcamera-vid: Bullseye). */
  commandPrefix?: RpicamCommandPrefix;
  /** Frame size (default 1280x720). */
  width?: number;
  height?: number;
  /** JPEG quality 1..100 (default 85). */
  quality?: number;
  /** Frames per second of clips (default 25). */
  framerate?: number;
  /** Time limit of a snapshot (default 10000 ms); a clip gets seconds * 1000 + this. */
  timeoutMs?: number;
  /** How long the camera runs before a still is taken, so exposure settles (default 500 ms; 0: --immediate). */
  settleMs?: number;
  /** Camera index for --camera (default: rpicam's own, 0). */
  camera?: number;
  /** More arguments for both programs, e.g. ["--rotation", "180"] or ["--hflip", "--vflip"]. */
  extraArgs?: readonly string[];
  /** Time of the pictures (default: the system clock). */
  clock?: Clock;
  /** Environment of the programs (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** A directory put first on PATH (tests put fake programs there). */
  binDir?: string;
}

export const RPICAM_DEFAULTS = { commandPrefix: "rpicam", settleMs: 500, probeTimeoutMs: 5000 } as const;

export const RPICAM_INSTALL_HINT =
  "Install it with `sudo apt install rpicam-apps` (Raspberry Pi OS Bookworm or later; on Bullseye " +
  "the same programs are called libcamera-still/libcamera-vid, and those are used when found).";

const NO_CAMERA_HINT =
  "Check the ribbon cable (contacts facing the right way, both ends locked), that " +
  "`camera_auto_detect=1` (or the sensor's dtoverlay) is in /boot/firmware/config.txt, and reboot.";

/** rpicam-still's arguments for one JPEG on stdout. */
export function rpicamStillArgs(s: CaptureSettings, settleMs: number, extra: RpicamExtra = {}): string[] {
  const timing = settleMs > 0 ? ["-t", String(Math.round(settleMs))] : ["--immediate", "-t", "1"];
  return [
    "-n",
    ...timing,
    ...cameraArgs(extra),
    "--width",
    String(s.width),
    "--height",
    String(s.height),
    "-q",
    String(s.quality),
    "-e",
    "jpg",
    ...(extra.extraArgs ?? []),
    "-o",
    "-",
  ];
}

/** rpicam-vid's arguments for an MP4 of `seconds` written to `out`. */
export function rpicamVidArgs(s: CaptureSettings, seconds: number, out: string, extra: RpicamExtra = {}): string[] {
  return [
    "-n",
    "-t",
    String(Math.round(seconds * 1000)),
    ...cameraArgs(extra),
    "--width",
    String(s.width),
    "--height",
    String(s.height),
    "--framerate",
    String(s.framerate),
    "--codec",
    "libav",
    "--libav-format",
    "mp4",
    ...(extra.extraArgs ?? []),
    "-o",
    out,
  ];
}

/**
 * rpicam-vid's arguments for the live view: MJPEG to stdout until killed (-t 0), at `fps`.
 * --flush writes each frame out at once (no stdio buffering between the camera and us).
 */
export function rpicamLiveArgs(
  s: Pick<CaptureSettings, "width" | "height" | "quality">,
  fps: number,
  extra: RpicamExtra = {},
): string[] {
  return [
    "-t",
    "0",
    "-n",
    ...cameraArgs(extra),
    "--codec",
    "mjpeg",
    "--framerate",
    String(fps),
    "--width",
    String(s.width),
    "--height",
    String(s.height),
    "-q",
    String(s.quality),
    "--flush",
    ...(extra.extraArgs ?? []),
    "-o",
    "-",
  ];
}

interface RpicamExtra {
  camera?: number;
  extraArgs?: readonly string[];
}

function cameraArgs(extra: RpicamExtra): string[] {
  return extra.camera === undefined ? [] : ["--camera", String(extra.camera)];
}

/** rpicam's way of saying that there is no camera, or that another program holds it. */
function classifyRpicamFailure(program: string) {
  return (stderr: string): CameraError | undefined => {
    if (/no cameras available/i.test(stderr)) {
      return new CameraError("unavailable", `${program} found no camera. ${NO_CAMERA_HINT}`);
    }
    if (/failed to acquire camera|device or resource busy/i.test(stderr)) {
      return new CameraError(
        "failed",
        `${program}: the camera is busy (another program is using it): ${lastUsefulLine(stderr)}`,
      );
    }
    return undefined;
  };
}

export interface RpicamCamera extends Camera {
  /** The live stream (this driver always has one). */
  stream(opts: StreamOptions): Promise<void>;
  readonly driver: "rpicam";
  readonly commandPrefix: RpicamCommandPrefix;
}

/** Creates the driver; runs nothing until the first capture. Throws RangeError on bad options. */
export function createRpicamCamera(opts: RpicamOptions = {}): RpicamCamera {
  const settings = captureSettings(opts);
  const prefix = opts.commandPrefix ?? RPICAM_DEFAULTS.commandPrefix;
  if (prefix !== "rpicam" && prefix !== "libcamera") {
    throw new RangeError(`commandPrefix must be "rpicam" or "libcamera", got ${JSON.stringify(prefix)}`);
  }
  const settleMs = opts.settleMs ?? RPICAM_DEFAULTS.settleMs;
  if (!(settleMs >= 0 && settleMs <= 60_000)) throw new RangeError(`settleMs must be 0..60000, got ${settleMs}`);
  if (opts.camera !== undefined && !(Number.isInteger(opts.camera) && opts.camera >= 0)) {
    throw new RangeError(`camera must be a whole number >= 0, got ${opts.camera}`);
  }
  const extra: RpicamExtra = {
    ...(opts.camera !== undefined ? { camera: opts.camera } : {}),
    ...(opts.extraArgs ? { extraArgs: opts.extraArgs } : {}),
  };
  const clock = opts.clock ?? systemClock;
  const env = programEnv(opts.env, opts.binDir);
  const still = `${prefix}-still`;
  const vid = `${prefix}-vid`;
  const queue = createCaptureQueue(`${prefix} camera`);

  return {
    driver: "rpicam",
    commandPrefix: prefix,
    width: settings.width,
    height: settings.height,
    snapshot(): Promise<Snapshot> {
      return queue.run(async (signal) => {
        const { stdout } = await runProgram({
          command: still,
          args: rpicamStillArgs(settings, settleMs, extra),
          env,
          timeoutMs: settings.timeoutMs,
          signal,
          installHint: RPICAM_INSTALL_HINT,
          classify: classifyRpicamFailure(still),
        });
        return snapshotFromJpeg(stdout, clock.now().getTime(), settings, `${still} did not produce a complete JPEG`);
      });
    },
    clip(seconds: number, clipOpts: ClipOptions = {}): Promise<Clip> {
      return recordMp4Clip({
        queue,
        clock,
        settings,
        seconds,
        clipOptions: clipOpts,
        tempPrefix: "seroma-rpicam-",
        failure: `${vid} did not write an MP4`,
        record: (out, timeoutMs, signal) =>
          runProgram({
            command: vid,
            args: rpicamVidArgs(settings, seconds, out, extra),
            env,
            timeoutMs,
            signal,
            installHint: RPICAM_INSTALL_HINT,
            classify: classifyRpicamFailure(vid),
          }),
      });
    },
    stream(o: StreamOptions): Promise<void> {
      return queue.run(async (closeSignal) => {
        const live = streamSettings(settings, o);
        await streamProgram({
          command: vid,
          args: rpicamLiveArgs(live, o.fps, extra),
          env,
          signal: o.signal,
          closeSignal,
          stallMs: settings.timeoutMs,
          installHint: RPICAM_INSTALL_HINT,
          classify: classifyRpicamFailure(vid),
          onJpeg: (jpeg) => o.onFrame(streamFrame(jpeg, clock.now().getTime(), live)),
        });
      });
    },
    close: () => queue.close(),
  };
}

export interface RpicamProbeOptions {
  /** Only try this one (default: rpicam, then libcamera). */
  commandPrefix?: RpicamCommandPrefix;
  env?: NodeJS.ProcessEnv;
  binDir?: string;
  /** Time limit of `--list-cameras` (default 5000 ms). */
  timeoutMs?: number;
}

export interface RpicamProbe {
  available: boolean;
  /** Why not (available false). */
  reason?: string;
  /** Which programs are installed (when one is). */
  commandPrefix?: RpicamCommandPrefix;
  /** The first camera's line from --list-cameras, e.g. "0 : imx708 [4608x2592 10-bit RGGB] (...)". */
  camera?: string;
}

/**
 * Runs `rpicam-still --list-cameras` (then `libcamera-still --list-cameras` when rpicam-still
 * is not installed) and says whether there is a camera to use. Never rejects.
 */
export async function probeRpicam(opts: RpicamProbeOptions = {}): Promise<RpicamProbe> {
  const prefixes: RpicamCommandPrefix[] = opts.commandPrefix ? [opts.commandPrefix] : ["rpicam", "libcamera"];
  const env = programEnv(opts.env, opts.binDir);
  const timeoutMs = opts.timeoutMs ?? RPICAM_DEFAULTS.probeTimeoutMs;
  for (const prefix of prefixes) {
    const program = `${prefix}-still`;
    let output: string;
    try {
      const result = await runProgram({ command: program, args: ["--list-cameras"], env, timeoutMs });
      output = `${result.stdout.toString("utf8")}\n${result.stderr}`;
    } catch (e) {
      const err = e instanceof CameraError ? e : new CameraError("failed", String(e));
      if (err.code === "unavailable") continue; // not installed: try the next name
      return { available: false, commandPrefix: prefix, reason: `\`${program} --list-cameras\`: ${err.message}` };
    }
    if (/no cameras available/i.test(output)) {
      return { available: false, commandPrefix: prefix, reason: `${program} found no camera. ${NO_CAMERA_HINT}` };
    }
    const camera = output
      .split("\n")
      .map((l) => l.trim())
      .find((l) => /^\d+\s*:\s*\S/.test(l));
    if (camera) return { available: true, commandPrefix: prefix, camera };
    return {
      available: false,
      commandPrefix: prefix,
      reason: `\`${program} --list-cameras\` listed no camera (${lastUsefulLine(output) || "no output"})`,
    };
  }
  const names = prefixes.map((p) => `${p}-still`).join(" nor ");
  return {
    available: false,
    reason: `${prefixes.length > 1 ? "neither " : ""}${names} is installed. ${RPICAM_INSTALL_HINT}`,
  };
}
