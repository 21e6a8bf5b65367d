/**
 * DynamoDB adapter for incidents (STORAGE=aws), shared by every room of a backend. Only
 * GetItem, PutItem, UpdateItem, DeleteItem and Query are used: never a Scan, and no
 * transactions (dynalite, the local stand-in, has none, and the Pi's IAM policy does not
 * grant them). The other alert tables: outbox.ts, mutes.ts, audit.ts.
 *
 * Table `${prefix}-incidents` (hash key `pk`), two kinds of item:
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
 * Errors propagate (the SDK retries throttling and 5xx up to the context's maxAttempts).
 */
import { randomBytes } from "node:crypto";
import { DeleteCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { IncidentRepository } from "../../core/alerts/ports.ts";
import type { Incident } from "../../core/alerts/types.ts";
import { type IncidentRecord, incidentFromRecord, incidentToRecord } from "../validation/alerts.ts";
import { type AwsContext, queryAll, type TableSpec } from "./client.ts";
import {
  compareUtf8,
  conditionalWrite,
  encodeKeyParts,
  getItem,
  gsi,
  isConditionFailure,
  putIfAbsent,
  setIfExists,
  setOrRemove,
  tableSpec,
} from "./dynamo-helpers.ts";

export const INCIDENTS_TABLE = "incidents";

export const INCIDENTS_TABLES: TableSpec[] = [
  tableSpec(INCIDENTS_TABLE, { hash: "pk" }, { pk: "S", openKey: "S", roomId: "S", openedAt: "N" }, [
    gsi("open", "openKey", "openedAt"),
    gsi("room-opened", "roomId", "openedAt"),
  ]),
];

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
