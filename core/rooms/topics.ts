/**
 * Several rooms, one hub: what travels between them over MQTT, and under which topics.
 * One prefix per site (MQTT_TOPIC_PREFIX, e.g. `seroma/berlin`):
 *
 *   PREFIX/rooms/ROOM/status     room -> hub  retained, QoS 1: online | offline (the Last Will)
 *   PREFIX/rooms/ROOM/heartbeat  room -> hub  QoS 0, every MQTT_HEARTBEAT_SECONDS
 *   PREFIX/rooms/ROOM/alerts     room -> hub  QoS 1: one notice of the room's outbox each
 *   PREFIX/rooms/ROOM/responses  room -> hub  QoS 1: answers to commands (correlated)
 *   PREFIX/commands/ROOM         hub -> room  QoS 1: commands for that room, and `{ ack: id }`
 *                                             confirming an alert is in the hub's outbox
 *   PREFIX/staff                 hub -> rooms retained, QoS 1: the staff cards (staff-sync.ts;
 *                                             SQLite sites: each room keeps a copy)
 *
 * A room writes only under its own `PREFIX/rooms/ROOM/` and reads only its own command
 * topic and the hub's staff list; only the hub writes the staff list; the broker enforces it (README, "Several rooms": the mosquitto ACL and the AWS IoT
 * policy), so ROOM in a topic is who sent it (the client certificate's CN).
 */
import type { Notice } from "../alerts/types.ts";

export const ROOM_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,39}$/;

export const roomTopics = (prefix: string, room: string) => ({
  status: `${prefix}/rooms/${room}/status`,
  heartbeat: `${prefix}/rooms/${room}/heartbeat`,
  alerts: `${prefix}/rooms/${room}/alerts`,
  responses: `${prefix}/rooms/${room}/responses`,
  commands: `${prefix}/commands/${room}`,
});

/** The staff list the hub publishes and every room reads (retained). */
export const staffTopic = (prefix: string) => `${prefix}/staff`;

/** What the hub subscribes to (every room's status, heartbeat, alerts and responses). */
export const hubSubscriptions = (prefix: string) => ({
  status: `${prefix}/rooms/+/status`,
  heartbeat: `${prefix}/rooms/+/heartbeat`,
  alerts: `${prefix}/rooms/+/alerts`,
  responses: `${prefix}/rooms/+/responses`,
});

export type RoomMessageKind = "status" | "heartbeat" | "alerts" | "responses";

/** "seroma/site/rooms/dc-1/alerts" -> { room: "dc-1", kind: "alerts" }; undefined for anything else. */
export function parseRoomTopic(prefix: string, topic: string): { room: string; kind: RoomMessageKind } | undefined {
  if (!topic.startsWith(`${prefix}/rooms/`)) return undefined;
  const [room, kind, ...rest] = topic.slice(prefix.length + "/rooms/".length).split("/");
  if (rest.length > 0 || !room || !ROOM_ID_PATTERN.test(room)) return undefined;
  if (kind !== "status" && kind !== "heartbeat" && kind !== "alerts" && kind !== "responses") return undefined;
  return { room, kind };
}

export interface RoomStatusMessage {
  state: "online" | "offline";
  at: number;
  /** offline: why ("connection lost" from the Last Will, "stopped" on a clean stop). */
  reason?: string;
}

export interface RoomHeartbeatMessage {
  at: number;
  seq: number;
  /** Open incidents in the room. */
  open?: number;
}

export interface RoomAlertMessage {
  /** Unique per notice and room, the same on every retry: the hub de-duplicates by it. */
  id: string;
  notice: Notice;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

function parseJson(payload: Buffer | string): unknown {
  try {
    return JSON.parse(payload.toString());
  } catch {
    return undefined;
  }
}

/** The id in the hub's confirmation of an alert (`{ ack: id }` on the room's command topic: it is in the hub's outbox); undefined for anything else. */
export function parseAlertAck(payload: Buffer | string): string | undefined {
  const v = parseJson(payload);
  return isObject(v) && typeof v.ack === "string" && v.ack.length <= 200 && v.name === undefined ? v.ack : undefined;
}

export function parseStatus(payload: Buffer | string): RoomStatusMessage | undefined {
  const v = parseJson(payload);
  if (!isObject(v) || (v.state !== "online" && v.state !== "offline") || typeof v.at !== "number") return undefined;
  return { state: v.state, at: v.at, ...(typeof v.reason === "string" ? { reason: v.reason.slice(0, 200) } : {}) };
}

export function parseHeartbeat(payload: Buffer | string): RoomHeartbeatMessage | undefined {
  const v = parseJson(payload);
  if (!isObject(v) || typeof v.at !== "number" || typeof v.seq !== "number") return undefined;
  return { at: v.at, seq: v.seq, ...(typeof v.open === "number" ? { open: v.open } : {}) };
}

const NOTICE_KINDS = new Set<string>([
  "raised",
  "escalated",
  "reminder",
  "recovered",
  "started",
  "summary",
  "backup-failed",
  "undeliverable",
  "database-replaced",
]);

/** An alert message, checked field by field (it comes from another machine). */
export function parseAlert(payload: Buffer | string): RoomAlertMessage | undefined {
  const v = parseJson(payload);
  if (!isObject(v) || typeof v.id !== "string" || v.id.length > 200 || !isObject(v.notice)) return undefined;
  const n = v.notice;
  if (typeof n.kind !== "string" || !NOTICE_KINDS.has(n.kind)) return undefined;
  if (n.severity !== "warning" && n.severity !== "critical" && n.severity !== "info") return undefined;
  if (typeof n.at !== "number" || !isObject(n.details)) return undefined;
  const details: Notice["details"] = {};
  for (const [k, val] of Object.entries(n.details)) {
    if (typeof val === "string") details[k] = val.slice(0, 2000);
    else if (typeof val === "number") details[k] = val;
  }
  return {
    id: v.id,
    notice: {
      kind: n.kind as Notice["kind"],
      roomId: typeof n.roomId === "string" ? n.roomId : "",
      severity: n.severity,
      ...(typeof n.rule === "string" ? { rule: n.rule as NonNullable<Notice["rule"]> } : {}),
      ...(typeof n.incidentId === "string" ? { incidentId: n.incidentId } : {}),
      at: n.at,
      details,
    },
  };
}
