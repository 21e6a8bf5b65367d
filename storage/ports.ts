import type { Reading } from "../core/types.ts";

/** Climate readings of one or more rooms. Every query is scoped to a room. */
export interface ReadingRepository {
  add(reading: Reading): Promise<void>;
  /** Bulk insert in one transaction (used by imports and the bench). */
  addMany(readings: readonly Reading[]): Promise<void>;
  /** The newest `limit` readings of a room, newest first. */
  latest(roomId: string, limit: number): Promise<Reading[]>;
  /** Readings of a room with `from <= at < to`, oldest first, at most `limit`. */
  between(roomId: string, from: number, to: number, limit: number): Promise<Reading[]>;
  count(roomId: string): Promise<number>;
}

/** Per-user settings chosen in chat (currently the language override). */
export interface UserSettingsRepository {
  getLocale(userId: number): Promise<string | undefined>;
  /** `undefined` clears the override (back to the Telegram client's language). */
  setLocale(userId: number, locale: string | undefined): Promise<void>;
}

/** Everything the rest of the console needs from storage. */
export interface Storage {
  readonly kind: string;
  readonly readings: ReadingRepository;
  readonly userSettings: UserSettingsRepository;
  close(): Promise<void>;
}
