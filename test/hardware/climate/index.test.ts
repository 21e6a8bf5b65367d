import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { DhtLibrary } from "../../../hardware/climate/dht22.ts";
import {
  CLIMATE_DRIVERS,
  ClimateSensorError,
  createClimateSensor,
  probeDht22,
  selectClimateSensor,
} from "../../../hardware/climate/index.ts";
import { ManualClock } from "../../support/fakes.ts";

const workingLibrary = (temperature: number, humidity: number): DhtLibrary =>
  ({
    initialize: () => true,
    promises: { read: async () => ({ temperature, humidity }) },
  }) as DhtLibrary;

describe("createClimateSensor", () => {
  test("an unknown name throws, listing the valid ones", () => {
    assert.throws(() => createClimateSensor("dht11"), /unknown climate driver "dht11"; valid drivers: dht22, sim/);
    assert.throws(() => createClimateSensor("constructor"), /valid drivers: dht22, sim/);
    assert.deepEqual(CLIMATE_DRIVERS, ["dht22", "sim"]);
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
      dht22: {
        loadLibrary: async () => {
          loads++;
          return workingLibrary(20, 40);
        },
      },
    });
    assert.equal(chosen.sensor.driver, "sim");
    assert.equal(loads, 0);
  });

  test("auto with a working DHT22: the DHT22, no reason", async () => {
    const chosen = await selectClimateSensor({
      mode: "auto",
      pin: 4,
      dht22: { loadLibrary: async () => workingLibrary(20, 40) },
    });
    assert.equal(chosen.sensor.driver, "dht22");
    assert.equal(chosen.reason, undefined);
    assert.deepEqual(await chosen.sensor.read(), { temperatureC: 20, humidityPct: 40 });
  });

  test("auto without GPIO: the simulator, saying why", async () => {
    const chosen = await selectClimateSensor({ mode: "auto", pin: 4, dht22: { loadLibrary: async () => noGpio } });
    assert.equal(chosen.sensor.driver, "sim");
    assert.match(chosen.reason ?? "", /using the simulator: .*gpio group/);
  });

  test("auto on a Pi with a misbehaving sensor: keeps the DHT22, with a warning", async () => {
    const chosen = await selectClimateSensor({ mode: "auto", pin: 4, dht22: { loadLibrary: async () => badFrames } });
    assert.equal(chosen.sensor.driver, "dht22");
    assert.match(chosen.reason ?? "", /first DHT22 reading failed \(checksum\)/);
  });

  test("real without GPIO: rejects with the reason", async () => {
    await assert.rejects(
      selectClimateSensor({ mode: "real", pin: 4, dht22: { loadLibrary: async () => noGpio } }),
      (e: unknown) =>
        e instanceof ClimateSensorError && e.code === "unavailable" && /HARDWARE=real.*DHT22/.test(e.message),
    );
  });

  test("real with a misbehaving sensor: still starts with the DHT22", async () => {
    const chosen = await selectClimateSensor({ mode: "real", pin: 4, dht22: { loadLibrary: async () => badFrames } });
    assert.equal(chosen.sensor.driver, "dht22");
    assert.ok(chosen.reason);
  });
});
