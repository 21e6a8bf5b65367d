/**
 * A room's side of a multi-room site (ROLE=room with MQTT_URL): the room runs as always
 * (devices, jobs, its storage and outbox, the LCD, door decisions) and reports to the hub
 * through the site's broker.
 *
 * - Presence: a Last Will `PREFIX/rooms/ROOM/status` = offline (retained, QoS 1), which the
 *   broker publishes when the connection is lost without a goodbye (power cut, kill -9,
 *   network gone); `online` (retained) on every connection; `offline` (reason "stopped")
 *   on a clean stop; a heartbeat every MQTT_HEARTBEAT_SECONDS while connected.
 * - Alerts: `hubChannel` is a delivery channel of the room's alert dispatcher, so every
 *   notice waits in the room's durable outbox until the HUB confirmed it (`{ ack: id }` on
 *   the room's command topic, sent once the notice is in the hub's own outbox): the broker's
 *   PUBACK alone is not enough (a broker with no hub session, or one that restarted without
 *   persistence, drops what nobody subscribed to). While the broker cannot be reached, or
 *   the hub does not confirm within `hubAckTimeoutMs`, the channel says "unreachable" and
 *   the dispatcher holds everything, in order, until `onConnected` (the broker is back) or
 *   `onHubHeard` (a confirmation came) tells it to go on. Each message carries an id that
 *   is the same on every retry, so the hub drops copies and confirms them again.
 */
import type { IClientOptions, MqttClient } from "mqtt";
import type { DeliveryChannel, OutboxEntryLike } from "../../core/alerts/dispatcher.ts";
import type { Logger } from "../../core/logger.ts";
import {
  parseCommand,
  type RoomAnswer,
  type RoomCommand,
  type RoomResponse,
  responseMessages,
} from "../../core/rooms/commands.ts";
import {
  parseAlertAck,
  type RoomAlertMessage,
  type RoomStatusMessage,
  roomTopics,
  staffTopic,
} from "../../core/rooms/topics.ts";
import { type BrokerSettings, brokerName, connectBroker, publishAcked } from "./connection.ts";

export const HUB_CHANNEL = "hub";

export interface RoomAgentOptions {
  broker: BrokerSettings;
  prefix: string;
  roomId: string;
  heartbeatMs: number;
  logger: Logger;
  /** How long a publish may wait for the broker's PUBACK (default 10 s). */
  publishTimeoutMs?: number;
  /** How long an alert waits for the hub's confirmation before it is tried again (default 15 s). */
  hubAckTimeoutMs?: number;
  reconnectMs?: number;
}

export interface RoomAgent {
  /** The alert dispatcher's channel to the hub. */
  readonly hubChannel: DeliveryChannel;
  /** Connects (and keeps reconnecting); `onConnected` runs on every (re)connection. */
  start(hooks: {
    onConnected?: () => void;
    /** The hub confirmed an alert (it is running): alerts held for it may go now. */
    onHubHeard?: () => void;
    openIncidents?: () => number;
    /**
     * Answers the hub's commands; a rejection is the room's refusal (its message, and the
     * `code` of an error that has one, reach the person who asked). Without it, commands are refused.
     */
    answer?: (command: RoomCommand) => Promise<RoomAnswer>;
    /** The hub's staff list (`PREFIX/staff`, retained); without it the room does not subscribe. */
    onStaffList?: (payload: Buffer) => void;
  }): Promise<void>;
  /** Says "offline (stopped)" if it can, then disconnects. */
  stop(): Promise<void>;
  connected(): boolean;
}

/** The id the hub de-duplicates by: the room, its outbox entry, and the notice's time (stable across retries). */
export function alertMessageId(roomId: string, entry: OutboxEntryLike): string {
  return `${roomId}:${entry.id}:${entry.notice.at}`;
}

