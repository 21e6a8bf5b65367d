/**
 * The HD44780 driver against a fake of raspberrypi-liquid-crystal's LCD class (see
 * fake-lcd.ts): what reaches the panel, how little is written, ordering under concurrent
 * show(), the I2C error messages, recovery and close.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DisplayError } from "../../../hardware/display/errors.ts";
import {
  changedRuns,
  createHd44780Display,
  type Hd44780Options,
  type LcdConstructor,
  withoutBusyWaits,
} from "../../../hardware/display/hd44780.ts";
import { toLcdCharset } from "../../../hardware/display/text.ts";
import { FakeLcdPanel, i2cError } from "./fake-lcd.ts";

function setup(opts: Omit<Hd44780Options, "loadLibrary"> = {}) {
  const panel = new FakeLcdPanel();
  let loads = 0;
  const display = createHd44780Display({
    ...opts,
    loadLibrary: async () => {
      loads++;
      return panel.library();
    },
  });
  return { panel, display, loads: () => loads };
}

function isDisplayError(code: DisplayError["code"], ...patterns: RegExp[]) {
  return (e: unknown) => {
    assert.ok(e instanceof DisplayError, `expected a DisplayError, got ${String(e)}`);
    assert.equal(e.code, code);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  };
}

describe("createHd44780Display: drawing", () => {
  test("does no I/O until the first show(), which opens the device and draws fitted lines", async () => {
    const { panel, display, loads } = setup();
    assert.equal(display.driver, "hd44780");
    assert.deepEqual([display.cols, display.rows, display.i2cBus, display.address], [16, 2, 1, 0x27]);
    assert.equal(loads(), 0);
    assert.deepEqual(panel.calls, []);

    await display.show(["23.4°C  45%RH", "A line that is far too long"]);
    assert.deepEqual(panel.created, [[1, 0x27, 16, 2]]);
    assert.deepEqual(panel.screen(16, 2), [`23.4${toLcdCharset("°")}C  45%RH   `, "A line that is ~"]);
    assert.deepEqual(panel.ops(), [
      "begin",
      "setCursor 0,0",
      `print 23.4${toLcdCharset("°")}C`,
      "setCursor 8,0", // the two blank cells are already blank: moving is cheaper
      "print 45%RH",
      "setCursor 0,1",
      "print A line that is ~",
    ]);
    assert.equal(panel.backlight, true);
  });

  test("the character the library leaves top-left after begin() is overwritten by the first frame", async () => {
    const { panel, display } = setup();
    await display.show(["  centred", "x"]);
    assert.deepEqual(panel.screen(16, 2), ["  centred       ", "x               "]);
    // a blank first frame clears it too
    const second = setup();
    await second.display.show([""]);
    assert.deepEqual(second.panel.screen(16, 2), [" ".repeat(16), " ".repeat(16)]);
  });

  test("passes bus, address and size to the library", async () => {
    const { panel, display } = setup({ cols: 20, rows: 4, i2cBus: 0, address: 0x3f });
    await display.show(["a"]);
    assert.deepEqual(panel.created, [[0, 0x3f, 20, 4]]);
  });

  test("an identical frame writes nothing; a changed line only its changed cells", async () => {
    const { panel, display } = setup();
    await display.show(["Temp 23.4", "12:00 room-1"]);
    panel.resetCalls();

    await display.show(["Temp 23.4", "12:00 room-1"]);
    assert.deepEqual(panel.ops(), [], "same frame: no I2C traffic");

    await display.show(["Temp 23.4", "12:01 room-1"]);
    assert.deepEqual(panel.ops(), ["setCursor 4,1", "print 1"], "one changed cell");

    panel.resetCalls();
    await display.show(["Temp 24.0", "12:01 room-1"]);
    assert.deepEqual(panel.ops(), ["setCursor 6,0", "print 4.0"], "adjacent changes written as one run");
    assert.deepEqual(panel.screen(16, 2), ["Temp 24.0       ", "12:01 room-1    "]);
  });

  test("a blank frame over text is one clear command; clearing a blank panel writes nothing", async () => {
    const { panel, display } = setup();
    await display.show(["hello"]);
    panel.resetCalls();
    await display.clear();
    assert.deepEqual(panel.ops(), ["clear"]);
    await display.show([]);
    await display.show(["   "]);
    assert.deepEqual(panel.ops(), ["clear"]);
    assert.deepEqual(panel.screen(16, 2), [" ".repeat(16), " ".repeat(16)]);
    await display.show(["x"]);
    assert.deepEqual(panel.screen(16, 2), [`x${" ".repeat(15)}`, " ".repeat(16)]);
  });

  test("20x4: every row lands where the panel shows it", async () => {
    const { panel, display } = setup({ cols: 20, rows: 4 });
    const lines = ["row zero", "row one", "row two", "row three, which is long"];
    await display.show(lines);
    assert.deepEqual(panel.screen(20, 4), [
      "row zero            ",
      "row one             ",
      "row two             ",
      "row three, which is~",
    ]);
  });

  test("16x4: rows 2 and 3 start at 0x10/0x50, not the library's 20-column addresses", async () => {
    const { panel, display } = setup({ cols: 16, rows: 4 });
    await display.show(["zero", "one", "two", "three"]);
    assert.deepEqual(panel.screen(16, 4), [
      "zero            ",
      "one             ",
      "two             ",
      "three           ",
    ]);
    panel.resetCalls();
    await display.show(["zero", "one", "tw0", "three"]);
    assert.deepEqual(panel.screen(16, 4)[2], "tw0             ");
  });

  test("katakana and the degree sign reach the panel as A00 ROM bytes", async () => {
    const { panel, display } = setup();
    await display.show(["ヨウコソ", "5°"]);
    const [first = "", second = ""] = panel.screen(16, 2);
    assert.deepEqual(
      Array.from(first.trimEnd(), (c) => c.charCodeAt(0)),
      [0xd6, 0xb3, 0xba, 0xbf],
    );
    assert.deepEqual(
      Array.from(second.trimEnd(), (c) => c.charCodeAt(0)),
      [0x35, 0xdf],
    );
  });

  test("rejects sizes and addresses no backpack has", () => {
    assert.throws(() => createHd44780Display({ cols: 24 as 20 }), /cols must be 16 or 20/);
    assert.throws(() => createHd44780Display({ rows: 1 as 2 }), /rows must be 2 or 4/);
    assert.throws(() => createHd44780Display({ address: 0x80 }), /7-bit I2C address/);
    assert.throws(() => createHd44780Display({ i2cBus: -1 }), /i2cBus/);
  });
});

describe("createHd44780Display: concurrency", () => {
  test("show() during a draw waits; of several waiting, only the newest frame is drawn", async () => {
    const { panel, display } = setup();
    await display.show(["start"]);
    panel.resetCalls();

    const gate = panel.hold("print");
    const first = display.show(["11111"]);
    await gate.reached; // the first frame is on the bus now
    const second = display.show(["22222"]);
    const third = display.show(["33333"]);
    const newest = display.show(["44444"]);
    gate.release();
    await Promise.all([first, second, third, newest]);

    const printed = panel.calls.filter((c) => c.op === "print").map((c) => String(c.args[0]));
    assert.deepEqual(printed, ["11111", "44444"], "the frame in progress is finished, superseded ones skipped");
    assert.deepEqual(panel.screen(16, 2)[0], "44444           ");
  });

  test("superseded show() calls settle with the newest frame: its failure rejects them all", async () => {
    const { panel, display } = setup();
    await display.show(["start"]);
    const gate = panel.hold("print");
    const first = display.show(["11111"]);
    await gate.reached; // its setCursor is done, its print is on the bus
    const second = display.show(["22222"]);
    const third = display.show(["33333"]);
    panel.failNext("setCursor", i2cError("EREMOTEIO")); // the next frame's first write
    gate.release();
    await first;
    await assert.rejects(second, isDisplayError("io", /nothing answers/));
    await assert.rejects(third, isDisplayError("io", /nothing answers/));
  });

  test("a failed frame does not fail the frames queued behind it", async () => {
    const { panel, display } = setup();
    await display.show(["start"]);
    const gate = panel.hold("print");
    const first = display.show(["11111"]);
    await gate.reached;
    const second = display.show(["22222"]);
    const third = display.show(["33333"]);
    panel.failNext("print", i2cError("EREMOTEIO")); // the held print fails once released
    gate.release();
    await assert.rejects(first, isDisplayError("io"));
    await Promise.all([second, third]); // drawn on a reopened device
    assert.equal(panel.created.length, 2);
    assert.deepEqual(panel.screen(16, 2)[0], "33333           ");
  });
});

describe("createHd44780Display: errors", () => {
  test("no /dev/i2c-1 (ENOENT): enable I2C, or HARDWARE=sim", async () => {
    const { panel, display } = setup();
    panel.failNext("begin", i2cError("ENOENT"));
    await assert.rejects(
      display.show(["x"]),
      isDisplayError(
        "unavailable",
        /I2C bus 1 at 0x27/,
        /\/dev\/i2c-1 does not exist \(ENOENT\)/,
        /raspi-config/,
        /HARDWARE=sim/,
      ),
    );
  });

  test("no access (EACCES): the i2c group", async () => {
    const { panel, display } = setup();
    panel.failNext("begin", i2cError("EACCES"));
    await assert.rejects(
      display.show(["x"]),
      isDisplayError("unavailable", /permission denied on \/dev\/i2c-1 \(EACCES\)/, /usermod -aG i2c/, /HARDWARE=sim/),
    );
  });

  test("nothing at the address (EREMOTEIO): i2cdetect on the right bus", async () => {
    const { panel, display } = setup({ i2cBus: 0, address: 0x3f });
    panel.failNext("begin", i2cError("EREMOTEIO"));
    await assert.rejects(
      display.show(["x"]),
      isDisplayError(
        "unavailable",
        /LCD on I2C bus 0 at 0x3F: nothing answers at this address \(EREMOTEIO, Remote I\/O error\)/,
        /`i2cdetect -y 0`/,
        /0x27/,
        /HARDWARE=sim/,
      ),
    );
  });

  test("address claimed by a kernel driver (EBUSY)", async () => {
    const { panel, display } = setup();
    panel.failNext("begin", i2cError("EBUSY"));
    await assert.rejects(display.show(["x"]), isDisplayError("unavailable", /in use by a kernel driver \(EBUSY\)/));
  });

  test("the library is not installed", async () => {
    const display = createHd44780Display({
      loadLibrary: async () => {
        throw Object.assign(new Error("Cannot find package 'raspberrypi-liquid-crystal' imported from /x.ts"), {
          code: "ERR_MODULE_NOT_FOUND",
        });
      },
    });
    await assert.rejects(
      display.show(["x"]),
      isDisplayError(
        "unavailable",
        /raspberrypi-liquid-crystal is not installed/,
        /npm install --include=optional/,
        /HARDWARE=sim/,
      ),
    );
  });

  test("the library's native addon does not load", async () => {
    const display = createHd44780Display({
      loadLibrary: async () => {
        throw new Error("Could not locate the bindings file. Tried: i2c.node");
      },
    });
    await assert.rejects(
      display.show(["x"]),
      isDisplayError("unavailable", /could not be loaded/, /npm rebuild i2c-bus sleep/),
    );
  });
});

describe("createHd44780Display: recovery", () => {
  test("after a failed write the next show() reopens the device and redraws everything", async () => {
    const { panel, display } = setup();
    await display.show(["Temp 23.4", "12:00"]);
    panel.failNext("print", i2cError("EREMOTEIO"));
    await assert.rejects(display.show(["Temp 23.5", "12:00"]), isDisplayError("io", /nothing answers/));
    assert.ok(
      panel.calls.some((c) => c.op === "close" && c.instance === 1),
      "the broken instance is closed",
    );

    panel.resetCalls();
    await display.show(["Temp 23.5", "12:00"]);
    assert.equal(panel.created.length, 2, "a new library instance");
    assert.deepEqual(panel.ops(), ["begin", "setCursor 0,0", "print Temp 23.5", "setCursor 0,1", "print 12:00"]);
    assert.deepEqual(panel.screen(16, 2), ["Temp 23.5       ", "12:00           "]);
  });

  test("a failed open is retried by the next show()", async () => {
    const { panel, display } = setup();
    panel.failNext("begin", i2cError("EREMOTEIO"));
    await assert.rejects(display.show(["x"]), isDisplayError("unavailable"));
    await display.show(["x"]);
    assert.deepEqual(panel.screen(16, 2)[0], `x${" ".repeat(15)}`);
  });

  test("a write that never returns times out, and the next show() starts afresh", async () => {
    const { panel, display } = setup({ timeoutMs: 20 });
    await display.show(["before"]);
    panel.hold("print"); // never released: a hung bus
    await assert.rejects(display.show(["hung"]), isDisplayError("io", /did not finish within 20 ms/));
    await display.show(["after"]);
    assert.equal(panel.created.length, 2);
    assert.deepEqual(panel.screen(16, 2)[0], "after           ");
  });

  test("open() opens now, once", async () => {
    const { panel, display } = setup();
    await display.open();
    await display.open();
    assert.deepEqual(panel.ops(), ["begin"]);
    panel.failNext("begin", i2cError("ENOENT"));
    const other = createHd44780Display({ loadLibrary: async () => panel.library() });
    await assert.rejects(other.open(), isDisplayError("unavailable", /ENOENT/));
  });
});

describe("createHd44780Display: close", () => {
  test("clears, turns the backlight off and closes the bus; safe twice", async () => {
    const { panel, display } = setup();
    await display.show(["bye"]);
    panel.resetCalls();
    await display.close();
    await display.close();
    assert.deepEqual(panel.ops(), ["clear", "noDisplay", "close"]);
    assert.equal(panel.backlight, false);
    await assert.rejects(display.show(["x"]), isDisplayError("closed"));
    await assert.rejects(display.clear(), isDisplayError("closed"));
    await assert.rejects(display.open(), isDisplayError("closed"));
  });

  test("never opened: nothing to release, the library is not even loaded", async () => {
    const { display, loads } = setup();
    await display.close();
    assert.equal(loads(), 0);
  });

  test("lets the frame in progress finish and rejects the waiting one", async () => {
    const { panel, display } = setup();
    await display.show(["start"]);
    const gate = panel.hold("print");
    const drawing = display.show(["drawing"]);
    await gate.reached;
    const waiting = display.show(["waiting"]);
    const closing = display.close();
    gate.release();
    await drawing;
    await assert.rejects(waiting, isDisplayError("closed"));
    await closing;
    assert.deepEqual(panel.ops().slice(-3), ["clear", "noDisplay", "close"]);
  });

  test("a dead bus does not make close() reject", async () => {
    const { panel, display } = setup();
    await display.show(["x"]);
    panel.failNext("clear", i2cError("EREMOTEIO"));
    panel.failNext("noDisplay", i2cError("EREMOTEIO"));
    panel.failNext("close", i2cError("EREMOTEIO"));
    await display.close();
  });
});

describe("changedRuns", () => {
  test("finds the cells to rewrite, merging runs one cell apart", () => {
    assert.deepEqual(changedRuns("abcdef", "abcdef"), []);
    assert.deepEqual(changedRuns("abcdef", "abXdef"), [{ start: 2, text: "X" }]);
    assert.deepEqual(changedRuns("abcdef", "XbXdef"), [{ start: 0, text: "XbX" }]);
    assert.deepEqual(changedRuns("abcdef", "XbcXef"), [
      { start: 0, text: "X" },
      { start: 3, text: "X" },
    ]);
    assert.deepEqual(changedRuns("", "ab"), [{ start: 0, text: "ab" }]);
  });
});

/**
 * A stand-in for raspberrypi-liquid-crystal's class with the internals `withoutBusyWaits`
 * relies on: `_i2c.sendByte(address, byte, cb)`, `_address`, and `_sendByte(byte)`, which
 * busy-waits (counted here) before each byte, as the library's does.
 */
