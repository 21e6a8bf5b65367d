/**
 * Every button's callback data, built and parsed here and nowhere else.
 *
 * A press hands the bot at most 64 bytes that every member of the chat can read, and that a
 * modified client can forge: so the data is a short typed action (`CallbackAction`), written
 * by `buildCallbackData` and read back by `parseCallbackData`, which accepts only what
 * `buildCallbackData` can write (fixed words, bounded ids, safe integers without leading
 * zeros) and gives undefined for anything else ("__proto__", a word that is no choice, an id
 * too long...): whatever parses is built back to the very same data. Handlers pick
 * their presses with `pressed(type)` (a grammY filter like `Context.has.callbackQuery`) and
 * read the parsed action from `ctx.button`; keyboards (bot/ui/keyboards.ts) build the data.
 *
 * The wire format is one family prefix per feature ("al:", "stf:"...: CALLBACK_PREFIXES),
 * then the action's fields separated by ":". References made by bot/outgoing.ts for data it
 * must not show ("~" and 12 characters, bot/callback-refs.ts) are resolved to such data before
 * any handler sees the press, so they are never parsed here.
 */
import type { Context, Filter } from "grammy";
import type { StaffRole } from "../../core/door/ports.ts";

export const MENU_ITEMS = ["status", "history", "language", "help"] as const;
export type MenuItem = (typeof MENU_ITEMS)[number];
/** What a button does to one room of a site, on the hub (bot/features/rooms.ts). */
export const ROOM_ACTS = ["status", "refresh", "snapshot", "clip", "arm", "disarm"] as const;
export type RoomAct = (typeof ROOM_ACTS)[number];
/** A card's state change in /staff. */
export type CardChange = "revoke" | "restore";
/** How long an alert's Mute button silences its rule. */
export type MuteSpan = "1h" | "24h";

export type CallbackAction =
  // /start's menu
  | { type: "menu"; item: MenuItem }
  // /language: a locale code (the feature checks it is one it has), or "follow the app"
  | { type: "language"; locale: string }
  | { type: "language-auto" }
  // /status
  | { type: "status-refresh" }
  // alert cards (channels/telegram) and /alerts
  | { type: "alert-ack"; incidentId: string }
  | { type: "alert-mute"; incidentId: string; span: MuteSpan }
  | { type: "alert-refresh"; incidentId: string }
  // an alert card's More ▾ / Less ▴ (the whole keyboard, or its one calm row)
  | { type: "alert-more"; incidentId: string }
  | { type: "alert-less"; incidentId: string }
  // /alerts: Acknowledge and Mute 1 h of one listed incident (they change its line only)
  | { type: "alert-list-ack"; incidentId: string }
  | { type: "alert-list-mute"; incidentId: string }
  // the camera row under /status, alerts, photos and clips
  | { type: "camera-snapshot" }
  | { type: "camera-clip"; seconds: number }
  | { type: "camera-incident-media"; incidentId: string }
  // /media (date as YYYY-MM-DD) and stored media from /media and /access
  | { type: "media-page"; date: string; before: number }
  | { type: "media-get"; mediaId: number }
  // /access: the latest entries, or one card's (before 0: the newest)
  | { type: "access-latest"; limit: number; before: number }
  | { type: "access-card"; uid: string; before: number }
  // /staff (admins) and the Undo of a used invite
  | { type: "staff-ask"; change: CardChange; uid: string }
  | { type: "staff-do"; change: CardChange; uid: string }
  | { type: "staff-keep" }
  | { type: "staff-invite"; uid: string }
  | { type: "staff-ask-unlink"; uid: string; telegramId: number }
  | { type: "staff-do-unlink"; uid: string; telegramId: number }
  | { type: "staff-undo"; uid: string; telegramId: number }
  // /servers, /server, /removeserver
  | { type: "server-check"; name: string }
  | { type: "server-details"; name: string }
  | { type: "server-remove"; name: string }
  | { type: "server-keep" }
  // the /addserver conversation
  | { type: "addserver-cancel" }
  | { type: "addserver-trust" }
  // a hub's rooms: which room a command acts on, and the buttons under a room's status
  | { type: "room-act"; act: RoomAct; room: string; seconds?: number }
  // another room's alert card on the hub: acknowledge its incident in that room
  | { type: "room-ack"; room: string; incidentId: string }
  // the /enroll conversation
  | { type: "enroll-cancel" }
  | { type: "enroll-room"; room: string }
  | { type: "enroll-role"; role: StaffRole }
  | { type: "enroll-invite"; invite: boolean }
  | { type: "enroll-save" };

export type CallbackActionType = CallbackAction["type"];
export type CallbackActionOf<T extends CallbackActionType> = Extract<CallbackAction, { type: T }>;

