/**
 * The rooms a card opens, as an admin writes them (`/staff rooms NAME dc-1,dc-2` or `all`)
 * and as lists show them. Room ids are ROOM_IDs (core/rooms/topics.ts: lower case letters,
 * digits, - and _); a list is kept distinct and sorted.
 */
import { ROOM_ID_PATTERN } from "../rooms/topics.ts";

/** More rooms than a site has: a longer list is a mistake. */
export const MAX_CARD_ROOMS = 100;

/**
 * "dc-1,dc-2" (commas, optional spaces; case folded) -> ["dc-1", "dc-2"]; "all" -> every room
 * (`rooms: undefined`); anything else (an empty list, an invalid id, too many) -> undefined.
 */
export function parseCardRooms(text: string): { rooms: string[] | undefined } | undefined {
  const t = text.trim().toLowerCase();
  if (t === "all" || t === "*") return { rooms: undefined };
  const ids = t
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (ids.length === 0 || ids.length > MAX_CARD_ROOMS || !ids.every((id) => ROOM_ID_PATTERN.test(id))) return undefined;
  return { rooms: [...new Set(ids)].sort() };
}

/** Whether two lists of rooms name the same rooms (undefined: every room). */
export function sameRooms(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const sa = [...new Set(a)].sort();
  const sb = [...new Set(b)].sort();
  return sa.length === sb.length && sa.every((r, i) => r === sb[i]);
}
