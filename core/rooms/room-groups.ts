/**
 * Per-room staff groups on a hub (ROOM_CHAT_IDS=dc-1:-100123,dc-2:-100456; README, "Several
 * rooms"). A room given a group has its alerts (those the hub delivers in its name) posted
 * there instead of the main staff group (STAFF_CHAT_ID). The main group keeps everything
 * else: the rooms without a group of their own, the hub's own alerts (its room, its link to
 * the broker), and every room's silence (`room.silent:ROOM`: the hub's incident, whose card
 * and buttons are there), which the silent room's own group also gets as a copy: it is the
 * group that would otherwise hear nothing.
 *
 * Each room's group is a channel of the hub's alert outbox of its own, `telegram:ROOM`
 * (its own pacing, digests and retries: Telegram's limits are per group).
 */
import { type Notice, parseRoomSilentRule } from "../alerts/types.ts";

/** ROOM_ID's form (core/config/schema.ts). */
const ROOM_ID = /^[a-z0-9][a-z0-9_-]{0,39}$/;
const CHANNEL_PREFIX = "telegram:";

/** The alert channel of a room's staff group. */
export function roomGroupChannel(room: string): string {
  return `${CHANNEL_PREFIX}${room}`;
}

/** "telegram:dc-1" -> "dc-1"; undefined for other channels. */
export function parseRoomGroupChannel(channel: string): string | undefined {
  if (!channel.startsWith(CHANNEL_PREFIX)) return undefined;
  const room = channel.slice(CHANNEL_PREFIX.length);
  return ROOM_ID.test(room) ? room : undefined;
}

/**
 * Parses ROOM_CHAT_IDS ("dc-1:-100123, dc-2:-100456"; empty: none). Errors name the part
 * that is wrong.
 */
export function parseRoomChatIds(
  text: string,
): { ok: true; value: Record<string, number> } | { ok: false; error: string } {
  const value: Record<string, number> = {};
  for (const part of text.split(",").map((s) => s.trim())) {
    if (part === "") continue;
    const m = /^([^:\s]+)\s*:\s*(\S+)$/.exec(part);
    if (!m?.[1] || !m[2]) return { ok: false, error: `"${part}" is not ROOM:CHAT_ID (e.g. dc-1:-1001234567890)` };
    const [, room, chat] = m;
    if (!ROOM_ID.test(room))
      return { ok: false, error: `"${room}" is not a room id (1-40 lowercase letters, digits, '-' or '_')` };
    if (!/^-?\d{1,16}$/.test(chat))
      return {
        ok: false,
        error: `"${chat}" (room ${room}) is not a numeric chat id (groups are negative, e.g. -1001234567890)`,
      };
    if (room in value) return { ok: false, error: `room ${room} is given twice` };
    value[room] = Number(chat);
  }
  return { ok: true, value };
}

/**
 * Whether `channel` takes `notice` as far as the staff groups go (the other channels: true).
 * `roomChats`: the rooms that have a group of their own.
 */
export function roomGroupRoutes(notice: Notice, channel: string, roomChats: Readonly<Record<string, number>>): boolean {
  const has = (room: string) => Object.hasOwn(roomChats, room);
  if (channel === "telegram") {
    // Reports about a channel (undeliverable) stay with the main group, as do silences.
    if (notice.kind === "undeliverable") return true;
    return !has(notice.roomId);
  }
  const room = parseRoomGroupChannel(channel);
  if (room === undefined) return true;
  if (!has(room)) return false;
  if (notice.rule && parseRoomSilentRule(notice.rule) === room) return true;
  return notice.roomId === room;
}
