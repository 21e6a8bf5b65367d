/** Alert pipeline types: incidents (what is wrong), notices (what we tell people), mutes, audit. */

export type Severity = "warning" | "critical";

/**
 * Rule ids. One open incident per (room, rule) at most.
 *   climate.temperature / climate.humidity: out of the configured band (severity follows the level)
 *   sensor.dead: the climate sensor failed N times in a row
 *   sensor.stuck: the climate sensor reports the very same values for too long
 *   reader.dead: the door's card reader stopped answering
 *   camera.dead: a capture failed or timed out (cleared by the next good capture)
 *   motion.dead: the motion sensor stopped working
 *   storage.write: the console cannot write its own database (disk full, SD card failing);
 *     alerts are held in memory and still sent; resolved by the first write that works
 *   storage.space: DATA_DIR's file system is running out of space (warning, then critical)
 *   clock.unsynced: the system clock is not synchronised (NTP); office hours, and so what is
 *     a breach, are judged on it
 *   power.undervoltage: the Pi's supply is too weak right now (critical)
 *   power.throttled: the Pi is throttled or its CPU capped right now (heat or power)
 *   device.missing:DEVICE: on a Raspberry Pi, a device (climate, cards, display, camera,
 *     motion) was not found and is simulated, or stopped; one per device
 * Event rules (each occurrence is its own incident, recorded as resolved at once and
 * acknowledgeable; no reminders, no recovery):
 *   door.breach: a known card at the door outside office hours
 *   door.unknown-card / door.revoked-card: a card that is not (or no longer) enrolled
 *   door.wrong-room-card: an active card that does not open this room's door (its rooms)
 *   room.motion: motion in the room outside office hours or while armed
 *   power.undervoltage-seen: the firmware says under-voltage happened since the last look
 *     (too short to be caught "now")
 * Server conditions, one per host (`server.KIND:HOST`), raised and cleared by the
 * server-check job: down (unreachable N runs in a row), disk (a mount over its
 * threshold), service (a listed systemd unit not active), journal (new errors since
 * the last check).
 * Rooms of a site, one per room (`room.silent:ROOM`), raised by the hub (ROLE=hub): the
 * room's agent has not been heard for ROOM_SILENT_AFTER_SECONDS, or its Last Will said it
 * went offline; resolved when it is heard again.
 * The hub's own link (`hub.broker`, critical, raised by the hub): it has not reached the
 * site's broker for ROOM_SILENT_AFTER_SECONDS (details: broker, since, seconds, error), so
 * it hears no room meanwhile; resolved when it is connected again.
 */
export type ConditionRuleId =
  | "climate.temperature"
  | "climate.humidity"
  | "sensor.dead"
  | "sensor.stuck"
  | "reader.dead"
  | "camera.dead"
  | "motion.dead"
  | "storage.write"
  | "storage.space"
  | "clock.unsynced"
  | "power.undervoltage"
  | "power.throttled"
  | DeviceMissingRuleId
  | ServerRuleId
  | RoomSilentRuleId
  | "hub.broker";
/** The devices a room has (one `device.missing:` rule each). */
export const ROOM_DEVICES = ["climate", "cards", "display", "camera", "motion"] as const;
export type RoomDevice = (typeof ROOM_DEVICES)[number];
export type DeviceMissingRuleId = `device.missing:${RoomDevice}`;

/** "device.missing:camera" -> "camera"; undefined for other rules. */
export function parseDeviceMissingRule(rule: string): RoomDevice | undefined {
  const m = /^device\.missing:([a-z]+)$/.exec(rule);
  const device = m?.[1] as RoomDevice | undefined;
  return device && ROOM_DEVICES.includes(device) ? device : undefined;
}
export const SERVER_CHECK_KINDS = ["down", "disk", "service", "journal", "load", "memory"] as const;
export type ServerCheckKind = (typeof SERVER_CHECK_KINDS)[number];
export type ServerRuleId = `server.${ServerCheckKind}:${string}`;

/** "server.disk:web1" -> { kind: "disk", host: "web1" }; undefined for other rules. */
export function parseServerRule(rule: string): { kind: ServerCheckKind; host: string } | undefined {
  const m = /^server\.([a-z]+):(.+)$/.exec(rule);
  const kind = m?.[1] as ServerCheckKind | undefined;
  if (!m || !kind || !SERVER_CHECK_KINDS.includes(kind)) return undefined;
  return { kind, host: m[2] ?? "" };
}

export type RoomSilentRuleId = `room.silent:${string}`;

/** "room.silent:dc-1" -> "dc-1"; undefined for other rules. */
export function parseRoomSilentRule(rule: string): string | undefined {
  const m = /^room\.silent:([a-z0-9][a-z0-9_-]{0,39})$/.exec(rule);
  return m?.[1];
}

/** Conditions of a device that is either working or not. */
export type DeviceRuleId = "reader.dead" | "camera.dead" | "motion.dead" | "storage.write";
/** Conditions with a level, set and cleared by a job that measures them (servers, disk space, the Pi's health, devices). */
export type LeveledRuleId =
  | ServerRuleId
  | "storage.space"
  | "clock.unsynced"
  | "power.undervoltage"
  | "power.throttled"
  | DeviceMissingRuleId
  | RoomSilentRuleId
  | "hub.broker";
export type EventRuleId =
  | "door.breach"
  | "door.unknown-card"
  | "door.revoked-card"
  | "door.wrong-room-card"
  | "room.motion"
  | "power.undervoltage-seen";
