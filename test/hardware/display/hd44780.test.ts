/**
 * The HD44780 driver against a fake i2c-bus with a PCF8574 backpack and an HD44780 model
 * that decodes the 4-bit protocol (fake-i2c-lcd.ts): the init sequence and its waits, what
 * reaches the panel and where, how little is written, the backlight, ordering under
 * concurrent show(), the I2C error messages, recovery and close. Every test also checks
 * that the model saw no protocol violation.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DisplayError } from "../../../core/display/errors.ts";
import { changedRuns, createHd44780Display, type Hd44780Options } from "../../../hardware/display/hd44780.ts";
import { HD44780, Hd44780Program, initProgram, PCF8574 } from "../../../hardware/display/hd44780-protocol.ts";
import { toLcdCharset } from "../../../hardware/display/text.ts";
import { FakeI2c, i2cError, type PanelStart } from "./fake-i2c-lcd.ts";

function setup(opts: Omit<Hd44780Options, "openBus" | "delay"> = {}, start: PanelStart = "power-on") {
  const lcd = new FakeI2c(opts.address ?? 0x27, start);
  const display = createHd44780Display({ ...opts, openBus: lcd.openBus, delay: lcd.delay });
  return { lcd, display };
}

function isDisplayError(code: DisplayError["code"], ...patterns: RegExp[]) {
  return (e: unknown) => {
    assert.ok(e instanceof DisplayError, `expected a DisplayError, got ${String(e)}`);
    assert.equal(e.code, code);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  };
}

/**
 * What a re-initialisation of a panel already in 4-bit mode decodes to: the first two 0x3
 * nibbles pair up into one byte (function set, 8-bit), the third is an 8-bit instruction.
 */
const REINIT = ["function 8-bit 1-line 5x8", "function 8-bit", "function 4-bit"];

/** What the init sequence leaves in the decoded log. */
const INIT = [
  "function 8-bit",
  "function 8-bit",
  "function 8-bit",
  "function 4-bit",
  "function 4-bit 2-line 5x8",
  "display off",
  "clear",
  "entry inc",
  "display on",
];

describe("HD44780 protocol over the PCF8574", () => {
  test("a byte is two E pulses, high nibble first; RS gets a byte of its own before E rises", () => {
    const p = new Hd44780Program(true).command(0x80).text("A");
    const BL = PCF8574.BACKLIGHT;
    const { E, RS } = PCF8574;
    assert.deepEqual(p.bytes(), [
      BL, // RS low, E low: the port's state is unknown to a new program
      0x80 | BL | E,
      0x80 | BL,
      0x00 | BL | E,
      0x00 | BL,
      0x00 | BL | RS, // RS rises with E low
      0x40 | BL | RS | E,
      0x40 | BL | RS,
      0x10 | BL | RS | E,
      0x10 | BL | RS,
    ]);
  });

  test("clear and home are followed by their 1.52 ms; nothing else waits", () => {
    const p = new Hd44780Program().command(HD44780.CLEAR).command(HD44780.HOME).command(0x0c);
    assert.deepEqual(
      p.steps.map((s) => ("waitMs" in s ? `wait ${s.waitMs}` : `${s.bytes.length} bytes`)),
      ["5 bytes", "wait 2", "4 bytes", "wait 2", "4 bytes"],
    );
  });

  test("the init sequence: 0x3, 0x3, 0x3, 0x2 as single nibbles with the datasheet's waits, then whole bytes", () => {
    const steps = initProgram().steps.map((s) =>
      "waitMs" in s ? `wait ${s.waitMs}` : s.bytes.map((b) => b.toString(16).padStart(2, "0")).join(" "),
    );
    assert.deepEqual(steps.slice(0, 9), [
      "fb", // E low first: the PCF8574 came up with every output high
      "wait 50",
      "08 3c 38", // backlight, then nibble 0x3 with E high and low
      "wait 5",
      "3c 38",
      "wait 1",
      "3c 38",
      "wait 1",
      // 0x2 (4-bit), then function set 0x28, display off 0x08, clear 0x01
      "2c 28 2c 28 8c 88 0c 08 8c 88 0c 08 1c 18",
    ]);
    assert.deepEqual(steps.slice(9), ["wait 2", "0c 08 6c 68 0c 08 cc c8"]);
  });
});

