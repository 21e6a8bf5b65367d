import type { UserSettingsRepository } from "../../core/storage.ts";
import type { SqliteDatabase } from "./database.ts";

export function createSqliteUserSettingsRepository(db: SqliteDatabase): UserSettingsRepository {
  const get = db.prepare<[number], { locale: string | null }>("SELECT locale FROM user_settings WHERE user_id = ?");
  const set = db.prepare(
    "INSERT INTO user_settings (user_id, locale) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET locale = excluded.locale",
  );
  return {
    async getLocale(userId) {
      return get.get(userId)?.locale ?? undefined;
    },
    async setLocale(userId, locale) {
      set.run(userId, locale ?? null);
    },
  };
}
