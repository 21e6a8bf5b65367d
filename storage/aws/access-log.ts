/**
 * DynamoDB adapter for the per-room access log (STORAGE=aws; the staff register:
 * staff.ts). Same behaviour as the SQLite adapter (storage/sqlite/access.ts: ordering,
 * paging, limits below 1 return nothing); the contract suite in
 * test/storage/contract/access.ts runs unchanged against both. Never a Scan: lists are
 * Query. Errors reject with the SDK's error (its retries included).
 *
 * Table `${prefix}-access-log`  (PK roomId S, SK id N)
 *   - entry   { roomId, id, at, cardUid, staffName?, decision, roomCard }
 *   - counter { roomId, id: 0, lastId }  (one a room; not in either index: no at/roomCard)
 *   GSI `by-card`  roomCard = "<encodeURIComponent(roomId)>#<cardUid>" (S), id (N)
 *   GSI `by-time`  roomId (S), at (N)
 *   Ids come from an atomic per-room counter (UpdateItem ADD lastId 1, then PutItem):
 *   unique across processes and increasing in arrival order even when the Pi's clock
 *   steps back, like SQLite's AUTOINCREMENT. The cost is two writes per door event
 *   (cheap at door rates); a put that fails after the increment leaves a gap, which
 *   paging by `before` does not mind. (An id made of `at * 1000 + counter` would save a
 *   write but break ordering when the clock steps back, and collide across processes.)
 *   `latest` is one consistent Query `id BETWEEN 1 AND before-1` backwards, Limit n:
 *   one request for `/access 20`. `byCard` queries `by-card` backwards; `between` queries
 *   `by-time` (`at BETWEEN from AND to`, the bound `to` dropped) and orders ties by id,
 *   reading on past the limit while the time stays equal; `count` is a Query Select=COUNT.
 *   Index reads are eventually consistent: on AWS an entry written a moment ago can be
 *   missing from byCard/between for a short while (latest and count read the table).
 */
