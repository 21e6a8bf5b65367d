/**
 * SQLite adapters for door access: the staff card register (shared by every room)
 * and the per-room access log.
 *
 * Choices the port leaves open:
 * - A Telegram account links to at most one card (UNIQUE in the schema). `linkTelegram`
 *   (and `add` with a `telegramUserId`) onto an account already linked to another card
 *   throws a `TelegramAlreadyLinkedError`; `undefined` keeps meaning "no such card".
 *   Linking an account to the card it is already linked to is a no-op.
 * - `linkTelegramIfUnlinked` / `unlinkTelegramIfLinkedTo` are single UPDATEs whose WHERE
 *   carries the condition (free and active / still that account); when nothing matched, the
 *   card is read to say why.
 * - `findByName` trims the query and returns [] for an empty one. Case folding is
 *   `normalize("NFC").toLowerCase()` on both sides (Unicode-aware, unlike SQLite's
 *   `lower()`). Exact matches come first, then the other prefix matches, each group
 *   sorted by name; `%`, `_` and `\` in the query are taken literally.
 * - `setActive(uid, false)` on a card that is already revoked keeps the original
 *   revokedAt/revokedBy; restoring clears them (the record has no "restored" fields:
 *   who restored a card belongs in an audit trail).
 * - A `limit` below 1 (or NaN) returns no rows (SQLite reads LIMIT -1 as "no limit").
 */
import {
  type AccessEntry,
  type AccessLogRepository,
  type LinkResult,
  type StaffMember,
  type StaffRepository,
  TelegramAlreadyLinkedError,
} from "../../core/door/ports.ts";
import {
  accessEntryFromRecord,
  foldName,
  normalizeRooms,
  roomsFromJson,
  staffMemberFromRecord,
} from "../validation/access.ts";
import { rowLimit } from "../validation/limits.ts";
import type { SqliteDatabase } from "./database.ts";

// The case folding of names is shared with the DynamoDB adapter (storage/validation/access.ts).
export { foldName, TelegramAlreadyLinkedError };

/** Escapes LIKE's wildcards (and the escape character itself) for `ESCAPE '\'`. */
export const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

const constraintCode = (err: unknown): string | undefined => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("SQLITE_CONSTRAINT") ? code : undefined;
};

interface StaffRow {
  card_uid: string;
  name: string;
  name_lower: string;
  role: string;
  telegram_user_id: number | null;
  active: number;
  created_by: number;
  created_at: number;
  revoked_at: number | null;
  revoked_by: number | null;
  rooms: string | null;
}

// Columns are the shared stored fields (storage/validation/access.ts) in snake_case, NULL for absent.

function toMember(r: StaffRow): StaffMember {
  return staffMemberFromRecord({
    cardUid: r.card_uid,
    name: r.name,
    role: r.role,
    active: r.active === 1,
    createdBy: r.created_by,
    createdAt: r.created_at,
    telegramUserId: r.telegram_user_id,
    revokedAt: r.revoked_at,
    revokedBy: r.revoked_by,
    rooms: roomsFromJson(r.rooms),
  });
}

/** The `rooms` column's value: a JSON array (distinct, sorted), or NULL for every room. */
export const roomsJson = (rooms: readonly string[] | undefined): string | null => {
  const list = normalizeRooms(rooms);
  return list === undefined ? null : JSON.stringify(list);
};

