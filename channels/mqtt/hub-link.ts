/**
 * The hub's side of a multi-room site (ROLE=hub): listens to every room of the site under
 * MQTT_TOPIC_PREFIX, with a persistent session (QoS 1 alerts sent while the hub was away
 * wait at the broker).
 *
 * An alert is acknowledged to the broker (PUBACK) only once `onAlert` resolved, i.e. once
 * the hub has it in its own durable outbox: a hub that dies in between gets it again. The
 * room named in the topic is the sender (the broker's ACL lets a room write only under its
 * own name), whatever the message says.
 */
import type { MqttClient } from "mqtt";
import type { Logger } from "../../core/logger.ts";
import type { BrokerLinkState } from "../../core/rooms/broker-watch.ts";
import { parseResponse, type RoomCommand, type RoomResponse } from "../../core/rooms/commands.ts";
import {
  hubSubscriptions,
  parseAlert,
  parseHeartbeat,
  parseRoomTopic,
  parseStatus,
  type RoomAlertMessage,
  type RoomHeartbeatMessage,
  type RoomStatusMessage,
} from "../../core/rooms/topics.ts";
import { type BrokerSettings, brokerName, connectBroker, publishAcked, trackLink } from "./connection.ts";

export interface HubLinkHandlers {
  status(room: string, message: RoomStatusMessage, retained: boolean): void;
  heartbeat(room: string, message: RoomHeartbeatMessage): void;
  /** Resolves once the alert is stored (the PUBACK waits for it); rejects: not acknowledged, sent again. */
  alert(room: string, message: RoomAlertMessage): Promise<void>;
  /** A room's answer to a command. */
  response?(room: string, message: RoomResponse): void;
}

export interface HubLinkOptions {
  broker: BrokerSettings;
  prefix: string;
  clientId: string;
  logger: Logger;
  handlers: HubLinkHandlers;
  reconnectMs?: number;
}

export interface HubLink {
  start(hooks?: { onConnected?: () => void }): Promise<void>;
  stop(): Promise<void>;
  connected(): boolean;
  /** The link to the broker (the hub's `hub.broker` incident): down since when, the latest error. */
  link(): BrokerLinkState;
  /** Sends a command to a room (QoS 1); resolves once the broker took it. */
  command(room: string, command: RoomCommand): Promise<void>;
}

export function createHubLink(opts: HubLinkOptions): HubLink {
  const log = opts.logger.child({ component: "hub-link" });
  const subs = hubSubscriptions(opts.prefix);
  let client: MqttClient | undefined;
  let tracked: ReturnType<typeof trackLink> | undefined;

  async function handle(topic: string, payload: Buffer, retained: boolean): Promise<void> {
    const where = parseRoomTopic(opts.prefix, topic);
    if (!where) return;
    if (where.kind === "status") {
      const m = parseStatus(payload);
      if (m) opts.handlers.status(where.room, m, retained);
      else log.warn({ room: where.room }, "a room's status message could not be read; ignored");
    } else if (where.kind === "heartbeat") {
      const m = parseHeartbeat(payload);
      if (m) opts.handlers.heartbeat(where.room, m);
    } else if (where.kind === "alerts") {
      const m = parseAlert(payload);
      if (!m) {
        log.warn({ room: where.room, bytes: payload.length }, "a room's alert message could not be read; dropped");
        return;
      }
      await opts.handlers.alert(where.room, m);
    } else if (where.kind === "responses") {
      const m = parseResponse(payload);
      if (m) opts.handlers.response?.(where.room, m);
    }
  }

  return {
    connected: () => client?.connected === true,
    link: () => tracked?.state() ?? { connected: false },
    async command(room, command) {
      const c = client;
      if (!c?.connected) throw new Error("the broker is not connected");
      await publishAcked(c, `${opts.prefix}/commands/${room}`, JSON.stringify(command), { timeoutMs: 5_000 });
    },
    async start(hooks) {
      if (client) return;
      client = await connectBroker({
        broker: opts.broker,
        clientId: opts.clientId,
        logger: opts.logger,
        ...(opts.reconnectMs !== undefined ? { reconnectMs: opts.reconnectMs } : {}),
      });
      const c = client;
      tracked = trackLink(c);
      // Messages are handled one at a time, in order; a QoS 1 message is acknowledged after it.
      c.handleMessage = (packet, done) => {
        if (packet.cmd !== "publish") return done();
        const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
        handle(packet.topic, payload, packet.retain === true).then(
          () => done(),
          (err: unknown) => {
            log.error(
              { err: (err as Error).message, topic: packet.topic },
              "could not take a room's message; the broker sends it again",
            );
            // Not acknowledged (no PUBACK): the connection is dropped so the broker redelivers it
            // on the next one (QoS 1, persistent session).
            c.stream.destroy();
            done(err as Error);
          },
        );
      };
      c.on("connect", () => {
        c.subscribe(
          {
            [subs.status]: { qos: 1 },
            [subs.heartbeat]: { qos: 0 },
            [subs.alerts]: { qos: 1 },
            [subs.responses]: { qos: 1 },
          },
          (err) => {
            if (err) log.error({ err: err.message }, "could not subscribe to the rooms' topics");
            else log.info("subscribed to every room's status, heartbeat and alerts");
          },
        );
        hooks?.onConnected?.();
      });
      log.info(
        { prefix: opts.prefix },
        `hub: listening to the rooms under ${opts.prefix}/rooms/ on ${brokerName(opts.broker.url)}`,
      );
    },
    async stop() {
      const c = client;
      client = undefined;
      tracked = undefined;
      await c?.endAsync(!c.connected).catch(() => {});
    },
  };
}
