/**
 * A room's answers to the hub's commands (ROLE=room on a site; README, "Several rooms"):
 * the same services the bot uses in a single room, driven by the hub's bot instead.
 *
 *   status / refresh   its climate (refresh: a reading taken now) and open incidents
 *   snapshot / clip    a picture or a clip through the room's capture service (stored in the
 *                      room's media like any other, annotated with the room's name)
 *   arm / disarm       the security watch, in the name of the person who asked
 *   server-check       one host of the room's catalogue, checked now over SSH from the room
 *   access             the latest entries of the room's door log
 *   ack                one of the room's incidents acknowledged (from its card on the hub)
 *   enroll-capture     the next card tapped at the room's reader (an enrollment on the hub);
 *   enroll-cancel      ...given up by the admin
 *
 * A refusal rejects with the reason (and the camera's failure code), which reaches the
 * person who asked.
 */
import type { AlertPipeline } from "../core/alerts/pipeline.ts";
import type { CaptureService } from "../core/camera/capture-service.ts";
import type { Reading, SampleOutcome } from "../core/climate/reading.ts";
import type { CardCapture } from "../core/door/card-reader.ts";
import type { AccessEntry } from "../core/door/ports.ts";
import type { Logger } from "../core/logger.ts";
import type { WatchControl } from "../core/motion/watch.ts";
import { MEDIA_MAX_BYTES, type RoomAnswer, type RoomCommand, type RoomStatusAnswer } from "../core/rooms/commands.ts";
import type { HostResult, HostSpec } from "../core/servers/types.ts";

export interface RoomCommandDeps {
  roomId: string;
  alerts: AlertPipeline;
  /** The room's latest stored reading. */
  latestReading?: () => Promise<Reading | undefined>;
  sampleNow?: () => Promise<SampleOutcome>;
  capture?: CaptureService;
  watch?: WatchControl;
  servers?: {
    spec(name: string): Promise<HostSpec | undefined>;
    checkNow(name: string): Promise<HostResult | undefined>;
  };
  door?: { captureNextTap(timeoutMs: number, by: string): CardCapture };
  /** The room's door log (access), newest first. */
  accessLog?: { latest(roomId: string, limit: number): Promise<AccessEntry[]> };
  /** The enrollment timeout when the hub does not say. */
  enrollTimeoutMs?: number;
  logger: Logger;
}

function refusal(message: string, code?: string): Error {
  return Object.assign(new Error(message), code ? { code } : {});
}

