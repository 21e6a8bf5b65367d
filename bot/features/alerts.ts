/**
 * Alerts in chat: the Acknowledge / Mute buttons on alert messages, /alerts, /ack,
 * /mute and /unmute. Only staff get here (the auth filter answers strangers' button
 * presses with a refusal). Every action is written to the audit log.
 */
import { Composer, GrammyError, type InlineKeyboard } from "grammy";
import {
  channelName,
  describeCondition,
  formatDuration,
  htmlToPlain,
  type RenderContext,
  renderIncident,
  renderNotice,
  ruleName,
} from "../../core/alerts/render.ts";
import { EVENT_RULES, type Incident, type Mute, type Notice } from "../../core/alerts/types.ts";
import { escapeHtml, formatDateTime, oneDecimal } from "../../core/text/format.ts";
import { recordAudit, who } from "../audit.ts";
import type { SeromaContext } from "../context.ts";
import { requireStaff } from "../filters/auth.ts";
import { replyWithFullText } from "../outgoing.ts";
import { pressed } from "../ui/callback-data.ts";
import { alertKeyboard, alertListKeyboard } from "../ui/keyboards.ts";

const MAX_MUTE_MS = 7 * 24 * 60 * 60 * 1000;
/** /alerts lists (and has Acknowledge buttons for) at most this many incidents; all of them follow as a .txt. */
export const ALERTS_SHOWN = 20;
/** /alerts reports alerts that could not be delivered in this window. */
const UNDELIVERED_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

/** A dead letter's notice in one short plain line. */
function describeDead(ctx: SeromaContext, n: Notice): string {
  return htmlToPlain(renderNotice(renderCtx(ctx), n))
    .split("\n")
    .filter(Boolean)
    .slice(0, 2)
    .join(" — ")
    .slice(0, 200);
}
const SEVERITY_RANK: Record<Incident["severity"], number> = { critical: 0, warning: 1 };
/** What /mute and /unmute take. A Map: the word is user input ("constructor" is no key here). */
const WHAT: ReadonlyMap<string, ReadonlyArray<Mute["rule"]>> = new Map<string, Array<Mute["rule"]>>([
  ["all", ["*"]],
  ["temperature", ["climate.temperature"]],
  ["humidity", ["climate.humidity"]],
  ["sensor", ["sensor.dead", "sensor.stuck"]],
  ["door", ["door.breach", "door.unknown-card", "door.revoked-card", "reader.dead"]],
  ["motion", ["room.motion", "motion.dead"]],
  ["camera", ["camera.dead"]],
  ["servers", ["server.*"]],
  ["devices", ["device.*"]],
  ["power", ["power.*"]],
  ["clock", ["clock.unsynced"]],
  ["storage", ["storage.write", "storage.space"]],
]);

function renderCtx(ctx: SeromaContext): RenderContext {
  return {
    t: (k, v) => ctx.t(k, v),
    timeZone: ctx.services.config.officeHours.timeZone,
    now: ctx.services.clock.now().getTime(),
  };
}

/** "30m", "2h", "1d" -> ms, bounded to 1 minute .. 7 days. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d{1,4})\s*(m|min|h|d)$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = (m[2] ?? "").toLowerCase();
  const ms = Number(m[1]) * (unit === "d" ? 86_400_000 : unit === "h" ? 3_600_000 : 60_000);
  return ms >= 60_000 && ms <= MAX_MUTE_MS ? ms : undefined;
}

function hhmm(ctx: SeromaContext, at: number): string {
  return formatDateTime(at, ctx.services.config.officeHours.timeZone).slice(11, 16);
}

/** Ack while it can be acknowledged, Mute while open; the camera row and Refresh always. */
function buttonsFor(ctx: SeromaContext, i: Incident): InlineKeyboard {
  const ackable = i.ackedAt === undefined && (i.state === "open" || EVENT_RULES.has(i.rule));
  return alertKeyboard(ctx.t, i.id, {
    ack: ackable,
    mute: i.state === "open" || EVENT_RULES.has(i.rule),
    clipSeconds: ctx.services.config.camera.clipSeconds,
    recorded: i.rule === "room.motion",
  });
}

