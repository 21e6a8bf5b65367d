/**
 * The DHT22 driver through the real node-dht-sensor package (when it installed).
 * Order matters: the library's test mode is process-wide and cannot be switched off, so the
 * "no GPIO here" checks run before the fake-mode ones. Off a Pi the library prints
 * "bcm2835_init: Unable to open /dev/mem" to stderr; that line is expected.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { ClimateSensorError } from "../../../core/climate/sensor.ts";
import { createDht22Sensor } from "../../../hardware/climate/dht22.ts";
import { probeDht22, selectClimateSensor } from "../../../hardware/climate/index.ts";
import { createFakeIioTree } from "../../support/fake-iio.ts";

const installed = await import("node-dht-sensor").then(
  () => true,
  () => false,
);

function onRaspberryPi(): boolean {
  try {
    return /Raspberry Pi/.test(readFileSync("/proc/cpuinfo", "utf8"));
  } catch {
    return false;
  }
}

const noPackage = installed ? false : "node-dht-sensor is not installed here";
const offPi = noPackage || (onRaspberryPi() ? "this is a Raspberry Pi" : false);
const noSleep = async () => {};

describe("createDht22Sensor with the real node-dht-sensor", { skip: noPackage }, () => {
  test("off a Pi: the GPIO cannot be opened -> unavailable, clear message", { skip: offPi }, async () => {
    const sensor = createDht22Sensor({ pin: 4, retries: 0, sleep: noSleep });
    await assert.rejects(sensor.read(), (e: unknown) => {
      assert.ok(e instanceof ClimateSensorError);
      assert.equal(e.code, "unavailable");
      assert.match(e.message, /cannot open the GPIO/);
      assert.match(e.message, /gpio group/);
      return true;
    });
    await sensor.close();
  });

  test("off a Pi: probeDht22 says why it is not available", { skip: offPi }, async () => {
    const probe = await probeDht22({ pin: 4, retries: 0, sleep: noSleep });
    assert.equal(probe.available, false);
    assert.ok(!probe.available && probe.code === "unavailable" && /not a Raspberry Pi/.test(probe.reason));
  });

  test("the library's test mode gives a successful read, rounded to one decimal", async () => {
    const sensor = createDht22Sensor({ pin: 4, fake: { temperature: 21.3, humidity: 48.25 }, sleep: noSleep });
    // the library hands back float32 values (21.3 arrives as 21.2999...)
    assert.deepEqual(await sensor.read(), { temperatureC: 21.3, humidityPct: 48.3 });
    assert.deepEqual(await sensor.read(), { temperatureC: 21.3, humidityPct: 48.3 });
    await sensor.close();
  });

  test("the library's test mode with a disconnected-sensor frame -> implausible", async () => {
    const sensor = createDht22Sensor({ pin: 4, retries: 1, fake: { temperature: 0, humidity: 0 }, sleep: noSleep });
    await assert.rejects(sensor.read(), (e: unknown) => {
      assert.ok(e instanceof ClimateSensorError);
      assert.equal(e.code, "implausible");
      assert.match(e.message, /all-zero frame/);
      return true;
    });
  });

  test("probeDht22 in test mode reports the sample", async () => {
    const probe = await probeDht22({ pin: 4, fake: { temperature: 23.5, humidity: 40 }, sleep: noSleep });
    assert.deepEqual(probe, { available: true, sample: { temperatureC: 23.5, humidityPct: 40 } });
  });

  test("selectClimateSensor without an IIO dht11 device falls back to node-dht-sensor (test mode)", async () => {
    const tree = await createFakeIioTree();
    try {
      const chosen = await selectClimateSensor({
        mode: "auto",
        pin: 4,
        dht22Iio: { sysfsRoot: tree.root },
        dht22: { fake: { temperature: 24.5, humidity: 44 }, sleep: noSleep },
      });
      assert.equal(chosen.sensor.driver, "dht22");
      assert.match(chosen.reason ?? "", /^node-dht-sensor on GPIO 4, since no IIO dht11 device/);
      assert.match(chosen.reason ?? "", /dtoverlay=dht11,gpiopin=4/);
      assert.deepEqual(await chosen.sensor.read(), { temperatureC: 24.5, humidityPct: 44 });
      await chosen.sensor.close();
    } finally {
      await tree.cleanup();
    }
  });
});
