/**
 * Several rooms, one bot (README, "Several rooms"): the wiring of the MQTT link for the two
 * roles. Without MQTT_URL there is none and a room is exactly what it always was.
 *
 *   ROLE=room + MQTT_URL   the room agent (channels/mqtt/room-agent.ts): presence, heartbeat,
 *                          and the hub as one more channel of the room's alert dispatcher.
 *   ROLE=hub               the hub (channels/mqtt/hub-link.ts): every room's alerts go out
 *                          through this console's channels (Telegram, SNS) naming their room,
 *                          once each (de-duplicated by notice id); a room that goes silent is
 *                          a `room.silent:ROOM` incident of this console's alert engine,
 *                          resolved when the room is heard again.
 * Either role watches its own link to the broker (app/broker-alarm.ts): the hub raises its
 * `hub.broker` incident when it has not reached the broker for ROOM_SILENT_AFTER_SECONDS;
 * a room agent logs an error.
 */
import { brokerName } from "../channels/mqtt/connection.ts";
import { createHubLink } from "../channels/mqtt/hub-link.ts";
import { createRoomAgent, HUB_CHANNEL } from "../channels/mqtt/room-agent.ts";
import type { DeliveryChannel } from "../core/alerts/dispatcher.ts";
import type { AlertPipeline } from "../core/alerts/pipeline.ts";
import { EVENT_RULES, type Notice, parseRoomSilentRule } from "../core/alerts/types.ts";
import type { Clock } from "../core/clock.ts";
import type { Config } from "../core/config.ts";
import type { CardUid } from "../core/door/card-reader.ts";
import type { StaffRepository } from "../core/door/ports.ts";
import type { Logger } from "../core/logger.ts";
import type { BrokerLinkState } from "../core/rooms/broker-watch.ts";
import {
  ANSWER_KIND,
  type AnswerOf,
  carriesMedia,
  ROOM_INCIDENT_ID,
  type RoomAskResult,
  type RoomCommandArgs,
  type RoomCommandName,
  type RoomResponse,
  type RoomStatusResult,
  type RoomsService,
} from "../core/rooms/commands.ts";
import { createSilenceWatch } from "../core/rooms/silence.ts";
import type { StaffMirrorStore } from "../core/rooms/staff-sync.ts";
import { staffTopic } from "../core/rooms/topics.ts";
import type { Storage } from "../core/storage.ts";
import { createBrokerAlarm } from "./broker-alarm.ts";
import type { Room } from "./compose-room.ts";
import { createRoomCommands, type RoomCommandDeps } from "./room-commands.ts";
import { createStaffPublisher, createStaffReceiver, type StaffPublisher } from "./staff-share.ts";

/** How long the hub waits for a room's status (its bot then says which rooms did not answer). */
export const ROOM_ANSWER_WITHIN_MS = 5_000;
/** A command must reach its room within this long, or the room leaves it (it was queued meanwhile). */
const COMMAND_START_WITHIN_MS = 10_000;

/** What a room's answers to the hub's commands are made of (app/room-commands.ts), and the shared staff. */
export type SiteRoom = Omit<RoomCommandDeps, "roomId" | "logger"> & {
  /**
   * Staff shared by the rooms (SQLite sites; app/staff-share.ts): the hub publishes `staff`,
   * a room applies the hub's list to `staffMirror`. Absent (STORAGE=aws: one shared table): neither.
   */
  staff?: StaffRepository;
  staffMirror?: StaffMirrorStore;
};

/** A composed room's parts the hub's commands use: the same services the bot uses in a single room. */
export function siteRoomOf(
  room: Room,
  storage: Pick<Storage, "readings" | "hosts" | "staff" | "staffMirror" | "accessLog">,
  config: Config,
): SiteRoom {
  return {
    alerts: room.alerts,
    latestReading: async () => (await storage.readings.latest(config.roomId, 1))[0],
    sampleNow: () => room.roomStatus.sampleNow(),
    capture: room.capture,
    watch: room.watch,
    servers: {
      spec: (name) => storage.hosts.get(config.roomId, name),
      checkNow: (name) => room.serverChecks.checkNow(name),
    },
    door: room.door,
    accessLog: storage.accessLog,
    enrollTimeoutMs: config.door.enrollTimeoutMs,
    // SQLite: the hub shares its staff cards, each room keeps a copy (STORAGE=aws: one table already).
    ...(storage.staffMirror ? { staff: storage.staff, staffMirror: storage.staffMirror } : {}),
  };
}

