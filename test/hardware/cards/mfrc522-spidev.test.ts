/**
 * The default MFRC522 driver (over /dev/spidev) through its CardReader contract, with the
 * register-level emulator behind the SPI transport: taps, de-bouncing, cascades, collisions,
 * damaged answers, the watchdog, stop(). No hardware, no waiting: time moves only when a
 * test fires the poll timer.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { CardReaderEvent } from "../../../core/door/card-reader.ts";
import { createMfrc522SpidevReader, type Mfrc522SpidevOptions } from "../../../hardware/cards/mfrc522-spidev.ts";
import type { ResetLine } from "../../../hardware/cards/reset-line.ts";
import { openSpidevTransport } from "../../../hardware/cards/spidev-transport.ts";
import { ManualClock, ManualTimers } from "../../support/fakes.ts";
import { EmulatedSpi, Mfrc522Emulator, spiError } from "./mfrc522-emulator.ts";

/** Lets a poll that a timer started run to its end (the emulator answers within promise jobs). */
async function settle(timers: ManualTimers): Promise<void> {
  for (let i = 0; i < 50 && timers.pending.length === 0; i++) await new Promise((r) => setImmediate(r));
}

function setup(extra: Partial<Mfrc522SpidevOptions> = {}) {
  const clock = new ManualClock();
  const timers = new ManualTimers(clock);
  const emu = new Mfrc522Emulator();
  const spis: EmulatedSpi[] = [];
  const opened: string[] = [];
  const pulses: number[] = [];
  /** What an RST pulse does besides the chip's hard reset (e.g. un-wedge a stuck bus). */
  let onPulse: (() => void) | undefined;
  const resetLine: ResetLine = {
    description: "GPIO 25 via gpioset",
    pulse: async () => {
      pulses.push(clock.now().getTime());
      emu.hardReset();
      onPulse?.();
    },
  };
  const events: CardReaderEvent[] = [];
  const reader = createMfrc522SpidevReader({
    openTransport: async (device) => {
      opened.push(device);
      const spi = new EmulatedSpi(emu);
      spis.push(spi);
      return spi;
    },
    resetLine,
    clock,
    timers,
    ...extra,
  });
  const listener = (e: CardReaderEvent) => {
    events.push(e);
  };
  const t = {
    clock,
    timers,
    emu,
    spis,
    opened,
    pulses,
    events,
    reader,
    listener,
    set onPulse(fn: (() => void) | undefined) {
      onPulse = fn;
    },
    get spi(): EmulatedSpi {
      const spi = spis.at(-1);
      assert.ok(spi, "the device was never opened");
      return spi;
    },
    taps: () => events.flatMap((e) => (e.type === "tap" ? [e.uid] : [])),
    ofType: (type: CardReaderEvent["type"]) => events.filter((e) => e.type === type),
    /** Fires the pending poll and waits for it to end; returns its delay. */
    async fire(): Promise<number> {
      const ms = timers.fire();
      await settle(timers);
      return ms;
    },
    async runFor(ms: number): Promise<void> {
      let elapsed = 0;
      while (elapsed < ms) elapsed += await t.fire();
    },
  };
  return t;
}

async function started(extra: Partial<Mfrc522SpidevOptions> = {}) {
  const t = setup(extra);
  await t.reader.start(t.listener);
  return t;
}

