import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  checkJump,
  DEFAULT_JUMP_LIMITS,
  dewPointC,
  milliToSample,
  parseMilli,
  roundToTenth,
  toSample,
} from "../../../hardware/climate/conversions.ts";

function reasonOf(r: ReturnType<typeof toSample>): string {
  assert.equal(r.ok, false);
  return r.ok ? "" : r.reason;
}

describe("toSample", () => {
  test("accepts a normal frame and rounds to one decimal", () => {
    assert.deepEqual(toSample(21.299999237060547, 48.25), {
      ok: true,
      sample: { temperatureC: 21.3, humidityPct: 48.3 },
    });
    assert.deepEqual(toSample(-0.04, 55), { ok: true, sample: { temperatureC: 0, humidityPct: 55 } });
    assert.ok(Object.is((toSample(-0.04, 55) as { sample: { temperatureC: number } }).sample.temperatureC, 0));
  });

  test("datasheet boundaries are inclusive", () => {
    assert.equal(toSample(-40, 0.1).ok, true);
    assert.equal(toSample(80, 100).ok, true);
    assert.equal(toSample(22, 0).ok, true);
    assert.equal(toSample(80.04, 50).ok, true, "rounds to 80.0 first");
  });

  test("rejects values outside the range", () => {
    assert.match(reasonOf(toSample(-40.1, 50)), /temperature -40\.1 °C is outside/);
    assert.match(reasonOf(toSample(80.1, 50)), /temperature 80\.1/);
    assert.match(reasonOf(toSample(22, 100.1)), /humidity 100\.1 % is outside/);
    assert.match(reasonOf(toSample(22, -0.5)), /humidity -0\.5/);
    assert.match(reasonOf(toSample(3276.7, 50)), /outside/);
  });

  test("rejects NaN and Infinity", () => {
    assert.match(reasonOf(toSample(Number.NaN, 50)), /temperature is not a finite number \(NaN\)/);
    assert.match(reasonOf(toSample(22, Number.NaN)), /humidity is not a finite number/);
    assert.match(reasonOf(toSample(Number.POSITIVE_INFINITY, 50)), /Infinity/);
    assert.match(reasonOf(toSample(22, Number.NEGATIVE_INFINITY)), /-Infinity/);
  });

  test("rejects the all-zero frame of a disconnected sensor, but not 0 °C alone", () => {
    assert.match(reasonOf(toSample(0, 0)), /all-zero frame/);
    assert.match(reasonOf(toSample(0.02, 0.01)), /all-zero frame/, "judged after rounding");
    assert.equal(toSample(0, 40).ok, true);
    assert.equal(toSample(15, 0).ok, true);
  });
});

describe("parseMilli", () => {
  test("a whole number of milli-units as sysfs prints it", () => {
    assert.equal(parseMilli("23400\n"), 23400);
    assert.equal(parseMilli("-5300\n"), -5300);
    assert.equal(parseMilli("0"), 0);
    assert.ok(Object.is(parseMilli("-0\n"), 0));
  });

  test("anything else is undefined", () => {
    for (const bad of ["", "\n", "23.4", "1e3", "abc", "23400 45600", "0x10", "+5", "1234567890"]) {
      assert.equal(parseMilli(bad), undefined, JSON.stringify(bad));
    }
  });
});

describe("milliToSample", () => {
  test("converts milli-°C and milli-%RH and validates like toSample", () => {
    assert.deepEqual(milliToSample(23400, 45600), { ok: true, sample: { temperatureC: 23.4, humidityPct: 45.6 } });
    assert.deepEqual(milliToSample(-40000, 100000), { ok: true, sample: { temperatureC: -40, humidityPct: 100 } });
    assert.match(reasonOf(milliToSample(22000, 150000)), /humidity 150 % is outside/);
    assert.match(reasonOf(milliToSample(85000, 40000)), /temperature 85 °C is outside/);
    assert.match(reasonOf(milliToSample(0, 0)), /all-zero frame/);
  });
});

describe("roundToTenth", () => {
  test("half away from zero, no -0", () => {
    assert.equal(roundToTenth(21.25), 21.3);
    assert.equal(roundToTenth(-21.25), -21.3);
    assert.equal(roundToTenth(21.24), 21.2);
    assert.ok(Object.is(roundToTenth(-0.01), 0));
  });
});

describe("checkJump", () => {
  const prev = { temperatureC: 22, humidityPct: 45 };
  const minute = DEFAULT_JUMP_LIMITS.intervalMs;

  test("accepts changes up to the limits within one interval", () => {
    assert.equal(checkJump(prev, { temperatureC: 32, humidityPct: 75 }, minute).ok, true);
    assert.equal(checkJump(prev, { temperatureC: 12, humidityPct: 15 }, 1000).ok, true);
  });

  test("rejects a temperature jump of more than 10 °C within one interval", () => {
    const r = checkJump(prev, { temperatureC: 32.1, humidityPct: 45 }, minute);
    assert.equal(r.ok, false);
    assert.match(r.ok ? "" : r.reason, /temperature jumped 10\.1 °C \(22 -> 32\.1\)/);
  });

  test("rejects a humidity jump of more than 30 % within one interval", () => {
    const r = checkJump(prev, { temperatureC: 22, humidityPct: 14.9 }, 5_000);
    assert.equal(r.ok, false);
    assert.match(r.ok ? "" : r.reason, /humidity jumped 30\.1 %/);
  });

  test("allows proportionally more over a longer gap", () => {
    const later = { temperatureC: 41, humidityPct: 45 };
    assert.equal(checkJump(prev, later, minute).ok, false);
    assert.equal(checkJump(prev, later, 2 * minute).ok, true);
  });

  test("custom limits", () => {
    const limits = { temperatureC: 2, humidityPct: 5, intervalMs: 10_000 };
    assert.equal(checkJump(prev, { temperatureC: 24.5, humidityPct: 45 }, 10_000, limits).ok, false);
    assert.equal(checkJump(prev, { temperatureC: 24.5, humidityPct: 45 }, 20_000, limits).ok, true);
  });
});

describe("dewPointC", () => {
  test("matches known values (Magnus, Sonntag constants)", () => {
    assert.equal(Math.round(dewPointC(25, 60) * 10) / 10, 16.7);
    assert.equal(Math.round(dewPointC(20, 50) * 10) / 10, 9.3);
    assert.ok(Math.abs(dewPointC(20, 100) - 20) < 1e-9, "saturated air: dew point equals temperature");
    assert.equal(Math.round(dewPointC(30, 70) * 10) / 10, 23.9);
  });

  test("is NaN for humidity 0 or non-finite input", () => {
    assert.ok(Number.isNaN(dewPointC(20, 0)));
    assert.ok(Number.isNaN(dewPointC(Number.NaN, 50)));
  });
});