export interface SiteLink {
  readonly role: Config["role"];
  /** Channels the room's alert dispatcher also delivers to (the hub, for a room agent). */
  readonly channels: readonly DeliveryChannel[];
  /** After the room started (its alert pipeline first). */
  start(room: SiteRoom): Promise<void>;
  stop(): Promise<void>;
  /** The hub: alert messages received more than once (and dropped). */
  duplicates(): number;
  /** The hub: the rooms as its bot sees them (/rooms, /status ROOM). */
  readonly rooms?: RoomsService;
}

/** Alert ids the hub remembers, to drop copies (a room re-sends what the broker did not acknowledge). */
const SEEN_IDS = 50_000;

const OFFLINE_REASONS: Record<string, string> = {
  "connection lost": "its connection dropped without a goodbye (Last Will)",
  stopped: "its console was stopped",
};

export function createSiteLink(opts: { config: Config; clock: Clock; logger: Logger }): SiteLink | undefined {
  const { config, clock, logger } = opts;
  const mqtt = config.mqtt;
  if (!mqtt) return undefined;
  const broker = { url: mqtt.url, caFile: mqtt.caFile, certFile: mqtt.certFile, keyFile: mqtt.keyFile };
  const alarmOf = (role: "hub" | "room", link: () => BrokerLinkState) =>
    createBrokerAlarm({ role, broker: brokerName(mqtt.url), downAfterMs: mqtt.silentAfterMs, clock, logger, link });

  if (config.role === "room") {
    let commands: ReturnType<typeof createRoomCommands> | undefined;
    const agent = createRoomAgent({
      broker,
      prefix: mqtt.prefix,
      roomId: config.roomId,
      heartbeatMs: mqtt.heartbeatMs,
      logger,
    });
    const alarm = alarmOf("room", () => agent.link());
    return {
      role: "room",
      channels: [agent.hubChannel],
      async start(room) {
        const answers = createRoomCommands({ ...room, roomId: config.roomId, logger });
        commands = answers;
        await agent.start({
          // The broker is back: alerts held for it go now, not at their next retry.
          onConnected: () => room.alerts.reachable([HUB_CHANNEL]),
          // The hub confirmed an alert: it is running, what waits for it goes now.
          onHubHeard: () => room.alerts.reachable([HUB_CHANNEL]),
          openIncidents: () => room.alerts.engine.openIncidents().length,
          answer: (command) => answers.answer(command),
          ...(room.staff && room.staffMirror
            ? { onStaffList: createStaffReceiver({ mirror: room.staffMirror, staff: room.staff, logger }).onStaffList }
            : {}),
        });
        alarm.start();
      },
      async stop() {
        await alarm.stop();
        commands?.stop();
        await agent.stop();
      },
      duplicates: () => 0,
    };
  }

  const log = logger.child({ component: "hub" });
  let pipeline: AlertPipeline | undefined;
  let timer: NodeJS.Timeout | undefined;
  let duplicates = 0;
  let staffPublisher: StaffPublisher | undefined;
  const seen = new Set<string>();
  /** Commands waiting for their answer, by correlation id. */
  const pending = new Map<string, { room: string; resolve: (r: RoomResponse, media?: Buffer) => void }>();
  let nextId = 0;
  const watch = createSilenceWatch({
    silentAfterMs: mqtt.silentAfterMs,
    clock,
    async setSilent(room, problem, at) {
      if (problem) log.warn({ room, reason: problem.details.reason }, `room ${room} went silent`);
      else log.info({ room }, `room ${room} is heard again`);
      await pipeline?.engine.setCondition(`room.silent:${room}`, problem, at);
    },
  });
  /** Watch calls one at a time (the engine orders its own work; this keeps seen/offline/check in order too). */
  let queue: Promise<void> = Promise.resolve();
  const serial = (work: () => Promise<void>) => {
    const next = queue.then(work).catch((err) => log.error({ err }, "room watch failed"));
    queue = next;
    return next;
  };

  const link = createHubLink({
    broker,
    prefix: mqtt.prefix,
    clientId: `seroma-hub-${config.roomId}`,
    logger,
    handlers: {
      status(room, message) {
        if (message.state === "online") void serial(() => watch.seen(room));
        else
          void serial(() => watch.offline(room, OFFLINE_REASONS[message.reason ?? ""] ?? message.reason ?? "offline"));
      },
      heartbeat(room, message) {
        void serial(() => watch.seen(room, message.open));
      },
      awaiting: (room, id) => pending.get(id)?.room === room,
      response(room, message, media) {
        const waiting = pending.get(message.id);
        if (!waiting || waiting.room !== room) return; // late (already answered "no answer"), or not ours
        pending.delete(message.id);
        void serial(() => watch.seen(room));
        waiting.resolve(message, media);
      },
      async alert(room, message) {
        await serial(() => watch.seen(room));
        if (seen.has(message.id)) {
          duplicates++;
          log.info({ room, id: message.id, duplicates }, "duplicate alert from a room dropped");
          return;
        }
        const p = pipeline;
        if (!p) throw new Error("the hub's alert pipeline is not running");
        // Delivered in the name of its room (the topic's: the sender); the incident lives in
        // the room, so the card carries no buttons of this hub's incidents.
        const { incidentId: roomIncident, ...rest } = message.notice;
        const notice: Notice = {
          ...rest,
          roomId: room,
          // ...but its Acknowledge asks the room (bot/features/rooms.ts).
          // (an event, e.g. an unknown card, is settled at once: nothing to acknowledge)
          ...(roomIncident && ROOM_INCIDENT_ID.test(roomIncident) && !(rest.rule && EVENT_RULES.has(rest.rule))
            ? { roomIncidentId: roomIncident }
            : {}),
        };
        await p.notify(notice); // stored in this hub's outbox before the broker hears PUBACK
        seen.add(message.id);
        if (seen.size > SEEN_IDS) seen.delete(seen.values().next().value as string);
        log.info({ room, id: message.id, kind: notice.kind, rule: notice.rule }, "alert from a room queued");
      },
    },
  });

  const alarm = alarmOf("hub", () => link.link());

  const presence = (room: string) => watch.rooms().find((p) => p.room === room);

  /**
   * Sends one command and waits for its answer (or says why there is none). An answer of
   * another kind than the command gets, or a photo or clip without its media, is a failure.
   */
  function ask<N extends RoomCommandName>(
    room: string,
    name: N,
    args: RoomCommandArgs | undefined,
    answerWithinMs: number,
  ): Promise<RoomAskResult<AnswerOf<N>>> {
    type Result = RoomAskResult<AnswerOf<N>>;
    const known = presence(room);
    if (!known) return Promise.resolve({ ok: false, reason: "unknown" });
    const id = `${clock.now().getTime().toString(36)}-${(nextId++).toString(36)}`;
    return new Promise<Result>((resolve) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        resolve({ ok: false, reason: "no-answer", presence: presence(room) ?? known });
      }, answerWithinMs);
      timer.unref?.();
      const failed = (error: string, code?: string): Result => ({
        ok: false,
        reason: "failed",
        error,
        ...(code ? { code } : {}),
      });
      pending.set(id, {
        room,
        resolve: (r, media) => {
          clearTimeout(timer);
          if (!r.ok || !r.result) resolve(failed(r.error ?? "no result", r.code));
          else if (r.result.kind !== ANSWER_KIND[name]) resolve(failed("the room answered something else"));
          else if (carriesMedia(r.result.kind) && !media)
            resolve(failed("the photo or clip did not come with the answer"));
          else
            resolve({ ok: true, result: r.result, media: carriesMedia(r.result.kind) ? media : undefined } as Result);
        },
      });
      const startWithin = Math.min(answerWithinMs, COMMAND_START_WITHIN_MS);
      link
        .command(room, { id, name, ...(args ? { args } : {}), expiresAt: clock.now().getTime() + startWithin })
        .catch((err: unknown) =>
          log.debug({ room, err: (err as Error).message }, "command not sent; it will not be answered"),
        );
    });
  }

  async function status(room: string, opts?: { refresh?: boolean }): Promise<RoomStatusResult> {
    const r = await ask(
      room,
      opts?.refresh ? "refresh" : "status",
      undefined,
      ROOM_ANSWER_WITHIN_MS * (opts?.refresh ? 3 : 1),
    );
    return r.ok ? { ok: true, answer: { ...r.result.status, room } } : r;
  }

  const rooms: RoomsService = {
    ownRoom: config.roomId,
    answerWithinMs: ROOM_ANSWER_WITHIN_MS,
    list: () => watch.rooms().filter((p) => p.room !== config.roomId),
    status,
    async statusAll() {
      const known = rooms.list();
      const results = await Promise.all(known.map(async (p) => ({ p, r: await status(p.room) })));
      return {
        answers: results.flatMap(({ r }) => (r.ok ? [r.answer] : [])),
        noAnswer: results.flatMap(({ p, r }) => (r.ok ? [] : [presence(p.room) ?? p])),
      };
    },
    ask: (room, name, args, opts) => ask(room, name, args, opts?.answerWithinMs ?? ROOM_ANSWER_WITHIN_MS),
    captureNextTap(room, timeoutMs, by) {
      const session = `${clock.now().getTime().toString(36)}${(nextId++).toString(36)}`;
      let settle: (uid: CardUid | undefined) => void = () => {};
      const card = new Promise<CardUid | undefined>((resolve) => {
        settle = resolve;
      });
      let done = false;
      const finish = (uid: CardUid | undefined) => {
        if (done) return;
        done = true;
        settle(uid);
      };
      void ask(room, "enroll-capture", { session, timeoutMs, by }, timeoutMs + ROOM_ANSWER_WITHIN_MS).then((r) => {
        if (r.ok) finish((r.result.uid ?? undefined) as CardUid | undefined);
        else {
          log.warn({ room, reason: r.reason, error: r.error }, "a room could not capture a card for an enrollment");
          finish(undefined);
        }
      });
      return {
        card,
        cancel() {
          if (done) return;
          finish(undefined);
          void ask(room, "enroll-cancel", { session }, ROOM_ANSWER_WITHIN_MS);
        },
      };
    },
  };

  return {
    role: "hub",
    channels: [],
    rooms,
    async start(room) {
      pipeline = room.alerts;
      // Rooms silent before a restart stay so until they are heard.
      for (const i of room.alerts.engine.openIncidents()) {
        const silentRoom = parseRoomSilentRule(i.rule);
        if (silentRoom) watch.remember(silentRoom, true);
      }
      // While the hub cannot hear the broker, the rooms' silence is its own: rooms are judged
      // only while connected, and their clocks start again when it is back.
      if (room.staff && room.staffMirror) {
        staffPublisher = createStaffPublisher({
          staff: room.staff,
          publish: (payload) => link.publish(staffTopic(mqtt.prefix), payload, { retain: true }),
          logger,
        });
      }
      await link.start({
        onConnected: () => {
          watch.grace();
          staffPublisher?.connected();
        },
      });
      staffPublisher?.start();
      alarm.start(room.alerts.engine);
      timer = setInterval(
        () => {
          if (link.connected()) void serial(() => watch.check());
        },
        Math.min(1_000, mqtt.silentAfterMs / 4),
      );
      timer.unref?.();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await alarm.stop();
      await staffPublisher?.stop();
      await link.stop();
      await queue;
    },
    duplicates: () => duplicates,
  };
}