/** Edits an alert in place: its caption if it went out as a photo, else its text. */
async function editAlert(ctx: SeromaContext, html: string, keyboard: InlineKeyboard): Promise<void> {
  const message = ctx.callbackQuery?.message;
  if (!message) return;
  try {
    if ("photo" in message && message.photo) {
      await ctx.editMessageCaption({ caption: html, parse_mode: "HTML", reply_markup: keyboard });
    } else {
      await ctx.editMessageText(html, { parse_mode: "HTML", reply_markup: keyboard });
    }
  } catch (err) {
    // Pressing twice quickly: nothing changed, nothing to say.
    if (err instanceof GrammyError && err.description.includes("message is not modified")) return;
    throw err;
  }
}

/** The incident as it stands now, with a resolution line and the current reading. */
async function renderCurrent(ctx: SeromaContext, i: Incident): Promise<string> {
  const { storage, config } = ctx.services;
  const lines = [renderIncident(renderCtx(ctx), i)];
  if (i.state === "resolved" && !EVENT_RULES.has(i.rule) && i.resolvedAt !== undefined) {
    lines.push(ctx.t("alert-resolved-at", { time: hhmm(ctx, i.resolvedAt) }));
  }
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

export const alertsFeature = new Composer<SeromaContext>();

alertsFeature.filter(pressed("alert-ack"), requireStaff, async (ctx) => {
  const id = ctx.button.incidentId;
  const result = await ctx.services.alerts.acknowledge(id, who(ctx));
  if (result.ok) {
    await recordAudit(ctx, "ack", id);
    await ctx.answerCallbackQuery({ text: ctx.t("alert-ack-done") });
  } else if (result.reason === "already") {
    await ctx.answerCallbackQuery({
      text: ctx.t("alert-ack-already", { name: result.incident?.ackedBy?.name ?? "?" }),
    });
  } else {
    await ctx.answerCallbackQuery({
      text: ctx.t(result.reason === "resolved" ? "alert-ack-resolved" : "alert-ack-unknown"),
    });
  }
  const incident = result.incident;
  if (incident) await editAlert(ctx, renderIncident(renderCtx(ctx), incident), buttonsFor(ctx, incident));
});

alertsFeature.filter(pressed("alert-refresh"), requireStaff, async (ctx) => {
  const incident = await ctx.services.storage.incidents.get(ctx.button.incidentId);
  if (!incident) {
    await ctx.answerCallbackQuery({ text: ctx.t("alert-ack-unknown") });
    return;
  }
  await editAlert(ctx, await renderCurrent(ctx, incident), buttonsFor(ctx, incident));
  await ctx.answerCallbackQuery({ text: ctx.t("status-refreshed") });
});

alertsFeature.filter(pressed("alert-mute"), requireStaff, async (ctx) => {
  const { incidentId: id, span } = ctx.button;
  const incident = await ctx.services.storage.incidents.get(id);
  if (!incident) {
    await ctx.answerCallbackQuery({ text: ctx.t("alert-ack-unknown") });
    return;
  }
  const ms = span === "24h" ? 86_400_000 : 3_600_000;
  const until = ctx.services.clock.now().getTime() + ms;
  const by = who(ctx);
  await ctx.services.storage.mutes.set({ roomId: incident.roomId, rule: incident.rule, until, by });
  await recordAudit(ctx, "mute", id, `${incident.rule} for ${span}`);
  await ctx.answerCallbackQuery({
    text: ctx.t("alert-mute-done", {
      what: ruleName((k, v) => ctx.t(k, v), incident.rule),
      duration: formatDuration((k, v) => ctx.t(k, v), ms),
    }),
  });
  await editAlert(ctx, renderIncident(renderCtx(ctx), incident, { name: by.name, until }), buttonsFor(ctx, incident));
});

alertsFeature.command("alerts", async (ctx) => {
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
  const ackButtons: string[] = [];
  if (open.length === 0) head.push(ctx.t("alerts-none", { room }));
  else {
    head.push(ctx.t("alerts-title", { count: open.length, room }), "");
    for (const [n, i] of open.entries()) {
      const ack = i.ackedBy ? ` ✔️ ${escapeHtml(i.ackedBy.name)}` : "";
      items.push(
        `${ctx.t(`alert-icon-${i.severity}`)} <code>${escapeHtml(i.id)}</code> ${describeCondition(t, i.rule, i.details)} ${ctx.t("alert-since", { time: hhmm(ctx, i.openedAt), tz: escapeHtml(config.officeHours.timeZone) })}${ack}`,
      );
      if (!i.ackedBy && n < ALERTS_SHOWN) ackButtons.push(i.id);
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
    reply_markup: alertListKeyboard(ctx.t, ackButtons),
  });
  if (capped) await replyWithFullText(ctx, sent, [...head, ...items, ...tail].join("\n"));
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
