/** The PIR driver against a fake of onoff's Gpio class: edges, cooldown, GPIO numbering, failures; no GPIO, no waiting. */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { MotionEvent } from "../../../core/motion/sensor.ts";
import { createPirMotionSensor, detectGpioOffset, type PirOptions, probePir } from "../../../hardware/motion/pir.ts";
import { ManualClock } from "../../support/fakes.ts";
import { FakeGpioWorld } from "./fakes.ts";

let sysfs: string;
/** A sysfs GPIO folder as on a Pi 4 with kernel 6.6: the header's chip starts at 512. */
let pi4: string;
/** As on a Pi 5 with kernel 6.6: the SoC's chips first, the header's RP1 chip at 571. */
let pi5: string;
/** As on older kernels: the header's chip at 0. */
let legacy: string;
/** Some other board. */
let otherBoard: string;

async function fakeSysfs(name: string, chips: { base: number; label: string }[]): Promise<string> {
  const root = join(sysfs, name);
  await mkdir(root, { recursive: true });
  await writeFile(join(root, "export"), "");
  for (const chip of chips) {
    const dir = join(root, `gpiochip${chip.base}`);
    await mkdir(dir);
    await writeFile(join(dir, "base"), `${chip.base}\n`);
    await writeFile(join(dir, "label"), `${chip.label}\n`);
    await writeFile(join(dir, "ngpio"), "54\n");
  }
  return root;
}

before(async () => {
  sysfs = await mkdtemp(join(tmpdir(), "seroma-sysfs-"));
  pi4 = await fakeSysfs("pi4", [
    { base: 512, label: "pinctrl-bcm2711" },
    { base: 570, label: "raspberrypi-exp-gpio" },
  ]);
  pi5 = await fakeSysfs("pi5", [
    { base: 512, label: "gpio-brcmstb@107d508500" },
    { base: 544, label: "gpio-brcmstb@107d508520" },
    { base: 571, label: "pinctrl-rp1" },
  ]);
  legacy = await fakeSysfs("legacy", [{ base: 0, label: "pinctrl-bcm2835" }]);
  otherBoard = await fakeSysfs("other", [{ base: 64, label: "gpio-mockup-A" }]);
});

after(async () => {
  await rm(sysfs, { recursive: true, force: true });
});

function setup(extra: Partial<PirOptions> = {}) {
  const clock = new ManualClock();
  const world = new FakeGpioWorld();
  const events: MotionEvent[] = [];
  const sensor = createPirMotionSensor({ pin: 17, gpioOffset: 0, loadLibrary: world.load, clock, ...extra });
  const listener = (e: MotionEvent) => {
    events.push(e);
  };
  const types = () => events.map((e) => e.type);
  return { clock, world, events, sensor, listener, types };
}

async function started(extra: Partial<PirOptions> = {}) {
  const t = setup(extra);
  await t.sensor.start(t.listener);
  return t;
}

