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
import { z } from "zod";
import {
  CHECK_IDS,
  type ConnectFailure,
  HOST_NAME,
  type HostChecks,
  type HostResult,
  type HostSpec,
  SERVICE_NAME,
  USER_NAME,
} from "../../servers/types.ts";
import type { HostRepository, ServerResultRepository } from "../server-ports.ts";
import type { SqliteDatabase } from "./database.ts";

/** A host or result refused before it was written. */
export class InvalidServerDataError extends Error {
  override readonly name = "InvalidServerDataError";
}

/** A stored host that no longer parses as a HostSpec. */
export class CorruptHostError extends Error {
  override readonly name = "CorruptHostError";
  constructor(
    readonly roomId: string,
    readonly host: string,
    readonly problem: string,
  ) {
    super(
      `host ${JSON.stringify(host)} of room ${JSON.stringify(roomId)} is corrupt in the database (${problem}); remove it and add it again`,
    );
  }
}

/** What `onCorrupt` hears about a skipped result row. */
export interface CorruptServerResult {
  id: number;
  roomId: string;
  host: string;
  at: number;
  problem: string;
}

// Every ConnectFailure, checked both ways by the compiler (a missing or extra key fails tsc).
const CONNECT_FAILURES: Record<ConnectFailure, true> = {
  unreachable: true,
  timeout: true,
  "host-key-mismatch": true,
  "auth-failed": true,
  "key-file": true,
  dropped: true,
};

// z.number() refuses NaN and ±Infinity; z.int() means a safe integer.
const num = z.number();
const outcome = <T extends z.ZodType>(value: T) =>
  z.discriminatedUnion("ok", [
    z.object({ ok: z.literal(true), value }),
    z.object({ ok: z.literal(false), error: z.string() }),
  ]);

const hostChecksSchema = z.object({
  uptime: outcome(z.looseObject({ seconds: num })).optional(),
  load: outcome(z.looseObject({ load1: num, load5: num, load15: num, cores: num })).optional(),
  memory: outcome(z.looseObject({ totalBytes: num, availableBytes: num, usedPct: num })).optional(),
  disk: outcome(
    z.array(z.looseObject({ mount: z.string(), filesystem: z.string(), sizeBytes: num, usedBytes: num, usedPct: num })),
  ).optional(),
  services: outcome(z.array(z.looseObject({ name: z.string(), state: z.string() }))).optional(),
  journal: outcome(z.looseObject({ count: num, latest: z.array(z.string()), available: z.boolean() })).optional(),
}) satisfies z.ZodType<HostChecks>;

const hostResultSchema = z.object({
  host: z.string().min(1),
  at: z.int(),
  durationMs: num.min(0),
  reachable: z.boolean(),
  failure: z
    .object({
      kind: z.enum(Object.keys(CONNECT_FAILURES) as [ConnectFailure, ...ConnectFailure[]]),
      message: z.string(),
      presentedHostKey: z.string().optional(),
    })
    .optional(),
  checks: hostChecksSchema,
}) satisfies z.ZodType<HostResult>;

const hostSpecSchema = z.object({
  name: z.string().regex(HOST_NAME, "must match HOST_NAME"),
  address: z.string().min(1),
  port: z.int().min(1).max(65_535),
  user: z.string().regex(USER_NAME, "must match USER_NAME"),
  keyFile: z.string().min(1).optional(),
  hostKey: z.string().min(1),
  checks: z.array(z.enum(CHECK_IDS)),
  services: z.array(z.string().regex(SERVICE_NAME, "must match SERVICE_NAME")),
  thresholds: z.object({ diskPct: num, loadPerCore: num, memoryPct: num }),
  addedBy: z.int().optional(),
  addedAt: z.int().optional(),
}) satisfies z.ZodType<HostSpec>;

const describeIssues = (error: z.ZodError): string =>
  error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length > 0 ? i.path.join(".") : "value"}: ${i.message}`)
    .join("; ");

/** Parses a JSON column; a syntax error becomes a value the schema refuses with a clear path. */
function parseJson(text: string, column: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new SyntaxError(`${column}: not valid JSON`);
  }
}

const rowLimit = (limit: number): number => (limit >= 1 ? Math.floor(limit) : 0);

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
  const parsed = hostSpecSchema.safeParse(candidate);
  if (!parsed.success) throw new CorruptHostError(r.room_id, r.name, describeIssues(parsed.error));
  return parsed.data;
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
      const parsed = hostSpecSchema.safeParse(host);
      if (!parsed.success) {
        throw new InvalidServerDataError(`host not saved: ${describeIssues(parsed.error)}`);
      }
      const h = parsed.data;
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

  const report = (r: ResultRow, problem: string): undefined => {
    try {
      opts.onCorrupt?.({ id: r.id, roomId: r.room_id, host: r.host, at: r.at, problem });
    } catch {
      // A failing hook must not turn a skipped row into a failed read.
    }
    return undefined;
  };

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
    const parsed = hostResultSchema.safeParse(candidate);
    if (!parsed.success) return report(r, describeIssues(parsed.error));
    return parsed.data;
  };

  return {
    async add(roomId, result) {
      const parsed = hostResultSchema.safeParse(result);
      if (!parsed.success) {
        throw new InvalidServerDataError(`server result not saved: ${describeIssues(parsed.error)}`);
      }
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
