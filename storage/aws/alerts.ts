/**
 * DynamoDB adapters for the alert pipeline: incidents, the alert outbox, mutes and the
 * audit log, shared by every room of a backend. Only GetItem, PutItem, UpdateItem,
 * DeleteItem, Query and BatchWriteItem are used: never a Scan, and no transactions
 * (dynalite, the local stand-in, has none, and the Pi's IAM policy does not grant them).
 *
 * incidents (hash key `pk`), two kinds of item:
 *   - the incident: pk "incident#ID"; every field of `Incident` (details as JSON text,
 *     ackedBy as ackedById/ackedByName), plus `openKey` = "open" only while it is open
 *     and `claim`, the token of the guard that opened it.
 *   - the guard of an open incident: pk "open#ROOM#RULE" (both URI-encoded), with
 *     incidentId, claim (a random token) and item (the incident as first written). The
 *     guard's conditional Put is the commit point of "open an incident": at most one
 *     guard per (room, rule) exists, so at most one open incident. Opening writes the
 *     guard (attribute_not_exists), then the incident; a crash in between leaves a guard
 *     whose incident anyone rolls forward from `item` (findOpen and the next insert do).
 *     A guard whose incident is resolved or belongs to another claim is stale and is
 *     replaced conditionally (incidentId = the old one). Resolving updates the incident,
 *     then deletes the guard (incidentId = ID). A resolved incident stays resolved:
 *     `update` refuses to reopen it, which is what makes "resolved guard = stale" safe.
 *   GSI `open` (sparse: openKey HASH, openedAt RANGE): listOpen, all rooms or filtered
 *     by room; a few dozen items at most. Sorted here by (openedAt, id).
 *   GSI `room-opened` (roomId HASH, openedAt RANGE; guards have no top-level roomId, so
 *     they are not in it): openedBetween.
 *
 * outbox (hash key `id`, a number): the entries, and a counter item (id 0, `lastId`).
 *   enqueue reserves N ids with one UpdateItem ADD on the counter (ids only grow, even
 *   after pruning), then writes the N entries with BatchWriteItem (not atomic: a failure
 *   part way leaves some, and the call rejects).
 *   GSI `pending` (sparse: pendingChannel HASH, id RANGE, keys only): set while
 *   undelivered. pending() queries it oldest first and re-reads each entry with a
 *   consistent GetItem, dropping any that the (eventually consistent) index still lists
 *   after markDelivered, so a notice just marked delivered is not handed out again.
 *   GSI `delivered` (sparse: deliveredKey = "delivered" HASH, deliveredAt RANGE, keys
 *   only): prune() queries deliveredAt < before and batch-deletes.
 *   markDelivered is one conditional UpdateItem per id (delivered ones are left as they
 *   are), not one transaction.
 *
 * mutes (roomId HASH, rule RANGE): until, byId, byName. active() is one Query filtered on
 *   until > now, ordered by rule. Expired mutes are kept (as in SQLite: clear() of an
 *   expired mute still reports that one existed).
 *
 * audit (roomId HASH, sk RANGE): sk = zero-padded `at` # a per-process increasing stamp #
 *   random, so latest() is one Query, newest first, and entries with the same `at` come
 *   back newest-recorded first (within one process). `at` must be a non-negative integer.
 *
 * Errors propagate (the SDK retries throttling and 5xx up to the context's maxAttempts).
 */
