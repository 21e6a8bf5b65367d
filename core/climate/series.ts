/**
 * The climate chart of a room over a named range, without any chat: the window, the
 * bucketed readings, their summary and the rendered PNG. Used by /chart and by jobs
 * that post a chart on their own (a daily summary).
 */
import type { Thresholds } from "../config.ts";
import { type ClimateBucket, type ClimateChartLabels, renderClimateChartPng } from "./chart.ts";

export const CHART_RANGES = {
  "6h": 6 * 3_600_000,
  "24h": 24 * 3_600_000,
  "7d": 7 * 86_400_000,
} as const;

export type ChartRange = keyof typeof CHART_RANGES;

export const CHART_RANGE_NAMES = Object.keys(CHART_RANGES) as ChartRange[];
export const CHART_DEFAULT_RANGE: ChartRange = "24h";
/** Points per chart: one bucket is 90 s on 6 h, 6 min on 24 h, 42 min on 7 d. */
export const CHART_BUCKETS = 240;

/** Empty -> the default range; "6h", "24H", " 7d " -> that range; anything else -> undefined. */
export function parseChartRange(arg: string): ChartRange | undefined {
  const text = arg.trim().toLowerCase();
  if (text === "") return CHART_DEFAULT_RANGE;
  return Object.hasOwn(CHART_RANGES, text) ? (text as ChartRange) : undefined;
}

/** What the chart needs from storage (`ReadingRepository` fits). */
export interface ClimateAggregateSource {
  aggregate(roomId: string, from: number, to: number, buckets: number): Promise<ClimateBucket[]>;
}

/** Min/avg/max over a whole series. */
export type ClimateSummary = Omit<ClimateBucket, "at">;

export interface ClimateSeries {
  range: ChartRange;
  /** The window, epoch ms, `from <= at < to`; `to` is just after `now`. */
  from: number;
  to: number;
  bucketMs: number;
  buckets: ClimateBucket[];
  /** Over the whole window; undefined when there are no readings in it. */
  summary: ClimateSummary | undefined;
}

/**
 * The window of a range ending now, on bucket boundaries (so two charts a minute
 * apart bucket the same readings the same way); the bucket holding `now` is the last.
 */
export function chartWindow(range: ChartRange, now: number): { from: number; to: number; bucketMs: number } {
  const span = CHART_RANGES[range];
  const bucketMs = span / CHART_BUCKETS;
  const to = (Math.floor(now / bucketMs) + 1) * bucketMs;
  return { from: to - span, to, bucketMs };
}

/** Min, count-weighted mean and max over buckets; undefined for none. */
export function summarizeClimate(buckets: readonly ClimateBucket[]): ClimateSummary | undefined {
  if (buckets.length === 0) return undefined;
  const sum = { count: 0, t: 0, h: 0 };
  const out = {
    tMin: Number.POSITIVE_INFINITY,
    tMax: Number.NEGATIVE_INFINITY,
    hMin: Number.POSITIVE_INFINITY,
    hMax: Number.NEGATIVE_INFINITY,
  };
  for (const b of buckets) {
    sum.count += b.count;
    sum.t += b.tAvg * b.count;
    sum.h += b.hAvg * b.count;
    out.tMin = Math.min(out.tMin, b.tMin);
    out.tMax = Math.max(out.tMax, b.tMax);
    out.hMin = Math.min(out.hMin, b.hMin);
    out.hMax = Math.max(out.hMax, b.hMax);
  }
  if (sum.count === 0) return undefined;
  return { count: sum.count, ...out, tAvg: sum.t / sum.count, hAvg: sum.h / sum.count };
}

export async function loadClimateSeries(
  readings: ClimateAggregateSource,
  roomId: string,
  range: ChartRange,
  now: number,
): Promise<ClimateSeries> {
  const { from, to, bucketMs } = chartWindow(range, now);
  const buckets = await readings.aggregate(roomId, from, to, CHART_BUCKETS);
  return { range, from, to, bucketMs, buckets, summary: summarizeClimate(buckets) };
}

export interface ClimateChartText {
  title: string;
  subtitle?: string;
  labels: ClimateChartLabels;
}

export interface ClimateChartSettings {
  timeZone: string;
  thresholds: { temperatureC: Thresholds; humidityPct: Thresholds };
  width?: number;
  height?: number;
}

/** Renders a loaded series (an empty one shows the no-data label). */
export function renderClimateSeries(
  series: ClimateSeries,
  settings: ClimateChartSettings,
  text: ClimateChartText,
): Promise<Buffer> {
  return renderClimateChartPng({
    ...text,
    ...settings,
    buckets: series.buckets,
    from: series.from,
    to: series.to,
    bucketMs: series.bucketMs,
  });
}

/**
 * Loads and renders the chart of a room for a range ending at `now`: for callers
 * without a chat (a daily summary job). `text` may depend on the series (its summary).
 */
export async function buildClimateChart(
  deps: { readings: ClimateAggregateSource; roomId: string; now: number } & ClimateChartSettings,
  range: ChartRange,
  text: ClimateChartText | ((series: ClimateSeries) => ClimateChartText),
): Promise<{ series: ClimateSeries; png: Buffer }> {
  const series = await loadClimateSeries(deps.readings, deps.roomId, range, deps.now);
  const settings: ClimateChartSettings = { timeZone: deps.timeZone, thresholds: deps.thresholds };
  if (deps.width !== undefined) settings.width = deps.width;
  if (deps.height !== undefined) settings.height = deps.height;
  const png = await renderClimateSeries(series, settings, typeof text === "function" ? text(series) : text);
  return { series, png };
}
