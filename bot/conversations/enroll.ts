/**
 * /enroll: an admin enrolls a new staff card by chat, as a @grammyjs/conversations flow.
 *
 *   /enroll -> "tap the new card now" (Cancel button, timeout) -> the card's UID
 *     -> already enrolled? say whose and stop
 *     -> name (validated: 1-40 characters, no control characters; escaped in output)
 *     -> role (buttons) -> optional one-time invite link for the person's Telegram
 *     -> confirm -> saved, audited, the LCD confirms; the invite link goes to the admin's
 *        private chat only (from a group, the group hears that it was sent privately).
 *
 * Waiting for the card does not block anything: the door job judges and logs the next tap
 * as always (an unknown card is alerted, saying it was read for this admin's enrollment)
 * and hands a copy of its UID to the enrollment; the result comes back into this chat as a
 * pseudo update (an update carrying `seroma_card`), which resumes the conversation like
 * any message would. Meanwhile every other chat, and every other person in this chat,
 * is served as usual: the conversation only takes updates from the admin who started it.
 * Conversation state is in memory: a restart ends open enrollments (nothing is saved
 * before the final confirmation).
 */
import { randomBytes } from "node:crypto";
import { type Conversation, createConversation } from "@grammyjs/conversations";
import type { Context } from "grammy";
import type { Chat, Update, User } from "grammy/types";
import { formatCardUid } from "../../core/door/card-uid.ts";
import type { StaffMember, StaffRole } from "../../core/door/ports.ts";
import { STAFF_NAME_MAX, validateStaffName } from "../../core/door/staff-name.ts";
import { escapeHtml } from "../../core/text/format.ts";
import type { SeromaContext, SeromaOuterContext } from "../context.ts";
import { requireAdmin } from "../filters/auth.ts";
import { deliverInvite } from "../invite-delivery.ts";
import { callbackPrefixOf, pressedAction } from "../ui/callback-data.ts";
import {
  enrollCancelKeyboard,
  enrollConfirmKeyboard,
  enrollInviteKeyboard,
  enrollRoleKeyboard,
  enrollRoomKeyboard,
} from "../ui/keyboards.ts";
import { type StepPrompts, stepPrompts } from "./step-prompts.ts";

type EnrollConversation = Conversation<SeromaOuterContext, SeromaContext>;

/** The update field of a pseudo update that carries a card read for an enrollment. */
export const CARD_UPDATE_FIELD = "seroma_card";
export interface CardUpdatePayload {
  session: string;
  /** null: nothing was tapped before the timeout. */
  uid: string | null;
}

/** The card payload of a pseudo update, if this is one. */
export function cardPayload(ctx: Context): CardUpdatePayload | undefined {
  return (ctx.update as unknown as Record<string, CardUpdatePayload | undefined>)[CARD_UPDATE_FIELD];
}

/** How long each later step (name, role, link, confirm) waits for the admin. */
export const ENROLL_STEP_MS = 10 * 60_000;
const MAX_NAME_TRIES = 5;

export interface EnrollDeps {
  /** Feeds a pseudo update into the bot (bot.handleUpdate). */
  inject(update: Update): Promise<void>;
}

function isCancel(ctx: Context): boolean {
  return pressedAction(ctx)?.type === "enroll-cancel" || /^\/cancel(@\w+)?$/.test(ctx.message?.text?.trim() ?? "");
}

/** A nudge for anything the current step cannot use (pseudo updates of other enrollments stay quiet). */
async function hint(ctx: SeromaContext, key: string): Promise<void> {
  if (cardPayload(ctx)) return;
  if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: ctx.t(key) });
  else if (ctx.message) await ctx.reply(ctx.t(key), { parse_mode: "HTML" });
}

