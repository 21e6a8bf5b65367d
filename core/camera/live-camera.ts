/**
 * The live camera: one capture shared by every viewer of the live view, and the camera
 * the rest of the console uses meanwhile.
 *
 *   join()        -> a viewer, or a refusal: "busy" at `maxViewers`, "unavailable" without a
 *                    camera that streams (or after close()).
 *   viewer.next() -> the next event for that viewer: a frame newer than the last it got, an
 *                    error (the capture failed; it is retried), or the end (it left, or the
 *                    live camera closed). Latest-frame semantics: a viewer holds at most one
 *                    frame it has not taken yet; a newer frame replaces it (the slow viewer
 *                    skips frames), so nothing queues up however slow a viewer is.
 *   viewer.leave()
 *
 * One capture (Camera.stream) runs while there are viewers: it starts with the first one
 * and stops `lingerMs` (2 s) after the last one has left, so a page reload does not restart
 * the camera. Frames are published at most `fps` per second whatever the camera delivers.
 * A capture that fails (or stops by itself) is retried with backoff (1 s, 2 s, 4 s ... 30 s)
 * while viewers wait; each of them gets an "error" event with the reason, and frames again
 * once a retry works.
 *
 * The shared camera (`live.camera`): a Camera to give the capture service, the motion
 * sensor and anything else that takes pictures, instead of the driver, so that the live view
 * and they never fight over the device (a Raspberry Pi camera cannot be opened twice):
 *   snapshot() -> the newest live frame when the live capture runs and its frame is fresh
 *                 (`freshMs`); while the capture is starting, the first frame it sends; else
 *                 (no viewers, or the capture between retries) the driver's own snapshot,
 *                 with the live capture held off until it is done.
 *   clip()     -> the live capture pauses (viewers keep their place and get no frames), the
 *                 driver records the clip as always (H.264 at the camera's own rate, which
 *                 the live view's low frame rate could not give), and the live capture
 *                 resumes when the clip is done. Stats say "paused" meanwhile.
 *   close()    -> closes the live camera, then the driver.
 */
import type { Clock } from "../clock.ts";
import type { Logger } from "../logger.ts";
import {
  type Camera,
  CameraError,
  type CameraErrorCode,
  type Clip,
  type ClipOptions,
  type Snapshot,
} from "./camera.ts";

/** A frame of the live view: the camera's Snapshot, numbered. */
export interface LiveFrame extends Snapshot {
  /** 1, 2, 3... over the live camera's life. */
  seq: number;
}

export type LiveEvent =
  | { type: "frame"; frame: LiveFrame }
  /** The capture failed; it is tried again in `retryInMs`. */
  | { type: "error"; code: CameraErrorCode; message: string; retryInMs: number }
  /** No more events: the viewer left, or the live camera was closed. */
  | { type: "end"; reason: "left" | "closed" };

export interface LiveViewer {
  readonly id: number;
  /** The next event (see LiveEvent). One call at a time: a second call while one waits gets the same promise. */
  next(): Promise<LiveEvent>;
  /** Leaves the live view (a waiting next() gets "end"). Safe to call twice. */
  leave(): void;
  readonly left: boolean;
  /** Frames replaced before this viewer took them (it was slower than the camera). */
  readonly skipped: number;
}

export type JoinResult =
  | { ok: true; viewer: LiveViewer }
  | { ok: false; reason: "busy" | "unavailable"; message: string };

export type LiveState =
  /** No viewers, no capture. */
  | "idle"
  /** The capture was started; no frame yet. */
  | "starting"
  /** Frames are coming. */
  | "live"
  /** The capture failed; waiting to try again. */
  | "retrying"
  /** A clip (or a snapshot between retries) has the camera; the capture resumes after it. */
  | "paused"
  | "closed";

