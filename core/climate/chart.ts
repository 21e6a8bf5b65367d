/**
 * Climate chart: bucketed readings -> SVG (pure) -> PNG (sharp / librsvg).
 *
 * Temperature (line + min–max band) on the left axis in °C, humidity on the right axis
 * in %, the temperature warning/critical zones shaded, a time axis in the room's
 * timezone, gaps left open where there is no data. Text uses the generic `sans-serif`
 * family: librsvg renders it with whatever fontconfig finds (DejaVu Sans on Debian;
 * Japanese labels need a CJK font such as `fonts-noto-cjk`).
 */
import sharp from "sharp";
import type { Thresholds } from "../config.ts";
import { dateTimeFormat } from "../time.ts";
import type { ReadingBucket } from "./reading.ts";

/** One time bucket of readings (the shape `ReadingRepository.aggregate` returns). */
export type ClimateBucket = ReadingBucket;

export interface ClimateChartLabels {
  temperature: string;
  humidity: string;
  noData: string;
  /** Legend entries for the shaded zones; a zone without a label is drawn but not listed. */
  warning?: string;
  critical?: string;
}

export interface ClimateChartInput {
  title: string;
  subtitle?: string;
  /** Buckets with data, oldest first. */
  buckets: readonly ClimateBucket[];
  /** Time range shown, epoch ms, `from <= t < to`. */
  from: number;
  to: number;
  /** Bucket length in ms (default: the smallest step between buckets, else (to - from) / 240). */
  bucketMs?: number;
  /** IANA timezone for the time axis. */
  timeZone: string;
  thresholds: { temperatureC: Thresholds; humidityPct: Thresholds };
  /** Pixels; default 1080 x 810. */
  width?: number;
  height?: number;
  labels: ClimateChartLabels;
}

/** 4:3, 1080 px wide: sharp on a phone's screen, within what Telegram keeps of a photo (1280). */
export const CHART_DEFAULT_WIDTH = 1080;
export const CHART_DEFAULT_HEIGHT = 810;
/** Lines are not drawn across more empty buckets than this (unless the data is that sparse everywhere). */
export const CHART_MAX_BRIDGED_EMPTY_BUCKETS = 3;

const COLORS = {
  background: "#ffffff",
  plot: "#fcfcfd",
  grid: "#e6e8eb",
  axis: "#868e96",
  text: "#212529",
  muted: "#6c757d",
  temperature: "#e8590c",
  humidity: "#1c7ed6",
  warning: "#fcc419",
  critical: "#fa5252",
};

export function escapeXml(value: unknown): string {
  return (
    String(value)
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&apos;")
      // biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 forbids these characters; they are removed on purpose
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "")
  );
}

/** Rough rendered width of a text in px (DejaVu Sans averages ~0.6 em; CJK is 1 em). */
function textWidth(text: string, fontSize: number): number {
  let em = 0;
  for (const ch of text) em += (ch.codePointAt(0) ?? 0) >= 0x2e80 ? 1 : 0.62;
  return em * fontSize;
}

/** 1, 2, 2.5, 5 x 10^k: the smallest at least `raw`. */
function niceStep(raw: number): number {
  const exp = Math.floor(Math.log10(raw));
  const base = 10 ** exp;
  for (const m of [1, 2, 2.5, 5, 10]) if (m * base >= raw - 1e-9 * base) return m * base;
  return 10 * base;
}

function decimalsOf(step: number): number {
  for (let d = 0; d < 3; d++) if (Math.abs(Math.round(step * 10 ** d) - step * 10 ** d) < 1e-6) return d;
  return 3;
}

interface Axis {
  min: number;
  max: number;
  step: number;
  ticks: number[];
  decimals: number;
}

/** A "nice" axis covering [lo, hi] with about `target` intervals. */
function niceAxis(lo: number, hi: number, target: number): Axis {
  if (!(hi > lo)) {
    lo -= 1;
    hi += 1;
  }
  const step = niceStep((hi - lo) / target);
  const min = Math.floor(lo / step + 1e-9) * step;
  const max = Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = min; v <= max + step / 2; v += step) ticks.push(Math.round(v / step) * step);
  return { min, max, step, ticks, decimals: decimalsOf(step) };
}

/**
 * An axis with exactly `intervals` intervals (to share the gridlines of another axis)
 * covering [lo, hi], not starting below `floor`.
 */
