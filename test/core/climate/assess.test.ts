import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assess, trendOf } from "../../../core/climate/assess.ts";
import type { Reading } from "../../../core/climate/reading.ts";

const t = { warn: { min: 18, max: 27 }, critical: { min: 15, max: 30 } };

describe("assess", () => {
  test("levels and direction, boundaries inclusive of the band", () => {
    assert.deepEqual(assess(22, t), { level: "ok" });
    assert.deepEqual(assess(27, t), { level: "ok" });
    assert.deepEqual(assess(27.1, t), { level: "warn", direction: "high" });
    assert.deepEqual(assess(30.5, t), { level: "critical", direction: "high" });
    assert.deepEqual(assess(17, t), { level: "warn", direction: "low" });
    assert.deepEqual(assess(14.9, t), { level: "critical", direction: "low" });
  });
});

describe("trendOf", () => {
  const min = 60_000;
  const series = (values: number[]): Reading[] =>
    values.map((v, i) => ({ roomId: "a", at: 1_000_000 - i * min, temperatureC: v, humidityPct: 40 }));
  const opts = { windowMs: 15 * min, epsilon: 0.3 };
  const temp = (r: Reading) => r.temperatureC;

  test("rising, falling, steady (newest first)", () => {
    assert.equal(trendOf(series([23, 22.5, 22]), temp, opts), "rising");
    assert.equal(trendOf(series([21, 21.5, 22]), temp, opts), "falling");
    assert.equal(trendOf(series([22.1, 22, 21.9]), temp, opts), "steady");
  });

  test("unknown without enough history", () => {
    assert.equal(trendOf([], temp, opts), "unknown");
    assert.equal(trendOf(series([22]), temp, opts), "unknown");
  });

  test("ignores readings older than the window", () => {
    const rs = series([22, 22, ...Array(20).fill(10)]);
    // Inside 15 minutes the oldest value is 10 (index 15), so it is rising; with a 1-minute window, steady.
    assert.equal(trendOf(rs, temp, opts), "rising");
    assert.equal(trendOf(rs, temp, { windowMs: min, epsilon: 0.3 }), "steady");
  });
});
