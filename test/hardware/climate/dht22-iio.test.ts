/**
 * The kernel IIO DHT22 driver against a fake sysfs tree (test/support/fake-iio.ts): the real
 * file names, value formats and symlinks, and the errnos the kernel's dht11 driver returns.
 * No hardware, no waiting: pauses go through an injected sleep, time through a ManualClock.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import { type ClimateErrorCode, ClimateSensorError } from "../../../core/climate/sensor.ts";
import { createDht22IioSensor, type Dht22IioOptions, gpioFromDtGpios } from "../../../hardware/climate/dht22-iio.ts";
// what `npm run doctor` and main.ts use comes from the climate module's front door
import { findDht11IioDevice, probeDht22Iio } from "../../../hardware/climate/index.ts";
import { createFakeIioTree, type FakeIioTree } from "../../support/fake-iio.ts";
import { ManualClock } from "../../support/fakes.ts";

let tree: FakeIioTree;
beforeEach(async () => {
  tree = await createFakeIioTree();
});
afterEach(async () => {
  await tree.cleanup();
});

function sensorWith(extra: Partial<Dht22IioOptions> = {}, onSleep?: (ms: number) => void | Promise<void>) {
  const sleeps: number[] = [];
  const clock = extra.clock ?? new ManualClock();
  const sensor = createDht22IioSensor({
    pin: 4,
    sysfsRoot: tree.root,
    fs: tree.fs,
    clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      await onSleep?.(ms);
    },
    ...extra,
  });
  return { sensor, sleeps };
}

async function rejectsWith(p: Promise<unknown>, code: ClimateErrorCode, message?: RegExp): Promise<ClimateSensorError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ClimateSensorError, `expected ClimateSensorError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message, message);
    return e;
  }
  assert.fail(`expected a "${code}" rejection`);
}

describe("createDht22IioSensor", () => {
  test("reads both files of the dht11 device and converts milli-units (plain node:fs, no fakes in between)", async () => {
    await tree.addDevice({ temperature: 23400, humidity: 45600 });
    const sensor = createDht22IioSensor({ pin: 4, sysfsRoot: tree.root, sleep: async () => {} });
    assert.equal(sensor.driver, "dht22-iio");
    assert.deepEqual(await sensor.read(), { temperatureC: 23.4, humidityPct: 45.6 });
    await sensor.close();
  });

  test("below zero, and values between tenths rounded like every other DHT22 frame", async () => {
    const dev = await tree.addDevice({ temperature: -5300, humidity: 99900 });
    const { sensor } = sensorWith();
    assert.deepEqual(await sensor.read(), { temperatureC: -5.3, humidityPct: 99.9 });
    await dev.set({ temperature: -5260, humidity: 41240 });
    const later = sensorWith();
    assert.deepEqual(await later.sensor.read(), { temperatureC: -5.3, humidityPct: 41.2 });
  });

  test("is lazy: no file is touched until the first read", async () => {
    await tree.addDevice();
    sensorWith();
    assert.deepEqual(tree.log, []);
  });

  test("several IIO devices: only the one the dht11 driver registered is read", async () => {
    // a BME280 on I2C has the same two files (and a pressure one); an ADC has neither
    const bme = await tree.addDevice({
      name: "bme280",
      node: "soc/i2c@7e804000/bme280@76",
      parent: "platform/soc/fe804000.i2c/i2c-1/1-0076",
      compatible: ["bosch,bme280"],
      gpio: null,
      temperature: 30000,
      humidity: 80000,
    });
    await tree.addDevice({
      name: "mcp3008",
      node: "soc/spi@7e204000/mcp3008@0",
      parent: "platform/soc/fe204000.spi/spi_master/spi0/spi0.0",
      compatible: ["microchip,mcp3008"],
      gpio: null,
      temperature: null,
      humidity: null,
    });
    const dht = await tree.addDevice({ temperature: 21000, humidity: 38500 });
    const { sensor } = sensorWith();
    assert.deepEqual(await sensor.read(), { temperatureC: 21, humidityPct: 38.5 });
    assert.equal(bme.reads("in_temp_input"), 0);
    assert.equal(bme.reads("in_humidityrelative_input"), 0);
    assert.equal(dht.reads("in_temp_input"), 1);

    // the same when the dht11's GPIO cannot be told from the device tree: the name decides
    await tree.cleanup();
    tree = await createFakeIioTree();
    await tree.addDevice({ name: "bme280", node: "bme280@76", compatible: ["bosch,bme280"], gpio: null });
    await tree.addDevice({ name: "dht11", gpio: null, temperature: 21000, humidity: 38500 });
    assert.deepEqual(await sensorWith().sensor.read(), { temperatureC: 21, humidityPct: 38.5 });
  });

  test("a device named plain dht11, or a node with another name but a dht11 compatible, is found too", async () => {
    await tree.addDevice({ name: "dht11", temperature: 20000, humidity: 40000 });
    assert.deepEqual(await sensorWith().sensor.read(), { temperatureC: 20, humidityPct: 40 });

    await tree.cleanup();
    tree = await createFakeIioTree();
    await tree.addDevice({ name: "humidity-sensor", node: "humidity-sensor", temperature: 19000, humidity: 41000 });
    assert.deepEqual(await sensorWith().sensor.read(), { temperatureC: 19, humidityPct: 41 });
  });

  test("two dht11 devices: the one whose gpios property is DHT_PIN", async () => {
    await tree.addDevice({ gpio: 4, temperature: 20000, humidity: 40000 });
    await tree.addDevice({ gpio: 17, temperature: 25000, humidity: 50000 });
    assert.deepEqual(await sensorWith({ pin: 17 }).sensor.read(), { temperatureC: 25, humidityPct: 50 });
    assert.deepEqual(await sensorWith({ pin: 4 }).sensor.read(), { temperatureC: 20, humidityPct: 40 });
  });

  test("a dht11 device without a readable gpios property is accepted", async () => {
    await tree.addDevice({ gpio: null, node: "dht11@0", temperature: 22000, humidity: 42000 });
    assert.deepEqual(await sensorWith({ pin: 17 }).sensor.read(), { temperatureC: 22, humidityPct: 42 });
  });

  test("the overlay on another GPIO than DHT_PIN -> unavailable, saying how to make them agree", async () => {
    const dev = await tree.addDevice({ gpio: 17 });
    const { sensor, sleeps } = sensorWith({ pin: 4 });
    const err = await rejectsWith(sensor.read(), "unavailable", /dht11@17\) is on GPIO 17, but DHT_PIN is 4/);
    assert.match(err.message, /dtoverlay=dht11,gpiopin=4/);
    assert.match(err.hint ?? "", /DHT_PIN=17/);
    assert.equal(dev.reads("in_temp_input"), 0);
    assert.deepEqual(sleeps, []);
  });

  test("no overlay (no /sys/bus/iio/devices at all) -> unavailable, naming the config.txt line", async () => {
    const { sensor, sleeps } = sensorWith({ pin: 17 });
    const err = await rejectsWith(sensor.read(), "unavailable", /no IIO dht11 device/);
    assert.match(err.message, /dtoverlay=dht11,gpiopin=17/);
    assert.match(err.message, /\/boot\/firmware\/config\.txt/);
    assert.match(err.hint ?? "", /add `dtoverlay=dht11,gpiopin=17` to \/boot\/firmware\/config\.txt and reboot/);
    assert.deepEqual(sleeps, []);
  });

  test("IIO devices, but none of them a dht11 -> unavailable with the same hint", async () => {
    await tree.addDevice({ name: "bme280", node: "bme280@76", compatible: ["bosch,bme280"], gpio: null });
    const err = await rejectsWith(
      sensorWith().sensor.read(),
      "unavailable",
      /no IIO dht11 device under .*sys\/bus\/iio\/devices/,
    );
    assert.match(err.message, /dtoverlay=dht11,gpiopin=4/);
  });

  test("EIO once (the kernel's routine checksum failure), then a good read: retried after 2 s", async () => {
    const dev = await tree.addDevice({ temperature: 23400, humidity: 41200 });
    dev.fail("in_temp_input", "EIO", 1);
    const { sensor, sleeps } = sensorWith();
    assert.deepEqual(await sensor.read(), { temperatureC: 23.4, humidityPct: 41.2 });
    assert.equal(dev.reads("in_temp_input"), 2);
    assert.deepEqual(sleeps, [2000]);
  });

  test("EIO forever -> checksum after 4 attempts 2 s apart, with a hint", async () => {
    const dev = await tree.addDevice();
    dev.fail("in_temp_input", "EIO", Infinity);
    const { sensor, sleeps } = sensorWith();
    const err = await rejectsWith(sensor.read(), "checksum", /no valid frame after 4 attempts 2000 ms apart/);
    assert.match(err.message, /iio:device0/);
    assert.match(err.message, /EIO/);
    assert.match(err.hint ?? "", /pull-up/);
    assert.equal(dev.reads("in_temp_input"), 4);
    assert.equal(dev.reads("in_humidityrelative_input"), 0);
    assert.deepEqual(sleeps, [2000, 2000, 2000]);
    assert.ok(err.cause instanceof Error && (err.cause as NodeJS.ErrnoException).code === "EIO");
  });

  test("the retries are bounded by the option", async () => {
    const dev = await tree.addDevice();
    dev.fail("in_temp_input", "EIO", Infinity);
    const { sensor, sleeps } = sensorWith({ retries: 1 });
    await rejectsWith(sensor.read(), "checksum", /after 2 attempts/);
    assert.equal(dev.reads("in_temp_input"), 2);
    assert.deepEqual(sleeps, [2000]);
    const once = sensorWith({ retries: 0 });
    await rejectsWith(once.sensor.read(), "checksum", /after 1 attempt \(/);
    assert.deepEqual(once.sleeps, []);
  });

  test("a failure on the humidity file (a new measurement between the two files) is retried too", async () => {
    const dev = await tree.addDevice({ temperature: 22000, humidity: 44000 });
    dev.fail("in_humidityrelative_input", "EIO", 1);
    const { sensor, sleeps } = sensorWith();
    assert.deepEqual(await sensor.read(), { temperatureC: 22, humidityPct: 44 });
    assert.deepEqual(sleeps, [2000]);
  });

  test("ETIMEDOUT (nothing answered) is retried; forever -> timeout, with a wiring hint", async () => {
    const dev = await tree.addDevice({ temperature: 22000, humidity: 44000 });
    dev.fail("in_temp_input", "ETIMEDOUT", 2);
    const { sensor, sleeps } = sensorWith();
    assert.deepEqual(await sensor.read(), { temperatureC: 22, humidityPct: 44 });
    assert.deepEqual(sleeps, [2000, 2000]);

    dev.fail("in_temp_input", "ETIMEDOUT", Infinity);
    const dead = sensorWith();
    const err = await rejectsWith(dead.sensor.read(), "timeout", /no answer after 4 attempts/);
    assert.match(err.message, /ETIMEDOUT/);
    assert.match(err.hint ?? "", /GPIO 4/);
  });

  test("EAGAIN is retried like the others", async () => {
    const dev = await tree.addDevice({ temperature: 22000, humidity: 44000 });
    dev.fail("in_temp_input", "EAGAIN", 1);
    const { sensor, sleeps } = sensorWith();
    assert.deepEqual(await sensor.read(), { temperatureC: 22, humidityPct: 44 });
    assert.deepEqual(sleeps, [2000]);
  });

  test("permission denied -> unavailable at once, the hint naming the group and a udev rule", async () => {
    const dev = await tree.addDevice();
    dev.fail("in_temp_input", "EACCES", Infinity);
    const { sensor, sleeps } = sensorWith();
    const err = await rejectsWith(sensor.read(), "unavailable", /cannot read .*in_temp_input \(EACCES\)/);
    assert.match(err.hint ?? "", /group/);
    assert.match(err.hint ?? "", /udev rule/);
    assert.equal(dev.reads("in_temp_input"), 1);
    assert.deepEqual(sleeps, []);
  });

  test("/sys/bus/iio/devices cannot be listed -> unavailable with the permission hint", async () => {
    await tree.addDevice();
    tree.failListing("EACCES");
    const err = await rejectsWith(
      sensorWith().sensor.read(),
      "unavailable",
      /cannot list .*sys\/bus\/iio\/devices \(EACCES\)/,
    );
    assert.match(err.hint ?? "", /udev rule/);
  });

  test("implausible values (humidity 150000 m%RH) -> retried, then implausible", async () => {
    const dev = await tree.addDevice({ temperature: 22000, humidity: 150000 });
    const { sensor, sleeps } = sensorWith({ retries: 1 });
    const err = await rejectsWith(sensor.read(), "implausible", /only implausible readings after 2 attempts/);
    assert.match(err.message, /humidity 150 % is outside/);
    assert.equal(dev.reads("in_temp_input"), 2);
    assert.deepEqual(sleeps, [2000]);
  });

  test("an implausible frame, then a good one on the retry: the good one", async () => {
    const dev = await tree.addDevice({ temperature: 0, humidity: 0 });
    const { sensor } = sensorWith({}, () => dev.set({ temperature: 19900, humidity: 38000 }));
    assert.deepEqual(await sensor.read(), { temperatureC: 19.9, humidityPct: 38 });
  });

  test("the all-zero frame and text that is not a number are implausible", async () => {
    const dev = await tree.addDevice({ temperature: 0, humidity: 0 });
    await rejectsWith(sensorWith({ retries: 0 }).sensor.read(), "implausible", /all-zero frame/);
    await dev.set({ temperature: "23.4", humidity: 40000 });
    await rejectsWith(
      sensorWith({ retries: 0 }).sensor.read(),
      "implausible",
      /in_temp_input is not a whole number of milli-units \("23\.4"\)/,
    );
  });

  test("a one-off jump is rejected and the next normal frame accepted", async () => {
    const clock = new ManualClock();
    const dev = await tree.addDevice({ temperature: 22000, humidity: 45000 });
    const { sensor } = sensorWith({ clock }, () => dev.set({ temperature: 22300 }));
    assert.deepEqual(await sensor.read(), { temperatureC: 22, humidityPct: 45 });
    clock.advance(60_000);
    await dev.set({ temperature: 40000 });
    assert.deepEqual(await sensor.read(), { temperatureC: 22.3, humidityPct: 45 });
  });

  test("the DHT22's 2 s minimum: a read right after another waits; one a minute later does not", async () => {
    const clock = new ManualClock();
    await tree.addDevice();
    const { sensor, sleeps } = sensorWith({ clock }, (ms) => clock.advance(ms));
    await sensor.read();
    assert.deepEqual(sleeps, []);
    clock.advance(500);
    await sensor.read();
    assert.deepEqual(sleeps, [1500]);
    clock.advance(60_000);
    await sensor.read();
    assert.deepEqual(sleeps, [1500]);
  });

  test("a clock set backwards (NTP at boot) waits one interval, not until the old time comes back", async () => {
    const clock = new ManualClock();
    await tree.addDevice();
    const { sensor, sleeps } = sensorWith({ clock });
    await sensor.read();
    clock.advance(-3_600_000);
    await sensor.read();
    assert.deepEqual(sleeps, [2000]);
  });

  test("a read that hangs -> timeout; no new read while it is stuck; recovers once it returns", async () => {
    const dev = await tree.addDevice({ temperature: 22200, humidity: 44000 });
    const release = dev.hang("in_temp_input");
    const { sensor } = sensorWith({ timeoutMs: 20 });
    await rejectsWith(sensor.read(), "timeout", /in_temp_input did not answer within 20 ms/);
    assert.equal(dev.reads("in_temp_input"), 1, "a timeout is not retried");
    await rejectsWith(sensor.read(), "timeout", /previous read .* has not returned/);
    assert.equal(dev.reads("in_temp_input"), 1);
    release();
    // the stuck read now finishes its file I/O; until it has, reads keep refusing (bounded wait)
    let sample: unknown;
    for (let i = 0; sample === undefined; i++) {
      try {
        sample = await sensor.read();
      } catch (e) {
        if (i > 400 || !(e instanceof ClimateSensorError && /has not returned/.test(e.message))) throw e;
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    assert.deepEqual(sample, { temperatureC: 22.2, humidityPct: 44 });
    assert.equal(dev.reads("in_temp_input"), 2);
  });

  test("the device disappears -> unavailable with the overlay hint; found again when it is back", async () => {
    const dev = await tree.addDevice({ temperature: 21000, humidity: 40000 });
    const { sensor } = sensorWith();
    await sensor.read();
    await dev.remove();
    const err = await rejectsWith(sensor.read(), "unavailable", /is gone \(ENOENT\)/);
    assert.match(err.hint ?? "", /dtoverlay=dht11,gpiopin=4/);
    await tree.addDevice({ temperature: 21500, humidity: 40000 }); // re-registered as iio:device1
    assert.deepEqual(await sensor.read(), { temperatureC: 21.5, humidityPct: 40 });
  });

  test("concurrent reads share one measurement", async () => {
    const dev = await tree.addDevice({ temperature: 24100, humidity: 47000 });
    const { sensor } = sensorWith();
    const [a, b] = await Promise.all([sensor.read(), sensor.read()]);
    assert.deepEqual(a, { temperatureC: 24.1, humidityPct: 47 });
    assert.deepEqual(b, a);
    assert.equal(dev.reads("in_temp_input"), 1);
  });

  test("rejects a bad pin, retries count or interval at creation", () => {
    assert.throws(() => createDht22IioSensor({ pin: -1 }), RangeError);
    assert.throws(() => createDht22IioSensor({ pin: 4.5 }), RangeError);
    assert.throws(() => createDht22IioSensor({ pin: 4, retries: -1 }), RangeError);
    assert.throws(() => createDht22IioSensor({ pin: 4, minIntervalMs: -1 }), RangeError);
  });

  test("close is safe twice; reads after close are unavailable", async () => {
    await tree.addDevice();
    const { sensor } = sensorWith();
    await sensor.read();
    await sensor.close();
    await sensor.close();
    await rejectsWith(sensor.read(), "unavailable", /closed/);
  });

  test("close during the pause before a retry ends the read as unavailable", async () => {
    const dev = await tree.addDevice();
    dev.fail("in_temp_input", "EIO", Infinity);
    let closing: Promise<void> | undefined;
    const { sensor } = sensorWith({}, () => {
      // close() waits for the read in flight, so it cannot be awaited from inside it
      closing = sensor.close();
    });
    await rejectsWith(sensor.read(), "unavailable", /closed/);
    await closing;
    assert.equal(dev.reads("in_temp_input"), 1);
  });
});

describe("findDht11IioDevice", () => {
  test("reports the device, its name and the GPIO from the device tree", async () => {
    await tree.addDevice({ name: "bme280", node: "bme280@76", compatible: ["bosch,bme280"], gpio: null });
    const dev = await tree.addDevice({ gpio: 17 });
    const found = await findDht11IioDevice({ pin: 17, sysfsRoot: tree.root });
    assert.deepEqual(found, { found: true, device: { dir: dev.dir, name: "dht11@17", gpio: 17 } });
  });

  test("never starts a measurement", async () => {
    const dev = await tree.addDevice();
    await findDht11IioDevice({ pin: 4, sysfsRoot: tree.root, fs: tree.fs });
    assert.equal(dev.reads("in_temp_input"), 0);
    assert.equal(dev.reads("in_humidityrelative_input"), 0);
  });
});

describe("gpioFromDtGpios", () => {
  test("the second big-endian cell of <phandle line flags>", () => {
    assert.equal(gpioFromDtGpios(Uint8Array.from([0, 0, 0, 0x10, 0, 0, 0, 4, 0, 0, 0, 0])), 4);
    assert.equal(gpioFromDtGpios(Uint8Array.from([0, 0, 0, 0x41, 0, 0, 0, 0x11, 0, 0, 0, 1])), 17);
    assert.equal(gpioFromDtGpios(Uint8Array.from([0, 0, 0, 0x41])), undefined);
  });
});

describe("probeDht22Iio (for npm run doctor)", () => {
  test("a working sensor: available, with the device and the sample", async () => {
    const dev = await tree.addDevice({ temperature: 22500, humidity: 41000 });
    const probe = await probeDht22Iio({ pin: 4, sysfsRoot: tree.root, sleep: async () => {} });
    assert.deepEqual(probe, {
      available: true,
      device: { dir: dev.dir, name: "dht11@4", gpio: 4 },
      sample: { temperatureC: 22.5, humidityPct: 41 },
    });
  });

  test("no overlay: unavailable, with the config.txt line as the hint", async () => {
    const probe = await probeDht22Iio({ pin: 4, sysfsRoot: tree.root });
    assert.equal(probe.available, false);
    assert.ok(!probe.available);
    assert.equal(probe.code, "unavailable");
    assert.match(probe.reason, /no IIO dht11 device/);
    assert.match(probe.hint ?? "", /add `dtoverlay=dht11,gpiopin=4` to \/boot\/firmware\/config\.txt and reboot/);
  });

  test("a sensor that never gives a valid frame: its code and a wiring hint", async () => {
    const dev = await tree.addDevice();
    dev.fail("in_temp_input", "EIO", Infinity);
    const probe = await probeDht22Iio({ pin: 4, sysfsRoot: tree.root, fs: tree.fs, retries: 0 });
    assert.ok(!probe.available);
    assert.equal(probe.code, "checksum");
    assert.match(probe.hint ?? "", /pull-up/);
    assert.equal(dev.reads("in_temp_input"), 1);
  });

  test("permission denied: unavailable with the permission hint", async () => {
    const dev = await tree.addDevice();
    dev.fail("in_temp_input", "EACCES", Infinity);
    const probe = await probeDht22Iio({ pin: 4, sysfsRoot: tree.root, fs: tree.fs });
    assert.ok(!probe.available);
    assert.equal(probe.code, "unavailable");
    assert.match(probe.hint ?? "", /udev rule/);
  });

  test("a bad pin is reported, not thrown", async () => {
    const probe = await probeDht22Iio({ pin: 99, sysfsRoot: tree.root });
    assert.ok(!probe.available && probe.code === "unavailable");
  });
});
