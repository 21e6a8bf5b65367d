/** Alert pipeline types: incidents (what is wrong), notices (what we tell people), mutes, audit. */

export type Severity = "warning" | "critical";

/**
 * Rule ids. One open incident per (room, rule) at most.
 *   climate.temperature / climate.humidity: out of the configured band (severity follows the level)
 *   sensor.dead: the climate sensor failed N times in a row
 *   sensor.stuck: the climate sensor reports the very same values for too long
 */
export type RuleId = "climate.temperature" | "climate.humidity" | "sensor.dead" | "sensor.stuck";
export const RULE_IDS: readonly RuleId[] = ["climate.temperature", "climate.humidity", "sensor.dead", "sensor.stuck"];

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

export type NoticeKind = "raised" | "escalated" | "reminder" | "recovered" | "started" | "summary";

/** What the channels deliver: self-contained, rendered per channel at delivery time. */
export interface Notice {
  kind: NoticeKind;
  roomId: string;
  severity: Severity | "info";
  rule?: RuleId;
  incidentId?: string;
  /** When the condition was observed (not when it is delivered). */
  at: number;
  details: Record<string, string | number>;
}

export interface Mute {
  roomId: string;
  /** A rule id, or "*" for every rule of the room. */
  rule: RuleId | "*";
  until: number;
  by: { id: number; name: string };
}

export interface AuditEntry {
  at: number;
  roomId: string;
  userId: number;
  userName: string;
  action: "ack" | "mute" | "unmute";
  incidentId?: string;
  detail?: string;
}