describe("createMfrc522SpidevReader: opening", () => {
  test("does nothing until start(); then opens /dev/spidev0.0, pulses RST and sets the chip up; stop() closes it", async () => {
    const t = setup();
    assert.equal(t.reader.driver, "mfrc522");
    assert.equal(t.opened.length, 0);
    assert.equal(t.emu.stats.transfers, 0);
    await t.reader.start(t.listener);
    assert.deepEqual(t.opened, ["/dev/spidev0.0"]);
    assert.equal(t.pulses.length, 1, "a hard reset at start, as mfrc522-rpi does");
    assert.equal(t.emu.stats.softResets, 1);
    assert.equal(t.emu.register(0x14) & 0x03, 0x03, "antenna on");
    assert.deepEqual(t.timers.delays, [0], "the first poll right away");
    await t.reader.stop();
    assert.equal(t.spi.open, false);
    assert.deepEqual(t.emu.violations, []);
  });

  test("the configured device is the one opened; no reset line means no pulse", async () => {
    const t = await started({ device: "/dev/spidev0.1", resetLine: null });
    assert.deepEqual(t.opened, ["/dev/spidev0.1"]);
    assert.equal(t.pulses.length, 0);
    assert.equal(t.emu.stats.softResets, 1);
    await t.reader.stop();
  });

  test("bad options are RangeErrors at creation", () => {
    assert.throws(() => createMfrc522SpidevReader({ device: "spidev0.0" }), /device must be an absolute path/);
    assert.throws(() => createMfrc522SpidevReader({ speedHz: 20_000_000 }), /speedHz/);
    assert.throws(() => createMfrc522SpidevReader({ resetPin: 10 }), /one of SPI0's pins/);
    assert.throws(() => createMfrc522SpidevReader({ resetPin: 28 }), RangeError);
    assert.throws(() => createMfrc522SpidevReader({ pollMs: 0 }), /pollMs must be/);
    assert.throws(() => createMfrc522SpidevReader({ watchdogMs: Number.NaN }), /watchdogMs/);
    assert.throws(() => createMfrc522SpidevReader({ debounceMs: -1 }), /debounceMs/);
    assert.throws(() => createMfrc522SpidevReader({ readAttempts: 0 }), /readAttempts/);
    assert.doesNotThrow(() => createMfrc522SpidevReader({ resetPin: null }));
  });

  test("no such spidev device: start() rejects with how to turn SPI on; nothing is left half-started", async () => {
    const reader = createMfrc522SpidevReader({
      device: "/nonexistent/seroma-test/spidev0.0",
      resetLine: null,
      openTransport: (path) =>
        openSpidevTransport(path, {
          loadLibrary: async () => ({ open: () => assert.fail("a missing device is never handed to spi-device") }),
        }),
    });
    await assert.rejects(
      reader.start(() => {}),
      (e: unknown) => {
        assert.ok(e instanceof Error);
        assert.match(
          e.message,
          /^MFRC522 on \/nonexistent\/seroma-test\/spidev0\.0: .* does not exist \(ENOENT\): SPI is off/,
        );
        assert.match(e.message, /dtparam=spi=on/);
        assert.match(e.message, /\/boot\/firmware\/config\.txt/);
        assert.match(e.message, /HARDWARE=sim/);
        return true;
      },
    );
    await reader.stop();
    await assert.rejects(
      reader.start(() => {}),
      /SPI is off/,
    );
  });

  test("spi-device not installed: start() rejects saying how to install it", async () => {
    const missing = "spi-device-not-installed-here";
    const reader = createMfrc522SpidevReader({
      resetLine: null,
      openTransport: (path) => openSpidevTransport(path, { loadLibrary: () => import(missing) }),
    });
    await assert.rejects(
      reader.start(() => {}),
      (e: unknown) => {
        assert.ok(e instanceof Error);
        assert.match(e.message, /^MFRC522 on \/dev\/spidev0\.0: the spi-device package is not installed/);
        assert.match(e.message, /npm install --include=optional/);
        assert.match(e.message, /HARDWARE=sim/);
        return true;
      },
    );
  });

  test("start() twice rejects; after stop() it starts again on a freshly opened device", async () => {
    const t = await started();
    await assert.rejects(t.reader.start(t.listener), /already started/);
    await t.reader.stop();
    await t.reader.start(t.listener);
    assert.equal(t.spis.length, 2);
    t.emu.place("04A2B3C4");
    await t.fire();
    assert.deepEqual(t.taps(), ["04A2B3C4"]);
    await t.reader.stop();
    assert.ok(t.spis.every((s) => !s.open));
  });

  test("stop() while the device is still opening: start() resolves, the device is closed, no polling", async () => {
    const clock = new ManualClock();
    const timers = new ManualTimers(clock);
    const emu = new Mfrc522Emulator();
    const spi = new EmulatedSpi(emu);
    let release!: () => void;
    const reader = createMfrc522SpidevReader({
      clock,
      timers,
      resetLine: null,
      openTransport: () =>
        new Promise((resolve) => {
          release = () => resolve(spi);
        }),
    });
    const starting = reader.start(() => {});
    await Promise.resolve();
    const stopping = reader.stop();
    release();
    await starting;
    await stopping;
    assert.equal(timers.pending.length, 0);
    assert.equal(spi.open, false);
    assert.equal(emu.stats.transfers, 0, "nothing sent to a reader that was stopped");
  });
});

describe("createMfrc522SpidevReader: taps", () => {
  test("a 4-byte card tapped: one tap, its UID as today (upper-case hex), at the clock's time", async () => {
    const t = await started();
    await t.fire();
    assert.deepEqual(t.events, []);
    t.emu.place("04a2b3c4");
    await t.fire();
    assert.deepEqual(t.events, [{ type: "tap", uid: "04A2B3C4", at: t.clock.now().getTime() }]);
    assert.deepEqual(t.emu.violations, []);
    await t.reader.stop();
  });

  test("7- and 10-byte UIDs are read whole through cascade levels 2 and 3", async () => {
    const t = await started({ debounceMs: 0 });
    const seven = t.emu.place("04112233445566");
    await t.fire();
    t.emu.take(seven);
    t.emu.place("0411223344556677889A");
    await t.fire();
    assert.deepEqual(t.taps(), ["04112233445566", "0411223344556677889A"]);
    assert.deepEqual(t.emu.violations, []);
    await t.reader.stop();
  });

  test("a card held: one tap however long it stays, though it is read on every poll", async () => {
    const t = await started({ debounceMs: 1500, pollMs: 200 });
    t.emu.place("04A2B3C4");
    await t.fire();
    const at = t.clock.now().getTime();
    const selectsBefore = t.emu.sent("select").length;
    await t.runFor(10_000);
    assert.deepEqual(t.events, [{ type: "tap", uid: "04A2B3C4", at }]);
    assert.equal(t.emu.sent("select").length - selectsBefore, 50, "WUPA wakes it from HALT every poll");
    await t.reader.stop();
  });

  test("two cards alternating: each arrival of the other card is a tap; the same card back within the debounce is not", async () => {
    const t = await started({ debounceMs: 1500, pollMs: 200 });
    const a = () => t.emu.place("04A2B3C4");
    const b = () => t.emu.place("1A2B3C4D");
    for (const place of [a, b, a, b]) {
      place();
      await t.fire();
      t.emu.take();
      await t.fire();
    }
    assert.deepEqual(t.taps(), ["04A2B3C4", "1A2B3C4D"], "back within 1.5 s of their last sighting");
    await t.runFor(2000);
    for (const place of [a, b]) {
      place();
      await t.fire();
      t.emu.take();
    }
    assert.deepEqual(t.taps(), ["04A2B3C4", "1A2B3C4D", "04A2B3C4", "1A2B3C4D"]);
    await t.reader.stop();
  });

  test("two cards on the reader at once: the collision is resolved and one whole UID taps", async () => {
    const t = await started();
    t.emu.place("04A2B3C4");
    t.emu.place("04A2B3C5");
    await t.runFor(1000);
    assert.deepEqual(t.taps(), ["04A2B3C5"]);
    assert.ok(
      t.emu.sent("anticollision").some((f) => f.bytes[1] !== 0x20),
      "anticollision with known bits was sent",
    );
    assert.deepEqual(t.emu.violations, []);
    await t.reader.stop();
  });

  test("a parity error and a CRC error reported by the chip are retried within the poll: the tap comes at once", async () => {
    for (const [damage, on] of [
      ["parity", "anticollision"],
      ["crc-flag", "select"],
      ["sak-crc", "select"],
    ] as const) {
      const t = await started();
      t.emu.place("04112233445566");
      t.emu.damageNext(damage, { on });
      await t.fire();
      assert.deepEqual(t.taps(), ["04112233445566"], `${damage} on ${on}`);
      assert.equal(t.emu.sent("wupa").length, 2, "retried from WUPA");
      await t.reader.stop();
    }
  });

  test("answers that stay damaged: no tap, but the reader is alive (a bad read, not a dead chip)", async () => {
    const t = await started({ watchdogMs: 1000 });
    t.emu.place("04A2B3C4");
    t.emu.damageNext("parity", { on: "select", count: 1000 });
    await t.runFor(5000);
    assert.deepEqual(t.events, []);
    t.emu.take();
    t.emu.clearDamage();
    t.emu.place("1A2B3C4D");
    await t.fire();
    assert.deepEqual(t.taps(), ["1A2B3C4D"]);
    await t.reader.stop();
  });

  test("a throwing or rejecting listener does not stop the reader", async () => {
    const t = setup({ debounceMs: 0 });
    const seen: string[] = [];
    let calls = 0;
    await t.reader.start((e) => {
      calls++;
      if (e.type === "tap") seen.push(e.uid);
      if (calls === 1) throw new Error("listener bug");
      if (calls === 2) return Promise.reject(new Error("async listener bug")) as unknown as undefined;
    });
    for (const uid of ["04A2B3C4", "1A2B3C4D", "0C0D0E0F"]) {
      t.emu.take();
      t.emu.place(uid);
      await t.fire();
    }
    assert.deepEqual(seen, ["04A2B3C4", "1A2B3C4D", "0C0D0E0F"]);
    assert.equal(t.timers.pending.length, 1, "still polling");
    await t.reader.stop();
  });
});

describe("createMfrc522SpidevReader: polling", () => {
  test("never overlaps: no transfer while a poll is scheduled, one timer at a time", async () => {
    const t = await started({ pollMs: 50 });
    let transfersWhilePending = 0;
    t.spi.onTransfer = () => {
      if (t.timers.pending.length > 0) transfersWhilePending++;
    };
    t.emu.place("04A2B3C4");
    await t.runFor(3000);
    t.spi.failure = spiError("EIO");
    await t.runFor(10_000);
    assert.equal(transfersWhilePending, 0);
    assert.equal(t.timers.maxPending, 1);
    assert.ok(t.timers.delays.slice(1, 10).every((ms) => ms === 50));
    await t.reader.stop();
  });

  test("stop() stops: no timer left, the device closed, no transfer after; safe twice", async () => {
    const t = await started();
    await t.runFor(1000);
    await t.reader.stop();
    await t.reader.stop();
    const transfers = t.emu.stats.transfers;
    assert.equal(t.timers.pending.length, 0);
    assert.equal(t.spi.open, false);
    assert.equal(t.spi.closes, 1);
    t.emu.place("04A2B3C4");
    assert.equal(t.emu.stats.transfers, transfers);
    assert.deepEqual(t.events, []);
  });

  test("stop() from inside the listener: nothing more is emitted or scheduled, the device is closed", async () => {
    const t = setup();
    const events: CardReaderEvent[] = [];
    let stopping: Promise<void> | undefined;
    await t.reader.start((e) => {
      events.push(e);
      stopping = t.reader.stop();
    });
    t.emu.place("04A2B3C4");
    await t.fire();
    await stopping;
    assert.equal(events.length, 1);
    assert.equal(t.timers.pending.length, 0);
    assert.equal(t.spi.open, false);
    assert.deepEqual(t.emu.violations, [], "no transfer on the closed device");
  });

  test("stop() in the middle of a poll: the poll ends at its next transfer, then the device is closed", async () => {
    const t = await started();
    t.emu.place("04A2B3C4");
    let stopping: Promise<void> | undefined;
    let transfersAtStop = 0;
    t.spi.onTransfer = () => {
      if (!stopping && t.emu.sent("wupa").length > 0) {
        transfersAtStop = t.emu.stats.transfers;
        stopping = t.reader.stop();
      }
    };
    t.timers.fire();
    await settle(t.timers);
    await stopping;
    assert.ok(stopping, "stop() was called during the poll");
    assert.equal(t.emu.stats.transfers, transfersAtStop + 1, "the transfer under way finished; no other started");
    assert.deepEqual(t.events, []);
    assert.equal(t.spi.open, false);
    assert.equal(t.timers.pending.length, 0);
  });
});

describe("createMfrc522SpidevReader: watchdog", () => {
  for (const bus of ["low", "high"] as const) {
    test(`the chip stops answering (MISO stuck ${bus}): one reset, then 'dead' once; slower retries; 'alive' when it answers`, async () => {
      const t = await started({ pollMs: 200, watchdogMs: 5000, deadPollMs: 2000 });
      await t.fire();
      t.emu.bus = bus;
      await t.fire(); // the first failing poll
      await t.runFor(4800);
      assert.equal(t.events.length, 0, "not yet: failing for less than watchdogMs");
      assert.equal(t.pulses.length, 1, "only the pulse at start");
      await t.fire();
      assert.equal(t.pulses.length, 2, "a reset once failing for watchdogMs");
      assert.equal(t.events.length, 0);
      await t.fire();
      const dead = t.ofType("dead");
      assert.equal(dead.length, 1);
      const event = dead[0];
      assert.ok(event?.type === "dead");
      assert.match(
        event.reason,
        /^MFRC522 on \/dev\/spidev0\.0 \(reset: GPIO 25 via gpioset\) has not answered for 5\.2 s/,
      );
      assert.match(event.reason, /an RST pulse and a soft reset did not help/);
      assert.match(
        event.reason,
        new RegExp(`version register reads 0x${bus === "low" ? "00" : "FF"} \\(no answer on SPI`),
      );
      assert.equal(event.at, t.clock.now().getTime());

      const pulsesBefore = t.pulses.length;
      await t.runFor(20_000);
      assert.equal(t.ofType("dead").length, 1, "dead is said once");
      assert.ok(
        t.timers.delays.slice(-5).every((ms) => ms === 2000),
        "retries at the slower pace",
      );
      assert.ok(t.pulses.length > pulsesBefore, "keeps resetting while dead");

      t.emu.bus = "ok";
      t.emu.place("04A2B3C4");
      await t.fire();
      await t.runFor(1000);
      assert.deepEqual(
        t.events.map((e) => e.type),
        ["dead", "alive", "tap"],
      );
      assert.deepEqual(t.timers.delays.slice(-3), [200, 200, 200], "back to the normal pace");
      assert.deepEqual(t.emu.violations, []);
      await t.reader.stop();
    });
  }

  test("SPI transfers throwing (EIO): the same watchdog path; the reason names the SPI error", async () => {
    const t = await started({ watchdogMs: 1000, deadPollMs: 500 });
    t.spi.failure = spiError("EIO");
    await t.runFor(3000);
    const dead = t.ofType("dead");
    assert.equal(dead.length, 1);
    assert.match(
      dead[0]?.type === "dead" ? dead[0].reason : "",
      /did not help: SPI error \(EIO, Input\/output error\)/,
    );
    t.spi.failure = undefined;
    await t.runFor(1000);
    assert.deepEqual(
      t.events.map((e) => e.type),
      ["dead", "alive"],
    );
    await t.reader.stop();
  });

  test("a new dead period after recovery is reported again", async () => {
    const t = await started({ watchdogMs: 1000, deadPollMs: 500 });
    for (let round = 0; round < 2; round++) {
      t.emu.bus = "high";
      await t.runFor(3000);
      t.emu.bus = "ok";
      await t.runFor(1000);
    }
    assert.deepEqual(
      t.events.map((e) => e.type),
      ["dead", "alive", "dead", "alive"],
    );
    await t.reader.stop();
  });

  test("the RST pulse helps (a chip wedged until a hard reset): no 'dead'", async () => {
    const t = await started({ watchdogMs: 1000 });
    t.emu.bus = "high";
    t.onPulse = () => {
      t.emu.bus = "ok";
    };
    while (t.pulses.length < 2) await t.fire();
    t.emu.place("04A2B3C4");
    await t.runFor(2000);
    assert.deepEqual(
      t.events.map((e) => e.type),
      ["tap"],
    );
    await t.reader.stop();
  });

  test("a chip reset by a power dip (registers back to power-on) is set up again at the next poll: no 'dead'", async () => {
    const t = await started({ watchdogMs: 1000 });
    t.emu.place("04A2B3C4");
    await t.fire();
    t.emu.take();
    await t.runFor(2000);
    t.emu.hardReset(); // antenna off, no timer: as after a brown-out
    t.emu.place("1A2B3C4D");
    await t.runFor(2000);
    assert.deepEqual(t.taps(), ["04A2B3C4", "1A2B3C4D"]);
    assert.equal(t.ofType("dead").length, 0);
    assert.equal(t.emu.stats.softResets, 2, "the set-up at start, and once after the dip");
    await t.reader.stop();
  });

  test("a chip that never finishes a command counts as not answering", async () => {
    const t = await started({ watchdogMs: 1000, maxWaitReads: 20 });
    t.emu.place("04A2B3C4");
    t.emu.busyReads = 1000; // its interrupt bits never show within 20 reads
    await t.runFor(3000);
    const dead = t.ofType("dead");
    assert.equal(dead.length, 1);
    assert.match(dead[0]?.type === "dead" ? dead[0].reason : "", /did not help: the MFRC522 did not finish/);
    await t.reader.stop();
  });

  test("no reset line: the reason says a soft reset did not help; a failing RST pulse is named", async () => {
    const soft = await started({ watchdogMs: 1000, resetLine: null });
    soft.emu.bus = "low";
    await soft.runFor(3000);
    const event = soft.ofType("dead")[0];
    assert.match(
      event?.type === "dead" ? event.reason : "",
      /^MFRC522 on \/dev\/spidev0\.0 has not answered .* and a soft reset did not help/,
    );
    await soft.reader.stop();

    const broken = await started({
      watchdogMs: 1000,
      resetLine: {
        description: "GPIO 25 via gpioset",
        pulse: async () => {
          throw new Error("hard reset on GPIO 25: gpioset is not installed; install libgpiod's tools");
        },
      },
    });
    broken.emu.bus = "low";
    await broken.runFor(3000);
    const brokenEvent = broken.ofType("dead")[0];
    assert.match(
      brokenEvent?.type === "dead" ? brokenEvent.reason : "",
      /\(the RST pulse failed: hard reset on GPIO 25: gpioset is not installed/,
    );
    await broken.reader.stop();
  });
});
