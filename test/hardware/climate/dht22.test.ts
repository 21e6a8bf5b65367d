/** The DHT22 driver against injected library fakes: every unhappy path, no hardware, no waiting. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type ClimateErrorCode, ClimateSensorError } from "../../../core/climate/sensor.ts";
import { createDht22Sensor, type DhtLibrary, type DhtReadout } from "../../../hardware/climate/dht22.ts";
import { ManualClock } from "../../support/fakes.ts";

type Step = DhtReadout | Error | "hang" | Deferred;

interface Deferred {
  promise: Promise<DhtReadout>;
  resolve(r: DhtReadout): void;
  reject(e: unknown): void;
}

function deferred(): Deferred {
  let resolve!: (r: DhtReadout) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<DhtReadout>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A node-dht-sensor stand-in: `initialize` answers `initOk`; each read takes the next step (the last one repeats). */
function fakeLibrary(steps: Step[], initOk = true) {
  const calls = { init: [] as unknown[][], read: 0 };
  const lib: DhtLibrary = {
    initialize(...args: unknown[]) {
      calls.init.push(args);
      return initOk;
    },
    promises: {
      read(type: number, pin: number) {
        assert.equal(type, 22);
        assert.equal(pin, 4);
        const step = steps[Math.min(calls.read, steps.length - 1)];
        calls.read++;
        if (step === undefined) throw new Error("no step");
        if (step === "hang") return new Promise<DhtReadout>(() => {});
        if (step instanceof Error) return Promise.reject(step);
        if ("promise" in step) return step.promise;
        return Promise.resolve(step);
      },
    },
  } as DhtLibrary;
  return { lib, calls };
}

const ok = (temperature: number, humidity: number): DhtReadout => ({ temperature, humidity });
const readFailure = () => new Error("failed to read sensor");

