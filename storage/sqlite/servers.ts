/**
 * SQLite adapters for server checks: the per-room host catalogue (`hosts`) and the
 * results of check runs (`server_results`). Lists and check results are JSON columns.
 *
 * Choices the ports leave open:
 * - Writes are validated against the shapes in servers/types.ts (including HOST_NAME,
 *   USER_NAME, SERVICE_NAME, CHECK_IDS, ports 1..65535, finite numbers) and refused with
 *   an `InvalidServerDataError` before anything is written, so every stored row reads back.
 * - Reading a host is exact: a host row that does not parse (hand-edited or damaged)
 *   makes `get`, `list` and a duplicate `add` throw a `CorruptHostError` naming the room,
 *   the host and what is wrong. Nothing is guessed. `remove` never reads the row, so a
 *   corrupt host can always be removed and added again.
 * - Reading results is forgiving: a result row that does not parse is skipped (and
 *   reported to the optional `onCorrupt` hook; nothing is logged here), so one bad row
 *   never hides a host's other results. `latest` may then return fewer than `limit`;
 *   `latestPerHost` leaves out a host whose newest row is corrupt rather than presenting
 *   an older result as its current state.
 * - Check values keep fields this code does not know (written by a newer checker), so a
 *   result round-trips exactly; host records keep only HostSpec's fields.
 * - Order: hosts by name (names are lowercase ASCII, so byte order is name order);
 *   results newest first by start time, insertion order breaking ties. `latestPerHost`
 *   includes hosts removed from the catalogue (their history is kept) and iterates in
 *   host-name order.
 * - A `limit` below 1 (or NaN) returns no rows.
 */

import type { HostRepository, ServerResultRepository } from "../../core/servers/ports.ts";
import type { HostResult, HostSpec } from "../../core/servers/types.ts";
import { rowLimit } from "../validation/limits.ts";
import {
  CorruptHostError,
  type CorruptServerResult,
  parseStoredHost,
  parseStoredResult,
  reportCorruptResult,
  validateHost,
  validateHostResult,
} from "../validation/servers.ts";
import type { SqliteDatabase } from "./database.ts";

// The rules (schemas, errors) are shared with the DynamoDB adapter: storage/validation/servers.ts.
export { CorruptHostError, type CorruptServerResult, InvalidServerDataError } from "../validation/servers.ts";

/** Parses a JSON column; a syntax error becomes a value the schema refuses with a clear path. */
function parseJson(text: string, column: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new SyntaxError(`${column}: not valid JSON`);
  }
}

interface HostRow {
  room_id: string;
  name: string;
  address: string;
  port: number;
  user: string;
  key_file: string | null;
  host_key: string;
  checks: string;
  services: string;
  thresholds: string;
  added_by: number | null;
  added_at: number | null;
}

function toHost(r: HostRow): HostSpec {
  let candidate: Record<string, unknown>;
  try {
    candidate = {
      name: r.name,
      address: r.address,
      port: r.port,
      user: r.user,
      hostKey: r.host_key,
      checks: parseJson(r.checks, "checks"),
      services: parseJson(r.services, "services"),
      thresholds: parseJson(r.thresholds, "thresholds"),
    };
  } catch (err) {
    throw new CorruptHostError(r.room_id, r.name, (err as Error).message);
  }
  if (r.key_file !== null) candidate.keyFile = r.key_file;
  if (r.added_by !== null) candidate.addedBy = r.added_by;
  if (r.added_at !== null) candidate.addedAt = r.added_at;
  return parseStoredHost(r.room_id, r.name, candidate);
}

/** The catalogue's read queries, exported so a test can check their query plans. */
export const HOST_QUERIES = {
  get: "SELECT * FROM hosts WHERE room_id = ? AND name = ?",
  list: "SELECT * FROM hosts WHERE room_id = ? ORDER BY name",
} as const;

export function createSqliteHostRepository(db: SqliteDatabase): HostRepository {
  const insert = db.prepare<HostRow>(
    `INSERT INTO hosts (room_id, name, address, port, user, key_file, host_key, checks, services, thresholds,
       added_by, added_at)
     VALUES (@room_id, @name, @address, @port, @user, @key_file, @host_key, @checks, @services, @thresholds,
       @added_by, @added_at)`,
  );
  const get = db.prepare<[string, string], HostRow>(HOST_QUERIES.get);
  const list = db.prepare<[string], HostRow>(HOST_QUERIES.list);
  const remove = db.prepare<[string, string]>("DELETE FROM hosts WHERE room_id = ? AND name = ?");

  return {
    async add(roomId, host) {
      const h = validateHost(host);
      try {
        insert.run({
          room_id: roomId,
          name: h.name,
          address: h.address,
          port: h.port,
          user: h.user,
          key_file: h.keyFile ?? null,
          host_key: h.hostKey,
          checks: JSON.stringify(h.checks),
          services: JSON.stringify(h.services),
          thresholds: JSON.stringify(h.thresholds),
          added_by: h.addedBy ?? null,
          added_at: h.addedAt ?? null,
        });
        return { ok: true };
      } catch (err) {
        // The PRIMARY KEY decides (no racy pre-check); the lookup only fetches the winner.
        if ((err as { code?: unknown } | null)?.code === "SQLITE_CONSTRAINT_PRIMARYKEY") {
          const existing = get.get(roomId, h.name);
          if (existing) return { ok: false, reason: "duplicate", existing: toHost(existing) };
        }
        throw err;
      }
    },
    async get(roomId, name) {
      const r = get.get(roomId, name);
      return r && toHost(r);
    },
    async list(roomId) {
      return list.all(roomId).map(toHost);
    },
    async remove(roomId, name) {
      return remove.run(roomId, name).changes > 0;
    },
  };
}