describe("createHd44780Display: init", () => {
  test("after power-on: the model decodes the datasheet's sequence and sees no violation (waits and timing kept)", async () => {
    const { lcd, display } = setup();
    await display.open();
    assert.deepEqual(lcd.ops(), INIT);
    assert.deepEqual(lcd.panel.violations, []);
    assert.equal(lcd.panel.interfaceBits, 4);
    assert.equal(lcd.panel.twoLines, true);
    assert.equal(lcd.panel.displayOn, true);
    assert.equal(lcd.panel.cursorOn || lcd.panel.blinkOn, false);
    assert.equal(lcd.panel.backlight, true);
    assert.deepEqual(lcd.screen(16, 2), [" ".repeat(16), " ".repeat(16)]);
    assert.ok(lcd.now >= 50_000 + 5000 + 1000 + 1000 + 2000, "the waits passed on the delay, never a busy loop");
  });

  test("a panel left in 4-bit mode by an earlier run, even halfway through a byte, is resynchronised", async () => {
    for (const start of ["4-bit", "4-bit, mid-byte"] as const) {
      const { lcd, display } = setup({}, start);
      assert.notDeepEqual(lcd.screen(16, 2), [" ".repeat(16), " ".repeat(16)], "the earlier run's text");
      await display.show(["hello", "again"]);
      assert.deepEqual(lcd.screen(16, 2), ["hello           ", "again           "], start);
      assert.equal(lcd.panel.interfaceBits, 4);
      assert.deepEqual(lcd.panel.violations, [], start);
    }
  });
});

