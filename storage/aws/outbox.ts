/**
 * DynamoDB adapter for the alert outbox (STORAGE=aws). Only GetItem, UpdateItem, Query
 * and BatchWriteItem are used: never a Scan, and no transactions. The console keeps its
 * outbox on the Pi (storage/aws/index.ts); this one passes the same contract.
 *
 * Table `${prefix}-outbox` (hash key `id`, a number): the entries, and a counter item
 *   (id 0, `lastId`).
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
 * Errors propagate (the SDK retries throttling and 5xx up to the context's maxAttempts).
 */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { OutboxRepository } from "../../core/alerts/ports.ts";
import { type OutboxRecord, outboxEntryFromRecord } from "../validation/alerts.ts";
import { type AwsContext, batchWrite, queryAll, type TableSpec } from "./client.ts";
import { addToCounter, conditionalWrite, getItem, gsi, queryCount, queryPages, tableSpec } from "./dynamo-helpers.ts";

export const OUTBOX_TABLE = "outbox";

export const OUTBOX_TABLES: TableSpec[] = [
  tableSpec(OUTBOX_TABLE, { hash: "id" }, { id: "N", pendingChannel: "S", deliveredKey: "S", deliveredAt: "N" }, [
    gsi("pending", "pendingChannel", "id", "KEYS_ONLY"),
    gsi("delivered", "deliveredKey", "deliveredAt", "KEYS_ONLY"),
  ]),
];

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
