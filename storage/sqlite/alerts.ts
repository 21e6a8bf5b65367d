/** SQLite adapters for the alert pipeline: incidents, outbox, mutes, audit, and the ledger that writes an incident change with its outbox rows in one transaction. */

import type {
  AlertLedger,
  AlertWrite,
  AuditRepository,
  IncidentRepository,
  MuteRepository,
  OutboxEntry,
  OutboxRepository,
} from "../../core/alerts/ports.ts";
import type { Incident, Mute, Notice } from "../../core/alerts/types.ts";
import {
  auditEntryFromRecord,
  incidentFromRecord,
  incidentToRecord,
  outboxEntryFromRecord,
} from "../validation/alerts.ts";
import type { SqliteDatabase } from "./database.ts";

interface IncidentRow {
  id: string;
  room_id: string;
  rule: string;
  severity: string;
  state: string;
  opened_at: number;
  resolved_at: number | null;
  details: string;
  acked_at: number | null;
  acked_by_id: number | null;
  acked_by_name: string | null;
  last_notified_at: number;
  telegram_message_id: number | null;
}

// Columns are the shared stored fields (storage/validation/alerts.ts) in snake_case, NULL for absent.

function toIncident(r: IncidentRow): Incident {
  return incidentFromRecord({
    id: r.id,
    roomId: r.room_id,
    rule: r.rule,
    severity: r.severity,
    state: r.state,
    openedAt: r.opened_at,
    resolvedAt: r.resolved_at,
    details: r.details,
    ackedAt: r.acked_at,
    ackedById: r.acked_by_id,
    ackedByName: r.acked_by_name,
    lastNotifiedAt: r.last_notified_at,
    telegramMessageId: r.telegram_message_id,
  });
}

function incidentParams(i: Incident): IncidentRow {
  const r = incidentToRecord(i);
  return {
    id: r.id,
    room_id: r.roomId,
    rule: r.rule,
    severity: r.severity,
    state: r.state,
    opened_at: r.openedAt,
    resolved_at: r.resolvedAt ?? null,
    details: r.details,
    acked_at: r.ackedAt ?? null,
    acked_by_id: r.ackedById ?? null,
    acked_by_name: r.ackedByName ?? null,
    last_notified_at: r.lastNotifiedAt,
    telegram_message_id: r.telegramMessageId ?? null,
  };
}

/** Synchronous incident writers of a database (prepared once per database), for use inside transactions. */
const incidentWriters = new WeakMap<SqliteDatabase, { insert(i: Incident): void; update(i: Incident): void }>();

function writers(db: SqliteDatabase) {
  let w = incidentWriters.get(db);
  if (!w) {
    const insert = db.prepare(
      `INSERT INTO incidents (id, room_id, rule, severity, state, opened_at, resolved_at, details, acked_at, acked_by_id,
         acked_by_name, last_notified_at, telegram_message_id)
       VALUES (@id, @room_id, @rule, @severity, @state, @opened_at, @resolved_at, @details, @acked_at, @acked_by_id,
         @acked_by_name, @last_notified_at, @telegram_message_id)`,
    );
    const update = db.prepare(
      `UPDATE incidents SET severity = @severity, state = @state, resolved_at = @resolved_at, details = @details,
         acked_at = @acked_at, acked_by_id = @acked_by_id, acked_by_name = @acked_by_name,
         last_notified_at = @last_notified_at
       WHERE id = @id`,
    );
    w = {
      insert(i) {
        insert.run(incidentParams(i));
      },
      update(i) {
        const r = update.run(incidentParams(i));
        if (r.changes === 0) throw new Error(`incident ${i.id} does not exist`);
      },
    };
    incidentWriters.set(db, w);
  }
  return w;
}
const insertIncident = (db: SqliteDatabase) => writers(db).insert;
const updateIncident = (db: SqliteDatabase) => writers(db).update;

export function createSqliteIncidentRepository(db: SqliteDatabase): IncidentRepository {
  const setMessage = db.prepare<[number, string]>("UPDATE incidents SET telegram_message_id = ? WHERE id = ?");
  const get = db.prepare<[string], IncidentRow>("SELECT * FROM incidents WHERE id = ?");
  const findOpen = db.prepare<[string, string], IncidentRow>(
    "SELECT * FROM incidents WHERE room_id = ? AND rule = ? AND state = 'open'",
  );
  const listOpenRoom = db.prepare<[string], IncidentRow>(
    "SELECT * FROM incidents WHERE room_id = ? AND state = 'open' ORDER BY opened_at, id",
  );
  const listOpenAll = db.prepare<[], IncidentRow>(
    "SELECT * FROM incidents WHERE state = 'open' ORDER BY opened_at, id",
  );
  const between = db.prepare<[string, number, number], IncidentRow>(
    "SELECT * FROM incidents WHERE room_id = ? AND opened_at >= ? AND opened_at < ? ORDER BY opened_at, id",
  );
  return {
    async insert(i) {
      insertIncident(db)(i);
    },
    async update(i) {
      updateIncident(db)(i);
    },
    async setTelegramMessageId(id, messageId) {
      setMessage.run(messageId, id);
    },
    async get(id) {
      const r = get.get(id);
      return r && toIncident(r);
    },
    async findOpen(roomId, rule) {
      const r = findOpen.get(roomId, rule);
      return r && toIncident(r);
    },
    async listOpen(roomId) {
      return (roomId === undefined ? listOpenAll.all() : listOpenRoom.all(roomId)).map(toIncident);
    },
    async openedBetween(roomId, from, to) {
      return between.all(roomId, from, to).map(toIncident);
    },
  };
}

