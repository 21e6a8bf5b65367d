/**
 * /alerts: the open incidents, the mutes in force and what could not be delivered, with a
 * row of buttons per listed incident (Acknowledge, Mute 1 h). A press changes that
 * incident's line only (marked acknowledged or muted, its buttons dropped); the rest of the
 * list and its buttons stay as they were. Anyone who may read the console may list; only
 * staff may press.
 */
import { Composer, GrammyError } from "grammy";
import type { InlineKeyboardMarkup } from "grammy/types";
import { channelName, describeCondition, htmlToPlain, renderNotice, ruleName } from "../../core/alerts/render.ts";
import { type Incident, isSettled, type Notice } from "../../core/alerts/types.ts";
import { escapeHtml } from "../../core/text/format.ts";
import { alertRenderCtx, hhmm, muteRule, settleCard, staleReason } from "../alert-cards.ts";
import { recordAudit, who } from "../audit.ts";
import type { SeromaContext } from "../context.ts";
import { requireStaff } from "../filters/auth.ts";
import { replyWithFullText } from "../outgoing.ts";
import { type CallbackActionType, parseCallbackData, pressed } from "../ui/callback-data.ts";
import { alertListKeyboard } from "../ui/keyboards.ts";
import { appendToLine, withoutButtons } from "../ui/message-edits.ts";

/** /alerts lists (and has buttons for) at most this many incidents; all of them follow as a .txt. */
export const ALERTS_SHOWN = 20;
/** /alerts reports alerts that could not be delivered in this window. */
const UNDELIVERED_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;
const SEVERITY_RANK: Record<Incident["severity"], number> = { critical: 0, warning: 1 };

/** A dead letter's notice in one short plain line. */
function describeDead(ctx: SeromaContext, n: Notice): string {
  return htmlToPlain(renderNotice(alertRenderCtx(ctx), n))
    .split("\n")
    .filter(Boolean)
    .slice(0, 2)
    .join(" — ")
    .slice(0, 200);
}

/** What a listed incident's line ends with once acknowledged (as /alerts writes it) or resolved. */
function settledMark(ctx: SeromaContext, i: Incident | undefined): string | undefined {
  if (i?.ackedBy) return ` ✔️ ${i.ackedBy.name}`;
  return i && isSettled(i) ? ` ${ctx.t("alerts-line-resolved")}` : undefined;
}

/** Callback data of the given list buttons of one incident. */
function listButtonsOf(id: string, types: readonly CallbackActionType[]) {
  return (data: string) => {
    const a = parseCallbackData(data);
    return a !== undefined && types.includes(a.type) && "incidentId" in a && a.incidentId === id;
  };
}

/**
 * Changes one incident's line of the pressed list: `mark` added at its end (when given and
 * the line is shown), the buttons `drop` picks removed; every other line and button kept.
 */
async function updateLine(
  ctx: SeromaContext,
  id: string,
  mark: string | undefined,
  drop: (data: string) => boolean,
): Promise<void> {
  const message = ctx.callbackQuery?.message;
  if (!message) return;
  const rows = withoutButtons(message.reply_markup, drop);
  const markup: { reply_markup?: InlineKeyboardMarkup } = rows.inline_keyboard.length > 0 ? { reply_markup: rows } : {};
  const text = "text" in message ? message.text : undefined;
  const changed = mark && text !== undefined ? appendToLine(text, message.entities ?? [], id, mark) : undefined;
  const chat = message.chat.id;
  try {
    if (changed && changed.text !== text) {
      await ctx.api.editMessageText(chat, message.message_id, changed.text, { entities: changed.entities, ...markup });
    } else {
      await ctx.api.editMessageReplyMarkup(chat, message.message_id, markup);
    }
  } catch (err) {
    // Pressed twice quickly: nothing left to change.
    if (err instanceof GrammyError && err.description.includes("message is not modified")) return;
    throw err;
  }
}

export const alertListFeature = new Composer<SeromaContext>();

