/**
 * The rules for media that every storage adapter applies (the SQLite files + index and
 * S3 + DynamoDB alike): which kinds, reasons and MIME types are accepted, the validation
 * of a save (refused with a `MediaValidationError` before anything is written), and the
 * naming parts both key layouts use (the file-safe room, the UTC day and time), and the
 * reading of an index row back into a MediaItem.
 */
import type { MediaItem, MediaReason, NewMedia, StoredMediaKind } from "../../core/camera/media.ts";

/** MIME types the store accepts, with their file extension and the kinds they may be. */
export const MEDIA_TYPES: Readonly<Record<string, { ext: string; kinds: readonly StoredMediaKind[] }>> = {
  "image/jpeg": { ext: "jpg", kinds: ["snapshot"] },
  "video/mp4": { ext: "mp4", kinds: ["clip"] },
  "image/gif": { ext: "gif", kinds: ["clip"] },
};

const KINDS: readonly StoredMediaKind[] = ["snapshot", "clip"];
const REASONS: readonly MediaReason[] = ["request", "motion", "breach", "alert"];
/** The last instant with a four-digit year (the layouts are YYYY/MM/DD). */
export const MAX_MEDIA_AT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** A save refused because its input is invalid; nothing was written. */
export class MediaValidationError extends Error {
  override readonly name = "MediaValidationError";
}

/** A room id as it may appear in a file name. */
export const fileSafeRoom = (roomId: string): string =>
  roomId
    .normalize("NFKD")
    .replace(/[^A-Za-z0-9_-]+/g, "_")
    .replace(/^[_-]+|[_-]+$/g, "")
    .slice(0, 40) || "room";

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** `YYYY/MM/DD` and `HHMMSS` of an instant, in UTC. */
export function mediaDatePath(at: number): { day: string; time: string } {
  const d = new Date(at);
  return {
    day: `${pad(d.getUTCFullYear(), 4)}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`,
    time: `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`,
  };
}

const isNonNegativeInt = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** Checks a save; throws a `MediaValidationError` naming the first problem. Returns the file extension. */
export function validateNewMedia(m: NewMedia): string {
  const bad = (msg: string): never => {
    throw new MediaValidationError(`media not saved: ${msg}`);
  };
  if (typeof m.roomId !== "string" || m.roomId.trim() === "") bad("roomId must be a non-empty string");
  if (!isNonNegativeInt(m.at) || m.at > MAX_MEDIA_AT) {
    bad(`at must be an epoch ms between 0 and ${MAX_MEDIA_AT} (got ${m.at})`);
  }
  if (!KINDS.includes(m.kind)) bad(`kind must be one of ${KINDS.join(", ")} (got ${JSON.stringify(m.kind)})`);
  if (!REASONS.includes(m.reason)) {
    bad(`reason must be one of ${REASONS.join(", ")} (got ${JSON.stringify(m.reason)})`);
  }
  const type = Object.hasOwn(MEDIA_TYPES, m.mime) ? MEDIA_TYPES[m.mime] : undefined;
  if (!type) bad(`unsupported mime ${JSON.stringify(m.mime)}; valid: ${Object.keys(MEDIA_TYPES).join(", ")}`);
  if (!type?.kinds.includes(m.kind)) {
    bad(`a ${m.kind} cannot be ${m.mime} (a snapshot is image/jpeg, a clip video/mp4 or image/gif)`);
  }
  if (!(m.bytes instanceof Uint8Array)) bad("bytes must be a Buffer");
  if (m.bytes.length === 0) bad("bytes are empty");
  for (const f of ["width", "height"] as const) {
    const v = m[f];
    if (v !== undefined && !(Number.isSafeInteger(v) && v > 0)) bad(`${f} must be a positive integer (got ${v})`);
  }
  if (m.seconds !== undefined && !(Number.isFinite(m.seconds) && m.seconds >= 0)) {
    bad(`seconds must be a non-negative number (got ${m.seconds})`);
  }
  if (m.requestedBy !== undefined && !Number.isSafeInteger(m.requestedBy)) {
    bad(`requestedBy must be an integer (got ${m.requestedBy})`);
  }
  if (m.accessEntryId !== undefined && !isNonNegativeInt(m.accessEntryId)) {
    bad(`accessEntryId must be a non-negative integer (got ${m.accessEntryId})`);
  }
  if (m.incidentId !== undefined && (typeof m.incidentId !== "string" || m.incidentId === "")) {
    bad("incidentId must be a non-empty string");
  }
  return (type as { ext: string }).ext;
}

/** The check `linkIncident` makes on its incident id (both adapters, same message). */
export function validateIncidentLink(incidentId: unknown): void {
  if (typeof incidentId !== "string" || incidentId === "") {
    throw new MediaValidationError("incidentId must be a non-empty string");
  }
}

/** A media item as flat stored fields; an optional field that is null or undefined there is absent. */
export interface MediaRecord {
  id: number;
  roomId: string;
  at: number;
  kind: string;
  mime: string;
  size: number;
  reason: string;
  key: string;
  width?: number | null;
  height?: number | null;
  seconds?: number | null;
  requestedBy?: number | null;
  accessEntryId?: number | null;
  incidentId?: string | null;
}

export function mediaItemFromRecord(r: MediaRecord): MediaItem {
  const m: MediaItem = {
    id: r.id,
    roomId: r.roomId,
    at: r.at,
    kind: r.kind as StoredMediaKind,
    mime: r.mime,
    size: r.size,
    reason: r.reason as MediaReason,
    key: r.key,
  };
  if (r.width != null) m.width = r.width;
  if (r.height != null) m.height = r.height;
  if (r.seconds != null) m.seconds = r.seconds;
  if (r.requestedBy != null) m.requestedBy = r.requestedBy;
  if (r.accessEntryId != null) m.accessEntryId = r.accessEntryId;
  if (r.incidentId != null) m.incidentId = r.incidentId;
  return m;
}
