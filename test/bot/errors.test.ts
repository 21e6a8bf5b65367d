import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { ReadingRepository, Storage } from "../../core/storage.ts";
import { ADMIN, type ConsoleHarness, STAFF, startConsoleHarness } from "../support/console-harness.ts";

describe("error boundary end to end", () => {
  let h: ConsoleHarness;
  let breakReadings = false;
  before(async () => {
    h = await startConsoleHarness({
      wrapStorage: (s: Storage): Storage => {
        const readings: ReadingRepository = {
          ...s.readings,
          latest: (roomId, limit) => {
            if (breakReadings) return Promise.reject(new Error("SQLITE_IOERR: disk I/O error"));
            return s.readings.latest(roomId, limit);
          },
        };
        return { ...s, readings, userSettings: s.userSettings, close: () => s.close() };
      },
    });
    h.sensor.set({ temperatureC: 22, humidityPct: 40 });
    await h.job.sampleNow();
  });
  after(async () => {
    await h.stop();
  });

  test("a failing handler tells the user briefly and the bot keeps running", async () => {
    breakReadings = true;
    const reply = await h.ask(STAFF, "/status");
    assert.match(reply.text ?? "", /Something went wrong on my side/);
    assert.doesNotMatch(reply.text ?? "", /SQLITE/, "internals are not shown to users");
    breakReadings = false;
    assert.match((await h.ask(STAFF, "/status")).text ?? "", /22\.0 °C/);
  });

  test("Telegram refusing a call (400) is survived: the user is told and the next command works", async () => {
    h.api.failNext("sendMessage", { error_code: 400, description: "Bad Request: chat not found" }, 1);
    const reply = await h.ask(STAFF, "/status");
    assert.match(reply.text ?? "", /Something went wrong/);
    assert.match((await h.ask(STAFF, "/status")).text ?? "", /22\.0 °C/);
  });

  test("Telegram unreachable for a while: the request is answered once it is back, nothing dropped", async () => {
    h.api.setDown(true);
    h.api.sendMessage(STAFF, { id: STAFF.id, type: "private" }, "/history 1");
    // The runner keeps polling into the outage (and is refused with 502s).
    await h.api.waitFor(() => h.api.calls.filter((c) => c.status === 502).length >= 2);
    h.api.setDown(false);
    const reply = await h.api.waitFor(
      () => h.api.messages(STAFF.id).find((m) => m.from_bot && /the latest reading/.test(m.text ?? "")),
      10_000,
    );
    assert.match(reply.text ?? "", /22\.0/);
  });
});

describe("stale buttons", () => {
  let h: ConsoleHarness;
  before(async () => {
    h = await startConsoleHarness();
  });
  after(async () => {
    await h.stop();
  });

  // Old messages keep their buttons: pressing one is answered with a short toast, never a dialog to dismiss.
  for (const data of ["zz:gone", "adds:role:staff", "enr:ok", "srv:det:ghost", "med:get:999999"]) {
    test(`a press on a stale "${data}" button gets a short toast, not a blocking dialog`, async () => {
      const status = await h.ask(ADMIN, "/status");
      const before = h.api.callbackAnswers.length;
      h.api.pressButton(ADMIN, status, { forged: data });
      const answer = await h.api.waitFor(() => h.api.callbackAnswers[before]);
      assert.ok(answer.text && answer.text.length <= 200, `a short text: ${answer.text}`);
      assert.notEqual(answer.show_alert, true, `toast for ${data}: ${answer.text}`);
    });
  }
});
