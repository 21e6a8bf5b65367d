/**
 * The PIR driver with the real onoff package (when it installed), on a machine that is not
 * a Raspberry Pi: start() must refuse clearly, whether onoff's native epoll addon built
 * (then GPIO is not accessible) or not (then onoff cannot be loaded). Also pins down the
 * parts of onoff's API the driver and the fake rely on.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, test } from "node:test";
import { selectMotionSensor } from "../../../hardware/motion/index.ts";
import { createPirMotionSensor, loadOnoffLibrary, probePir } from "../../../hardware/motion/pir.ts";

function resolves(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
}

function onRaspberryPi(): boolean {
  try {
    return readFileSync("/proc/device-tree/model", "latin1").startsWith("Raspberry Pi");
  } catch {
    return false;
  }
}

const installed = resolves("onoff");
const loads =
  installed &&
  (await loadOnoffLibrary().then(
    () => true,
    () => false,
  ));
const noPackage = installed ? false : "onoff is not installed here";
const offPi = noPackage || (onRaspberryPi() ? "this is a Raspberry Pi" : false);

describe("onoff as installed", { skip: noPackage }, () => {
  test("exports the Gpio class with the members the driver uses", {
    skip: loads ? false : "epoll did not build",
  }, async () => {
    const { Gpio } = await loadOnoffLibrary();
    assert.equal(typeof Gpio.accessible, "boolean");
    for (const method of ["readSync", "watch", "unwatch", "unexport"]) {
      assert.equal(typeof (Gpio.prototype as unknown as Record<string, unknown>)[method], "function", method);
    }
  });

  test("off a Pi: start() rejects with a clear message (GPIO not accessible, or epoll not built)", {
    skip: offPi,
  }, async () => {
    const sensor = createPirMotionSensor({ pin: 17 });
    await assert.rejects(
      sensor.start(() => {}),
      (e: unknown) => {
        assert.ok(e instanceof Error);
        if (loads) assert.match(e.message, /^PIR on GPIO 17: GPIO is not accessible: not a Raspberry Pi/);
        else assert.match(e.message, /^PIR: onoff could not be loaded .*npm rebuild epoll/);
        return true;
      },
    );
    await sensor.stop();
  });

  test("off a Pi: the probe says why, auto falls back, real rejects", { skip: offPi }, async () => {
    const probe = await probePir(17);
    assert.equal(probe.available, false);
    const chosen = await selectMotionSensor({ mode: "auto", pirPin: 17 });
    assert.equal(chosen.sensor.driver, "sim");
    assert.match(chosen.reason ?? "", /the PIR cannot be used \(PIR/);
    await assert.rejects(selectMotionSensor({ mode: "real", pirPin: 17 }), /HARDWARE=real, but the PIR motion sensor/);
  });
});
