import assert from "node:assert/strict";
import { describe, test } from "node:test";
import sharp from "sharp";
import type { ClimateBucket } from "../../../core/climate/chart.ts";
import {
  buildClimateChart,
  CHART_BUCKETS,
  chartWindow,
  parseChartRange,
  summarizeClimate,
} from "../../../core/climate/series.ts";

const NOW = Date.UTC(2026, 10, 23, 10, 0, 30);
const thresholds = {
  temperatureC: { warn: { min: 18, max: 27 }, critical: { min: 15, max: 30 } },
  humidityPct: { warn: { min: 30, max: 60 }, critical: { min: 20, max: 70 } },
};
const b = (at: number, count: number, t: [number, number, number], h: [number, number, number]): ClimateBucket => ({
  at,
  count,
  tMin: t[0],
  tAvg: t[1],
  tMax: t[2],
  hMin: h[0],
  hAvg: h[1],
  hMax: h[2],
});

describe("climate series", () => {
  test("parses ranges: empty is 24h, case and spaces ignored, anything else refused", () => {
    assert.equal(parseChartRange(""), "24h");
    assert.equal(parseChartRange(" 6H "), "6h");
    assert.equal(parseChartRange("7d"), "7d");
    for (const bad of ["3h", "24", "1w", "toString", "__proto__", "6h 7d"])
      assert.equal(parseChartRange(bad), undefined, bad);
  });

  test("the window ends just after now, on bucket boundaries", () => {
    const w = chartWindow("24h", NOW);
    assert.equal(w.bucketMs, 360_000);
    assert.equal(new Date(w.to).toISOString(), "2026-11-23T10:06:00.000Z");
    assert.equal(w.to - w.from, 24 * 3_600_000);
    assert.ok(w.from % w.bucketMs === 0 && w.to > NOW);
    assert.equal(chartWindow("24h", NOW + 60_000).to, w.to, "same buckets a minute later");
  });

  test("the summary weights averages by reading count", () => {
    assert.equal(summarizeClimate([]), undefined);
    const s = summarizeClimate([b(0, 1, [20, 20, 20], [40, 40, 40]), b(1, 3, [21, 24, 25], [30, 50, 55])]);
    assert.deepEqual(s, { count: 4, tMin: 20, tAvg: 23, tMax: 25, hMin: 30, hAvg: 47.5, hMax: 55 });
  });

  test("buildClimateChart asks storage for 240 buckets of the window and renders a PNG", async () => {
    const asked: unknown[] = [];
    const readings = {
      async aggregate(roomId: string, from: number, to: number, buckets: number) {
        asked.push({ roomId, from, to, buckets });
        return [b(from, 2, [21, 22, 23], [40, 41, 42])];
      },
    };
    const { series, png } = await buildClimateChart(
      { readings, roomId: "lab", now: NOW, timeZone: "UTC", thresholds, width: 600, height: 300 },
      "7d",
      (s) => ({ title: `lab ${s.range}`, labels: { temperature: "T", humidity: "H", noData: "-" } }),
    );
    const w = chartWindow("7d", NOW);
    assert.deepEqual(asked, [{ roomId: "lab", from: w.from, to: w.to, buckets: CHART_BUCKETS }]);
    assert.equal(series.summary?.tAvg, 22);
    const meta = await sharp(png).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ["png", 600, 300]);
  });
});
