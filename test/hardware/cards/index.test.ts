import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  CARD_READER_DRIVERS,
  type CardReaderEvent,
  createCardReader,
  type Mfrc522RpiLibrary,
  selectCardReader,
} from "../../../hardware/cards/index.ts";
import { ManualClock } from "../../support/fakes.ts";
import { FakeReaderWorld, hexBytes, ManualTimers } from "./fake-mfrc522.ts";

const noGpio = async (): Promise<Mfrc522RpiLibrary> => {
  throw Object.assign(new Error("Cannot find package 'mfrc522-rpi' imported from seroma"), {
    code: "ERR_MODULE_NOT_FOUND",
  });
};

describe("createCardReader", () => {
  test("an unknown name throws, listing the valid ones", () => {
    assert.throws(
      () => createCardReader("pn532"),
      /unknown card reader driver "pn532"; valid drivers: mfrc522-rpi, sim/,
    );
    assert.throws(() => createCardReader("constructor"), /valid drivers: mfrc522-rpi, sim/);
    assert.throws(() => createCardReader("toString"), /valid drivers: mfrc522-rpi, sim/);
    assert.deepEqual(CARD_READER_DRIVERS, ["mfrc522-rpi", "sim"]);
  });

  test("sim, with the clock and debounce passed through", async () => {
    const clock = new ManualClock();
    const reader = createCardReader("sim", { clock, debounceMs: 10_000 });
    assert.equal(reader.driver, "sim");
    const events: CardReaderEvent[] = [];
    await reader.start((e) => {
      events.push(e);
    });
    const sim = reader as ReturnType<typeof import("../../../hardware/cards/simulator.ts").createSimulatedCardReader>;
    sim.tap("04A2B3C4");
    clock.advance(5000);
    sim.tap("04A2B3C4");
    assert.deepEqual(events, [{ type: "tap", uid: "04A2B3C4", at: new ManualClock().now().getTime() }]);
  });

  test("mfrc522-rpi, with its options, the clock and debounce passed through; no I/O until start()", async () => {
    const clock = new ManualClock();
    const timers = new ManualTimers(clock);
    const world = new FakeReaderWorld();
    let loads = 0;
    const reader = createCardReader("mfrc522-rpi", {
      clock,
      debounceMs: 0,
      mfrc522Rpi: {
        spiChip: 1,
        timers,
        loadLibrary: async () => {
          loads++;
          return world.library();
        },
      },
    });
    assert.equal(reader.driver, "mfrc522-rpi");
    assert.equal(loads, 0);
    const taps: string[] = [];
    await reader.start((e) => {
      if (e.type === "tap") taps.push(e.uid);
    });
    assert.equal(world.spiOptions[0]?.client, 26);
    world.card = hexBytes("04A2B3C4");
    timers.fire();
    timers.fire();
    assert.deepEqual(taps, ["04A2B3C4", "04A2B3C4"], "debounceMs 0 reached the driver");
    await reader.stop();
  });
});

describe("selectCardReader", () => {
  test("sim: the simulator, no probe", async () => {
    let loads = 0;
    const chosen = await selectCardReader({
      mode: "sim",
      mfrc522Rpi: {
        loadLibrary: async () => {
          loads++;
          return new FakeReaderWorld().library();
        },
      },
    });
    assert.equal(chosen.reader.driver, "sim");
    assert.equal(chosen.reason, "HARDWARE=sim");
    assert.equal(loads, 0);
  });

  test("auto with a reader that answers: the MFRC522, no reason; the probe released the pins", async () => {
    const world = new FakeReaderWorld();
    const chosen = await selectCardReader({ mode: "auto", mfrc522Rpi: { loadLibrary: async () => world.library() } });
    assert.equal(chosen.reader.driver, "mfrc522-rpi");
    assert.equal(chosen.reason, undefined);
    assert.equal(world.spiOpen, false);
    assert.equal(world.calls.spiOpen, 1);
  });

  test("auto without the library or GPIO: the simulator, saying why", async () => {
    const chosen = await selectCardReader({ mode: "auto", mfrc522Rpi: { loadLibrary: noGpio } });
    assert.equal(chosen.reader.driver, "sim");
    assert.match(
      chosen.reason ?? "",
      /HARDWARE=auto and no usable MFRC522 card reader, using the simulator: .*not installed/,
    );
  });

  test("auto on a Pi whose chip does not answer: keeps the MFRC522, with a warning", async () => {
    const world = new FakeReaderWorld();
    world.fault = "version-ff";
    const chosen = await selectCardReader({ mode: "auto", mfrc522Rpi: { loadLibrary: async () => world.library() } });
    assert.equal(chosen.reader.driver, "mfrc522-rpi");
    assert.match(chosen.reason ?? "", /does not answer yet: .*version register reads 0xFF/);
  });

  test("real without the library or GPIO: rejects with the reason", async () => {
    await assert.rejects(
      selectCardReader({ mode: "real", mfrc522Rpi: { loadLibrary: noGpio } }),
      /HARDWARE=real, but the MFRC522 card reader cannot be used: .*not installed.*HARDWARE=sim/,
    );
  });

  test("real with a reader that answers: the MFRC522", async () => {
    const world = new FakeReaderWorld();
    const chosen = await selectCardReader({ mode: "real", mfrc522Rpi: { loadLibrary: async () => world.library() } });
    assert.equal(chosen.reader.driver, "mfrc522-rpi");
  });

  test("bad reader options fail in auto and real alike, never a silent fallback", async () => {
    for (const mode of ["auto", "real"] as const) {
      await assert.rejects(selectCardReader({ mode, mfrc522Rpi: { resetPin: 10 } }), RangeError);
    }
    await assert.rejects(selectCardReader({ mode: "maybe" as "auto" }), /unknown hardware mode "maybe"/);
  });
});
