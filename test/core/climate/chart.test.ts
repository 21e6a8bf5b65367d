import assert from "node:assert/strict";
import { describe, test } from "node:test";
import sharp from "sharp";
import {
  type ClimateBucket,
  type ClimateChartInput,
  escapeXml,
  renderClimateChartPng,
  renderClimateChartSvg,
  splitAtGaps,
  timeTicks,
} from "../../../core/climate/chart.ts";

const HOUR = 3_600_000;
const TO = Date.UTC(2026, 10, 23, 10, 0);
const DAY_FROM = TO - 24 * HOUR;
const BUCKET = (24 * HOUR) / 240;

const thresholds = {
  temperatureC: { warn: { min: 18, max: 27 }, critical: { min: 15, max: 30 } },
  humidityPct: { warn: { min: 30, max: 60 }, critical: { min: 20, max: 70 } },
};
const labels = { temperature: "Temperature", humidity: "Humidity", noData: "Nothing <here> & now" };

const bucket = (i: number, t = 22, h = 45): ClimateBucket => ({
  at: DAY_FROM + i * BUCKET,
  count: 6,
  tMin: t - 0.4,
  tAvg: t,
  tMax: t + 0.4,
  hMin: h - 1,
  hAvg: h,
  hMax: h + 1,
});

/** Buckets 0..239 except the given ones. */
const dayOf = (missing: (i: number) => boolean = () => false, t = (i: number) => 22 + Math.sin(i / 20)) =>
  Array.from({ length: 240 }, (_, i) => i)
    .filter((i) => !missing(i))
    .map((i) => bucket(i, t(i), 45 + Math.cos(i / 30) * 5));

const input = (over: Partial<ClimateChartInput> = {}): ClimateChartInput => ({
  title: "test-room · climate",
  subtitle: "last 24 hours",
  buckets: dayOf(),
  from: DAY_FROM,
  to: TO,
  bucketMs: BUCKET,
  timeZone: "UTC",
  thresholds,
  labels,
  ...over,
});

/** The contents of `<g class="NAME" ...>...</g>` (series groups do not nest). */
function group(svg: string, name: string): string {
  const m = new RegExp(`<g class="${name}"[^>]*>([\\s\\S]*?)</g>`).exec(svg);
  assert.ok(m, `group ${name} present`);
  return m[1] ?? "";
}
const count = (text: string, re: RegExp) => (text.match(re) ?? []).length;