import { randomBytes } from "node:crypto";
import { DeleteCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { AuditRepository, IncidentRepository, MuteRepository, OutboxRepository } from "../../core/alerts/ports.ts";
import type { Incident, Mute } from "../../core/alerts/types.ts";
import {
  type AuditRecord,
  auditEntryFromRecord,
  type IncidentRecord,
  incidentFromRecord,
  incidentToRecord,
  type OutboxRecord,
  outboxEntryFromRecord,
} from "../validation/alerts.ts";
import { type AwsContext, batchWrite, queryAll, type TableSpec } from "./client.ts";
import {
  addToCounter,
  compareUtf8,
  conditionalWrite,
  encodeKeyParts,
  fixedWidth,
  getItem,
  gsi,
  isConditionFailure,
  putIfAbsent,
  queryCount,
  queryPages,
  setIfExists,
  tableSpec,
} from "./dynamo-helpers.ts";

export const INCIDENTS_TABLE = "incidents";
export const OUTBOX_TABLE = "outbox";
export const MUTES_TABLE = "mutes";
export const AUDIT_TABLE = "audit";

export const ALERT_TABLES: TableSpec[] = [
  tableSpec(INCIDENTS_TABLE, { hash: "pk" }, { pk: "S", openKey: "S", roomId: "S", openedAt: "N" }, [
    gsi("open", "openKey", "openedAt"),
    gsi("room-opened", "roomId", "openedAt"),
  ]),
  tableSpec(OUTBOX_TABLE, { hash: "id" }, { id: "N", pendingChannel: "S", deliveredKey: "S", deliveredAt: "N" }, [
    gsi("pending", "pendingChannel", "id", "KEYS_ONLY"),
    gsi("delivered", "deliveredKey", "deliveredAt", "KEYS_ONLY"),
  ]),
  tableSpec(MUTES_TABLE, { hash: "roomId", range: "rule" }, { roomId: "S", rule: "S" }),
  tableSpec(AUDIT_TABLE, { hash: "roomId", range: "sk" }, { roomId: "S", sk: "S" }),
];

// ---------------------------------------------------------------------------- helpers

/** Sets what is defined and removes what is not, in one update expression. */
function setOrRemove(
  fields: Record<string, unknown>,
  extraSet: string[] = [],
  extraRemove: string[] = [],
): { expr: string; names: Record<string, string>; values: Record<string, unknown> } {
  const set = [...extraSet];
  const remove = [...extraRemove];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    names[`#${k}`] = k;
    if (v === undefined) remove.push(`#${k}`);
    else {
      set.push(`#${k} = :${k}`);
      values[`:${k}`] = v;
    }
  }
  const expr = [set.length ? `SET ${set.join(", ")}` : "", remove.length ? `REMOVE ${remove.join(", ")}` : ""]
    .filter(Boolean)
    .join(" ");
  return { expr, names, values };
}

// -------------------------------------------------------------------------- incidents

const OPEN_KEY = "open";

/** The shared stored fields (storage/validation/alerts.ts), absent ones left out. */
interface IncidentItem extends IncidentRecord {
  pk: string;
  openKey?: string;
  claim?: string;
}

interface GuardItem {
  pk: string;
  incidentId: string;
  claim: string;
  item: IncidentItem;
}

const incidentPk = (id: string) => `incident#${id}`;
const guardPk = (roomId: string, rule: string) => `open#${encodeKeyParts(roomId, rule)}`;

function toIncidentItem(i: Incident): IncidentItem {
  return {
    pk: incidentPk(i.id),
    ...incidentToRecord(i),
    ...(i.state === "open" ? { openKey: OPEN_KEY } : {}),
  };
}

function byOpenedAtThenId(a: Incident, b: Incident): number {
  return a.openedAt - b.openedAt || compareUtf8(a.id, b.id);
}

