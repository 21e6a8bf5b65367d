/**
 * DynamoDB adapter for alert mutes (STORAGE=aws): PutItem, DeleteItem and Query, never a Scan.
 *
 * Table `${prefix}-mutes` (roomId HASH, rule RANGE): until, byId, byName. active() is one
 *   Query filtered on until > now, ordered by rule. Expired mutes are kept (as in SQLite:
 *   clear() of an expired mute still reports that one existed).
 *
 * Errors propagate (the SDK retries throttling and 5xx up to the context's maxAttempts).
 */
import { DeleteCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { MuteRepository } from "../../core/alerts/ports.ts";
import type { Mute } from "../../core/alerts/types.ts";
import { type AwsContext, queryAll, type TableSpec } from "./client.ts";
import { tableSpec } from "./dynamo-helpers.ts";

export const MUTES_TABLE = "mutes";

export const MUTES_TABLES: TableSpec[] = [
  tableSpec(MUTES_TABLE, { hash: "roomId", range: "rule" }, { roomId: "S", rule: "S" }),
];

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
