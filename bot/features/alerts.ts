/**
 * Alerts in chat: the buttons of alert cards (Acknowledge, Mute, More ▾ / Less ▴, Refresh),
 * /ack, /mute and /unmute (/alerts and its buttons: alert-list.ts). Only staff get here (the
 * auth filter answers strangers' button presses with a refusal). Every action is written to
 * the audit log. A press on the card of an incident that needs nothing any more gets a short
 * toast, and the card settles.
 */
import { Composer, GrammyError } from "grammy";
import { renderIncident, renderSettledCard, ruleName } from "../../core/alerts/render.ts";
import type { Incident, Mute } from "../../core/alerts/types.ts";
import { escapeHtml, formatDateTime, oneDecimal } from "../../core/text/format.ts";
import { alertRenderCtx, cardKeyboard, editPressed, hhmm, muteRule, settleCard, staleReason } from "../alert-cards.ts";
import { recordAudit, who } from "../audit.ts";
import type { SeromaContext } from "../context.ts";
import { requireStaff } from "../filters/auth.ts";
import { pressed } from "../ui/callback-data.ts";

const MAX_MUTE_MS = 7 * 24 * 60 * 60 * 1000;
/** What /mute and /unmute take. A Map: the word is user input ("constructor" is no key here). */
const WHAT: ReadonlyMap<string, ReadonlyArray<Mute["rule"]>> = new Map<string, Array<Mute["rule"]>>([
  ["all", ["*"]],
  ["temperature", ["climate.temperature"]],
  ["humidity", ["climate.humidity"]],
  ["sensor", ["sensor.dead", "sensor.stuck"]],
  ["door", ["door.breach", "door.unknown-card", "door.revoked-card", "door.wrong-room-card", "reader.dead"]],
  ["motion", ["room.motion", "motion.dead"]],
  ["camera", ["camera.dead"]],
  ["servers", ["server.*"]],
  ["devices", ["device.*"]],
  ["power", ["power.*"]],
  ["clock", ["clock.unsynced"]],
  ["storage", ["storage.write", "storage.space"]],
]);

/** "30m", "2h", "1d" -> ms, bounded to 1 minute .. 7 days. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d{1,4})\s*(m|min|h|d)$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = (m[2] ?? "").toLowerCase();
  const ms = Number(m[1]) * (unit === "d" ? 86_400_000 : unit === "h" ? 3_600_000 : 60_000);
  return ms >= 60_000 && ms <= MAX_MUTE_MS ? ms : undefined;
}

/** The incident as it stands now, with a resolution line and the current reading. */
async function renderCurrent(ctx: SeromaContext, i: Incident): Promise<string> {
  const { storage, config } = ctx.services;
  const lines = [renderSettledCard(alertRenderCtx(ctx), i)];
  const [now] = await storage.readings.latest(config.roomId, 1);
  if (now) {
    lines.push(
      ctx.t("alert-now", {
        temperature: oneDecimal(now.temperatureC),
        humidity: oneDecimal(now.humidityPct),
        time: hhmm(ctx, now.at),
      }),
    );
  }
  return lines.join("\n");
}

/**
 * A press on a card of an incident that needs nothing any more (acknowledged, resolved,
 * unknown): a short toast, and the card settles (no buttons) if it had not yet. True when
 * the press was stale and is answered.
 */
async function answeredStale(ctx: SeromaContext, i: Incident | undefined): Promise<boolean> {
  const reason = staleReason(ctx, i);
  if (reason === undefined) return false;
  await ctx.answerCallbackQuery({ text: reason });
  if (i) {
    await editPressed(ctx, renderSettledCard(alertRenderCtx(ctx), i));
    await settleCard(ctx, i);
  }
  return true;
}

export const alertsFeature = new Composer<SeromaContext>();

alertsFeature.filter(pressed("alert-ack"), requireStaff, async (ctx) => {
  const id = ctx.button.incidentId;
  const result = await ctx.services.alerts.acknowledge(id, who(ctx));
  if (!result.ok) {
    await answeredStale(ctx, result.incident);
    return;
  }
  await recordAudit(ctx, "ack", id);
  await ctx.answerCallbackQuery({ text: ctx.t("alert-ack-done") });
  // Acknowledged: the card settles (who and when, no buttons), wherever it was pressed.
  await editPressed(ctx, renderSettledCard(alertRenderCtx(ctx), result.incident));
  await settleCard(ctx, result.incident);
});

alertsFeature.filter(pressed("alert-refresh"), requireStaff, async (ctx) => {
  const incident = await ctx.services.storage.incidents.get(ctx.button.incidentId);
  if (await answeredStale(ctx, incident)) return;
  if (!incident) return;
  await editPressed(ctx, await renderCurrent(ctx, incident), cardKeyboard(ctx, incident, true));
  await ctx.answerCallbackQuery({ text: ctx.t("status-refreshed") });
});