export interface LiveStats {
  state: LiveState;
  viewers: number;
  maxViewers: number;
  /** The frame-rate cap. */
  fps: number;
  /** Frames per second published over the last few seconds (0 when none). */
  measuredFps: number;
  /** Whether the camera is capturing for the live view now. */
  capturing: boolean;
  /** Frames published so far. */
  frames: number;
  /** Frames the camera delivered faster than the cap (not published). */
  capped: number;
  /** Captures started so far (first start and retries). */
  captures: number;
  /** Snapshots served from a live frame instead of the camera. */
  sharedSnapshots: number;
  /** The last failure, while it is the latest news (cleared by the next frame). */
  lastError?: { code: CameraErrorCode; message: string; at: number };
}

export interface LiveCamera {
  readonly fps: number;
  readonly maxViewers: number;
  /** Whether the camera can stream at all. */
  readonly available: boolean;
  join(): JoinResult;
  stats(): LiveStats;
  /** The newest frame when the live capture runs and the frame is at most `maxAgeMs` old; else undefined. */
  latestFrame(maxAgeMs: number): LiveFrame | undefined;
  /** The camera everyone else takes pictures with (see the top of this file). */
  readonly camera: Camera;
  /** Ends every viewer ("closed") and stops the capture; the driver stays open (camera.close() closes both). Safe to call twice. */
  close(): Promise<void>;
}

export interface LiveCameraOptions {
  camera: Camera;
  /** Frame-rate cap, 1..30 (WEB_LIVE_FPS). */
  fps: number;
  /** Viewers at once, >= 1 (WEB_LIVE_MAX_VIEWERS). */
  maxViewers: number;
  logger: Logger;
  /** Time of log lines and errors (default: the system clock). */
  clock?: Clock;
  /** Frame size of the live view (default: the camera's). */
  width?: number;
  height?: number;
  /** The capture keeps running this long after the last viewer left (default 2000 ms). */
  lingerMs?: number;
  /** A snapshot uses the newest live frame when it is at most this old (default 1000 ms, at least 2 frame intervals). */
  freshMs?: number;
  /** A snapshot while the capture starts waits this long for its first frame (default 10000 ms). */
  snapshotWaitMs?: number;
  /** Backoff between failed captures: first wait, doubling up to max (default 1000 and 30000 ms). */
  retryMs?: { first: number; max: number };
  /** Monotonic milliseconds for the frame-rate cap and frame ages (default performance.now). */
  now?: () => number;
}

export const LIVE_DEFAULTS = {
  lingerMs: 2000,
  freshMs: 1000,
  snapshotWaitMs: 10_000,
  retryMs: { first: 1000, max: 30_000 },
} as const;

/** How far back the measured frame rate looks. */
const FPS_WINDOW_MS = 5000;

interface Session {
  abort: AbortController;
  frames: number;
  /** Snapshots waiting for this session's next frame (undefined: the session ended). */
  waiters: Set<(frame: LiveFrame | undefined) => void>;
}

interface Published extends LiveFrame {
  /** `now()` when it was published. */
  receivedAt: number;
}

interface ViewerEntry extends LiveViewer {
  offer(event: LiveEvent): void;
}

function asCameraError(e: unknown): CameraError {
  if (e instanceof CameraError) return e;
  return new CameraError("failed", `the live capture failed: ${e instanceof Error ? e.message : String(e)}`, {
    cause: e,
  });
}

