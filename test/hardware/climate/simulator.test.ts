import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type ClimateErrorCode, ClimateSensorError } from "../../../core/climate/sensor.ts";
import { createSimulatedClimateSensor, mulberry32 } from "../../../hardware/climate/simulator.ts";
import { ManualClock } from "../../support/fakes.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

async function series(seed: number, n: number, stepMs = MINUTE) {
  const clock = new ManualClock();
  const sim = createSimulatedClimateSensor({ clock, seed });
  const out = [];
  for (let i = 0; i < n; i++) {
    out.push(await sim.read());
    clock.advance(stepMs);
  }
  return out;
}

async function rejectsWith(p: Promise<unknown>, code: ClimateErrorCode, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ClimateSensorError, `expected ClimateSensorError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (message) assert.match(e.message, message);
    return true;
  });
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe("mulberry32", () => {
  test("is deterministic and in [0, 1)", () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    for (let i = 0; i < 100; i++) {
      const x = a();
      assert.equal(x, b());
      assert.ok(x >= 0 && x < 1);
    }
  });
});

describe("createSimulatedClimateSensor", () => {
  test("is a climate sensor named sim, reading around its base values", async () => {
    const sim = createSimulatedClimateSensor({ clock: new ManualClock(), baseTemperatureC: 21, baseHumidityPct: 50 });
    assert.equal(sim.driver, "sim");
    const s = await sim.read();
    assert.ok(Math.abs(s.temperatureC - 21) < 4, `temperature ${s.temperatureC}`);
    assert.ok(Math.abs(s.humidityPct - 50) < 15, `humidity ${s.humidityPct}`);
  });

  test("values are rounded to one decimal", async () => {
    for (const s of await series(3, 50)) {
      assert.equal(Math.round(s.temperatureC * 10) / 10, s.temperatureC);
      assert.equal(Math.round(s.humidityPct * 10) / 10, s.humidityPct);
    }
  });

  test("is deterministic for a seed and differs across seeds", async () => {
    assert.deepEqual(await series(42, 30), await series(42, 30));
    assert.notDeepEqual(await series(42, 30), await series(43, 30));
  });

  test("values move a little between reads, without jumps", async () => {
    const s = await series(5, 120);
    const temps = new Set(s.map((x) => x.temperatureC));
    assert.ok(temps.size > 5, "the values drift");
    for (let i = 1; i < s.length; i++) {
      const a = s[i - 1];
      const b = s[i];
      assert.ok(a && b);
      assert.ok(Math.abs(b.temperatureC - a.temperatureC) < 1.5, `step ${i}`);
      assert.ok(Math.abs(b.humidityPct - a.humidityPct) < 5, `step ${i}`);
    }
  });

  test("day/night: warmer and drier in the afternoon than before dawn", async () => {
    // local-time dates, so the test does not depend on TZ
    const clock = new ManualClock(new Date(2026, 0, 5, 3, 0, 0));
    const sim = createSimulatedClimateSensor({ clock, seed: 11, baseTemperatureC: 22, baseHumidityPct: 45 });
    const night = { t: [] as number[], h: [] as number[] };
    const afternoon = { t: [] as number[], h: [] as number[] };
    for (let day = 0; day < 10; day++) {
      clock.set(new Date(2026, 0, 5 + day, 3, 0, 0));
      const n = await sim.read();
      night.t.push(n.temperatureC);
      night.h.push(n.humidityPct);
      clock.set(new Date(2026, 0, 5 + day, 15, 0, 0));
      const a = await sim.read();
      afternoon.t.push(a.temperatureC);
      afternoon.h.push(a.humidityPct);
    }
    const dT = mean(afternoon.t) - mean(night.t);
    assert.ok(dT > 2 && dT < 4, `afternoon minus night: ${dT} °C (cycle is ±1.5 °C)`);
    assert.ok(mean(afternoon.h) < mean(night.h) - 3, "humidity falls as the air warms");
  });

  test("set pins a value until release; the other quantity keeps simulating", async () => {
    const clock = new ManualClock();
    const sim = createSimulatedClimateSensor({ clock, seed: 2 });
    sim.set({ temperatureC: 31.26 });
    const a = await sim.read();
    assert.equal(a.temperatureC, 31.3);
    clock.advance(HOUR);
    assert.equal((await sim.read()).temperatureC, 31.3);
    sim.set({ humidityPct: 72 });
    assert.deepEqual(await sim.read(), { temperatureC: 31.3, humidityPct: 72 });
    sim.release();
    const b = await sim.read();
    assert.ok(Math.abs(b.temperatureC - 22) < 4);
    assert.ok(Math.abs(b.humidityPct - 45) < 15);
  });

  test("a pinned value no DHT22 can produce is rejected as implausible, like the driver does", async () => {
    const sim = createSimulatedClimateSensor({ clock: new ManualClock() });
    sim.set({ temperatureC: 120 });
    await rejectsWith(sim.read(), "implausible", /120 °C is outside/);
    sim.set({ temperatureC: Number.NaN });
    await rejectsWith(sim.read(), "implausible", /not a finite number/);
    sim.set({ temperatureC: 0, humidityPct: 0 });
    await rejectsWith(sim.read(), "implausible", /all-zero/);
    sim.release();
    await sim.read();
  });

  test("fail: the next N reads fail with the code, then it reads again", async () => {
    const sim = createSimulatedClimateSensor({ clock: new ManualClock() });
    sim.fail("checksum", 2);
    await rejectsWith(sim.read(), "checksum");
    await rejectsWith(sim.read(), "checksum");
    await sim.read();
    sim.fail("timeout");
    await rejectsWith(sim.read(), "timeout");
    await sim.read();
    assert.equal(sim.reads, 5);
  });

  test("fail(code, Infinity) lasts until repair", async () => {
    const sim = createSimulatedClimateSensor({ clock: new ManualClock() });
    sim.fail("unavailable", Number.POSITIVE_INFINITY);
    for (let i = 0; i < 20; i++) await rejectsWith(sim.read(), "unavailable");
    sim.repair();
    await sim.read();
    assert.equal(sim.reads, 21);
    assert.throws(() => sim.fail("checksum", 0), RangeError);
  });

  test("stick reports the same value forever, until release", async () => {
    const clock = new ManualClock();
    const sim = createSimulatedClimateSensor({ clock, seed: 9 });
    const first = await sim.read();
    sim.stick();
    for (let i = 0; i < 10; i++) {
      clock.advance(3 * HOUR);
      assert.deepEqual(await sim.read(), first);
    }
    sim.release();
    const values = [];
    for (let i = 0; i < 10; i++) {
      clock.advance(3 * HOUR);
      values.push(await sim.read());
    }
    assert.ok(values.some((v) => v.temperatureC !== first.temperatureC));
  });

  test("close is safe twice; reads after close are unavailable", async () => {
    const sim = createSimulatedClimateSensor();
    await sim.read();
    await sim.close();
    await sim.close();
    await rejectsWith(sim.read(), "unavailable", /closed/);
  });
});
