import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  createDisplay,
  DISPLAY_DRIVERS,
  DisplayError,
  type Hd44780Display,
  type SimulatedDisplay,
  selectDisplay,
} from "../../../hardware/display/index.ts";
import { FakeLcdPanel, i2cError } from "./fake-lcd.ts";

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
    const panel = new FakeLcdPanel();
    const display = createDisplay("hd44780", {
      cols: 20,
      rows: 4,
      i2cBus: 3,
      address: 0x3f,
      hd44780: { loadLibrary: async () => panel.library() },
    }) as Hd44780Display;
    assert.equal(display.driver, "hd44780");
    assert.deepEqual(panel.created, []);
    await display.show(["hi"]);
    assert.deepEqual(panel.created, [[3, 0x3f, 20, 4]]);
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

  test("auto with a working LCD: the LCD, opened, no reason", async () => {
    const panel = new FakeLcdPanel();
    const { display, reason } = await selectDisplay({
      mode: "auto",
      hd44780: { loadLibrary: async () => panel.library() },
    });
    assert.equal(display.driver, "hd44780");
    assert.equal(reason, undefined);
    assert.deepEqual(panel.ops(), ["begin"], "opened during selection");
  });

  test("auto without an LCD: the simulator, with the reason; the failed device is released", async () => {
    const panel = new FakeLcdPanel();
    panel.failNext("begin", i2cError("EREMOTEIO"));
    const logged: string[][] = [];
    const { display, reason } = await selectDisplay({
      mode: "auto",
      cols: 20,
      rows: 4,
      logger: (f) => logged.push(f),
      hd44780: { loadLibrary: async () => panel.library() },
    });
    assert.equal(display.driver, "sim");
    assert.deepEqual([display.cols, display.rows], [20, 4]);
    assert.match(
      reason ?? "",
      /^HARDWARE=auto and no usable LCD, using the simulator: LCD on I2C bus 1 at 0x27: nothing answers/,
    );
    await display.show(["x"]);
    assert.equal(logged.length, 1, "the logger reaches the simulator");
  });

  test("real with a working LCD", async () => {
    const panel = new FakeLcdPanel();
    const { display } = await selectDisplay({ mode: "real", hd44780: { loadLibrary: async () => panel.library() } });
    assert.equal(display.driver, "hd44780");
  });

  test("real without an LCD: rejects with the reason", async () => {
    const panel = new FakeLcdPanel();
    panel.failNext("begin", i2cError("EACCES"));
    await assert.rejects(
      selectDisplay({ mode: "real", hd44780: { loadLibrary: async () => panel.library() } }),
      (e: unknown) => {
        assert.ok(e instanceof DisplayError);
        assert.equal(e.code, "unavailable");
        assert.match(e.message, /^HARDWARE=real, but the LCD cannot be used: .*EACCES.*i2c group/);
        return true;
      },
    );
  });
});
