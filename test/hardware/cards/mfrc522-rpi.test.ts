/** The mfrc522-rpi driver against a fake of mfrc522-rpi's class: taps, de-bouncing, the watchdog, no hardware, no waiting. */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { CardReaderEvent } from "../../../core/door/card-reader.ts";
import {
  createMfrc522RpiReader,
  gpioAccessProblem,
  type Mfrc522RpiLibrary,
  type Mfrc522RpiOptions,
  physicalPinOf,
  probeMfrc522Rpi,
} from "../../../hardware/cards/mfrc522-rpi.ts";
import { ManualClock, ManualTimers } from "../../support/fakes.ts";
import { FakeReaderWorld, hexBytes } from "./fake-mfrc522.ts";

const CARD_A = hexBytes("04A2B3C4");
const CARD_B = hexBytes("1A2B3C4D");

function setup(extra: Partial<Mfrc522RpiOptions> = {}) {
  const clock = new ManualClock();
  const timers = new ManualTimers(clock);
  const world = new FakeReaderWorld();
  const events: CardReaderEvent[] = [];
  const reader = createMfrc522RpiReader({
    loadLibrary: async () => world.library(),
    clock,
    timers,
    ...extra,
  });
  const listener = (e: CardReaderEvent) => {
    events.push(e);
  };
  const taps = () => events.filter((e) => e.type === "tap").map((e) => (e.type === "tap" ? e.uid : ""));
  const ofType = (type: CardReaderEvent["type"]) => events.filter((e) => e.type === type);
  return { clock, timers, world, events, reader, listener, taps, ofType };
}

async function started(extra: Partial<Mfrc522RpiOptions> = {}) {
  const t = setup(extra);
  await t.reader.start(t.listener);
  return t;
}