describe("climate chart SVG", () => {
  test("has the title and subtitle, escaped for XML", () => {
    const svg = renderClimateChartSvg(input({ title: `<Lab & "Co">`, subtitle: "it's 'fine'" }));
    assert.ok(svg.startsWith("<svg "));
    assert.match(svg, /class="title"[^>]*>&lt;Lab &amp; &quot;Co&quot;&gt;<\/text>/);
    assert.match(svg, /class="subtitle"[^>]*>it&apos;s &apos;fine&apos;<\/text>/);
    assert.ok(!svg.includes("<Lab"), "no raw markup from the title");
    assert.equal(escapeXml("a\u0001b<"), "ab&lt;", "control characters (invalid in XML) dropped");
  });

  test("one line per series, a min–max band for temperature, and a legend", () => {
    const svg = renderClimateChartSvg(input());
    assert.equal(count(group(svg, "series-temperature"), /<polyline /g), 1);
    assert.equal(count(group(svg, "series-humidity"), /<polyline /g), 1);
    assert.equal(count(group(svg, "series-temperature-band"), /<polygon /g), 1);
    const points = /<polyline points="([^"]+)"/.exec(group(svg, "series-temperature"))?.[1] ?? "";
    assert.equal(points.split(" ").length, 240, "a point per bucket");
    const legend = group(svg, "legend");
    assert.match(legend, /Temperature \(°C\)/);
    assert.match(legend, /Humidity \(%\)/);
  });

  test("shades the warning zones, and the critical zones when the axis reaches them", () => {
    const calm = renderClimateChartSvg(input());
    assert.equal(count(calm, /class="zone-warning"/g), 2, "below 18 and above 27 °C");
    assert.equal(count(calm, /class="zone-critical"/g), 0, "axis ends before 15 / 30 °C");
    const hot = renderClimateChartSvg(input({ buckets: dayOf(undefined, (i) => (i === 120 ? 33 : 22)) }));
    assert.equal(count(hot, /class="zone-critical"/g), 1, "above 30 °C");
    assert.equal(count(hot, /class="zone-warning"/g), 2);
  });

  test("does not draw lines across gaps of more than three empty buckets", () => {
    // Buckets 100..109 missing (10 empty): two runs. 150..152 missing (3 empty): bridged.
    const svg = renderClimateChartSvg(input({ buckets: dayOf((i) => (i >= 100 && i < 110) || (i >= 150 && i < 153)) }));
    for (const series of ["series-temperature", "series-humidity"]) {
      assert.equal(count(group(svg, series), /<polyline /g), 2, series);
    }
    assert.equal(count(group(svg, "series-temperature-band"), /<polygon /g), 2);
    const runs = splitAtGaps(
      dayOf((i) => i >= 100 && i < 104),
      BUCKET,
    );
    assert.equal(runs.length, 2, "four empty buckets end a line");
    assert.equal(
      splitAtGaps(
        dayOf((i) => i >= 100 && i < 103),
        BUCKET,
      ).length,
      1,
      "three are bridged",
    );
  });

  test("an isolated bucket is a dot, not a line", () => {
    const svg = renderClimateChartSvg(input({ buckets: [bucket(10), bucket(100), bucket(101)] }));
    const temp = group(svg, "series-temperature");
    assert.equal(count(temp, /<circle /g), 1);
    assert.equal(count(temp, /<polyline /g), 1);
  });

  test("sparse samples (one an hour) are still joined", () => {
    const hourly = Array.from({ length: 24 }, (_, i) => bucket(i * 10));
    assert.equal(splitAtGaps(hourly, BUCKET).length, 1);
    const withOutage = hourly.filter((_, i) => i < 8 || i > 12);
    assert.equal(splitAtGaps(withOutage, BUCKET).length, 2, "a 6-hour outage still breaks the line");
  });

  test("without data it shows the no-data label and no series", () => {
    const svg = renderClimateChartSvg(input({ buckets: [] }));
    assert.match(svg, /class="no-data"[^>]*>Nothing &lt;here&gt; &amp; now<\/text>/);
    assert.equal(count(svg, /<polyline /g), 0);
    assert.equal(count(svg, /class="zone-warning"/g), 2, "the zones still give context");
  });

  test("the time axis shows round local hours, with the date at midnight", () => {
    const svg = renderClimateChartSvg(input({ timeZone: "Asia/Tokyo" }));
    // 2026-11-22 19:00 to 2026-11-23 19:00 JST, every 6 hours (what fits at phone type size).
    for (const label of ["00:00", "06:00", "12:00", "18:00", "11-23", "Asia/Tokyo"])
      assert.ok(svg.includes(`>${label}<`), label);
  });
});

describe("time ticks", () => {
  const labelsOf = (from: number, to: number, tz: string) => timeTicks(from, to, tz).map((t) => t.label);

  test("hourly for 6 hours, every 3 hours for 24 hours, daily for 7 days", () => {
    assert.deepEqual(labelsOf(TO - 6 * HOUR, TO, "UTC"), [
      "04:00",
      "05:00",
      "06:00",
      "07:00",
      "08:00",
      "09:00",
      "10:00",
    ]);
    assert.deepEqual(labelsOf(DAY_FROM, TO, "UTC"), [
      "12:00",
      "15:00",
      "18:00",
      "21:00",
      "00:00",
      "03:00",
      "06:00",
      "09:00",
    ]);
    assert.deepEqual(labelsOf(TO - 7 * 24 * HOUR, TO, "UTC"), [
      "11-17",
      "11-18",
      "11-19",
      "11-20",
      "11-21",
      "11-22",
      "11-23",
    ]);
  });

  test("follow the timezone, including offsets that are not whole hours and DST changes", () => {
    assert.deepEqual(labelsOf(TO - 6 * HOUR, TO, "Asia/Kathmandu").slice(0, 2), ["10:00", "11:00"]);
    const kathmandu = timeTicks(TO - 6 * HOUR, TO, "Asia/Kathmandu")[0];
    assert.equal(new Date(kathmandu?.at ?? 0).toISOString(), "2026-11-23T04:15:00.000Z");
    // Europe/Berlin, 2026-10-25: 03:00 CEST becomes 02:00 CET.
    const dst = timeTicks(Date.UTC(2026, 9, 24, 12), Date.UTC(2026, 9, 25, 12), "Europe/Berlin");
    assert.deepEqual(
      dst.map((t) => t.label),
      ["15:00", "18:00", "21:00", "00:00", "03:00", "06:00", "09:00", "12:00"],
    );
    assert.equal(dst.find((t) => t.midnight)?.date, "10-25");
  });
});

