/**
 * /chart [6h|24h|7d]: the room's temperature and humidity over a range as a PNG chart,
 * with min/avg/max in the caption. Loading and rendering live in core/climate/ (series.ts, chart.ts); this file
 * adds the language and the chat.
 */
import { Composer, InputFile } from "grammy";
import type { ClimateChartLabels } from "../../core/climate/chart.ts";
import {
  CHART_RANGE_NAMES,
  type ChartRange,
  type ClimateChartText,
  type ClimateSeries,
  loadClimateSeries,
  parseChartRange,
  renderClimateSeries,
} from "../../core/climate/series.ts";
import { escapeHtml, formatDateTime, oneDecimal } from "../../core/text/format.ts";
import type { BotServices, SeromaContext } from "../context.ts";

export const CHART_FILE_NAME = "climate.png";

/** A translation function bound to one language: `ctx.t`, or `(k, a) => i18n.t(locale, k, a)`. */
export type Translate = (key: string, args?: Record<string, string | number>) => string;

type ChartServices = Pick<BotServices, "config" | "storage" | "clock">;

/** "2026-11-23 19:05" (minutes) in the room's timezone. */
const minutes = (at: number, timeZone: string) => formatDateTime(at, timeZone).slice(0, 16);

/** The window as shown: from its start to now (the last bucket ends a little in the future). */
function shownWindow(series: ClimateSeries, now: number): { from: number; to: number } {
  return { from: series.from, to: Math.min(now, series.to) };
}

/** Chart labels in one language. Plain text: the renderer escapes it for SVG. */
export function chartLabels(t: Translate): ClimateChartLabels {
  return {
    temperature: t("chart-temperature"),
    humidity: t("chart-humidity"),
    noData: t("chart-no-data-label"),
    warning: t("chart-warning"),
    critical: t("chart-critical"),
  };
}

/** Title, subtitle and labels drawn on the chart image. */
export function chartText(t: Translate, services: ChartServices, series: ClimateSeries): ClimateChartText {
  const { roomId, officeHours } = services.config;
  const tz = officeHours.timeZone;
  const w = shownWindow(series, services.clock.now().getTime());
  return {
    title: t("chart-title", { room: roomId }),
    subtitle: t("chart-subtitle", {
      range: t(`chart-range-${series.range}`),
      from: minutes(w.from, tz),
      to: minutes(w.to, tz),
      tz,
    }),
    labels: chartLabels(t),
  };
}

/** The photo caption (HTML): room, range, window, and min/avg/max when there are readings. */
export function chartCaption(t: Translate, services: ChartServices, series: ClimateSeries): string {
  const { roomId, officeHours } = services.config;
  const tz = officeHours.timeZone;
  const w = shownWindow(series, services.clock.now().getTime());
  const lines = [
    t("chart-caption-title", { room: escapeHtml(roomId), range: escapeHtml(t(`chart-range-${series.range}`)) }),
    t("chart-caption-window", {
      from: escapeHtml(minutes(w.from, tz)),
      to: escapeHtml(minutes(w.to, tz)),
      tz: escapeHtml(tz),
    }),
  ];
  const s = series.summary;
  if (s) {
    lines.push(
      t("chart-caption-temperature", { min: oneDecimal(s.tMin), avg: oneDecimal(s.tAvg), max: oneDecimal(s.tMax) }),
      t("chart-caption-humidity", { min: oneDecimal(s.hMin), avg: oneDecimal(s.hAvg), max: oneDecimal(s.hMax) }),
      t("chart-caption-legend", { count: s.count }),
    );
  } else {
    lines.push(t("chart-empty", { range: escapeHtml(t(`chart-range-${series.range}`)) }));
  }
  return lines.join("\n");
}

/**
 * The chart of a range ending now, in one language, without a chat: the PNG (a
 * "no readings" chart when the range is empty) and its HTML caption. For anything in
 * the bot that posts a chart on its own, e.g. a daily summary to the staff group.
 */
export async function buildChartPhoto(
  services: ChartServices,
  range: ChartRange,
  t: Translate,
): Promise<{ series: ClimateSeries; png: Buffer; caption: string }> {
  const { config, storage, clock } = services;
  const series = await loadClimateSeries(storage.readings, config.roomId, range, clock.now().getTime());
  const png = await renderClimateSeries(
    series,
    { timeZone: config.officeHours.timeZone, thresholds: config.thresholds },
    chartText(t, services, series),
  );
  return { series, png, caption: chartCaption(t, services, series) };
}

export async function sendChart(ctx: SeromaContext, arg: string): Promise<void> {
  const { config, storage, clock } = ctx.services;
  const t: Translate = (key, args) => ctx.t(key, args);
  const range = parseChartRange(arg);
  if (range === undefined) {
    const text = arg.trim();
    const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
    await ctx.reply(
      t("chart-bad-argument", {
        arg: escapeHtml(shown),
        ranges: CHART_RANGE_NAMES.map((r) => `<code>${r}</code>`).join(", "),
      }),
      { parse_mode: "HTML" },
    );
    return;
  }
  const series = await loadClimateSeries(storage.readings, config.roomId, range, clock.now().getTime());
  if (!series.summary) {
    await ctx.reply(t("chart-empty", { range: escapeHtml(t(`chart-range-${range}`)) }), { parse_mode: "HTML" });
    return;
  }
  // "sending a photo..." while rendering; only a hint, so a refusal does not stop the chart.
  await ctx.replyWithChatAction("upload_photo").catch((err: unknown) => {
    ctx.log.debug({ err: String(err) }, "chat action refused");
  });
  const png = await renderClimateSeries(
    series,
    { timeZone: config.officeHours.timeZone, thresholds: config.thresholds },
    chartText(t, ctx.services, series),
  );
  await ctx.replyWithPhoto(new InputFile(png, CHART_FILE_NAME), {
    caption: chartCaption(t, ctx.services, series),
    parse_mode: "HTML",
  });
}

export const chartFeature = new Composer<SeromaContext>();

chartFeature.command("chart", (ctx) => sendChart(ctx, ctx.match));
