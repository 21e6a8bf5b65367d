import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import {
  createMotionSensor,
  MOTION_DRIVERS,
  type MotionEvent,
  type OnoffLibrary,
  type SimulatedMotionSensor,
  selectMotionSensor,
} from "../../../hardware/motion/index.ts";
import { FakeGpiod, PI4_CHIPS, PI5_CHIPS } from "../../support/fake-gpiod.ts";
import { ManualClock, ManualTimers } from "../../support/fakes.ts";
import { FakeCamera, FakeGpioWorld, until } from "./fakes.ts";

const scratch = mkdtempSync(join(tmpdir(), "seroma-motion-select-"));
/** A PATH without libgpiod's tools: the "pir-gpiod" driver cannot be used. */
const noTools = { env: { PATH: join(scratch, "empty-bin") } };
mkdirSync(noTools.env.PATH);
/** A kernel that still has sysfs GPIO (the onoff fallback is tried). */
const sysfs = join(scratch, "sysfs-gpio");
mkdirSync(sysfs);
writeFileSync(join(sysfs, "export"), "");
/** A kernel without it (Raspberry Pi OS is retiring it). */
const noSysfs = join(scratch, "no-sysfs-gpio");
const fakes: FakeGpiod[] = [];

after(async () => {
  for (const f of fakes) await f.close();
  rmSync(scratch, { recursive: true, force: true });
});

const noOnoff = async (): Promise<OnoffLibrary> => {
  throw Object.assign(new Error("Cannot find package 'onoff' imported from seroma"), {
    code: "ERR_MODULE_NOT_FOUND",
  });
};

const noGpio = () => {
  const world = new FakeGpioWorld();
  world.accessible = false;
  return world;
};

describe("createMotionSensor", () => {
  test("an unknown name throws, listing the valid ones", () => {
    assert.throws(
      () => createMotionSensor("radar"),
      /unknown motion driver "radar"; valid drivers: pir-gpiod, pir, camera, sim/,
    );
    assert.throws(() => createMotionSensor("constructor"), /valid drivers: pir-gpiod, pir, camera, sim/);
    assert.deepEqual(MOTION_DRIVERS, ["pir-gpiod", "pir", "camera", "sim"]);
  });

  test("pir-gpiod and pir need their pin and camera its camera", () => {
    assert.throws(() => createMotionSensor("pir-gpiod"), /"pir-gpiod" motion driver needs `pirPin`/);
    assert.throws(() => createMotionSensor("pir"), /needs `pirPin`/);
    assert.throws(() => createMotionSensor("camera"), /needs `camera`/);
  });

  test("sim, with the clock and cooldown passed through", async () => {
    const clock = new ManualClock();
    const sensor = createMotionSensor("sim", { clock, cooldownMs: 0 }) as SimulatedMotionSensor;
    assert.equal(sensor.driver, "sim");
    const events: MotionEvent[] = [];
    await sensor.start((e) => {
      events.push(e);
    });
    sensor.trigger();
    sensor.trigger();
    assert.equal(events.length, 2, "cooldown 0 reached the simulator");
    assert.equal(events[0]?.at, clock.now().getTime());
  });

  test("pir, with its options, the clock and cooldown passed through; no I/O until start()", async () => {
    const clock = new ManualClock();
    const world = new FakeGpioWorld();
    const sensor = createMotionSensor("pir", {
      clock,
      cooldownMs: 0,
      pirPin: 22,
      pir: { gpioOffset: 512, debounceMs: 5, loadLibrary: world.load },
    });
    assert.equal(sensor.driver, "pir");
    assert.equal(world.loads, 0);
    const events: MotionEvent[] = [];
    await sensor.start((e) => {
      events.push(e);
    });
    assert.deepEqual(world.opened[0], { gpio: 534, direction: "in", edge: "both", options: { debounceTimeout: 5 } });
    world.set(1);
    world.set(0);
    world.set(1);
    assert.equal(events.length, 2, "cooldown 0 reached the driver");
    await sensor.stop();
  });

  test("pir-gpiod, with its options, the clock and cooldown passed through; no tool runs until start()", async () => {
    const fake = await FakeGpiod.create({ version: "2.2.1", chips: PI5_CHIPS });
    fakes.push(fake);
    const clock = new ManualClock();
    const sensor = createMotionSensor("pir-gpiod", {
      clock,
      cooldownMs: 0,
      pirPin: 22,
      pirGpiod: { env: fake.env(), chip: "gpiochip0" },
    });
    assert.equal(sensor.driver, "pir-gpiod");
    assert.deepEqual(fake.calls(), []);
    const events: MotionEvent[] = [];
    let second!: () => void;
    const two = new Promise<void>((resolve) => {
      second = resolve;
    });
    await sensor.start((e) => {
      events.push(e);
      if (events.length === 2) second();
    });
    const monitor = await fake.monitor(1);
    assert.deepEqual(monitor.args, ["--banner", "--chip", "gpiochip0", "--edges", "both", "22"]);
    monitor.edge("rising");
    monitor.edge("rising");
    await two;
    assert.deepEqual(events, [
      { type: "motion", at: clock.now().getTime(), source: "pir" },
      { type: "motion", at: clock.now().getTime(), source: "pir" },
    ]);
    await sensor.stop();
  });

  test("camera, with its options passed through; no capture until start()", async () => {
    const clock = new ManualClock();
    const timers = new ManualTimers(clock);
    const camera = new FakeCamera(clock, "rpicam");
    const sensor = createMotionSensor("camera", { clock, camera, cameraMotion: { timers, intervalMs: 750 } });
    assert.equal(sensor.driver, "camera");
    await sensor.start(() => {});
    assert.equal(camera.snapshots, 0);
    timers.fire();
    await until(() => timers.pending.length === 1, "the next tick is scheduled");
    assert.equal(camera.snapshots, 1);
    assert.deepEqual(timers.delays, [0, 750]);
    await sensor.stop();
  });
});

