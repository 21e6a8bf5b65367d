/**
 * Auth filter, the first middleware after context setup. Decides the sender's role:
 *   - ADMIN_IDS -> admin; STAFF_IDS -> staff;
 *   - a Telegram account linked to an active card (invite link from /enroll or /staff)
 *     -> that card's role (admin or staff); revoking the card takes the role away;
 *   - anyone else writing inside the staff group (STAFF_CHAT_ID), or a hub's room group
 *     (ROOM_CHAT_IDS) -> viewer, in that group only: may read, may not act (acknowledge, mute).
 * Everyone else is refused: the first message with a polite explanation naming their user
 * id (so an admin can add it), later ones with a short reminder, at most one answer a
 * minute per user (a flood is not answered message by message); button presses are
 * always answered with a short refusal. Refusals are logged without any message text.
 */
import { Composer } from "grammy";
import { type Role, roleOfPerson } from "../../core/door/roles.ts";
import { escapeHtml } from "../../core/text/format.ts";
import type { SeromaContext } from "../context.ts";

/** A stranger's messages are each answered, but not more than once a minute (a flood gets one a minute). */
const REFUSAL_INTERVAL_MS = 60_000;
const MAX_REMEMBERED = 10_000;

export function roleOf(
  userId: number,
  chatId: number | undefined,
  ids: {
    adminIds: readonly number[];
    staffIds: readonly number[];
    staffChatId: number | undefined;
    roomChatIds?: Readonly<Record<string, number>>;
  },
): Role | undefined {
  if (ids.adminIds.includes(userId)) return "admin";
  if (ids.staffIds.includes(userId)) return "staff";
  if (chatId === undefined) return undefined;
  if (ids.staffChatId !== undefined && chatId === ids.staffChatId) return "viewer";
  if (Object.values(ids.roomChatIds ?? {}).includes(chatId)) return "viewer";
  return undefined;
}

/** The sender's role in this chat: the lists first, then a card linked to their account. */
export async function resolveRole(ctx: SeromaContext, userId: number): Promise<Role | undefined> {
  const { telegram } = ctx.services.config;
  const person = await roleOfPerson(userId, telegram, ctx.services.storage.staff);
  if (person) return person;
  // Nobody on a list nor with a card: a viewer inside the staff group only.
  return roleOf(userId, ctx.chat?.id, telegram);
}

export function authFilter(): Composer<SeromaContext> {
  const lastRefused = new Map<number, number>();
  const composer = new Composer<SeromaContext>();

  composer.use(async (ctx, next) => {
    const from = ctx.from;
    if (!from || from.is_bot) {
      // Channel posts, other bots, service updates: nothing to answer.
      ctx.log.debug({ updateType: Object.keys(ctx.update)[1] }, "ignored update without a human sender");
      return;
    }
    const role = await resolveRole(ctx, from.id);
    if (role) {
      ctx.role = role;
      return next();
    }

    ctx.log.warn(
      { userId: from.id, chatId: ctx.chat?.id, chatType: ctx.chat?.type, updateType: Object.keys(ctx.update)[1] },
      "refused update from unknown user",
    );
    if (ctx.callbackQuery) {
      await ctx.answerCallbackQuery({ text: ctx.t("auth-refused-button"), show_alert: true });
      return;
    }
    const now = ctx.services.clock.now().getTime();
    const last = lastRefused.get(from.id);
    if (last !== undefined && now - last < REFUSAL_INTERVAL_MS) {
      ctx.log.debug({ userId: from.id }, "refusal not repeated within a minute");
      return;
    }
    if (!ctx.chat) return;
    lastRefused.delete(from.id);
    lastRefused.set(from.id, now);
    if (lastRefused.size > MAX_REMEMBERED) {
      const oldest = lastRefused.keys().next().value;
      if (oldest !== undefined) lastRefused.delete(oldest);
    }
    const args = { id: String(from.id), room: escapeHtml(ctx.services.config.roomId) };
    await ctx.reply(ctx.t(last === undefined ? "auth-refused" : "auth-refused-again", args), {
      parse_mode: "HTML",
    });
  });

  return composer;
}

/** Guard for handlers that act (acknowledge, mute): staff and admins only. */
export async function requireStaff(ctx: SeromaContext, next: () => Promise<void>): Promise<void> {
  if (ctx.role === "admin" || ctx.role === "staff") return next();
  ctx.log.warn({ userId: ctx.from?.id, role: ctx.role }, "refused an action to a viewer");
  const text = ctx.t("auth-staff-only", { id: String(ctx.from?.id ?? "?") });
  if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: ctx.t("auth-refused-button"), show_alert: true });
  else await ctx.reply(text, { parse_mode: "HTML" });
}

/** Guard for admin-only handlers: answers non-admins and stops. */
export async function requireAdmin(ctx: SeromaContext, next: () => Promise<void>): Promise<void> {
  if (ctx.role === "admin") return next();
  if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: ctx.t("auth-admin-only"), show_alert: true });
  else await ctx.reply(ctx.t("auth-admin-only"));
}