import { PutCommand, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import {
  ACCESS_DECISIONS,
  type AccessDecision,
  type AccessEntry,
  type AccessLogRepository,
} from "../../core/door/ports.ts";
import { accessEntryFromRecord } from "../validation/access.ts";
import { rowLimit } from "../validation/limits.ts";
import { type AwsContext, queryAll, type TableSpec } from "./client.ts";
import { addToCounter, encodeKeyParts, gsi, queryCount, queryPages, tableSpec } from "./dynamo-helpers.ts";

export const ACCESS_LOG_TABLE = "access-log";
export const ACCESS_BY_CARD_INDEX = "by-card";
export const ACCESS_BY_TIME_INDEX = "by-time";

export const ACCESS_LOG_TABLES: TableSpec[] = [
  tableSpec(ACCESS_LOG_TABLE, { hash: "roomId", range: "id" }, { roomId: "S", id: "N", roomCard: "S", at: "N" }, [
    gsi(ACCESS_BY_CARD_INDEX, "roomCard", "id"),
    gsi(ACCESS_BY_TIME_INDEX, "roomId", "at"),
  ]),
];

const DECISIONS: ReadonlySet<string> = new Set<AccessDecision>(ACCESS_DECISIONS);

interface AccessItem {
  roomId: string;
  id: number;
  at: number;
  cardUid: string;
  staffName?: string;
  decision: AccessDecision;
  roomCard: string;
}

const toAccessEntry = (i: AccessItem): AccessEntry => accessEntryFromRecord(i);

/** The partition key of the `by-card` index: unambiguous ('#' never occurs in the encoded room). */
export const roomCardKey = (roomId: string, cardUid: string): string => `${encodeKeyParts(roomId)}#${cardUid}`;

/** The sort key of each room's id counter (entries start at 1). */
const COUNTER_ID = 0;

export function createDynamoAccessLogRepository(ctx: AwsContext): AccessLogRepository {
  const TableName = ctx.table(ACCESS_LOG_TABLE);

  /** Largest entry id below `before` (ids are integers), or undefined for "none". */
  const highestBelow = (before: number | undefined): number | undefined => {
    if (before === undefined) return Number.MAX_SAFE_INTEGER;
    const hi = Math.ceil(before) - 1;
    return hi >= 1 ? hi : undefined;
  };

  /** Up to `limit` entries with an id below `before`, newest first; `query(hi)` bounds the id by `hi`. */
  const newestBelow = async (
    limit: number,
    before: number | undefined,
    query: (hi: number) => QueryCommandInput,
  ): Promise<AccessEntry[]> => {
    const n = rowLimit(limit);
    const hi = highestBelow(before);
    if (n === 0 || hi === undefined) return [];
    const items = await queryAll<AccessItem>(ctx, { ...query(hi), ScanIndexForward: false, Limit: n }, n);
    return items.map(toAccessEntry);
  };

  return {
    async add(e) {
      if (!DECISIONS.has(e.decision)) throw new Error(`unknown access decision ${JSON.stringify(e.decision)}`);
      const id = await addToCounter(
        ctx,
        TableName,
        { roomId: e.roomId, id: COUNTER_ID },
        "lastId",
        1,
        "DynamoDB returned no access log id",
      );
      const item: AccessItem = {
        roomId: e.roomId,
        id,
        at: e.at,
        cardUid: e.cardUid,
        ...(e.staffName !== undefined ? { staffName: e.staffName } : {}),
        decision: e.decision,
        roomCard: roomCardKey(e.roomId, e.cardUid),
      };
      await ctx.doc.send(new PutCommand({ TableName, Item: item }));
      return id;
    },

    latest: (roomId, limit, before) =>
      newestBelow(limit, before, (hi) => ({
        TableName,
        KeyConditionExpression: "#room = :room AND #id BETWEEN :lo AND :hi",
        ExpressionAttributeNames: { "#room": "roomId", "#id": "id" },
        ExpressionAttributeValues: { ":room": roomId, ":lo": COUNTER_ID + 1, ":hi": hi },
        ConsistentRead: true,
      })),

    byCard: (roomId, cardUid, limit, before) =>
      newestBelow(limit, before, (hi) => ({
        TableName,
        IndexName: ACCESS_BY_CARD_INDEX,
        KeyConditionExpression: "#rc = :rc AND #id <= :hi",
        ExpressionAttributeNames: { "#rc": "roomCard", "#id": "id" },
        ExpressionAttributeValues: { ":rc": roomCardKey(roomId, cardUid), ":hi": hi },
      })),

    async between(roomId, from, to, limit) {
      const n = rowLimit(limit);
      if (n === 0 || !(to > from)) return [];
      const input: QueryCommandInput = {
        TableName,
        IndexName: ACCESS_BY_TIME_INDEX,
        KeyConditionExpression: "#room = :room AND #at BETWEEN :from AND :to",
        ExpressionAttributeNames: { "#room": "roomId", "#at": "at" },
        ExpressionAttributeValues: { ":room": roomId, ":from": from, ":to": to },
        Limit: n + 1,
      };
      // Oldest first; entries with the same time as the n-th are all read so that ties
      // are settled by id (the index does not order them).
      const out: AccessItem[] = [];
      read: for await (const page of queryPages(ctx, input)) {
        for (const item of (page.Items ?? []) as AccessItem[]) {
          if (!(item.at < to)) break read; // the rest sit on the excluded bound
          const last = out[out.length - 1];
          if (out.length >= n && last !== undefined && item.at > last.at) break read;
          out.push(item);
        }
      }
      return out
        .sort((a, b) => a.at - b.at || a.id - b.id)
        .slice(0, n)
        .map(toAccessEntry);
    },

    async count(roomId) {
      return queryCount(ctx, {
        TableName,
        KeyConditionExpression: "#room = :room AND #id > :counter",
        ExpressionAttributeNames: { "#room": "roomId", "#id": "id" },
        ExpressionAttributeValues: { ":room": roomId, ":counter": COUNTER_ID },
      });
    },
  };
}
