import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DisplayError } from "../../../core/display/errors.ts";
import { createSimulatedDisplay } from "../../../hardware/display/simulator.ts";
import { LCD_DEGREE, toLcdCharset } from "../../../hardware/display/text.ts";

describe("createSimulatedDisplay", () => {
  test("starts blank, 16x2 by default", () => {
    const sim = createSimulatedDisplay();
    assert.equal(sim.driver, "sim");
    assert.deepEqual([sim.cols, sim.rows], [16, 2]);
    assert.deepEqual(sim.frame(), [" ".repeat(16), " ".repeat(16)]);
    assert.deepEqual(sim.frames, []);
    assert.equal(sim.closed, false);
  });

  test("frame() holds the LCD cells, fitted and mapped like the driver's; text() is for people", async () => {
    const sim = createSimulatedDisplay({ cols: 20, rows: 4 });
    await sim.show(["23.4°C  45%RH", "ヨウコソ", "Café", "a line that is longer than twenty"]);
    assert.deepEqual(sim.frame(), [
      `23.4${LCD_DEGREE}C  45%RH       `,
      `${toLcdCharset("ﾖｳｺｿ")}${" ".repeat(16)}`,
      "Cafe                ",
      "a line that is long~",
    ]);
    assert.equal(
      sim.text(),
      ["23.4°C  45%RH       ", `ﾖｳｺｿ${" ".repeat(16)}`, "Cafe                ", "a line that is long→"].join("\n"),
    );
  });

  test("frames keeps each drawn frame, bounded", async () => {
    const sim = createSimulatedDisplay({ historyLimit: 3 });
    for (const n of [1, 2, 3, 4]) await sim.show([`n=${n}`]);
    await sim.clear();
    assert.deepEqual(
      sim.frames.map((f) => f[0]?.trim()),
      ["n=3", "n=4", ""],
    );
    assert.equal(createSimulatedDisplay().frames.length, 0);
  });

  test("the logger sees each changed frame as readable lines, not repeats", async () => {
    const logged: string[][] = [];
    const sim = createSimulatedDisplay({ logger: (f) => logged.push(f) });
    await sim.show(["5°C"]);
    await sim.show(["5°C"]);
    await sim.show(["6°C"]);
    assert.deepEqual(logged, [
      [`5°C${" ".repeat(13)}`, " ".repeat(16)],
      [`6°C${" ".repeat(13)}`, " ".repeat(16)],
    ]);
  });

  test("fail(times) rejects like the I2C driver, then works again without a reset", async () => {
    const sim = createSimulatedDisplay();
    await sim.show(["before"]);
    sim.fail(2);
    for (let i = 0; i < 2; i++) {
      await assert.rejects(sim.show(["during"]), (e: unknown) => {
        assert.ok(e instanceof DisplayError);
        assert.equal(e.code, "io");
        assert.match(e.message, /EREMOTEIO/);
        return true;
      });
    }
    assert.equal(sim.text().split("\n")[0]?.trim(), "before", "a failed frame changes nothing");
    await sim.show(["after"]);
    assert.equal(sim.text().split("\n")[0]?.trim(), "after");
  });

  test("fail(Infinity) until repair(); clear() fails too", async () => {
    const sim = createSimulatedDisplay();
    sim.fail(Number.POSITIVE_INFINITY);
    await assert.rejects(sim.show(["x"]), DisplayError);
    await assert.rejects(sim.clear(), DisplayError);
    sim.repair();
    await sim.show(["x"]);
    assert.throws(() => sim.fail(0), RangeError);
  });

  test("close() blanks the panel; afterwards show() rejects as closed; safe twice", async () => {
    const sim = createSimulatedDisplay();
    await sim.show(["hello"]);
    await sim.close();
    await sim.close();
    assert.equal(sim.closed, true);
    assert.deepEqual(sim.frame(), [" ".repeat(16), " ".repeat(16)]);
    await assert.rejects(sim.show(["x"]), (e: unknown) => e instanceof DisplayError && e.code === "closed");
    await assert.rejects(sim.clear(), (e: unknown) => e instanceof DisplayError && e.code === "closed");
  });

  test("only the sizes the driver accepts", () => {
    assert.throws(() => createSimulatedDisplay({ cols: 8 as 16 }), /cols must be 16 or 20/);
    assert.throws(() => createSimulatedDisplay({ rows: 3 as 2 }), /rows must be 2 or 4/);
  });
});
