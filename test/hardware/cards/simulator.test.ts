import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { CardReaderEvent } from "../../../core/door/card-reader.ts";
import { createMfrc522RpiReader } from "../../../hardware/cards/mfrc522-rpi.ts";
import { createMfrc522SpidevReader } from "../../../hardware/cards/mfrc522-spidev.ts";
import { createSimulatedCardReader } from "../../../hardware/cards/simulator.ts";
import { ManualClock, ManualTimers } from "../../support/fakes.ts";
import { FakeReaderWorld, hexBytes } from "./fake-mfrc522.ts";
import { EmulatedSpi, Mfrc522Emulator } from "./mfrc522-emulator.ts";

async function startedSim(debounceMs = 1500) {
  const clock = new ManualClock();
  const sim = createSimulatedCardReader({ clock, debounceMs });
  const events: CardReaderEvent[] = [];
  await sim.start((e) => {
    events.push(e);
  });
  return { clock, sim, events, types: () => events.map((e) => e.type) };
}

describe("createSimulatedCardReader", () => {
  test("a tap: normalized UID, the clock's time", async () => {
    const { clock, sim, events } = await startedSim();
    assert.equal(sim.driver, "sim");
    assert.equal(sim.tap("04:a2:b3:c4"), true);
    assert.deepEqual(events, [{ type: "tap", uid: "04A2B3C4", at: clock.now().getTime() }]);
    assert.equal(sim.taps, 1);
  });

  test("an invalid UID throws a clear error (even while stopped)", async () => {
    const { sim } = await startedSim();
    for (const bad of ["", "hello", "04a2b3c", "00000000", "88112233", "04a2b3"]) {
      assert.throws(() => sim.tap(bad), /sim: .* is not a card UID \(4, 7 or 10 bytes in hex/, bad);
    }
    assert.throws(() => sim.hold("nope"), /not a card UID/);
    const stopped = createSimulatedCardReader();
    assert.throws(() => stopped.tap("zz"), /not a card UID/);
    assert.equal(sim.taps, 0);
  });

  test("de-bounced like the driver: same card within debounceMs is one tap; after, a new one; another card at once", async () => {
    const { clock, sim, events } = await startedSim(1500);
    assert.equal(sim.tap("04A2B3C4"), true);
    clock.advance(1000);
    assert.equal(sim.tap("04 a2 b3 c4"), false);
    clock.advance(1000);
    assert.equal(sim.tap("04A2B3C4"), false, "1000 ms after its last sighting");
    assert.equal(sim.tap("1A2B3C4D"), true, "a different card at once");
    clock.advance(1500);
    assert.equal(sim.tap("04A2B3C4"), true);
    assert.deepEqual(
      events.map((e) => (e.type === "tap" ? e.uid : e.type)),
      ["04A2B3C4", "1A2B3C4D", "04A2B3C4"],
    );
    assert.equal(sim.taps, 3);
  });

  test("hold: one tap however long; taken away, a new tap only debounceMs after it was last seen", async () => {
    const { clock, sim } = await startedSim(1500);
    assert.equal(sim.hold("04A2B3C4"), true);
    assert.equal(sim.held, "04A2B3C4");
    clock.advance(60_000);
    assert.equal(sim.tap("04A2B3C4"), false, "still in the field");
    assert.equal(sim.hold("04A2B3C4"), false);
    clock.advance(10_000);
    sim.remove();
    assert.equal(sim.held, undefined);
    clock.advance(1000);
    assert.equal(sim.tap("04A2B3C4"), false, "1 s after it left the field");
    clock.advance(1500);
    assert.equal(sim.tap("04A2B3C4"), true);
    assert.equal(sim.taps, 2);
  });

  test("holding another card replaces the held one", async () => {
    const { sim } = await startedSim();
    sim.hold("04A2B3C4");
    assert.equal(sim.hold("1A2B3C4D"), true);
    assert.equal(sim.held, "1A2B3C4D");
  });

  test("taps before start() and after stop() are ignored, like a reader that is not polled", async () => {
    const clock = new ManualClock();
    const sim = createSimulatedCardReader({ clock });
    assert.equal(sim.running, false);
    assert.equal(sim.tap("04A2B3C4"), false);
    const events: CardReaderEvent[] = [];
    await sim.start((e) => {
      events.push(e);
    });
    assert.equal(sim.running, true);
    assert.equal(sim.tap("04A2B3C4"), true, "the ignored tap did not count as a sighting");
    await sim.stop();
    await sim.stop();
    clock.advance(10_000);
    assert.equal(sim.tap("1A2B3C4D"), false);
    assert.equal(events.length, 1);
    assert.equal(sim.taps, 1);
    await assert.rejects(
      (async () => {
        await sim.start(() => {});
        await sim.start(() => {});
      })(),
      /already started/,
    );
  });

  test("kill: 'dead' once with the reason; cards ignored; revive: 'alive' once", async () => {
    const { sim, events, types } = await startedSim();
    sim.kill("SPI cable unplugged");
    sim.kill("again");
    assert.deepEqual(
      events.map((e) => (e.type === "dead" ? e.reason : e.type)),
      ["SPI cable unplugged"],
    );
    assert.equal(sim.tap("04A2B3C4"), false);
    sim.revive();
    sim.revive();
    assert.deepEqual(types(), ["dead", "alive"]);
    assert.equal(sim.tap("04A2B3C4"), true);
    sim.kill();
    const last = events.at(-1);
    assert.match(last?.type === "dead" ? last.reason : "", /sim: the reader stopped answering/);
  });

  test("killed while stopped: 'dead' at start(); revived while stopped: nothing", async () => {
    const sim = createSimulatedCardReader({ clock: new ManualClock() });
    sim.kill("no reader on the bus");
    const events: CardReaderEvent[] = [];
    await sim.start((e) => {
      events.push(e);
    });
    assert.deepEqual(
      events.map((e) => e.type),
      ["dead"],
    );
    await sim.stop();
    sim.revive();
    await sim.start((e) => {
      events.push(e);
    });
    assert.deepEqual(
      events.map((e) => e.type),
      ["dead"],
    );
  });

  test("a card held through a long dead period taps again when the reader comes back", async () => {
    const { clock, sim, types } = await startedSim(1500);
    sim.hold("04A2B3C4");
    clock.advance(1000);
    sim.kill();
    clock.advance(5000);
    sim.revive();
    assert.deepEqual(types(), ["tap", "dead", "alive", "tap"]);
  });

  test("a card held through a short dead period does not", async () => {
    const { clock, sim, types } = await startedSim(1500);
    sim.hold("04A2B3C4");
    clock.advance(5000);
    sim.kill();
    clock.advance(1000);
    sim.revive();
    assert.deepEqual(types(), ["tap", "dead", "alive"]);
  });

  test("a card held while stopped is seen at start(), like the driver's first poll", async () => {
    const clock = new ManualClock();
    const sim = createSimulatedCardReader({ clock });
    assert.equal(sim.hold("04A2B3C4"), false);
    const events: CardReaderEvent[] = [];
    await sim.start((e) => {
      events.push(e);
    });
    assert.deepEqual(events, [{ type: "tap", uid: "04A2B3C4", at: clock.now().getTime() }]);
    await sim.stop();
    clock.advance(500);
    await sim.start((e) => {
      events.push(e);
    });
    assert.equal(events.length, 1, "restarted within the debounce: same presentation");
  });

  test("a throwing listener does not break the simulator", async () => {
    const sim = createSimulatedCardReader({ clock: new ManualClock() });
    await sim.start(() => {
      throw new Error("listener bug");
    });
    assert.equal(sim.tap("04A2B3C4"), true);
    assert.equal(sim.tap("1A2B3C4D"), true);
    assert.equal(sim.taps, 2);
  });
});

describe("simulator and driver agree", () => {
  /** What the reader sees, poll by poll (200 ms apart): a card's hex, or "" for an empty field. */
  const script = [
    ["04A2B3C4", "04A2B3C4", "", "", "04A2B3C4", "", "", "", "", "", "", "", "", "04A2B3C4"],
    ["04A2B3C4", "1A2B3C4D", "04A2B3C4", "", "", "", "", "", "", "", "", "04A2B3C4", "1A2B3C4D"],
    ["04112233445566", "", "04112233445566", "04112233445566", "", "", "", "", "", "", "", "", "0411223344556677889A"],
  ];

  for (const [i, polls] of script.entries()) {
    test(`the same taps for the same sightings (script ${i + 1})`, async () => {
      const pollMs = 200;
      const debounceMs = 1500;

      const driverClock = new ManualClock();
      const timers = new ManualTimers(driverClock);
      const world = new FakeReaderWorld();
      const driverTaps: string[] = [];
      const driver = createMfrc522RpiReader({
        pollMs,
        debounceMs,
        clock: driverClock,
        timers,
        loadLibrary: async () => world.library(),
      });
      await driver.start((e) => {
        if (e.type === "tap") driverTaps.push(`${e.uid}@${e.at - driverClock.now().getTime()}`);
      });
      timers.fire(); // the first poll, right after start, with an empty field

      const simClock = new ManualClock();
      const sim = createSimulatedCardReader({ clock: simClock, debounceMs });
      const simTaps: string[] = [];
      await sim.start((e) => {
        if (e.type === "tap") simTaps.push(`${e.uid}@${e.at - simClock.now().getTime()}`);
      });

      for (const card of polls) {
        world.card = card ? hexBytes(card) : undefined;
        timers.fire();
        simClock.advance(pollMs);
        if (card) sim.tap(card);
      }
      await driver.stop();
      assert.ok(driverTaps.length > 0);
      assert.deepEqual(simTaps, driverTaps);
    });
  }
  for (const [i, polls] of script.entries()) {
    test(`the same taps for the same sightings, with the mfrc522 driver over spidev (script ${i + 1})`, async () => {
      const pollMs = 200;
      const debounceMs = 1500;
      const driverClock = new ManualClock();
      const timers = new ManualTimers(driverClock);
      const emu = new Mfrc522Emulator();
      const driverTaps: string[] = [];
      const driver = createMfrc522SpidevReader({
        pollMs,
        debounceMs,
        clock: driverClock,
        timers,
        resetLine: null,
        openTransport: async () => new EmulatedSpi(emu),
      });
      const poll = async () => {
        timers.fire();
        while (timers.pending.length === 0) await new Promise((r) => setImmediate(r));
      };
      await driver.start((e) => {
        if (e.type === "tap") driverTaps.push(`${e.uid}@${e.at - driverClock.now().getTime()}`);
      });
      await poll(); // the first poll, right after start, with an empty field

      const simClock = new ManualClock();
      const sim = createSimulatedCardReader({ clock: simClock, debounceMs });
      const simTaps: string[] = [];
      await sim.start((e) => {
        if (e.type === "tap") simTaps.push(`${e.uid}@${e.at - simClock.now().getTime()}`);
      });

      for (const card of polls) {
        emu.take();
        if (card) emu.place(card);
        await poll();
        simClock.advance(pollMs);
        if (card) sim.tap(card);
      }
      await driver.stop();
      assert.ok(driverTaps.length > 0);
      assert.deepEqual(simTaps, driverTaps);
      assert.deepEqual(emu.violations, []);
    });
  }
});