describe("createMfrc522RpiReader: opening", () => {
  test("does nothing until start(); then opens SPI0 CE0 and hard-resets on BCM 25 (physical pins for rpio)", async () => {
    let loads = 0;
    const world = new FakeReaderWorld();
    const clock = new ManualClock();
    const reader = createMfrc522RpiReader({
      clock,
      timers: new ManualTimers(clock),
      loadLibrary: async () => {
        loads++;
        return world.library();
      },
    });
    assert.equal(reader.driver, "mfrc522-rpi");
    assert.equal(loads, 0);
    await reader.start(() => {});
    assert.equal(loads, 1);
    // the library's own example: SoftSPI({ clock: 23, mosi: 19, miso: 21, client: 24 }), setResetPin(22)
    assert.deepEqual(world.spiOptions, [{ clock: 23, mosi: 19, miso: 21, client: 24 }]);
    assert.deepEqual(world.resets, [22]);
    assert.equal(world.spiOpen, true);
    await reader.stop();
    assert.equal(world.spiOpen, false);
  });

  test("spiChip 1 selects CE1 (physical 26); resetPin is a BCM number", async () => {
    const t = await started({ spiChip: 1, resetPin: 17 });
    assert.deepEqual(t.world.spiOptions, [{ clock: 23, mosi: 19, miso: 21, client: 26 }]);
    assert.deepEqual(t.world.resets, [11]);
    await t.reader.stop();
  });

  test("the BCM -> physical map of the 40-pin header", () => {
    assert.equal(physicalPinOf(25), 22);
    assert.equal(physicalPinOf(8), 24);
    assert.equal(physicalPinOf(11), 23);
    assert.equal(physicalPinOf(4), 7);
    assert.equal(physicalPinOf(21), 40);
    assert.equal(physicalPinOf(28), undefined);
    assert.equal(physicalPinOf(-1), undefined);
  });

  test("bad options are RangeErrors at creation", () => {
    assert.throws(() => createMfrc522RpiReader({ spiChip: 2 }), /spiChip must be 0 \(CE0\) or 1 \(CE1\)/);
    assert.throws(() => createMfrc522RpiReader({ resetPin: 8 }), /one of the reader's SPI0 pins/);
    assert.throws(() => createMfrc522RpiReader({ resetPin: 7, spiChip: 1 }), /SPI0 pins/);
    assert.doesNotThrow(() => createMfrc522RpiReader({ resetPin: 7, spiChip: 0 }));
    assert.throws(() => createMfrc522RpiReader({ resetPin: 40 }), RangeError);
    assert.throws(() => createMfrc522RpiReader({ resetPin: 2.5 }), RangeError);
    assert.throws(() => createMfrc522RpiReader({ pollMs: 0 }), /pollMs must be/);
    assert.throws(() => createMfrc522RpiReader({ watchdogMs: Number.NaN }), /watchdogMs/);
    assert.throws(() => createMfrc522RpiReader({ debounceMs: -1 }), /debounceMs/);
  });

  test("package missing -> start() rejects saying how to install it, enable SPI, or use the simulator", async () => {
    const missing = "mfrc522-rpi-not-installed-here";
    const reader = createMfrc522RpiReader({ loadLibrary: () => import(missing) });
    await assert.rejects(
      reader.start(() => {}),
      (e: unknown) => {
        assert.ok(e instanceof Error);
        assert.match(e.message, /mfrc522-rpi package is not installed/);
        assert.match(e.message, /npm install --include=optional/);
        assert.match(e.message, /raspi-config/);
        assert.match(e.message, /HARDWARE=sim/);
        return true;
      },
    );
    // nothing is left half-started: stop() is fine, and start() can be tried again
    await reader.stop();
    await assert.rejects(
      reader.start(() => {}),
      /not installed/,
    );
  });

  test("library failing to load for another reason -> suggests a rebuild", async () => {
    const reader = createMfrc522RpiReader({
      loadLibrary: async () => {
        throw Object.assign(new Error("Could not locate the bindings file. Tried: .../rpio.node"), {
          code: undefined,
        });
      },
    });
    await assert.rejects(
      reader.start(() => {}),
      /could not be loaded .*npm rebuild rpio/,
    );
  });

  test("pins that cannot be opened (rpio/SoftSPI throw, even plain strings) -> a clear Error", async () => {
    for (const failure of [new Error("Could not initialize bcm2835"), "Not initialized"]) {
      const t = setup();
      t.world.openFailure = failure;
      await assert.rejects(t.reader.start(t.listener), (e: unknown) => {
        assert.ok(e instanceof Error);
        assert.match(e.message, /MFRC522 on SPI0 CE0 \(reset on GPIO 25\): cannot open the SPI and reset pins/);
        assert.match(e.message, failure instanceof Error ? /Could not initialize bcm2835/ : /Not initialized/);
        assert.match(e.message, /gpio group/);
        return true;
      });
      assert.equal(t.timers.pending.length, 0);
    }
  });

  test("start() twice rejects; after stop() it can start again", async () => {
    const t = await started();
    await assert.rejects(t.reader.start(t.listener), /already started/);
    await t.reader.stop();
    await t.reader.start(t.listener);
    t.world.card = CARD_A;
    t.timers.fire();
    assert.deepEqual(t.taps(), ["04A2B3C4"]);
    await t.reader.stop();
  });
});

describe("createMfrc522RpiReader: taps", () => {
  test("each poll scans as the library's example does: version check, reset, findCard, getUid, stopCrypto", async () => {
    const t = await started();
    t.timers.fire();
    assert.deepEqual(
      { ...t.world.calls },
      { polls: 1, findCard: 1, getUid: 0, stopCrypto: 0, softReset: 1, spiOpen: 1, spiClose: 0 },
    );
    t.world.card = CARD_A;
    t.timers.fire();
    assert.equal(t.world.calls.getUid, 1);
    assert.equal(t.world.calls.stopCrypto, 1);
    await t.reader.stop();
  });

  test("a card presented and held: one tap, with the clock's time", async () => {
    const t = await started();
    t.timers.fire();
    t.world.card = CARD_A;
    t.timers.fire();
    const at = t.clock.now().getTime();
    t.timers.runFor(10_000); // held for 10 s, far longer than the debounce
    assert.deepEqual(t.events, [{ type: "tap", uid: "04A2B3C4", at }]);
    await t.reader.stop();
  });

  test("a held card missed for a few polls (REQA not answered) is still one tap", async () => {
    const t = await started();
    for (let i = 0; i < 20; i++) {
      t.world.card = i % 4 === 3 ? undefined : CARD_A;
      t.timers.fire();
    }
    assert.deepEqual(t.taps(), ["04A2B3C4"]);
    await t.reader.stop();
  });

  test("a different card is a new tap at once", async () => {
    const t = await started();
    t.world.card = CARD_A;
    t.timers.fire();
    t.world.card = CARD_B;
    t.timers.fire();
    assert.deepEqual(t.taps(), ["04A2B3C4", "1A2B3C4D"]);
    await t.reader.stop();
  });

  test("each card has its own quiet period: A, B, then A again within the debounce is not a new tap", async () => {
    const t = await started({ debounceMs: 1500, pollMs: 200 });
    for (const card of [CARD_A, CARD_B, CARD_A]) {
      t.world.card = card;
      t.timers.fire();
    }
    assert.deepEqual(t.taps(), ["04A2B3C4", "1A2B3C4D"]);
    await t.reader.stop();
  });

  test("removed and presented again: a new tap only after debounceMs since it was last seen", async () => {
    const t = await started({ debounceMs: 1500, pollMs: 200 });
    t.world.card = CARD_A;
    t.timers.fire(); // seen at t0 + 0
    t.timers.fire(); // still held at +200
    t.world.card = undefined;
    t.timers.runFor(1000); // gone for 1000 ms: less than 1500 since the last sighting
    t.world.card = CARD_A;
    t.timers.fire();
    assert.deepEqual(t.taps(), ["04A2B3C4"], "back within the debounce: same presentation");
    t.world.card = undefined;
    t.timers.runFor(1600);
    t.world.card = CARD_A;
    t.timers.fire();
    assert.deepEqual(t.taps(), ["04A2B3C4", "04A2B3C4"], "back after the debounce: a new tap");
    await t.reader.stop();
  });

  test("7- and 10-byte UIDs: the driver completes the cascade (the library stops at level 1)", async () => {
    const t = await started();
    t.world.card = hexBytes("04112233445566");
    t.timers.fire();
    t.world.card = hexBytes("0411223344556677889A");
    t.timers.fire();
    assert.deepEqual(t.taps(), ["04112233445566", "0411223344556677889A"]);
    await t.reader.stop();
  });

  test("two 7-byte cards sharing their first 3 bytes are different cards", async () => {
    const t = await started();
    t.world.card = hexBytes("04AABB01020304");
    t.timers.fire();
    t.world.card = hexBytes("04AABB0A0B0C0D");
    t.timers.fire();
    assert.deepEqual(t.taps(), ["04AABB01020304", "04AABB0A0B0C0D"]);
    await t.reader.stop();
  });

  test("a BCC mismatch is ignored (no tap), whether or not the library caught it; the reader stays alive", async () => {
    const t = await started({ watchdogMs: 1000 });
    t.world.card = CARD_A;
    t.world.corruptBccAtLevel = 0;
    t.timers.runFor(2000); // the library reports status false
    t.world.getUidIgnoresBcc = true;
    t.timers.runFor(2000); // status true with a bad BCC: the driver's own check
    assert.deepEqual(t.events, []);
    t.world.corruptBccAtLevel = undefined;
    t.timers.fire();
    assert.deepEqual(t.taps(), ["04A2B3C4"]);
    await t.reader.stop();
  });

  test("a bad BCC at cascade level 2 never yields a truncated '88...' UID", async () => {
    const t = await started();
    t.world.card = hexBytes("04112233445566");
    t.world.corruptBccAtLevel = 1;
    t.timers.runFor(1000);
    t.world.corruptBccAtLevel = undefined;
    t.world.sakAlwaysComplete = true;
    t.timers.runFor(1000);
    assert.deepEqual(t.events, []);
    await t.reader.stop();
  });

  test("an all-zero UID (a read error pattern) is ignored", async () => {
    const t = await started();
    t.world.card = [0, 0, 0, 0];
    t.timers.runFor(1000);
    assert.deepEqual(t.events, []);
    await t.reader.stop();
  });

  test("a throwing or rejecting listener does not stop the reader", async () => {
    const t = setup();
    const seen: string[] = [];
    let calls = 0;
    await t.reader.start((e) => {
      calls++;
      if (e.type === "tap") seen.push(e.uid);
      if (calls === 1) throw new Error("listener bug");
      if (calls === 2) return Promise.reject(new Error("async listener bug")) as unknown as undefined;
    });
    t.world.card = CARD_A;
    t.timers.fire();
    t.world.card = CARD_B;
    t.timers.fire();
    t.world.card = hexBytes("0C0D0E0F");
    t.timers.runFor(2000);
    assert.deepEqual(seen, ["04A2B3C4", "1A2B3C4D", "0C0D0E0F"]);
    assert.equal(t.timers.pending.length, 1, "still polling");
    await t.reader.stop();
  });
});

describe("createMfrc522RpiReader: polling", () => {
  test("never overlaps: one timer at a time, the next one scheduled only after a poll ends", async () => {
    const t = await started({ pollMs: 50 });
    t.world.onPoll = () => assert.equal(t.timers.pending.length, 0, "a poll was scheduled while another ran");
    t.world.card = CARD_A;
    t.timers.runFor(3000);
    t.world.fault = "throw";
    t.timers.runFor(10_000);
    assert.equal(t.timers.maxPending, 1);
    assert.ok(t.world.calls.polls > 50);
    assert.equal(t.timers.delays[0], 0, "the first poll right after start()");
    assert.ok(t.timers.delays.slice(1, 10).every((ms) => ms === 50));
    await t.reader.stop();
  });

  test("stop() stops: no timer left, the SPI bus closed, no chip access after; safe twice", async () => {
    const t = await started();
    t.timers.runFor(1000);
    const polls = t.world.calls.polls;
    await t.reader.stop();
    await t.reader.stop();
    assert.equal(t.timers.pending.length, 0);
    assert.equal(t.world.spiOpen, false);
    t.world.card = CARD_A;
    assert.equal(t.world.calls.polls, polls);
    assert.deepEqual(t.events, []);
  });

  test("stop() from inside the listener: nothing more is emitted or scheduled", async () => {
    const t = setup();
    const events: CardReaderEvent[] = [];
    await t.reader.start((e) => {
      events.push(e);
      void t.reader.stop();
    });
    t.world.card = CARD_A;
    t.timers.fire();
    assert.equal(events.length, 1);
    assert.equal(t.timers.pending.length, 0);
    await t.reader.stop();
    assert.equal(t.world.spiOpen, false);
  });

  test("stop() while the library is still loading: start() resolves, the pins are released, no polling", async () => {
    const clock = new ManualClock();
    const timers = new ManualTimers(clock);
    const world = new FakeReaderWorld();
    let release!: (lib: Mfrc522RpiLibrary) => void;
    const reader = createMfrc522RpiReader({
      clock,
      timers,
      loadLibrary: () =>
        new Promise<Mfrc522RpiLibrary>((resolve) => {
          release = resolve;
        }),
    });
    const starting = reader.start(() => {});
    await Promise.resolve();
    const stopping = reader.stop();
    release(world.library());
    await starting;
    await stopping;
    assert.equal(timers.pending.length, 0);
    assert.equal(world.spiOpen, false);
  });
});

describe("createMfrc522RpiReader: watchdog", () => {
  test("SPI errors for watchdogMs -> one hard reset, then 'dead' once; slower retries; 'alive' when it answers", async () => {
    const t = await started({ pollMs: 200, watchdogMs: 5000, deadPollMs: 2000 });
    t.timers.fire();
    t.world.fault = "throw";
    t.timers.fire(); // the first failing poll, 200 ms after start
    t.timers.runFor(4800);
    assert.equal(t.events.length, 0, "not yet: failing for less than watchdogMs");
    assert.deepEqual(t.world.resets, [22], "no extra reset yet");
    t.timers.fire();
    assert.deepEqual(t.world.resets, [22, 22], "a hard reset once failing for watchdogMs");
    assert.equal(t.events.length, 0);
    t.timers.fire();
    const dead = t.ofType("dead");
    assert.equal(dead.length, 1);
    const event = dead[0];
    assert.ok(event?.type === "dead");
    assert.match(event.reason, /MFRC522 on SPI0 CE0 \(reset on GPIO 25\) has not answered for 5\.2 s/);
    assert.match(event.reason, /hard reset did not help: SPI error \(EIO: SPI transfer failed\)/);
    assert.equal(event.at, t.clock.now().getTime());

    const resetsBefore = t.world.resets.length;
    t.timers.runFor(20_000);
    assert.equal(t.ofType("dead").length, 1, "dead is said once");
    assert.ok(
      t.timers.delays.slice(-5).every((ms) => ms === 2000),
      "retries at the slower pace",
    );
    assert.ok(t.world.resets.length > resetsBefore, "keeps trying hard resets while dead");

    t.world.fault = undefined;
    t.world.card = CARD_A;
    t.timers.fire();
    t.timers.runFor(1000);
    assert.deepEqual(
      t.events.map((e) => e.type),
      ["dead", "alive", "tap"],
    );
    assert.deepEqual(t.timers.delays.slice(-3), [200, 200, 200], "back to the normal pace");
    await t.reader.stop();
  });

  test("a version register of 0x00 or 0xFF (nobody on the bus) is not answering either", async () => {
    for (const fault of ["version-00", "version-ff"] as const) {
      const t = await started({ watchdogMs: 1000 });
      t.world.fault = fault;
      t.world.card = CARD_A;
      t.timers.runFor(3000);
      const dead = t.ofType("dead");
      assert.equal(dead.length, 1);
      assert.match(dead[0]?.type === "dead" ? dead[0].reason : "", /version register reads 0x(00|FF)/);
      assert.equal(t.world.calls.findCard, 0, "no scan while the chip does not answer");
      await t.reader.stop();
    }
  });

  test("string exceptions from SoftSPI are reported too", async () => {
    const t = await started({ watchdogMs: 1000 });
    t.world.fault = "throw-string";
    t.timers.runFor(3000);
    const dead = t.ofType("dead")[0];
    assert.match(dead?.type === "dead" ? dead.reason : "", /SPI error \(Not initialized\)/);
    await t.reader.stop();
  });

  test("the hard reset helps: no 'dead'", async () => {
    const t = await started({ watchdogMs: 1000 });
    t.world.fault = "throw";
    while (t.world.resets.length < 2) t.timers.fire();
    t.world.fault = undefined;
    t.timers.runFor(5000);
    assert.deepEqual(t.events, []);
    await t.reader.stop();
  });

  test("failures shorter than watchdogMs: nothing happens, and the streak restarts after a good poll", async () => {
    const t = await started({ watchdogMs: 1000 });
    for (let i = 0; i < 5; i++) {
      t.world.fault = "throw";
      t.timers.runFor(800);
      t.world.fault = undefined;
      t.timers.fire();
    }
    assert.deepEqual(t.events, []);
    assert.deepEqual(t.world.resets, [22]);
    await t.reader.stop();
  });

  test("a new dead period after recovery is reported again", async () => {
    const t = await started({ watchdogMs: 1000, deadPollMs: 500 });
    for (let round = 0; round < 2; round++) {
      t.world.fault = "throw";
      t.timers.runFor(3000);
      t.world.fault = undefined;
      t.timers.runFor(1000);
    }
    assert.deepEqual(
      t.events.map((e) => e.type),
      ["dead", "alive", "dead", "alive"],
    );
    await t.reader.stop();
  });
});

describe("probeMfrc522Rpi", () => {
  test("a chip that answers: available, with its version; the pins are released", async () => {
    const world = new FakeReaderWorld();
    assert.deepEqual(await probeMfrc522Rpi({ loadLibrary: async () => world.library() }), {
      available: true,
      version: 0x92,
      answering: true,
    });
    assert.equal(world.spiOpen, false);
  });

  test("a Pi whose chip does not answer: available but not answering, with the reason", async () => {
    const world = new FakeReaderWorld();
    world.fault = "version-00";
    const probe = await probeMfrc522Rpi({ loadLibrary: async () => world.library() });
    assert.ok(probe.available && !probe.answering && /version register reads 0x00/.test(probe.reason));
  });

  test("no library: not available, never rejects", async () => {
    const missing = "mfrc522-rpi-missing";
    const probe = await probeMfrc522Rpi({ loadLibrary: () => import(missing) });
    assert.ok(!probe.available && /not installed/.test(probe.reason));
    const bad = await probeMfrc522Rpi({ spiChip: 3 });
    assert.ok(!bad.available && /spiChip/.test(bad.reason));
  });
});

describe("gpioAccessProblem", () => {
  async function withFiles(files: Record<string, string>, fn: (dir: string) => Promise<void>) {
    const dir = await mkdtemp(join(tmpdir(), "seroma-gpio-"));
    try {
      for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
      await fn(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  test("no device-tree model: not a Raspberry Pi", async () => {
    await withFiles({}, async (dir) => {
      const problem = await gpioAccessProblem({ model: join(dir, "model"), gpiomem: join(dir, "gpiomem") });
      assert.match(problem ?? "", /not a Raspberry Pi .*is missing/);
      assert.match(problem ?? "", /mock mode/);
      assert.match(problem ?? "", /HARDWARE=sim/);
    });
  });

  test("another board, a Pi 5, a Pi without /dev/gpiomem, a Pi with it", async () => {
    await withFiles(
      {
        orange: "Xunlong Orange Pi Zero\0",
        pi5: "Raspberry Pi 5 Model B Rev 1.0\0",
        pi4: "Raspberry Pi 4 Model B Rev 1.4\0",
        gpiomem: "",
      },
      async (dir) => {
        const p = (model: string, gpiomem: string) =>
          gpioAccessProblem({ model: join(dir, model), gpiomem: join(dir, gpiomem) });
        assert.match((await p("orange", "gpiomem")) ?? "", /"Xunlong Orange Pi Zero", not a Raspberry Pi/);
        assert.match((await p("pi5", "gpiomem")) ?? "", /Raspberry Pi 5 Model B Rev 1\.0: rpio .* does not support/);
        const noMem = (await p("pi4", "missing-gpiomem")) ?? "";
        assert.match(noMem, /cannot open .*missing-gpiomem \(ENOENT\)/);
        assert.match(noMem, /gpio group/);
        assert.equal(await p("pi4", "gpiomem"), undefined);
      },
    );
  });
});