function alignedAxis(lo: number, hi: number, intervals: number, floor: number): Axis {
  if (!(hi > lo)) {
    lo -= 1;
    hi += 1;
  }
  let step = niceStep((hi - lo) / intervals);
  let min = Math.floor(lo / step + 1e-9) * step;
  while (min + intervals * step < hi - 1e-9) {
    step = niceStep(step * 1.01);
    min = Math.floor(lo / step + 1e-9) * step;
  }
  // Centre the data in the spare room, by whole steps, not below `floor` (0 % for humidity).
  const shift = Math.floor((min + intervals * step - hi - (lo - min)) / 2 / step + 1e-9);
  if (shift > 0) min = Math.max(min - shift * step, Math.ceil(floor / step - 1e-9) * step);
  const ticks = Array.from({ length: intervals + 1 }, (_, i) => Math.round((min + i * step) / step) * step);
  return { min, max: min + intervals * step, step, ticks, decimals: decimalsOf(step) };
}

// ---------------------------------------------------------------------------------------------
// Time axis

const HOUR = 3_600_000;
const QUARTER = 15 * 60_000;
function localParts(at: number, timeZone: string): { month: number; day: number; hour: number; minute: number } {
  const f = dateTimeFormat("en-US", {
    timeZone,
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    hourCycle: "h23",
  });
  const out = { month: 0, day: 0, hour: 0, minute: 0 };
  for (const p of f.formatToParts(at)) {
    if (p.type === "month" || p.type === "day" || p.type === "hour" || p.type === "minute")
      out[p.type] = Number(p.value);
  }
  return out;
}

export interface TimeTick {
  at: number;
  /** "14:00" for hour ticks, "11-24" (month-day) for day ticks. */
  label: string;
  /** Set on hour ticks at local midnight: the date ("11-24"). */
  date?: string;
  /** Local midnight (drawn a little stronger). */
  midnight: boolean;
}

const pad2 = (n: number) => String(n).padStart(2, "0");

/**
 * Ticks at round local times: every 1, 2, 3, 6 or 12 hours, or every 1, 2 or 7 days,
 * whichever gives at most `maxIntervals` (9) intervals. Every UTC offset is a multiple of 15 minutes,
 * so scanning quarter hours finds every local hour and midnight (DST included).
 */
export function timeTicks(from: number, to: number, timeZone: string, maxIntervals = 9): TimeTick[] {
  const spanH = (to - from) / HOUR;
  const stepH = [1, 2, 3, 6, 12, 24, 48, 168].find((s) => spanH / s <= maxIntervals) ?? 168;
  const ticks: TimeTick[] = [];
  let dayIndex = 0;
  for (let at = Math.ceil(from / QUARTER) * QUARTER; at <= to; at += QUARTER) {
    const p = localParts(at, timeZone);
    if (p.minute !== 0) continue;
    const date = `${pad2(p.month)}-${pad2(p.day)}`;
    const midnight = p.hour === 0;
    if (stepH < 24) {
      if (p.hour % stepH !== 0) continue;
      ticks.push({ at, label: `${pad2(p.hour)}:00`, midnight, ...(midnight ? { date } : {}) });
    } else if (midnight) {
      if (dayIndex++ % (stepH / 24) === 0) ticks.push({ at, label: date, midnight });
    }
  }
  // A repeated local hour (DST ending) would put two equal labels side by side.
  return ticks.filter((t, i) => i === 0 || t.label !== ticks[i - 1]?.label || t.at - (ticks[i - 1]?.at ?? 0) > HOUR);
}

// ---------------------------------------------------------------------------------------------
// Series

