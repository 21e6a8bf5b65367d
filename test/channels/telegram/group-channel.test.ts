/**
 * The staff group's alert cards, end to end (the real console on the local Bot API server):
 * one row of buttons (More ▾ / Less ▴), cards that settle when acknowledged or resolved,
 * recoveries as short replies, and stale buttons answered with a toast.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { RecordedMessage } from "../../../local/bot-api/server.ts";
import { current, edited, labels, press, sample } from "../../support/alert-cards.ts";
import { type ConsoleHarness, STAFF, STAFF_GROUP, startConsoleHarness } from "../../support/console-harness.ts";

const group = (h: ConsoleHarness) => h.api.messages(STAFF_GROUP.id).filter((m) => m.from_bot);
const nthGroup = (h: ConsoleHarness, n: number) => h.api.waitFor(() => group(h)[n - 1]);
const rows = (m: RecordedMessage | undefined) =>
  m?.reply_markup && "inline_keyboard" in m.reply_markup ? m.reply_markup.inline_keyboard : [];
const CALM = ["✔️ Acknowledge", "🔕 Mute 1 h", "More ▾"];

describe("calm alert cards", () => {
  let h: ConsoleHarness;
  before(async () => {
    h = await startConsoleHarness({ env: { ALERT_MIN_DURATION_SECONDS: "0" } });
  });
  after(async () => {
    await h.stop();
  });

  let card: RecordedMessage;

  test("an alert carries one row (Acknowledge, Mute 1 h, More ▾); More shows the rest in place, Less folds it", async () => {
    await sample(h, 28);
    card = await nthGroup(h, 1);
    assert.match(card.text ?? "", /WARNING · test-room/);
    assert.equal(rows(card).length, 1);
    assert.deepEqual(labels(card), CALM);

    const more = await press(h, card, "More ▾");
    assert.equal(more.text, undefined, "no toast, the keyboard changes");
    const open = await edited(h, card);
    assert.equal(open.text, card.text, "the text stays");
    assert.deepEqual(labels(open), [
      "✔️ Acknowledge",
      "🔕 Mute 1 h",
      "Less ▴",
      "🔕 Mute 24 h",
      "🔄 Refresh",
      "📷 Snapshot",
      "🎥 Clip 10 s",
    ]);
    await press(h, card, "Less ▴");
    assert.deepEqual(labels(await edited(h, card, 2)), CALM);
    assert.equal(group(h).length, 1, "edited in place, nothing posted");
  });

  test("an escalation takes the card over: the old card gives up its buttons, the new one replies to it", async () => {
    await sample(h, 31);
    const escalated = await nthGroup(h, 2);
    assert.match(escalated.text ?? "", /Escalated to CRITICAL/);
    assert.equal(escalated.reply_to_message_id, card.message_id);
    assert.deepEqual(labels(escalated), CALM);
    const old = await edited(h, card, 3);
    assert.deepEqual(labels(old), []);
    assert.equal(old.text, card.text, "only the buttons went");
    card = escalated;
  });

  test("a reminder replies to the card and carries no buttons", async () => {
    h.clock.advance(30 * 60_000);
    await h.alertJob.run();
    const reminder = await nthGroup(h, 3);
    assert.match(reminder.text ?? "", /Reminder: CRITICAL, not acknowledged/);
    assert.equal(reminder.reply_to_message_id, card.message_id);
    assert.deepEqual(labels(reminder), []);
  });

  test("a recovery settles the card (no buttons, a resolved line) and is a short reply to it", async () => {
    await sample(h, 22);
    const recovery = await nthGroup(h, 4);
    assert.equal(recovery.reply_to_message_id, card.message_id);
    assert.match(recovery.text ?? "", /^✅ Recovered\. Temperature is back to 22\.0 °C after \d+ min\.$/);
    const settled = await edited(h, card);
    assert.deepEqual(labels(settled), []);
    assert.match(settled.text ?? "", /CRITICAL · test-room/);
    assert.match(settled.text ?? "", /✅ Resolved at \d\d:\d\d\.$/);
    await h.api.waitForIdle();
    assert.equal(group(h).length, 4);
  });

  test("Acknowledge on a card settles it: who and when, no buttons", async () => {
    await sample(h, 22, 80);
    const humidity = await nthGroup(h, 5);
    assert.deepEqual(labels(humidity), CALM);
    const answer = await press(h, humidity, "✔️ Acknowledge");
    assert.equal(answer.text, "Acknowledged.");
    const settled = await edited(h, humidity);
    assert.match(settled.text ?? "", /Humidity is high/);
    assert.match(settled.text ?? "", /✔️ Acknowledged by Linus at \d\d:\d\d\./);
    assert.deepEqual(labels(settled), []);
    // Its recovery still replies to it, and settles it (now resolved too).
    await sample(h, 22, 45);
    const recovery = await nthGroup(h, 6);
    assert.equal(recovery.reply_to_message_id, humidity.message_id);
    const resolved = await edited(h, humidity, 2);
    assert.match(resolved.text ?? "", /✔️ Acknowledged by Linus at \d\d:\d\d\.\n✅ Resolved at/);
  });

  test("/ack and Acknowledge in /alerts settle the cards in the group too", async () => {
    await sample(h, 28);
    const byCommand = await nthGroup(h, 7);
    assert.match((await h.ask(STAFF, "/ack")).text ?? "", /Acknowledged 1 incident/);
    const settled = await edited(h, byCommand);
    assert.deepEqual(labels(settled), []);
    assert.match(settled.text ?? "", /Acknowledged by Linus/);

    await sample(h, 28, 80);
    const byList = await nthGroup(h, 8);
    const id = h.alerts.engine.openIncidents().find((i) => i.rule === "climate.humidity")?.id ?? "";
    const list = await h.ask(STAFF, "/alerts");
    await press(h, list, `✔️ Acknowledge ${id}`);
    const listed = await edited(h, byList);
    assert.deepEqual(labels(listed), []);
    assert.match(listed.text ?? "", /Acknowledged by Linus/);
  });
});

describe("stale buttons: a short toast, never a dialog", () => {
  let h: ConsoleHarness;
  before(async () => {
    h = await startConsoleHarness({ env: { ALERT_MIN_DURATION_SECONDS: "0" } });
  });
  after(async () => {
    await h.stop();
  });

  test("a card whose incident resolved under a mute settles at the next press, with a toast", async () => {
    await sample(h, 28);
    const card = await nthGroup(h, 1);
    await h.ask(STAFF, "/mute 1h temperature");
    await sample(h, 22); // resolved, its recovery muted: nothing is posted
    await h.api.waitForIdle();
    assert.equal(group(h).length, 1);
    const answer = await press(h, card, "More ▾");
    assert.equal(answer.text, "This incident is already resolved.");
    assert.notEqual(answer.show_alert, true);
    const settled = await edited(h, card);
    assert.deepEqual(labels(settled), []);
    assert.match(settled.text ?? "", /✅ Resolved at/);
    await h.ask(STAFF, "/unmute");
  });

  test("an older /alerts list: Acknowledge of an incident acknowledged meanwhile says who, and updates the line", async () => {
    await sample(h, 31);
    const id = h.alerts.engine.openIncidents()[0]?.id ?? "";
    const older = await h.ask(STAFF, "/alerts");
    const newer = await h.ask(STAFF, "/alerts");
    assert.equal((await press(h, newer, `✔️ Acknowledge ${id}`)).text, "Acknowledged.");
    const answer = await press(h, older, `✔️ Acknowledge ${id}`);
    assert.equal(answer.text, "Already acknowledged by Linus.");
    assert.notEqual(answer.show_alert, true);
    const after = await edited(h, older);
    assert.match((after.text ?? "").split("\n").find((l) => l.includes(id)) ?? "", /✔️ Linus$/);
    assert.deepEqual(labels(after), []);
  });

  test("an unknown incident, a forgotten reference, data no button has: toasts", async () => {
    const card = await nthGroup(h, 2);
    for (const [forged, toast] of [
      ["al:more:nope1234", "I don't know that incident (any more)."],
      ["al:lmute:nope1234", "I don't know that incident (any more)."],
      ["~AAAAAAAAAAAA", "This button no longer works. Send the command again."],
      ["zz:unknown", "This button no longer works. Send the command again."],
    ] as const) {
      const answers = h.api.callbackAnswers.length;
      h.api.pressButton(STAFF, card, { forged });
      const answer = await h.api.waitFor(() => h.api.callbackAnswers[answers]);
      assert.equal(answer.text, toast, forged);
      assert.notEqual(answer.show_alert, true, forged);
    }
  });
});

describe("recoveries when the card cannot be settled at once", () => {
  test("Telegram failing the edit for a while: the recovery waits, then comes once, the card settled", async () => {
    const h = await startConsoleHarness({ env: { ALERT_MIN_DURATION_SECONDS: "0" } });
    try {
      await sample(h, 28);
      const card = await nthGroup(h, 1);
      h.api.failNext("editMessageText", { error_code: 502, description: "Bad Gateway" }, 2);
      await sample(h, 22);
      const recovery = await h.api.waitFor(() => group(h)[1], 10_000);
      assert.equal(recovery.reply_to_message_id, card.message_id);
      assert.deepEqual(labels(current(h, card)), []);
      await h.api.waitForIdle();
      assert.equal(group(h).length, 2, "once");
      const edits = h.api.calls.filter((c) => c.method === "editMessageText").map((c) => c.status);
      assert.deepEqual(edits, [502, 502, 200]);
    } finally {
      await h.stop();
    }
  });

  test("the card deleted: the recovery is the whole notice, standing alone", async () => {
    const h = await startConsoleHarness({ env: { ALERT_MIN_DURATION_SECONDS: "0" } });
    try {
      await sample(h, 28);
      await nthGroup(h, 1);
      h.api.failNext("editMessageText", { error_code: 400, description: "Bad Request: message to edit not found" });
      await sample(h, 22);
      const recovery = await h.api.waitFor(() => group(h)[1], 10_000);
      assert.match(recovery.text ?? "", /^✅ Recovered · test-room\nTemperature is back to 22\.0 °C/);
      assert.equal(recovery.reply_to_message_id, undefined);
    } finally {
      await h.stop();
    }
  });
});
