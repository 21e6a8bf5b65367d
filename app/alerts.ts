/**
 * Builds the alert pipeline for a room: the engine, the durable outbox, and the
 * channels that are configured (the staff group when the bot has STAFF_CHAT_ID, SNS
 * when SNS_TOPIC_ARN is set). Used by main.ts and by the tests' console harness.
 */
import type { I18n } from "@grammyjs/i18n";
import type { Api } from "grammy";
import type { SeromaContext } from "../bot/context.ts";
import { buildChartPhoto } from "../bot/features/chart.ts";
import { createTelegramAdminChannel, createTelegramAlertChannel } from "../channels/telegram/group-channel.ts";
import type { ChannelResult, DeliveryChannel } from "../core/alerts/dispatcher.ts";
import { type AlertPipeline, createAlertPipeline } from "../core/alerts/pipeline.ts";
import { htmlToPlain, renderNotice, type Translate } from "../core/alerts/render.ts";
import type { Incident, Notice } from "../core/alerts/types.ts";
import type { Clock } from "../core/clock.ts";
import type { Config } from "../core/config.ts";
import type { EventBus } from "../core/event-bus.ts";
import type { RoomEvents } from "../core/events.ts";
import type { Logger } from "../core/logger.ts";
import { roomGroupChannel, roomGroupRoutes } from "../core/rooms/room-groups.ts";
import type { AccessEntry, Storage } from "../core/storage.ts";
import { formatDateTime } from "../core/text/format.ts";

/** What the SNS channel needs to be (see channels/sns-channel.ts). */
export interface SnsSender {
  send(n: {
    subject: string;
    message: string;
    severity: Notice["severity"];
    roomId: string;
    dedupId: string;
  }): Promise<ChannelResult>;
}

export interface AlertSetupOptions {
  config: Pick<
    Config,
    | "roomId"
    | "role"
    | "thresholds"
    | "alerts"
    | "telegram"
    | "officeHours"
    | "defaultLocale"
    | "sampling"
    | "door"
    | "camera"
    | "servers"
    | "backup"
  >;
  storage: Storage;
  clock: Clock;
  logger: Logger;
  /** Both present: alerts go to the staff group (if STAFF_CHAT_ID is set). */
  telegram?: { api: Api; i18n: I18n<SeromaContext>; pacing?: DeliveryChannel["pacing"] };
  sns?: SnsSender;
  backoff?: { minMs: number; maxMs: number };
  probeMs?: number;
  /** Translations for SNS texts when there is no bot. */
  translate: Translate;
  /** A link to a stored photo that can leave Telegram (presigned S3 URL), for SNS e-mails. */
  photoLink?: (mediaId: number) => Promise<string | undefined>;
  /** More channels (a room agent's channel to the hub, app/site.ts). */
  channels?: readonly DeliveryChannel[];
  /** Every incident change becomes an "incident.changed" event here (the dashboard follows it). */
  bus?: EventBus<RoomEvents>;
}

/** The staff groups' channels: the main group, and a hub's rooms' own groups (ROOM_CHAT_IDS). */
export function staffGroupChannels(telegram: Pick<Config["telegram"], "roomChatIds">): string[] {
  return ["telegram", ...Object.keys(telegram.roomChatIds).map(roomGroupChannel)];
}

/** Notices only the group chat gets (SNS is for things that need someone to act). */
const TELEGRAM_ONLY = new Set<Notice["kind"]>(["started", "summary"]);
/** Notices the admins' private chats get (besides the group and SNS). */
const FOR_ADMINS = new Set<Notice["kind"]>(["undeliverable", "database-replaced"]);

/**
 * Which channel takes which notice: alerts go to the group and SNS; the group alone gets
 * start-up and summaries; the admins' private chats get what the group could not carry
 * (and a database set aside); a report that a channel refused an alert goes everywhere
 * but to that channel.
 */
export function alertRoutes(notice: Notice, channel: string): boolean {
  if (notice.kind === "undeliverable") return channel !== notice.details.channel;
  if (channel === "admins") return FOR_ADMINS.has(notice.kind);
  if (channel === "sns") return !TELEGRAM_ONLY.has(notice.kind);
  return true;
}

/**
 * SNS (e-mail, SMS) as an alert channel. E-mail cannot show the photo a Telegram alert
 * carries: with `photoLink` (the AWS backend: a presigned S3 URL), the text ends with a
 * link to it; without, the photo stays in Telegram.
 */
