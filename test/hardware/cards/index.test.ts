import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  CARD_READER_DRIVERS,
  type CardReaderEvent,
  createCardReader,
  type Mfrc522RpiLibrary,
  openSpidevTransport,
  probeCardReaderChip,
  selectCardReader,
} from "../../../hardware/cards/index.ts";
import { ManualClock, ManualTimers } from "../../support/fakes.ts";
import { FakeReaderWorld, hexBytes } from "./fake-mfrc522.ts";
import { EmulatedSpi, Mfrc522Emulator } from "./mfrc522-emulator.ts";

/** Fake roots whose /proc/device-tree/model names a board. */
const boards = { pi4: "", pi5: "", none: "" };
before(async () => {
  for (const [name, model] of [
    ["pi4", "Raspberry Pi 4 Model B Rev 1.4"],
    ["pi5", "Raspberry Pi 5 Model B Rev 1.0"],
    ["none", undefined],
  ] as const) {
    const root = await mkdtemp(join(tmpdir(), `seroma-board-${name}-`));
    if (model) {
      await mkdir(join(root, "proc/device-tree"), { recursive: true });
      await writeFile(join(root, "proc/device-tree/model"), `${model}\0`);
    }
    boards[name] = root;
  }
});
after(async () => {
  for (const root of Object.values(boards)) await rm(root, { recursive: true, force: true });
});

/** The MFRC522 over spidev with the emulator behind it; `opened` counts the devices opened. */
function spidevRig(setup: (emu: Mfrc522Emulator) => void = () => {}) {
  const emu = new Mfrc522Emulator();
  setup(emu);
  const spis: EmulatedSpi[] = [];
  return {
    emu,
    spis,
    mfrc522: {
      resetLine: null,
      openTransport: async () => {
        const spi = new EmulatedSpi(emu);
        spis.push(spi);
        return spi;
      },
    },
  };
}

/** An spidev device that does not exist here: the real transport with a path under a missing folder. */
const noSpidev = {
  device: "/nonexistent/seroma-select/spidev0.0",
  resetLine: null,
  openTransport: (path: string) =>
    openSpidevTransport(path, { loadLibrary: async () => ({ open: () => assert.fail() }) }),
};

const noGpio = async (): Promise<Mfrc522RpiLibrary> => {
  throw Object.assign(new Error("Cannot find package 'mfrc522-rpi' imported from seroma"), {
    code: "ERR_MODULE_NOT_FOUND",
  });
};

