/**
 * AWS adapter for the media store: the bytes in S3, the index in one DynamoDB table.
 * Several rooms (consoles) share the bucket and the table; every query that is not by id
 * is a Query on a key or an index (never a Scan).
 *
 * S3: one object per item at `media/ROOM/YYYY/MM/DD/<room>-<HHMMSS>-<kind>-<random>.<ext>`
 * (ROOM and <room> the file-safe room id, the date and time the UTC capture time `at`),
 * written with `ServerSideEncryption: AES256` and the item's Content-Type. No ACLs: objects
 * are private, the bucket blocks public access (set up by aws:setup). A link that must
 * leave Telegram is a presigned GET (`presignMediaUrl`), 15 minutes by default. The
 * bucket's `media/` prefix belongs to this store (one table set per bucket): `sweepOrphans`
 * treats every object there without an index row as an orphan.
 *
 * DynamoDB table `media` (partition key `pk`, a string; no sort key):
 * - one row per item, `pk = "item#<id>"`: get/read/remove/linkIncident are strongly
 *   consistent GetItem/DeleteItem/UpdateItem by id. Attributes: the MediaItem's fields
 *   (`s3Key` for `key`), plus the index keys below.
 * - the store item `pk = "#store"`: `seq` (the last id handed out: UpdateItem ADD, so ids
 *   are unique and increasing across every console sharing the table), and the running
 *   totals `count` and `bytes` that `usage()` reads with one GetItem.
 * Global secondary indexes (their sort key `atId` is `<at, 15 digits>#<id, 16 digits>`, so
 * string order is capture order with the id breaking ties, like SQLite's `(at, id)`):
 * - `byRoom` (`room`, `atId`), projection ALL: `list`, newest first, one Query with the
 *   time range and the `before` cursor folded into the key condition; `kind` is a filter.
 * - `byAge` (`scope`, `atId`), projection ALL: `scope` is the constant "media", so this is
 *   the whole store in capture order: `oldest(limit)` and `usage().oldestAt` are one Query.
 *   A single partition key takes every media write of every room: fine for cameras (a few
 *   writes a minute per room; a GSI partition takes 1,000 writes a second).
 * - `byIncident` (`incidentId`, `atId`) and `byAccessEntry` (`accessEntryId`, `atId`),
 *   projection ALL, sparse (only linked items carry the attribute): `forIncident`,
 *   `forAccessEntries` (one Query per entry id, merged oldest first).
 * - `byFolder` (`folder`, `s3Key`), keys only: `folder` is the key's directory
 *   (`media/ROOM/YYYY/MM/DD`); `sweepOrphans` reads each folder's indexed keys with one Query.
 *
 * Order of writes (an index row never points at a missing object):
 * - save: validate; PutObject; UpdateItem on `#store` (ADD seq 1, count 1, bytes size: the id
 *   and the totals in one request); PutItem the row (conditional on a new pk). If the
 *   counter or the row write fails, the totals are given back and the object deleted (best
 *   effort) before the error is rethrown. A crash between the writes leaves an orphan
 *   object (removed by `sweepOrphans`) and totals one item too high.
 * - remove: DeleteItem the row (ALL_OLD tells whether there was one and its size), ADD the
 *   totals back, then DeleteObject. If a step after the row fails, the error is thrown and
 *   the object is an orphan for `sweepOrphans`.
 * So the running totals are exact unless a process dies between two of those requests
 * (DynamoDB has no transaction across them without TransactWriteItems); they then err by
 * one item per crash. `count` and `bytes` are never recomputed (that would be a Scan).
 *
 * Consistency: the row is read strongly consistently by id; the indexes are eventually
 * consistent on real DynamoDB (usually well under a second), so an item may take a moment
 * to appear in `list`, `oldest`, `forIncident`, `forAccessEntries` after `save` or a link.
 * dynalite applies them at once.
 *
 * Validation, errors and edge cases are the SQLite adapter's (the rules shared through
 * storage/validation/media.ts): same `MediaValidationError` class and messages, `limit`
 * below 1 returns nothing, a `before` cursor that no longer exists gives an empty page,
 * `linkIncident` on a missing id does nothing, `read` is undefined when the row or the
 * object (NoSuchKey) is missing.
 */