export function createSqliteStaffRepository(db: SqliteDatabase): StaffRepository {
  const insert = db.prepare(
    `INSERT INTO staff (card_uid, name, name_lower, role, telegram_user_id, active, created_by, created_at,
       revoked_at, revoked_by, rooms)
     VALUES (@card_uid, @name, @name_lower, @role, @telegram_user_id, @active, @created_by, @created_at,
       @revoked_at, @revoked_by, @rooms)`,
  );
  const byUid = db.prepare<[string], StaffRow>("SELECT * FROM staff WHERE card_uid = ?");
  const byTelegram = db.prepare<[number], StaffRow>("SELECT * FROM staff WHERE telegram_user_id = ?");
  // Exact matches are prefix matches too: one pass, exact ones first.
  const byName = db.prepare<{ exact: string; pattern: string }, StaffRow>(
    `SELECT * FROM staff WHERE name_lower LIKE @pattern ESCAPE '\\'
      ORDER BY name_lower <> @exact, name_lower, name, card_uid`,
  );
  const listAll = db.prepare<[], StaffRow>("SELECT * FROM staff ORDER BY name_lower, name, card_uid");
  const listActive = db.prepare<[], StaffRow>(
    "SELECT * FROM staff WHERE active = 1 ORDER BY name_lower, name, card_uid",
  );
  const revoke = db.prepare<{ uid: string; by: number; at: number }, StaffRow>(
    `UPDATE staff SET
       revoked_at = CASE WHEN active = 1 THEN @at ELSE revoked_at END,
       revoked_by = CASE WHEN active = 1 THEN @by ELSE revoked_by END,
       active = 0
     WHERE card_uid = @uid RETURNING *`,
  );
  const restore = db.prepare<[string], StaffRow>(
    "UPDATE staff SET active = 1, revoked_at = NULL, revoked_by = NULL WHERE card_uid = ? RETURNING *",
  );
  const setRooms = db.prepare<[string | null, string], StaffRow>(
    "UPDATE staff SET rooms = ? WHERE card_uid = ? RETURNING *",
  );
  const link = db.prepare<[number | null, string], StaffRow>(
    "UPDATE staff SET telegram_user_id = ? WHERE card_uid = ? RETURNING *",
  );

  const linkIfFree = db.prepare<{ uid: string; tg: number }, StaffRow>(
    `UPDATE staff SET telegram_user_id = @tg
      WHERE card_uid = @uid AND telegram_user_id IS NULL AND active = 1 RETURNING *`,
  );
  const unlinkIf = db.prepare<{ uid: string; tg: number }, StaffRow>(
    "UPDATE staff SET telegram_user_id = NULL WHERE card_uid = @uid AND telegram_user_id = @tg RETURNING *",
  );

  /** Why a conditional link matched no row (undefined: it would match now). */
  function refusal(uid: string, tg: number): LinkResult | undefined {
    const r = byUid.get(uid);
    if (!r) return { ok: false, reason: "no-card" };
    const m = toMember(r);
    if (!m.active) return { ok: false, reason: "revoked", member: m };
    if (m.telegramUserId === tg) return { ok: true, member: m, changed: false };
    if (m.telegramUserId !== undefined) return { ok: false, reason: "card-linked", member: m };
    return undefined;
  }

  const alreadyLinked = (telegramUserId: number) =>
    new TelegramAlreadyLinkedError(telegramUserId, byTelegram.get(telegramUserId)?.card_uid);

  return {
    async add(m) {
      try {
        insert.run({
          card_uid: m.cardUid,
          name: m.name,
          name_lower: foldName(m.name),
          role: m.role,
          telegram_user_id: m.telegramUserId ?? null,
          active: m.active ? 1 : 0,
          created_by: m.createdBy,
          created_at: m.createdAt,
          revoked_at: m.revokedAt ?? null,
          revoked_by: m.revokedBy ?? null,
          rooms: roomsJson(m.rooms),
        });
        return { ok: true };
      } catch (err) {
        // The PRIMARY KEY decides (no racy pre-check); the lookup only fetches the winner.
        const code = constraintCode(err);
        if (code === "SQLITE_CONSTRAINT_PRIMARYKEY" || code === "SQLITE_CONSTRAINT_UNIQUE") {
          const existing = byUid.get(m.cardUid);
          if (existing) return { ok: false, reason: "duplicate", existing: toMember(existing) };
          if (code === "SQLITE_CONSTRAINT_UNIQUE" && m.telegramUserId !== undefined) {
            throw alreadyLinked(m.telegramUserId);
          }
        }
        throw err;
      }
    },
    async getByUid(uid) {
      const r = byUid.get(uid);
      return r && toMember(r);
    },
    async getByTelegramId(userId) {
      const r = byTelegram.get(userId);
      return r && toMember(r);
    },
    async findByName(name) {
      const exact = foldName(name.trim());
      if (exact === "") return [];
      return byName.all({ exact, pattern: `${escapeLike(exact)}%` }).map(toMember);
    },
    async list(opts) {
      return (opts?.includeRevoked ? listAll.all() : listActive.all()).map(toMember);
    },
    async setActive(uid, active, by, at) {
      const r = active ? restore.get(uid) : revoke.get({ uid, by, at });
      return r && toMember(r);
    },
    async setRooms(uid, rooms) {
      const r = setRooms.get(roomsJson(rooms), uid);
      return r && toMember(r);
    },
    async linkTelegram(uid, telegramUserId) {
      try {
        const r = link.get(telegramUserId ?? null, uid);
        return r && toMember(r);
      } catch (err) {
        if (constraintCode(err) === "SQLITE_CONSTRAINT_UNIQUE" && telegramUserId !== undefined) {
          throw alreadyLinked(telegramUserId);
        }
        throw err;
      }
    },
    async linkTelegramIfUnlinked(uid, tg) {
      // Another process may change the card between the UPDATE and the read: a few tries.
      for (let attempt = 0; attempt < 3; attempt++) {
        let r: StaffRow | undefined;
        try {
          r = linkIfFree.get({ uid, tg });
        } catch (err) {
          if (constraintCode(err) !== "SQLITE_CONSTRAINT_UNIQUE") throw err;
          return { ok: false, reason: "account-linked", linkedCardUid: byTelegram.get(tg)?.card_uid };
        }
        if (r) return { ok: true, member: toMember(r), changed: true };
        const why = refusal(uid, tg);
        if (why) return why;
      }
      throw new Error(`card ${uid}: its link kept changing while linking; try again`);
    },
    async unlinkTelegramIfLinkedTo(uid, tg) {
      const r = unlinkIf.get({ uid, tg });
      if (r) return { ok: true, member: toMember(r) };
      const now = byUid.get(uid);
      return now ? { ok: false, reason: "not-linked", member: toMember(now) } : { ok: false, reason: "no-card" };
    },
  };
}

