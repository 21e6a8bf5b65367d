/**
 * The capture service: the one way the console takes pictures. It owns the camera, so
 * concurrent requests share one capture instead of fighting over it:
 *   - snapshot(): callers arriving while a snapshot is being taken get that same picture
 *     (one capture, one annotated JPEG, one stored file);
 *   - clip(seconds): callers arriving while a clip of at least that length is recording
 *     join it (and its progress); longer requests wait their turn.
 * Every picture is annotated (room, time, temperature) and stored in the media store with
 * its reason and links. Failures come back as results with a clear message, never as
 * exceptions, and are announced on the bus ("camera.failed" / "camera.ok") so the alert
 * engine keeps a "camera dead" incident.
 */

import type { Reading } from "../climate/reading.ts";
import type { Clock } from "../clock.ts";
import type { Config } from "../config.ts";
import type { EventBus } from "../event-bus.ts";
import type { RoomEvents } from "../events.ts";
import type { Logger } from "../logger.ts";
import type { ReadingRepository } from "../storage.ts";
import { annotateSnapshot } from "./annotate.ts";
import { type Camera, CameraError, type CameraErrorCode, type Clip } from "./camera.ts";
import type { MediaItem, MediaReason, MediaStore } from "./media.ts";

export interface CaptureRequest {
  reason: MediaReason;
  requestedBy?: number;
  accessEntryId?: number;
  incidentId?: string;
  /** Drawn at the end of the caption bar (e.g. "MOTION"). */
  label?: string;
}

export type CaptureFailure = { ok: false; code: CameraErrorCode | "storage"; message: string };

export type SnapshotResult =
  | {
      ok: true;
      /** The stored item (absent if storing failed: the picture is still returned). */
      item?: MediaItem;
      jpeg: Buffer;
      width: number;
      height: number;
      at: number;
      /** True if this caller joined a capture another request had started. */
      shared: boolean;
    }
  | CaptureFailure;

export type ClipResult =
  | {
      ok: true;
      item?: MediaItem;
      clip: Clip;
      shared: boolean;
    }
  | CaptureFailure;

export interface CaptureService {
  readonly driver: string;
  snapshot(request: CaptureRequest): Promise<SnapshotResult>;
  clip(seconds: number, request: CaptureRequest & { onProgress?: (fraction: number) => void }): Promise<ClipResult>;
  /** Resolves when no capture is running. */
  idle(): Promise<void>;
  /**
   * For shutdown: new requests fail with "closed" at once; captures in progress get up to
   * `graceMs` to finish (and are stored); one that finishes later is dropped: nothing is
   * stored or announced after close() resolves (storage may be closed by then). Safe to call twice.
   */
  close(graceMs: number): Promise<void>;
}

export interface CaptureServiceOptions {
  camera: Camera;
  media: MediaStore;
  roomId: string;
  timeZone: string;
  quality: number;
  clock: Clock;
  bus: EventBus<RoomEvents>;
  logger: Logger;
  /** The latest climate reading, for the caption (a failure only drops it from the caption). */
  latestReading: () => Promise<Reading | undefined>;
}

/** Readings older than this are not printed on a snapshot. */
const READING_FRESH_MS = 15 * 60_000;

function failure(err: unknown): CaptureFailure {
  if (err instanceof CameraError) return { ok: false, code: err.code, message: err.message };
  return { ok: false, code: "failed", message: err instanceof Error ? err.message : String(err) };
}