describe("createCardReader", () => {
  test("an unknown name throws, listing the valid ones", () => {
    assert.throws(
      () => createCardReader("pn532"),
      /unknown card reader driver "pn532"; valid drivers: mfrc522, mfrc522-rpi, sim/,
    );
    assert.throws(() => createCardReader("constructor"), /valid drivers: mfrc522, mfrc522-rpi, sim/);
    assert.throws(() => createCardReader("toString"), /valid drivers: mfrc522, mfrc522-rpi, sim/);
    assert.deepEqual(CARD_READER_DRIVERS, ["mfrc522", "mfrc522-rpi", "sim"]);
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

  test("mfrc522 (over /dev/spidev), with its options, the clock and debounce passed through; no I/O until start()", async () => {
    const clock = new ManualClock();
    const timers = new ManualTimers(clock);
    const rig = spidevRig();
    const opened: string[] = [];
    const reader = createCardReader("mfrc522", {
      clock,
      debounceMs: 0,
      mfrc522: {
        device: "/dev/spidev0.1",
        timers,
        resetLine: null,
        openTransport: async (device) => {
          opened.push(device);
          return rig.mfrc522.openTransport();
        },
      },
    });
    assert.equal(reader.driver, "mfrc522");
    assert.equal(rig.emu.stats.transfers, 0);
    const taps: string[] = [];
    await reader.start((e) => {
      if (e.type === "tap") taps.push(e.uid);
    });
    assert.deepEqual(opened, ["/dev/spidev0.1"]);
    rig.emu.place("04A2B3C4");
    for (let i = 0; i < 2; i++) {
      timers.fire();
      while (timers.pending.length === 0) await new Promise((r) => setImmediate(r));
    }
    assert.deepEqual(taps, ["04A2B3C4", "04A2B3C4"], "debounceMs 0 reached the driver");
    await reader.stop();
  });
});

describe("selectCardReader", () => {
  test("sim: the simulator, no probe", async () => {
    let loads = 0;
    const chosen = await selectCardReader({
      mode: "sim",
      driver: "mfrc522-rpi",
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

  test("mfrc522-rpi, auto with a reader that answers: that driver, the reason naming it; the probe released the pins", async () => {
    const world = new FakeReaderWorld();
    const chosen = await selectCardReader({
      mode: "auto",
      driver: "mfrc522-rpi",
      boardRoot: boards.pi4,
      mfrc522Rpi: { loadLibrary: async () => world.library() },
    });
    assert.equal(chosen.reader.driver, "mfrc522-rpi");
    assert.equal(
      chosen.reason,
      "driver mfrc522-rpi (CARD_DRIVER): the MFRC522 through mfrc522-rpi, SPI bit-banged with rpio (Raspberry Pi 4 Model B Rev 1.4): VersionReg 0x92",
    );
    assert.equal(world.spiOpen, false);
    assert.equal(world.calls.spiOpen, 1);
  });

  test("mfrc522-rpi, auto without the library or GPIO: the simulator, saying why", async () => {
    const chosen = await selectCardReader({
      mode: "auto",
      driver: "mfrc522-rpi",
      boardRoot: boards.pi4,
      mfrc522Rpi: { loadLibrary: noGpio },
    });
    assert.equal(chosen.reader.driver, "sim");
    assert.match(
      chosen.reason ?? "",
      /HARDWARE=auto and no usable MFRC522 card reader, using the simulator: .*not installed/,
    );
  });

  test("mfrc522-rpi, auto on a Pi whose chip does not answer: keeps the MFRC522, with a warning", async () => {
    const world = new FakeReaderWorld();
    world.fault = "version-ff";
    const chosen = await selectCardReader({
      mode: "auto",
      driver: "mfrc522-rpi",
      boardRoot: boards.pi4,
      mfrc522Rpi: { loadLibrary: async () => world.library() },
    });
    assert.equal(chosen.reader.driver, "mfrc522-rpi");
    assert.match(chosen.reason ?? "", /does not answer yet: .*version register reads 0xFF/);
  });

  test("mfrc522-rpi, real without the library or GPIO: rejects with the reason", async () => {
    await assert.rejects(
      selectCardReader({
        mode: "real",
        driver: "mfrc522-rpi",
        boardRoot: boards.pi4,
        mfrc522Rpi: { loadLibrary: noGpio },
      }),
      /HARDWARE=real, but the MFRC522 card reader cannot be used: .*not installed.*HARDWARE=sim/,
    );
  });

  test("mfrc522-rpi, real with a reader that answers: the MFRC522", async () => {
    const world = new FakeReaderWorld();
    const chosen = await selectCardReader({
      mode: "real",
      driver: "mfrc522-rpi",
      boardRoot: boards.pi4,
      mfrc522Rpi: { loadLibrary: async () => world.library() },
    });
    assert.equal(chosen.reader.driver, "mfrc522-rpi");
  });

  test("bad reader options fail in auto and real alike, never a silent fallback", async () => {
    for (const mode of ["auto", "real"] as const) {
      await assert.rejects(
        selectCardReader({ mode, driver: "mfrc522-rpi", boardRoot: boards.pi4, mfrc522Rpi: { resetPin: 10 } }),
        RangeError,
      );
      await assert.rejects(selectCardReader({ mode, mfrc522: { ...noSpidev, resetPin: 10 } }), RangeError);
      await assert.rejects(selectCardReader({ mode, mfrc522: { ...noSpidev, device: "spidev0.0" } }), RangeError);
    }
    await assert.rejects(
      selectCardReader({ mode: "auto", driver: "pn532" as "mfrc522" }),
      /unknown card reader driver "pn532"; valid drivers: mfrc522, mfrc522-rpi/,
    );
    await assert.rejects(selectCardReader({ mode: "maybe" as "auto" }), /unknown hardware mode "maybe"/);
  });
});

describe("selectCardReader: the default driver, mfrc522 over /dev/spidev", () => {
  test("the default on every Pi: auto with a chip that answers; the reason names the driver, the chip, the board; the probe closed the device", async () => {
    for (const board of ["pi4", "pi5"] as const) {
      const rig = spidevRig();
      const chosen = await selectCardReader({ mode: "auto", boardRoot: boards[board], mfrc522: rig.mfrc522 });
      assert.equal(chosen.reader.driver, "mfrc522");
      const model = board === "pi4" ? "Raspberry Pi 4 Model B Rev 1.4" : "Raspberry Pi 5 Model B Rev 1.0";
      assert.equal(
        chosen.reason,
        `driver mfrc522: the MFRC522 through the kernel's SPI driver, the default on every Raspberry Pi (${model}): ` +
          "MFRC522 v2.0 (VersionReg 0x92) answers on /dev/spidev0.0.",
      );
      assert.equal(rig.spis.length, 1);
      assert.equal(rig.spis[0]?.open, false, "the probe released the device");
      assert.equal(rig.emu.stats.softResets, 0, "the probe changed nothing on the chip");
    }
  });

  test("real with a clone chip: the driver, the clone named in the reason", async () => {
    const rig = spidevRig((emu) => {
      emu.version = 0x88;
    });
    const chosen = await selectCardReader({ mode: "real", boardRoot: boards.pi4, mfrc522: rig.mfrc522 });
    assert.equal(chosen.reader.driver, "mfrc522");
    assert.match(
      chosen.reason ?? "",
      /MFRC522 clone \(Fudan FM17522\) \(VersionReg 0x88\) answers on \/dev\/spidev0\.0\. A clone chip/,
    );
  });

  test("auto with a chip that does not answer: keeps the driver, with the warning and the wiring hint", async () => {
    const rig = spidevRig((emu) => {
      emu.bus = "low";
    });
    const chosen = await selectCardReader({ mode: "auto", boardRoot: boards.pi4, mfrc522: rig.mfrc522 });
    assert.equal(chosen.reader.driver, "mfrc522");
    assert.match(
      chosen.reason ?? "",
      /; the MFRC522 card reader does not answer yet: nothing answers on \/dev\/spidev0\.0: VersionReg reads 0x00 .*Check the wiring: SDA to pin 24/,
    );
  });

  test("auto without /dev/spidev (SPI off): the simulator, saying why and how to turn SPI on", async () => {
    const chosen = await selectCardReader({ mode: "auto", boardRoot: boards.pi4, mfrc522: noSpidev });
    assert.equal(chosen.reader.driver, "sim");
    assert.match(
      chosen.reason ?? "",
      /^HARDWARE=auto and no usable MFRC522 card reader, using the simulator: cannot open \/nonexistent\/seroma-select\/spidev0\.0: .*SPI is off\. Turn SPI on: add `dtparam=spi=on`/,
    );
  });

  test("real without /dev/spidev: rejects with the fix and the way to the simulator", async () => {
    await assert.rejects(
      selectCardReader({ mode: "real", boardRoot: boards.none, mfrc522: noSpidev }),
      (e: unknown) => {
        assert.ok(e instanceof Error);
        assert.match(e.message, /^HARDWARE=real, but the MFRC522 card reader cannot be used: cannot open .*SPI is off/);
        assert.match(e.message, /dtparam=spi=on/);
        assert.match(e.message, /HARDWARE=sim/);
        return true;
      },
    );
  });

  test("mfrc522-rpi is never picked on a Pi 5: real rejects naming CARD_DRIVER=mfrc522; auto uses mfrc522 and says why", async () => {
    let loads = 0;
    const mfrc522Rpi = {
      loadLibrary: async () => {
        loads++;
        return new FakeReaderWorld().library();
      },
    };
    await assert.rejects(
      selectCardReader({ mode: "real", driver: "mfrc522-rpi", boardRoot: boards.pi5, mfrc522Rpi }),
      /HARDWARE=real with CARD_DRIVER=mfrc522-rpi, but this is a Raspberry Pi 5 Model B Rev 1\.0, and rpio .* \(node-rpio #179\)\. Set CARD_DRIVER=mfrc522/,
    );
    const rig = spidevRig();
    const chosen = await selectCardReader({
      mode: "auto",
      driver: "mfrc522-rpi",
      boardRoot: boards.pi5,
      mfrc522Rpi,
      mfrc522: rig.mfrc522,
    });
    assert.equal(chosen.reader.driver, "mfrc522");
    assert.match(
      chosen.reason ?? "",
      /^CARD_DRIVER=mfrc522-rpi, but this is a Raspberry Pi 5 .*: using driver mfrc522 instead: MFRC522 v2\.0/,
    );
    assert.equal(loads, 0, "mfrc522-rpi (and rpio) never loaded on a Pi 5");
  });

  test("the doctor probe is exported from the cards index", async () => {
    const rig = spidevRig();
    const probe = await probeCardReaderChip({ openTransport: rig.mfrc522.openTransport });
    assert.equal(probe.verdict, "genuine");
  });
});