/** How one action type is written and read. `read` gets the pattern's groups; undefined refuses. */
interface Codec<A extends CallbackAction> {
  prefix: string;
  pattern: RegExp;
  read(groups: ReadonlyArray<string | undefined>): A | undefined;
  write(action: A): string;
}

/** A whole number the bot can hold exactly (ids, paging cursors). */
function safeInt(text: string | undefined): number | undefined {
  const n = Number(text);
  return text !== undefined && Number.isSafeInteger(n) ? n : undefined;
}

/** A codec whose action has no fields: one fixed string. */
function fixed<T extends CallbackActionType>(type: T, data: string): Codec<CallbackActionOf<T>> {
  return {
    prefix: data.slice(0, data.indexOf(":")),
    pattern: new RegExp(`^${data}$`),
    read: () => ({ type }) as CallbackActionOf<T>,
    write: () => data,
  };
}

/*
 * Field patterns. Each is bounded so that the longest action stays within Telegram's 64 bytes
 * (test/bot/ui/callback-data.test.ts checks every type at its longest).
 */
/** Incident ids: the alert engine makes 8 base64url characters. */
const INCIDENT = "([\\w-]{1,40})";
/** Card UIDs as core/door stores them: upper-case hex, 4 to 10 bytes. */
const UID = "([0-9A-F]{8,20})";
/** Host names (core/servers HOST_NAME makes them; a stray "-" first is refused there). */
const HOST = "([a-z0-9_-]{1,32})";
/** Media ids and paging cursors (row ids), written without leading zeros like every number here. */
const ROW = "(0|[1-9]\\d{0,15})";
const TELEGRAM_ID = "([1-9]\\d{0,14})";
/** Room ids (core/rooms ROOM_ID_PATTERN). */
const ROOM = "([a-z0-9][a-z0-9_-]{0,39})";
/** Clip seconds, a page's length. */
const SMALL = "(0|[1-9]\\d?)";