describe("selectMotionSensor", () => {
  const clock = new ManualClock();
  const realCamera = () => new FakeCamera(clock, "rpicam");
  const simCamera = () => new FakeCamera(clock, "sim");

  test("sim: the simulator, no probe", async () => {
    const world = new FakeGpioWorld();
    const fake = await FakeGpiod.create({ version: "2.2.1", chips: PI5_CHIPS });
    fakes.push(fake);
    const chosen = await selectMotionSensor({
      mode: "sim",
      pirPin: 17,
      camera: realCamera(),
      pirGpiod: { env: fake.env() },
      pir: { loadLibrary: world.load },
    });
    assert.equal(chosen.sensor.driver, "sim");
    assert.equal(chosen.reason, "HARDWARE=sim");
    assert.equal(world.loads, 0);
    assert.deepEqual(fake.calls(), [], "no libgpiod tool ran");
  });

  test("auto with a PIR pin and libgpiod's tools: pir-gpiod, saying which tools, chip and line; nothing left running", async () => {
    const fake = await FakeGpiod.create({ version: "1.6.3", chips: PI4_CHIPS });
    fakes.push(fake);
    const world = new FakeGpioWorld();
    const chosen = await selectMotionSensor({
      mode: "auto",
      pirPin: 17,
      camera: realCamera(),
      pirGpiod: { env: fake.env() },
      pir: { loadLibrary: world.load, gpioOffset: 0, sysfsGpioRoot: sysfs },
    });
    assert.equal(chosen.sensor.driver, "pir-gpiod");
    assert.equal(
      chosen.reason,
      "PIR on GPIO 17 over the GPIO character device: gpiomon v1.6.3 on gpiochip0 [pinctrl-bcm2711], line 17",
    );
    assert.deepEqual(
      fake.calls().map((c) => c.tool),
      ["gpiomon", "gpiodetect", "gpioget"],
      "the probe read the line; gpiomon only asked for its version",
    );
    assert.equal(world.loads, 0, "onoff is not even loaded");
  });

  test("auto without libgpiod's tools, where sysfs GPIO still exists: the PIR through onoff, saying why; the probe released the pin", async () => {
    const world = new FakeGpioWorld();
    const chosen = await selectMotionSensor({
      mode: "auto",
      pirPin: 17,
      camera: realCamera(),
      pirGpiod: noTools,
      pir: { loadLibrary: world.load, gpioOffset: 0, sysfsGpioRoot: sysfs },
    });
    assert.equal(chosen.sensor.driver, "pir");
    assert.match(
      chosen.reason ?? "",
      /^libgpiod's tools cannot watch the PIR \(PIR on GPIO 17: gpiomon was not found .*sudo apt install gpiod.*\); using sysfs GPIO 17 through onoff instead$/,
    );
    assert.equal(world.exported.size, 0);
    assert.deepEqual(world.unexported, [17]);
  });

  test("auto without libgpiod's tools and without sysfs GPIO: onoff is not tried", async () => {
    const world = new FakeGpioWorld();
    const chosen = await selectMotionSensor({
      mode: "auto",
      pirPin: 17,
      camera: realCamera(),
      pirGpiod: noTools,
      pir: { loadLibrary: world.load, gpioOffset: 0, sysfsGpioRoot: noSysfs },
    });
    assert.equal(chosen.sensor.driver, "camera");
    assert.match(
      chosen.reason ?? "",
      /PIR motion sensor cannot be used, detecting motion by frame difference on the rpicam camera instead: PIR on GPIO 17: gpiomon was not found.*; this kernel has no sysfs GPIO \(.*no-sysfs-gpio\) for the onoff fallback$/,
    );
    assert.equal(world.loads, 0);
  });

  test("auto with a PIR pin that cannot be used and a real camera: frame difference, saying why", async () => {
    const chosen = await selectMotionSensor({
      mode: "auto",
      pirPin: 17,
      camera: realCamera(),
      pirGpiod: noTools,
      pir: { loadLibrary: noGpio().load, sysfsGpioRoot: sysfs },
    });
    assert.equal(chosen.sensor.driver, "camera");
    assert.match(
      chosen.reason ?? "",
      /PIR motion sensor cannot be used, detecting motion by frame difference on the rpicam camera instead: .*gpiomon was not found.*; .*GPIO is not accessible/,
    );
  });

  test("auto without a PIR pin: frame difference on a real camera; not on a simulated one", async () => {
    const withCamera = await selectMotionSensor({ mode: "auto", camera: realCamera() });
    assert.equal(withCamera.sensor.driver, "camera");
    assert.match(
      withCamera.reason ?? "",
      /no PIR pin configured \(MOTION_PIR_PIN\): detecting motion by frame difference/,
    );

    const withSimCamera = await selectMotionSensor({ mode: "auto", camera: simCamera() });
    assert.equal(withSimCamera.sensor.driver, "sim");
    assert.match(
      withSimCamera.reason ?? "",
      /HARDWARE=auto and no motion sensor, using the simulator: no PIR pin configured.*the camera is simulated/,
    );
  });

  test("auto with nothing usable: the simulator, saying why", async () => {
    const chosen = await selectMotionSensor({
      mode: "auto",
      pirPin: 17,
      pirGpiod: noTools,
      pir: { loadLibrary: noOnoff, sysfsGpioRoot: sysfs },
    });
    assert.equal(chosen.sensor.driver, "sim");
    assert.match(
      chosen.reason ?? "",
      /using the simulator: the PIR cannot be used \(PIR on GPIO 17: gpiomon was not found.*; PIR: the onoff package is not installed.*no camera$/,
    );
  });

  test("real: the PIR when either driver opens it; a configured PIR that cannot be used rejects (no silent camera)", async () => {
    const fake = await FakeGpiod.create({ version: "2.2.1", chips: PI5_CHIPS });
    fakes.push(fake);
    const viaGpiod = await selectMotionSensor({ mode: "real", pirPin: 17, pirGpiod: { env: fake.env() } });
    assert.equal(viaGpiod.sensor.driver, "pir-gpiod");
    const world = new FakeGpioWorld();
    const chosen = await selectMotionSensor({
      mode: "real",
      pirPin: 17,
      pirGpiod: noTools,
      pir: { loadLibrary: world.load, gpioOffset: 0, sysfsGpioRoot: sysfs },
    });
    assert.equal(chosen.sensor.driver, "pir");
    await assert.rejects(
      selectMotionSensor({
        mode: "real",
        pirPin: 17,
        camera: realCamera(),
        pirGpiod: noTools,
        pir: { loadLibrary: noGpio().load, sysfsGpioRoot: sysfs },
      }),
      /HARDWARE=real, but the PIR motion sensor cannot be used: PIR on GPIO 17: gpiomon was not found.*; PIR on GPIO 17: GPIO is not accessible/,
    );
  });

  test("real without a PIR pin: a real camera, else a rejection saying what to set", async () => {
    const chosen = await selectMotionSensor({ mode: "real", camera: realCamera() });
    assert.equal(chosen.sensor.driver, "camera");
    await assert.rejects(
      selectMotionSensor({ mode: "real", camera: simCamera() }),
      /HARDWARE=real, but there is no motion sensor: no PIR pin configured \(MOTION_PIR_PIN\), and the camera is simulated.*Set MOTION_PIR_PIN/,
    );
    await assert.rejects(selectMotionSensor({ mode: "real" }), /and no camera/);
  });

  test("bad options fail in auto and real alike, before any probing; an unknown mode throws", async () => {
    for (const mode of ["auto", "real"] as const) {
      const world = new FakeGpioWorld();
      await assert.rejects(
        selectMotionSensor({ mode, pirPin: 40, pirGpiod: noTools, pir: { loadLibrary: world.load } }),
        RangeError,
      );
      await assert.rejects(
        selectMotionSensor({ mode, camera: realCamera(), cameraMotion: { intervalMs: -1 } }),
        RangeError,
      );
      assert.equal(world.loads, 0);
    }
    await assert.rejects(selectMotionSensor({ mode: "maybe" as "auto" }), /unknown hardware mode "maybe"/);
  });
});
