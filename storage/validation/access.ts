/**
 * Rules for door access that every storage adapter applies: the case folding of names,
 * and the reading of stored staff records and access-log entries (an optional field that
 * is null or undefined in the stored record is absent: SQLite stores NULL, DynamoDB
 * leaves the attribute out).
 */
import type { AccessDecision, AccessEntry, StaffMember, StaffRole } from "../../core/door/ports.ts";

/**
 * The case folding of staff names, for the stored lower-case name (`name_lower` /
 * `nameLower`) and for search input: Unicode-aware, unlike SQLite's `lower()`.
 */
export const foldName = (name: string): string => name.normalize("NFC").toLowerCase();

/** A staff member as stored fields. */
export interface StaffRecord {
  cardUid: string;
  name: string;
  role: string;
  active: boolean;
  createdBy: number;
  createdAt: number;
  telegramUserId?: number | null;
  revokedAt?: number | null;
  revokedBy?: number | null;
}

export function staffMemberFromRecord(r: StaffRecord): StaffMember {
  const m: StaffMember = {
    cardUid: r.cardUid,
    name: r.name,
    role: r.role as StaffRole,
    active: r.active,
    createdBy: r.createdBy,
    createdAt: r.createdAt,
  };
  if (r.telegramUserId != null) m.telegramUserId = r.telegramUserId;
  if (r.revokedAt != null) m.revokedAt = r.revokedAt;
  if (r.revokedBy != null) m.revokedBy = r.revokedBy;
  return m;
}

/** An access-log entry as stored fields. */
export interface AccessRecord {
  id: number;
  roomId: string;
  at: number;
  cardUid: string;
  staffName?: string | null;
  decision: string;
}

export function accessEntryFromRecord(r: AccessRecord): AccessEntry {
  const e: AccessEntry = {
    id: r.id,
    roomId: r.roomId,
    at: r.at,
    cardUid: r.cardUid,
    decision: r.decision as AccessDecision,
  };
  if (r.staffName != null) e.staffName = r.staffName;
  return e;
}