export function createCaptureService(opts: CaptureServiceOptions): CaptureService {
  const { camera, media, roomId, bus, clock } = opts;
  const log = opts.logger.child({ component: "camera", driver: camera.driver });
  let snapshotInFlight: Promise<SnapshotResult> | undefined;
  /** Clips recording or waiting to record, in order. */
  let clips: Array<{ seconds: number; result: Promise<ClipResult>; listeners: Set<(f: number) => void> }> = [];
  let clipQueue: Promise<unknown> = Promise.resolve();
  const running = new Set<Promise<unknown>>();
  let failing = false;
  /** close() called: no new captures. */
  let closing = false;
  /** close() returned: results are dropped, nothing stored or announced. */
  let closed = false;
  /** Media being written: close() lets them finish (local, short), so none is cut off by storage closing. */
  const storing = new Set<Promise<unknown>>();
  const CLOSED: CaptureFailure = { ok: false, code: "closed", message: "the camera service is stopping" };

  function track<T>(p: Promise<T>): Promise<T> {
    running.add(p);
    void p.finally(() => running.delete(p));
    return p;
  }

  function reportFailure(f: CaptureFailure): void {
    if (f.code === "closed" || f.code === "storage" || closed) return;
    failing = true;
    log.warn({ code: f.code }, `camera capture failed: ${f.message}`);
    bus.emit("camera.failed", { roomId, at: clock.now().getTime(), code: f.code, message: f.message });
  }

  function reportSuccess(): void {
    if (!failing || closed) return;
    failing = false;
    log.info("camera captures work again");
    bus.emit("camera.ok", { roomId, at: clock.now().getTime() });
  }

  async function caption(): Promise<{ temperatureC?: number; humidityPct?: number }> {
    try {
      const r = await opts.latestReading();
      if (!r || clock.now().getTime() - r.at > READING_FRESH_MS) return {};
      return { temperatureC: r.temperatureC, humidityPct: r.humidityPct };
    } catch {
      return {};
    }
  }

  function dropped(kind: "snapshot" | "clip"): CaptureFailure {
    log.info({ kind }, "a capture finished after the camera service closed: dropped, not stored");
    return CLOSED;
  }

  async function store(
    bytes: Buffer,
    fields: Omit<Parameters<MediaStore["save"]>[0], "bytes" | "roomId">,
  ): Promise<MediaItem | undefined> {
    const saving = media.save({ ...fields, roomId, bytes });
    storing.add(saving);
    try {
      return await saving;
    } catch (err) {
      log.error({ err }, "could not store a capture; it is still sent");
      return undefined;
    } finally {
      storing.delete(saving);
    }
  }

  async function takeSnapshot(request: CaptureRequest): Promise<SnapshotResult> {
    let shot: Awaited<ReturnType<Camera["snapshot"]>>;
    try {
      shot = await camera.snapshot();
    } catch (err) {
      const f = failure(err);
      reportFailure(f);
      return f;
    }
    if (closed) return dropped("snapshot");
    let photo: Awaited<ReturnType<typeof annotateSnapshot>>;
    try {
      photo = await annotateSnapshot(
        shot.jpeg,
        {
          roomId,
          at: shot.at,
          timeZone: opts.timeZone,
          ...(await caption()),
          ...(request.label ? { label: request.label } : {}),
        },
        { quality: opts.quality },
      );
    } catch (err) {
      const f: CaptureFailure = {
        ok: false,
        code: "failed",
        message: `the camera sent a picture that cannot be read: ${(err as Error).message}`,
      };
      reportFailure(f);
      return f;
    }
    if (closed) return dropped("snapshot");
    reportSuccess();
    const item = await store(photo.jpeg, {
      at: shot.at,
      kind: "snapshot",
      mime: "image/jpeg",
      reason: request.reason,
      width: photo.width,
      height: photo.height,
      ...(request.requestedBy !== undefined ? { requestedBy: request.requestedBy } : {}),
      ...(request.accessEntryId !== undefined ? { accessEntryId: request.accessEntryId } : {}),
      ...(request.incidentId !== undefined ? { incidentId: request.incidentId } : {}),
    });
    return {
      ok: true,
      ...(item ? { item } : {}),
      jpeg: photo.jpeg,
      width: photo.width,
      height: photo.height,
      at: shot.at,
      shared: false,
    };
  }

  async function recordClip(
    seconds: number,
    request: CaptureRequest,
    listeners: Set<(f: number) => void>,
  ): Promise<ClipResult> {
    let clip: Clip;
    try {
      clip = await camera.clip(seconds, {
        onProgress: (f) => {
          for (const l of listeners) {
            try {
              l(f);
            } catch (err) {
              log.warn({ err }, "clip progress listener failed");
            }
          }
        },
      });
    } catch (err) {
      const f = failure(err);
      reportFailure(f);
      return f;
    }
    if (closed) return dropped("clip");
    reportSuccess();
    const item = await store(clip.bytes, {
      at: clip.at,
      kind: "clip",
      mime: clip.mime,
      reason: request.reason,
      width: clip.width,
      height: clip.height,
      seconds: clip.seconds,
      ...(request.requestedBy !== undefined ? { requestedBy: request.requestedBy } : {}),
      ...(request.accessEntryId !== undefined ? { accessEntryId: request.accessEntryId } : {}),
      ...(request.incidentId !== undefined ? { incidentId: request.incidentId } : {}),
    });
    return { ok: true, ...(item ? { item } : {}), clip, shared: false };
  }

  return {
    driver: camera.driver,
    snapshot(request) {
      if (closing) return Promise.resolve(CLOSED);
      if (snapshotInFlight) return snapshotInFlight.then((r) => (r.ok ? { ...r, shared: true } : r));
      const p = track(takeSnapshot(request)).finally(() => {
        snapshotInFlight = undefined;
      });
      snapshotInFlight = p;
      return p;
    },
    clip(seconds, request) {
      if (closing) return Promise.resolve(CLOSED);
      const join = clips.find((c) => c.seconds >= seconds);
      if (join) {
        if (request.onProgress) join.listeners.add(request.onProgress);
        return join.result.then((r) => (r.ok ? { ...r, shared: true } : r));
      }
      const listeners = new Set<(f: number) => void>(request.onProgress ? [request.onProgress] : []);
      // One clip at a time: a longer request waits for the one recording now.
      const result: Promise<ClipResult> = track(
        clipQueue
          .then(() => recordClip(seconds, request, listeners))
          .finally(() => {
            clips = clips.filter((c) => c.result !== result);
          }),
      );
      clips.push({ seconds, result, listeners });
      clipQueue = result.catch(() => undefined);
      return result;
    },
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
    async close(graceMs) {
      if (closing) return;
      closing = true;
      if (running.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, graceMs);
        });
        await Promise.race([Promise.allSettled([...running]), late]);
        clearTimeout(timer);
        if (running.size > 0)
          log.warn({ running: running.size }, "captures still running at shutdown: their results will be dropped");
      }
      closed = true;
      await Promise.allSettled([...storing]);
    },
  };
}

/** The capture service as the configuration describes it (room, time zone, JPEG_QUALITY), captions from the latest reading. */
export function createCaptureServiceFromConfig(
  config: Pick<Config, "roomId" | "officeHours" | "camera">,
  deps: Pick<CaptureServiceOptions, "camera" | "media" | "clock" | "bus" | "logger"> & {
    readings: Pick<ReadingRepository, "latest">;
  },
): CaptureService {
  return createCaptureService({
    camera: deps.camera,
    media: deps.media,
    roomId: config.roomId,
    timeZone: config.officeHours.timeZone,
    quality: config.camera.quality,
    clock: deps.clock,
    bus: deps.bus,
    logger: deps.logger,
    latestReading: async () => (await deps.readings.latest(config.roomId, 1))[0],
  });
}