describe("createHd44780Display: drawing", () => {
  test("does no I/O until the first show(), which opens the device and draws fitted lines", async () => {
    const { lcd, display } = setup();
    assert.equal(display.driver, "hd44780");
    assert.deepEqual([display.cols, display.rows, display.i2cBus, display.address], [16, 2, 1, 0x27]);
    assert.deepEqual(lcd.opened, []);
    assert.equal(lcd.bytes(), 0);

    await display.show(["23.4°C  45%RH", "A line that is far too long"]);
    assert.deepEqual(lcd.opened, [1]);
    assert.deepEqual(lcd.screen(16, 2), [`23.4${toLcdCharset("°")}C  45%RH   `, "A line that is ~"]);
    assert.deepEqual(lcd.ops(), [
      ...INIT,
      "ddram 0x00",
      `text '23.4${toLcdCharset("°")}C'`,
      "ddram 0x08", // the two blank cells are already blank: moving is cheaper
      "text '45%RH'",
      "ddram 0x40",
      "text 'A line that is ~'",
    ]);
    assert.equal(lcd.panel.backlight, true);
    assert.deepEqual(lcd.panel.violations, []);
  });

  test("the first frame starts from the clear panel the init leaves; a blank first frame writes nothing more", async () => {
    const { lcd, display } = setup();
    await display.show(["  centred", "x"]);
    assert.deepEqual(lcd.screen(16, 2), ["  centred       ", "x               "]);
    const second = setup();
    await second.display.show([""]);
    assert.deepEqual(second.lcd.screen(16, 2), [" ".repeat(16), " ".repeat(16)]);
    assert.deepEqual(second.lcd.ops(), INIT);
  });

  test("passes bus and address to i2c-bus", async () => {
    const { lcd, display } = setup({ cols: 20, rows: 4, i2cBus: 0, address: 0x3f });
    await display.show(["a"]);
    assert.deepEqual(lcd.opened, [0]);
    assert.deepEqual(lcd.screen(20, 4)[0], `a${" ".repeat(19)}`);
  });

  test("an identical frame writes nothing; a changed line only its changed cells", async () => {
    const { lcd, display } = setup();
    await display.show(["Temp 23.4", "12:00 room-1"]);
    lcd.reset();

    await display.show(["Temp 23.4", "12:00 room-1"]);
    assert.deepEqual(lcd.ops(), [], "same frame: nothing decoded");
    assert.equal(lcd.bytes(), 0, "same frame: no I2C traffic");

    await display.show(["Temp 23.4", "12:01 room-1"]);
    assert.deepEqual(lcd.ops(), ["ddram 0x44", "text '1'"], "one changed cell");
    assert.deepEqual(lcd.writes.length, 1, "moving and writing in one I2C write");

    lcd.reset();
    await display.show(["Temp 24.0", "12:01 room-1"]);
    assert.deepEqual(lcd.ops(), ["ddram 0x06", "text '4.0'"], "adjacent changes written as one run");
    assert.deepEqual(lcd.screen(16, 2), ["Temp 24.0       ", "12:01 room-1    "]);
    assert.deepEqual(lcd.panel.violations, []);
  });

  test("a blank frame over text is one clear command; clearing a blank panel writes nothing", async () => {
    const { lcd, display } = setup();
    await display.show(["hello"]);
    lcd.reset();
    await display.clear();
    assert.deepEqual(lcd.ops(), ["clear"]);
    await display.show([]);
    await display.show(["   "]);
    assert.deepEqual(lcd.ops(), ["clear"]);
    assert.deepEqual(lcd.screen(16, 2), [" ".repeat(16), " ".repeat(16)]);
    await display.show(["x"]);
    assert.deepEqual(lcd.screen(16, 2), [`x${" ".repeat(15)}`, " ".repeat(16)]);
    assert.deepEqual(lcd.panel.violations, [], "the clear's 1.52 ms was waited for");
  });

  test("16x2: rows at 0x00 and 0x40", async () => {
    const { lcd, display } = setup({ cols: 16, rows: 2 });
    await display.show(["top", "bottom"]);
    assert.deepEqual(
      lcd.ops().filter((o) => o.startsWith("ddram")),
      ["ddram 0x00", "ddram 0x40"],
    );
    assert.deepEqual(lcd.screen(16, 2), ["top             ", "bottom          "]);
  });

  test("20x4: every row lands where the panel shows it (0x00, 0x40, 0x14, 0x54)", async () => {
    const { lcd, display } = setup({ cols: 20, rows: 4 });
    const lines = ["row zero", "row one", "row two", "row three, which is long"];
    await display.show(lines);
    assert.deepEqual(lcd.screen(20, 4), [
      "row zero            ",
      "row one             ",
      "row two             ",
      "row three, which is~",
    ]);
    assert.deepEqual(
      lcd.ops().filter((o) => o.startsWith("ddram")),
      ["ddram 0x00", "ddram 0x40", "ddram 0x14", "ddram 0x54"],
    );
    assert.deepEqual(lcd.panel.violations, []);
  });

  test("16x4: rows 2 and 3 start at 0x10/0x50, not the 20-column addresses", async () => {
    const { lcd, display } = setup({ cols: 16, rows: 4 });
    await display.show(["zero", "one", "two", "three"]);
    assert.deepEqual(lcd.screen(16, 4), [
      "zero            ",
      "one             ",
      "two             ",
      "three           ",
    ]);
    lcd.reset();
    await display.show(["zero", "one", "tw0", "three"]);
    assert.deepEqual(lcd.screen(16, 4)[2], "tw0             ");
    assert.deepEqual(lcd.ops(), ["ddram 0x12", "text '0'"]);
  });

  test("katakana and the degree sign reach the panel as A00 ROM bytes", async () => {
    const { lcd, display } = setup();
    await display.show(["ヨウコソ", "5°"]);
    const [first = "", second = ""] = lcd.screen(16, 2);
    assert.deepEqual(
      Array.from(first.trimEnd(), (c) => c.charCodeAt(0)),
      [0xd6, 0xb3, 0xba, 0xbf],
    );
    assert.deepEqual(
      Array.from(second.trimEnd(), (c) => c.charCodeAt(0)),
      [0x35, 0xdf],
    );
  });

  test("a full 20x4 redraw goes out in a few batched writes, none larger than maxWriteBytes", async () => {
    const { lcd, display } = setup({ cols: 20, rows: 4, maxWriteBytes: 64 });
    await display.open();
    lcd.reset();
    await display.show(["a".repeat(20), "b".repeat(20), "c".repeat(20), "d".repeat(20)]);
    assert.ok(
      lcd.writes.every((w) => w.length <= 64),
      "no write larger than asked",
    );
    // 80 characters of 4 bytes, 4 cursor moves of 4, and RS set before each run and back after
    assert.equal(lcd.bytes(), 80 * 4 + 4 * 4 + 8);
    assert.equal(lcd.writes.length, Math.ceil(lcd.bytes() / 64));
    assert.deepEqual(lcd.screen(20, 4), ["a".repeat(20), "b".repeat(20), "c".repeat(20), "d".repeat(20)]);
    assert.deepEqual(lcd.panel.violations, []);
  });

  test("rejects sizes and addresses no backpack has", () => {
    assert.throws(() => createHd44780Display({ cols: 24 as 20 }), /cols must be 16 or 20/);
    assert.throws(() => createHd44780Display({ rows: 1 as 2 }), /rows must be 2 or 4/);
    assert.throws(() => createHd44780Display({ address: 0x80 }), /7-bit I2C address/);
    assert.throws(() => createHd44780Display({ i2cBus: -1 }), /i2cBus/);
    assert.throws(() => createHd44780Display({ maxWriteBytes: 0 }), /maxWriteBytes/);
  });
});

