/**
 * A simulated camera for development, tests and a Pi without a camera. It honours the
 * drivers' contract: one capture at a time, close() stops a running capture ("closed"),
 * every failure is a CameraError with the drivers' codes, and faults on demand:
 *   fail(code, times)  the next captures reject with `code`;
 *   hang(times)        the next captures produce nothing and reject with "timeout" after
 *                      timeoutMs of real time (as a driver whose program never finishes);
 *   unplug() / plug()  "unavailable" until plugged back in.
 *
 * The picture is the server room of scene.ts, drawn with sharp: racks with blinking LEDs
 * (always; a few dozen pixels, not motion), the door, a timestamp from the clock, and a
 * person crossing the room after personEnters() (position from the clock, so a test moves
 * them by moving its clock).
 *
 * Clips: frames at `clipFps` over `seconds` of simulated time (frame i at at + i/fps), then
 *   ffmpeg found -> the JPEG frames are piped to ffmpeg -> H.264 MP4 at the frame size;
 *   no ffmpeg    -> an animated GIF made by sharp, at most 400 px wide and 4 fps (GIF
 *                   encoding is slow: this keeps a 10 s clip around a second or two).
 * `realTime: true` spreads the frames over `seconds` of wall time, as a real camera would
 * take; the default renders them as fast as it can.
 *
 * Live stream (stream()): frames drawn at the asked rate in wall time (each at the clock's
 * time, so the LEDs blink and the timestamp runs between frames), until the signal aborts.
 * Starting a stream is a capture (faults apply as to the others); a fault set while it runs
 * ends it at the next frame: fail() rejects with its code, hang() stops the frames and
 * rejects with "timeout" after timeoutMs, unplug() rejects with "unavailable".
 */
import { setTimeout as delay } from "node:timers/promises";
import sharp from "sharp";
import {
  type Camera,
  CameraError,
  type CameraErrorCode,
  type Clip,
  type ClipOptions,
  type Snapshot,
  type StreamOptions,
} from "../../core/camera/camera.ts";
import { type Clock, systemClock } from "../../core/clock.ts";
import { createCaptureQueue } from "./capture-queue.ts";
import { encodeJpegsToMp4, findFfmpeg } from "./ffmpeg.ts";
import { steppedProgress } from "./progress.ts";
import { streamSettings } from "./recording.ts";
import { createRoomScene, type PersonPose } from "./scene.ts";
import { captureSettings, validClipSeconds } from "./settings.ts";

export interface SimulatedCameraOptions {
  /** Snapshot size (default 1280x720); MP4 clips use it too (rounded down to even numbers). */
  width?: number;
  height?: number;
  /** JPEG quality 1..100 (default 85). */
  quality?: number;
  /** Time of the pictures, of the timestamp and of the person's walk (default: the system clock). */
  clock?: Clock;
  /** Rack layout and LED timing (default 1). */
  seed?: number;
  /** How long a hanging capture takes to fail with "timeout" (default 10000 ms, real time). */
  timeoutMs?: number;
  /** ffmpeg for MP4 clips: a path, null to act as if it were missing (GIF clips), or undefined to look on PATH. */
  ffmpegPath?: string | null;
  /** Frames per second of clips (default 5; GIF clips use at most 4). */
  clipFps?: number;
  /** clip(seconds) takes `seconds` of wall time (default false: as fast as possible). */
  realTime?: boolean;
  /** Time zone of the timestamp (default: the process's). */
  timeZone?: string;
}

export interface SimulatedCamera extends Camera {
  /** The live stream (this driver always has one). */
  stream(opts: StreamOptions): Promise<void>;
  readonly driver: "sim";
  /** Captures attempted so far (snapshots and clips, failed ones included; not those rejected as closed). */
  readonly captures: number;
  /** Live streams started so far (each also counts as a capture). */
  readonly streams: number;
  /** Whether a live stream is running now. */
  readonly streaming: boolean;
  /** Whether a person is in the picture now (by the clock). */
  readonly personInView: boolean;
  /** A person comes in through the door now and crosses the room in `durationMs` (default 6000), then is gone. */
  personEnters(durationMs?: number): void;
  /** The next `times` captures (default 1; Infinity: until repair()) reject with `code` (default "failed"). */
  fail(code?: CameraErrorCode, times?: number): void;
  /** The next `times` captures (default 1) never produce output: they reject with "timeout" after timeoutMs. */
  hang(times?: number): void;
  /** Cancels pending fail() and hang() faults. */
  repair(): void;
  /** Captures reject with "unavailable" until plug(). */
  unplug(): void;
  plug(): void;
}

