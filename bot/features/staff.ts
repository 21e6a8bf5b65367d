/**
 * /staff (staff and admins): everyone with a card. Admins also get buttons to revoke or restore a card
 * (each asks for confirmation first) and to make a new one-time invite link for a
 * person whose Telegram account is not linked yet. Every change is audited.
 *
 * The invite link itself is redeemed here too: `/start link_<token>` in a private chat,
 * handled before the auth filter (the person is not known yet: that is the point).
 */
import { Composer, InlineKeyboard } from "grammy";
import { INVITE_PAYLOAD, INVITE_PREFIX } from "../../core/invites.ts";
import { type StaffMember, TelegramAlreadyLinkedError } from "../../storage/access-ports.ts";
import type { SeromaContext } from "../context.ts";
import { requireAdmin, requireStaff } from "../filters/auth.ts";
import { escapeHtml, formatDateTime } from "../html.ts";

/** Buttons for at most this many people (the list itself is complete). */
const MAX_BUTTONS = 40;

function memberLine(ctx: SeromaContext, m: StaffMember): string {
  const status = m.active ? "" : ` · ⛔ ${ctx.t("staff-revoked")}`;
  const linked = m.telegramUserId !== undefined ? " · 💬" : "";
  return `${m.active ? "🟢" : "⚪"} <b>${escapeHtml(m.name)}</b> · ${ctx.t(`staff-role-${m.role}`)} · <code>${m.cardUid}</code>${linked}${status}`;
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
  const keyboard = new InlineKeyboard();
  if (ctx.role === "admin") {
    for (const m of members.slice(0, MAX_BUTTONS)) {
      keyboard.text(
        `${m.active ? "⛔" : "♻️"} ${m.name.slice(0, 24)}`,
        `stf:ask:${m.active ? "revoke" : "restore"}:${m.cardUid}`,
      );
      if (m.active && m.telegramUserId === undefined)
        keyboard.text(`🔗 ${m.name.slice(0, 24)}`, `stf:inv:${m.cardUid}`);
      keyboard.row();
    }
  }
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
    await ctx.reply(ctx.t("staff-not-found", { uid }), { parse_mode: "HTML" });
    return;
  }
  const keyboard = new InlineKeyboard()
    .text(ctx.t(`staff-button-${action}`), `stf:do:${action}:${uid}`)
    .text(ctx.t("staff-button-keep"), "stf:no");
  await ctx.reply(ctx.t(`staff-confirm-${action}`, { name: escapeHtml(member.name), uid }), {
    parse_mode: "HTML",
    reply_markup: keyboard,
  });
});

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
  const member = await storage.staff.setActive(uid, action === "restore", by, at);
  await ctx.answerCallbackQuery();
  if (!member || !before) {
    await ctx.editMessageText(ctx.t("staff-not-found", { uid }), { parse_mode: "HTML" });
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
      uid,
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
    await ctx.reply(ctx.t("staff-not-found", { uid }), { parse_mode: "HTML" });
    return;
  }
  const invite = invites.create(uid, ctx.from.id, config.door.inviteTtlMs);
  await ctx.reply(
    ctx.t("enroll-invite", {
      name: escapeHtml(member.name),
      link: `https://t.me/${ctx.me.username}?start=${INVITE_PREFIX}${invite.token}`,
      until: escapeHtml(formatDateTime(invite.expiresAt, config.officeHours.timeZone).slice(0, 16)),
    }),
    { parse_mode: "HTML", link_preview_options: { is_disabled: true } },
  );
});

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
  let member: StaffMember | undefined;
  try {
    member = await storage.staff.linkTelegram(cardUid, ctx.from.id);
  } catch (err) {
    if (!(err instanceof TelegramAlreadyLinkedError)) throw err;
    await ctx.reply(ctx.t("invite-already-linked"));
    return;
  }
  if (!member?.active) {
    await ctx.reply(ctx.t("invite-unknown"));
    return;
  }
  await storage.audit.record({
    at: clock.now().getTime(),
    roomId: config.roomId,
    userId: ctx.from.id,
    userName: ctx.from.first_name,
    action: "link",
    detail: `${cardUid} ${member.name}`,
  });
  await ctx.reply(
    ctx.t("invite-linked", {
      name: escapeHtml(member.name),
      role: ctx.t(`staff-role-${member.role}`),
      room: escapeHtml(config.roomId),
    }),
    { parse_mode: "HTML" },
  );
  // Tell the admin who made the invite; best effort (they may have blocked the bot).
  await ctx.api
    .sendMessage(createdBy, ctx.t("invite-used", { name: escapeHtml(member.name) }), { parse_mode: "HTML" })
    .catch((err) => ctx.log.warn({ err: (err as Error).message }, "could not tell the admin about a used invite"));
});