alertsFeature.filter(pressed("alert-more", "alert-less"), requireStaff, async (ctx) => {
  const incident = await ctx.services.storage.incidents.get(ctx.button.incidentId);
  if (await answeredStale(ctx, incident)) return;
  if (!incident) return;
  await ctx.answerCallbackQuery();
  const message = ctx.callbackQuery.message;
  if (!message) return;
  const keyboard = cardKeyboard(ctx, incident, ctx.button.type === "alert-more");
  try {
    await ctx.api.editMessageReplyMarkup(message.chat.id, message.message_id, { reply_markup: keyboard });
  } catch (err) {
    // Pressed twice quickly: it shows that keyboard already.
    if (!(err instanceof GrammyError && err.description.includes("message is not modified"))) throw err;
  }
});

alertsFeature.filter(pressed("alert-mute"), requireStaff, async (ctx) => {
  const { incidentId: id, span } = ctx.button;
  const incident = await ctx.services.storage.incidents.get(id);
  if (await answeredStale(ctx, incident)) return;
  if (!incident) return;
  const ms = span === "24h" ? 86_400_000 : 3_600_000;
  const { until, by } = await muteRule(ctx, incident, ms, span);
  await editPressed(
    ctx,
    renderIncident(alertRenderCtx(ctx), incident, { name: by.name, until }),
    cardKeyboard(ctx, incident),
  );
});

alertsFeature.command("ack", requireStaff, async (ctx) => {
  const arg = ctx.match.trim();
  const open = ctx.services.alerts.openIncidents().filter((i) => i.ackedAt === undefined);
  const targets = arg === "" ? open : open.filter((i) => i.id === arg);
  if (arg !== "" && targets.length === 0) {
    await ctx.reply(ctx.t("ack-unknown", { id: escapeHtml(arg.slice(0, 40)) }), { parse_mode: "HTML" });
    return;
  }
  if (targets.length === 0) {
    await ctx.reply(ctx.t("ack-none"));
    return;
  }
  let count = 0;
  for (const i of targets) {
    const r = await ctx.services.alerts.acknowledge(i.id, who(ctx));
    if (r.ok) {
      count++;
      await recordAudit(ctx, "ack", i.id);
      await settleCard(ctx, r.incident);
    }
  }
  await ctx.reply(ctx.t("ack-done", { count }));
});

function parseWhat(word: string | undefined): ReadonlyArray<Mute["rule"]> | undefined {
  return WHAT.get((word ?? "all").toLowerCase());
}

alertsFeature.command("mute", requireStaff, async (ctx) => {
  const words = ctx.match.trim().split(/\s+/).filter(Boolean);
  let ms = 3_600_000;
  if (words[0] && /^\d/.test(words[0])) {
    const parsed = parseDuration(words.shift() ?? "");
    if (parsed === undefined) {
      await ctx.reply(ctx.t("mute-usage"), { parse_mode: "HTML" });
      return;
    }
    ms = parsed;
  }
  const rules = parseWhat(words[0]);
  if (!rules || words.length > 1) {
    await ctx.reply(ctx.t("mute-usage"), { parse_mode: "HTML" });
    return;
  }
  const { config, clock, storage } = ctx.services;
  const until = clock.now().getTime() + ms;
  const by = who(ctx);
  for (const rule of rules) await storage.mutes.set({ roomId: config.roomId, rule, until, by });
  const what = (words[0] ?? "all").toLowerCase();
  await recordAudit(ctx, "mute", undefined, `${what} until ${new Date(until).toISOString()}`);
  await ctx.reply(
    ctx.t("mute-done", {
      what: rules.map((r) => ruleName((k, v) => ctx.t(k, v), r)).join(", "),
      time: escapeHtml(formatDateTime(until, config.officeHours.timeZone).slice(0, 16)),
      name: escapeHtml(by.name),
    }),
    { parse_mode: "HTML" },
  );
});

alertsFeature.command("unmute", requireStaff, async (ctx) => {
  const words = ctx.match.trim().split(/\s+/).filter(Boolean);
  const rules = parseWhat(words[0]);
  if (!rules || words.length > 1) {
    await ctx.reply(ctx.t("unmute-usage"), { parse_mode: "HTML" });
    return;
  }
  const { config, storage } = ctx.services;
  // "all" ends every mute of the room, not just the room-wide one.
  const targets: ReadonlyArray<Mute["rule"]> = rules[0] === "*" ? ["*", ...[...WHAT.values()].flat()] : rules;
  let any = false;
  for (const rule of targets) any = (await storage.mutes.clear(config.roomId, rule)) || any;
  const what = rules.map((r) => ruleName((k, v) => ctx.t(k, v), r)).join(", ");
  if (any) await recordAudit(ctx, "unmute", undefined, (words[0] ?? "all").toLowerCase());
  await ctx.reply(ctx.t(any ? "unmute-done" : "unmute-none", { what }));
});