export type RuleId = ConditionRuleId | EventRuleId;
/** The fixed rules (server rules are per host and not listed). */
export const RULE_IDS: readonly RuleId[] = [
  "climate.temperature",
  "climate.humidity",
  "sensor.dead",
  "sensor.stuck",
  "reader.dead",
  "camera.dead",
  "motion.dead",
  "storage.write",
  "storage.space",
  "clock.unsynced",
  "power.undervoltage",
  "power.throttled",
  "hub.broker",
  "door.breach",
  "door.unknown-card",
  "door.revoked-card",
  "door.wrong-room-card",
  "room.motion",
  "power.undervoltage-seen",
];
export const EVENT_RULES: ReadonlySet<RuleId> = new Set<RuleId>([
  "door.breach",
  "door.unknown-card",
  "door.revoked-card",
  "door.wrong-room-card",
  "room.motion",
  "power.undervoltage-seen",
]);

export interface Incident {
  id: string;
  roomId: string;
  rule: RuleId;
  severity: Severity;
  state: "open" | "resolved";
  openedAt: number;
  resolvedAt?: number;
  /** Values for the message: value, unit, direction, limit, reason... */
  details: Record<string, string | number>;
  ackedAt?: number;
  ackedBy?: { id: number; name: string };
  /** Last time anyone was told about it (raise, escalation, reminder). */
  lastNotifiedAt: number;
  /** The Telegram message that announced it (for replies and edits). */
  telegramMessageId?: number;
}

/**
 * Whether nobody needs to act on the incident any more: acknowledged, or resolved (an event
 * incident, a breach..., is resolved at once but still wants its acknowledgement). A settled
 * incident's alert card carries no buttons.
 */
export function isSettled(i: Pick<Incident, "ackedAt" | "state" | "rule">): boolean {
  return i.ackedAt !== undefined || (i.state === "resolved" && !EVENT_RULES.has(i.rule));
}

export type NoticeKind =
  | "raised"
  | "escalated"
  | "reminder"
  | "recovered"
  | "started"
  | "summary"
  /** The nightly backup failed (details.error). */
  | "backup-failed"
  /**
   * A notice could not be delivered to a channel and never will be (details: channel,
   * error, what = a short plain-text rendering of it, outboxId). Goes to the other channels
   * and to the admins' private chats.
   */
  | "undeliverable"
  /**
   * The database could not be opened at start and was set aside; the console started on a
   * fresh one (details: file, setAside, error, backup = the newest backup, if any).
   */
  | "database-replaced";

/** What the channels deliver: self-contained, rendered per channel at delivery time. */
export interface Notice {
  kind: NoticeKind;
  roomId: string;
  severity: Severity | "info";
  rule?: RuleId;
  incidentId?: string;
  /** On a hub, another room's alert: the incident's id in that room (its Acknowledge is asked of the room). */
  roomIncidentId?: string;
  /** When the condition was observed (not when it is delivered). */
  at: number;
  details: Record<string, string | number>;
}

export interface Mute {
  roomId: string;
  /** A rule id, "*" for every rule of the room, or a family: "server.*", "device.*", "power.*". */
  rule: RuleId | "*" | MuteFamily;
  until: number;
  by: { id: number; name: string };
}

/** Rule families a mute can cover at once. */
export type MuteFamily = "server.*" | "device.*" | "power.*";

/** Whether a mute of `muted` covers `rule`. */
export function muteCovers(muted: Mute["rule"], rule: RuleId): boolean {
  if (muted === "*" || muted === rule) return true;
  return muted.endsWith(".*") && rule.startsWith(muted.slice(0, -1));
}

export interface AuditEntry {
  at: number;
  roomId: string;
  userId: number;
  userName: string;
  action:
    | "ack"
    | "mute"
    | "unmute"
    | "enroll"
    | "revoke"
    | "restore"
    /** The rooms a card opens were set (/staff rooms). */
    | "staff-rooms"
    | "link"
    | "unlink"
    | "link-refused"
    | "arm"
    | "disarm"
    | "server-add"
    | "server-remove"
    | "backup"
    /** The dashboard (web/): a login by /web link or Mini App, a logout, an invite made there. */
    | "login"
    | "logout"
    | "invite"
    /** A one-time login link to the dashboard was made (/web). */
    | "web-link";
  incidentId?: string;
  detail?: string;
}

/** An incident change and the notices it causes: written all together or not at all. */
export interface AlertWrite {
  incident?: { op: "insert" | "update"; value: Incident };
  notices: ReadonlyArray<{ notice: Notice; channels: readonly string[] }>;
  at: number;
}

/**
 * Writes the alert pipeline's changes so that an incident is never stored without the
 * notice that announces it (and the other way round): an outbox row exists exactly when
 * its incident change is stored, even across a crash.
 *   - SQLite: one transaction.
 *   - AWS (incidents on DynamoDB, the outbox on the Pi): the incident change is first
 *     journalled in the local database in the same transaction as the outbox rows, then
 *     applied to DynamoDB and the journal entry dropped; `repair()` applies what a crash or
 *     an outage left in the journal (at start, and every minute).
 */
export interface AlertLedger {
  /** Returns the new outbox ids, in notice and channel order. Rejects (and writes nothing) if it cannot. */
  commit(write: AlertWrite): Promise<number[]>;
  /** Applies journalled incident changes still waiting; `pending` is what is left after trying. */
  repair(): Promise<{ applied: number; pending: number }>;
}