export function createDynamoIncidentRepository(ctx: AwsContext): IncidentRepository {
  const table = ctx.table(INCIDENTS_TABLE);

  const get = <T>(pk: string): Promise<T | undefined> => getItem<T>(ctx, table, { pk });
  const create = (item: IncidentItem | GuardItem): Promise<boolean> => putIfAbsent(ctx, table, item, "pk");

  async function releaseGuard(pk: string, incidentId: string): Promise<void> {
    await conditionalWrite(
      ctx.doc.send(
        new DeleteCommand({
          TableName: table,
          Key: { pk },
          ConditionExpression: "incidentId = :id",
          ExpressionAttributeValues: { ":id": incidentId },
        }),
      ),
    );
  }

  /**
   * The incident a guard stands for, written from the guard if an interrupted insert did
   * not get to it; undefined if the id now belongs to another incident (the guard is stale).
   */
  async function incidentOf(guard: GuardItem): Promise<IncidentItem | undefined> {
    let item = await get<IncidentItem>(incidentPk(guard.incidentId));
    if (!item) {
      await create(guard.item);
      item = await get<IncidentItem>(incidentPk(guard.incidentId));
    }
    return item && item.claim === guard.claim ? item : undefined;
  }

  async function insertOpen(i: Incident): Promise<void> {
    const claim = randomBytes(12).toString("base64url");
    const item: IncidentItem = { ...toIncidentItem(i), claim };
    const guard: GuardItem = { pk: guardPk(i.roomId, i.rule), incidentId: i.id, claim, item };
    let claimed = false;
    for (let round = 0; round < 8 && !claimed; round++) {
      if (await create(guard)) {
        claimed = true;
        break;
      }
      const holder = await get<GuardItem>(guard.pk);
      if (!holder) continue; // released meanwhile: try again
      if (holder.claim === claim) {
        claimed = true; // our own Put went through on an attempt the SDK retried
        break;
      }
      const current = await incidentOf(holder);
      if (current?.state === "open") {
        throw new Error(
          `incident ${current.id} is already open for ${i.rule} in room ${i.roomId}; refusing to open ${i.id}`,
        );
      }
      // Stale guard (its incident is resolved, or the id belongs to another incident): take it over.
      claimed = await conditionalWrite(
        ctx.doc.send(
          new PutCommand({
            TableName: table,
            Item: guard,
            ConditionExpression: "incidentId = :old AND claim = :oldClaim",
            ExpressionAttributeValues: { ":old": holder.incidentId, ":oldClaim": holder.claim },
          }),
        ),
      );
    }
    if (!claimed) throw new Error(`could not open ${i.rule} in room ${i.roomId}: too much contention`);
    let written: boolean;
    try {
      written = await create(item);
    } catch (err) {
      // Unknown outcome: if the incident was not written, give the (room, rule) back; if
      // even that fails, the guard stays and the incident is rolled forward later.
      await releaseGuard(guard.pk, i.id).catch(() => {});
      throw err;
    }
    if (written) return;
    const existing = await get<IncidentItem>(item.pk);
    if (existing?.claim === claim) return; // someone rolled this very insert forward
    await releaseGuard(guard.pk, i.id);
    throw new Error(`incident ${i.id} already exists`);
  }

  return {
    async insert(i) {
      if (i.state === "open") return insertOpen(i);
      const ok = await create(toIncidentItem(i));
      if (!ok) throw new Error(`incident ${i.id} already exists`);
    },

    async update(i) {
      const r = incidentToRecord(i);
      const { expr, names, values } = setOrRemove(
        {
          severity: r.severity,
          state: r.state,
          resolvedAt: r.resolvedAt,
          details: r.details,
          ackedAt: r.ackedAt,
          ackedById: r.ackedById,
          ackedByName: r.ackedByName,
          lastNotifiedAt: r.lastNotifiedAt,
        },
        [],
        i.state === "open" ? [] : ["openKey"],
      );
      const key = { pk: incidentPk(i.id) };
      if (i.state === "open") {
        try {
          await ctx.doc.send(
            new UpdateCommand({
              TableName: table,
              Key: key,
              UpdateExpression: expr,
              ConditionExpression: "attribute_exists(pk) AND #state = :open",
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: { ...values, ":open": "open" },
            }),
          );
          return;
        } catch (err) {
          if (!isConditionFailure(err)) throw err;
        }
        if (!(await get(key.pk))) throw new Error(`incident ${i.id} does not exist`);
        throw new Error(`incident ${i.id} is resolved and cannot be reopened`);
      }
      let old: IncidentItem | undefined;
      try {
        const res = await ctx.doc.send(
          new UpdateCommand({
            TableName: table,
            Key: key,
            UpdateExpression: expr,
            ConditionExpression: "attribute_exists(pk)",
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues: "ALL_OLD",
          }),
        );
        old = res.Attributes as IncidentItem | undefined;
      } catch (err) {
        if (isConditionFailure(err)) throw new Error(`incident ${i.id} does not exist`);
        throw err;
      }
      if (old?.state === "open") await releaseGuard(guardPk(old.roomId, old.rule), old.id);
    },

    async setTelegramMessageId(id, messageId) {
      // Refused for an unknown id: nothing to record (as in SQLite).
      await setIfExists(ctx, table, { pk: incidentPk(id) }, "telegramMessageId", messageId);
    },

    async get(id) {
      const item = await get<IncidentItem>(incidentPk(id));
      return item && incidentFromRecord(item);
    },

    async findOpen(roomId, rule) {
      const guard = await get<GuardItem>(guardPk(roomId, rule));
      if (!guard) return undefined;
      const item = await incidentOf(guard);
      return item?.state === "open" ? incidentFromRecord(item) : undefined;
    },

    async listOpen(roomId) {
      const items = await queryAll<IncidentItem>(ctx, {
        TableName: table,
        IndexName: "open",
        KeyConditionExpression: "openKey = :open",
        ExpressionAttributeValues: { ":open": OPEN_KEY, ...(roomId === undefined ? {} : { ":room": roomId }) },
        ...(roomId === undefined ? {} : { FilterExpression: "roomId = :room" }),
      });
      return items
        .filter((r) => r.state === "open")
        .map(incidentFromRecord)
        .sort(byOpenedAtThenId);
    },

    async openedBetween(roomId, from, to) {
      if (!(from < to)) return [];
      const items = await queryAll<IncidentItem>(ctx, {
        TableName: table,
        IndexName: "room-opened",
        KeyConditionExpression: "roomId = :room AND openedAt BETWEEN :from AND :to",
        ExpressionAttributeValues: { ":room": roomId, ":from": from, ":to": to },
      });
      return items
        .filter((r) => r.openedAt < to)
        .map(incidentFromRecord)
        .sort(byOpenedAtThenId);
    },
  };
}

