import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import type { DhtLibrary } from "../../../hardware/climate/dht22.ts";
import {
  CLIMATE_DRIVERS,
  ClimateSensorError,
  createClimateSensor,
  probeDht22,
  selectClimateSensor,
} from "../../../hardware/climate/index.ts";
import { createFakeIioTree, type FakeIioTree } from "../../support/fake-iio.ts";
import { ManualClock } from "../../support/fakes.ts";

/** A sysfs tree per test: empty (no IIO overlay) unless the test adds a device. */
let tree: FakeIioTree;
beforeEach(async () => {
  tree = await createFakeIioTree();
});
afterEach(async () => {
  await tree.cleanup();
});
const noSleep = async () => {};

const workingLibrary = (temperature: number, humidity: number): DhtLibrary =>
  ({
    initialize: () => true,
    promises: { read: async () => ({ temperature, humidity }) },
  }) as DhtLibrary;

describe("createClimateSensor", () => {
  test("an unknown name throws, listing the valid ones", () => {
    assert.throws(
      () => createClimateSensor("dht11"),
      /unknown climate driver "dht11"; valid drivers: dht22-iio, dht22, sim/,
    );
    assert.throws(() => createClimateSensor("constructor"), /valid drivers: dht22-iio, dht22, sim/);
    assert.deepEqual(CLIMATE_DRIVERS, ["dht22-iio", "dht22", "sim"]);
  });

  test("dht22-iio, with the pin and driver options passed through", async () => {
    await tree.addDevice({ gpio: 4, temperature: 20000, humidity: 30000 });
    await tree.addDevice({ gpio: 17, temperature: 24000, humidity: 33000 });
    const sensor = createClimateSensor("dht22-iio", { pin: 17, dht22Iio: { sysfsRoot: tree.root, sleep: noSleep } });
    assert.equal(sensor.driver, "dht22-iio");
    assert.deepEqual(await sensor.read(), { temperatureC: 24, humidityPct: 33 });
  });

  test("sim", async () => {
    const sensor = createClimateSensor("sim", { clock: new ManualClock(), sim: { seed: 4 } });
    assert.equal(sensor.driver, "sim");
    const s = await sensor.read();
    assert.equal(typeof s.temperatureC, "number");
  });

  test("dht22, with the pin and driver options passed through", async () => {
    let pinSeen: number | undefined;
    const lib = {
      initialize: () => true,
      promises: {
        read: async (_type: number, pin: number) => {
          pinSeen = pin;
          return { temperature: 24, humidity: 33 };
        },
      },
    } as DhtLibrary;
    const sensor = createClimateSensor("dht22", { pin: 17, dht22: { loadLibrary: async () => lib } });
    assert.equal(sensor.driver, "dht22");
    assert.deepEqual(await sensor.read(), { temperatureC: 24, humidityPct: 33 });
    assert.equal(pinSeen, 17);
  });
});

describe("probeDht22", () => {
  test("a working sensor", async () => {
    const probe = await probeDht22({ pin: 4, loadLibrary: async () => workingLibrary(22.5, 41) });
    assert.deepEqual(probe, { available: true, sample: { temperatureC: 22.5, humidityPct: 41 } });
  });

  test("no GPIO: not available, with the reason", async () => {
    const lib = { ...workingLibrary(1, 1), initialize: () => false } as DhtLibrary;
    const probe = await probeDht22({ pin: 4, loadLibrary: async () => lib });
    assert.equal(probe.available, false);
    assert.ok(!probe.available && probe.code === "unavailable" && /gpio group/.test(probe.reason));
  });

  test("a misbehaving sensor: not available, with its own code", async () => {
    const lib = {
      initialize: () => true,
      promises: { read: async () => Promise.reject(new Error("failed to read sensor")) },
    } as DhtLibrary;
    const probe = await probeDht22({ pin: 4, retries: 0, loadLibrary: async () => lib });
    assert.ok(!probe.available && probe.code === "checksum");
  });

  test("a bad pin is reported, not thrown", async () => {
    const probe = await probeDht22({ pin: 99 });
    assert.ok(!probe.available && probe.code === "unavailable" && /pin/.test(probe.reason));
  });
});

