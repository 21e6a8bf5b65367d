/**
 * DynamoDB patterns the AWS repositories share: table definitions, the "condition
 * failed" outcome of a conditional write, consistent reads by key, atomic counters
 * (UpdateItem ADD), SET/REMOVE update expressions, paged and counting Queries, and the
 * encoding of key parts.
 * Plumbing only: what the items mean stays with each repository.
 */
import type { GlobalSecondaryIndex } from "@aws-sdk/client-dynamodb";
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type { AwsContext, TableSpec } from "./client.ts";

// ------------------------------------------------------------------------ table specs

/**
 * A table: its key, then every attribute a key or an index uses (in this order in the
 * definition; key attributes included), then its global secondary indexes if any.
 */
export function tableSpec(
  base: string,
  key: { hash: string; range?: string },
  attributes: Readonly<Record<string, "S" | "N">>,
  gsis?: GlobalSecondaryIndex[],
): TableSpec {
  return {
    base,
    keySchema: [
      { AttributeName: key.hash, KeyType: "HASH" },
      ...(key.range === undefined ? [] : [{ AttributeName: key.range, KeyType: "RANGE" as const }]),
    ],
    attributes: Object.entries(attributes).map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
    ...(gsis ? { gsis } : {}),
  };
}

/** A global secondary index with a hash and a range key. */
export const gsi = (
  name: string,
  hash: string,
  range: string,
  projection: "ALL" | "KEYS_ONLY" = "ALL",
): GlobalSecondaryIndex => ({
  IndexName: name,
  KeySchema: [
    { AttributeName: hash, KeyType: "HASH" },
    { AttributeName: range, KeyType: "RANGE" },
  ],
  Projection: { ProjectionType: projection },
});

// ----------------------------------------------------------------------------- errors

/** The `name` of an SDK error (e.g. "NoSuchKey"), if it has one. */
export const errorName = (err: unknown): string | undefined => (err as { name?: string } | null)?.name;

/** Whether a conditional write was refused because its condition did not hold. */
export const isConditionFailure = (err: unknown): boolean => errorName(err) === "ConditionalCheckFailedException";

/**
 * Awaits a conditional write: true if it was applied, false if its condition did not
 * hold. Any other error rejects.
 */
export async function conditionalWrite(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

// ---------------------------------------------------------------------- single items

/** A strongly consistent GetItem; undefined if there is no such item. */
export async function getItem<T>(ctx: AwsContext, table: string, key: Record<string, unknown>): Promise<T | undefined> {
  const res = await ctx.doc.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }));
  return res.Item as T | undefined;
}

/**
 * A PutItem that only creates: false (nothing written) if an item with that key exists.
 * `keyAttribute` names one of the table's key attributes (`attribute_not_exists` on it).
 */
export function putIfAbsent(ctx: AwsContext, table: string, item: object, keyAttribute: string): Promise<boolean> {
  return conditionalWrite(
    ctx.doc.send(
      new PutCommand({
        TableName: table,
        Item: item as Record<string, unknown>,
        ConditionExpression: "attribute_not_exists(#key)",
        ExpressionAttributeNames: { "#key": keyAttribute },
      }),
    ),
  );
}

/**
 * Sets one attribute of an existing item: false (nothing written) if there is no item at
 * `key`. The condition is `attribute_exists` on the key's first attribute (an existing
 * item has every key attribute).
 */
export function setIfExists(
  ctx: AwsContext,
  table: string,
  key: Record<string, unknown>,
  attribute: string,
  value: unknown,
): Promise<boolean> {
  return conditionalWrite(
    ctx.doc.send(
      new UpdateCommand({
        TableName: table,
        Key: key,
        UpdateExpression: "SET #attr = :value",
        ConditionExpression: "attribute_exists(#key)",
        ExpressionAttributeNames: { "#attr": attribute, "#key": Object.keys(key)[0] ?? "" },
        ExpressionAttributeValues: { ":value": value },
      }),
    ),
  );
}

/**
 * Adds `by` to the number `attribute` of the item at `key` (UpdateItem ADD: atomic across
 * processes, the item and attribute created at 0 on first use) and returns the new value.
 * Rejects with `noValue` as its message if DynamoDB answers without an integer.
 */
export async function addToCounter(
  ctx: AwsContext,
  table: string,
  key: Record<string, unknown>,
  attribute: string,
  by: number,
  noValue: string,
): Promise<number> {
  const res = await ctx.doc.send(
    new UpdateCommand({
      TableName: table,
      Key: key,
      UpdateExpression: "ADD #counter :by",
      ExpressionAttributeNames: { "#counter": attribute },
      ExpressionAttributeValues: { ":by": by },
      ReturnValues: "UPDATED_NEW",
    }),
  );
  const value = res.Attributes?.[attribute];
  if (!Number.isSafeInteger(value)) throw new Error(noValue);
  return value as number;
}

/**
 * An update expression that SETs each field that is defined and REMOVEs each that is not,
 * with the attribute names and values it uses; `extraSet` and `extraRemove` are added to
 * its clauses as they are (e.g. a plain attribute name to remove).
 */
export function setOrRemove(
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

// ---------------------------------------------------------------------------- queries

/** The pages of a Query, one request each, fetched as they are iterated. */
export async function* queryPages(ctx: AwsContext, input: QueryCommandInput): AsyncGenerator<QueryCommandOutput> {
  let start: Record<string, unknown> | undefined;
  do {
    const page = await ctx.doc.send(new QueryCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) }));
    yield page;
    start = page.LastEvaluatedKey;
  } while (start);
}

/** Counts what a Query matches, page by page (Select COUNT: each page counts up to 1 MB of items). */
export async function queryCount(ctx: AwsContext, input: QueryCommandInput): Promise<number> {
  let n = 0;
  for await (const page of queryPages(ctx, { ...input, Select: "COUNT" })) n += page.Count ?? 0;
  return n;
}

// ------------------------------------------------------------------------------- keys

/**
 * Parts of a composite string key, each URI-encoded and joined by '#': a '#' inside a
 * part (a room id, a host name) cannot be mistaken for a separator.
 */
export const encodeKeyParts = (...parts: string[]): string => parts.map((p) => encodeURIComponent(p)).join("#");

/** A non-negative integer zero-padded to `digits`, so that string order is numeric order. */
export const fixedWidth = (n: number | bigint, digits: number): string => n.toString().padStart(digits, "0");

/** SQLite's BINARY collation on UTF-8 text (code point order), which DynamoDB string keys also use. */
export const compareUtf8 = (a: string, b: string): number =>
  Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