alertListFeature.command("alerts", async (ctx) => {
  const { config, clock, storage } = ctx.services;
  const room = escapeHtml(config.roomId);
  // The most severe first; at most ALERTS_SHOWN listed (with their buttons), the rest as a .txt.
  const open = [...ctx.services.alerts.openIncidents()].sort(
    (a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity],
  );
  const mutes = await storage.mutes.active(config.roomId, clock.now().getTime());
  const t = (k: string, v?: Record<string, string | number>) => ctx.t(k, v);
  const head: string[] = [];
  const items: string[] = [];
  const tail: string[] = [];
  const withButtons: string[] = [];
  if (open.length === 0) head.push(ctx.t("alerts-none", { room }));
  else {
    head.push(ctx.t("alerts-title", { count: open.length, room }), "");
    for (const [n, i] of open.entries()) {
      const ack = i.ackedBy ? ` ✔️ ${escapeHtml(i.ackedBy.name)}` : "";
      items.push(
        `${ctx.t(`alert-icon-${i.severity}`)} <code>${escapeHtml(i.id)}</code> ${describeCondition(t, i.rule, i.details)} ${ctx.t("alert-since", { time: hhmm(ctx, i.openedAt), tz: escapeHtml(config.officeHours.timeZone) })}${ack}`,
      );
      if (!i.ackedBy && n < ALERTS_SHOWN) withButtons.push(i.id);
    }
  }
  if (mutes.length > 0) {
    const list = mutes.map((m) => ctx.t("alerts-mute-item", { what: ruleName(t, m.rule), time: hhmm(ctx, m.until) }));
    tail.push("", ctx.t("alerts-mutes", { list: list.join(", ") }));
  }
  // Alerts a channel refused for good (the group kicked the bot, SNS refused...): said here too.
  const since = clock.now().getTime() - UNDELIVERED_WINDOW_MS;
  const dead = await storage.outbox.dead(since, 50).catch((err) => {
    ctx.log.warn({ err: (err as Error).message }, "could not read the dead letters for /alerts");
    return [];
  });
  const [latest] = dead;
  if (latest) {
    tail.push(
      "",
      ctx.t("alerts-undelivered", {
        count: String(dead.length),
        channel: channelName(t, latest.channel),
        time: hhmm(ctx, latest.deadAt ?? latest.createdAt),
        what: escapeHtml(describeDead(ctx, latest.notice)),
        error: escapeHtml((latest.lastError ?? "").slice(0, 200)),
      }),
    );
  }
  const capped = items.length > ALERTS_SHOWN;
  const shown = capped
    ? [...items.slice(0, ALERTS_SHOWN), ctx.t("fit-more", { n: String(items.length - ALERTS_SHOWN) })]
    : items;
  const sent = await ctx.reply([...head, ...shown, ...tail].join("\n"), {
    parse_mode: "HTML",
    reply_markup: alertListKeyboard(ctx.t, withButtons),
  });
  if (capped) await replyWithFullText(ctx, sent, [...head, ...items, ...tail].join("\n"));
});

alertListFeature.filter(pressed("alert-list-ack"), requireStaff, async (ctx) => {
  const id = ctx.button.incidentId;
  const result = await ctx.services.alerts.acknowledge(id, who(ctx));
  if (result.ok) {
    await recordAudit(ctx, "ack", id);
    await ctx.answerCallbackQuery({ text: ctx.t("alert-ack-done") });
  } else {
    await ctx.answerCallbackQuery({ text: staleReason(ctx, result.incident) ?? ctx.t("alert-ack-unknown") });
  }
  await updateLine(
    ctx,
    id,
    settledMark(ctx, result.incident),
    listButtonsOf(id, ["alert-list-ack", "alert-list-mute"]),
  );
  // The incident's card in the group settles too.
  if (result.ok) await settleCard(ctx, result.incident);
});

alertListFeature.filter(pressed("alert-list-mute"), requireStaff, async (ctx) => {
  const id = ctx.button.incidentId;
  const incident = await ctx.services.storage.incidents.get(id);
  const stale = staleReason(ctx, incident);
  if (stale !== undefined || !incident) {
    await ctx.answerCallbackQuery({ text: stale ?? ctx.t("alert-ack-unknown") });
    await updateLine(ctx, id, settledMark(ctx, incident), listButtonsOf(id, ["alert-list-ack", "alert-list-mute"]));
    return;
  }
  const { until } = await muteRule(ctx, incident, 3_600_000, "1h");
  const mark = ` ${ctx.t("alerts-line-muted", { time: hhmm(ctx, until) })}`;
  await updateLine(ctx, id, mark, listButtonsOf(id, ["alert-list-mute"]));
});
