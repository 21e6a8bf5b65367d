/**
 * /alerts and its buttons, end to end (the real console on the local Bot API server):
 * Acknowledge or Mute pressed in the list changes that incident's line only.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { edited, labels, press, sample } from "../../support/alert-cards.ts";
import { type ConsoleHarness, privateChat, STAFF, startConsoleHarness } from "../../support/console-harness.ts";

describe("/alerts: the buttons of one incident change that incident's line only", () => {
  let h: ConsoleHarness;
  before(async () => {
    h = await startConsoleHarness({ env: { ALERT_MIN_DURATION_SECONDS: "0" } });
  });
  after(async () => {
    await h.stop();
  });

  test("Acknowledge in the list marks that line and drops its buttons; the other incidents and buttons stay", async () => {
    await sample(h, 31, 80); // temperature and humidity both critical: two incidents
    const idOf = (rule: string) => h.alerts.engine.openIncidents().find((i) => i.rule === rule)?.id ?? "";
    const temperature = idOf("climate.temperature");
    const humidity = idOf("climate.humidity");
    assert.ok(humidity && temperature);
    const list = await h.ask(STAFF, "/alerts");
    assert.match(list.text ?? "", /2 open incidents/);
    assert.ok(labels(list).includes(`✔️ Acknowledge ${temperature}`));
    assert.ok(labels(list).includes(`✔️ Acknowledge ${humidity}`));

    const answer = await press(h, list, `✔️ Acknowledge ${temperature}`);
    assert.equal(answer.text, "Acknowledged.");
    assert.notEqual(answer.show_alert, true);
    const after = await edited(h, list);
    const text = after.text ?? "";
    assert.match(text, /2 open incidents/, "still the list");
    const lines = text.split("\n");
    const tLine = lines.find((l) => l.includes(temperature)) ?? "";
    const hLine = lines.find((l) => l.includes(humidity)) ?? "";
    assert.match(tLine, /Temperature is high.*✔️ Linus$/);
    assert.match(hLine, /Humidity is high/);
    assert.doesNotMatch(hLine, /✔️/);
    assert.ok(!labels(after).some((l) => l.includes(temperature)), "the acknowledged incident's buttons are gone");
    assert.ok(labels(after).includes(`✔️ Acknowledge ${humidity}`), "the other incident keeps its buttons");
    // The <code> of each id survives the edit.
    assert.ok(after.entities?.some((e) => e.type === "code" && text.slice(e.offset, e.offset + e.length) === humidity));
  });

  test("Mute in the list marks that line and drops its Mute; Acknowledge of that incident stays", async () => {
    const humidity = h.alerts.engine.openIncidents().find((i) => i.rule === "climate.humidity")?.id ?? "";
    const list = await h.ask(STAFF, "/alerts");
    const row = list.reply_markup && "inline_keyboard" in list.reply_markup ? list.reply_markup.inline_keyboard : [];
    const mine = row.find((r) => r.some((b) => b.text === `✔️ Acknowledge ${humidity}`)) ?? [];
    assert.deepEqual(
      mine.map((b) => b.text),
      [`✔️ Acknowledge ${humidity}`, "🔕 Mute 1 h"],
    );
    const answers = h.api.callbackAnswers.length;
    const mute = mine[1];
    assert.ok(mute && "callback_data" in mute);
    h.api.pressButton(STAFF, list, mute.callback_data as string);
    const answer = await h.api.waitFor(() => h.api.callbackAnswers[answers]);
    assert.equal(answer.text, "Muted humidity for 1 h 0 min.");
    const after = await edited(h, list);
    const hLine = (after.text ?? "").split("\n").find((l) => l.includes(humidity)) ?? "";
    assert.match(hLine, /Humidity is high.*🔕 until \d\d:\d\d$/);
    assert.ok(labels(after).includes(`✔️ Acknowledge ${humidity}`));
    assert.ok(!labels(after).includes("🔕 Mute 1 h"));
    assert.equal((await h.storage.mutes.active("test-room", h.clock.now().getTime())).length, 1);
    assert.deepEqual(privateChat(STAFF).id, list.chat_id);
  });
});