// ----------------------------------------------------------------------------- outbox

const COUNTER_ID = 0;
const DELIVERED_KEY = "delivered";
/**
 * Dead letters share the `delivered` index under their own partition (deliveredKey "dead",
 * deliveredAt = when it died): dead() and prune() query it, no new index needed.
 */
const DEAD_KEY = "dead";

function outboxEntryOf(r: OutboxItem) {
  if (r.deliveredKey !== DEAD_KEY) return outboxEntryFromRecord(r);
  const { deliveredAt, ...rest } = r;
  return outboxEntryFromRecord({ ...rest, deadAt: deliveredAt ?? null });
}

/** The shared stored fields (storage/validation/alerts.ts), plus the sparse index keys. */
interface OutboxItem extends OutboxRecord {
  pendingChannel?: string;
  deliveredKey?: string;
}

export function createDynamoOutboxRepository(ctx: AwsContext): OutboxRepository {
  const table = ctx.table(OUTBOX_TABLE);

  async function markOne(id: number, at: number, ref: string | undefined): Promise<void> {
    // Refused when already delivered, or when there is no such entry.
    await conditionalWrite(
      ctx.doc.send(
        new UpdateCommand({
          TableName: table,
          Key: { id },
          UpdateExpression:
            `SET deliveredAt = :at, deliveredKey = :d, attempts = attempts + :one${ref === undefined ? "" : ", #ref = :ref"} ` +
            `REMOVE pendingChannel, lastError${ref === undefined ? ", #ref" : ""}`,
          ConditionExpression: "attribute_exists(pendingChannel)",
          ExpressionAttributeNames: { "#ref": "ref" },
          ExpressionAttributeValues: {
            ":at": at,
            ":d": DELIVERED_KEY,
            ":one": 1,
            ...(ref === undefined ? {} : { ":ref": ref }),
          },
        }),
      ),
    );
  }

  return {
    async enqueue(notice, channels, at) {
      if (channels.length === 0) return [];
      const last = await addToCounter(
        ctx,
        table,
        { id: COUNTER_ID },
        "lastId",
        channels.length,
        "the outbox counter returned no id",
      );
      const first = last - channels.length + 1;
      const json = JSON.stringify(notice);
      const items: OutboxItem[] = channels.map((channel, k) => ({
        id: first + k,
        channel,
        notice: json,
        createdAt: at,
        attempts: 0,
        nextAttemptAt: at,
        pendingChannel: channel,
      }));
      await batchWrite(
        ctx,
        table,
        items.map((Item) => ({ PutRequest: { Item } })),
      );
      return items.map((e) => e.id);
    },

    async pending(channel, limit) {
      if (!(limit > 0)) return [];
      const keys = await queryAll<{ id: number }>(
        ctx,
        {
          TableName: table,
          IndexName: "pending",
          KeyConditionExpression: "pendingChannel = :c",
          ExpressionAttributeValues: { ":c": channel },
          ScanIndexForward: true,
          Limit: limit,
        },
        limit,
      );
      // The index is eventually consistent: confirm each entry on the table itself.
      const items = await Promise.all(keys.map(({ id }) => getItem<OutboxItem>(ctx, table, { id })));
      return items
        .filter((r): r is OutboxItem => r?.pendingChannel === channel)
        .sort((a, b) => a.id - b.id)
        .map(outboxEntryOf);
    },

    async markDelivered(ids, at, ref) {
      for (let k = 0; k < ids.length; k += 25) {
        await Promise.all(ids.slice(k, k + 25).map((id) => markOne(id, at, ref)));
      }
    },

    async markFailed(id, error, nextAttemptAt) {
      // Refused when there is no such entry (as in SQLite).
      await conditionalWrite(
        ctx.doc.send(
          new UpdateCommand({
            TableName: table,
            Key: { id },
            UpdateExpression: "SET attempts = attempts + :one, lastError = :e, nextAttemptAt = :next",
            ConditionExpression: "attribute_exists(channel)",
            ExpressionAttributeValues: { ":one": 1, ":e": error.slice(0, 1000), ":next": nextAttemptAt },
          }),
        ),
      );
    },

    async markDead(id, error, at) {
      await conditionalWrite(
        ctx.doc.send(
          new UpdateCommand({
            TableName: table,
            Key: { id },
            UpdateExpression:
              "SET attempts = attempts + :one, lastError = :e, deliveredKey = :dead, deliveredAt = :at REMOVE pendingChannel",
            ConditionExpression: "attribute_exists(pendingChannel)",
            ExpressionAttributeValues: { ":one": 1, ":e": error.slice(0, 1000), ":dead": DEAD_KEY, ":at": at },
          }),
        ),
      );
    },

    async dead(since, limit) {
      if (!(limit > 0)) return [];
      const keys = await queryAll<{ id: number }>(
        ctx,
        {
          TableName: table,
          IndexName: "delivered",
          KeyConditionExpression: "deliveredKey = :dead AND deliveredAt >= :since",
          ExpressionAttributeValues: { ":dead": DEAD_KEY, ":since": since },
          ScanIndexForward: false,
          Limit: limit,
        },
        limit,
      );
      const items = await Promise.all(keys.map(({ id }) => getItem<OutboxItem>(ctx, table, { id })));
      return items
        .filter((r): r is OutboxItem => r?.deliveredKey === DEAD_KEY)
        .sort((a, b) => (b.deliveredAt ?? 0) - (a.deliveredAt ?? 0) || b.id - a.id)
        .map(outboxEntryOf);
    },

    async countPending(channel) {
      return queryCount(ctx, {
        TableName: table,
        IndexName: "pending",
        KeyConditionExpression: "pendingChannel = :c",
        ExpressionAttributeValues: { ":c": channel },
      });
    },

    async prune(before) {
      let deleted = 0;
      for (const key of [DELIVERED_KEY, DEAD_KEY]) {
        deleted += await pruneKey(key, before);
      }
      return deleted;
    },
  };

  async function pruneKey(key: string, before: number): Promise<number> {
    let deleted = 0;
    {
      const pages = queryPages(ctx, {
        TableName: table,
        IndexName: "delivered",
        KeyConditionExpression: "deliveredKey = :d AND deliveredAt < :before",
        ExpressionAttributeValues: { ":d": key, ":before": before },
      });
      for await (const page of pages) {
        const ids = (page.Items ?? []).map((r) => (r as { id: number }).id);
        if (ids.length > 0) {
          await batchWrite(
            ctx,
            table,
            ids.map((id) => ({ DeleteRequest: { Key: { id } } })),
          );
        }
        deleted += ids.length;
      }
    }
    return deleted;
  }
}

