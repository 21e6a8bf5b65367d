/**
 * Every inline keyboard the bot sends, in one place: the features', the conversations', and
 * the alert cards' (channels/telegram/group-channel.ts posts those). Each button's data is a
 * typed action built by bot/ui/callback-data.ts; labels come from the reader's translations
 * (`t`), so these functions need no context and no services (this folder imports only core/
 * and grammY, which lets the alert channel use it).
 */
import { InlineKeyboard } from "grammy";
import type { InlineKeyboardButton } from "grammy/types";
import type { Translate } from "../../core/alerts/render.ts";
import type { StaffMember } from "../../core/door/ports.ts";
import { buildCallbackData as data, type RoomAct } from "./callback-data.ts";

/** Turns callback data that must not be readable (a card UID) into an opaque reference (`ctx.callbackRefs.shorten`). */
export type HideData = (data: string) => string;

/** A button that sends one stored photo or clip again. */
export interface MediaButton {
  label: string;
  mediaId: number;
}

// /start

export function menuKeyboard(t: Translate): InlineKeyboard {
  return new InlineKeyboard()
    .text(t("start-button-status"), data({ type: "menu", item: "status" }))
    .text(t("start-button-history"), data({ type: "menu", item: "history" }))
    .row()
    .text(t("start-button-language"), data({ type: "menu", item: "language" }))
    .text(t("start-button-help"), data({ type: "menu", item: "help" }));
}

// /language

/** Each language in its own words. */
const NATIVE_NAMES: Readonly<Record<string, string>> = { en: "English", ja: "日本語" };

/** One button per locale, then "Automatic" (follow the Telegram app). */
export function languageKeyboard(t: Translate, locales: readonly string[]): InlineKeyboard {
  const kb = new InlineKeyboard();
  for (const locale of locales) kb.text(NATIVE_NAMES[locale] ?? locale, data({ type: "language", locale }));
  return kb.row().text(t("language-auto"), data({ type: "language-auto" }));
}

// The camera row: under /status, every alert, every photo and clip

/** Snapshot and Clip N s, then Refresh when given (the status's or the alert's). */
function cameraRow(kb: InlineKeyboard, t: Translate, clipSeconds: number, refresh?: string): InlineKeyboard {
  kb.text(t("camera-button-snapshot"), data({ type: "camera-snapshot" })).text(
    t("camera-button-clip", { n: String(clipSeconds) }),
    data({ type: "camera-clip", seconds: clipSeconds }),
  );
  if (refresh) kb.text(t("status-button-refresh"), refresh);
  return kb;
}

/** Under a photo or a clip: Snapshot, Clip N s. */
export function cameraKeyboard(t: Translate, clipSeconds: number): InlineKeyboard {
  return cameraRow(new InlineKeyboard(), t, clipSeconds);
}

/**
 * "Open dashboard": a Mini App (`web_app`, which Telegram allows in private chats only), or a
 * link (in the staff group: to the bot's private chat, where the login link is handed out).
 */
export type DashboardButton = { kind: "web_app"; url: string } | { kind: "url"; url: string };

function dashboardRow(kb: InlineKeyboard, t: Translate, button: DashboardButton): InlineKeyboard {
  const label = t("dashboard-button-open");
  return button.kind === "web_app" ? kb.row().webApp(label, button.url) : kb.row().url(label, button.url);
}

/** Under /status: Snapshot, Clip N s, Refresh; then Open dashboard when given. */
export function statusKeyboard(t: Translate, clipSeconds: number, dashboard?: DashboardButton): InlineKeyboard {
  const kb = cameraRow(new InlineKeyboard(), t, clipSeconds, data({ type: "status-refresh" }));
  return dashboard ? dashboardRow(kb, t, dashboard) : kb;
}

// A hub's rooms (bot/features/rooms.ts)