export function createSnsDelivery(
  sns: SnsSender,
  render: (n: Notice, lateByMs: number) => string,
  photoLink?: (mediaId: number) => Promise<string | undefined>,
): DeliveryChannel {
  return {
    name: "sns",
    describe(entry) {
      return htmlToPlain(render(entry.notice, 0)).split("\n").filter(Boolean).slice(0, 2).join(" — ").slice(0, 300);
    },
    async deliverSafe(entry) {
      // Short plain text, no photo link: what SNS cannot refuse for its content.
      const first = htmlToPlain(render(entry.notice, 0)).split("\n").filter(Boolean).slice(0, 2).join(" — ");
      return sns.send({
        subject: `Seroma: ${first}`,
        message: first.slice(0, 1000),
        severity: entry.notice.severity,
        roomId: entry.notice.roomId,
        dedupId: `outbox-${entry.id}-safe`,
      });
    },
    async deliver(entry, lateByMs) {
      let text = htmlToPlain(render(entry.notice, lateByMs));
      const mediaId = Number(entry.notice.details.mediaId);
      if (photoLink && entry.notice.kind === "raised" && Number.isInteger(mediaId)) {
        const url = await photoLink(mediaId).catch(() => undefined);
        if (url) text += `\nPhoto: ${url}`;
      }
      const [first = "", ...rest] = text.split("\n");
      return sns.send({
        subject: `Seroma: ${first}`,
        message: [first, ...rest].join("\n"),
        severity: entry.notice.severity,
        roomId: entry.notice.roomId,
        dedupId: `outbox-${entry.id}`,
      });
    },
  };
}

export function setupAlerts(opts: AlertSetupOptions): AlertPipeline {
  const { config, storage, clock, logger } = opts;
  const timeZone = config.officeHours.timeZone;
  const channels: DeliveryChannel[] = [];
  const tg = opts.telegram;
  /** Admins by card (a linked Telegram account), refreshed when the pipeline starts and as admins act. */
  let linkedAdmins: number[] = [];
  const refreshAdmins = async () => {
    try {
      const staff = await storage.staff.list({ includeRevoked: false });
      linkedAdmins = staff.flatMap((m) =>
        m.role === "admin" && m.active && m.telegramUserId ? [m.telegramUserId] : [],
      );
    } catch (err) {
      logger.warn({ err: (err as Error).message }, "could not read the admins linked by card");
    }
  };
  const chatId = config.telegram.staffChatId;
  if (tg && chatId !== undefined) {
    const locale = config.defaultLocale;
    channels.push(
      createTelegramAlertChannel({
        api: tg.api,
        chatId,
        ...(config.telegram.staffChatTopicId ? { topicId: config.telegram.staffChatTopicId } : {}),
        t: (k, v) => tg.i18n.t(locale, k, v),
        timeZone,
        clock,
        // The channel records each incident's card there: replies go to it, acks and recoveries edit it.
        incidents: storage.incidents,
        summaryChart: async (at) => {
          const t: Translate = (k, v) => tg.i18n.t(locale, k, v);
          const photo = await buildChartPhoto({ config, storage, clock: { now: () => new Date(at) } }, "24h", t);
          return photo.png;
        },
        ...(tg.pacing ? { pacing: tg.pacing } : {}),
        media: storage.media,
        clipSeconds: config.camera.clipSeconds,
        ...(config.role === "hub" ? { hubRoom: config.roomId } : {}),
        logger,
      }),
    );
  }
  if (tg && chatId !== undefined) {
    // A hub's rooms with a staff group of their own (ROOM_CHAT_IDS): a channel each.
    const locale = config.defaultLocale;
    for (const [room, roomChat] of Object.entries(config.telegram.roomChatIds)) {
      channels.push(
        createTelegramAlertChannel({
          api: tg.api,
          chatId: roomChat,
          name: roomGroupChannel(room),
          // The hub's incidents (this room's silence) have their card in the main group.
          incidentCards: false,
          setting: (moved) => `${room}:${moved} in ROOM_CHAT_IDS`,
          t: (k, v) => tg.i18n.t(locale, k, v),
          timeZone,
          clock,
          incidents: storage.incidents,
          ...(tg.pacing ? { pacing: tg.pacing } : {}),
          media: storage.media,
          clipSeconds: config.camera.clipSeconds,
          hubRoom: config.roomId,
          logger,
        }),
      );
    }
  }
  if (tg) {
    void refreshAdmins();
    channels.push(
      createTelegramAdminChannel({
        api: tg.api,
        adminIds: () => [...config.telegram.adminIds, ...linkedAdmins],
        t: (k, v) => tg.i18n.t(config.defaultLocale, k, v),
        timeZone,
        clock,
        logger,
      }),
    );
  }
  if (opts.sns) {
    channels.push(
      createSnsDelivery(
        opts.sns,
        (n, late) => renderNotice({ t: opts.translate, timeZone, now: clock.now().getTime() }, n, late),
        opts.photoLink,
      ),
    );
  }
  channels.push(...(opts.channels ?? []));
  if (channels.length === 0) {
    logger.warn(
      "alerts have no channel: set STAFF_CHAT_ID (with a bot token) and/or SNS_TOPIC_ARN; incidents are still recorded",
    );
  }
  return createAlertPipeline({
    engine: {
      roomId: config.roomId,
      thresholds: config.thresholds,
      hysteresis: config.alerts.hysteresis,
      minDurationMs: config.alerts.minDurationMs,
      remindEveryMs: config.alerts.remindEveryMs,
      sensorDeadAfter: config.alerts.sensorDeadAfter,
      sensorStuckMs: config.alerts.sensorStuckMs,
    },
    repos: storage,
    channels,
    clock,
    logger,
    lateAfterMs: config.alerts.lateAfterMs,
    ...(opts.backoff ? { backoff: opts.backoff } : {}),
    ...(opts.probeMs !== undefined ? { probeMs: opts.probeMs } : {}),
    routes: (notice, channel) => {
      if (channel === "admins" && FOR_ADMINS.has(notice.kind)) void refreshAdmins();
      return alertRoutes(notice, channel) && roomGroupRoutes(notice, channel, config.telegram.roomChatIds);
    },
    ...(opts.bus ? { onIncident: (incident: Incident) => opts.bus?.emit("incident.changed", { incident }) } : {}),
  });
}