export function createLiveCamera(opts: LiveCameraOptions): LiveCamera {
  const { camera } = opts;
  const fps = opts.fps;
  if (!(Number.isFinite(fps) && fps > 0 && fps <= 30)) throw new RangeError(`fps must be > 0 and <= 30, got ${fps}`);
  const maxViewers = opts.maxViewers;
  if (!(Number.isInteger(maxViewers) && maxViewers >= 1))
    throw new RangeError(`maxViewers must be a whole number >= 1, got ${maxViewers}`);
  const now = opts.now ?? (() => performance.now());
  const wallClock = () => (opts.clock ? opts.clock.now().getTime() : Date.now());
  const intervalMs = 1000 / fps;
  const lingerMs = opts.lingerMs ?? LIVE_DEFAULTS.lingerMs;
  const freshMs = Math.max(opts.freshMs ?? LIVE_DEFAULTS.freshMs, 2 * intervalMs);
  const snapshotWaitMs = opts.snapshotWaitMs ?? LIVE_DEFAULTS.snapshotWaitMs;
  const retry = opts.retryMs ?? LIVE_DEFAULTS.retryMs;
  const log = opts.logger.child({ component: "live-camera", driver: camera.driver });
  const stream = camera.stream?.bind(camera);

  const viewers = new Set<ViewerEntry>();
  let nextViewerId = 1;
  let closed = false;
  let lingerTimer: NodeJS.Timeout | undefined;
  let session: Session | undefined;
  let loopRunning: Promise<void> | undefined;
  /** Wakes the loop from whatever it waits for (it then looks at the state again). */
  let wake: (() => void) | undefined;
  /** Clips running (the capture pauses for them). */
  let pauses = 0;
  /** Captures of the driver's own running (snapshot, clip): the live capture waits for them. */
  let direct = 0;
  let retryAt = 0;
  let failures = 0;
  let state: LiveState = "idle";
  let latest: Published | undefined;
  let seq = 0;
  let nextDue = 0;
  let frames = 0;
  let capped = 0;
  let captures = 0;
  let sharedSnapshots = 0;
  let lastError: LiveStats["lastError"];
  const published: number[] = [];

  const wanted = () => !closed && (viewers.size > 0 || lingerTimer !== undefined);

  function poke(): void {
    const w = wake;
    wake = undefined;
    w?.();
  }

  /** Waits until poke() or `ms` (undefined: poke() only). */
  function pause(ms: number | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
      if (ms !== undefined) {
        timer = setTimeout(() => {
          wake = undefined;
          resolve();
        }, ms);
        timer.unref?.();
      }
    });
  }

  function publish(s: Session, shot: Snapshot): void {
    if (s !== session || s.abort.signal.aborted) return;
    const t = now();
    // the frame-rate cap: a grid of `intervalMs`; up to half an interval early is allowed (a camera
    // paced at the same rate jitters around the grid), never more than `fps` in the long run
    if (t < nextDue - intervalMs / 2) {
      capped++;
      return;
    }
    nextDue = t - nextDue > intervalMs ? t + intervalMs : nextDue + intervalMs;
    s.frames++;
    frames++;
    if (state !== "live") {
      state = "live";
      if (failures > 0) log.info({ failures }, "live capture works again");
      lastError = undefined;
    }
    const frame: Published = { ...shot, seq: ++seq, receivedAt: t };
    latest = frame;
    published.push(t);
    while (published.length > 0 && (published[0] as number) < t - FPS_WINDOW_MS) published.shift();
    const event: LiveEvent = {
      type: "frame",
      frame: { jpeg: shot.jpeg, width: shot.width, height: shot.height, at: shot.at, seq: frame.seq },
    };
    for (const v of viewers) v.offer(event);
    for (const w of s.waiters) w(frame);
    s.waiters.clear();
  }

  async function loop(): Promise<void> {
    while (wanted()) {
      if (pauses > 0 || direct > 0) {
        state = "paused";
        await pause(undefined);
        continue;
      }
      const wait = retryAt - now();
      if (wait > 0) {
        state = "retrying";
        await pause(wait);
        continue;
      }
      const s: Session = { abort: new AbortController(), frames: 0, waiters: new Set() };
      session = s;
      state = "starting";
      captures++;
      nextDue = 0;
      log.info({ fps, viewers: viewers.size }, "live capture starting");
      let error: CameraError | undefined;
      try {
        await (stream as NonNullable<Camera["stream"]>)({
          fps,
          ...(opts.width !== undefined ? { width: opts.width } : {}),
          ...(opts.height !== undefined ? { height: opts.height } : {}),
          signal: s.abort.signal,
          onFrame: (shot) => publish(s, shot),
        });
        if (!s.abort.signal.aborted) error = new CameraError("failed", "the live capture stopped by itself");
      } catch (e) {
        if (!s.abort.signal.aborted || (e instanceof CameraError && e.code === "closed")) error = asCameraError(e);
      } finally {
        session = undefined;
        latest = undefined;
        for (const w of s.waiters) w(undefined);
        s.waiters.clear();
      }
      if (closed) break;
      if (s.frames > 0) failures = 0;
      if (!error) {
        log.info({ frames: s.frames }, "live capture stopped");
        continue;
      }
      if (error.code === "closed") {
        // the driver was closed underneath (shutdown): nothing to retry
        log.info("the camera was closed: the live view ends");
        shutDown();
        break;
      }
      failures++;
      const retryInMs = Math.min(retry.max, retry.first * 2 ** (failures - 1));
      retryAt = now() + retryInMs;
      lastError = { code: error.code, message: error.message, at: wallClock() };
      log.warn({ code: error.code, failures, retryInMs }, `live capture failed: ${error.message}`);
      const event: LiveEvent = { type: "error", code: error.code, message: error.message, retryInMs };
      for (const v of viewers) v.offer(event);
    }
    state = closed ? "closed" : "idle";
  }

  function kick(): void {
    if (loopRunning) {
      poke();
      return;
    }
    if (!wanted() || !stream) return;
    loopRunning = loop()
      .catch((err) => log.error({ err }, "live capture loop failed"))
      .finally(() => {
        loopRunning = undefined;
        if (wanted()) kick();
      });
  }

  /** Stops the capture now (no viewers left, closing, a clip). */
  function stopCapture(): void {
    session?.abort.abort();
    poke();
  }

  function shutDown(): void {
    closed = true;
    state = "closed";
    clearTimeout(lingerTimer);
    lingerTimer = undefined;
    for (const v of [...viewers]) v.offer({ type: "end", reason: "closed" });
    viewers.clear();
    stopCapture();
  }

  function createViewer(): ViewerEntry {
    const id = nextViewerId++;
    let pending: LiveEvent | undefined;
    let waiting: { promise: Promise<LiveEvent>; resolve: (e: LiveEvent) => void } | undefined;
    let ended: LiveEvent | undefined;
    let skipped = 0;
    const viewer: ViewerEntry = {
      id,
      get left() {
        return ended !== undefined;
      },
      get skipped() {
        return skipped;
      },
      offer(event) {
        if (ended) return;
        if (event.type === "end") ended = event;
        if (waiting) {
          const w = waiting;
          waiting = undefined;
          w.resolve(event);
          if (event.type === "end") pending = undefined;
          return;
        }
        if (event.type === "end") {
          pending = undefined;
          return;
        }
        if (pending?.type === "frame" && event.type === "frame") skipped++;
        pending = event;
      },
      next() {
        if (pending) {
          const e = pending;
          pending = undefined;
          return Promise.resolve(e);
        }
        if (ended) return Promise.resolve(ended);
        if (waiting) return waiting.promise;
        let resolve!: (e: LiveEvent) => void;
        const promise = new Promise<LiveEvent>((r) => {
          resolve = r;
        });
        waiting = { promise, resolve };
        return promise;
      },
      leave() {
        if (ended) return;
        viewer.offer({ type: "end", reason: "left" });
        if (!viewers.delete(viewer)) return;
        log.debug({ viewer: id, viewers: viewers.size }, "live viewer left");
        if (viewers.size === 0 && !closed) {
          clearTimeout(lingerTimer);
          lingerTimer = setTimeout(() => {
            lingerTimer = undefined;
            if (viewers.size === 0) stopCapture();
          }, lingerMs);
          lingerTimer.unref?.();
        }
      },
    };
    return viewer;
  }

  function latestFrame(maxAgeMs: number): LiveFrame | undefined {
    if (!latest || !session || now() - latest.receivedAt > maxAgeMs) return undefined;
    const { receivedAt: _, ...frame } = latest;
    return frame;
  }

  /** A driver capture, with the live capture held off until it is done. */
  async function directly<T>(work: () => Promise<T>): Promise<T> {
    direct++;
    try {
      return await work();
    } finally {
      direct--;
      kick();
    }
  }

  function sessionFrame(s: Session, ms: number): Promise<LiveFrame | undefined> {
    return new Promise((resolve) => {
      const done = (f: LiveFrame | undefined) => {
        clearTimeout(timer);
        s.waiters.delete(done);
        resolve(f);
      };
      const timer = setTimeout(() => done(undefined), ms);
      timer.unref?.();
      s.waiters.add(done);
    });
  }

  const toSnapshot = (f: LiveFrame): Snapshot => ({ jpeg: f.jpeg, width: f.width, height: f.height, at: f.at });

  const shared: Camera = {
    driver: camera.driver,
    width: camera.width,
    height: camera.height,
    async snapshot(): Promise<Snapshot> {
      for (;;) {
        const fresh = latestFrame(freshMs);
        if (fresh) {
          sharedSnapshots++;
          return toSnapshot(fresh);
        }
        const s = session;
        // nobody holds the camera for the live view: the driver takes the picture (checked and counted at once)
        if (!s) return directly(() => camera.snapshot());
        const frame = await sessionFrame(s, snapshotWaitMs);
        if (frame) {
          sharedSnapshots++;
          return toSnapshot(frame);
        }
        if (session === s)
          throw new CameraError(
            "timeout",
            `the live capture holds the camera and sent no frame within ${snapshotWaitMs} ms`,
          );
        // the live capture ended meanwhile (failed or stopped): look again
      }
    },
    async clip(seconds: number, clipOpts?: ClipOptions): Promise<Clip> {
      pauses++;
      if (session) log.info({ seconds }, "live capture paused for a clip");
      stopCapture();
      try {
        // the driver's queue waits for the stopped stream to exit
        return await directly(() => camera.clip(seconds, clipOpts));
      } finally {
        pauses--;
        kick();
      }
    },
    async close(): Promise<void> {
      await live.close();
      await camera.close();
    },
  };

  const live: LiveCamera = {
    fps,
    maxViewers,
    available: stream !== undefined,
    camera: shared,
    join(): JoinResult {
      if (closed) return { ok: false, reason: "unavailable", message: "the live view is closed" };
      if (!stream) return { ok: false, reason: "unavailable", message: `the ${camera.driver} camera has no live view` };
      if (viewers.size >= maxViewers)
        return {
          ok: false,
          reason: "busy",
          message: `the live view already has ${viewers.size} viewer${viewers.size === 1 ? "" : "s"} (at most ${maxViewers})`,
        };
      const viewer = createViewer();
      viewers.add(viewer);
      clearTimeout(lingerTimer);
      lingerTimer = undefined;
      log.debug({ viewer: viewer.id, viewers: viewers.size }, "live viewer joined");
      // a picture at once when the capture runs (e.g. a page reload within the linger)
      const fresh = latestFrame(freshMs);
      if (fresh) viewer.offer({ type: "frame", frame: fresh });
      else if (state === "retrying" && lastError)
        viewer.offer({
          type: "error",
          code: lastError.code,
          message: lastError.message,
          retryInMs: Math.max(0, Math.round(retryAt - now())),
        });
      kick();
      return { ok: true, viewer };
    },
    stats(): LiveStats {
      const t = now();
      const recent = published.filter((p) => p >= t - FPS_WINDOW_MS);
      const first = recent[0];
      const last = recent[recent.length - 1];
      const measuredFps =
        first !== undefined &&
        last !== undefined &&
        recent.length >= 2 &&
        last > first &&
        t - last < 2 * intervalMs + 1000
          ? ((recent.length - 1) * 1000) / (last - first)
          : 0;
      return {
        state: closed ? "closed" : state,
        viewers: viewers.size,
        maxViewers,
        fps,
        measuredFps,
        capturing: session !== undefined,
        frames,
        capped,
        captures,
        sharedSnapshots,
        ...(lastError ? { lastError } : {}),
      };
    },
    latestFrame,
    async close(): Promise<void> {
      if (!closed) shutDown();
      await loopRunning;
    },
  };
  return live;
}