/** "Which room?": one button per room (three a row), each doing `act` there. */
export function roomPickerKeyboard(rooms: readonly string[], act: RoomAct, seconds?: number): InlineKeyboard {
  const kb = new InlineKeyboard();
  for (const room of rooms) {
    kb.text(`📍 ${room}`, data({ type: "room-act", act, room, ...(act === "clip" ? { seconds: seconds ?? 10 } : {}) }));
    if (kb.inline_keyboard.at(-1)?.length === 3) kb.row();
  }
  return kb;
}

/**
 * Under another room's status, its photos and clips: Snapshot, Clip N s, Refresh, for that
 * room; on its alert card (`incidentId`: the incident in that room) Acknowledge first.
 */
export function roomKeyboard(t: Translate, room: string, clipSeconds: number, incidentId?: string): InlineKeyboard {
  const kb = new InlineKeyboard();
  if (incidentId) kb.text(t("alert-button-ack"), data({ type: "room-ack", room, incidentId })).row();
  return kb
    .text(t("camera-button-snapshot"), data({ type: "room-act", act: "snapshot", room }))
    .text(
      t("camera-button-clip", { n: String(clipSeconds) }),
      data({ type: "room-act", act: "clip", room, seconds: clipSeconds }),
    )
    .text(t("status-button-refresh"), data({ type: "room-act", act: "refresh", room }));
}

/** The site's summary (/status on a hub): a button per room for its whole status. */
export function siteKeyboard(rooms: readonly string[]): InlineKeyboard {
  return roomPickerKeyboard(rooms, "status");
}

/** /enroll on a hub: whose card reader the card is tapped at. */
export function enrollRoomKeyboard(t: Translate, rooms: readonly string[]): InlineKeyboard {
  const kb = new InlineKeyboard();
  for (const room of rooms) {
    kb.text(`📍 ${room}`, data({ type: "enroll-room", room }));
    if (kb.inline_keyboard.at(-1)?.length === 3) kb.row();
  }
  return kb.row().text(t("enroll-button-cancel"), data({ type: "enroll-cancel" }));
}

// /web

/** One button: Open dashboard (the one-time login link, or the deep link to the private chat). */
export function dashboardKeyboard(t: Translate, url: string): InlineKeyboard {
  return new InlineKeyboard().url(t("dashboard-button-open"), url);
}

// Alert cards (channels/telegram) and /alerts

export interface AlertKeyboardOptions {
  /** Length of the Clip button (default 10 s). */
  clipSeconds?: number;
  /** The incident has stored media (motion): a button sends them. */
  recorded?: boolean;
  /** The whole keyboard (after More ▾); default: the one calm row. */
  expanded?: boolean;
}

/**
 * An open alert's buttons (a settled one has none). Calm, one row: Acknowledge, Mute 1 h,
 * More ▾. More ▾ swaps in the whole keyboard: the same row ending in Less ▴, then Mute 24 h
 * and Refresh, the camera (Snapshot, Clip), and the incident's recorded media if any.
 */
export function alertKeyboard(t: Translate, incidentId: string, opts: AlertKeyboardOptions = {}): InlineKeyboard {
  const kb = new InlineKeyboard()
    .text(t("alert-button-ack"), data({ type: "alert-ack", incidentId }))
    .text(t("alert-button-mute-1h"), data({ type: "alert-mute", incidentId, span: "1h" }));
  if (!opts.expanded) return kb.text(t("alert-button-more"), data({ type: "alert-more", incidentId }));
  kb.text(t("alert-button-less"), data({ type: "alert-less", incidentId }))
    .row()
    .text(t("alert-button-mute-24h"), data({ type: "alert-mute", incidentId, span: "24h" }))
    .text(t("status-button-refresh"), data({ type: "alert-refresh", incidentId }))
    .row();
  cameraRow(kb, t, opts.clipSeconds ?? 10);
  if (opts.recorded) kb.row().text(t("camera-button-recorded"), data({ type: "camera-incident-media", incidentId }));
  return kb;
}

/** /alerts: a row per listed incident, Acknowledge (naming it) and Mute 1 h; each changes that incident's line. */
export function alertListKeyboard(t: Translate, incidentIds: readonly string[]): InlineKeyboard {
  const kb = new InlineKeyboard();
  for (const incidentId of incidentIds) {
    kb.text(`${t("alert-button-ack")} ${incidentId}`, data({ type: "alert-list-ack", incidentId }))
      .text(t("alert-button-mute-1h"), data({ type: "alert-list-mute", incidentId }))
      .row();
  }
  return kb;
}