// ------------------------------------------------------------------------------ mutes

interface MuteItem {
  roomId: string;
  rule: string;
  until: number;
  byId: number;
  byName: string;
}

export function createDynamoMuteRepository(ctx: AwsContext): MuteRepository {
  const table = ctx.table(MUTES_TABLE);
  return {
    async set(m) {
      const item: MuteItem = { roomId: m.roomId, rule: m.rule, until: m.until, byId: m.by.id, byName: m.by.name };
      await ctx.doc.send(new PutCommand({ TableName: table, Item: item }));
    },
    async clear(roomId, rule) {
      const res = await ctx.doc.send(
        new DeleteCommand({ TableName: table, Key: { roomId, rule }, ReturnValues: "ALL_OLD" }),
      );
      return res.Attributes !== undefined;
    },
    async active(roomId, now) {
      const items = await queryAll<MuteItem>(ctx, {
        TableName: table,
        KeyConditionExpression: "roomId = :room",
        FilterExpression: "#until > :now",
        ExpressionAttributeNames: { "#until": "until" },
        ExpressionAttributeValues: { ":room": roomId, ":now": now },
        ConsistentRead: true,
      });
      return items.map(
        (r): Mute => ({
          roomId: r.roomId,
          rule: r.rule as Mute["rule"],
          until: r.until,
          by: { id: r.byId, name: r.byName },
        }),
      );
    },
  };
}

