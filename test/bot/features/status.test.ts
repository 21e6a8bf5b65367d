import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { inlineButtons } from "../../../local/bot-api/server.ts";
import {
  ADMIN,
  type ConsoleHarness,
  privateChat,
  STAFF,
  STAFF_GROUP,
  startConsoleHarness,
} from "../../support/console-harness.ts";

describe("/status end to end", () => {
  let h: ConsoleHarness;
  before(async () => {
    h = await startConsoleHarness();
  });
  after(async () => {
    await h.stop();
  });
  beforeEach(() => {
    h.sensor.release();
    h.sensor.repair();
  });

  test("with no readings yet it says so instead of inventing values", async () => {
    const reply = await h.ask(STAFF, "/status");
    assert.match(reply.text ?? "", /No readings yet/);
    assert.match(reply.text ?? "", /every 60 s/);
  });

  test("shows the latest reading, level, age, limits and a Refresh button", async () => {
    h.sensor.set({ temperatureC: 23.4, humidityPct: 48.2 });
    await h.job.sampleNow();
    h.clock.advance(90_000);
    const reply = await h.ask(STAFF, "/status");
    const text = reply.text ?? "";
    assert.equal(reply.parse_mode, "HTML");
    assert.match(text, /test-room/);
    assert.match(text, /Temperature: 23\.4 °C ✅/);
    assert.match(text, /Humidity: 48\.2 % ✅/);
    assert.match(text, /Measured 1 min ago \(2026-11-23 10:00:00\) by the simulated sensor/);
    assert.match(text, /Limits: 18\.0–27\.0 °C \(critical 15\.0–30\.0\), 30\.0–60\.0 % \(critical 20\.0–70\.0\)/);
    const buttons = inlineButtons(reply);
    assert.deepEqual(
      buttons.map((b) => [b.text, "callback_data" in b ? b.callback_data : undefined]),
      [
        ["📷 Snapshot", "cam:snap"],
        ["🎥 Clip 10 s", "cam:clip:10"],
        ["🔄 Refresh", "status:refresh"],
      ],
    );
  });

  test("marks warning and critical levels and the trend", async () => {
    h.sensor.set({ temperatureC: 25, humidityPct: 45 });
    await h.job.sampleNow();
    h.clock.advance(5 * 60_000);
    h.sensor.set({ temperatureC: 28.3, humidityPct: 75 });
    await h.job.sampleNow();
    const reply = await h.ask(STAFF, "/status");
    assert.match(reply.text ?? "", /Temperature: 28\.3 °C ⚠️ ↗ rising/);
    assert.match(reply.text ?? "", /Humidity: 75\.0 % 🔥 ↗ rising/);
  });

  test("an old reading is flagged as stale", async () => {
    h.sensor.set({ temperatureC: 22, humidityPct: 40 });
    await h.job.sampleNow();
    h.clock.advance(20 * 60_000);
    const reply = await h.ask(STAFF, "/status");
    assert.match(reply.text ?? "", /This reading is old: the sensor has not reported for 20 min ago/);
  });

  test("Refresh takes a new reading and edits the same message in place", async () => {
    h.sensor.set({ temperatureC: 21, humidityPct: 40 });
    await h.job.sampleNow();
    const reply = await h.ask(ADMIN, "/status");
    assert.match(reply.text ?? "", /21\.0 °C/);
    h.clock.advance(60_000);
    h.sensor.set({ temperatureC: 22.5, humidityPct: 41 });
    const answersBefore = h.api.callbackAnswers.length;
    h.api.pressButton(ADMIN, reply, "status:refresh");
    const answer = await h.api.waitFor(() => h.api.callbackAnswers[answersBefore]);
    assert.equal(answer.text, "Fresh reading, measured just now.");
    const edited = h.api.messages(ADMIN.id).find((m) => m.message_id === reply.message_id);
    assert.equal(edited?.edits, 1);
    assert.match(edited?.text ?? "", /22\.5 °C/);
    assert.match(edited?.text ?? "", /just now/);
    assert.equal(h.api.messages(ADMIN.id).filter((m) => m.from_bot).length, 1, "no new message");
  });

  test("Refresh 3 s after the last reading still takes a fresh one, edits the message and says so", async () => {
    h.sensor.set({ temperatureC: 21.2, humidityPct: 40 });
    await h.job.sampleNow();
    const reply = await h.ask(STAFF, "/status");
    assert.match(reply.text ?? "", /21\.2 °C/);
    h.clock.advance(3_000);
    h.sensor.set({ temperatureC: 21.4, humidityPct: 40 });
    const answersBefore = h.api.callbackAnswers.length;
    h.api.pressButton(STAFF, reply, "status:refresh");
    const answer = await h.api.waitFor(() => h.api.callbackAnswers[answersBefore]);
    assert.equal(answer.text, "Fresh reading, measured just now.");
    const edited = h.api.messages(STAFF.id).find((m) => m.message_id === reply.message_id);
    assert.equal(edited?.edits, 1);
    assert.match(edited?.text ?? "", /21\.4 °C/);
  });

  test("Refresh within the sensor's 2 s says the shown reading is the latest, with its age", async () => {
    h.sensor.set({ temperatureC: 21.7, humidityPct: 40 });
    await h.job.sampleNow();
    const reply = await h.ask(STAFF, "/status");
    const answersBefore = h.api.callbackAnswers.length;
    h.clock.advance(1_000);
    h.api.pressButton(STAFF, reply, "status:refresh");
    const answer = await h.api.waitFor(() => h.api.callbackAnswers[answersBefore]);
    assert.equal(answer.text, "Already the latest: measured just now. The sensor gives a new reading every 2 s.");
    h.clock.advance(2_000);
    h.api.pressButton(STAFF, reply, "status:refresh");
    const second = await h.api.waitFor(() => h.api.callbackAnswers[answersBefore + 1]);
    assert.equal(second.text, "Fresh reading, measured just now.");
  });

  test("Refresh while the sensor fails shows the last reading and the problem", async () => {
    h.sensor.set({ temperatureC: 24, humidityPct: 44 });
    await h.job.sampleNow();
    const reply = await h.ask(STAFF, "/status");
    h.clock.advance(60_000);
    h.sensor.fail("timeout", Number.POSITIVE_INFINITY);
    const answersBefore = h.api.callbackAnswers.length;
    h.api.pressButton(STAFF, reply, "status:refresh");
    await h.api.waitFor(() => h.api.callbackAnswers[answersBefore]);
    const edited = h.api.messages(STAFF.id).find((m) => m.message_id === reply.message_id);
    assert.match(edited?.text ?? "", /24\.0 °C/);
    assert.match(edited?.text ?? "", /The sensor is not answering right now/);
  });

  test("works in the staff group for any member", async () => {
    const member = { id: 4242, first_name: "New hire" };
    const reply = await h.ask(member, "/status", STAFF_GROUP);
    assert.match(reply.text ?? "", /test-room/);
    assert.doesNotMatch(reply.text ?? "", /private console/);
  });

  test("menu button opens the status", async () => {
    const menu = await h.ask(STAFF, "/start");
    assert.match(menu.text ?? "", /Hello, Linus!/);
    assert.match(menu.text ?? "", /signed in as staff\./);
    const before = h.api.messages(privateChat(STAFF).id).filter((m) => m.from_bot).length;
    h.api.pressButton(STAFF, menu, "menu:status");
    const status = await h.api.waitFor(() => h.api.messages(STAFF.id).filter((m) => m.from_bot)[before]);
    assert.match(status.text ?? "", /Temperature|No readings/);
  });
});