/** Splits buckets into runs that may be joined by a line. */
export function splitAtGaps(buckets: readonly ClimateBucket[], bucketMs: number): ClimateBucket[][] {
  const steps: number[] = [];
  for (let i = 1; i < buckets.length; i++) steps.push((buckets[i]?.at ?? 0) - (buckets[i - 1]?.at ?? 0));
  steps.sort((a, b) => a - b);
  const median = steps[Math.floor((steps.length - 1) / 2)] ?? bucketMs;
  // Normally 3 empty buckets end a line; with data sparser than the buckets (hourly
  // samples on a 6 h chart) a line still joins neighbouring samples.
  const maxStep = Math.max((CHART_MAX_BRIDGED_EMPTY_BUCKETS + 1) * bucketMs, 2.5 * median) + bucketMs / 1000;
  const runs: ClimateBucket[][] = [];
  let run: ClimateBucket[] = [];
  for (const b of buckets) {
    const prev = run[run.length - 1];
    if (prev && b.at - prev.at > maxStep) {
      runs.push(run);
      run = [];
    }
    run.push(b);
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

function inferBucketMs(input: ClimateChartInput): number {
  if (input.bucketMs && input.bucketMs > 0) return input.bucketMs;
  let min = Number.POSITIVE_INFINITY;
  for (let i = 1; i < input.buckets.length; i++) {
    const d = (input.buckets[i]?.at ?? 0) - (input.buckets[i - 1]?.at ?? 0);
    if (d > 0 && d < min) min = d;
  }
  return Number.isFinite(min) ? min : (input.to - input.from) / 240;
}

const fmt = (n: number) => (Math.round(n * 10) / 10).toString();

// ---------------------------------------------------------------------------------------------
// SVG

/**
 * The chart is drawn for a phone: Telegram shows a photo about 300–400 px wide in a chat
 * bubble, so sizes are in "bubble pixels" (1/360 of the image's width) and scaled up to the
 * image. Ticks are 10 bubble pixels high (legible on a phone without zooming), lines 2.
 */
export const CHART_BUBBLE_WIDTH = 360;
const TYPE = { title: 14, subtitle: 11, legend: 10.5, tick: 10, noData: 13 } as const;
const STROKE = { series: 2, grid: 0.5, axis: 0.6, dot: 2.5 } as const;

/** Font sizes and line widths of a chart W x H pixels, in image pixels. */
export function chartScale(width: number, height: number) {
  // Bubble pixels from the width, unless the image is unusually flat (then from the height).
  const s = Math.min(width / CHART_BUBBLE_WIDTH, height / (CHART_BUBBLE_WIDTH * 0.5));
  return {
    s,
    font: {
      title: TYPE.title * s,
      subtitle: TYPE.subtitle * s,
      legend: TYPE.legend * s,
      tick: TYPE.tick * s,
      noData: TYPE.noData * s,
    },
    stroke: { series: STROKE.series * s, grid: STROKE.grid * s, axis: STROKE.axis * s, dot: STROKE.dot * s },
  };
}

export function renderClimateChartSvg(input: ClimateChartInput): string {
  const W = Math.round(input.width ?? CHART_DEFAULT_WIDTH);
  const H = Math.round(input.height ?? CHART_DEFAULT_HEIGHT);
  const { s, font, stroke } = chartScale(W, H);
  const { from, to, labels } = input;
  const span = Math.max(1, to - from);
  const bucketMs = inferBucketMs(input);
  const buckets = input.buckets.filter((b) => b.count > 0 && b.at + bucketMs > from && b.at < to);
  const temp = input.thresholds.temperatureC;
  const hum = input.thresholds.humidityPct;

  // Header: title, subtitle, then the legend flowing over as many rows as it needs.
  const margin = Math.round(12 * s);
  const legendItems: Array<{ kind: "line" | "zone"; color: string; text: string; band?: boolean }> = [
    { kind: "line", color: COLORS.temperature, text: `${labels.temperature} (°C)`, band: true },
    { kind: "line", color: COLORS.humidity, text: `${labels.humidity} (%)` },
  ];
  if (labels.warning) legendItems.push({ kind: "zone", color: COLORS.warning, text: labels.warning });
  if (labels.critical) legendItems.push({ kind: "zone", color: COLORS.critical, text: labels.critical });
  const swatch = 16 * s;
  const itemGap = 12 * s;
  const itemWidths = legendItems.map((i) => swatch + 5 * s + textWidth(i.text, font.legend));
  const titleY = margin + font.title;
  const subtitleY = titleY + font.subtitle * 1.45;
  const headerBottom = input.subtitle ? subtitleY : titleY;
  const legendRowH = font.legend * 1.5;
  const legendPlaces: Array<{ x: number; y: number }> = [];
  {
    let lx = margin;
    let ly = headerBottom + legendRowH;
    itemWidths.forEach((w, i) => {
      if (i > 0 && lx + w > W - margin) {
        lx = margin;
        ly += legendRowH;
      }
      legendPlaces.push({ x: lx, y: ly });
      lx += w + itemGap;
    });
  }
  const legendBottom = legendPlaces.reduce((m, p) => Math.max(m, p.y), headerBottom);

  // Axis labels: tick values are measured so the plot gets every pixel they do not need.
  const unitGap = font.tick * 1.2;
  const top = Math.round(legendBottom + font.legend * 0.6 + unitGap + font.tick * 0.6);
  const bottom = H - Math.round(margin + font.tick * (1.25 + 1.2));
  // Axes. Temperature: data and the comfortable band, with a margin so the zones show.
  let tLo = temp.warn.min;
  let tHi = temp.warn.max;
  let hLo = Number.POSITIVE_INFINITY;
  let hHi = Number.NEGATIVE_INFINITY;
  for (const b of buckets) {
    tLo = Math.min(tLo, b.tMin, b.tAvg);
    tHi = Math.max(tHi, b.tMax, b.tAvg);
    hLo = Math.min(hLo, b.hAvg);
    hHi = Math.max(hHi, b.hAvg);
  }
  const tPad = Math.max(0.5, (tHi - tLo) * 0.08);
  const tAxis = niceAxis(tLo - tPad, tHi + tPad, 6);
  const intervals = tAxis.ticks.length - 1;
  if (!Number.isFinite(hLo)) {
    hLo = hum.warn.min;
    hHi = hum.warn.max;
  }
  // At least 10 points of humidity on the axis: sensor noise should not look like weather.
  if (hHi - hLo < 10) {
    const mid = (hHi + hLo) / 2;
    hLo = Math.max(0, Math.min(mid - 5, 90));
    hHi = hLo + 10;
  }
  const hPad = Math.max(1, (hHi - hLo) * 0.1);
  const hAxis = alignedAxis(Math.max(0, hLo - hPad), Math.min(100, hHi + hPad), intervals, 0);

  const tickGap = 4 * s;
  const tLabelW = Math.max(
    textWidth("°C", font.tick),
    ...tAxis.ticks.map((v) => textWidth(v.toFixed(tAxis.decimals), font.tick)),
  );
  const hLabelW = Math.max(
    textWidth("%", font.tick),
    ...hAxis.ticks.map((v) => textWidth(v.toFixed(hAxis.decimals), font.tick)),
  );
  const left = Math.round(margin + tLabelW + tickGap);
  const right = W - Math.round(margin + hLabelW + tickGap);
  const plotH = bottom - top;
  const plotW = right - left;
  // As many time ticks as fit with a label's width of air between them.
  const timeLabelW = textWidth("00:00", font.tick);
  const ticks = timeTicks(from, to, input.timeZone, Math.max(2, Math.floor(plotW / (timeLabelW * 1.8))));

  const x = (at: number) => left + ((at - from) / span) * plotW;
  const yT = (v: number) => bottom - ((v - tAxis.min) / (tAxis.max - tAxis.min)) * plotH;
  const yH = (v: number) => bottom - ((v - hAxis.min) / (hAxis.max - hAxis.min)) * plotH;
  const cx = (b: ClimateBucket) => x(Math.min(to, b.at + bucketMs / 2));

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">`,
    `<defs><clipPath id="plot"><rect x="${left}" y="${top}" width="${plotW}" height="${plotH}"/></clipPath></defs>`,
    `<rect width="${W}" height="${H}" fill="${COLORS.background}"/>`,
    `<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="${COLORS.plot}"/>`,
  );

  // Temperature zones: critical beyond the critical limits, warning between them and the comfortable band.
  const zones: Array<{ lo: number; hi: number; color: string; opacity: number; kind: string }> = [
    { lo: tAxis.min, hi: temp.critical.min, color: COLORS.critical, opacity: 0.16, kind: "critical" },
    { lo: temp.critical.min, hi: temp.warn.min, color: COLORS.warning, opacity: 0.22, kind: "warning" },
    { lo: temp.warn.max, hi: temp.critical.max, color: COLORS.warning, opacity: 0.22, kind: "warning" },
    { lo: temp.critical.max, hi: tAxis.max, color: COLORS.critical, opacity: 0.16, kind: "critical" },
  ];
  out.push('<g class="zones">');
  for (const z of zones) {
    const lo = Math.max(z.lo, tAxis.min);
    const hi = Math.min(z.hi, tAxis.max);
    if (!(hi > lo)) continue;
    out.push(
      `<rect class="zone-${z.kind}" x="${left}" y="${fmt(yT(hi))}" width="${plotW}" height="${fmt(yT(lo) - yT(hi))}" fill="${z.color}" fill-opacity="${z.opacity}"/>`,
    );
  }
  out.push("</g>");

  // Grid and axes.
  out.push(`<g stroke="${COLORS.grid}" stroke-width="${fmt(stroke.grid)}">`);
  for (const v of tAxis.ticks) out.push(`<line x1="${left}" x2="${right}" y1="${fmt(yT(v))}" y2="${fmt(yT(v))}"/>`);
  for (const t of ticks) {
    const stroke = t.midnight ? ` stroke="${COLORS.axis}" stroke-opacity="0.45"` : "";
    out.push(`<line x1="${fmt(x(t.at))}" x2="${fmt(x(t.at))}" y1="${top}" y2="${bottom}"${stroke}/>`);
  }
  out.push("</g>");
  out.push(
    `<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="${COLORS.axis}" stroke-width="${fmt(stroke.axis)}"/>`,
  );

  // Axis labels.
  out.push(`<g font-size="${fmt(font.tick)}" fill="${COLORS.temperature}" text-anchor="end">`);
  for (const v of tAxis.ticks) {
    out.push(
      `<text x="${fmt(left - tickGap)}" y="${fmt(yT(v) + font.tick * 0.35)}">${v.toFixed(tAxis.decimals)}</text>`,
    );
  }
  out.push(`<text x="${fmt(left - tickGap)}" y="${fmt(top - unitGap)}" font-weight="bold">°C</text>`, "</g>");
  out.push(`<g font-size="${fmt(font.tick)}" fill="${COLORS.humidity}" text-anchor="start">`);
  for (const v of hAxis.ticks) {
    out.push(
      `<text x="${fmt(right + tickGap)}" y="${fmt(yH(v) + font.tick * 0.35)}">${v.toFixed(hAxis.decimals)}</text>`,
    );
  }
  out.push(`<text x="${fmt(right + tickGap)}" y="${fmt(top - unitGap)}" font-weight="bold">%</text>`, "</g>");
  out.push(`<g font-size="${fmt(font.tick)}" fill="${COLORS.muted}" text-anchor="middle">`);
  // Time labels; under them the date at midnight, and the timezone at the right where no date is.
  const labelY = bottom + font.tick * 1.25;
  const dateY = labelY + font.tick * 1.2;
  const zoneSize = font.tick * 0.9;
  const zoneLeft = right + hLabelW + tickGap - textWidth(input.timeZone, zoneSize);
  for (const t of ticks) {
    const tx = x(t.at);
    out.push(`<text x="${fmt(tx)}" y="${fmt(labelY)}">${escapeXml(t.label)}</text>`);
    if (t.date && tx + textWidth(t.date, font.tick) / 2 + tickGap < zoneLeft) {
      out.push(
        `<text x="${fmt(tx)}" y="${fmt(dateY)}" font-weight="bold" fill="${COLORS.text}">${escapeXml(t.date)}</text>`,
      );
    }
  }
  out.push(
    `<text x="${fmt(right + hLabelW + tickGap)}" y="${fmt(dateY)}" text-anchor="end" font-size="${fmt(zoneSize)}">${escapeXml(input.timeZone)}</text>`,
    "</g>",
  );

  // Series.
  const runs = splitAtGaps(buckets, bucketMs);
  const dot = fmt(stroke.dot);
  out.push('<g clip-path="url(#plot)" fill="none" stroke-linejoin="round" stroke-linecap="round">');
  out.push(`<g class="series-temperature-band" fill="${COLORS.temperature}" fill-opacity="0.18" stroke="none">`);
  for (const run of runs) {
    if (run.length === 1) {
      const b = run[0] as ClimateBucket;
      const w = Math.max(stroke.series, (bucketMs / span) * plotW);
      out.push(
        `<rect x="${fmt(cx(b) - w / 2)}" y="${fmt(yT(b.tMax))}" width="${fmt(w)}" height="${fmt(Math.max(0, yT(b.tMin) - yT(b.tMax)))}"/>`,
      );
      continue;
    }
    const upper = run.map((b) => `${fmt(cx(b))},${fmt(yT(b.tMax))}`);
    const lower = run.map((b) => `${fmt(cx(b))},${fmt(yT(b.tMin))}`).reverse();
    out.push(`<polygon points="${[...upper, ...lower].join(" ")}"/>`);
  }
  out.push("</g>");
  const line = (cls: string, color: string, y: (b: ClimateBucket) => number) => {
    out.push(`<g class="${cls}" stroke="${color}" stroke-width="${fmt(stroke.series)}">`);
    for (const run of runs) {
      if (run.length === 1) {
        const b = run[0] as ClimateBucket;
        out.push(`<circle cx="${fmt(cx(b))}" cy="${fmt(y(b))}" r="${dot}" fill="${color}" stroke="none"/>`);
      } else {
        out.push(`<polyline points="${run.map((b) => `${fmt(cx(b))},${fmt(y(b))}`).join(" ")}"/>`);
      }
    }
    out.push("</g>");
  };
  line("series-humidity", COLORS.humidity, (b) => yH(b.hAvg));
  line("series-temperature", COLORS.temperature, (b) => yT(b.tAvg));
  out.push("</g>");

  if (buckets.length === 0) {
    const boxW = Math.min(plotW, textWidth(labels.noData, font.noData) + 24 * s);
    const boxH = font.noData * 2.2;
    const mx = left + plotW / 2;
    const my = top + plotH / 2;
    out.push(
      `<rect x="${fmt(mx - boxW / 2)}" y="${fmt(my - boxH / 2)}" width="${fmt(boxW)}" height="${fmt(boxH)}" rx="${fmt(4 * s)}" fill="#ffffff" fill-opacity="0.9" stroke="${COLORS.grid}"/>`,
      `<text class="no-data" x="${fmt(mx)}" y="${fmt(my + font.noData * 0.35)}" text-anchor="middle" font-size="${fmt(font.noData)}" fill="${COLORS.muted}">${escapeXml(labels.noData)}</text>`,
    );
  }

  // Header.
  out.push(
    `<text class="title" x="${margin}" y="${fmt(titleY)}" font-size="${fmt(font.title)}" font-weight="bold" fill="${COLORS.text}">${escapeXml(input.title)}</text>`,
  );
  if (input.subtitle) {
    out.push(
      `<text class="subtitle" x="${margin}" y="${fmt(subtitleY)}" font-size="${fmt(font.subtitle)}" fill="${COLORS.muted}">${escapeXml(input.subtitle)}</text>`,
    );
  }
  out.push(`<g class="legend" font-size="${fmt(font.legend)}" fill="${COLORS.text}">`);
  legendItems.forEach((item, i) => {
    const { x: lx, y: legendY } = legendPlaces[i] ?? { x: margin, y: legendBottom };
    const midY = legendY - font.legend * 0.35;
    if (item.kind === "line") {
      if (item.band) {
        out.push(
          `<rect x="${fmt(lx)}" y="${fmt(midY - 4 * s)}" width="${fmt(swatch)}" height="${fmt(8 * s)}" fill="${item.color}" fill-opacity="0.18"/>`,
        );
      }
      out.push(
        `<line x1="${fmt(lx)}" x2="${fmt(lx + swatch)}" y1="${fmt(midY)}" y2="${fmt(midY)}" stroke="${item.color}" stroke-width="${fmt(stroke.series)}" stroke-linecap="round"/>`,
      );
    } else {
      out.push(
        `<rect x="${fmt(lx)}" y="${fmt(midY - 5 * s)}" width="${fmt(swatch)}" height="${fmt(10 * s)}" fill="${item.color}" fill-opacity="${item.color === COLORS.critical ? 0.3 : 0.4}"/>`,
      );
    }
    out.push(`<text x="${fmt(lx + swatch + 5 * s)}" y="${fmt(legendY)}">${escapeXml(item.text)}</text>`);
  });
  out.push("</g>", "</svg>");
  return out.join("\n");
}

/** The chart as a PNG (default 1080 x 810, a size Telegram shows whole in a chat bubble). */
export async function renderClimateChartPng(input: ClimateChartInput): Promise<Buffer> {
  return sharp(Buffer.from(renderClimateChartSvg(input)))
    .png({ compressionLevel: 6 })
    .toBuffer();
}