interface OutboxRow {
  id: number;
  channel: string;
  notice: string;
  created_at: number;
  attempts: number;
  next_attempt_at: number;
  delivered_at: number | null;
  ref: string | null;
  last_error: string | null;
  dead_at: number | null;
}

function toEntry(r: OutboxRow): OutboxEntry {
  return outboxEntryFromRecord({
    id: r.id,
    channel: r.channel,
    notice: r.notice,
    createdAt: r.created_at,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    deliveredAt: r.delivered_at,
    ref: r.ref,
    lastError: r.last_error,
    deadAt: r.dead_at,
  });
}

/** Inserts a notice's outbox rows (one per channel); call inside a transaction. */
function outboxInserter(db: SqliteDatabase): (notice: Notice, channels: readonly string[], at: number) => number[] {
  const insert = db.prepare<[string, string, number, number]>(
    "INSERT INTO outbox (channel, notice, created_at, next_attempt_at) VALUES (?, ?, ?, ?)",
  );
  return (notice, channels, at) => {
    const json = JSON.stringify(notice);
    return channels.map((c) => Number(insert.run(c, json, at, at).lastInsertRowid));
  };
}

export function createSqliteOutboxRepository(db: SqliteDatabase): OutboxRepository {
  const enqueue = db.transaction(outboxInserter(db));
  const pending = db.prepare<[string, number], OutboxRow>(
    "SELECT * FROM outbox WHERE channel = ? AND delivered_at IS NULL AND dead_at IS NULL ORDER BY id LIMIT ?",
  );
  const delivered = db.prepare<[number, string | null, number]>(
    "UPDATE outbox SET delivered_at = ?, ref = ?, attempts = attempts + 1, last_error = NULL WHERE id = ? AND delivered_at IS NULL",
  );
  const markDelivered = db.transaction((ids: readonly number[], at: number, ref: string | null) => {
    for (const id of ids) delivered.run(at, ref, id);
  });
  const failed = db.prepare<[string, number, number]>(
    "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?",
  );
  const dead = db.prepare<[number, string, number]>(
    "UPDATE outbox SET dead_at = ?, last_error = ?, attempts = attempts + 1 WHERE id = ? AND delivered_at IS NULL",
  );
  const deadSince = db.prepare<[number, number], OutboxRow>(
    "SELECT * FROM outbox WHERE dead_at IS NOT NULL AND dead_at >= ? ORDER BY dead_at DESC, id DESC LIMIT ?",
  );
  const count = db.prepare<[string], { n: number }>(
    "SELECT count(*) AS n FROM outbox WHERE channel = ? AND delivered_at IS NULL AND dead_at IS NULL",
  );
  const prune = db.prepare<[number, number]>(
    "DELETE FROM outbox WHERE (delivered_at IS NOT NULL AND delivered_at < ?) OR (dead_at IS NOT NULL AND dead_at < ?)",
  );
  return {
    async enqueue(notice, channels, at) {
      return enqueue(notice, channels, at);
    },
    async pending(channel, limit) {
      return pending.all(channel, limit).map(toEntry);
    },
    async markDelivered(ids, at, ref) {
      markDelivered(ids, at, ref ?? null);
    },
    async markFailed(id, error, nextAttemptAt) {
      failed.run(error.slice(0, 1000), nextAttemptAt, id);
    },
    async markDead(id, error, at) {
      dead.run(at, error.slice(0, 1000), id);
    },
    async dead(since, limit) {
      return deadSince.all(since, limit).map(toEntry);
    },
    async countPending(channel) {
      return count.get(channel)?.n ?? 0;
    },
    async prune(before) {
      return prune.run(before, before).changes;
    },
  };
}