import { randomBytes } from "node:crypto";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { DeleteCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { MediaItem, MediaListQuery, MediaStore, MediaUsage } from "../../core/camera/media.ts";
import { rowLimit } from "../validation/limits.ts";
// The validation rules and naming are shared with the SQLite adapter (one set of rules
// for both backends, same error class for callers to catch).
import {
  fileSafeRoom,
  MAX_MEDIA_AT as MAX_AT,
  mediaDatePath,
  mediaItemFromRecord,
  validateIncidentLink,
  validateNewMedia,
} from "../validation/media.ts";
import { type AwsContext, queryAll, type TableSpec } from "./client.ts";
import { errorName, fixedWidth, getItem, gsi, setIfExists, tableSpec } from "./dynamo-helpers.ts";

export { MediaValidationError } from "../validation/media.ts";

export const MEDIA_TABLE = "media";
const STORE_PK = "#store";
const ITEM_PREFIX = "item#";
const SCOPE = "media";
export const MEDIA_PREFIX = "media/";

export const MEDIA_INDEXES = {
  byRoom: "byRoom",
  byAge: "byAge",
  byIncident: "byIncident",
  byAccessEntry: "byAccessEntry",
  byFolder: "byFolder",
} as const;

/** The media index table (see the file comment). */
export const MEDIA_TABLES: TableSpec[] = [
  tableSpec(
    MEDIA_TABLE,
    { hash: "pk" },
    { pk: "S", room: "S", atId: "S", scope: "S", incidentId: "S", accessEntryId: "N", folder: "S", s3Key: "S" },
    [
      gsi(MEDIA_INDEXES.byRoom, "room", "atId"),
      gsi(MEDIA_INDEXES.byAge, "scope", "atId"),
      gsi(MEDIA_INDEXES.byIncident, "incidentId", "atId"),
      gsi(MEDIA_INDEXES.byAccessEntry, "accessEntryId", "atId"),
      gsi(MEDIA_INDEXES.byFolder, "folder", "s3Key", "KEYS_ONLY"),
    ],
  ),
];

const AT_DIGITS = 15; // String(MAX_AT).length
const ID_DIGITS = 16; // String(Number.MAX_SAFE_INTEGER).length
/** Keys this store writes: anything else under `media/` is left alone by the sweep. */
const KEY_LAYOUT = /^media\/[A-Za-z0-9_-]+\/\d{4}\/\d{2}\/\d{2}\/[^/]+$/;

/** `<at>#<id>`, zero-padded so that string order is (at, id) order. Both non-negative integers. */
const atIdKey = (at: number, id: number): string => `${fixedWidth(at, AT_DIGITS)}#${fixedWidth(id, ID_DIGITS)}`;
const MAX_ID = Number.MAX_SAFE_INTEGER;

/** A MediaItem's fields (`room` and `s3Key` for roomId and key) and the index keys. */
interface MediaRow extends Omit<MediaItem, "roomId" | "key"> {
  pk: string;
  room: string;
  s3Key: string;
  atId: string;
  scope: string;
  folder: string;
}

/** Read back through the shared rules (storage/validation/media.ts). */
const toItem = (r: MediaRow): MediaItem => mediaItemFromRecord({ ...r, roomId: r.room, key: r.s3Key });

/** Runs `fn` over `items` with at most `width` in flight, results in input order. */
async function mapBounded<T, R>(items: readonly T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}

/**
 * A presigned GET for an item's object (for a link that must leave Telegram), valid for
 * `expiresInSeconds` (1 s to 7 days, SigV4's limit). Anyone holding the URL can fetch the
 * bytes until it expires; the object itself stays private.
 */
export async function presignMediaUrl(
  ctx: AwsContext,
  item: Pick<MediaItem, "key">,
  expiresInSeconds = 900,
): Promise<string> {
  if (!Number.isSafeInteger(expiresInSeconds) || expiresInSeconds < 1 || expiresInSeconds > 604_800) {
    throw new RangeError(`expiresInSeconds must be an integer from 1 to 604800 (got ${expiresInSeconds})`);
  }
  return getSignedUrl(ctx.s3, new GetObjectCommand({ Bucket: ctx.bucket, Key: item.key }), {
    expiresIn: expiresInSeconds,
  });
}

export function createS3MediaStore(ctx: AwsContext): MediaStore {
  const table = ctx.table(MEDIA_TABLE);
  const Bucket = ctx.bucket;
  const itemPk = (id: number) => `${ITEM_PREFIX}${id}`;

  const getRow = async (id: number): Promise<MediaRow | undefined> => {
    if (!Number.isSafeInteger(id)) return undefined;
    return getItem<MediaRow>(ctx, table, { pk: itemPk(id) });
  };

  /** ADD to the store item; returns the new `seq` when asked for one. */
  const bumpStore = async (values: { seq?: number; count: number; bytes: number }): Promise<number | undefined> => {
    const adds = ["#count :count", "#bytes :bytes"];
    const names: Record<string, string> = { "#count": "count", "#bytes": "bytes" };
    const vals: Record<string, number> = { ":count": values.count, ":bytes": values.bytes };
    if (values.seq !== undefined) {
      adds.unshift("#seq :seq");
      names["#seq"] = "seq";
      vals[":seq"] = values.seq;
    }
    const res = await ctx.doc.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: STORE_PK },
        UpdateExpression: `ADD ${adds.join(", ")}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: vals,
        ReturnValues: values.seq !== undefined ? "UPDATED_NEW" : "NONE",
      }),
    );
    const seq = res.Attributes?.seq;
    return typeof seq === "number" ? seq : undefined;
  };

  const deleteObjectQuietly = async (key: string) => {
    await ctx.s3.send(new DeleteObjectCommand({ Bucket, Key: key })).catch(() => undefined);
  };

  const queryIndex = (index: string, hashName: string, hashValue: string | number) =>
    queryAll<MediaRow>(ctx, {
      TableName: table,
      IndexName: index,
      KeyConditionExpression: "#h = :h",
      ExpressionAttributeNames: { "#h": hashName },
      ExpressionAttributeValues: { ":h": hashValue },
      ScanIndexForward: true,
    });

  /** The indexed keys of one folder (`media/ROOM/YYYY/MM/DD`), or whether one key is indexed. */
  const indexedKeys = async (folder: string, key?: string): Promise<Set<string>> => {
    const rows = await queryAll<{ s3Key: string }>(ctx, {
      TableName: table,
      IndexName: MEDIA_INDEXES.byFolder,
      KeyConditionExpression: key === undefined ? "#f = :f" : "#f = :f AND #k = :k",
      ExpressionAttributeNames: { "#f": "folder", "#k": "s3Key" },
      ExpressionAttributeValues: key === undefined ? { ":f": folder } : { ":f": folder, ":k": key },
      ProjectionExpression: "#k",
    });
    return new Set(rows.map((r) => r.s3Key));
  };

  return {
    async save(m) {
      const ext = validateNewMedia(m);
      const { day, time } = mediaDatePath(m.at);
      const room = fileSafeRoom(m.roomId);
      const folder = `${MEDIA_PREFIX}${room}/${day}`;
      const key = `${folder}/${room}-${time}-${m.kind}-${randomBytes(6).toString("hex")}.${ext}`;
      const size = m.bytes.length;
      await ctx.s3.send(
        new PutObjectCommand({
          Bucket,
          Key: key,
          Body: m.bytes,
          ContentType: m.mime,
          ContentLength: size,
          ServerSideEncryption: "AES256",
        }),
      );
      let counted = false;
      try {
        const id = await bumpStore({ seq: 1, count: 1, bytes: size });
        counted = true;
        if (id === undefined) throw new Error("the media id counter returned no value");
        const row: MediaRow = {
          pk: itemPk(id),
          id,
          room: m.roomId,
          at: m.at,
          kind: m.kind,
          mime: m.mime,
          size,
          reason: m.reason,
          s3Key: key,
          // Undefined ones are left out of the item (the context's removeUndefinedValues).
          width: m.width,
          height: m.height,
          seconds: m.seconds,
          requestedBy: m.requestedBy,
          accessEntryId: m.accessEntryId,
          incidentId: m.incidentId,
          atId: atIdKey(m.at, id),
          scope: SCOPE,
          folder,
        };
        await ctx.doc.send(
          new PutCommand({ TableName: table, Item: row, ConditionExpression: "attribute_not_exists(pk)" }),
        );
        return toItem(row);
      } catch (err) {
        if (counted) await bumpStore({ count: -1, bytes: -size }).catch(() => undefined);
        await deleteObjectQuietly(key);
        throw err;
      }
    },

    async get(id) {
      const r = await getRow(id);
      return r && toItem(r);
    },

    async read(id) {
      const r = await getRow(id);
      if (!r) return undefined;
      try {
        const res = await ctx.s3.send(new GetObjectCommand({ Bucket, Key: r.s3Key }));
        if (!res.Body) return undefined;
        const bytes = await res.Body.transformToByteArray();
        return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      } catch (err) {
        if (errorName(err) === "NoSuchKey") return undefined;
        throw err;
      }
    },

    async list(roomId, q: MediaListQuery) {
      const limit = rowLimit(q.limit);
      if (limit === 0 || typeof roomId !== "string" || roomId === "") return [];
      // Inclusive bounds on (at, id): from <= at < to, (at, id) < the cursor's.
      let loAt = 0;
      let hiAt = MAX_AT;
      let hiId = MAX_ID;
      if (q.from !== undefined) {
        if (Number.isNaN(q.from)) return [];
        loAt = Math.max(0, Math.ceil(q.from));
      }
      if (q.to !== undefined) {
        if (Number.isNaN(q.to)) return [];
        const last = Math.ceil(q.to) - 1;
        if (last < hiAt) hiAt = last;
      }
      if (q.before !== undefined) {
        const cursor = await getRow(q.before);
        if (!cursor) return [];
        let cAt = cursor.at;
        let cId = cursor.id - 1;
        if (cId < 0) {
          cAt -= 1;
          cId = MAX_ID;
        }
        if (cAt < hiAt || (cAt === hiAt && cId < hiId)) {
          hiAt = cAt;
          hiId = cId;
        }
      }
      if (loAt > MAX_AT || hiAt < loAt) return [];
      const filtered = q.kind !== undefined;
      const rows = await queryAll<MediaRow>(
        ctx,
        {
          TableName: table,
          IndexName: MEDIA_INDEXES.byRoom,
          KeyConditionExpression: "#room = :room AND #atId BETWEEN :lo AND :hi",
          ExpressionAttributeNames: { "#room": "room", "#atId": "atId", ...(filtered ? { "#kind": "kind" } : {}) },
          ExpressionAttributeValues: {
            ":room": roomId,
            ":lo": atIdKey(loAt, 0),
            ":hi": atIdKey(hiAt, hiId),
            ...(filtered ? { ":kind": q.kind } : {}),
          },
          ...(filtered ? { FilterExpression: "#kind = :kind" } : {}),
          ScanIndexForward: false,
          // A filter applies after Limit: read a little more per page when filtering.
          Limit: filtered ? Math.max(limit, 100) : limit,
        },
        limit,
      );
      return rows.map(toItem);
    },

    async forAccessEntries(entryIds) {
      const ids = [...new Set(entryIds)].filter((id) => Number.isSafeInteger(id));
      if (ids.length === 0) return [];
      const groups = await mapBounded(ids, 8, (id) => queryIndex(MEDIA_INDEXES.byAccessEntry, "accessEntryId", id));
      return groups
        .flat()
        .sort((a, b) => (a.atId < b.atId ? -1 : a.atId > b.atId ? 1 : 0))
        .map(toItem);
    },

    async forIncident(incidentId) {
      if (typeof incidentId !== "string" || incidentId === "") return [];
      return (await queryIndex(MEDIA_INDEXES.byIncident, "incidentId", incidentId)).map(toItem);
    },

    async linkIncident(id, incidentId) {
      validateIncidentLink(incidentId);
      if (!Number.isSafeInteger(id)) return;
      // Refused when there is no such item (removed meanwhile): nothing to link.
      await setIfExists(ctx, table, { pk: itemPk(id) }, "incidentId", incidentId);
    },

    async usage(): Promise<MediaUsage> {
      const [store, oldest] = await Promise.all([
        getItem<{ count?: unknown; bytes?: unknown }>(ctx, table, { pk: STORE_PK }),
        queryAll<MediaRow>(
          ctx,
          {
            TableName: table,
            IndexName: MEDIA_INDEXES.byAge,
            KeyConditionExpression: "#scope = :scope",
            ExpressionAttributeNames: { "#scope": "scope", "#at": "at" },
            ExpressionAttributeValues: { ":scope": SCOPE },
            ProjectionExpression: "#at",
            ScanIndexForward: true,
            Limit: 1,
          },
          1,
        ),
      ]);
      const count = store?.count;
      const bytes = store?.bytes;
      const u: MediaUsage = {
        count: typeof count === "number" ? count : 0,
        bytes: typeof bytes === "number" ? bytes : 0,
      };
      const first = oldest[0];
      if (first) u.oldestAt = first.at;
      return u;
    },

    async oldest(limit) {
      const n = rowLimit(limit);
      if (n === 0) return [];
      const rows = await queryAll<MediaRow>(
        ctx,
        {
          TableName: table,
          IndexName: MEDIA_INDEXES.byAge,
          KeyConditionExpression: "#scope = :scope",
          ExpressionAttributeNames: { "#scope": "scope" },
          ExpressionAttributeValues: { ":scope": SCOPE },
          ScanIndexForward: true,
          Limit: n,
        },
        n,
      );
      return rows.map(toItem);
    },

    async remove(id) {
      if (!Number.isSafeInteger(id)) return false;
      const res = await ctx.doc.send(
        new DeleteCommand({ TableName: table, Key: { pk: itemPk(id) }, ReturnValues: "ALL_OLD" }),
      );
      const row = res.Attributes as MediaRow | undefined;
      if (!row) return false;
      await bumpStore({ count: -1, bytes: -row.size });
      // Deleting a missing object succeeds in S3: "already gone" is not an error.
      await ctx.s3.send(new DeleteObjectCommand({ Bucket, Key: row.s3Key }));
      return true;
    },

    async sweepOrphans(olderThan) {
      let removed = 0;
      // Listing is in key order, so a folder's objects come together: one index Query per folder.
      let folder: string | undefined;
      let indexed = new Set<string>();
      let token: string | undefined;
      do {
        const page: ListObjectsV2CommandOutput = await ctx.s3.send(
          new ListObjectsV2Command({ Bucket, Prefix: MEDIA_PREFIX, ...(token ? { ContinuationToken: token } : {}) }),
        );
        for (const obj of page.Contents ?? []) {
          const key = obj.Key;
          if (!key || !KEY_LAYOUT.test(key)) continue; // not ours to touch
          const modified = obj.LastModified?.getTime();
          if (modified === undefined || !(modified < olderThan)) continue; // young: a save may be about to index it
          const dir = key.slice(0, key.lastIndexOf("/"));
          if (dir !== folder) {
            folder = dir;
            indexed = await indexedKeys(dir);
          }
          if (indexed.has(key)) continue;
          // Look again right before deleting: the row may have been written since the folder was read.
          if ((await indexedKeys(dir, key)).has(key)) continue;
          await ctx.s3.send(new DeleteObjectCommand({ Bucket, Key: key }));
          removed++;
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return removed;
    },
  };
}
