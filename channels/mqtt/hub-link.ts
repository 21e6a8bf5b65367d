/**
 * The hub's side of a multi-room site (ROLE=hub): listens to every room of the site under
 * MQTT_TOPIC_PREFIX, with a persistent session (QoS 1 alerts sent while the hub was away
 * wait at the broker).
 *
 * An alert is acknowledged to the broker (PUBACK) only once `onAlert` resolved, i.e. once
 * the hub has it in its own durable outbox: a hub that dies in between gets it again. Then
 * the hub confirms it to its room (`{ ack: id }` on the room's command topic), which lets it
 * go from the room's outbox only then. The
 * room named in the topic is the sender (the broker's ACL lets a room write only under its
 * own name), whatever the message says.
 */
import type { MqttClient } from "mqtt";
import type { Logger } from "../../core/logger.ts";
import { MEDIA_MAX_BYTES, parseResponse, type RoomCommand, type RoomResponse } from "../../core/rooms/commands.ts";
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
import { type BrokerSettings, brokerName, connectBroker, publishAcked } from "./connection.ts";

export interface HubLinkHandlers {
  status(room: string, message: RoomStatusMessage, retained: boolean): void;
  heartbeat(room: string, message: RoomHeartbeatMessage): void;
  /** Resolves once the alert is stored (the PUBACK waits for it); rejects: not acknowledged, sent again. */
  alert(room: string, message: RoomAlertMessage): Promise<void>;
  /** A room's answer to a command, with its photo or clip once every part arrived. */
  response?(room: string, message: RoomResponse, media?: Buffer): void;
  /** Whether an answer is still awaited (only those have their media put together). */
  awaiting?(room: string, id: string): boolean;
}

/** A photo or clip whose parts have not all arrived, dropped when none came for this long. */
const MEDIA_IDLE_MS = 60_000;

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
  /** Sends a command to a room (QoS 1); resolves once the broker took it. */
  command(room: string, command: RoomCommand): Promise<void>;
  /** Publishes to the site (QoS 1, e.g. the retained staff list); resolves once the broker took it. */
  publish(topic: string, payload: string, opts?: { retain?: boolean }): Promise<void>;
}

export function createHubLink(opts: HubLinkOptions): HubLink {
  const log = opts.logger.child({ component: "hub-link" });
  const subs = hubSubscriptions(opts.prefix);
  let client: MqttClient | undefined;
  /** Answers whose media is still arriving, by command id. */
  const assembling = new Map<
    string,
    { room: string; response: RoomResponse; parts: Array<Buffer | undefined>; got: number; timer: NodeJS.Timeout }
  >();
  let assemblingBytes = 0;

  function dropAssembly(id: string): void {
    const a = assembling.get(id);
    if (!a) return;
    clearTimeout(a.timer);
    assembling.delete(id);
    assemblingBytes -= a.response.media?.bytes ?? 0;
  }

  function idle(id: string): NodeJS.Timeout {
    const timer = setTimeout(() => {
      const a = assembling.get(id);
      log.warn(
        { id, room: a?.room, got: a?.got, parts: a?.parts.length },
        "a room's photo or clip stopped arriving; dropped",
      );
      dropAssembly(id);
    }, MEDIA_IDLE_MS);
    timer.unref?.();
    return timer;
  }

  function response(room: string, payload: Buffer): void {
    const m = parseResponse(payload);
    if (!m) {
      log.warn({ room, bytes: payload.length }, "a room's answer could not be read; ignored");
      return;
    }
    if ("part" in m) {
      const a = assembling.get(m.id);
      if (!a || a.room !== room || m.part >= a.parts.length || a.parts[m.part]) return; // not awaited, or a copy
      a.parts[m.part] = m.data;
      a.got++;
      a.timer.refresh();
      if (a.got < a.parts.length) return;
      dropAssembly(m.id);
      const media = Buffer.concat(a.parts as Buffer[]);
      if (media.length !== a.response.media?.bytes) {
        log.warn(
          { room, id: m.id, bytes: media.length },
          "a room's photo or clip arrived with the wrong size; dropped",
        );
        opts.handlers.response?.(room, { id: m.id, ok: false, error: "the photo or clip arrived damaged" });
        return;
      }
      opts.handlers.response?.(room, a.response, media);
      return;
    }
    if (!m.media) {
      opts.handlers.response?.(room, m);
      return;
    }
    if (assembling.has(m.id) || !(opts.handlers.awaiting?.(room, m.id) ?? false)) return;
    if (assemblingBytes + m.media.bytes > 2 * MEDIA_MAX_BYTES) {
      opts.handlers.response?.(room, { id: m.id, ok: false, error: "the hub is receiving too much media at once" });
      return;
    }
    assemblingBytes += m.media.bytes;
    assembling.set(m.id, {
      room,
      response: m,
      parts: new Array<Buffer | undefined>(m.media.parts).fill(undefined),
      got: 0,
      timer: idle(m.id),
    });
  }

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
      // In this hub's outbox (or a copy of what is): the room may let it go. QoS 1 on the
      // room's command topic, so a room that is away gets it when it is back.
      client?.publish(`${opts.prefix}/commands/${where.room}`, JSON.stringify({ ack: m.id }), { qos: 1 });
    } else if (where.kind === "responses") {
      response(where.room, payload);
    }
  }

  return {
    connected: () => client?.connected === true,
    async command(room, command) {
      const c = client;
      if (!c?.connected) throw new Error("the broker is not connected");
      await publishAcked(c, `${opts.prefix}/commands/${room}`, JSON.stringify(command), { timeoutMs: 5_000 });
    },
    async publish(topic, payload, publishOpts) {
      const c = client;
      if (!c?.connected) throw new Error("the broker is not connected");
      await publishAcked(c, topic, payload, { retain: publishOpts?.retain ?? false, timeoutMs: 5_000 });
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
      for (const id of [...assembling.keys()]) dropAssembly(id);
      const c = client;
      client = undefined;
      await c?.endAsync(!c.connected).catch(() => {});
    },
  };
}
