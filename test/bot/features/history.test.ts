import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type ConsoleHarness, STAFF, startConsoleHarness } from "../../support/console-harness.ts";

describe("/history end to end", () => {
  let h: ConsoleHarness;
  before(async () => {
    h = await startConsoleHarness();
  });
  after(async () => {
    await h.stop();
  });

  test("with nothing stored it says so", async () => {
    const reply = await h.ask(STAFF, "/history");
    assert.equal(reply.text, "No readings stored yet.");
  });

  test("default 10, newest first, in the room's timezone, as a table", async () => {
    for (let i = 0; i < 12; i++) {
      h.sensor.set({ temperatureC: 20 + i / 10, humidityPct: 40 + i });
      await h.job.sampleNow();
      h.clock.advance(60_000);
    }
    const reply = await h.ask(STAFF, "/history");
    const text = reply.text ?? "";
    assert.match(text, /last 10 readings \(UTC\)/);
    const rows = text.split("\n").filter((l) => /^\d{4}-\d\d-\d\d /.test(l));
    assert.equal(rows.length, 10);
    assert.match(rows[0] ?? "", /^2026-11-23 10:11:00\s+21\.1\s+51\.0$/);
    assert.match(rows[9] ?? "", /^2026-11-23 10:02:00\s+20\.2\s+42\.0$/);
  });

  test("/history 3 gives three rows", async () => {
    const reply = await h.ask(STAFF, "/history 3");
    assert.equal((reply.text ?? "").split("\n").filter((l) => /^\d{4}-/.test(l)).length, 3);
  });

  test("/history 50 is allowed and returns what exists", async () => {
    const reply = await h.ask(STAFF, "/history 50");
    assert.match(reply.text ?? "", /last 12 readings/);
  });

  for (const bad of ["abc", "0", "51", "-1", "2.5", "99999999", "<b>1</b>", "1 2"]) {
    test(`bad argument "${bad}" gets a clear message`, async () => {
      const reply = await h.ask(STAFF, `/history ${bad}`);
      const text = reply.text ?? "";
      assert.match(text, /I could not read/);
      assert.match(text, /between 1 and 50/);
      assert.ok(text.includes(bad), "argument echoed as typed (escaped in HTML, or Telegram would refuse it)");
    });
  }
});
