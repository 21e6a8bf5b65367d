/**
 * Security watch: listens to the motion sensor. Outside office hours, or while armed
 * (/arm ... /disarm), motion takes an annotated snapshot, raises a "motion in the room"
 * incident through the alert pipeline with the photo attached, then records a clip; both
 * are stored and linked to the incident. Motion within the cooldown of the last incident
 * is the same visit (no new incident). During office hours, unarmed, motion is only
 * logged. The sensor's own failures become a "motion sensor dead" incident.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Incident } from "../core/alerts/types.ts";
import type { CaptureService } from "../core/camera/capture-service.ts";
import type { MediaStore } from "../core/camera/media.ts";
import type { Clock } from "../core/clock.ts";
import type { Config } from "../core/config.ts";
import type { EventBus } from "../core/event-bus.ts";
import type { RoomEvents } from "../core/events.ts";
import type { Logger } from "../core/logger.ts";
import type { MotionEvent, MotionSensor } from "../core/motion/sensor.ts";
import type { ArmState, WatchControl } from "../core/motion/watch.ts";

export type { ArmState };

import { isWithinOfficeHours, type OfficeHours } from "../core/office-hours.ts";
import { formatDateTime } from "../core/text/format.ts";

/** Where the armed state survives a restart (a restart must not silently disarm the room). */
export interface ArmStore {
  load(): ArmState | undefined;
  save(state: ArmState): void;
}

/** Keeps the armed state in a small JSON file (written to a temp file, then renamed). */
export function createFileArmStore(file: string): ArmStore {
  return {
    load() {
      try {
        const parsed = JSON.parse(readFileSync(file, "utf8")) as ArmState;
        return typeof parsed.armed === "boolean" ? parsed : undefined;
      } catch {
        return undefined;
      }
    },
    save(state) {
      mkdirSync(dirname(file), { recursive: true });
      const tmp = `${file}.tmp-${process.pid}`;
      writeFileSync(tmp, `${JSON.stringify(state)}\n`);
      renameSync(tmp, file);
    },
  };
}

export interface SecurityWatchDeps {
  roomId: string;
  motion: MotionSensor;
  capture: CaptureService;
  media: Pick<MediaStore, "linkIncident">;
  /** The alert engine's event raiser. */
  raise: (details: Incident["details"], at: number) => Promise<Incident>;
  officeHours: OfficeHours;
  clock: Clock;
  bus: EventBus<RoomEvents>;
  logger: Logger;
  cooldownMs: number;
  clipSeconds: number;
  /** Local "HH:MM" of an epoch ms, for the alert text. */
  timeOf: (at: number) => string;
  /** Keeps /arm across restarts; without it, the watch starts disarmed. */
  armStore?: ArmStore;
}

export type MotionOutcome =
  | { watched: false; reason: "office-hours" }
  | { watched: true; incident: undefined; reason: "cooldown" }
  | { watched: true; incident: Incident; snapshot: boolean; clip: boolean };