const CODECS: { readonly [T in CallbackActionType]: Codec<CallbackActionOf<T>> } = {
  menu: {
    prefix: "menu",
    pattern: new RegExp(`^menu:(${MENU_ITEMS.join("|")})$`),
    read: ([item]) => ({ type: "menu", item: item as MenuItem }),
    write: (a) => `menu:${a.item}`,
  },
  language: {
    prefix: "lang",
    pattern: /^lang:([a-z]{2,3})$/,
    read: ([locale = ""]) => ({ type: "language", locale }),
    write: (a) => `lang:${a.locale}`,
  },
  "language-auto": fixed("language-auto", "lang:auto"),
  "status-refresh": fixed("status-refresh", "status:refresh"),
  "alert-ack": {
    prefix: "al",
    pattern: new RegExp(`^al:ack:${INCIDENT}$`),
    read: ([incidentId = ""]) => ({ type: "alert-ack", incidentId }),
    write: (a) => `al:ack:${a.incidentId}`,
  },
  "alert-mute": {
    prefix: "al",
    pattern: new RegExp(`^al:mute:${INCIDENT}:(1h|24h)$`),
    read: ([incidentId = "", span]) => ({ type: "alert-mute", incidentId, span: span as MuteSpan }),
    write: (a) => `al:mute:${a.incidentId}:${a.span}`,
  },
  "alert-refresh": {
    prefix: "al",
    pattern: new RegExp(`^al:ref:${INCIDENT}$`),
    read: ([incidentId = ""]) => ({ type: "alert-refresh", incidentId }),
    write: (a) => `al:ref:${a.incidentId}`,
  },
  "alert-more": {
    prefix: "al",
    pattern: new RegExp(`^al:more:${INCIDENT}$`),
    read: ([incidentId = ""]) => ({ type: "alert-more", incidentId }),
    write: (a) => `al:more:${a.incidentId}`,
  },
  "alert-less": {
    prefix: "al",
    pattern: new RegExp(`^al:less:${INCIDENT}$`),
    read: ([incidentId = ""]) => ({ type: "alert-less", incidentId }),
    write: (a) => `al:less:${a.incidentId}`,
  },
  "alert-list-ack": {
    prefix: "al",
    pattern: new RegExp(`^al:lack:${INCIDENT}$`),
    read: ([incidentId = ""]) => ({ type: "alert-list-ack", incidentId }),
    write: (a) => `al:lack:${a.incidentId}`,
  },
  "alert-list-mute": {
    prefix: "al",
    pattern: new RegExp(`^al:lmute:${INCIDENT}$`),
    read: ([incidentId = ""]) => ({ type: "alert-list-mute", incidentId }),
    write: (a) => `al:lmute:${a.incidentId}`,
  },
  "camera-snapshot": fixed("camera-snapshot", "cam:snap"),
  "camera-clip": {
    prefix: "cam",
    pattern: new RegExp(`^cam:clip:${SMALL}$`),
    read: ([seconds]) => ({ type: "camera-clip", seconds: Number(seconds) }),
    write: (a) => `cam:clip:${a.seconds}`,
  },
  "camera-incident-media": {
    prefix: "cam",
    pattern: new RegExp(`^cam:inc:${INCIDENT}$`),
    read: ([incidentId = ""]) => ({ type: "camera-incident-media", incidentId }),
    write: (a) => `cam:inc:${a.incidentId}`,
  },
  "media-page": {
    prefix: "med",
    pattern: new RegExp(`^med:pg:(\\d{4})(\\d{2})(\\d{2}):${ROW}$`),
    read: ([y, m, d, before]) => {
      const cursor = safeInt(before);
      return cursor === undefined ? undefined : { type: "media-page", date: `${y}-${m}-${d}`, before: cursor };
    },
    write: (a) => `med:pg:${a.date.replaceAll("-", "")}:${a.before}`,
  },
  "media-get": {
    prefix: "med",
    pattern: new RegExp(`^med:get:${ROW}$`),
    read: ([id]) => {
      const mediaId = safeInt(id);
      return mediaId === undefined ? undefined : { type: "media-get", mediaId };
    },
    write: (a) => `med:get:${a.mediaId}`,
  },
  "access-latest": {
    prefix: "acc",
    pattern: new RegExp(`^acc:l:${SMALL}:${ROW}$`),
    read: ([limit, before]) => {
      const cursor = safeInt(before);
      return cursor === undefined ? undefined : { type: "access-latest", limit: Number(limit), before: cursor };
    },
    write: (a) => `acc:l:${a.limit}:${a.before}`,
  },
  "access-card": {
    prefix: "acc",
    pattern: new RegExp(`^acc:c:${UID}:${ROW}$`),
    read: ([uid = "", before]) => {
      const cursor = safeInt(before);
      return cursor === undefined ? undefined : { type: "access-card", uid, before: cursor };
    },
    write: (a) => `acc:c:${a.uid}:${a.before}`,
  },
  "staff-ask": {
    prefix: "stf",
    pattern: new RegExp(`^stf:ask:(revoke|restore):${UID}$`),
    read: ([change, uid = ""]) => ({ type: "staff-ask", change: change as CardChange, uid }),
    write: (a) => `stf:ask:${a.change}:${a.uid}`,
  },
  "staff-do": {
    prefix: "stf",
    pattern: new RegExp(`^stf:do:(revoke|restore):${UID}$`),
    read: ([change, uid = ""]) => ({ type: "staff-do", change: change as CardChange, uid }),
    write: (a) => `stf:do:${a.change}:${a.uid}`,
  },
  "staff-keep": fixed("staff-keep", "stf:no"),
  "staff-invite": {
    prefix: "stf",
    pattern: new RegExp(`^stf:inv:${UID}$`),
    read: ([uid = ""]) => ({ type: "staff-invite", uid }),
    write: (a) => `stf:inv:${a.uid}`,
  },
  "staff-ask-unlink": {
    prefix: "stf",
    pattern: new RegExp(`^stf:ask:unlink:${UID}:${TELEGRAM_ID}$`),
    read: ([uid = "", id]) => ({ type: "staff-ask-unlink", uid, telegramId: Number(id) }),
    write: (a) => `stf:ask:unlink:${a.uid}:${a.telegramId}`,
  },
  "staff-do-unlink": {
    prefix: "stf",
    pattern: new RegExp(`^stf:do:unlink:${UID}:${TELEGRAM_ID}$`),
    read: ([uid = "", id]) => ({ type: "staff-do-unlink", uid, telegramId: Number(id) }),
    write: (a) => `stf:do:unlink:${a.uid}:${a.telegramId}`,
  },
  "staff-undo": {
    prefix: "stf",
    pattern: new RegExp(`^stf:undo:${UID}:${TELEGRAM_ID}$`),
    read: ([uid = "", id]) => ({ type: "staff-undo", uid, telegramId: Number(id) }),
    write: (a) => `stf:undo:${a.uid}:${a.telegramId}`,
  },
  "server-check": {
    prefix: "srv",
    pattern: new RegExp(`^srv:chk:${HOST}$`),
    read: ([name = ""]) => ({ type: "server-check", name }),
    write: (a) => `srv:chk:${a.name}`,
  },
  "server-details": {
    prefix: "srv",
    pattern: new RegExp(`^srv:det:${HOST}$`),
    read: ([name = ""]) => ({ type: "server-details", name }),
    write: (a) => `srv:det:${a.name}`,
  },
  "server-remove": {
    prefix: "srv",
    pattern: new RegExp(`^srv:rm:${HOST}$`),
    read: ([name = ""]) => ({ type: "server-remove", name }),
    write: (a) => `srv:rm:${a.name}`,
  },
  "server-keep": fixed("server-keep", "srv:rmno"),
  "addserver-cancel": fixed("addserver-cancel", "adds:cancel"),
  "addserver-trust": fixed("addserver-trust", "adds:trust"),
  "room-act": {
    prefix: "rm",
    pattern: new RegExp(`^rm:(${ROOM_ACTS.join("|")}):${ROOM}(?::${SMALL})?$`),
    read: ([act, room = "", seconds]) => {
      if ((seconds === undefined) !== (act !== "clip")) return undefined;
      return {
        type: "room-act",
        act: act as RoomAct,
        room,
        ...(seconds !== undefined ? { seconds: Number(seconds) } : {}),
      };
    },
    write: (a) => `rm:${a.act}:${a.room}${a.act === "clip" ? `:${a.seconds ?? 10}` : ""}`,
  },
  "room-ack": {
    prefix: "rm",
    pattern: new RegExp(`^rm:ack:${ROOM}:([\\w-]{1,16})$`),
    read: ([room = "", incidentId = ""]) => ({ type: "room-ack", room, incidentId }),
    write: (a) => `rm:ack:${a.room}:${a.incidentId}`,
  },
  "enroll-cancel": fixed("enroll-cancel", "enr:cancel"),
  "enroll-room": {
    prefix: "enr",
    pattern: new RegExp(`^enr:room:${ROOM}$`),
    read: ([room = ""]) => ({ type: "enroll-room", room }),
    write: (a) => `enr:room:${a.room}`,
  },
  "enroll-role": {
    prefix: "enr",
    pattern: /^enr:role:(staff|admin)$/,
    read: ([role]) => ({ type: "enroll-role", role: role as StaffRole }),
    write: (a) => `enr:role:${a.role}`,
  },
  "enroll-invite": {
    prefix: "enr",
    pattern: /^enr:link:(yes|no)$/,
    read: ([answer]) => ({ type: "enroll-invite", invite: answer === "yes" }),
    write: (a) => `enr:link:${a.invite ? "yes" : "no"}`,
  },
  "enroll-save": fixed("enroll-save", "enr:save"),
};