export function createEnrollConversation(deps: EnrollDeps) {
  /** Card captures in progress, by enrollment session. */
  const captures = new Map<string, { cancel(): void }>();
  let pseudoUpdateId = 0;

  /** Claims the card reader here, or (`room`, on a hub) at another room of the site. */
  function startCapture(ctx: SeromaContext, session: string, chat: Chat, from: User, room: string | null): void {
    const by = [from.first_name, from.last_name].filter(Boolean).join(" ");
    const timeoutMs = ctx.services.config.door.enrollTimeoutMs;
    const rooms = ctx.services.rooms;
    const capture =
      room && rooms
        ? rooms.captureNextTap(room, timeoutMs, { id: from.id, name: by })
        : ctx.services.door.captureNextTap(timeoutMs, by);
    captures.set(session, capture);
    void capture.card.then((uid) => {
      // Cancelled from the chat: the conversation is over, nothing to tell it.
      if (!captures.delete(session)) return;
      const update = {
        update_id: --pseudoUpdateId,
        message: { message_id: 0, date: Math.floor(Date.now() / 1000), chat, from },
        [CARD_UPDATE_FIELD]: { session, uid: uid ?? null } satisfies CardUpdatePayload,
      } as unknown as Update;
      return deps.inject(update).catch((err) => ctx.log.error({ err }, "could not resume an enrollment"));
    });
  }

  function stopCapture(session: string): void {
    const capture = captures.get(session);
    captures.delete(session);
    capture?.cancel();
  }

  async function enroll(conversation: EnrollConversation, ctx: SeromaContext): Promise<void> {
    const steps = stepPrompts(ctx);
    try {
      await enrollSteps(conversation, ctx, steps);
    } finally {
      await steps.close();
    }
  }

  async function enrollSteps(conversation: EnrollConversation, ctx: SeromaContext, steps: StepPrompts): Promise<void> {
    const admin = ctx.from;
    const chat = ctx.chat;
    if (!admin || !chat) return;
    const t = ctx.t.bind(ctx);
    const cancelKb = enrollCancelKeyboard(t);
    /** The admin's next update in this chat that `accept`s; others in the chat pass by. */
    const next = (accept: (c: SeromaContext) => boolean, hintKey: string, maxMilliseconds = ENROLL_STEP_MS) =>
      conversation
        .waitFrom(admin.id, { next: true, maxMilliseconds })
        .and((c) => isCancel(c) || accept(c), { otherwise: (c) => hint(c, hintKey) });
    const cancelled = async (c: SeromaContext, session?: string): Promise<void> => {
      if (session) await conversation.external(() => stopCapture(session));
      await steps.close();
      if (c.callbackQuery) await c.answerCallbackQuery();
      await c.reply(t("enroll-cancelled"));
    };

    // 0. On a hub with rooms: whose card reader (`/enroll ROOM` names it; otherwise a button per room).
    const site = await conversation.external((outer) => {
      const rooms = outer.services.rooms;
      const remote = rooms?.list().map((p) => p.room) ?? [];
      return rooms && remote.length > 0 ? { own: rooms.ownRoom, names: [rooms.ownRoom, ...remote] } : null;
    });
    /** Another room of the site; null: this console's own reader. */
    let room: string | null = null;
    if (site) {
      const named = /^\/enroll(?:@\w+)?\s+(\S+)/.exec(ctx.message?.text ?? "")?.[1]?.toLowerCase();
      let chosen = named && site.names.includes(named) ? named : undefined;
      if (!chosen) {
        await steps.reply(t("rooms-enroll-pick"), {
          parse_mode: "HTML",
          reply_markup: enrollRoomKeyboard(t, site.names),
        });
        const roomPick = await next((c) => {
          const a = pressedAction(c);
          return a?.type === "enroll-room" && site.names.includes(a.room);
        }, "enroll-hint-button");
        if (isCancel(roomPick)) return cancelled(roomPick);
        const a = pressedAction(roomPick);
        chosen = a?.type === "enroll-room" ? a.room : site.own;
        await roomPick.answerCallbackQuery();
      }
      room = chosen === site.own ? null : chosen;
    }

    // 1. The card.
    const session = await conversation.external(() => randomBytes(8).toString("hex"));
    const timeoutMs = await conversation.external((outer) => outer.services.config.door.enrollTimeoutMs);
    // Claim the reader first: a card tapped as soon as the prompt shows is this one.
    await conversation.external((outer) => startCapture(outer, session, chat, admin, room));
    const readerDead = await conversation.external((outer) =>
      outer.services.alerts
        .openIncidents()
        .some((i) => i.rule === "reader.dead" && i.roomId === (room ?? outer.services.config.roomId)),
    );
    const seconds = String(Math.round(timeoutMs / 1000));
    const where = room ? `${t("rooms-room", { room: escapeHtml(room) })}\n` : "";
    await steps.reply(`${where}${t("enroll-tap", { seconds })}${readerDead ? `\n\n${t("enroll-reader-dead")}` : ""}`, {
      parse_mode: "HTML",
      reply_markup: cancelKb,
    });
    const tapped = await next((c) => cardPayload(c)?.session === session, "enroll-hint-tap", timeoutMs + 60_000);
    if (isCancel(tapped)) return cancelled(tapped, session);
    const uid = cardPayload(tapped)?.uid;
    if (!uid) {
      await steps.reply(t("enroll-timeout", { seconds: String(Math.round(timeoutMs / 1000)) }));
      return;
    }
    const existing = await conversation.external(
      async (outer) => (await outer.services.storage.staff.getByUid(uid)) ?? null,
    );
    if (existing) {
      await steps.reply(
        t(existing.active ? "enroll-duplicate" : "enroll-duplicate-revoked", {
          uid: formatCardUid(uid),
          name: escapeHtml(existing.name),
          role: t(`staff-role-${existing.role}`),
        }),
        { parse_mode: "HTML" },
      );
      return;
    }

    // 2. The name.
    await steps.reply(t("enroll-ask-name", { uid: formatCardUid(uid), max: String(STAFF_NAME_MAX) }), {
      parse_mode: "HTML",
      reply_markup: cancelKb,
    });
    let name: string | undefined;
    for (let tries = 1; name === undefined; tries++) {
      const answer = await next((c) => typeof c.message?.text === "string", "enroll-hint-name");
      if (isCancel(answer)) return cancelled(answer);
      const checked = validateStaffName(answer.message?.text ?? "");
      if (checked.ok) {
        name = checked.name;
      } else if (tries >= MAX_NAME_TRIES) {
        await steps.reply(t("enroll-too-many-tries"));
        return;
      } else {
        await steps.reply(t(`enroll-name-${checked.reason}`, { max: String(STAFF_NAME_MAX) }), {
          parse_mode: "HTML",
          reply_markup: cancelKb,
        });
      }
    }

    // 3. The role.
    await steps.reply(t("enroll-ask-role", { name: escapeHtml(name) }), {
      parse_mode: "HTML",
      reply_markup: enrollRoleKeyboard(t),
    });
    const rolePick = await next((c) => pressedAction(c)?.type === "enroll-role", "enroll-hint-button");
    if (isCancel(rolePick)) return cancelled(rolePick);
    const picked = pressedAction(rolePick);
    const role: StaffRole = picked?.type === "enroll-role" ? picked.role : "staff";
    await rolePick.answerCallbackQuery();

    // 4. Optional link to a Telegram account.
    const ttlMs = await conversation.external((outer) => outer.services.config.door.inviteTtlMs);
    await steps.reply(t("enroll-ask-link", { name: escapeHtml(name), minutes: String(Math.round(ttlMs / 60_000)) }), {
      parse_mode: "HTML",
      reply_markup: enrollInviteKeyboard(t),
    });
    const linkPick = await next((c) => pressedAction(c)?.type === "enroll-invite", "enroll-hint-button");
    if (isCancel(linkPick)) return cancelled(linkPick);
    const linkAnswer = pressedAction(linkPick);
    const wantsInvite = linkAnswer?.type === "enroll-invite" && linkAnswer.invite;
    await linkPick.answerCallbackQuery();

    // 5. Confirm.
    await steps.reply(
      t("enroll-confirm", {
        uid: formatCardUid(uid),
        name: escapeHtml(name),
        role: t(`staff-role-${role}`),
        invite: t(wantsInvite ? "enroll-invite-yes" : "enroll-invite-no"),
      }),
      { parse_mode: "HTML", reply_markup: enrollConfirmKeyboard(t) },
    );
    const confirm = await next((c) => pressedAction(c)?.type === "enroll-save", "enroll-hint-button");
    if (isCancel(confirm)) return cancelled(confirm);
    await confirm.answerCallbackQuery();

    // 6. Save.
    const saved = await conversation.external(async (outer) => {
      const { storage, clock, config, door, invites } = outer.services;
      const at = clock.now().getTime();
      const member: StaffMember = { cardUid: uid, name, role, active: true, createdBy: admin.id, createdAt: at };
      const added = await storage.staff.add(member);
      if (!added.ok) return { ok: false as const, holder: added.existing.name, holderRole: added.existing.role };
      await storage.audit.record({
        at,
        roomId: config.roomId,
        userId: admin.id,
        userName: admin.first_name,
        action: "enroll",
        detail: `${uid} ${name} (${role})`,
      });
      // The LCD greets the new card where it was tapped: here (another room's says nothing).
      if (!room) door.enrolled(member);
      outer.log.info({ uid, role, by: admin.id, ...(room ? { room } : {}) }, "card enrolled");
      const invite = wantsInvite ? invites.create(uid, admin.id, config.door.inviteTtlMs) : undefined;
      return { ok: true as const, invite: invite ? { token: invite.token, expiresAt: invite.expiresAt } : null };
    });
    if (!saved.ok) {
      await steps.reply(
        t("enroll-duplicate", {
          uid: formatCardUid(uid),
          name: escapeHtml(saved.holder),
          role: t(`staff-role-${saved.holderRole}`),
        }),
        { parse_mode: "HTML" },
      );
      return;
    }
    await steps.reply(
      t("enroll-saved", { uid: formatCardUid(uid), name: escapeHtml(name), role: t(`staff-role-${role}`) }),
      {
        parse_mode: "HTML",
      },
    );
    await steps.close();
    const invite = saved.invite;
    if (invite) {
      // Only ever to the admin's private chat: in a group anyone could redeem it.
      await conversation.external((outer) =>
        deliverInvite(
          {
            api: outer.api,
            t,
            log: outer.log,
            botUsername: outer.me.username,
            timeZone: outer.services.config.officeHours.timeZone,
            cancel: (token) => outer.services.invites.cancel(token),
          },
          chat,
          { id: admin.id, name: [admin.first_name, admin.last_name].filter(Boolean).join(" ") },
          name,
          invite,
        ),
      );
    }
  }

  const feature = createConversation<SeromaOuterContext, SeromaContext>(enroll, { id: "enroll" });
  return {
    /** The conversation itself: install after `conversations()`, before the /enroll command. */
    conversation: feature,
    /** Number of card captures waiting (for tests and shutdown). */
    pendingCaptures: () => captures.size,
    command: async (ctx: SeromaOuterContext) => {
      await requireAdmin(ctx, async () => {
        // Another admin's enrollment in this (group) chat: one at a time per chat.
        if (Object.keys(ctx.conversation.active()).includes("enroll")) {
          await ctx.reply(ctx.t("enroll-busy"));
          return;
        }
        await ctx.conversation.enter("enroll");
      });
    },
    /** Enrollment buttons the conversation did not take: someone else's, or an old one. */
    strayButton: async (ctx: SeromaOuterContext, next: () => Promise<void>) => {
      if (callbackPrefixOf(ctx.callbackQuery?.data) !== "enr") return next();
      const running = Object.keys(ctx.conversation.active()).includes("enroll");
      await ctx.answerCallbackQuery({
        text: ctx.t(running ? "enroll-not-yours" : "error-button-expired"),
      });
    },
  };
}