export function createRoomCommands(deps: RoomCommandDeps) {
  const log = deps.logger.child({ component: "room-commands" });
  /** Card captures for enrollments on the hub, by its session. */
  const captures = new Map<string, CardCapture>();

  async function status(sampleError?: string): Promise<RoomStatusAnswer> {
    const reading = await deps.latestReading?.();
    return {
      room: deps.roomId,
      at: Date.now(),
      ...(reading
        ? { reading: { temperatureC: reading.temperatureC, humidityPct: reading.humidityPct, at: reading.at } }
        : {}),
      open: deps.alerts.engine
        .openIncidents()
        .map((i) => ({ rule: i.rule, severity: i.severity, openedAt: i.openedAt })),
      ...(sampleError ? { sampleError } : {}),
    };
  }

  const need = <T>(what: T | undefined, name: string): T => {
    if (what === undefined) throw refusal(`this room has no ${name}`, "unavailable");
    return what;
  };

  async function answer(command: RoomCommand): Promise<RoomAnswer> {
    const by = command.args?.by ?? { id: 0, name: "the hub" };
    switch (command.name) {
      case "status":
        return { result: { kind: "status", status: await status() } };
      case "refresh": {
        const outcome = await need(deps.sampleNow, "climate sensor")();
        return { result: { kind: "status", status: await status(outcome.ok ? undefined : outcome.message) } };
      }
      case "snapshot": {
        const shot = await need(deps.capture, "camera").snapshot({ reason: "request", requestedBy: by.id });
        if (!shot.ok) throw refusal(shot.message, shot.code);
        return {
          result: { kind: "photo", at: shot.at, driver: need(deps.capture, "camera").driver },
          media: shot.jpeg,
        };
      }
      case "clip": {
        const seconds = command.args?.seconds ?? 10;
        const r = await need(deps.capture, "camera").clip(seconds, { reason: "request", requestedBy: by.id });
        if (!r.ok) throw refusal(r.message, r.code);
        const c = r.clip;
        if (c.bytes.length > MEDIA_MAX_BYTES)
          // The hub would refuse it (and Telegram takes at most 50 MB): said now, not as a silence.
          throw refusal(
            `the clip is ${(c.bytes.length / 1024 / 1024).toFixed(1)} MB, more than the ${MEDIA_MAX_BYTES / 1024 / 1024} MB the hub takes: ask for a shorter one`,
          );
        return {
          result: { kind: "video", at: c.at, seconds: c.seconds, width: c.width, height: c.height, format: c.format },
          media: c.bytes,
        };
      }
      case "arm":
      case "disarm": {
        const watch = need(deps.watch, "security watch");
        const was = watch.state().armed;
        const state = command.name === "arm" ? watch.arm(by) : watch.disarm(by);
        const now = watch.state();
        log.info({ by: by.id, armed: state.armed }, `security watch ${command.name}ed by ${by.name} (from the hub)`);
        return {
          result: {
            kind: "watch",
            armed: state.armed,
            was,
            watching: now.watching,
            sensor: now.sensor,
            ...(state.by ? { by: state.by } : {}),
          },
        };
      }
      case "server-check": {
        const servers = need(deps.servers, "server catalogue");
        const name = command.args?.server;
        if (!name) throw refusal("which server?");
        const spec = await servers.spec(name);
        if (!spec) return { result: { kind: "server" } };
        const result = await servers.checkNow(name);
        return {
          result: {
            kind: "server",
            spec: {
              name: spec.name,
              address: spec.address,
              port: spec.port,
              user: spec.user,
              hostKey: spec.hostKey,
              thresholds: { diskPct: spec.thresholds.diskPct },
            },
            ...(result ? { result } : {}),
          },
        };
      }
      case "enroll-capture": {
        const door = need(deps.door, "card reader");
        const session = command.args?.session;
        if (!session) throw refusal("which enrollment?");
        captures.get(session)?.cancel();
        const capture = door.captureNextTap(command.args?.timeoutMs ?? deps.enrollTimeoutMs ?? 60_000, by.name);
        captures.set(session, capture);
        try {
          const uid = await capture.card;
          return { result: { kind: "card", uid: uid ?? null } };
        } finally {
          if (captures.get(session) === capture) captures.delete(session);
        }
      }
      case "access": {
        const log = need(deps.accessLog, "door log");
        const rows = await log.latest(deps.roomId, command.args?.limit ?? 10);
        return {
          result: {
            kind: "access",
            entries: rows.map((e) => ({
              at: e.at,
              cardUid: e.cardUid,
              decision: e.decision,
              ...(e.staffName !== undefined ? { staffName: e.staffName } : {}),
            })),
          },
        };
      }
      case "ack": {
        const incident = command.args?.incident;
        if (!incident) throw refusal("which incident?");
        const r = await deps.alerts.engine.acknowledge(incident, by);
        const i = r.ok ? r.incident : r.incident;
        const ackedBy = i?.ackedBy;
        log.info(
          { incident, by: by.id, outcome: r.ok ? "ok" : r.reason },
          `incident acknowledged from the hub by ${by.name}`,
        );
        return {
          result: {
            kind: "ack",
            outcome: r.ok ? "ok" : r.reason,
            ...(i ? { rule: i.rule } : {}),
            ...(ackedBy ? { by: { id: ackedBy.id, name: ackedBy.name } } : {}),
          },
        };
      }
      case "enroll-cancel": {
        const session = command.args?.session;
        if (session) captures.get(session)?.cancel();
        return { result: { kind: "done" } };
      }
    }
  }

  return {
    answer,
    /** Gives up every capture in progress (the room is stopping). */
    stop(): void {
      for (const c of captures.values()) c.cancel();
      captures.clear();
    },
  };
}