/** The embedded backend's ledger: the incident change and its outbox rows in one transaction. */
export function createSqliteAlertLedger(db: SqliteDatabase): AlertLedger {
  const enqueue = outboxInserter(db);
  const commit = db.transaction((w: AlertWrite): number[] => {
    if (w.incident?.op === "insert") insertIncident(db)(w.incident.value);
    else if (w.incident?.op === "update") updateIncident(db)(w.incident.value);
    return w.notices.flatMap((n) => enqueue(n.notice, n.channels, w.at));
  });
  return {
    async commit(w) {
      return commit(w);
    },
    async repair() {
      return { applied: 0, pending: 0 };
    },
  };
}

/**
 * The journal half of a ledger whose incidents live elsewhere (DynamoDB): the incident
 * change is journalled with the outbox rows in one local transaction; `apply` then
 * writes it remotely, and the entry is dropped once applied.
 */
export function createSqliteIncidentJournal(db: SqliteDatabase) {
  const enqueue = outboxInserter(db);
  const add = db.prepare<[string, string, number]>(
    "INSERT INTO incident_journal (op, incident, created_at) VALUES (?, ?, ?)",
  );
  const commit = db.transaction((w: AlertWrite): { ids: number[]; journalId?: number } => {
    const journalId = w.incident
      ? Number(add.run(w.incident.op, JSON.stringify(w.incident.value), w.at).lastInsertRowid)
      : undefined;
    const ids = w.notices.flatMap((n) => enqueue(n.notice, n.channels, w.at));
    return journalId === undefined ? { ids } : { ids, journalId };
  });
  const list = db.prepare<[], { id: number; op: "insert" | "update"; incident: string; attempts: number }>(
    "SELECT id, op, incident, attempts FROM incident_journal ORDER BY id",
  );
  const drop = db.prepare<[number]>("DELETE FROM incident_journal WHERE id = ?");
  const failed = db.prepare<[string, number]>(
    "UPDATE incident_journal SET attempts = attempts + 1, last_error = ? WHERE id = ?",
  );
  return {
    commit,
    pending(): Array<{ id: number; op: "insert" | "update"; incident: Incident; attempts: number }> {
      return list.all().map((r) => ({ ...r, incident: JSON.parse(r.incident) as Incident }));
    },
    done(id: number): void {
      drop.run(id);
    },
    failed(id: number, error: string): void {
      failed.run(error.slice(0, 1000), id);
    },
  };
}

interface MuteRow {
  room_id: string;
  rule: string;
  until: number;
  by_id: number;
  by_name: string;
}

export function createSqliteMuteRepository(db: SqliteDatabase): MuteRepository {
  const set = db.prepare(
    `INSERT INTO mutes (room_id, rule, until, by_id, by_name) VALUES (@room_id, @rule, @until, @by_id, @by_name)
     ON CONFLICT (room_id, rule) DO UPDATE SET until = excluded.until, by_id = excluded.by_id, by_name = excluded.by_name`,
  );
  const clear = db.prepare<[string, string]>("DELETE FROM mutes WHERE room_id = ? AND rule = ?");
  const active = db.prepare<[string, number], MuteRow>(
    "SELECT * FROM mutes WHERE room_id = ? AND until > ? ORDER BY rule",
  );
  return {
    async set(m) {
      set.run({ room_id: m.roomId, rule: m.rule, until: m.until, by_id: m.by.id, by_name: m.by.name });
    },
    async clear(roomId, rule) {
      return clear.run(roomId, rule).changes > 0;
    },
    async active(roomId, now) {
      return active.all(roomId, now).map((r) => ({
        roomId: r.room_id,
        rule: r.rule as Mute["rule"],
        until: r.until,
        by: { id: r.by_id, name: r.by_name },
      }));
    },
  };
}

interface AuditRow {
  at: number;
  room_id: string;
  user_id: number;
  user_name: string;
  action: string;
  incident_id: string | null;
  detail: string | null;
}

export function createSqliteAuditRepository(db: SqliteDatabase): AuditRepository {
  const insert = db.prepare(
    `INSERT INTO audit (at, room_id, user_id, user_name, action, incident_id, detail)
     VALUES (@at, @room_id, @user_id, @user_name, @action, @incident_id, @detail)`,
  );
  const latest = db.prepare<[string, number], AuditRow>(
    "SELECT * FROM audit WHERE room_id = ? ORDER BY at DESC, id DESC LIMIT ?",
  );
  return {
    async record(e) {
      insert.run({
        at: e.at,
        room_id: e.roomId,
        user_id: e.userId,
        user_name: e.userName,
        action: e.action,
        incident_id: e.incidentId ?? null,
        detail: e.detail ?? null,
      });
    },
    async latest(roomId, limit) {
      return latest.all(roomId, limit).map((r) =>
        auditEntryFromRecord({
          at: r.at,
          roomId: r.room_id,
          userId: r.user_id,
          userName: r.user_name,
          action: r.action,
          incidentId: r.incident_id,
          detail: r.detail,
        }),
      );
    },
  };
}