export const SIM_CAMERA_DEFAULTS = {
  width: 1280,
  height: 720,
  quality: 85,
  timeoutMs: 10_000,
  clipFps: 5,
  personMs: 6000,
  gifMaxWidth: 400,
  gifMaxFps: 4,
} as const;

const FAULT_MESSAGES: Record<CameraErrorCode, string> = {
  unavailable: "sim: the camera is unavailable (fault injected)",
  timeout: "sim: the capture timed out (fault injected)",
  failed: "sim: the capture failed (fault injected)",
  closed: "sim: the camera was closed (fault injected)",
};

type Fault = { kind: "fail"; code: CameraErrorCode; remaining: number } | { kind: "hang"; remaining: number };

interface FrameRenderer {
  jpeg(at: number, pose: PersonPose | undefined, quality: number): Promise<Buffer>;
  raw(at: number, pose: PersonPose | undefined): Promise<Buffer>;
}

/** Waits `ms` of real time; rejects with "closed" when `signal` aborts first. */
async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return;
  try {
    await delay(ms, undefined, { signal });
  } catch {
    throw new CameraError("closed", "sim: the camera was closed during the capture");
  }
}

export function createSimulatedCamera(opts: SimulatedCameraOptions = {}): SimulatedCamera {
  const { width, height, quality, timeoutMs } = captureSettings({
    width: opts.width ?? SIM_CAMERA_DEFAULTS.width,
    height: opts.height ?? SIM_CAMERA_DEFAULTS.height,
    quality: opts.quality ?? SIM_CAMERA_DEFAULTS.quality,
    timeoutMs: opts.timeoutMs ?? SIM_CAMERA_DEFAULTS.timeoutMs,
  });
  const clipFps = opts.clipFps ?? SIM_CAMERA_DEFAULTS.clipFps;
  if (!(clipFps > 0 && clipFps <= 60)) throw new RangeError(`clipFps must be > 0 and <= 60, got ${clipFps}`);
  const clock = opts.clock ?? systemClock;
  const seed = opts.seed ?? 1;
  const realTime = opts.realTime ?? false;

  const queue = createCaptureQueue("sim camera");
  const renderers = new Map<string, FrameRenderer>();
  let captures = 0;
  let streams = 0;
  let streaming = false;
  let unplugged = false;
  let fault: Fault | undefined;
  let person: { enteredAt: number; durationMs: number } | undefined;
  /** undefined: not looked up yet; null: none. */
  let ffmpeg: string | null | undefined = opts.ffmpegPath;

  function renderer(w: number, h: number): FrameRenderer {
    const key = `${w}x${h}`;
    const existing = renderers.get(key);
    if (existing) return existing;
    const scene = createRoomScene({
      width: w,
      height: h,
      seed,
      ...(opts.timeZone ? { timeZone: opts.timeZone } : {}),
    });
    let background: Promise<Buffer> | undefined;
    const frame = async (at: number, pose: PersonPose | undefined) => {
      background ??= sharp(Buffer.from(scene.background())).removeAlpha().raw().toBuffer();
      const bg = await background;
      return sharp(bg, { raw: { width: w, height: h, channels: 3 } }).composite(
        scene.overlay(at, pose).map((p) => ({ input: Buffer.from(p.svg), left: p.left, top: p.top })),
      );
    };
    const created: FrameRenderer = {
      jpeg: async (at, pose, q) => (await frame(at, pose)).jpeg({ quality: q }).toBuffer(),
      raw: async (at, pose) => (await frame(at, pose)).removeAlpha().raw().toBuffer(),
    };
    renderers.set(key, created);
    return created;
  }

  function poseAt(at: number): PersonPose | undefined {
    if (!person) return undefined;
    const elapsedMs = at - person.enteredAt;
    if (elapsedMs < 0 || elapsedMs >= person.durationMs) return undefined;
    return { progress: elapsedMs / person.durationMs, elapsedMs };
  }

  /** The start of every capture: counts it and applies unplug/fail/hang. */
  async function begin(signal: AbortSignal, limitMs: number): Promise<void> {
    captures++;
    if (unplugged) throw new CameraError("unavailable", "sim: the camera is unplugged");
    if (!fault) return;
    const current = fault;
    current.remaining--;
    if (current.remaining <= 0) fault = undefined;
    if (current.kind === "fail") throw new CameraError(current.code, FAULT_MESSAGES[current.code]);
    await sleep(limitMs, signal);
    throw new CameraError("timeout", `sim: the capture produced nothing within ${limitMs} ms (fault injected)`);
  }

  /** A fault set while a stream runs: applied at its next frame. */
  async function duringStream(signal: AbortSignal): Promise<void> {
    if (unplugged) throw new CameraError("unavailable", "sim: the camera was unplugged");
    if (!fault) return;
    const current = fault;
    current.remaining--;
    if (current.remaining <= 0) fault = undefined;
    if (current.kind === "fail") throw new CameraError(current.code, FAULT_MESSAGES[current.code]);
    await sleep(timeoutMs, signal);
    throw new CameraError("timeout", `sim: the stream sent no frame for ${timeoutMs} ms (fault injected)`);
  }

  async function gifClip(at: number, seconds: number, signal: AbortSignal, report: (f: number) => void) {
    const gw = Math.min(width, SIM_CAMERA_DEFAULTS.gifMaxWidth);
    const gh = Math.max(16, Math.round((height * gw) / width));
    const fps = Math.min(clipFps, SIM_CAMERA_DEFAULTS.gifMaxFps);
    const count = Math.max(1, Math.round(seconds * fps));
    const draw = renderer(gw, gh);
    const started = Date.now();
    const frames: Buffer[] = [];
    for (let i = 0; i < count; i++) {
      if (realTime) await sleep(started + (i * 1000) / fps - Date.now(), signal);
      if (signal.aborted) throw new CameraError("closed", "sim: the camera was closed during the capture");
      const t = at + (i * 1000) / fps;
      frames.push(await draw.raw(t, poseAt(t)));
      report(i / count);
    }
    if (realTime) await sleep(started + seconds * 1000 - Date.now(), signal);
    report(1);
    const bytes = await sharp(Buffer.concat(frames), {
      raw: { width: gw, height: gh * count, channels: 3, pageHeight: gh },
    })
      .gif({ delay: new Array<number>(count).fill(Math.round(1000 / fps)), loop: 0, effort: 1, dither: 0 })
      .toBuffer();
    if (signal.aborted) throw new CameraError("closed", "sim: the camera was closed during the capture");
    const clip: Clip = { bytes, format: "gif", mime: "image/gif", width: gw, height: gh, seconds: count / fps, at };
    return clip;
  }

  async function mp4Clip(
    ffmpegPath: string,
    at: number,
    seconds: number,
    signal: AbortSignal,
    report: (f: number) => void,
  ): Promise<Clip> {
    const mw = width - (width % 2);
    const mh = height - (height % 2);
    const count = Math.max(1, Math.round(seconds * clipFps));
    const draw = renderer(mw, mh);
    async function* frames(): AsyncGenerator<Buffer> {
      const started = Date.now();
      for (let i = 0; i < count; i++) {
        if (realTime) await sleep(started + (i * 1000) / clipFps - Date.now(), signal);
        const t = at + (i * 1000) / clipFps;
        yield await draw.jpeg(t, poseAt(t), quality);
        report(i / count);
      }
      if (realTime) await sleep(started + seconds * 1000 - Date.now(), signal);
      report(1);
    }
    const bytes = await encodeJpegsToMp4({
      ffmpegPath,
      frames: frames(),
      fps: clipFps,
      timeoutMs: timeoutMs + seconds * 1000,
      signal,
    });
    return { bytes, format: "mp4", mime: "video/mp4", width: mw, height: mh, seconds: count / clipFps, at };
  }

  return {
    driver: "sim",
    width,
    height,
    get captures() {
      return captures;
    },
    get streams() {
      return streams;
    },
    get streaming() {
      return streaming;
    },
    get personInView() {
      return poseAt(clock.now().getTime()) !== undefined;
    },
    snapshot(): Promise<Snapshot> {
      return queue.run(async (signal) => {
        await begin(signal, timeoutMs);
        const at = clock.now().getTime();
        const jpeg = await renderer(width, height).jpeg(at, poseAt(at), quality);
        return { jpeg, width, height, at };
      });
    },
    clip(seconds: number, clipOpts: ClipOptions = {}): Promise<Clip> {
      if (!validClipSeconds(seconds)) {
        return Promise.reject(new CameraError("failed", `sim: a clip must be 1..60 seconds long, got ${seconds}`));
      }
      return queue.run(async (signal) => {
        await begin(signal, timeoutMs + (realTime ? seconds * 1000 : 0));
        const at = clock.now().getTime();
        const report = steppedProgress(clipOpts.onProgress);
        report(0);
        if (ffmpeg === undefined) ffmpeg = findFfmpeg() ?? null;
        if (ffmpeg !== null) {
          try {
            return await mp4Clip(ffmpeg, at, seconds, signal, report);
          } catch (e) {
            // ffmpeg vanished (or the given path is wrong): GIF from now on
            if (!(e instanceof CameraError && e.code === "unavailable")) throw e;
            ffmpeg = null;
          }
        }
        return gifClip(at, seconds, signal, report);
      });
    },
    stream(o: StreamOptions): Promise<void> {
      return queue.run(async (closeSignal) => {
        const live = streamSettings({ width, height, quality, framerate: clipFps, timeoutMs }, o);
        streams++;
        // one signal for both: the caller's stop (resolve) and close() (reject "closed")
        const stop = AbortSignal.any([o.signal, closeSignal]);
        try {
          await begin(stop, timeoutMs);
        } catch (e) {
          if (o.signal.aborted && !closeSignal.aborted) return;
          throw e;
        }
        if (o.signal.aborted) return;
        streaming = true;
        try {
          const draw = renderer(live.width, live.height);
          const intervalMs = 1000 / o.fps;
          let due = performance.now();
          while (!stop.aborted) {
            try {
              await duringStream(stop);
            } catch (e) {
              if (stop.aborted) break;
              throw e;
            }
            const at = clock.now().getTime();
            const jpeg = await draw.jpeg(at, poseAt(at), quality);
            if (stop.aborted) break;
            o.onFrame({ jpeg, width: live.width, height: live.height, at });
            due += intervalMs;
            const now = performance.now();
            if (due < now - intervalMs) due = now; // fell behind (a slow machine): no burst to catch up
            try {
              await delay(Math.max(0, due - now), undefined, { signal: stop });
            } catch {
              break;
            }
          }
        } finally {
          streaming = false;
        }
        if (closeSignal.aborted) throw new CameraError("closed", "sim: the camera was closed during the stream");
      });
    },
    close: () => queue.close(),
    personEnters(durationMs = SIM_CAMERA_DEFAULTS.personMs) {
      if (!(durationMs > 0)) throw new RangeError(`durationMs must be > 0, got ${durationMs}`);
      person = { enteredAt: clock.now().getTime(), durationMs };
    },
    fail(code = "failed", times = 1) {
      if (!(times > 0)) throw new RangeError(`times must be > 0 (or Infinity), got ${times}`);
      fault = { kind: "fail", code, remaining: times };
    },
    hang(times = 1) {
      if (!(times > 0)) throw new RangeError(`times must be > 0 (or Infinity), got ${times}`);
      fault = { kind: "hang", remaining: times };
    },
    repair() {
      fault = undefined;
    },
    unplug() {
      unplugged = true;
    },
    plug() {
      unplugged = false;
    },
  };
}
