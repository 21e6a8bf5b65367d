/**
 * /staff (staff and admins): everyone with a card. Admins also get buttons to revoke or
 * restore a card and to unlink a linked Telegram account (each asks for confirmation
 * first), and to make a new one-time invite link for a person whose Telegram account is
 * not linked yet. Every change is audited.
 *
 * Invite links only ever go to the admin's private chat (bot/invite-delivery.ts): in the staff group
 * any member could redeem one. The link is redeemed here too: `/start link_<token>` in a
 * private chat, handled before the auth filter (the person is not known yet: that is the
 * point). A redemption links only a card that is active and has no account yet (one
 * conditional write: a link is never replaced, a revoked card never linked); every admin
 * is told which account took it, with an Undo button.
 */
import { Composer, InlineKeyboard } from "grammy";
import type { InlineKeyboardButton, User } from "grammy/types";
import { formatCardUid } from "../../core/door/card-uid.ts";
import { INVITE_PAYLOAD } from "../../core/door/invites.ts";
import { revokeRefusal } from "../../core/door/policy.ts";
import type { StaffMember } from "../../core/door/ports.ts";
import { escapeHtml, formatDateTime } from "../../core/text/format.ts";
import { recordAudit, who } from "../audit.ts";
import type { SeromaContext } from "../context.ts";
import { requireAdmin, requireStaff } from "../filters/auth.ts";
import { deliverInvite } from "../invite-delivery.ts";

/** Buttons for at most this many people (the list itself is complete): two rows each at most. */
const MAX_BUTTONS = 40;
/** A name on a button is cut to this many characters, so that what the button does still shows. */
const BUTTON_NAME_MAX = 24;

function buttonName(name: string): string {
  const chars = [...name];
  return chars.length <= BUTTON_NAME_MAX ? name : `${chars.slice(0, BUTTON_NAME_MAX - 1).join("")}…`;
}

function memberLine(ctx: SeromaContext, m: StaffMember): string {
  const status = m.active ? "" : ` · ⛔ ${ctx.t("staff-revoked")}`;
  const linked = m.telegramUserId !== undefined ? " · 💬" : "";
  return `${m.active ? "🟢" : "⚪"} <b>${escapeHtml(m.name)}</b> · ${ctx.t(`staff-role-${m.role}`)} · <code>${formatCardUid(m.cardUid)}</code>${linked}${status}`;
}

async function showList(ctx: SeromaContext): Promise<void> {
  const members = await ctx.services.storage.staff.list({ includeRevoked: true });
  if (members.length === 0) {
    await ctx.reply(ctx.t("staff-empty"), { parse_mode: "HTML" });
    return;
  }
  const active = members.filter((m) => m.active).length;
  const text = [
    ctx.t("staff-title", { active: String(active), revoked: String(members.length - active) }),
    "",
    ...members.map((m) => memberLine(ctx, m)),
  ].join("\n");
  // One button a row: each says what it does to whom ("⛔ Revoke Ada's card"), in full.
  const rows: InlineKeyboardButton[][] = [];
  if (ctx.role === "admin") {
    for (const m of members.slice(0, MAX_BUTTONS)) {
      const name = buttonName(m.name);
      const action = m.active ? "revoke" : "restore";
      rows.push([
        InlineKeyboard.text(ctx.t(`staff-button-list-${action}`, { name }), `stf:ask:${action}:${m.cardUid}`),
      ]);
      if (m.active && m.telegramUserId === undefined)
        rows.push([InlineKeyboard.text(ctx.t("staff-button-list-invite", { name }), `stf:inv:${m.cardUid}`)]);
      if (m.telegramUserId !== undefined) {
        const data = `stf:ask:unlink:${m.cardUid}:${m.telegramUserId}`;
        rows.push([InlineKeyboard.text(ctx.t("staff-button-list-unlink", { name }), data)]);
      }
    }
  }
  const keyboard = InlineKeyboard.from(rows);
  await ctx.reply(text, {
    parse_mode: "HTML",
    ...(ctx.role === "admin" ? { reply_markup: keyboard } : {}),
  });
}

