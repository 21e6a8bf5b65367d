/**
 * DynamoDB adapter for per-user settings (STORAGE=aws).
 *
 * Table `${prefix}-user-settings`
 *   PK userId (N, the Telegram user id). Item: { userId, locale? }.
 *
 * A person is the same Telegram user in every room, so settings are shared by all the
 * rooms of a backend (no room in the key). `getLocale` is a consistent GetItem;
 * `setLocale` an UpdateItem that SETs or REMOVEs `locale`, leaving any other attribute a
 * later setting adds untouched. Errors reject with the SDK's error.
 */
import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { UserSettingsRepository } from "../../core/storage.ts";
import type { AwsContext, TableSpec } from "./client.ts";
import { tableSpec } from "./dynamo-helpers.ts";

export const USER_SETTINGS_TABLE = "user-settings";

export const USER_SETTINGS_TABLES: TableSpec[] = [tableSpec(USER_SETTINGS_TABLE, { hash: "userId" }, { userId: "N" })];

export function createDynamoUserSettingsRepository(ctx: AwsContext): UserSettingsRepository {
  const TableName = ctx.table(USER_SETTINGS_TABLE);
  return {
    async getLocale(userId) {
      const res = await ctx.doc.send(
        new GetCommand({
          TableName,
          Key: { userId },
          ProjectionExpression: "#locale",
          ExpressionAttributeNames: { "#locale": "locale" },
          ConsistentRead: true,
        }),
      );
      const locale = res.Item?.locale;
      return typeof locale === "string" ? locale : undefined;
    },
    async setLocale(userId, locale) {
      await ctx.doc.send(
        new UpdateCommand({
          TableName,
          Key: { userId },
          ExpressionAttributeNames: { "#locale": "locale" },
          ...(locale === undefined
            ? { UpdateExpression: "REMOVE #locale" }
            : { UpdateExpression: "SET #locale = :locale", ExpressionAttributeValues: { ":locale": locale } }),
        }),
      );
    },
  };
}