// /media

/** A day's media: a button per item (four a row), then Older when there are more. */
export function mediaKeyboard(
  t: Translate,
  items: readonly MediaButton[],
  older?: { date: string; before: number },
): InlineKeyboard {
  const kb = new InlineKeyboard();
  for (const item of items) {
    kb.text(item.label, data({ type: "media-get", mediaId: item.mediaId }));
    if (kb.inline_keyboard.at(-1)?.length === 4) kb.row();
  }
  if (older) kb.row().text(t("media-older"), data({ type: "media-page", ...older }));
  return kb;
}

// /access

/**
 * A page of the door log: a button per breach snapshot (three a row), then Older when the
 * page is full. A person's pages name the card, so their Older goes through `hide`.
 * Undefined when there is no button at all.
 */
export function accessKeyboard(
  t: Translate,
  photos: readonly MediaButton[],
  older: { limit: number; before: number } | { uid: string; before: number } | undefined,
  hide: HideData,
): InlineKeyboard | undefined {
  const kb = new InlineKeyboard();
  for (const photo of photos) {
    kb.text(photo.label, data({ type: "media-get", mediaId: photo.mediaId }));
    if ((kb.inline_keyboard.at(-1)?.length ?? 0) === 3) kb.row();
  }
  if (older) {
    const next =
      "uid" in older
        ? hide(data({ type: "access-card", uid: older.uid, before: older.before }))
        : data({ type: "access-latest", limit: older.limit, before: older.before });
    kb.row().text(t("access-older"), next);
  }
  return kb.inline_keyboard.some((row) => row.length > 0) ? kb : undefined;
}

/** /access NAME matching several people: one button each (the card UID hidden), at most ten. */
export function accessPeopleKeyboard(people: readonly StaffMember[], hide: HideData): InlineKeyboard {
  const kb = new InlineKeyboard();
  for (const m of people.slice(0, 10)) {
    kb.text(m.name, hide(data({ type: "access-card", uid: m.cardUid, before: 0 }))).row();
  }
  return kb;
}

// /staff

/** Buttons for at most this many people (the list itself is complete): two buttons each at most. */
export const STAFF_BUTTONS_MAX = 40;
/** A name on a button is cut to this many characters, so that what the button does still shows. */
const BUTTON_NAME_MAX = 24;

function buttonName(name: string): string {
  const chars = [...name];
  return chars.length <= BUTTON_NAME_MAX ? name : `${chars.slice(0, BUTTON_NAME_MAX - 1).join("")}…`;
}

/**
 * /staff for admins: revoke or restore each card, an invite for a card without an account,
 * unlink one that has. Each button says what it does to whom ("⛔ Revoke Ada's card") and
 * has a row to itself, so the whole text shows.
 */
export function staffKeyboard(t: Translate, members: readonly StaffMember[]): InlineKeyboard {
  const rows: InlineKeyboardButton[][] = [];
  for (const m of members.slice(0, STAFF_BUTTONS_MAX)) {
    const name = buttonName(m.name);
    const change = m.active ? "revoke" : "restore";
    rows.push([
      InlineKeyboard.text(
        t(`staff-button-list-${change}`, { name }),
        data({ type: "staff-ask", change, uid: m.cardUid }),
      ),
    ]);
    if (m.active && m.telegramUserId === undefined) {
      const invite = data({ type: "staff-invite", uid: m.cardUid });
      rows.push([InlineKeyboard.text(t("staff-button-list-invite", { name }), invite)]);
    }
    if (m.telegramUserId !== undefined) {
      const unlink = data({ type: "staff-ask-unlink", uid: m.cardUid, telegramId: m.telegramUserId });
      rows.push([InlineKeyboard.text(t("staff-button-list-unlink", { name }), unlink)]);
    }
  }
  return InlineKeyboard.from(rows);
}