describe("createPirMotionSensor: opening", () => {
  test("does nothing until start(); then exports the pin as an input on both edges with onoff's debounce", async () => {
    const t = setup();
    assert.equal(t.sensor.driver, "pir");
    assert.equal(t.world.loads, 0);
    await t.sensor.start(t.listener);
    assert.equal(t.world.loads, 1);
    assert.deepEqual(t.world.opened, [{ gpio: 17, direction: "in", edge: "both", options: { debounceTimeout: 10 } }]);
    assert.equal(t.world.callbacks.size, 1);
    await t.sensor.stop();
  });

  test("the sysfs number: BCM + the header chip's base, detected from sysfs (Pi 4 and Pi 5 on kernel 6.6)", async () => {
    for (const [root, expected] of [
      [pi4, 512 + 17],
      [pi5, 571 + 17],
      [legacy, 17],
      [otherBoard, 17],
      [join(sysfs, "missing"), 17],
    ] as const) {
      const t = await started({ gpioOffset: "auto", sysfsGpioRoot: root });
      assert.equal(t.world.opened[0]?.gpio, expected, root);
      await t.sensor.stop();
    }
    const t = await started({ gpioOffset: 399, sysfsGpioRoot: pi5 });
    assert.equal(t.world.opened[0]?.gpio, 399 + 17, "an explicit offset wins over the detection");
    await t.sensor.stop();
  });

  test("detectGpioOffset says where the offset came from", async () => {
    assert.deepEqual(await detectGpioOffset(pi5), {
      offset: 571,
      source: `${join(pi5, "gpiochip571")} (pinctrl-rp1) starts at 571`,
    });
    assert.equal((await detectGpioOffset(pi4)).offset, 512);
    assert.match((await detectGpioOffset(otherBoard)).source, /no Raspberry Pi GPIO chip/);
    assert.match((await detectGpioOffset(join(sysfs, "missing"))).source, /is missing/);
  });

  test("GPIO not accessible -> start() rejects clearly, nothing exported", async () => {
    const t = setup();
    t.world.accessible = false;
    await assert.rejects(t.sensor.start(t.listener), (e: unknown) => {
      assert.ok(e instanceof Error);
      assert.match(
        e.message,
        /^PIR on GPIO 17: GPIO is not accessible: not a Raspberry Pi, or no permission for \/sys\/class\/gpio \/ gpiochip/,
      );
      assert.match(e.message, /gpio group/);
      return true;
    });
    assert.deepEqual(t.world.opened, []);
    // nothing is left half-started: stop() is fine, and start() can be tried again
    await t.sensor.stop();
    t.world.accessible = true;
    await t.sensor.start(t.listener);
    assert.equal(t.world.exported.size, 1);
    await t.sensor.stop();
  });

  test("package missing -> says how to install it or do without", async () => {
    const missing = "onoff-not-installed-here";
    const sensor = createPirMotionSensor({ pin: 17, loadLibrary: () => import(missing) });
    await assert.rejects(
      sensor.start(() => {}),
      /PIR: the onoff package is not installed.*npm install --include=optional/,
    );
  });

  test("epoll's addon missing (onoff's import fails) -> suggests a rebuild", async () => {
    const sensor = createPirMotionSensor({
      pin: 17,
      loadLibrary: async () => {
        throw new Error("Could not locate the bindings file. Tried: .../epoll.node");
      },
    });
    await assert.rejects(
      sensor.start(() => {}),
      /onoff could not be loaded \(Could not locate.*npm rebuild epoll/,
    );
  });

  test("a pin that cannot be exported -> the sysfs number and where the offset came from; EACCES -> permissions", async () => {
    const t = setup({ gpioOffset: "auto", sysfsGpioRoot: pi4 });
    t.world.openFailure = Object.assign(new Error("EINVAL: invalid argument, write"), { code: "EINVAL" });
    await assert.rejects(t.sensor.start(t.listener), (e: unknown) => {
      assert.ok(e instanceof Error);
      assert.match(e.message, /PIR on GPIO 17 \(sysfs GPIO 529\): cannot open the pin \(EINVAL/);
      assert.match(e.message, /offset 512 came from .*gpiochip512 \(pinctrl-bcm2711\)/);
      assert.match(e.message, /\/sys\/kernel\/debug\/gpio/);
      return true;
    });
    const u = setup();
    u.world.openFailure = Object.assign(new Error("EACCES: permission denied, open"), { code: "EACCES" });
    await assert.rejects(u.sensor.start(u.listener), /cannot open the pin \(EACCES.*gpio group/);
  });

  test("watch() failing -> rejects and releases the pin", async () => {
    const t = setup();
    t.world.watchFailure = new Error("EPOLL failed");
    await assert.rejects(t.sensor.start(t.listener), /cannot watch the pin for edges \(EPOLL failed\)/);
    assert.equal(t.world.exported.size, 0);
  });

  test("bad options are RangeErrors at creation", () => {
    assert.throws(() => createPirMotionSensor({ pin: 28 }), /pin must be a BCM GPIO number/);
    assert.throws(() => createPirMotionSensor({ pin: -1 }), RangeError);
    assert.throws(() => createPirMotionSensor({ pin: 4.5 }), RangeError);
    assert.throws(() => createPirMotionSensor({ pin: 4, gpioOffset: -512 }), /gpioOffset/);
    assert.throws(() => createPirMotionSensor({ pin: 4, debounceMs: -1 }), /debounceMs/);
    assert.throws(() => createPirMotionSensor({ pin: 4, cooldownMs: Number.NaN }), /cooldownMs/);
  });
});

describe("createPirMotionSensor: motion", () => {
  test("a rising edge is one motion event (source pir, the clock's time); held high it stays one", async () => {
    const t = await started();
    t.clock.advance(5000);
    t.world.set(1);
    const at = t.clock.now().getTime();
    t.clock.advance(1000);
    t.world.set(1);
    t.world.set(1);
    assert.deepEqual(t.events, [{ type: "motion", at, source: "pir" }]);
    await t.sensor.stop();
  });

  test("re-trigger suppression: a new rising edge within cooldownMs of the last event is not reported", async () => {
    const t = await started({ cooldownMs: 30_000 });
    t.world.set(1); // event at 0 s
    t.world.set(0);
    t.clock.advance(10_000);
    t.world.set(1); // 10 s: suppressed
    t.world.set(0);
    t.clock.advance(19_999);
    t.world.set(1); // 29.999 s: suppressed (suppressed edges do not extend the quiet time)
    t.world.set(0);
    t.clock.advance(1);
    t.world.set(1); // 30 s: an event
    assert.equal(t.events.length, 2);
    assert.equal((t.events[1]?.at ?? 0) - (t.events[0]?.at ?? 0), 30_000);
    await t.sensor.stop();
  });

  test("cooldownMs 0: every rising edge is an event, falling edges never are", async () => {
    const t = await started({ cooldownMs: 0 });
    for (let i = 0; i < 3; i++) {
      t.world.set(1);
      t.world.set(0);
    }
    assert.deepEqual(t.types(), ["motion", "motion", "motion"]);
    await t.sensor.stop();
  });

  test("a pin already high at start() is no event; the next rising edge is", async () => {
    const t = setup({ cooldownMs: 0 });
    t.world.level = 1;
    await t.sensor.start(t.listener);
    t.world.set(1);
    assert.equal(t.events.length, 0);
    t.world.set(0);
    t.world.set(1);
    assert.deepEqual(t.types(), ["motion"]);
    await t.sensor.stop();
  });

  test("a watch error: dead (once); the next good callback: alive, and edges count again", async () => {
    const t = await started({ cooldownMs: 0 });
    t.world.fail(new Error("EPOLLERR on /sys/class/gpio/gpio17/value"));
    t.world.fail(new Error("EPOLLERR again"));
    assert.deepEqual(t.types(), ["dead"]);
    const [dead] = t.events;
    assert.ok(dead?.type === "dead");
    assert.match(dead.reason, /PIR on GPIO 17: watching the pin failed \(EPOLLERR on/);
    t.world.set(1);
    assert.deepEqual(t.types(), ["dead", "alive", "motion"]);
    await t.sensor.stop();
  });

  test("a listener that throws does not stop the sensor", async () => {
    const t = setup({ cooldownMs: 0 });
    let calls = 0;
    await t.sensor.start(() => {
      calls++;
      throw new Error("listener broke");
    });
    t.world.set(1);
    t.world.set(0);
    t.world.set(1);
    assert.equal(calls, 2);
    await t.sensor.stop();
  });
});

describe("createPirMotionSensor: stopping", () => {
  test("stop() unwatches and unexports; nothing after it; safe twice; start() again works", async () => {
    const t = await started({ cooldownMs: 0 });
    await assert.rejects(t.sensor.start(t.listener), /already started/);
    await t.sensor.stop();
    assert.equal(t.world.callbacks.size, 0);
    assert.deepEqual(t.world.unexported, [17]);
    assert.equal(t.world.exported.size, 0);
    t.world.set(1);
    assert.equal(t.events.length, 0);
    await t.sensor.stop();
    assert.deepEqual(t.world.unexported, [17]);
    t.world.set(0);
    await t.sensor.start(t.listener);
    t.world.set(1);
    assert.deepEqual(t.types(), ["motion"]);
    await t.sensor.stop();
  });

  test("stop() while start() is still opening: the pin is released and no watch is left", async () => {
    const world = new FakeGpioWorld();
    let unblock!: () => void;
    const gate = new Promise<void>((resolve) => {
      unblock = resolve;
    });
    const sensor = createPirMotionSensor({
      pin: 17,
      gpioOffset: 0,
      loadLibrary: async () => {
        await gate;
        return world.library();
      },
    });
    const starting = sensor.start(() => {});
    const stopping = sensor.stop();
    unblock();
    await starting;
    await stopping;
    assert.equal(world.callbacks.size, 0);
    assert.equal(world.exported.size, 0);
  });
});

describe("probePir", () => {
  test("available: the pin could be exported, and it was released again", async () => {
    const world = new FakeGpioWorld();
    const probe = await probePir(17, { loadLibrary: world.load, gpioOffset: "auto", sysfsGpioRoot: pi5 });
    assert.deepEqual(probe, { available: true, sysfsGpio: 588 });
    assert.equal(world.exported.size, 0);
    assert.deepEqual(world.unexported, [588]);
  });

  test("not available: why, never a rejection", async () => {
    const world = new FakeGpioWorld();
    world.accessible = false;
    const probe = await probePir(17, { loadLibrary: world.load });
    assert.equal(probe.available, false);
    assert.match(probe.available ? "" : probe.reason, /GPIO is not accessible/);
    const bad = await probePir(99, { loadLibrary: world.load });
    assert.match(bad.available ? "" : bad.reason, /pin must be a BCM GPIO number/);
  });
});
