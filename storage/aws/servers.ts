/**
 * DynamoDB adapters for server checks: the per-room host catalogue and the results of
 * check runs. Every read is a GetItem or a Query (never a Scan); several rooms share the
 * tables.
 *
 * Table `hosts` (partition key `roomId`, sort key `name`): one item per host with
 * HostSpec's fields as native attributes (lists, a map for thresholds). `add` is a PutItem
 * conditional on the key being new, so a duplicate is refused atomically (no racy
 * pre-check); only then is the existing entry read (strongly consistent) to return it.
 * `list` is one Query, in name order (names are lowercase ASCII: byte order is name order).
 *
 * Table `server-results` (partition key `pk`, sort key `sk`, both strings), three kinds
 * of item (room ids and host names are URI-encoded inside keys, so `#` cannot collide):
 * - a result: `pk = "result#<room>#<host>"`, `sk = "<at>#<seq>"`, the result as JSON (like
 *   SQLite's JSON column: check values round-trip exactly, unknown fields included).
 *   `<at>` is the start time offset by 2^53 and zero-padded (17 digits) so that negative
 *   times sort too; `<seq>` is a table-wide counter (the `#seq` item, UpdateItem ADD), so
 *   runs that share a start time keep insertion order. `latest(host, limit)` is one
 *   Query, newest first.
 * - the latest result per host: `pk = "latest#<room>"`, `sk = <host>`, a copy of the host's
 *   newest result, written after the result with a PutItem conditional on being newer
 *   (`attribute_not_exists(pk) OR gsk < :sk`), so results added out of order never move it
 *   back. `latestPerHost(room)` is one Query on that partition. It includes hosts removed
 *   from the catalogue (their history is kept), like SQLite.
 * - the counter `#seq`.
 * GSI `byAt` (`gpk`, `gsk`), keys only: every result and latest item carries
 * `gpk = "results"` and `gsk` = its result's `sk`, so `prune(before)` is one Query
 * (`gsk < <before>`) over the whole store, every room, oldest first; results are deleted
 * with BatchWriteItem (25 at a time), latest items with a DeleteItem conditional on still
 * holding the same result (a newer result written meanwhile is kept). A constant partition
 * key takes every result write: a room checks tens of hosts every few minutes, far below a
 * GSI partition's 1,000 writes a second even for many rooms. (Were that ever too few, the
 * key would become `results#<day>` and prune would walk the days from a stored "oldest day".)
 *
 * Crash windows: the result is written before its latest copy, so a crash in between
 * leaves `latestPerHost` one run behind until the host's next result. The GSI is eventually
 * consistent on real DynamoDB: `prune` may miss results written within the last moment
 * (only matters for results older than `before` written just then).
 *
 * Validation, errors and reading rules are the SQLite adapter's, shared through
 * storage/validation/servers.ts: the same schemas, the same `InvalidServerDataError` /
 * `CorruptHostError` classes, corrupt result items skipped and reported to `onCorrupt`,
 * `limit` below 1 returns nothing.
 */
import { DeleteCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { HostRepository, ServerResultRepository } from "../../core/servers/ports.ts";
import type { HostResult, HostSpec } from "../../core/servers/types.ts";
import { rowLimit } from "../validation/limits.ts";
import {
  type CorruptServerResult,
  InvalidServerDataError,
  parseStoredHost,
  parseStoredResult,
  reportCorruptResult,
  validateHost,
  validateHostResult,
} from "../validation/servers.ts";
import { type AwsContext, batchWrite, queryAll, type TableSpec } from "./client.ts";
import {
  addToCounter,
  conditionalWrite,
  encodeKeyParts,
  fixedWidth,
  getItem,
  gsi,
  putIfAbsent,
  queryPages,
  tableSpec,
} from "./dynamo-helpers.ts";

export { CorruptHostError, type CorruptServerResult, InvalidServerDataError } from "../validation/servers.ts";

export const HOSTS_TABLE = "hosts";
export const SERVER_RESULTS_TABLE = "server-results";
export const SERVER_RESULTS_BY_AT = "byAt";

/** The host catalogue and the results table (see the file comment). */
export const SERVER_TABLES: TableSpec[] = [
  tableSpec(HOSTS_TABLE, { hash: "roomId", range: "name" }, { roomId: "S", name: "S" }),
  tableSpec(SERVER_RESULTS_TABLE, { hash: "pk", range: "sk" }, { pk: "S", sk: "S", gpk: "S", gsk: "S" }, [
    gsi(SERVER_RESULTS_BY_AT, "gpk", "gsk", "KEYS_ONLY"),
  ]),
];

const validRoom = (roomId: unknown): roomId is string => typeof roomId === "string" && roomId !== "";

// --- Hosts

interface HostItem extends HostSpec {
  roomId: string;
}

function toHost(item: Record<string, unknown>): HostSpec {
  const { roomId, ...candidate } = item;
  return parseStoredHost(String(roomId), String(item.name), candidate);
}

export function createDynamoHostRepository(ctx: AwsContext): HostRepository {
  const table = ctx.table(HOSTS_TABLE);
  const getHost = (roomId: string, name: string) => getItem<Record<string, unknown>>(ctx, table, { roomId, name });

  return {
    async add(roomId, host) {
      if (!validRoom(roomId)) throw new InvalidServerDataError("host not saved: roomId must be a non-empty string");
      // Only HostSpec's fields are stored (zod dropped any others).
      const item: HostItem = { ...validateHost(host), roomId };
      // The condition decides; the read only fetches the winner. If the winner is removed
      // before we read it, the name is free again: try once more.
      for (let attempt = 1; ; attempt++) {
        if (await putIfAbsent(ctx, table, item, "name")) return { ok: true };
        const existing = await getHost(roomId, item.name);
        if (existing) return { ok: false, reason: "duplicate", existing: toHost(existing) };
        if (attempt >= 3) throw new Error(`host ${JSON.stringify(item.name)}: add kept racing with a remove`);
      }
    },

    async get(roomId, name) {
      if (!validRoom(roomId) || typeof name !== "string" || name === "") return undefined;
      const item = await getHost(roomId, name);
      return item && toHost(item);
    },

    async list(roomId) {
      if (!validRoom(roomId)) return [];
      const items = await queryAll<Record<string, unknown>>(ctx, {
        TableName: table,
        KeyConditionExpression: "#room = :room",
        ExpressionAttributeNames: { "#room": "roomId" },
        ExpressionAttributeValues: { ":room": roomId },
        ConsistentRead: true,
      });
      return items.map(toHost);
    },

    async remove(roomId, name) {
      if (!validRoom(roomId) || typeof name !== "string" || name === "") return false;
      // Never reads the item: a corrupt host can always be removed.
      const res = await ctx.doc.send(
        new DeleteCommand({ TableName: table, Key: { roomId, name }, ReturnValues: "ALL_OLD" }),
      );
      return res.Attributes !== undefined;
    },
  };
}

// --- Server results

const SEQ_KEY = { pk: "#seq", sk: "#seq" };
const GPK = "results";
const RESULT_PREFIX = "result#";
const LATEST_PREFIX = "latest#";
const AT_OFFSET = 2n ** 53n;
const AT_DIGITS = 17; // String(2n ** 54n).length
const SEQ_DIGITS = 16;

const resultPk = (roomId: string, host: string) => `${RESULT_PREFIX}${encodeKeyParts(roomId, host)}`;
const latestPk = (roomId: string) => `${LATEST_PREFIX}${encodeKeyParts(roomId)}`;
/** An integer start time (safe range, or one past it) as a fixed-width, order-preserving string. */
const atKey = (at: number): string => fixedWidth(BigInt(at) + AT_OFFSET, AT_DIGITS);
const resultSk = (at: number, seq: number) => `${atKey(at)}#${fixedWidth(seq, SEQ_DIGITS)}`;

interface ResultItem {
  pk: string;
  sk: string;
  roomId: string;
  host: string;
  at: number;
  seq: number;
  /** The result as JSON, in the shape SQLite stores it (its columns plus the original checks). */
  result: string;
  gpk: string;
  gsk: string;
}

export function createDynamoServerResultRepository(
  ctx: AwsContext,
  opts: { onCorrupt?: (row: CorruptServerResult) => void } = {},
): ServerResultRepository {
  const table = ctx.table(SERVER_RESULTS_TABLE);

  const report = (r: ResultItem, problem: string): undefined =>
    reportCorruptResult(opts.onCorrupt, { id: r.seq, roomId: r.roomId, host: r.host, at: r.at, problem });

  /** The item as a HostResult, or undefined (reported) if it does not parse. */
  const toResult = (r: ResultItem): HostResult | undefined => {
    let candidate: unknown;
    try {
      candidate = JSON.parse(r.result);
    } catch {
      return report(r, "result: not valid JSON");
    }
    const parsed = parseStoredResult(candidate);
    return parsed.ok ? parsed.result : report(r, parsed.problem);
  };

  const nextSeq = () => addToCounter(ctx, table, SEQ_KEY, "seq", 1, "the server result counter returned no value");

  return {
    async add(roomId, result) {
      if (!validRoom(roomId)) {
        throw new InvalidServerDataError("server result not saved: roomId must be a non-empty string");
      }
      validateHostResult(result);
      // What SQLite keeps: its columns, and the original checks (fields this code does not know survive).
      const stored: Record<string, unknown> = {
        host: result.host,
        at: result.at,
        durationMs: result.durationMs,
        reachable: result.reachable,
        checks: result.checks,
      };
      if (result.failure) {
        const failure: Record<string, unknown> = { kind: result.failure.kind, message: result.failure.message };
        if (result.failure.presentedHostKey !== undefined) failure.presentedHostKey = result.failure.presentedHostKey;
        stored.failure = failure;
      }
      const seq = await nextSeq();
      const sk = resultSk(result.at, seq);
      const item: ResultItem = {
        pk: resultPk(roomId, result.host),
        sk,
        roomId,
        host: result.host,
        at: result.at,
        seq,
        result: JSON.stringify(stored),
        gpk: GPK,
        gsk: sk,
      };
      await ctx.doc.send(new PutCommand({ TableName: table, Item: item }));
      // Refused when a newer result is the latest already.
      await conditionalWrite(
        ctx.doc.send(
          new PutCommand({
            TableName: table,
            Item: { ...item, pk: latestPk(roomId), sk: result.host },
            ConditionExpression: "attribute_not_exists(pk) OR gsk < :sk",
            ExpressionAttributeValues: { ":sk": sk },
          }),
        ),
      );
    },

    async latest(roomId, host, limit) {
      const n = rowLimit(limit);
      if (n === 0 || !validRoom(roomId) || typeof host !== "string") return [];
      const items = await queryAll<ResultItem>(
        ctx,
        {
          TableName: table,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": resultPk(roomId, host) },
          ScanIndexForward: false,
          ConsistentRead: true,
          Limit: n,
        },
        n,
      );
      const out: HostResult[] = [];
      for (const item of items) {
        const res = toResult(item);
        if (res) out.push(res);
      }
      return out;
    },

    async latestPerHost(roomId) {
      const out = new Map<string, HostResult>();
      if (!validRoom(roomId)) return out;
      const items = await queryAll<ResultItem>(ctx, {
        TableName: table,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": latestPk(roomId) },
        ConsistentRead: true,
      });
      // Host-name order as JavaScript compares strings (DynamoDB's is UTF-8 byte order).
      items.sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
      for (const item of items) {
        const res = toResult(item);
        if (res) out.set(item.host, res);
      }
      return out;
    },

    async prune(before) {
      if (Number.isNaN(before)) return 0;
      // at < before  <=>  at < ceil(before), clamped to the range of stored (safe integer) times.
      const bound = Math.min(Math.max(Math.ceil(before), Number.MIN_SAFE_INTEGER), Number.MAX_SAFE_INTEGER + 1);
      let count = 0;
      const pages = queryPages(ctx, {
        TableName: table,
        IndexName: SERVER_RESULTS_BY_AT,
        KeyConditionExpression: "gpk = :gpk AND gsk < :bound",
        ExpressionAttributeValues: { ":gpk": GPK, ":bound": atKey(bound) },
      });
      for await (const page of pages) {
        const keys = (page.Items ?? []) as Array<{ pk: string; sk: string; gsk: string }>;
        const results = keys.filter((k) => k.pk.startsWith(RESULT_PREFIX));
        if (results.length > 0) {
          await batchWrite(
            ctx,
            table,
            results.map((k) => ({ DeleteRequest: { Key: { pk: k.pk, sk: k.sk } } })),
          );
          count += results.length;
        }
        for (const k of keys) {
          if (!k.pk.startsWith(LATEST_PREFIX)) continue;
          // Refused when a newer result took its place meanwhile.
          await conditionalWrite(
            ctx.doc.send(
              new DeleteCommand({
                TableName: table,
                Key: { pk: k.pk, sk: k.sk },
                ConditionExpression: "gsk = :gsk",
                ExpressionAttributeValues: { ":gsk": k.gsk },
              }),
            ),
          );
        }
      }
      return count;
    },
  };
}