/** Revoke / Restore confirmed, or Keep. */
export function staffConfirmKeyboard(t: Translate, change: "revoke" | "restore", uid: string): InlineKeyboard {
  return new InlineKeyboard()
    .text(t(`staff-button-${change}`), data({ type: "staff-do", change, uid }))
    .text(t("staff-button-keep"), data({ type: "staff-keep" }));
}

/** Unlink confirmed, or Keep. */
export function unlinkConfirmKeyboard(t: Translate, uid: string, telegramId: number): InlineKeyboard {
  return new InlineKeyboard()
    .text(t("staff-button-unlink"), data({ type: "staff-do-unlink", uid, telegramId }))
    .text(t("staff-button-keep"), data({ type: "staff-keep" }));
}

/** Under "an invite was used": Undo (unlinks that account from the card). */
export function undoLinkKeyboard(t: Translate, uid: string, telegramId: number): InlineKeyboard {
  return new InlineKeyboard().text(t("staff-button-undo"), data({ type: "staff-undo", uid, telegramId }));
}

// /servers, /server, /removeserver

/** Check now and Details for one host. */
export function hostKeyboard(t: Translate, name: string): InlineKeyboard {
  return new InlineKeyboard()
    .text(t("servers-button-check", { name }), data({ type: "server-check", name }))
    .text(t("servers-button-details", { name }), data({ type: "server-details", name }));
}

/** /servers: Check now and Details for each host, a row each. */
export function serversKeyboard(t: Translate, names: readonly string[]): InlineKeyboard {
  const kb = new InlineKeyboard();
  for (const name of names) kb.append(hostKeyboard(t, name)).row();
  return kb;
}

/** /removeserver: Remove, or Cancel. */
export function removeServerKeyboard(t: Translate, name: string): InlineKeyboard {
  return new InlineKeyboard()
    .text(t("removeserver-button"), data({ type: "server-remove", name }))
    .text(t("enroll-button-cancel"), data({ type: "server-keep" }));
}

// The /addserver conversation

/** Cancel, under every question. */
export function addServerCancelKeyboard(t: Translate): InlineKeyboard {
  return new InlineKeyboard().text(t("enroll-button-cancel"), data({ type: "addserver-cancel" }));
}

/** Under the host key's fingerprint: Trust, or Cancel. */
export function addServerTrustKeyboard(t: Translate): InlineKeyboard {
  return new InlineKeyboard()
    .text(t("addserver-button-trust"), data({ type: "addserver-trust" }))
    .text(t("enroll-button-cancel"), data({ type: "addserver-cancel" }));
}

// The /enroll conversation

/** Cancel, while waiting for the card and the name. */
export function enrollCancelKeyboard(t: Translate): InlineKeyboard {
  return new InlineKeyboard().text(t("enroll-button-cancel"), data({ type: "enroll-cancel" }));
}

/** Staff or admin, or Cancel. */
export function enrollRoleKeyboard(t: Translate): InlineKeyboard {
  return new InlineKeyboard()
    .text(t("staff-role-staff"), data({ type: "enroll-role", role: "staff" }))
    .text(t("staff-role-admin"), data({ type: "enroll-role", role: "admin" }))
    .row()
    .text(t("enroll-button-cancel"), data({ type: "enroll-cancel" }));
}

/** An invite link for the person's Telegram account, or none; or Cancel. */
export function enrollInviteKeyboard(t: Translate): InlineKeyboard {
  return new InlineKeyboard()
    .text(t("enroll-button-invite"), data({ type: "enroll-invite", invite: true }))
    .text(t("enroll-button-no-invite"), data({ type: "enroll-invite", invite: false }))
    .row()
    .text(t("enroll-button-cancel"), data({ type: "enroll-cancel" }));
}

/** Save, or Cancel. */
export function enrollConfirmKeyboard(t: Translate): InlineKeyboard {
  return new InlineKeyboard()
    .text(t("enroll-button-save"), data({ type: "enroll-save" }))
    .text(t("enroll-button-cancel"), data({ type: "enroll-cancel" }));
}
