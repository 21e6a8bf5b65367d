/**
 * Alert cards as the bot's features edit them: the calm keyboard of an open incident, and
 * the card of a settled one (acknowledged or resolved: no buttons, a line saying who or
 * when). The group channel (channels/telegram) posts the cards and settles them on
 * recovery; the bot settles them when someone acknowledges, wherever they did it.
 */
import type { InlineKeyboard } from "grammy";
import { formatDuration, htmlToPlain, type RenderContext, renderSettledCard, ruleName } from "../core/alerts/render.ts";
import { type Incident, isSettled } from "../core/alerts/types.ts";
import { formatDateTime } from "../core/text/format.ts";
import { recordAudit, who } from "./audit.ts";
import type { SeromaContext } from "./context.ts";
import { alertKeyboard } from "./ui/keyboards.ts";
import { type EditOutcome, editCard } from "./ui/message-edits.ts";

/** "HH:MM" in the room's time zone. */
export function hhmm(ctx: SeromaContext, at: number): string {
  return formatDateTime(at, ctx.services.config.officeHours.timeZone).slice(11, 16);
}

export function alertRenderCtx(ctx: SeromaContext): RenderContext {
  return {
    t: (k, v) => ctx.t(k, v),
    timeZone: ctx.services.config.officeHours.timeZone,
    now: ctx.services.clock.now().getTime(),
  };
}

/** An open incident's buttons in the reader's language: the calm row, or all of them. */
export function cardKeyboard(ctx: SeromaContext, i: Incident, expanded = false): InlineKeyboard {
  return alertKeyboard(ctx.t, i.id, {
    clipSeconds: ctx.services.config.camera.clipSeconds,
    recorded: i.rule === "room.motion",
    expanded,
  });
}

/** Edits the message whose button was pressed (a card: its caption if it is a photo). */
export async function editPressed(ctx: SeromaContext, html: string, keyboard?: InlineKeyboard): Promise<EditOutcome> {
  const message = ctx.callbackQuery?.message;
  if (!message) return "gone";
  return editCard(ctx.api, message.chat.id, message.message_id, html, {
    ...(keyboard ? { keyboard } : {}),
    photo: "photo" in message && message.photo !== undefined,
  });
}

/**
 * Settles the incident's card in the staff group (the message the group channel recorded),
 * unless that is the message just pressed (edited by the caller). Best effort: the card of an
 * incident settled meanwhile settles itself at the next press of one of its buttons.
 */
export async function settleCard(ctx: SeromaContext, i: Incident): Promise<void> {
  const chat = ctx.services.config.telegram.staffChatId;
  if (chat === undefined) return;
  try {
    // The engine's copy may not know the card: the channel records it in storage.
    const card = i.telegramMessageId ?? (await ctx.services.storage.incidents.get(i.id))?.telegramMessageId;
    if (card === undefined) return;
    const pressed = ctx.callbackQuery?.message;
    if (pressed && pressed.chat.id === chat && pressed.message_id === card) return;
    const html = renderSettledCard(alertRenderCtx(ctx), i);
    await editCard(ctx.api, chat, card, html, { photo: i.details.mediaId !== undefined });
  } catch (err) {
    ctx.log.warn({ err: (err as Error).message, incident: i.id }, "could not settle the alert card");
  }
}

/** Why a button of this incident has nothing left to do (a short toast: plain text), if it has not. */
export function staleReason(ctx: SeromaContext, i: Incident | undefined): string | undefined {
  if (!i) return ctx.t("alert-ack-unknown");
  if (i.ackedBy) return ctx.t("alert-ack-already", { name: i.ackedBy.name });
  return isSettled(i) ? ctx.t("alert-ack-resolved") : undefined;
}

/** Mutes the incident's rule for `ms` (audited), and says so in a toast. */
export async function muteRule(
  ctx: SeromaContext,
  incident: Incident,
  ms: number,
  span: string,
): Promise<{ until: number; by: { id: number; name: string } }> {
  const until = ctx.services.clock.now().getTime() + ms;
  const by = who(ctx);
  await ctx.services.storage.mutes.set({ roomId: incident.roomId, rule: incident.rule, until, by });
  await recordAudit(ctx, "mute", incident.id, `${incident.rule} for ${span}`);
  await ctx.answerCallbackQuery({
    text: ctx.t("alert-mute-done", {
      what: htmlToPlain(ruleName((k, v) => ctx.t(k, v), incident.rule)),
      duration: formatDuration((k, v) => ctx.t(k, v), ms),
    }),
  });
  return { until, by };
}
