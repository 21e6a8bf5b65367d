/**
 * DynamoDB adapter for the audit log of alert actions (STORAGE=aws): PutItem and Query,
 * never a Scan.
 *
 * Table `${prefix}-audit` (roomId HASH, sk RANGE): sk = zero-padded `at` # a per-process
 *   increasing stamp # random, so latest() is one Query, newest first, and entries with the
 *   same `at` come back newest-recorded first (within one process). `at` must be a
 *   non-negative integer.
 *
 * Errors propagate (the SDK retries throttling and 5xx up to the context's maxAttempts).
 */
import { randomBytes } from "node:crypto";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import type { AuditRepository } from "../../core/alerts/ports.ts";
import { type AuditRecord, auditEntryFromRecord } from "../validation/alerts.ts";
import { type AwsContext, queryAll, type TableSpec } from "./client.ts";
import { fixedWidth, tableSpec } from "./dynamo-helpers.ts";

export const AUDIT_TABLE = "audit";

export const AUDIT_TABLES: TableSpec[] = [
  tableSpec(AUDIT_TABLE, { hash: "roomId", range: "sk" }, { roomId: "S", sk: "S" }),
];

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
