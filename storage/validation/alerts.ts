/**
 * How every storage adapter flattens incidents, outbox entries and audit entries into
 * stored fields and reads them back (SQLite columns and DynamoDB attributes alike): an
 * incident's details and a notice are JSON text, `ackedBy` is two fields (a missing name
 * reads back as ""), and an optional field is absent in the stored record when it is
 * null or undefined there (SQLite stores NULL, DynamoDB leaves the attribute out).
 */

import type { OutboxEntry } from "../../core/alerts/ports.ts";
import type { AuditEntry, Incident, Notice, RuleId } from "../../core/alerts/types.ts";

/** An incident as flat stored fields. */
export interface IncidentRecord {
  id: string;
  roomId: string;
  rule: string;
  severity: string;
  state: string;
  openedAt: number;
  resolvedAt?: number | null;
  /** `details` as JSON. */
  details: string;
  ackedAt?: number | null;
  ackedById?: number | null;
  ackedByName?: string | null;
  lastNotifiedAt: number;
  telegramMessageId?: number | null;
}

/** An incident's stored fields; what it does not have is undefined. */
export function incidentToRecord(i: Incident) {
  return {
    id: i.id,
    roomId: i.roomId,
    rule: i.rule,
    severity: i.severity,
    state: i.state,
    openedAt: i.openedAt,
    resolvedAt: i.resolvedAt,
    details: JSON.stringify(i.details),
    ackedAt: i.ackedAt,
    ackedById: i.ackedBy?.id,
    ackedByName: i.ackedBy?.name,
    lastNotifiedAt: i.lastNotifiedAt,
    telegramMessageId: i.telegramMessageId,
  } satisfies IncidentRecord;
}

export function incidentFromRecord(r: IncidentRecord): Incident {
  const i: Incident = {
    id: r.id,
    roomId: r.roomId,
    rule: r.rule as RuleId,
    severity: r.severity as Incident["severity"],
    state: r.state as Incident["state"],
    openedAt: r.openedAt,
    details: JSON.parse(r.details) as Incident["details"],
    lastNotifiedAt: r.lastNotifiedAt,
  };
  if (r.resolvedAt != null) i.resolvedAt = r.resolvedAt;
  if (r.ackedAt != null) i.ackedAt = r.ackedAt;
  if (r.ackedById != null) i.ackedBy = { id: r.ackedById, name: r.ackedByName ?? "" };
  if (r.telegramMessageId != null) i.telegramMessageId = r.telegramMessageId;
  return i;
}

/** An outbox entry as flat stored fields. */
export interface OutboxRecord {
  id: number;
  channel: string;
  /** The notice as JSON. */
  notice: string;
  createdAt: number;
  attempts: number;
  nextAttemptAt: number;
  deliveredAt?: number | null;
  ref?: string | null;
  lastError?: string | null;
  deadAt?: number | null;
}

export function outboxEntryFromRecord(r: OutboxRecord): OutboxEntry {
  const e: OutboxEntry = {
    id: r.id,
    channel: r.channel,
    notice: JSON.parse(r.notice) as Notice,
    createdAt: r.createdAt,
    attempts: r.attempts,
    nextAttemptAt: r.nextAttemptAt,
  };
  if (r.deliveredAt != null) e.deliveredAt = r.deliveredAt;
  if (r.ref != null) e.ref = r.ref;
  if (r.lastError != null) e.lastError = r.lastError;
  if (r.deadAt != null) e.deadAt = r.deadAt;
  return e;
}

/** An audit entry as flat stored fields. */
export interface AuditRecord {
  at: number;
  roomId: string;
  userId: number;
  userName: string;
  action: string;
  incidentId?: string | null;
  detail?: string | null;
}

export function auditEntryFromRecord(r: AuditRecord): AuditEntry {
  const e: AuditEntry = {
    at: r.at,
    roomId: r.roomId,
    userId: r.userId,
    userName: r.userName,
    action: r.action as AuditEntry["action"],
  };
  if (r.incidentId != null) e.incidentId = r.incidentId;
  if (r.detail != null) e.detail = r.detail;
  return e;
}