function sensorWith(lib: DhtLibrary, extra: Partial<Parameters<typeof createDht22Sensor>[0]> = {}) {
  const sleeps: number[] = [];
  const sensor = createDht22Sensor({
    pin: 4,
    retryDelayMs: 2100,
    loadLibrary: async () => lib,
    sleep: async (ms) => {
      sleeps.push(ms);
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

describe("createDht22Sensor", () => {
  test("is lazy: nothing is loaded until the first read", async () => {
    let loads = 0;
    const { lib, calls } = fakeLibrary([ok(21.5, 40)]);
    const sensor = createDht22Sensor({
      pin: 4,
      loadLibrary: async () => {
        loads++;
        return lib;
      },
    });
    assert.equal(sensor.driver, "dht22");
    assert.equal(loads, 0);
    assert.deepEqual(await sensor.read(), { temperatureC: 21.5, humidityPct: 40 });
    await sensor.read();
    assert.equal(loads, 1);
    assert.deepEqual(calls.init, [[22, 4]]);
  });

  test("rounds the library's float32 values to one decimal", async () => {
    const { lib } = fakeLibrary([ok(21.299999237060547, 48.25)]);
    assert.deepEqual(await sensorWith(lib).sensor.read(), { temperatureC: 21.3, humidityPct: 48.3 });
  });

  test("rejects a bad pin or retries count at creation", () => {
    assert.throws(() => createDht22Sensor({ pin: -1 }), RangeError);
    assert.throws(() => createDht22Sensor({ pin: 4.5 }), RangeError);
    assert.throws(() => createDht22Sensor({ pin: 4, retries: -1 }), RangeError);
  });

  test("package missing -> unavailable, with how to install it", async () => {
    const missing = "node-dht-sensor-not-installed-here";
    const sensor = createDht22Sensor({ pin: 4, loadLibrary: () => import(missing) });
    const err = await rejectsWith(sensor.read(), "unavailable", /node-dht-sensor is not installed/);
    assert.match(err.message, /npm install/);
    assert.match(err.message, /HARDWARE=sim/);
    // remembered: a second read fails the same way without loading again
    await rejectsWith(sensor.read(), "unavailable", /not installed/);
  });

  test("library that fails to load for another reason -> unavailable, suggests a rebuild", async () => {
    const sensor = createDht22Sensor({
      pin: 4,
      loadLibrary: async () => {
        throw Object.assign(new Error("Cannot find module '../build/Release/node_dht_sensor'"), {
          code: "MODULE_NOT_FOUND",
        });
      },
    });
    await rejectsWith(sensor.read(), "unavailable", /npm rebuild node-dht-sensor/);
  });

  test("GPIO cannot be opened (/dev/mem, not a Pi) -> unavailable with a clear message, no retries", async () => {
    const { lib, calls } = fakeLibrary([ok(22, 40)], false);
    const { sensor, sleeps } = sensorWith(lib);
    const err = await rejectsWith(sensor.read(), "unavailable", /cannot open the GPIO/);
    assert.match(err.message, /not a Raspberry Pi/);
    assert.match(err.message, /gpio group/);
    assert.equal(calls.read, 0);
    assert.deepEqual(sleeps, []);
  });

  test("the library's own 'failed to initialize sensor' from read -> unavailable, not retried", async () => {
    const { lib, calls } = fakeLibrary([new Error("failed to initialize sensor")]);
    await rejectsWith(sensorWith(lib).sensor.read(), "unavailable", /gpio group/);
    assert.equal(calls.read, 1);
  });

  test("initialize throwing -> unavailable", async () => {
    const lib = {
      initialize() {
        throw new TypeError("Specified sensor type is not supported");
      },
      promises: { read: async () => ok(1, 1) },
    } as unknown as DhtLibrary;
    await rejectsWith(sensorWith(lib).sensor.read(), "unavailable", /not supported/);
  });

  test("checksum failure then success: retried after the delay", async () => {
    const { lib, calls } = fakeLibrary([readFailure(), ok(23.4, 41.2)]);
    const { sensor, sleeps } = sensorWith(lib);
    assert.deepEqual(await sensor.read(), { temperatureC: 23.4, humidityPct: 41.2 });
    assert.equal(calls.read, 2);
    assert.deepEqual(sleeps, [2100]);
  });

  test("always failing -> checksum after 1 + retries attempts", async () => {
    const { lib, calls } = fakeLibrary([readFailure()]);
    const { sensor, sleeps } = sensorWith(lib, { retries: 2 });
    const err = await rejectsWith(sensor.read(), "checksum", /no valid frame after 3 attempts/);
    assert.match(err.message, /failed to read sensor/);
    assert.equal(calls.read, 3);
    assert.deepEqual(sleeps, [2100, 2100]);
  });

  test("default: 3 retries (4 attempts)", async () => {
    const { lib, calls } = fakeLibrary([readFailure()]);
    await rejectsWith(sensorWith(lib).sensor.read(), "checksum", /4 attempts/);
    assert.equal(calls.read, 4);
  });

  test("a synchronous throw from the library is a failed attempt, never a raw error", async () => {
    const lib = {
      initialize: () => true,
      promises: {
        read() {
          throw new RangeError("boom");
        },
      },
    } as unknown as DhtLibrary;
    await rejectsWith(sensorWith(lib, { retries: 0 }).sensor.read(), "checksum", /boom/);
  });

  test("hang -> timeout; no new library read while the old one is stuck; recovers once it returns", async () => {
    const stuck = deferred();
    const { lib, calls } = fakeLibrary([stuck, ok(22.2, 44)]);
    const { sensor } = sensorWith(lib, { timeoutMs: 20 });
    await rejectsWith(sensor.read(), "timeout", /did not answer within 20 ms/);
    assert.equal(calls.read, 1, "a timeout is not retried");
    await rejectsWith(sensor.read(), "timeout", /previous read has not returned/);
    assert.equal(calls.read, 1);
    stuck.reject(new Error("failed to read sensor"));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(await sensor.read(), { temperatureC: 22.2, humidityPct: 44 });
    assert.equal(calls.read, 2);
  });

  test("a read that never returns at all still rejects with timeout", async () => {
    const { lib } = fakeLibrary(["hang"]);
    await rejectsWith(sensorWith(lib, { timeoutMs: 10 }).sensor.read(), "timeout");
  });

  test("out-of-range values -> retried, then implausible", async () => {
    const { lib, calls } = fakeLibrary([ok(120, 50)]);
    const err = await rejectsWith(sensorWith(lib, { retries: 1 }).sensor.read(), "implausible");
    assert.match(err.message, /only implausible readings after 2 attempts/);
    assert.match(err.message, /120 °C is outside/);
    assert.equal(calls.read, 2);
  });

  test("NaN and the all-zero frame are implausible; a good frame on retry wins", async () => {
    const { lib } = fakeLibrary([ok(Number.NaN, 40), ok(0, 0), ok(19.9, 38)]);
    assert.deepEqual(await sensorWith(lib).sensor.read(), { temperatureC: 19.9, humidityPct: 38 });
    const zero = fakeLibrary([ok(0, 0)]);
    await rejectsWith(sensorWith(zero.lib, { retries: 0 }).sensor.read(), "implausible", /all-zero/);
  });

  test("a one-off jump is rejected and the next normal frame accepted", async () => {
    const clock = new ManualClock();
    const { lib } = fakeLibrary([ok(22, 45), ok(40, 45), ok(22.3, 45)]);
    const { sensor } = sensorWith(lib, { clock });
    assert.deepEqual(await sensor.read(), { temperatureC: 22, humidityPct: 45 });
    clock.advance(60_000);
    assert.deepEqual(await sensor.read(), { temperatureC: 22.3, humidityPct: 45 });
  });

  test("a real jump is accepted once a second reading confirms it, even across read() calls", async () => {
    const clock = new ManualClock();
    const { lib } = fakeLibrary([ok(22, 45), ok(35, 45), ok(35.2, 45)]);
    const { sensor } = sensorWith(lib, { clock, retries: 0 });
    await sensor.read();
    clock.advance(60_000);
    await rejectsWith(sensor.read(), "implausible", /temperature jumped 13 °C/);
    clock.advance(60_000);
    assert.deepEqual(await sensor.read(), { temperatureC: 35.2, humidityPct: 45 });
  });

  test("concurrent reads share one library read", async () => {
    const pending = deferred();
    const { lib, calls } = fakeLibrary([pending, ok(25, 50)]);
    const { sensor } = sensorWith(lib);
    const a = sensor.read();
    const b = sensor.read();
    pending.resolve(ok(24.1, 47));
    assert.deepEqual(await Promise.all([a, b]), [
      { temperatureC: 24.1, humidityPct: 47 },
      { temperatureC: 24.1, humidityPct: 47 },
    ]);
    assert.equal(calls.read, 1);
    assert.deepEqual(await sensor.read(), { temperatureC: 25, humidityPct: 50 });
    assert.equal(calls.read, 2);
  });

  test("concurrent readers share a failure too", async () => {
    const { lib, calls } = fakeLibrary([readFailure()]);
    const { sensor } = sensorWith(lib, { retries: 1 });
    const results = await Promise.allSettled([sensor.read(), sensor.read()]);
    assert.equal(calls.read, 2);
    for (const r of results) {
      assert.equal(r.status, "rejected");
      assert.ok(r.status === "rejected" && r.reason instanceof ClimateSensorError && r.reason.code === "checksum");
    }
  });

  test("fake option uses the library's test mode instead of opening the GPIO", async () => {
    const { lib, calls } = fakeLibrary([ok(21, 60)]);
    const { sensor } = sensorWith(lib, { fake: { temperature: 21, humidity: 60 } });
    await sensor.read();
    assert.deepEqual(calls.init, [[{ test: { fake: { temperature: 21, humidity: 60 } } }]]);
  });

  test("close is safe twice; reads after close are unavailable", async () => {
    const { lib } = fakeLibrary([ok(21, 60)]);
    const { sensor } = sensorWith(lib);
    await sensor.read();
    await sensor.close();
    await sensor.close();
    await rejectsWith(sensor.read(), "unavailable", /closed/);
  });

  test("close during a retry delay ends the read as unavailable", async () => {
    const { lib } = fakeLibrary([readFailure()]);
    let closing: Promise<void> | undefined;
    const sensor: ReturnType<typeof createDht22Sensor> = createDht22Sensor({
      pin: 4,
      loadLibrary: async () => lib,
      sleep: async () => {
        // close() waits for the read in flight, so it cannot be awaited from inside it
        closing = sensor.close();
      },
    });
    await rejectsWith(sensor.read(), "unavailable", /closed/);
    await closing;
  });
});
