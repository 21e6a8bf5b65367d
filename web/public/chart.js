// The climate chart (uPlot, loaded when first needed): average temperature and humidity with
// their min-max bands, times on the axis in the room's zone, sized to its box.

import { formatter } from "./time.js";

let uPlotModule = null;
const loadUPlot = async () => {
  uPlotModule ??= (await import("/vendor/uplot/uPlot.esm.js")).default;
  return uPlotModule;
};

const css = (name, fallback) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;

/** [xs (s), tAvg, tMin, tMax, hAvg, hMin, hMax] from /api/climate's points. */
export function columns(points) {
  const pick = (key) => points.map((p) => (Number.isFinite(p[key]) ? p[key] : null));
  return [
    points.map((p) => p.at / 1000),
    pick("tAvg"),
    pick("tMin"),
    pick("tMax"),
    pick("hAvg"),
    pick("hMin"),
    pick("hMax"),
  ];
}

/** A time axis label: "14:00", or the day ("6 Dec") at midnight in the room's zone. */
function tickLabel(ms, language, timeZone) {
  const time = formatter(language, timeZone, "time").format(ms);
  return time === "00:00" ? formatter(language, timeZone, "day").format(ms) : time;
}

/**
 * Draws into `box`; returns { set(points), destroy() }. labels: { temperature, humidity }
 * (the page's words for the series); onHover({ at, t, h } | null) as the cursor moves.
 */
export async function climateChart(box, points, { timeZone, language, labels, onHover }) {
  const uPlot = await loadUPlot();
  const temp = css("--chart-temperature", "#e4572e");
  const hum = css("--chart-humidity", "#2e86de");
  const axis = css("--hint", "#888");
  const grid = { stroke: "rgba(128,128,128,0.18)", width: 1 };
  const band = { stroke: "transparent", points: { show: false }, width: 0 };
  const height = () => (box.clientWidth < 500 ? 200 : 280);
  const plot = new uPlot(
    {
      width: Math.max(200, box.clientWidth),
      height: height(),
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), timeZone),
      legend: { show: false },
      hooks: {
        setCursor: [
          (u) => {
            const i = u.cursor.idx;
            onHover?.(
              i === null || i === undefined ? null : { at: u.data[0][i] * 1000, t: u.data[1][i], h: u.data[4][i] },
            );
          },
        ],
      },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, t: { auto: true }, h: { auto: true } },
      series: [
        {},
        { label: labels.temperature, scale: "t", stroke: temp, width: 2, spanGaps: false },
        { ...band, scale: "t" },
        { ...band, scale: "t" },
        { label: labels.humidity, scale: "h", stroke: hum, width: 2, spanGaps: false },
        { ...band, scale: "h" },
        { ...band, scale: "h" },
      ],
      bands: [
        { series: [3, 2], fill: `${temp}33` },
        { series: [6, 5], fill: `${hum}33` },
      ],
      axes: [
        {
          stroke: axis,
          grid,
          ticks: grid,
          values: (_, ticks) => ticks.map((s) => tickLabel(s * 1000, language, timeZone)),
        },
        { scale: "t", stroke: temp, grid, ticks: grid, size: 48, values: (_, ticks) => ticks.map((v) => `${v}°`) },
        {
          scale: "h",
          side: 1,
          stroke: hum,
          grid: { show: false },
          ticks: grid,
          size: 44,
          values: (_, ticks) => ticks.map((v) => `${v}%`),
        },
      ],
    },
    columns(points),
    box,
  );
  const resize = new ResizeObserver(() => {
    const width = Math.max(200, box.clientWidth);
    if (width !== plot.width) plot.setSize({ width, height: height() });
  });
  resize.observe(box);
  return {
    set: (next) => plot.setData(columns(next)),
    destroy: () => {
      resize.disconnect();
      plot.destroy();
    },
  };
}