export const staffFeature = new Composer<SeromaContext>();

// Card UIDs are not for every group member (viewers): a UID is what a cloned card copies.
staffFeature.command("staff", requireStaff, showList);

const admin = staffFeature.filter((ctx) => ctx.callbackQuery?.data?.startsWith("stf:") === true);
admin.use(requireAdmin);

admin.callbackQuery(/^stf:ask:(revoke|restore):([0-9A-F]{8,20})$/, async (ctx) => {
  const [, action, uid] = ctx.match as unknown as [string, "revoke" | "restore", string];
  const member = await ctx.services.storage.staff.getByUid(uid);
  await ctx.answerCallbackQuery();
  if (!member) {
    await ctx.reply(ctx.t("staff-not-found", { uid: formatCardUid(uid) }), { parse_mode: "HTML" });
    return;
  }
  const refusal = action === "revoke" ? await refuseRevoke(ctx, member) : undefined;
  if (refusal) {
    await ctx.reply(refusal, { parse_mode: "HTML" });
    return;
  }
  const keyboard = new InlineKeyboard()
    .text(ctx.t(`staff-button-${action}`), `stf:do:${action}:${uid}`)
    .text(ctx.t("staff-button-keep"), "stf:no");
  await ctx.reply(ctx.t(`staff-confirm-${action}`, { name: escapeHtml(member.name), uid: formatCardUid(uid) }), {
    parse_mode: "HTML",
    reply_markup: keyboard,
  });
});

/** The refusal to show if this admin may not revoke `member`'s card (their own, or the last admin card). */
async function refuseRevoke(ctx: SeromaContext & { from: User }, member: StaffMember): Promise<string | undefined> {
  const reason = revokeRefusal(member, ctx.from.id, await ctx.services.storage.staff.list());
  if (!reason) return undefined;
  ctx.log.info({ uid: member.cardUid, by: ctx.from.id, reason }, "card revoke refused");
  return ctx.t(`staff-refuse-${reason}`, { name: escapeHtml(member.name), uid: formatCardUid(member.cardUid) });
}

admin.callbackQuery("stf:no", async (ctx) => {
  await ctx.answerCallbackQuery();
  await ctx.editMessageText(ctx.t("staff-unchanged"));
});

admin.callbackQuery(/^stf:do:(revoke|restore):([0-9A-F]{8,20})$/, async (ctx) => {
  const [, action, uid] = ctx.match as unknown as [string, "revoke" | "restore", string];
  const { storage, clock, config } = ctx.services;
  const by = ctx.from.id;
  const at = clock.now().getTime();
  const before = await storage.staff.getByUid(uid);
  // Checked again when confirmed: the cards may have changed since the question.
  const refusal = before && action === "revoke" ? await refuseRevoke(ctx, before) : undefined;
  if (refusal) {
    await ctx.answerCallbackQuery();
    await ctx.editMessageText(refusal, { parse_mode: "HTML" });
    return;
  }
  const member = await storage.staff.setActive(uid, action === "restore", by, at);
  await ctx.answerCallbackQuery();
  if (!member || !before) {
    await ctx.editMessageText(ctx.t("staff-not-found", { uid: formatCardUid(uid) }), { parse_mode: "HTML" });
    return;
  }
  if (before.active === member.active) {
    await ctx.editMessageText(ctx.t(`staff-already-${action}d`, { name: escapeHtml(member.name) }), {
      parse_mode: "HTML",
    });
    return;
  }
  await storage.audit.record({
    at,
    roomId: config.roomId,
    userId: by,
    userName: ctx.from.first_name,
    action,
    detail: `${uid} ${member.name}`,
  });
  ctx.log.info({ uid, action, by }, `card ${action}d`);
  await ctx.editMessageText(
    ctx.t(`staff-done-${action}`, {
      name: escapeHtml(member.name),
      uid: formatCardUid(uid),
      by: escapeHtml(ctx.from.first_name),
      at: escapeHtml(formatDateTime(at, config.officeHours.timeZone).slice(0, 16)),
    }),
    { parse_mode: "HTML" },
  );
});

