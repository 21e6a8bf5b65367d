import type { Reading, ReadingBucket } from "./climate/reading.ts";

export type { ReadingBucket } from "./climate/reading.ts";

import type {
  AlertLedger,
  AuditRepository,
  IncidentRepository,
  MuteRepository,
  OutboxRepository,
} from "./alerts/ports.ts";
import type { MediaStore } from "./camera/media.ts";
import type { AccessLogRepository, StaffRepository } from "./door/ports.ts";
import type { StaffMirrorStore } from "./rooms/staff-sync.ts";
import type { HostRepository, ServerResultRepository } from "./servers/ports.ts";

export type * from "./alerts/ports.ts";
export type * from "./camera/media.ts";
export type * from "./door/ports.ts";

export type * from "./servers/ports.ts";

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
  /**
   * Readings of a room with `from <= at < to`, summarised in `buckets` equal time buckets
   * of `ceil((to - from) / buckets)` ms starting at `from`: only buckets holding readings,
   * oldest first. Computed by the database (charts over a week of 2 s samples).
   */
  aggregate(roomId: string, from: number, to: number, buckets: number): Promise<ReadingBucket[]>;
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
  readonly incidents: IncidentRepository;
  readonly outbox: OutboxRepository;
  /** Incident changes and their outbox rows, written as one unit. */
  readonly alertLedger: AlertLedger;
  readonly mutes: MuteRepository;
  readonly audit: AuditRepository;
  readonly staff: StaffRepository;
  readonly accessLog: AccessLogRepository;
  /**
   * A room's copy of the hub's staff list (several rooms on SQLite, core/rooms/staff-sync.ts);
   * absent where the rooms share one register already (STORAGE=aws).
   */
  readonly staffMirror?: StaffMirrorStore;
  /** Snapshots and clips: files plus an index. */
  readonly media: MediaStore;
  /** The host catalogue for server checks (per room). */
  readonly hosts: HostRepository;
  /** Results of server check runs (per room). */
  readonly serverResults: ServerResultRepository;
  /**
   * The database file could not be opened at start (corrupt) and was set aside; this one is
   * fresh. Set only then: main.ts tells the admins what happened and how to restore.
   */
  readonly replacedDatabase?: { file: string; setAside: string; error: string };
  /** An online copy of the whole database into `dir` (embedded backends only). */
  backup?(dir: string, at: number): Promise<BackupInfo>;
  close(): Promise<void>;
}

export interface BackupInfo {
  file: string;
  bytes: number;
  durationMs: number;
  /** Schema version of the copy. */
  schemaVersion: number;
}

/** Uploads a backup file somewhere safe (S3); resolves with where it went. */
export type BackupUploader = (file: string) => Promise<string>;

/** What a backup run did: the copy and its upload, or why it failed. */
export type BackupOutcome =
  | ({
      ok: true;
      kept: number;
      pruned: number;
      /** Where it was uploaded (s3://bucket/key), or why not; absent when no bucket is configured. */
      upload?: { ok: true; url: string } | { ok: false; error: string };
    } & BackupInfo)
  | { ok: false; error: string };
