import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  createDisplay,
  DISPLAY_DRIVERS,
  DisplayError,
  type Hd44780Display,
  probeHd44780,
  type SimulatedDisplay,
  selectDisplay,
} from "../../../hardware/display/index.ts";
import { FakeI2c } from "./fake-i2c-lcd.ts";

describe("createDisplay", () => {
  test("an unknown name throws, listing the valid ones", () => {
    assert.throws(() => createDisplay("ssd1306"), /unknown display driver "ssd1306"; valid drivers: hd44780, sim/);
    assert.throws(() => createDisplay("toString"), /valid drivers: hd44780, sim/);
    assert.deepEqual(DISPLAY_DRIVERS, ["hd44780", "sim"]);
  });

  test("sim, with size and logger", async () => {
    const logged: string[][] = [];
    const display = createDisplay("sim", { cols: 20, rows: 4, logger: (f) => logged.push(f) }) as SimulatedDisplay;
    assert.equal(display.driver, "sim");
    assert.deepEqual([display.cols, display.rows], [20, 4]);
    await display.show(["hi"]);
    assert.equal(logged.length, 1);
  });

  test("hd44780, with bus, address and size passed through; no I/O until used", async () => {
    const lcd = new FakeI2c(0x3f);
    const display = createDisplay("hd44780", {
      cols: 20,
      rows: 4,
      i2cBus: 3,
      address: 0x3f,
      hd44780: { openBus: lcd.openBus, delay: lcd.delay },
    }) as Hd44780Display;
    assert.equal(display.driver, "hd44780");
    assert.deepEqual(lcd.opened, []);
    await display.show(["hi", "", "", "row 3"]);
    assert.deepEqual(lcd.opened, [3]);
    assert.deepEqual(lcd.screen(20, 4), [
      `hi${" ".repeat(18)}`,
      " ".repeat(20),
      " ".repeat(20),
      `row 3${" ".repeat(15)}`,
    ]);
  });

  test("undefined options keep the defaults", () => {
    const display = createDisplay("hd44780", { cols: undefined, i2cBus: undefined }) as Hd44780Display;
    assert.deepEqual([display.cols, display.rows, display.i2cBus, display.address], [16, 2, 1, 0x27]);
  });
});

describe("selectDisplay", () => {
  test("sim", async () => {
    const { display, reason } = await selectDisplay({ mode: "sim", cols: 20, rows: 4 });
    assert.equal(display.driver, "sim");
    assert.deepEqual([display.cols, display.rows], [20, 4]);
    assert.equal(reason, "HARDWARE=sim");
  });

  test("auto with a working LCD: the LCD, opened (initialised), no reason", async () => {
    const lcd = new FakeI2c();
    const { display, reason } = await selectDisplay({
      mode: "auto",
      hd44780: { openBus: lcd.openBus, delay: lcd.delay },
    });
    assert.equal(display.driver, "hd44780");
    assert.equal(reason, undefined);
    assert.equal(lcd.panel.displayOn, true, "initialised during selection");
    assert.deepEqual(lcd.ops().slice(-1), ["display on"], "opened during selection, nothing drawn yet");
  });

  test("auto without an LCD: the simulator, with the reason; the failed device is released", async () => {
    const lcd = new FakeI2c();
    lcd.acknowledges = false;
    const logged: string[][] = [];
    const { display, reason } = await selectDisplay({
      mode: "auto",
      cols: 20,
      rows: 4,
      logger: (f) => logged.push(f),
      hd44780: { openBus: lcd.openBus, delay: lcd.delay },
    });
    assert.equal(display.driver, "sim");
    assert.deepEqual([display.cols, display.rows], [20, 4]);
    assert.match(
      reason ?? "",
      /^HARDWARE=auto and no usable LCD, using the simulator: LCD on I2C bus 1 at 0x27: nothing answers/,
    );
    assert.equal(lcd.closes, 1, "the bus was closed");
    await display.show(["x"]);
    assert.equal(logged.length, 1, "the logger reaches the simulator");
  });

  test("real with a working LCD", async () => {
    const lcd = new FakeI2c();
    const { display } = await selectDisplay({ mode: "real", hd44780: { openBus: lcd.openBus, delay: lcd.delay } });
    assert.equal(display.driver, "hd44780");
  });

  test("real without an LCD: rejects with the reason", async () => {
    const lcd = new FakeI2c();
    lcd.accessible = false;
    await assert.rejects(
      selectDisplay({ mode: "real", hd44780: { openBus: lcd.openBus, delay: lcd.delay } }),
      (e: unknown) => {
        assert.ok(e instanceof DisplayError);
        assert.equal(e.code, "unavailable");
        assert.match(e.message, /^HARDWARE=real, but the LCD cannot be used: .*EACCES.*i2c group/);
        return true;
      },
    );
  });
});

describe("probeHd44780 (for doctor)", () => {
  test("acknowledged at the address: one read, nothing written, the bus closed", async () => {
    const lcd = new FakeI2c(0x3f);
    assert.deepEqual(await probeHd44780({ address: 0x3f, openBus: lcd.openBus }), {
      available: true,
      i2cBus: 1,
      address: 0x3f,
    });
    assert.equal(lcd.reads, 1);
    assert.equal(lcd.bytes(), 0, "the probe changes nothing on the backpack");
    assert.equal(lcd.closes, 1);
  });

  test("EREMOTEIO (no answer), ENOENT (no bus), EACCES, EBUSY: each explained, never a rejection", async () => {
    const nobody = new FakeI2c(0x3f);
    const atWrongAddress = await probeHd44780({ address: 0x27, openBus: nobody.openBus });
    assert.deepEqual(atWrongAddress.available ? undefined : atWrongAddress.code, "EREMOTEIO");
    assert.match(
      atWrongAddress.available ? "" : atWrongAddress.reason,
      /^LCD on I2C bus 1 at 0x27: nothing answers at this address .*`i2cdetect -y 1`/,
    );
    for (const [setup, code, pattern] of [
      [(f: FakeI2c) => (f.busExists = false), "ENOENT", /\/dev\/i2c-1 does not exist.*dtparam=i2c_arm=on/],
      [(f: FakeI2c) => (f.accessible = false), "EACCES", /i2c group/],
      [(f: FakeI2c) => (f.claimed = true), "EBUSY", /in use by a kernel driver/],
    ] as const) {
      const fake = new FakeI2c();
      setup(fake);
      const probe = await probeHd44780({ openBus: fake.openBus });
      assert.equal(probe.available ? undefined : probe.code, code);
      assert.match(probe.available ? "" : probe.reason, pattern);
    }
    const missing = await probeHd44780({
      openBus: async () => {
        throw Object.assign(new Error("Cannot find package 'i2c-bus'"), { code: "ERR_MODULE_NOT_FOUND" });
      },
    });
    assert.match(missing.available ? "" : missing.reason, /i2c-bus is not installed/);
    const bad = await probeHd44780({ address: 0x99 });
    assert.match(bad.available ? "" : bad.reason, /7-bit I2C address/);
  });
});