describe("createHd44780Display: concurrency", () => {
  test("show() during a draw waits; of several waiting, only the newest frame is drawn", async () => {
    const { lcd, display } = setup();
    await display.show(["start"]);
    lcd.reset();

    const gate = lcd.hold("write");
    const first = display.show(["11111"]);
    await gate.reached; // the first frame is on the bus now
    const second = display.show(["22222"]);
    const third = display.show(["33333"]);
    const newest = display.show(["44444"]);
    gate.release();
    await Promise.all([first, second, third, newest]);

    const printed = lcd.ops().filter((o) => o.startsWith("text"));
    assert.deepEqual(
      printed,
      ["text '11111'", "text '44444'"],
      "the frame in progress is finished, superseded ones skipped",
    );
    assert.deepEqual(lcd.screen(16, 2)[0], "44444           ");
  });

  test("superseded show() calls settle with the newest frame: its failure rejects them all", async () => {
    const { lcd, display } = setup();
    await display.show(["start"]);
    const gate = lcd.hold("write");
    const first = display.show(["11111"]);
    await gate.reached; // its write is on the bus
    const second = display.show(["22222"]);
    const third = display.show(["33333"]);
    lcd.failNext("write", i2cError("EREMOTEIO"), 1); // not the held write: the next frame's
    gate.release();
    await first;
    await assert.rejects(second, isDisplayError("io", /nothing answers/));
    await assert.rejects(third, isDisplayError("io", /nothing answers/));
  });

  test("a failed frame does not fail the frames queued behind it", async () => {
    const { lcd, display } = setup();
    await display.show(["start"]);
    const gate = lcd.hold("write");
    const first = display.show(["11111"]);
    await gate.reached;
    const second = display.show(["22222"]);
    const third = display.show(["33333"]);
    lcd.failNext("write", i2cError("EREMOTEIO")); // the held write fails once released
    gate.release();
    await assert.rejects(first, isDisplayError("io"));
    await Promise.all([second, third]); // drawn on a reopened device
    assert.deepEqual(lcd.opened, [1, 1]);
    assert.deepEqual(lcd.screen(16, 2)[0], "33333           ");
  });
});

