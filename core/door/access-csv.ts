/**
 * The access log as CSV, one format for every export: /export access in the bot and the
 * dashboard's download. Columns: time_utc, time_local (the room's time zone), room,
 * card_uid ("66:1B:4F:1F"), name, decision; lines end with CRLF.
 */
import { formatDateTime } from "../text/format.ts";
import { formatCardUid } from "./card-uid.ts";
import type { AccessEntry } from "./ports.ts";

export const ACCESS_CSV_HEADER = "time_utc,time_local,room,card_uid,name,decision";

/** One CSV field: quoted when needed; a leading = + - @ is defused so spreadsheets do not run it. */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One entry as a CSV line (without its line end). */
export function accessCsvRow(e: AccessEntry, timeZone: string): string {
  return [
    new Date(e.at).toISOString(),
    formatDateTime(e.at, timeZone),
    e.roomId,
    formatCardUid(e.cardUid),
    e.staffName ?? "",
    e.decision,
  ]
    .map(csvField)
    .join(",");
}