interface ResultRow {
  id: number;
  room_id: string;
  host: string;
  at: number;
  duration_ms: number;
  reachable: number;
  failure_kind: string | null;
  failure_message: string | null;
  presented_host_key: string | null;
  checks: string;
}

/** The result repository's read queries, exported so a test can check their query plans. */
export const SERVER_RESULT_QUERIES = {
  latest: "SELECT * FROM server_results WHERE room_id = ? AND host = ? ORDER BY at DESC, id DESC LIMIT ?",
  /**
   * A loose index scan: walks the room's distinct host names through the (room_id, host, at)
   * index one seek at a time, then fetches each host's newest row by another seek. Costs
   * O(hosts x log rows), however long the history.
   */
  latestPerHost: `WITH RECURSIVE names(host) AS (
      SELECT (SELECT min(host) FROM server_results WHERE room_id = @room)
      UNION ALL
      SELECT (SELECT min(host) FROM server_results WHERE room_id = @room AND host > names.host)
        FROM names WHERE names.host IS NOT NULL
    )
    SELECT r.* FROM names JOIN server_results AS r ON r.id = (
      SELECT id FROM server_results WHERE room_id = @room AND host = names.host ORDER BY at DESC, id DESC LIMIT 1)`,
  prune: "DELETE FROM server_results WHERE at < ?",
} as const;

export function createSqliteServerResultRepository(
  db: SqliteDatabase,
  opts: { onCorrupt?: (row: CorruptServerResult) => void } = {},
): ServerResultRepository {
  const insert = db.prepare<Omit<ResultRow, "id">>(
    `INSERT INTO server_results (room_id, host, at, duration_ms, reachable, failure_kind, failure_message,
       presented_host_key, checks)
     VALUES (@room_id, @host, @at, @duration_ms, @reachable, @failure_kind, @failure_message,
       @presented_host_key, @checks)`,
  );
  const latest = db.prepare<[string, string, number], ResultRow>(SERVER_RESULT_QUERIES.latest);
  const latestPerHost = db.prepare<{ room: string }, ResultRow>(SERVER_RESULT_QUERIES.latestPerHost);
  const prune = db.prepare<[number]>(SERVER_RESULT_QUERIES.prune);

  const report = (r: ResultRow, problem: string): undefined =>
    reportCorruptResult(opts.onCorrupt, { id: r.id, roomId: r.room_id, host: r.host, at: r.at, problem });

  /** The row as a HostResult, or undefined (reported) if it does not parse. */
  const toResult = (r: ResultRow): HostResult | undefined => {
    let checks: unknown;
    try {
      checks = parseJson(r.checks, "checks");
    } catch (err) {
      return report(r, (err as Error).message);
    }
    const candidate: Record<string, unknown> = {
      host: r.host,
      at: r.at,
      durationMs: r.duration_ms,
      reachable: r.reachable === 1 ? true : r.reachable === 0 ? false : r.reachable,
      checks,
    };
    if (r.failure_kind !== null) {
      const failure: Record<string, unknown> = { kind: r.failure_kind, message: r.failure_message };
      if (r.presented_host_key !== null) failure.presentedHostKey = r.presented_host_key;
      candidate.failure = failure;
    }
    const parsed = parseStoredResult(candidate);
    return parsed.ok ? parsed.result : report(r, parsed.problem);
  };

  return {
    async add(roomId, result) {
      validateHostResult(result);
      // The original checks are stored (not the parsed copy): fields this code does not know survive.
      insert.run({
        room_id: roomId,
        host: result.host,
        at: result.at,
        duration_ms: result.durationMs,
        reachable: result.reachable ? 1 : 0,
        failure_kind: result.failure?.kind ?? null,
        failure_message: result.failure ? result.failure.message : null,
        presented_host_key: result.failure?.presentedHostKey ?? null,
        checks: JSON.stringify(result.checks),
      });
    },
    async latest(roomId, host, limit) {
      const out: HostResult[] = [];
      for (const r of latest.all(roomId, host, rowLimit(limit))) {
        const res = toResult(r);
        if (res) out.push(res);
      }
      return out;
    },
    async latestPerHost(roomId) {
      const rows = latestPerHost.all({ room: roomId }).sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
      const out = new Map<string, HostResult>();
      for (const r of rows) {
        const res = toResult(r);
        if (res) out.set(r.host, res);
      }
      return out;
    },
    async prune(before) {
      return prune.run(before).changes;
    },
  };
}