describe("createHd44780Display: errors", () => {
  test("no /dev/i2c-1 (ENOENT): enable I2C (dtparam=i2c_arm=on), or HARDWARE=sim", async () => {
    const { lcd, display } = setup();
    lcd.busExists = false;
    await assert.rejects(
      display.show(["x"]),
      isDisplayError(
        "unavailable",
        /I2C bus 1 at 0x27/,
        /\/dev\/i2c-1 does not exist \(ENOENT\)/,
        /raspi-config/,
        /dtparam=i2c_arm=on/,
        /HARDWARE=sim/,
      ),
    );
  });

  test("no access (EACCES): the i2c group", async () => {
    const { lcd, display } = setup();
    lcd.accessible = false;
    await assert.rejects(
      display.show(["x"]),
      isDisplayError("unavailable", /permission denied on \/dev\/i2c-1 \(EACCES\)/, /usermod -aG i2c/, /HARDWARE=sim/),
    );
  });

  test("EREMOTEIO on the very first write (nothing at the address): i2cdetect on the right bus, 0x27/0x3F", async () => {
    const { lcd, display } = setup({ i2cBus: 0, address: 0x3f });
    lcd.acknowledges = false;
    await assert.rejects(
      display.show(["x"]),
      isDisplayError(
        "unavailable",
        /LCD on I2C bus 0 at 0x3F: nothing answers at this address \(EREMOTEIO: remote I\/O error, write\)/,
        /`i2cdetect -y 0`/,
        /0x27/,
        /0x3F/,
        /HARDWARE=sim/,
      ),
    );
    assert.equal(lcd.bytes(), 0, "nothing reached the panel");
    assert.equal(lcd.closes, 1, "the bus was closed again");
  });

  test("the wrong address configured: the backpack is elsewhere", async () => {
    const lcd = new FakeI2c(0x3f);
    const display = createHd44780Display({ address: 0x27, openBus: lcd.openBus, delay: lcd.delay });
    await assert.rejects(display.open(), isDisplayError("unavailable", /at 0x27: nothing answers/));
  });

  test("address claimed by a kernel driver (EBUSY)", async () => {
    const { lcd, display } = setup();
    lcd.claimed = true;
    await assert.rejects(display.show(["x"]), isDisplayError("unavailable", /in use by a kernel driver \(EBUSY\)/));
  });

  test("i2c-bus is not installed", async () => {
    const display = createHd44780Display({
      openBus: async () => {
        throw Object.assign(new Error("Cannot find package 'i2c-bus' imported from /x.ts"), {
          code: "ERR_MODULE_NOT_FOUND",
        });
      },
    });
    await assert.rejects(
      display.show(["x"]),
      isDisplayError("unavailable", /i2c-bus is not installed/, /npm install --include=optional/, /HARDWARE=sim/),
    );
  });

  test("i2c-bus's native addon does not load", async () => {
    const display = createHd44780Display({
      openBus: async () => {
        throw new Error("Could not locate the bindings file. Tried: i2c.node");
      },
    });
    await assert.rejects(
      display.show(["x"]),
      isDisplayError("unavailable", /i2c-bus could not be loaded/, /npm rebuild i2c-bus/),
    );
  });
});

