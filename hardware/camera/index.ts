/**
 * Camera drivers by name, and the choice main.ts makes from HARDWARE.
 *
 *   selectCamera({ mode, ...opts }) -> Promise<{ camera, reason? }>
 *     sim  -> the simulated camera.
 *     real -> the Raspberry Pi camera (rpicam-still --list-cameras lists one), else a USB
 *             webcam (ffmpeg installed, /dev/video0 there and openable); neither -> rejects
 *             with CameraError "unavailable" saying why for both, so start-up stops.
 *     auto -> the same order; neither -> the simulator, with `reason` saying why.
 *   createCamera(name, opts) -> a driver by name ("rpicam" | "v4l2" | "sim"); runs nothing.
 *   probeRpicam(opts), probeV4l2(opts) -> whether that camera can be used, and why not.
 *   findFfmpeg() -> ffmpeg's path on PATH, or undefined (clip encoding elsewhere needs it).
 */

import type { Camera } from "../../core/camera/camera.ts";
import { CameraError } from "../../core/camera/camera.ts";
import type { Clock } from "../../core/clock.ts";
import { createByName, type HardwareMode, pickDevice } from "../select.ts";
import { createRpicamCamera, probeRpicam, type RpicamOptions } from "./rpicam.ts";
import { createSimulatedCamera, type SimulatedCameraOptions } from "./simulator.ts";
import { createV4l2Camera, probeV4l2, type V4l2Options } from "./v4l2.ts";

export {
  type Camera,
  CameraError,
  type CameraErrorCode,
  type Clip,
  type ClipOptions,
  type Snapshot,
  type StreamOptions,
} from "../../core/camera/camera.ts";
export { type CaptureQueue, createCaptureQueue } from "./capture-queue.ts";
export { encodeJpegsToMp4, FFMPEG_INSTALL_HINT, findFfmpeg, H264_MP4_ARGS, mjpegQscale } from "./ffmpeg.ts";
export { isGif, isJpeg, isMp4, jpegSize, type Mp4Info, mp4Info } from "./media.ts";
export { createMjpegSplitter, MJPEG_MAX_FRAME_BYTES, type MjpegSplitter } from "./mjpeg.ts";
export {
  findProgram,
  lastUsefulLine,
  type RunProgramOptions,
  runProgram,
  type StreamProgramOptions,
  streamProgram,
  withTempDir,
} from "./process.ts";
export { reportWhileRecording, steppedProgress } from "./progress.ts";
export {
  createRpicamCamera,
  probeRpicam,
  RPICAM_DEFAULTS,
  RPICAM_INSTALL_HINT,
  type RpicamCamera,
  type RpicamCommandPrefix,
  type RpicamOptions,
  type RpicamProbe,
  type RpicamProbeOptions,
  rpicamLiveArgs,
  rpicamStillArgs,
  rpicamVidArgs,
} from "./rpicam.ts";
export { createRoomScene, type OverlayPiece, type PersonPose, type RoomScene } from "./scene.ts";
export { CAPTURE_DEFAULTS, type CaptureSettings, MAX_CLIP_SECONDS, MIN_CLIP_SECONDS } from "./settings.ts";
export {
  createSimulatedCamera,
  SIM_CAMERA_DEFAULTS,
  type SimulatedCamera,
  type SimulatedCameraOptions,
} from "./simulator.ts";
export {
  createV4l2Camera,
  probeV4l2,
  V4L2_DEFAULTS,
  type V4l2Camera,
  type V4l2Options,
  type V4l2Probe,
  type V4l2ProbeOptions,
  v4l2ClipArgs,
  v4l2LiveArgs,
  v4l2SnapshotArgs,
} from "./v4l2.ts";

/** Settings every driver takes. */
interface CommonCameraOptions {
  /** Frame size (default 1280x720). */
  width?: number;
  height?: number;
  /** JPEG quality 1..100 (default 85). */
  quality?: number;
  /** Time limit of a snapshot (default 10000 ms); clips get their length on top. */
  timeoutMs?: number;
  /** Time of the pictures. */
  clock?: Clock;
}

type Common = keyof CommonCameraOptions;

export interface CameraOptions extends CommonCameraOptions {
  /** The USB webcam's device (default /dev/video0); short for v4l2.device. */
  device?: string;
  /** The simulator records clips in wall time (default false); short for sim.realTime. */
  realTime?: boolean;
  /** Further options for the Raspberry Pi camera driver. */
  rpicam?: Omit<RpicamOptions, Common>;
  /** Further options for the USB webcam driver. */
  v4l2?: Omit<V4l2Options, Common>;
  /** Further options for the simulator. */
  sim?: Omit<SimulatedCameraOptions, Common>;
}