describe("selectClimateSensor", () => {
  const noGpio = { ...workingLibrary(1, 1), initialize: () => false } as DhtLibrary;
  const badFrames = {
    initialize: () => true,
    promises: { read: async () => Promise.reject(new Error("failed to read sensor")) },
  } as DhtLibrary;

  test("sim: the simulator, no probe", async () => {
    let loads = 0;
    const chosen = await selectClimateSensor({
      mode: "sim",
      pin: 4,
      clock: new ManualClock(),
      dht22Iio: { sysfsRoot: tree.root, fs: tree.fs },
      dht22: {
        loadLibrary: async () => {
          loads++;
          return workingLibrary(20, 40);
        },
      },
    });
    assert.equal(chosen.sensor.driver, "sim");
    assert.equal(loads, 0);
    assert.deepEqual(tree.log, [], "sysfs is not looked at");
  });

  const countingLoader = () => {
    const loads = { count: 0 };
    const loadLibrary = async () => {
      loads.count++;
      return workingLibrary(20, 40);
    };
    return { loads, loadLibrary };
  };

  for (const mode of ["auto", "real"] as const) {
    test(`${mode} with the IIO dht11 device: the kernel driver, saying which device; node-dht-sensor not loaded`, async () => {
      await tree.addDevice({ name: "bme280", node: "bme280@76", compatible: ["bosch,bme280"], gpio: null });
      await tree.addDevice({ gpio: 4, temperature: 22800, humidity: 39000 });
      const { loads, loadLibrary } = countingLoader();
      const chosen = await selectClimateSensor({
        mode,
        pin: 4,
        clock: new ManualClock(),
        dht22Iio: { sysfsRoot: tree.root, sleep: noSleep },
        dht22: { loadLibrary },
      });
      assert.equal(chosen.sensor.driver, "dht22-iio");
      assert.match(
        chosen.reason ?? "",
        /^kernel IIO driver: .*sys\/bus\/iio\/devices\/iio:device1 \(dht11@4, GPIO 4\)$/,
      );
      assert.equal(loads.count, 0);
      assert.deepEqual(await chosen.sensor.read(), { temperatureC: 22.8, humidityPct: 39 });
      await chosen.sensor.close();
    });
  }

  test("the IIO device is there but its sensor keeps failing: keeps the kernel driver, with a warning", async () => {
    const dev = await tree.addDevice({ gpio: 4 });
    dev.fail("in_temp_input", "ETIMEDOUT", Infinity);
    const sleeps: number[] = [];
    const { loads, loadLibrary } = countingLoader();
    const chosen = await selectClimateSensor({
      mode: "auto",
      pin: 4,
      clock: new ManualClock(),
      dht22Iio: {
        sysfsRoot: tree.root,
        fs: tree.fs,
        sleep: async (ms) => {
          sleeps.push(ms);
        },
      },
      dht22: { loadLibrary },
    });
    assert.equal(chosen.sensor.driver, "dht22-iio");
    assert.match(chosen.reason ?? "", /kernel IIO driver: .*; its first reading failed \(timeout\): .*ETIMEDOUT/);
    assert.equal(loads.count, 0, "no silent switch to another driver");
    assert.deepEqual(sleeps, [2000, 2000, 2000], "the bounded retries, 2 s apart");
  });

  test("the overlay on another GPIO than DHT_PIN: not used; node-dht-sensor is tried, the reason says so", async () => {
    await tree.addDevice({ gpio: 17 });
    const chosen = await selectClimateSensor({
      mode: "auto",
      pin: 4,
      dht22Iio: { sysfsRoot: tree.root },
      dht22: { loadLibrary: async () => workingLibrary(20, 40) },
    });
    assert.equal(chosen.sensor.driver, "dht22");
    assert.match(chosen.reason ?? "", /is on GPIO 17, but DHT_PIN is 4: make them agree: `dtoverlay=dht11,gpiopin=4`/);
  });

  test("bad options throw before anything is probed", async () => {
    const { loads, loadLibrary } = countingLoader();
    await assert.rejects(
      selectClimateSensor({
        mode: "auto",
        pin: 4,
        dht22Iio: { sysfsRoot: tree.root, fs: tree.fs, retries: -1 },
        dht22: { loadLibrary },
      }),
      RangeError,
    );
    assert.deepEqual(tree.log, []);
    assert.equal(loads.count, 0);
  });

  test("auto with a working DHT22 and no IIO overlay: the DHT22, saying why not IIO", async () => {
    const chosen = await selectClimateSensor({
      mode: "auto",
      pin: 4,
      dht22Iio: { sysfsRoot: tree.root },
      dht22: { loadLibrary: async () => workingLibrary(20, 40) },
    });
    assert.equal(chosen.sensor.driver, "dht22");
    // the reason now says why the IIO driver was not taken
    assert.match(
      chosen.reason ?? "",
      /^node-dht-sensor on GPIO 4, since no IIO dht11 device .*add `dtoverlay=dht11,gpiopin=4` to \/boot\/firmware\/config\.txt and reboot/,
    );
    assert.deepEqual(await chosen.sensor.read(), { temperatureC: 20, humidityPct: 40 });
  });

  test("auto without GPIO: the simulator, saying why", async () => {
    const chosen = await selectClimateSensor({
      mode: "auto",
      pin: 4,
      dht22Iio: { sysfsRoot: tree.root },
      dht22: { loadLibrary: async () => noGpio },
    });
    assert.equal(chosen.sensor.driver, "sim");
    assert.match(chosen.reason ?? "", /using the simulator: .*gpio group/);
    assert.match(chosen.reason ?? "", /no IIO dht11 device .*dtoverlay=dht11,gpiopin=4/);
  });

  test("auto on a Pi with a misbehaving sensor: keeps the DHT22, with a warning", async () => {
    const chosen = await selectClimateSensor({
      mode: "auto",
      pin: 4,
      dht22Iio: { sysfsRoot: tree.root },
      dht22: { loadLibrary: async () => badFrames },
    });
    assert.equal(chosen.sensor.driver, "dht22");
    assert.match(chosen.reason ?? "", /first DHT22 reading failed \(checksum\)/);
  });

  test("real without GPIO: rejects with the reason", async () => {
    await assert.rejects(
      selectClimateSensor({
        mode: "real",
        pin: 4,
        dht22Iio: { sysfsRoot: tree.root },
        dht22: { loadLibrary: async () => noGpio },
      }),
      (e: unknown) =>
        e instanceof ClimateSensorError &&
        e.code === "unavailable" &&
        /HARDWARE=real.*DHT22/.test(e.message) &&
        /dtoverlay=dht11,gpiopin=4/.test(e.message) &&
        /gpio group/.test(e.message),
    );
  });

  test("real with a misbehaving sensor: still starts with the DHT22", async () => {
    const chosen = await selectClimateSensor({
      mode: "real",
      pin: 4,
      dht22Iio: { sysfsRoot: tree.root },
      dht22: { loadLibrary: async () => badFrames },
    });
    assert.equal(chosen.sensor.driver, "dht22");
    assert.ok(chosen.reason);
  });
});