describe("createHd44780Display: recovery", () => {
  test("after a failed write the next show() reopens the bus, re-initialises and redraws everything", async () => {
    const { lcd, display } = setup();
    await display.show(["Temp 23.4", "12:00"]);
    lcd.failNext("write", i2cError("EREMOTEIO"));
    await assert.rejects(display.show(["Temp 23.5", "12:00"]), isDisplayError("io", /nothing answers/));
    assert.equal(lcd.closes, 1, "the broken bus is closed");

    lcd.reset();
    await display.show(["Temp 23.5", "12:00"]);
    assert.deepEqual(lcd.opened, [1, 1], "a new bus");
    assert.deepEqual(lcd.ops(), [
      ...REINIT,
      ...INIT.slice(4),
      "ddram 0x00",
      "text 'Temp 23.5'",
      "ddram 0x40",
      "text '12:00'",
    ]);
    assert.deepEqual(lcd.panel.violations, []);
    assert.deepEqual(lcd.screen(16, 2), ["Temp 23.5       ", "12:00           "]);
  });

  test("the bus failing mid-run (cable pulled): io errors while it lasts, the screen back when it returns", async () => {
    const { lcd, display } = setup();
    await display.show(["before", "ok"]);
    lcd.acknowledges = false;
    await assert.rejects(display.show(["during", "ok"]), isDisplayError("io", /nothing answers at this address/));
    await assert.rejects(display.show(["during", "still"]), isDisplayError("unavailable", /nothing answers/));
    lcd.acknowledges = true;
    await display.show(["after", "ok"]);
    assert.deepEqual(lcd.screen(16, 2), ["after           ", "ok              "]);
    assert.deepEqual(lcd.panel.violations, []);
  });

  test("a failed open is retried by the next show()", async () => {
    const { lcd, display } = setup();
    lcd.failNext("write", i2cError("EREMOTEIO"));
    await assert.rejects(display.show(["x"]), isDisplayError("unavailable"));
    await display.show(["x"]);
    assert.deepEqual(lcd.screen(16, 2)[0], `x${" ".repeat(15)}`);
  });

  test("a write that never returns times out, and the next show() starts afresh", async () => {
    const { lcd, display } = setup({ timeoutMs: 20 });
    await display.show(["before"]);
    lcd.hold("write"); // never released: a hung bus
    await assert.rejects(display.show(["hung"]), isDisplayError("io", /did not finish within 20 ms/));
    await display.show(["after"]);
    assert.deepEqual(lcd.opened, [1, 1]);
    assert.deepEqual(lcd.screen(16, 2)[0], "after           ");
  });

  test("open() opens now, once", async () => {
    const { lcd, display } = setup();
    await display.open();
    await display.open();
    assert.deepEqual(lcd.ops(), INIT);
    const other = new FakeI2c();
    other.busExists = false;
    const display2 = createHd44780Display({ openBus: other.openBus, delay: other.delay });
    await assert.rejects(display2.open(), isDisplayError("unavailable", /ENOENT/));
  });
});

describe("createHd44780Display: close", () => {
  test("clears, turns the display and the backlight off and closes the bus; safe twice", async () => {
    const { lcd, display } = setup();
    await display.show(["bye"]);
    lcd.reset();
    await display.close();
    await display.close();
    assert.deepEqual(lcd.ops(), ["clear", "display off"]);
    assert.equal(lcd.panel.backlight, false);
    assert.equal(lcd.closes, 1);
    assert.deepEqual(lcd.panel.violations, []);
    await assert.rejects(display.show(["x"]), isDisplayError("closed"));
    await assert.rejects(display.clear(), isDisplayError("closed"));
    await assert.rejects(display.open(), isDisplayError("closed"));
  });

  test("never opened: nothing to release, i2c-bus is not even opened", async () => {
    const { lcd, display } = setup();
    await display.close();
    assert.deepEqual(lcd.opened, []);
  });

  test("lets the frame in progress finish and rejects the waiting one", async () => {
    const { lcd, display } = setup();
    await display.show(["start"]);
    const gate = lcd.hold("write");
    const drawing = display.show(["drawing"]);
    await gate.reached;
    const waiting = display.show(["waiting"]);
    const closing = display.close();
    gate.release();
    await drawing;
    await assert.rejects(waiting, isDisplayError("closed"));
    await closing;
    assert.deepEqual(lcd.ops().slice(-2), ["clear", "display off"]);
    assert.equal(lcd.panel.backlight, false);
  });

  test("a dead bus does not make close() reject", async () => {
    const { lcd, display } = setup();
    await display.show(["x"]);
    lcd.acknowledges = false;
    lcd.failNext("close", i2cError("EIO"));
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