function busyWaitingLibrary() {
  const sent: Array<{ byte: number; phase: string }> = [];
  let busyWaits = 0;
  let phase = "begin";
  class Library {
    _address: number;
    _i2c: { sendByte(address: number, byte: number, cb: (err: Error | null) => void): void } | null = null;
    constructor(_bus: number, address: number) {
      this._address = address;
    }
    _sendByte(byte: number): Promise<void> {
      busyWaits++;
      return new Promise((resolve, reject) =>
        this._i2c?.sendByte(this._address, byte, (e) => (e ? reject(e) : resolve())),
      );
    }
    async begin(): Promise<void> {
      this._i2c = {
        sendByte: (address, byte, cb) => {
          assert.equal(address, 0x27);
          sent.push({ byte, phase });
          setImmediate(() =>
            cb(byte === 0xee ? Object.assign(new Error("EREMOTEIO, Remote I/O error"), { code: "EREMOTEIO" }) : null),
          );
        },
      };
      for (const b of [0x30, 0x34, 0x30]) await this._sendByte(b);
      phase = "after";
    }
    async clear(): Promise<void> {
      await this._sendByte(0x01);
    }
    async setCursor(): Promise<void> {}
    async print(text: string): Promise<void> {
      for (const ch of text) await this._sendByte(ch.charCodeAt(0));
    }
    async close(): Promise<void> {}
  }
  return { Library: Library as unknown as LcdConstructor, sent, busyWaits: () => busyWaits };
}