export interface SecurityWatchJob extends WatchControl {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Handles one motion event (what the sensor's listener calls); exposed for the local UI and tests. */
  onMotion(at: number, source: string, score?: number): Promise<MotionOutcome>;
  /** Resolves when every motion event so far has been handled (snapshot, incident, clip). */
  idle(): Promise<void>;
}

export function createSecurityWatchJob(deps: SecurityWatchDeps): SecurityWatchJob {
  const log = deps.logger.child({ job: "security-watch", room: deps.roomId, sensor: deps.motion.driver });
  let arm: ArmState = deps.armStore?.load() ?? { armed: false };
  if (arm.armed) log.info({ by: arm.by?.id, since: arm.since }, "still armed from before the restart");
  const persist = () => {
    try {
      deps.armStore?.save(arm);
    } catch (err) {
      log.error({ err }, "could not save the armed state; it holds until the next restart");
    }
  };
  let lastIncidentAt: number | undefined;
  let started = false;
  let queue: Promise<unknown> = Promise.resolve();

  const watching = (at: number) => arm.armed || !isWithinOfficeHours(new Date(at), deps.officeHours);

  async function handle(at: number, source: string, score?: number): Promise<MotionOutcome> {
    const armed = arm.armed;
    if (!watching(at)) {
      log.debug({ source, score }, "motion during office hours (not armed): logged only");
      return { watched: false, reason: "office-hours" };
    }
    if (lastIncidentAt !== undefined && at - lastIncidentAt < deps.cooldownMs) {
      log.info({ source, score }, "motion again within the cooldown: same visit");
      return { watched: true, incident: undefined, reason: "cooldown" };
    }
    lastIncidentAt = at;
    const shot = await deps.capture.snapshot({ reason: "motion", label: "MOTION" });
    if (!shot.ok) log.warn({ code: shot.code }, `motion snapshot failed: ${shot.message}`);
    const mediaId = shot.ok ? shot.item?.id : undefined;
    const incident = await deps.raise(
      {
        time: deps.timeOf(at),
        source,
        armed: armed ? 1 : 0,
        ...(score !== undefined ? { score: Math.round(score * 1000) / 1000 } : {}),
        ...(mediaId !== undefined ? { mediaId } : {}),
      },
      at,
    );
    if (mediaId !== undefined) await link(mediaId, incident.id);
    // A frame-difference sensor pauses while the camera records (it would queue frames behind the clip).
    const record = () => deps.capture.clip(deps.clipSeconds, { reason: "motion", incidentId: incident.id });
    const motion = deps.motion as MotionSensor & { pauseDuring?: <T>(work: () => Promise<T>) => Promise<T> };
    const clip = motion.pauseDuring ? await motion.pauseDuring(record) : await record();
    if (!clip.ok) log.warn({ code: clip.code }, `motion clip failed: ${clip.message}`);
    return { watched: true, incident, snapshot: shot.ok, clip: clip.ok };
  }

  async function link(mediaId: number, incidentId: string): Promise<void> {
    try {
      await deps.media.linkIncident(mediaId, incidentId);
    } catch (err) {
      log.error({ err, mediaId, incidentId }, "could not link the snapshot to its incident");
    }
  }

  function onMotion(at: number, source: string, score?: number): Promise<MotionOutcome> {
    // One at a time, in order: a second movement waits for the first's snapshot and incident.
    const run = queue.then(() => handle(at, source, score));
    queue = run.catch((err) => log.error({ err }, "motion handling failed"));
    return run;
  }

  function listener(event: MotionEvent): void {
    if (event.type === "motion") {
      deps.bus.emit("motion.detected", {
        roomId: deps.roomId,
        at: event.at,
        source: event.source,
        watched: watching(event.at),
      });
      void onMotion(event.at, event.source, event.score).catch(() => undefined);
    } else if (event.type === "dead") {
      deps.bus.emit("motion.dead", { roomId: deps.roomId, at: event.at, reason: event.reason });
    } else {
      deps.bus.emit("motion.alive", { roomId: deps.roomId, at: event.at });
    }
  }

  return {
    async start() {
      if (started) return;
      await deps.motion.start(listener);
      started = true;
      log.info("security watch started");
    },
    async stop() {
      if (!started) return;
      started = false;
      await deps.motion.stop();
      await queue;
    },
    arm(by) {
      arm = { armed: true, by, since: deps.clock.now().getTime() };
      lastIncidentAt = undefined;
      persist();
      log.info({ by: by.id }, "armed");
      return arm;
    },
    disarm(by) {
      arm = { armed: false, by, since: deps.clock.now().getTime() };
      persist();
      log.info({ by: by.id }, "disarmed");
      return arm;
    },
    state() {
      return { ...arm, watching: watching(deps.clock.now().getTime()), sensor: deps.motion.driver };
    },
    onMotion,
    async idle() {
      await queue;
    },
  };
}

/** The security watch as the configuration describes it (office hours, MOTION_*, armed state in DATA_DIR/watch.json). */
export function createSecurityWatchJobFromConfig(
  config: Pick<Config, "roomId" | "officeHours" | "motion" | "dataDir">,
  deps: Pick<SecurityWatchDeps, "motion" | "capture" | "media" | "raise" | "clock" | "bus" | "logger">,
): SecurityWatchJob {
  return createSecurityWatchJob({
    ...deps,
    roomId: config.roomId,
    officeHours: config.officeHours,
    cooldownMs: config.motion.cooldownMs,
    clipSeconds: config.motion.clipSeconds,
    armStore: createFileArmStore(join(config.dataDir, "watch.json")),
    timeOf: (at) => formatDateTime(at, config.officeHours.timeZone).slice(11, 16),
  });
}
