/**
 * /staff (staff and admins): everyone with a card. Admins also get buttons to revoke or
 * restore a card and to unlink a linked Telegram account (each asks for confirmation
 * first), and to make a new one-time invite link for a person whose Telegram account is
 * not linked yet. Every change is audited. `/staff rooms NAME dc-1,dc-2|all` (admins) sets
 * the rooms whose door a card opens (staff-rooms.ts); the list shows them when limited.
 *
 * Invite links only ever go to the admin's private chat (bot/invite-delivery.ts): in the staff group
 * any member could redeem one. The link is redeemed here too: `/start link_<token>` in a
 * private chat, handled before the auth filter (the person is not known yet: that is the
 * point). A redemption links only a card that is active and has no account yet (one
 * conditional write: a link is never replaced, a revoked card never linked); every admin
 * is told which account took it, with an Undo button.
 */
import { Composer } from "grammy";
import type { User } from "grammy/types";
import { formatCardUid } from "../../core/door/card-uid.ts";
import { INVITE_PAYLOAD } from "../../core/door/invites.ts";
import { revokeRefusal } from "../../core/door/policy.ts";
import type { StaffMember } from "../../core/door/ports.ts";
import { escapeHtml, formatDateTime } from "../../core/text/format.ts";
import { recordAudit, who } from "../audit.ts";
import type { SeromaContext } from "../context.ts";
import { requireAdmin, requireStaff } from "../filters/auth.ts";
import { deliverInvite } from "../invite-delivery.ts";
import { callbackPrefixOf, pressed } from "../ui/callback-data.ts";
import { staffConfirmKeyboard, staffKeyboard, undoLinkKeyboard, unlinkConfirmKeyboard } from "../ui/keyboards.ts";
import { roomsText, setCardRooms } from "./staff-rooms.ts";

function memberLine(ctx: SeromaContext, m: StaffMember): string {
  const status = m.active ? "" : ` · ⛔ ${ctx.t("staff-revoked")}`;
  const linked = m.telegramUserId !== undefined ? " · 💬" : "";
  const rooms = m.rooms !== undefined ? ` · 🚪 ${roomsText(ctx, m.rooms)}` : "";
  return `${m.active ? "🟢" : "⚪"} <b>${escapeHtml(m.name)}</b> · ${ctx.t(`staff-role-${m.role}`)} · <code>${formatCardUid(m.cardUid)}</code>${rooms}${linked}${status}`;
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
  await ctx.reply(text, {
    parse_mode: "HTML",
    ...(ctx.role === "admin" ? { reply_markup: staffKeyboard(ctx.t, members) } : {}),
  });
}

export const staffFeature = new Composer<SeromaContext>();

// Card UIDs are not for every group member (viewers): a UID is what a cloned card copies.
staffFeature.command("staff", requireStaff, (ctx) => {
  const [sub, ...rest] = ctx.match.trim().split(/\s+/);
  if (sub?.toLowerCase() === "rooms") return requireAdmin(ctx, () => setCardRooms(ctx, rest.join(" ")));
  return showList(ctx);
});

// Every /staff button (parsed or not) is for admins: anyone else is refused before anything.
const admin = staffFeature.filter((ctx) => callbackPrefixOf(ctx.callbackQuery?.data) === "stf");
admin.use(requireAdmin);

admin.filter(pressed("staff-ask"), async (ctx) => {
  const { change: action, uid } = ctx.button;
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
  await ctx.reply(ctx.t(`staff-confirm-${action}`, { name: escapeHtml(member.name), uid: formatCardUid(uid) }), {
    parse_mode: "HTML",
    reply_markup: staffConfirmKeyboard(ctx.t, action, uid),
  });
});

/** The refusal to show if this admin may not revoke `member`'s card (their own, or the last admin card). */
async function refuseRevoke(ctx: SeromaContext & { from: User }, member: StaffMember): Promise<string | undefined> {
  const reason = revokeRefusal(member, ctx.from.id, await ctx.services.storage.staff.list());
  if (!reason) return undefined;
  ctx.log.info({ uid: member.cardUid, by: ctx.from.id, reason }, "card revoke refused");
  return ctx.t(`staff-refuse-${reason}`, { name: escapeHtml(member.name), uid: formatCardUid(member.cardUid) });
}

admin.filter(pressed("staff-keep"), async (ctx) => {
  await ctx.answerCallbackQuery();
  await ctx.editMessageText(ctx.t("staff-unchanged"));
});

admin.filter(pressed("staff-do"), async (ctx) => {
  const { change: action, uid } = ctx.button;
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

admin.filter(pressed("staff-invite"), async (ctx) => {
  const { uid } = ctx.button;
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
admin.filter(pressed("staff-ask-unlink"), async (ctx) => {
  const { uid, telegramId } = ctx.button;
  const tg = String(telegramId);
  const member = await ctx.services.storage.staff.getByUid(uid);
  if (!member || String(member.telegramUserId) !== tg) {
    await ctx.answerCallbackQuery({ text: ctx.t("staff-unlink-stale") });
    return;
  }
  await ctx.answerCallbackQuery();
  await ctx.reply(ctx.t("staff-confirm-unlink", { name: escapeHtml(member.name), uid: formatCardUid(uid), id: tg }), {
    parse_mode: "HTML",
    reply_markup: unlinkConfirmKeyboard(ctx.t, uid, telegramId),
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

admin.filter(pressed("staff-do-unlink"), (ctx) => unlink(ctx, ctx.button.uid, ctx.button.telegramId, "unlink"));

admin.filter(pressed("staff-undo"), (ctx) => unlink(ctx, ctx.button.uid, ctx.button.telegramId, "undo"));

type Translate = (key: string, vars?: Record<string, string | number>) => string;

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
        reply_markup: undoLinkKeyboard(t, member.cardUid, ctx.from.id),
      });
    } catch (err) {
      ctx.log.warn({ adminId, err: (err as Error).message }, "could not tell an admin about a used invite");
    }
  }
}