describe("climate chart on a phone", () => {
  // Telegram shows a photo about 360 px wide in a chat bubble: sizes are judged at that width.
  const bubble = (px: number, width: number) => (px * 360) / width;
  const fontSizes = (svg: string) => [...svg.matchAll(/font-size="([\d.]+)"/g)].map((m) => Number(m[1]));
  const attr = (tag: string, name: string) => Number(new RegExp(`${name}="([\\d.-]+)"`).exec(tag)?.[1]);

  for (const [width, height] of [
    [1080, 810],
    [640, 480],
    [1200, 600],
  ] as const) {
    test(`${width}x${height}: every text at least 9 px and the lines 2 px in a 360 px bubble`, () => {
      const svg = renderClimateChartSvg(
        input({ width, height, labels: { ...labels, warning: "Warning", critical: "Critical" } }),
      );
      const sizes = fontSizes(svg);
      assert.ok(sizes.length >= 4, "font sizes found");
      assert.ok(
        bubble(Math.min(...sizes), width) >= 9,
        `smallest text ${bubble(Math.min(...sizes), width).toFixed(1)} px`,
      );
      const ticks = /<g font-size="([\d.]+)" fill="#6c757d"/.exec(svg);
      // Sizes are written to 0.1 px.
      assert.ok(bubble(Number(ticks?.[1]), width) >= 9.95, "time labels at least 10 px");
      for (const cls of ["series-temperature", "series-humidity"]) {
        const g = new RegExp(`<g class="${cls}"[^>]*>`).exec(svg)?.[0] ?? "";
        assert.ok(bubble(attr(g, "stroke-width"), width) >= 1.95, `${cls} line ${attr(g, "stroke-width")}`);
      }
    });
  }

  test("time labels never overlap, and the legend stays inside the picture", () => {
    for (const span of [6, 24, 24 * 7, 24 * 30]) {
      const svg = renderClimateChartSvg(
        input({
          from: TO - span * HOUR,
          bucketMs: (span * HOUR) / 240,
          labels: { ...labels, warning: "Warning zone", critical: "Critical zone" },
        }),
      );
      const size = Number(/<g font-size="([\d.]+)" fill="#6c757d"/.exec(svg)?.[1]);
      const timeGroup =
        /<g font-size="[\d.]+" fill="#6c757d" text-anchor="middle">([\s\S]*?)<\/g>/.exec(svg)?.[1] ?? "";
      const xs = [...timeGroup.matchAll(/<text x="([\d.]+)" y="[\d.]+">([^<]+)<\/text>/g)].map((m) => ({
        x: Number(m[1]),
        text: m[2] ?? "",
      }));
      assert.ok(xs.length >= 2, `${span} h: ${xs.length} time labels`);
      for (let i = 1; i < xs.length; i++) {
        const a = xs[i - 1];
        const b = xs[i];
        if (!a || !b) continue;
        const room = ((a.text.length + b.text.length) / 2) * 0.62 * size;
        assert.ok(b.x - a.x > room, `${span} h: "${a.text}" at ${a.x} and "${b.text}" at ${b.x} overlap`);
      }
      const legend = group(svg, "legend");
      for (const m of legend.matchAll(/<text x="([\d.]+)" y="[\d.]+">([^<]+)<\/text>/g)) {
        const end =
          Number(m[1]) +
          (m[2] ?? "").length *
            0.62 *
            Number(/font-size="([\d.]+)"/.exec(svg.slice(svg.indexOf('class="legend"')))?.[1]);
        assert.ok(end <= 1080, `legend "${m[2]}" ends at ${end.toFixed(0)}`);
      }
    }
  });
});

describe("climate chart PNG", () => {
  test("decodes as a 1080x810 PNG by default, or the size asked", async () => {
    const png = await renderClimateChartPng(input());
    const meta = await sharp(png).metadata();
    assert.equal(meta.format, "png");
    assert.equal(meta.width, 1080);
    assert.equal(meta.height, 810);
    const small = await sharp(await renderClimateChartPng(input({ width: 640, height: 320, buckets: [] }))).metadata();
    assert.deepEqual([small.format, small.width, small.height], ["png", 640, 320]);
  });

  test("renders escaped text without breaking the SVG, and the title is drawn", async () => {
    const png = await renderClimateChartPng(input({ title: `<Lab & "Co"> ' ]]>`, labels: { ...labels, noData: "&" } }));
    // The title area (top left) has dark pixels: text was drawn (fonts found).
    const { data, info } = await sharp(png)
      .extract({ left: 36, top: 40, width: 300, height: 40 })
      .greyscale()
      .raw()
      .toBuffer({ resolveWithObject: true });
    let dark = 0;
    for (let i = 0; i < info.width * info.height; i++) if ((data[i] ?? 255) < 100) dark++;
    assert.ok(dark > 200, `title pixels: ${dark}`);
  });
});