const ALL_CODECS: ReadonlyArray<Codec<CallbackAction>> = Object.values(CODECS) as Array<Codec<CallbackAction>>;

/** Every family prefix the bot's buttons use (the part before the first ":"). */
export const CALLBACK_PREFIXES: readonly string[] = [...new Set(ALL_CODECS.map((c) => c.prefix))];

/** Every action type there is (for tests that must cover them all). */
export const CALLBACK_ACTION_TYPES = Object.keys(CODECS) as readonly CallbackActionType[];

/** The callback data of a button that does `action`. */
export function buildCallbackData(action: CallbackAction): string {
  return (CODECS[action.type] as Codec<CallbackAction>).write(action);
}

/** The action behind a button's data; undefined for anything `buildCallbackData` does not write. */
export function parseCallbackData(data: string | undefined): CallbackAction | undefined {
  if (typeof data !== "string") return undefined;
  const prefix = data.slice(0, data.indexOf(":"));
  for (const codec of ALL_CODECS) {
    if (codec.prefix !== prefix) continue;
    const m = codec.pattern.exec(data);
    if (m) return codec.read(m.slice(1));
  }
  return undefined;
}

/** The family a button's data claims to belong to ("stf" for "stf:anything"), parsed or not. */
export function callbackPrefixOf(data: string | undefined): string | undefined {
  const colon = data?.indexOf(":") ?? -1;
  const prefix = colon > 0 ? data?.slice(0, colon) : undefined;
  return prefix !== undefined && CALLBACK_PREFIXES.includes(prefix) ? prefix : undefined;
}

/** The action of the button pressed in this update, if it is one of ours. */
export function pressedAction(ctx: Context): CallbackAction | undefined {
  return parseCallbackData(ctx.callbackQuery?.data);
}

/** A press of one of `T`'s buttons, parsed: the action is `ctx.button`. */
export type Pressed<C extends Context, T extends CallbackActionType> = Filter<C, "callback_query:data"> & {
  button: CallbackActionOf<T>;
};

/**
 * A grammY filter for presses of the given action types, to use as
 * `feature.filter(pressed("alert-ack"), ...middleware)`. Like grammY's own
 * `Context.has.callbackQuery` (which sets `ctx.match`), it leaves what it parsed on the
 * context: `ctx.button`, typed.
 */
export function pressed<T extends CallbackActionType>(...types: T[]) {
  return <C extends Context>(ctx: C): ctx is Pressed<C, T> => {
    const action = pressedAction(ctx);
    if (!action || !(types as readonly string[]).includes(action.type)) return false;
    (ctx as C & { button?: CallbackAction }).button = action;
    return true;
  };
}