interface AccessRow {
  id: number;
  room_id: string;
  at: number;
  card_uid: string;
  staff_name: string | null;
  decision: string;
}

function toAccessEntry(r: AccessRow): AccessEntry {
  return accessEntryFromRecord({
    id: r.id,
    roomId: r.room_id,
    at: r.at,
    cardUid: r.card_uid,
    staffName: r.staff_name,
    decision: r.decision,
  });
}

/** Larger than any id this table will hand out: "no `before`". */
const NO_BEFORE = Number.MAX_SAFE_INTEGER;

/** The access log's read queries, exported so a test can check their query plans. */
export const ACCESS_LOG_QUERIES = {
  latest: "SELECT * FROM access_log WHERE room_id = ? AND id < ? ORDER BY id DESC LIMIT ?",
  byCard: "SELECT * FROM access_log WHERE room_id = ? AND card_uid = ? AND id < ? ORDER BY id DESC LIMIT ?",
  between: "SELECT * FROM access_log WHERE room_id = ? AND at >= ? AND at < ? ORDER BY at, id LIMIT ?",
  count: "SELECT count(*) AS n FROM access_log WHERE room_id = ?",
} as const;

export function createSqliteAccessLogRepository(db: SqliteDatabase): AccessLogRepository {
  const insert = db.prepare<[string, number, string, string | null, string]>(
    "INSERT INTO access_log (room_id, at, card_uid, staff_name, decision) VALUES (?, ?, ?, ?, ?)",
  );
  const latest = db.prepare<[string, number, number], AccessRow>(ACCESS_LOG_QUERIES.latest);
  const byCard = db.prepare<[string, string, number, number], AccessRow>(ACCESS_LOG_QUERIES.byCard);
  const between = db.prepare<[string, number, number, number], AccessRow>(ACCESS_LOG_QUERIES.between);
  const count = db.prepare<[string], { n: number }>(ACCESS_LOG_QUERIES.count);
  return {
    async add(e) {
      return Number(insert.run(e.roomId, e.at, e.cardUid, e.staffName ?? null, e.decision).lastInsertRowid);
    },
    async latest(roomId, limit, before) {
      return latest.all(roomId, before ?? NO_BEFORE, rowLimit(limit)).map(toAccessEntry);
    },
    async byCard(roomId, cardUid, limit, before) {
      return byCard.all(roomId, cardUid, before ?? NO_BEFORE, rowLimit(limit)).map(toAccessEntry);
    },
    async between(roomId, from, to, limit) {
      return between.all(roomId, from, to, rowLimit(limit)).map(toAccessEntry);
    },
    async count(roomId) {
      return count.get(roomId)?.n ?? 0;
    },
  };
}
