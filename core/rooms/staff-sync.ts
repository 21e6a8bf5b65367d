/**
 * Staff cards shared by the rooms of a SQLite site (README, "Several rooms": staff are enrolled
 * at the hub, through its bot). The hub publishes its whole card register on `PREFIX/staff`
 * (retained, QoS 1) whenever it changes and on every connection; each room applies it to its
 * own staff table, so its door decides from a local copy when the hub or the broker is down.
 *
 * What travels: card UID, name, role, active, rooms; never Telegram ids (a room runs no bot).
 * A room applies a list as a mirror, in one transaction: new cards added, changed ones
 * updated, cards no longer listed deactivated (never deleted: the access log keeps naming
 * them). A malformed or oversized list, or an empty one while the room has cards (a hub on a
 * fresh database), is refused and the room keeps its copy.
 */
import { normalizeUid } from "../door/card-uid.ts";
import type { StaffMember, StaffRole } from "../door/ports.ts";
import { ROOM_ID_PATTERN } from "./topics.ts";

/** A staff list larger than this is refused (AWS IoT Core's own limit is 128 KiB a message). */
export const MAX_STAFF_LIST_BYTES = 256 * 1024;
export const MAX_STAFF_CARDS = 5_000;
const MAX_NAME = 200;
const MAX_ROOMS = 100;

/** One card as the rooms see it. */
export interface SharedCard {
  cardUid: string;
  name: string;
  role: StaffRole;
  active: boolean;
  /** Absent: every room. */
  rooms?: string[];
}

export interface StaffListMessage {
  /** When the hub read its register (ms). */
  at: number;
  /** Sorted by card UID. */
  cards: SharedCard[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

/** The card as shared (no Telegram link, no who/when). */
export function sharedCard(m: StaffMember): SharedCard {
  return {
    cardUid: m.cardUid,
    name: m.name,
    role: m.role,
    active: m.active,
    ...(m.rooms !== undefined ? { rooms: [...new Set(m.rooms)].sort() } : {}),
  };
}

/** The cards to publish, in a stable order (so an unchanged register gives the same bytes). */
export function sharedCards(members: readonly StaffMember[]): SharedCard[] {
  return members.map(sharedCard).sort((a, b) => (a.cardUid < b.cardUid ? -1 : a.cardUid > b.cardUid ? 1 : 0));
}

/** Reads a staff list from the hub, field by field; undefined (and why) for anything else. */
export function parseStaffList(
  payload: Buffer | string,
): { ok: true; list: StaffListMessage } | { ok: false; error: string } {
  const bytes = typeof payload === "string" ? Buffer.byteLength(payload) : payload.length;
  if (bytes > MAX_STAFF_LIST_BYTES) return { ok: false, error: `too large (${bytes} bytes)` };
  let v: unknown;
  try {
    v = JSON.parse(payload.toString());
  } catch {
    return { ok: false, error: "not JSON" };
  }
  if (!isObject(v) || typeof v.at !== "number" || !Array.isArray(v.cards))
    return { ok: false, error: "not a staff list" };
  if (v.cards.length > MAX_STAFF_CARDS) return { ok: false, error: `too many cards (${v.cards.length})` };
  const cards: SharedCard[] = [];
  const seen = new Set<string>();
  for (const [i, c] of v.cards.entries()) {
    const bad = (why: string) => ({ ok: false as const, error: `card ${i}: ${why}` });
    if (!isObject(c)) return bad("not an object");
    if (typeof c.cardUid !== "string" || normalizeUid(c.cardUid) !== c.cardUid) return bad("invalid card UID");
    if (seen.has(c.cardUid)) return bad(`card ${c.cardUid} listed twice`);
    seen.add(c.cardUid);
    if (typeof c.name !== "string" || c.name.trim() === "" || c.name.length > MAX_NAME) return bad("invalid name");
    if (c.role !== "admin" && c.role !== "staff") return bad("invalid role");
    if (typeof c.active !== "boolean") return bad("invalid active");
    let rooms: string[] | undefined;
    if (c.rooms !== undefined) {
      if (
        !Array.isArray(c.rooms) ||
        c.rooms.length > MAX_ROOMS ||
        !c.rooms.every((r): r is string => typeof r === "string" && ROOM_ID_PATTERN.test(r))
      )
        return bad("invalid rooms");
      rooms = [...new Set(c.rooms)].sort();
    }
    cards.push({
      cardUid: c.cardUid,
      name: c.name,
      role: c.role,
      active: c.active,
      ...(rooms ? { rooms } : {}),
    });
  }
  return { ok: true, list: { at: v.at, cards } };
}

/** What applying a list changes in a room's register. */
export interface MirrorPlan {
  add: SharedCard[];
  /** Cards whose name, role, rooms or active state differ (the shared values). */
  update: SharedCard[];
  /** Active cards the list no longer names. */
  deactivate: string[];
}

const sameList = (a: readonly string[] | undefined, b: readonly string[] | undefined) =>
  a === undefined || b === undefined ? a === b : a.length === b.length && a.every((r, i) => r === b[i]);

/** What a mirror compares of a room's cards. */
export type MirroredFields = Pick<StaffMember, "cardUid" | "name" | "role" | "active" | "rooms">;

export function planMirror(local: readonly MirroredFields[], cards: readonly SharedCard[]): MirrorPlan {
  const mine = new Map(local.map((m) => [m.cardUid, m]));
  const listed = new Set(cards.map((c) => c.cardUid));
  const plan: MirrorPlan = { add: [], update: [], deactivate: [] };
  for (const c of cards) {
    const m = mine.get(c.cardUid);
    if (!m) plan.add.push(c);
    else {
      const localRooms = m.rooms === undefined ? undefined : [...new Set(m.rooms)].sort();
      if (m.name !== c.name || m.role !== c.role || m.active !== c.active || !sameList(localRooms, c.rooms))
        plan.update.push(c);
    }
  }
  for (const m of local) if (m.active && !listed.has(m.cardUid)) plan.deactivate.push(m.cardUid);
  return plan;
}

/** A room's staff register that can take the hub's list (SQLite; the AWS backend is shared already). */
export interface StaffMirrorStore {
  /** Applies `cards` as a mirror in one transaction; `at` stamps new and deactivated cards. */
  apply(cards: readonly SharedCard[], at: number): Promise<{ added: number; updated: number; deactivated: number }>;
}