export function createRoomAgent(opts: RoomAgentOptions): RoomAgent {
  const topics = roomTopics(opts.prefix, opts.roomId);
  const log = opts.logger.child({ component: "room-agent", room: opts.roomId });
  const publishTimeoutMs = opts.publishTimeoutMs ?? 10_000;
  const hubAckTimeoutMs = opts.hubAckTimeoutMs ?? 15_000;
  /** Alert ids the hub confirmed (a retry of one of them is done at once), oldest first. */
  const confirmed = new Set<string>();
  /** Deliveries waiting for the hub's confirmation, by alert id. */
  const awaitingAck = new Map<string, () => void>();
  let onHubHeard: () => void = () => {};

  function confirm(id: string): void {
    confirmed.add(id);
    if (confirmed.size > 10_000) confirmed.delete(confirmed.values().next().value as string);
    awaitingAck.get(id)?.();
    onHubHeard();
  }
  let client: MqttClient | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let seq = 0;
  let openIncidents: () => number = () => 0;

  const status = (s: RoomStatusMessage) => JSON.stringify(s);

  function beat(): void {
    if (!client?.connected) return;
    seq++;
    client.publish(topics.heartbeat, JSON.stringify({ at: Date.now(), seq, open: openIncidents() }), { qos: 0 });
  }

  const hubChannel: DeliveryChannel = {
    name: HUB_CHANNEL,
    describe: (entry) => `${entry.notice.kind} ${entry.notice.rule ?? ""}`.trim(),
    async deliver(entry) {
      if (!client?.connected) {
        return { ok: false, retryable: true, unreachable: true, error: "the broker is not connected" };
      }
      const message: RoomAlertMessage = { id: alertMessageId(opts.roomId, entry), notice: entry.notice };
      if (confirmed.has(message.id)) return { ok: true, ref: message.id };
      let timer: NodeJS.Timeout | undefined;
      const acked = new Promise<boolean>((resolve) => {
        awaitingAck.set(message.id, () => resolve(true));
        timer = setTimeout(() => resolve(false), hubAckTimeoutMs);
      });
      try {
        await publishAcked(client, topics.alerts, JSON.stringify(message), { timeoutMs: publishTimeoutMs });
        if (await acked) return { ok: true, ref: message.id };
        return {
          ok: false,
          retryable: true,
          unreachable: true,
          error: `the hub did not confirm it within ${Math.round(hubAckTimeoutMs / 1000)} s (is the hub running?)`,
        };
      } catch (err) {
        return { ok: false, retryable: true, unreachable: true, error: (err as Error).message };
      } finally {
        clearTimeout(timer);
        awaitingAck.delete(message.id);
      }
    },
  };

  return {
    hubChannel,
    connected: () => client?.connected === true,
    async start(hooks) {
      if (client) return;
      if (hooks.openIncidents) openIncidents = hooks.openIncidents;
      const will: IClientOptions["will"] = {
        topic: topics.status,
        payload: Buffer.from(status({ state: "offline", at: Date.now(), reason: "connection lost" })),
        qos: 1,
        retain: true,
      };
      client = await connectBroker({
        broker: opts.broker,
        clientId: `seroma-${opts.roomId}`,
        logger: opts.logger,
        will,
        keepaliveSeconds: Math.max(2, Math.min(30, Math.round(opts.heartbeatMs / 1000))),
        ...(opts.reconnectMs !== undefined ? { reconnectMs: opts.reconnectMs } : {}),
      });
      const c = client;
      const staff = staffTopic(opts.prefix);
      if (hooks.onHubHeard) onHubHeard = hooks.onHubHeard;
      c.on("message", (topic, payload) => {
        if (topic === staff) {
          hooks.onStaffList?.(payload);
          return;
        }
        if (topic !== topics.commands) return;
        const ack = parseAlertAck(payload);
        if (ack) {
          confirm(ack);
          return;
        }
        const command = parseCommand(payload);
        if (!command) {
          log.warn({ bytes: payload.length }, "a command from the hub could not be read; ignored");
          return;
        }
        if (command.expiresAt < Date.now()) {
          // Queued at the broker while this room was away: whoever asked has had their answer.
          log.info({ id: command.id, name: command.name }, "an expired command from the hub ignored");
          return;
        }
        /** The answer, then its photo or clip in parts; QoS 1 keeps them in order. */
        const reply = (r: Omit<RoomResponse, "media">, media?: Buffer) => {
          for (const message of responseMessages(r, media))
            c.publish(topics.responses, message, { qos: 1 }, (err) => {
              if (err) log.warn({ err: err.message, id: command.id }, "could not answer the hub");
            });
        };
        if (!hooks.answer) {
          reply({ id: command.id, ok: false, error: "commands are not answered here" });
          return;
        }
        log.info({ id: command.id, name: command.name, by: command.args?.by?.id }, "a command from the hub");
        hooks.answer(command).then(
          (a) => reply({ id: command.id, ok: true, result: a.result }, a.media),
          (err: unknown) => {
            const e = err as { message?: string; code?: unknown };
            reply({
              id: command.id,
              ok: false,
              error: String(e?.message ?? err),
              ...(typeof e?.code === "string" ? { code: e.code } : {}),
            });
          },
        );
      });
      c.on("connect", () => {
        c.publish(topics.status, status({ state: "online", at: Date.now() }), { qos: 1, retain: true });
        // Commands for this room (request/response with the hub, correlated by id).
        c.subscribe(topics.commands, { qos: 1 });
        // The staff list (retained: the broker sends the latest on every subscription).
        if (hooks.onStaffList) c.subscribe(staff, { qos: 1 });
        beat();
        hooks.onConnected?.();
      });
      heartbeat = setInterval(beat, opts.heartbeatMs);
      heartbeat.unref?.();
      log.info(
        { prefix: opts.prefix, everyMs: opts.heartbeatMs },
        `room agent: reporting to the hub through ${brokerName(opts.broker.url)} as ${opts.roomId}`,
      );
    },
    async stop() {
      if (heartbeat) clearInterval(heartbeat);
      heartbeat = undefined;
      const c = client;
      client = undefined;
      if (!c) return;
      if (c.connected) {
        await publishAcked(c, topics.status, status({ state: "offline", at: Date.now(), reason: "stopped" }), {
          retain: true,
          timeoutMs: 1_000,
        }).catch(() => {});
      }
      await c.endAsync(!c.connected).catch(() => {});
    },
  };
}