// ------------------------------------------------------------------------------ audit

/** The shared stored fields (storage/validation/alerts.ts), plus the sort key. */
interface AuditItem extends AuditRecord {
  sk: string;
}

const pad16 = (n: number) => fixedWidth(n, 16);
let lastStamp = 0;
/** Strictly increasing within this process (microseconds since the epoch, bumped on ties). */
function nextStamp(): number {
  lastStamp = Math.max(Date.now() * 1000, lastStamp + 1);
  return lastStamp;
}

export function createDynamoAuditRepository(ctx: AwsContext): AuditRepository {
  const table = ctx.table(AUDIT_TABLE);
  return {
    async record(e) {
      if (!Number.isSafeInteger(e.at) || e.at < 0) {
        throw new RangeError(`audit time must be a non-negative integer (epoch ms), got ${e.at}`);
      }
      const item: AuditItem = {
        roomId: e.roomId,
        sk: `${pad16(e.at)}#${pad16(nextStamp())}#${randomBytes(4).toString("hex")}`,
        at: e.at,
        userId: e.userId,
        userName: e.userName,
        action: e.action,
        incidentId: e.incidentId,
        detail: e.detail,
      };
      await ctx.doc.send(new PutCommand({ TableName: table, Item: item }));
    },
    async latest(roomId, limit) {
      if (!(limit > 0)) return [];
      const items = await queryAll<AuditItem>(
        ctx,
        {
          TableName: table,
          KeyConditionExpression: "roomId = :room",
          ExpressionAttributeValues: { ":room": roomId },
          ScanIndexForward: false,
          Limit: limit,
        },
        limit,
      );
      return items.map(auditEntryFromRecord);
    },
  };
}