admin.callbackQuery(/^stf:inv:([0-9A-F]{8,20})$/, async (ctx) => {
  const uid = ctx.match[1] ?? "";
  const { storage, invites, config } = ctx.services;
  const member = await storage.staff.getByUid(uid);
  await ctx.answerCallbackQuery();
  if (!member?.active) {
    await ctx.reply(ctx.t("staff-not-found", { uid: formatCardUid(uid) }), { parse_mode: "HTML" });
    return;
  }
  const invite = invites.create(uid, ctx.from.id, config.door.inviteTtlMs);
  const chat = ctx.chat ?? { id: ctx.from.id, type: "private" as const, first_name: ctx.from.first_name };
  const delivery = await deliverInvite(
    {
      api: ctx.api,
      t: (k, v) => ctx.t(k, v),
      log: ctx.log,
      botUsername: ctx.me.username,
      timeZone: config.officeHours.timeZone,
      cancel: (token) => invites.cancel(token),
    },
    chat,
    who(ctx),
    member.name,
    invite,
  );
  ctx.log.info({ uid, by: ctx.from.id, delivery }, "invite link made");
});

/** Unlink from /staff: confirm first; the confirmation names the account it was made for. */
admin.callbackQuery(/^stf:ask:unlink:([0-9A-F]{8,20}):(\d{1,15})$/, async (ctx) => {
  const uid = ctx.match[1] ?? "";
  const tg = ctx.match[2] ?? "";
  const member = await ctx.services.storage.staff.getByUid(uid);
  if (!member || String(member.telegramUserId) !== tg) {
    await ctx.answerCallbackQuery({ text: ctx.t("staff-unlink-stale") });
    return;
  }
  await ctx.answerCallbackQuery();
  const keyboard = new InlineKeyboard()
    .text(ctx.t("staff-button-unlink"), `stf:do:unlink:${uid}:${tg}`)
    .text(ctx.t("staff-button-keep"), "stf:no");
  await ctx.reply(ctx.t("staff-confirm-unlink", { name: escapeHtml(member.name), uid: formatCardUid(uid), id: tg }), {
    parse_mode: "HTML",
    reply_markup: keyboard,
  });
});

/**
 * Unlinks `uid` from account `tg` if that is still its link (Unlink confirmed, or Undo on a
 * redemption notice); audited. Anything else is a short toast and changes nothing.
 */
async function unlink(ctx: SeromaContext, uid: string, tg: number, via: "unlink" | "undo"): Promise<void> {
  const { storage, clock, config } = ctx.services;
  const result = await storage.staff.unlinkTelegramIfLinkedTo(uid, tg);
  if (!result.ok) {
    ctx.log.info({ uid, tg, via, reason: result.reason }, "nothing to unlink");
    await ctx.answerCallbackQuery({ text: ctx.t(via === "undo" ? "staff-undo-stale" : "staff-unlink-stale") });
    return;
  }
  const { name } = result.member;
  await recordAudit(ctx, "unlink", undefined, `${uid} ${name} ${tg}${via === "undo" ? " (undo of an invite)" : ""}`);
  ctx.log.info({ uid, tg, via, by: ctx.from?.id }, "Telegram account unlinked from a card");
  await ctx.answerCallbackQuery();
  const vars = {
    name: escapeHtml(name),
    uid: formatCardUid(uid),
    id: String(tg),
    by: escapeHtml(who(ctx).name),
    at: escapeHtml(formatDateTime(clock.now().getTime(), config.officeHours.timeZone).slice(0, 16)),
  };
  if (via === "unlink") {
    await ctx.editMessageText(ctx.t("staff-done-unlink", vars), { parse_mode: "HTML" });
    return;
  }
  await ctx.editMessageReplyMarkup();
  await ctx.reply(ctx.t("staff-undone", vars), { parse_mode: "HTML" });
}

admin.callbackQuery(/^stf:do:unlink:([0-9A-F]{8,20}):(\d{1,15})$/, (ctx) =>
  unlink(ctx, ctx.match[1] ?? "", Number(ctx.match[2]), "unlink"),
);

