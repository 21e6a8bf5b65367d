/**
 * The media store: snapshots and clips of the room, as files plus an index. The SQLite
 * adapter keeps files under DATA_DIR/media/YYYY/MM/DD/ (written atomically: temp file +
 * rename) and index rows in the database; the AWS adapter (later) uses S3 + DynamoDB.
 */

export type StoredMediaKind = "snapshot" | "clip";

/** Why the media was taken. */
export type MediaReason = "request" | "motion" | "breach" | "alert";

export interface MediaItem {
  id: number;
  roomId: string;
  /** Epoch ms when it was captured. */
  at: number;
  kind: StoredMediaKind;
  /** "image/jpeg", "video/mp4" or "image/gif". */
  mime: string;
  /** Bytes on disk. */
  size: number;
  reason: MediaReason;
  /** Where the bytes live, relative to the store (e.g. "2026/11/23/test-room-101500-snapshot-17.jpg"). */
  key: string;
  width?: number;
  height?: number;
  /** Clips: length in seconds. */
  seconds?: number;
  /** Telegram user who asked for it (reason "request"). */
  requestedBy?: number;
  /** The access-log entry it belongs to (a door breach). */
  accessEntryId?: number;
  /** The incident it belongs to (motion, breach). */
  incidentId?: string;
}

export type NewMedia = Omit<MediaItem, "id" | "size" | "key"> & { bytes: Buffer };

export interface MediaListQuery {
  /** Only items with from <= at < to. */
  from?: number;
  to?: number;
  /** Newest first; `before` (an item id) pages to older items. */
  before?: number;
  limit: number;
  kind?: StoredMediaKind;
}

export interface MediaUsage {
  count: number;
  bytes: number;
  oldestAt?: number;
}

export interface MediaStore {
  /** Writes the file (atomically) and then its index row; returns the row. */
  save(media: NewMedia): Promise<MediaItem>;
  get(id: number): Promise<MediaItem | undefined>;
  /** The bytes of an item; undefined if there is no such row or its file is gone. */
  read(id: number): Promise<Buffer | undefined>;
  /** A room's items, newest first (see MediaListQuery). */
  list(roomId: string, query: MediaListQuery): Promise<MediaItem[]>;
  /** Items linked to these access-log entries. */
  forAccessEntries(entryIds: readonly number[]): Promise<MediaItem[]>;
  /** Items linked to an incident, oldest first. */
  forIncident(incidentId: string): Promise<MediaItem[]>;
  /** Links an item to an incident (known only after the incident is raised). */
  linkIncident(id: number, incidentId: string): Promise<void>;
  /** Totals over every room of this store (retention budgets are per store: one disk). */
  usage(): Promise<MediaUsage>;
  /** The oldest items of the whole store, oldest first. */
  oldest(limit: number): Promise<MediaItem[]>;
  /**
   * Deletes an item: the index row first, then the file, so an index row never points
   * at a missing file. Returns false if there was no such row.
   */
  remove(id: number): Promise<boolean>;
  /**
   * Deletes files that have no index row and are older than `olderThan` (epoch ms):
   * left by a crash between writing a file and indexing it. Returns how many.
   */
  sweepOrphans(olderThan: number): Promise<number>;
}
