/**
 * The HD44780 driver through the real i2c-bus package (when it installed and its addon
 * built), on a machine without I2C: opening must fail with the clear ENOENT message, and
 * the doctor probe must say the same. Skipped where the package is missing or where
 * /dev/i2c-1 exists (a Pi, where a real LCD might be attached and these tests would draw
 * on it).
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { describe, test } from "node:test";
import { DisplayError } from "../../../core/display/errors.ts";
import { createHd44780Display, openI2cBus, probeHd44780 } from "../../../hardware/display/hd44780.ts";
import { selectDisplay } from "../../../hardware/display/index.ts";

const installed = await import("i2c-bus").then(
  () => true,
  () => false,
);
const skip = !installed
  ? "i2c-bus is not installed (or its addon did not build) here"
  : existsSync("/dev/i2c-1")
    ? "/dev/i2c-1 exists: not touching a real bus"
    : false;

describe("createHd44780Display with the real i2c-bus", { skip }, () => {
  test("openI2cBus opens nothing yet (i2c-bus opens /dev/i2c-N on the first transfer)", async () => {
    const bus = await openI2cBus(1);
    await assert.rejects(bus.i2cWrite(0x27, 1, Buffer.from([0x08])), (e: unknown) => {
      assert.equal((e as { code?: string }).code, "ENOENT");
      assert.match((e as Error).message, /ENOENT: no such file or directory, open '\/dev\/i2c-1'/);
      return true;
    });
    await bus.close();
  });

  test("no /dev/i2c-1: show() rejects as unavailable, with what to do", async () => {
    const display = createHd44780Display();
    await assert.rejects(display.show(["hello"]), (e: unknown) => {
      assert.ok(e instanceof DisplayError);
      assert.equal(e.code, "unavailable");
      assert.match(e.message, /LCD on I2C bus 1 at 0x27: \/dev\/i2c-1 does not exist \(ENOENT\)/);
      assert.match(e.message, /raspi-config/);
      assert.match(e.message, /dtparam=i2c_arm=on/);
      assert.match(e.message, /HARDWARE=sim/);
      assert.equal((e.cause as { code?: string }).code, "ENOENT");
      return true;
    });
    // and again: each show() retries the open
    await assert.rejects(display.show(["hello"]), /ENOENT/);
    await display.close();
  });

  test("open() fails the same way; close() after it is fine", async () => {
    const display = createHd44780Display({ cols: 20, rows: 4, address: 0x3f });
    await assert.rejects(display.open(), /LCD on I2C bus 1 at 0x3F: \/dev\/i2c-1 does not exist/);
    await display.close();
  });

  test("the doctor probe says the same, with the errno", async () => {
    const probe = await probeHd44780();
    assert.equal(probe.available, false);
    assert.equal(probe.available ? undefined : probe.code, "ENOENT");
    assert.match(probe.available ? "" : probe.reason, /\/dev\/i2c-1 does not exist \(ENOENT\)/);
  });

  test("HARDWARE=auto falls back to the simulator, saying why; real refuses", async () => {
    const auto = await selectDisplay({ mode: "auto" });
    assert.equal(auto.display.driver, "sim");
    assert.match(auto.reason ?? "", /HARDWARE=auto and no usable LCD.*\/dev\/i2c-1 does not exist/);
    await auto.display.close();

    await assert.rejects(selectDisplay({ mode: "real" }), (e: unknown) => {
      assert.ok(e instanceof DisplayError);
      assert.equal(e.code, "unavailable");
      assert.match(e.message, /HARDWARE=real, but the LCD cannot be used: .*ENOENT/);
      return true;
    });
  });
});