admin.callbackQuery(/^stf:undo:([0-9A-F]{8,20}):(\d{1,15})$/, (ctx) =>
  unlink(ctx, ctx.match[1] ?? "", Number(ctx.match[2]), "undo"),
);

type Translate = (key: string, vars?: Record<string, string>) => string;

/** "Grace Hopper (@grace, id 2001)", escaped. */
function describeAccount(t: Translate, u: User): string {
  const name = [u.first_name, u.last_name].filter(Boolean).join(" ");
  return t("invite-account", {
    name: escapeHtml(name),
    username: u.username ? escapeHtml(`@${u.username}, `) : "",
    id: String(u.id),
  });
}

/** `/start link_<token>`: installed before the auth filter. */
export const inviteFeature = new Composer<SeromaContext>();

inviteFeature.chatType("private").command("start", async (ctx, next) => {
  const m = INVITE_PAYLOAD.exec(ctx.match.trim());
  if (!m?.[1]) return next();
  const { storage, invites, clock, config } = ctx.services;
  const result = invites.redeem(m[1]);
  ctx.log.info({ userId: ctx.from.id, ok: result.ok }, "invite link opened");
  if (!result.ok) {
    await ctx.reply(ctx.t(`invite-${result.reason}`));
    return;
  }
  const { cardUid, createdBy } = result.invite;
  const account = who(ctx);
  const audit = (action: "link" | "link-refused", detail: string) =>
    storage.audit.record({
      at: clock.now().getTime(),
      roomId: config.roomId,
      userId: account.id,
      userName: account.name,
      action,
      detail,
    });
  // Checked and written in one conditional write: a linked card keeps its account, a
  // revoked card gets none, whatever happens in between.
  const linked = await storage.staff.linkTelegramIfUnlinked(cardUid, ctx.from.id);
  if (!linked.ok) {
    ctx.log.warn({ userId: ctx.from.id, cardUid, createdBy, reason: linked.reason }, "invite redemption refused");
    await audit("link-refused", `${cardUid} ${linked.reason}`);
    const key = {
      "no-card": "invite-unknown",
      revoked: "invite-revoked",
      "card-linked": "invite-card-linked",
      "account-linked": "invite-already-linked",
    } as const;
    await ctx.reply(ctx.t(key[linked.reason]));
    return;
  }
  const member = linked.member;
  if (linked.changed) {
    await audit("link", `${cardUid} ${member.name} ${ctx.from.id}${ctx.from.username ? ` @${ctx.from.username}` : ""}`);
    ctx.log.info({ userId: ctx.from.id, cardUid, createdBy }, "Telegram account linked to a card by invite");
    await tellAdmins(ctx, createdBy, member);
  }
  await ctx.reply(
    ctx.t("invite-linked", {
      name: escapeHtml(member.name),
      role: ctx.t(`staff-role-${member.role}`),
      room: escapeHtml(config.roomId),
    }),
    { parse_mode: "HTML" },
  );
});

/**
 * Tells the invite's creator and every admin in ADMIN_IDS which account took the invite,
 * with Undo; each in their own language; best effort (one that cannot be reached is logged).
 */
async function tellAdmins(ctx: SeromaContext & { from: User }, createdBy: number, member: StaffMember): Promise<void> {
  const { storage, config } = ctx.services;
  const admins = [...new Set([createdBy, ...config.telegram.adminIds])];
  for (const adminId of admins) {
    try {
      const locale = (await storage.userSettings.getLocale(adminId)) ?? config.defaultLocale;
      const t: Translate = ctx.i18n.fluent.withLocale(locale);
      const text = t("invite-used", {
        name: escapeHtml(member.name),
        uid: formatCardUid(member.cardUid),
        account: describeAccount(t, ctx.from),
        role: t(`staff-role-${member.role}`),
      });
      await ctx.api.sendMessage(adminId, text, {
        parse_mode: "HTML",
        reply_markup: new InlineKeyboard().text(t("staff-button-undo"), `stf:undo:${member.cardUid}:${ctx.from.id}`),
      });
    } catch (err) {
      ctx.log.warn({ adminId, err: (err as Error).message }, "could not tell an admin about a used invite");
    }
  }
}
