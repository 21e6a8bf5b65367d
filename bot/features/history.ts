/** /history [n]: the latest n readings of the room as a fixed-width table. */
import { Composer } from "grammy";
import { escapeHtml, formatDateTime, oneDecimal } from "../../core/text/format.ts";
import type { SeromaContext } from "../context.ts";

export const HISTORY_DEFAULT = 10;
export const HISTORY_MAX = 50;

/** Parses the argument of /history: empty -> default; a whole number 1..max; anything else -> undefined. */
export function parseHistoryCount(arg: string): number | undefined {
  const text = arg.trim();
  if (text === "") return HISTORY_DEFAULT;
  if (!/^\d{1,6}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= HISTORY_MAX ? n : undefined;
}

export async function sendHistory(ctx: SeromaContext, arg: string): Promise<void> {
  const { config, storage } = ctx.services;
  const n = parseHistoryCount(arg);
  if (n === undefined) {
    const shown = arg.length > 40 ? `${arg.slice(0, 40)}…` : arg;
    await ctx.reply(ctx.t("history-bad-argument", { arg: escapeHtml(shown), max: String(HISTORY_MAX) }), {
      parse_mode: "HTML",
    });
    return;
  }
  const rows = await storage.readings.latest(config.roomId, n);
  if (rows.length === 0) {
    await ctx.reply(ctx.t("history-empty"));
    return;
  }
  const tz = config.officeHours.timeZone;
  const table = rows.map(
    (r) =>
      `${formatDateTime(r.at, tz)}  ${oneDecimal(r.temperatureC).padStart(5)}  ${oneDecimal(r.humidityPct).padStart(5)}`,
  );
  const text = [
    ctx.t("history-title", { room: escapeHtml(config.roomId), count: rows.length, tz: escapeHtml(tz) }),
    `<pre>${escapeHtml([ctx.t("history-header"), ...table].join("\n"))}</pre>`,
  ].join("\n");
  await ctx.reply(text, { parse_mode: "HTML" });
}

export const historyFeature = new Composer<SeromaContext>();

historyFeature.command("history", (ctx) => sendHistory(ctx, ctx.match));
