/**
 * A room's copy of the hub's staff list (core/rooms/staff-sync.ts), applied to its SQLite
 * staff table in one transaction. Cards added here are stamped `created_by = 0` (the hub's
 * list, not a person of this room) and `at`; cards deactivated because the list no longer
 * names them get `revoked_by = 0`. Telegram links, which the list does not carry, are left as
 * they are. Nothing is deleted: the access log keeps naming every card it saw.
 */
import type { StaffRole } from "../../core/door/ports.ts";
import {
  type MirroredFields,
  planMirror,
  type SharedCard,
  type StaffMirrorStore,
} from "../../core/rooms/staff-sync.ts";
import { foldName, roomsFromJson } from "../validation/access.ts";
import { roomsJson } from "./access.ts";
import type { SqliteDatabase } from "./database.ts";

/** created_by / revoked_by of changes made by the hub's list. */
export const MIRROR_BY = 0;

export function createSqliteStaffMirror(db: SqliteDatabase): StaffMirrorStore {
  const all = db.prepare<[], { card_uid: string; name: string; role: string; active: number; rooms: string | null }>(
    "SELECT card_uid, name, role, active, rooms FROM staff",
  );
  const insert = db.prepare(
    `INSERT INTO staff (card_uid, name, name_lower, role, active, created_by, created_at, revoked_at, revoked_by, rooms)
     VALUES (@uid, @name, @name_lower, @role, @active, ${MIRROR_BY}, @at, @revoked_at, @revoked_by, @rooms)`,
  );
  const update = db.prepare(
    `UPDATE staff SET name = @name, name_lower = @name_lower, role = @role, rooms = @rooms,
       revoked_at = CASE WHEN @active = 1 THEN NULL WHEN active = 1 THEN @at ELSE revoked_at END,
       revoked_by = CASE WHEN @active = 1 THEN NULL WHEN active = 1 THEN ${MIRROR_BY} ELSE revoked_by END,
       active = @active
     WHERE card_uid = @uid`,
  );
  const deactivate = db.prepare(
    `UPDATE staff SET active = 0, revoked_at = @at, revoked_by = ${MIRROR_BY} WHERE card_uid = @uid AND active = 1`,
  );
  const row = (c: SharedCard, at: number) => ({
    uid: c.cardUid,
    name: c.name,
    name_lower: foldName(c.name),
    role: c.role,
    active: c.active ? 1 : 0,
    rooms: roomsJson(c.rooms),
    at,
  });
  // The read and the writes in one transaction: nothing changes the table in between.
  const run = db.transaction((cards: readonly SharedCard[], at: number) => {
    const local: MirroredFields[] = all.all().map((r) => ({
      cardUid: r.card_uid,
      name: r.name,
      role: r.role as StaffRole,
      active: r.active === 1,
      ...(r.rooms !== null ? { rooms: roomsFromJson(r.rooms) } : {}),
    }));
    const plan = planMirror(local, cards);
    for (const c of plan.add)
      insert.run({ ...row(c, at), revoked_at: c.active ? null : at, revoked_by: c.active ? null : MIRROR_BY });
    for (const c of plan.update) update.run(row(c, at));
    for (const uid of plan.deactivate) deactivate.run({ uid, at });
    return { added: plan.add.length, updated: plan.update.length, deactivated: plan.deactivate.length };
  });
  return {
    async apply(cards, at) {
      return run(cards, at);
    },
  };
}
