/** The simulated motion sensor honours the drivers' contract: no events unless started and working, cooldown, dead/alive. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { MotionEvent } from "../../../core/motion/sensor.ts";
import { createSimulatedMotionSensor, type SimulatedMotionOptions } from "../../../hardware/motion/simulator.ts";
import { ManualClock } from "../../support/fakes.ts";

function setup(opts: SimulatedMotionOptions = {}) {
  const clock = new ManualClock();
  const sim = createSimulatedMotionSensor({ clock, ...opts });
  const events: MotionEvent[] = [];
  const listener = (e: MotionEvent) => {
    events.push(e);
  };
  return { clock, sim, events, listener, types: () => events.map((e) => e.type) };
}

describe("createSimulatedMotionSensor", () => {
  test("trigger() emits motion (source sim, the clock's time, the score given) only while started", async () => {
    const t = setup({ cooldownMs: 0 });
    assert.equal(t.sim.driver, "sim");
    assert.equal(t.sim.trigger(), false, "before start()");
    await t.sim.start(t.listener);
    assert.equal(t.sim.running, true);
    const at = t.clock.now().getTime();
    assert.equal(t.sim.trigger(0.3), true);
    assert.equal(t.sim.trigger(), true);
    await t.sim.stop();
    assert.equal(t.sim.running, false);
    assert.equal(t.sim.trigger(), false, "after stop()");
    assert.deepEqual(t.events, [
      { type: "motion", at, source: "sim", score: 0.3 },
      { type: "motion", at, source: "sim" },
    ]);
    assert.equal(t.sim.motions, 2);
    await t.sim.stop();
  });

  test("the same cooldown as the drivers (30 s by default)", async () => {
    const t = setup();
    await t.sim.start(t.listener);
    assert.equal(t.sim.trigger(), true);
    t.clock.advance(29_999);
    assert.equal(t.sim.trigger(), false);
    t.clock.advance(1);
    assert.equal(t.sim.trigger(), true);
    assert.deepEqual(t.types(), ["motion", "motion"]);
  });

  test("kill() -> dead once; triggers ignored while dead; revive() -> alive", async () => {
    const t = setup({ cooldownMs: 0 });
    await t.sim.start(t.listener);
    t.sim.kill("wire cut");
    t.sim.kill("again");
    assert.equal(t.sim.trigger(), false);
    t.sim.revive();
    t.sim.revive();
    assert.equal(t.sim.trigger(), true);
    assert.deepEqual(t.events, [
      { type: "dead", at: t.clock.now().getTime(), reason: "wire cut" },
      { type: "alive", at: t.clock.now().getTime() },
      { type: "motion", at: t.clock.now().getTime(), source: "sim" },
    ]);
  });

  test("killed while stopped: dead at start(); revived while stopped after that: no alive", async () => {
    const t = setup();
    t.sim.kill();
    assert.equal(t.events.length, 0);
    await t.sim.start(t.listener);
    assert.deepEqual(t.types(), ["dead"]);
    assert.match((t.events[0] as { reason: string }).reason, /fault injected/);
    await t.sim.stop();
    t.sim.revive();
    await t.sim.start(t.listener);
    assert.deepEqual(t.types(), ["dead"]);
    await t.sim.stop();
  });

  test("start() twice rejects; a throwing listener is ignored; a bad score throws", async () => {
    const t = setup({ cooldownMs: 0 });
    await t.sim.start(() => {
      throw new Error("listener broke");
    });
    await assert.rejects(t.sim.start(t.listener), /already started/);
    assert.equal(t.sim.trigger(), true);
    assert.throws(() => t.sim.trigger(1.5), /score/);
    assert.throws(() => t.sim.trigger(Number.NaN), /score/);
    assert.throws(() => createSimulatedMotionSensor({ cooldownMs: -1 }), /cooldownMs/);
  });
});
