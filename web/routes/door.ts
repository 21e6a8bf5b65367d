/**
 * The door: who came in today (GET /api/door/today), the access log with filters and paging
 * (GET /api/door/log), and the same filters as CSV (GET /api/door/log.csv, the bot's
 * /export columns: core/door/access-csv.ts).
 */
import type { FastifyPluginAsync, FastifyReply } from "fastify";
import { ACCESS_CSV_HEADER, accessCsvRow } from "../../core/door/access-csv.ts";
import { formatCardUid, normalizeUid } from "../../core/door/card-uid.ts";
import { ACCESS_DECISIONS, type AccessDecision, type AccessEntry } from "../../core/door/ports.ts";
import { whoCameInToday } from "../../core/door/who.ts";
import type { RouteContext } from "../context.ts";
import type { DashboardServices } from "../services.ts";
import { fail } from "../views.ts";

const DECISIONS: readonly AccessDecision[] = ACCESS_DECISIONS;
const PAGE_DEFAULT = 50;
const PAGE_MAX = 200;
/** Rows read from storage per batch while filtering, and at most per request. */
const BATCH = 500;
const SCAN_MAX = 20_000;
const CSV_MAX = 100_000;

export interface LogFilter {
  from?: number;
  to?: number;
  decision?: AccessDecision;
  /** A name (case-insensitive, part of it) or a card UID (any usual spelling). */
  q?: string;
  uid?: string;
  before?: number;
  limit: number;
}

type Query = Record<string, string | undefined>;

/** The filter a query asks for, or a sentence saying what is wrong with it. */
export function parseLogFilter(q: Query, maxLimit = PAGE_MAX): LogFilter | string {
  const int = (name: string): number | undefined | string => {
    const v = q[name];
    if (v === undefined || v === "") return undefined;
    if (!/^\d{1,16}$/.test(v))
      return `${name} must be a whole number${name === "from" || name === "to" ? " (epoch ms)" : ""}, not "${v.slice(0, 20)}".`;
    return Number(v);
  };
  const from = int("from");
  const to = int("to");
  const before = int("before");
  const limit = int("limit");
  for (const v of [from, to, before, limit]) if (typeof v === "string") return v;
  if (typeof limit === "number" && (limit < 1 || limit > maxLimit)) return `limit must be 1 to ${maxLimit}.`;
  if (typeof from === "number" && typeof to === "number" && from >= to) return "from must be before to.";
  const decision = q.decision || undefined;
  if (decision !== undefined && !DECISIONS.includes(decision as AccessDecision)) {
    return `decision must be one of ${DECISIONS.join(", ")}.`;
  }
  const text = q.q?.trim() || undefined;
  if (text !== undefined && (text.length > 40 || /\p{Cc}/u.test(text)))
    return "q must be a name or a card UID (at most 40 characters).";
  const uid = text !== undefined && /^[0-9a-f:\s-]+$/i.test(text) ? normalizeUid(text) : undefined;
  return {
    ...(typeof from === "number" ? { from } : {}),
    ...(typeof to === "number" ? { to } : {}),
    ...(decision ? { decision: decision as AccessDecision } : {}),
    ...(text !== undefined && uid === undefined ? { q: text.toLowerCase() } : {}),
    ...(uid ? { uid } : {}),
    ...(typeof before === "number" ? { before } : {}),
    limit: typeof limit === "number" ? limit : PAGE_DEFAULT,
  };
}

/**
 * Entries matching the filter, newest first, at most `limit`, and where to go on (`next`: an
 * entry id) when there may be more. Storage pages the log newest first (by a card when the
 * filter names one); the other filters are applied here, reading at most SCAN_MAX rows a
 * request (then `next` continues the scan).
 */
export async function findEntries(
  s: DashboardServices,
  f: LogFilter,
  scanMax = SCAN_MAX,
): Promise<{ entries: AccessEntry[]; next?: number }> {
  const roomId = s.config.roomId;
  const out: AccessEntry[] = [];
  let before = f.before;
  let scanned = 0;
  for (;;) {
    const batch = f.uid
      ? await s.storage.accessLog.byCard(roomId, f.uid, BATCH, before)
      : await s.storage.accessLog.latest(roomId, BATCH, before);
    for (const e of batch) {
      scanned++;
      before = e.id;
      if (f.from !== undefined && e.at < f.from) return { entries: out };
      if (f.to !== undefined && e.at >= f.to) continue;
      if (f.decision && e.decision !== f.decision) continue;
      if (f.q && !(e.staffName ?? "").toLowerCase().includes(f.q)) continue;
      out.push(e);
      if (out.length === f.limit) return { entries: out, next: e.id };
    }
    if (batch.length < BATCH) return { entries: out };
    if (scanned >= scanMax && before !== undefined) return { entries: out, next: before };
  }
}

function entryView(e: AccessEntry) {
  return {
    id: e.id,
    at: e.at,
    cardUid: formatCardUid(e.cardUid),
    ...(e.staffName ? { staffName: e.staffName } : {}),
    decision: e.decision,
  };
}

export const doorRoutes: FastifyPluginAsync<RouteContext> = async (app, { services }) => {
  const { config, storage, clock } = services;
  const bad = (reply: FastifyReply, error: string) => fail(reply, 400, "bad-query", error);

  app.get("/api/door/today", async () => {
    const now = clock.now().getTime();
    return { people: await whoCameInToday(storage.accessLog, config.roomId, now, config.officeHours.timeZone) };
  });

  app.get<{ Querystring: Query }>("/api/door/log", async (req, reply) => {
    const f = parseLogFilter(req.query);
    if (typeof f === "string") return bad(reply, f);
    const { entries, next } = await findEntries(services, f);
    return { entries: entries.map(entryView), ...(next !== undefined ? { next } : {}) };
  });

  app.get<{ Querystring: Query }>("/api/door/log.csv", async (req, reply) => {
    const f = parseLogFilter({ ...req.query, limit: undefined });
    if (typeof f === "string") return bad(reply, f);
    const { entries } = await findEntries(services, { ...f, limit: CSV_MAX }, CSV_MAX * 2);
    const tz = config.officeHours.timeZone;
    // Oldest first, as /export writes it.
    const lines = [ACCESS_CSV_HEADER, ...entries.reverse().map((e) => accessCsvRow(e, tz))];
    const day = new Date(clock.now().getTime()).toISOString().slice(0, 10);
    return reply
      .type("text/csv; charset=utf-8")
      .header(
        "content-disposition",
        `attachment; filename="access-${config.roomId.replace(/[^\w.-]/g, "_")}-${day}.csv"`,
      )
      .header("cache-control", "no-store")
      .send(`${lines.join("\r\n")}\r\n`);
  });
};