describe("withoutBusyWaits", () => {
  test("keeps the library's paced init, then sends bytes asynchronously without busy waits", async () => {
    const lib = busyWaitingLibrary();
    const Fast = withoutBusyWaits(lib.Library);
    assert.notEqual(Fast, lib.Library);
    const lcd = new Fast(1, 0x27, 16, 2);
    await lcd.begin();
    assert.equal(lib.busyWaits(), 3, "init keeps the library's pauses");
    await lcd.print("AB");
    assert.equal(lib.busyWaits(), 3, "no busy wait after init");
    assert.deepEqual(
      lib.sent.map((s) => s.byte),
      [0x30, 0x34, 0x30, 0x41, 0x42],
      "the same bytes, in order",
    );
    await assert.rejects(lcd.print("\u00ee"), /EREMOTEIO/, "I2C errors still reject");
  });

  test("clear() waits for the HD44780's slow clear command on a timer", async () => {
    const lib = busyWaitingLibrary();
    const lcd = new (withoutBusyWaits(lib.Library))(1, 0x27, 16, 2);
    await lcd.begin();
    const t0 = performance.now();
    await lcd.clear();
    assert.ok(performance.now() - t0 >= 1.5, "at least the 1.52 ms the datasheet asks for");
  });

  test("a library without the expected internals is used as it is", () => {
    class Other {}
    assert.equal(withoutBusyWaits(Other as unknown as LcdConstructor), Other);
  });

  test("the installed raspberrypi-liquid-crystal has the internals it relies on", async (t) => {
    const mod = (await import("raspberrypi-liquid-crystal").catch(() => undefined)) as
      | { default: LcdConstructor }
      | undefined;
    if (!mod) {
      t.skip("raspberrypi-liquid-crystal is not installed here");
      return;
    }
    assert.notEqual(
      withoutBusyWaits(mod.default),
      mod.default,
      "a library upgrade changed _sendByte: re-check the driver",
    );
  });
});