function common(o: CameraOptions): CommonCameraOptions {
  return {
    ...(o.width !== undefined ? { width: o.width } : {}),
    ...(o.height !== undefined ? { height: o.height } : {}),
    ...(o.quality !== undefined ? { quality: o.quality } : {}),
    ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
    ...(o.clock ? { clock: o.clock } : {}),
  };
}

const drivers = {
  rpicam: (o: CameraOptions): Camera => createRpicamCamera({ ...o.rpicam, ...common(o) }),
  v4l2: (o: CameraOptions): Camera =>
    createV4l2Camera({ ...o.v4l2, ...(o.device ? { device: o.device } : {}), ...common(o) }),
  sim: (o: CameraOptions): Camera =>
    createSimulatedCamera({ ...o.sim, ...(o.realTime !== undefined ? { realTime: o.realTime } : {}), ...common(o) }),
} as const satisfies Record<string, (o: CameraOptions) => Camera>;

export type CameraDriverName = keyof typeof drivers;
export const CAMERA_DRIVERS = Object.keys(drivers) as CameraDriverName[];

/** Creates the camera driver called `name` ("rpicam", "v4l2" or "sim"); runs nothing. */
export function createCamera(name: string, opts: CameraOptions = {}): Camera {
  return createByName("camera", drivers, name, opts);
}

export type { HardwareMode } from "../select.ts";

export interface SelectCameraOptions extends CameraOptions {
  mode: HardwareMode;
  /** Time limit of each probe (default 5000 ms). */
  probeTimeoutMs?: number;
}

export interface SelectedCamera {
  camera: Camera;
  /** Why this driver was chosen; for the start-up log. */
  reason?: string;
}

/** Picks the camera for HARDWARE=auto|real|sim (see the top of this file). */
export async function selectCamera(opts: SelectCameraOptions): Promise<SelectedCamera> {
  const { mode, probeTimeoutMs, ...factoryOpts } = opts;
  const r = factoryOpts.rpicam ?? {};
  let noRpicam: string | undefined;
  const { device, reason } = await pickDevice<Camera>({
    mode,
    device: "camera",
    check() {
      createCamera("rpicam", factoryOpts);
      createCamera("v4l2", factoryOpts);
    },
    candidates: [
      async () => {
        const rpicam = await probeRpicam({
          ...(r.commandPrefix ? { commandPrefix: r.commandPrefix } : {}),
          ...(r.env ? { env: r.env } : {}),
          ...(r.binDir ? { binDir: r.binDir } : {}),
          ...(probeTimeoutMs !== undefined ? { timeoutMs: probeTimeoutMs } : {}),
        });
        if (!rpicam.available) {
          noRpicam = rpicam.reason;
          return { skip: `Raspberry Pi camera: ${rpicam.reason}` };
        }
        const camera = createCamera("rpicam", {
          ...factoryOpts,
          rpicam: { ...r, ...(rpicam.commandPrefix ? { commandPrefix: rpicam.commandPrefix } : {}) },
        });
        return { use: camera, reason: `Raspberry Pi camera: ${rpicam.camera ?? "found"}` };
      },
      async () => {
        const v = factoryOpts.v4l2 ?? {};
        const device = factoryOpts.device ?? v.device;
        const v4l2 = await probeV4l2({
          ...(device ? { device } : {}),
          ...(v.ffmpegPath ? { ffmpegPath: v.ffmpegPath } : {}),
          ...(v.env ? { env: v.env } : {}),
          ...(v.binDir ? { binDir: v.binDir } : {}),
        });
        if (!v4l2.available) return { skip: `USB webcam: ${v4l2.reason}` };
        return {
          use: createCamera("v4l2", factoryOpts),
          reason: `USB webcam ${v4l2.device}${v4l2.name ? ` (${v4l2.name})` : ""}; no Raspberry Pi camera: ${noRpicam}`,
        };
      },
    ],
    simulator: () => createCamera("sim", factoryOpts),
    unavailable: (message) => new CameraError("unavailable", message),
    refusal: (why) => `HARDWARE=real, but no camera can be used. ${why}`,
    fallback: (why) => `HARDWARE=auto and no camera found, using the simulated camera. ${why}`,
  });
  return { camera: device, ...(reason !== undefined ? { reason } : {}) };
}
