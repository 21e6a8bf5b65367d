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
  /** The rooms the card opens; null/absent: every room. */
  rooms?: readonly string[] | null;
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
  if (r.rooms != null) m.rooms = [...r.rooms];
  return m;
}

/**
 * A card's list of rooms as stored: distinct, sorted (so equal lists compare equal);
 * undefined stays undefined (every room).
 */
export function normalizeRooms(rooms: readonly string[] | undefined): string[] | undefined {
  return rooms === undefined ? undefined : [...new Set(rooms)].sort();
}

/** The stored JSON of a card's rooms (SQLite's `rooms` column) read back; anything else is "every room". */
export function roomsFromJson(json: string | null): string[] | undefined {
  if (json === null) return undefined;
  const v: unknown = JSON.parse(json);
  if (!Array.isArray(v) || !v.every((r) => typeof r === "string")) {
    throw new Error(`a card's rooms are not a list of room ids: ${json.slice(0, 100)}`);
  }
  return v;
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