export interface BreachSnapshots {
  /** Takes (and stores) a snapshot for this access-log entry; undefined if the camera failed. */
  take(entry: AccessEntry): Promise<{ mediaId: number } | undefined>;
  /** Links the stored snapshot to the incident raised with it. */
  link(mediaId: number, incidentId: string): Promise<void>;
}

/**
 * Feeds the room's events into the engine. With `breachSnapshots`, a door breach waits for
 * a snapshot (bounded by the camera's timeout) and its alert carries the photo. Returns an
 * unsubscribe function.
 */
export function connectAlertsToBus(
  pipeline: AlertPipeline,
  bus: EventBus<RoomEvents>,
  timeZone: string,
  opts: { breachSnapshots?: BreachSnapshots; logger?: Logger } = {},
): () => void {
  const timeOf = (at: number) => formatDateTime(at, timeZone).slice(11, 16);
  const breach = async (entry: AccessEntry, details: Incident["details"]) => {
    const snap = opts.breachSnapshots;
    let shot: { mediaId: number } | undefined;
    try {
      shot = await snap?.take(entry);
    } catch (err) {
      opts.logger?.error({ err }, "breach snapshot failed; the alert goes out without it");
    }
    const incident = await pipeline.engine.raiseEvent(
      "door.breach",
      "critical",
      shot ? { ...details, mediaId: shot.mediaId } : details,
      entry.at,
    );
    if (shot && snap) {
      await snap.link(shot.mediaId, incident.id).catch((err) => {
        opts.logger?.error({ err }, "could not link the breach snapshot to its incident");
      });
    }
    return incident;
  };
  const offs = [
    bus.on("camera.failed", (e) => pipeline.engine.onDeviceDown("camera.dead", { at: e.at, reason: e.message })),
    bus.on("camera.ok", (e) => pipeline.engine.onDeviceUp("camera.dead", e)),
    bus.on("motion.dead", (e) => pipeline.engine.onDeviceDown("motion.dead", e)),
    bus.on("motion.alive", (e) => pipeline.engine.onDeviceUp("motion.dead", e)),
    bus.on("climate.reading", ({ reading }) => pipeline.engine.onReading(reading)),
    bus.on("climate.sensor-error", (e) =>
      pipeline.engine.onSensorError({ at: e.at, code: e.code, message: e.message }),
    ),
    bus.on("door.reader-dead", (e) => pipeline.engine.onReaderDead(e)),
    bus.on("door.reader-alive", (e) => pipeline.engine.onReaderAlive(e)),
    bus.on("door.access", ({ entry, enrollment, clockUnsynced }) => {
      const details = {
        uid: entry.cardUid,
        name: entry.staffName ?? "",
        time: timeOf(entry.at),
        ...(enrollment ? { enrollBy: enrollment.by } : {}),
        ...(clockUnsynced ? { clockUnsynced: 1 } : {}),
      };
      if (entry.decision === "off-hours") return breach(entry, details);
      if (entry.decision === "unknown")
        return pipeline.engine.raiseEvent("door.unknown-card", "warning", details, entry.at);
      if (entry.decision === "revoked")
        return pipeline.engine.raiseEvent("door.revoked-card", "warning", details, entry.at);
      if (entry.decision === "wrong-room")
        return pipeline.engine.raiseEvent("door.wrong-room-card", "warning", details, entry.at);
      return undefined;
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}
