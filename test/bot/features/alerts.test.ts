/**
 * Alerts end to end: the simulated sensor driven across thresholds, the real engine,
 * SQLite outbox and dispatcher, and the real bot posting to the staff group on a local
 * Bot API server.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { SNSClient } from "@aws-sdk/client-sns";
import { createSnsChannel } from "../../../channels/sns/sns-channel.ts";
import { inlineButtons, type RecordedMessage } from "../../../local/bot-api/server.ts";
import {
  type ConsoleHarness,
  privateChat,
  STAFF,
  STAFF_GROUP,
  STRANGER,
  startConsoleHarness,
} from "../../support/console-harness.ts";
import { startSnsServer } from "../../support/sns-server.ts";

const MIN = 60_000;

async function sample(h: ConsoleHarness, temperatureC: number, humidityPct = 45): Promise<void> {
  h.sensor.set({ temperatureC, humidityPct });
  await h.job.sampleNow();
  await h.alerts.engine.idle();
  h.clock.advance(MIN);
}

const groupMessages = (h: ConsoleHarness) => h.api.messages(STAFF_GROUP.id).filter((m) => m.from_bot);
const waitGroup = (h: ConsoleHarness, n: number) =>
  h.api.waitFor(() => (groupMessages(h).length >= n ? groupMessages(h) : undefined));

describe("alerts end to end", () => {
  let h: ConsoleHarness;
  before(async () => {
    h = await startConsoleHarness();
  });
  after(async () => {
    await h.stop();
  });

  let alert: RecordedMessage;

  test("crossing a threshold for the minimum duration posts one alert with buttons", async () => {
    await sample(h, 25);
    await sample(h, 28); // 10:01
    await sample(h, 28.3); // 10:02
    assert.equal(groupMessages(h).length, 0, "not before two minutes");
    await sample(h, 28.1); // 10:03: two minutes above -> raise
    await sample(h, 28.4);
    await sample(h, 28.2);
    [alert] = (await waitGroup(h, 1)) as [RecordedMessage];
    assert.match(alert.text ?? "", /⚠️ WARNING · test-room/);
    assert.match(alert.text ?? "", /Temperature is high: 28\.1 °C \(limit 27\.0 °C\)\./);
    assert.match(alert.text ?? "", /Since 10:03 \(UTC\)/);
    assert.deepEqual(
      inlineButtons(alert).map((b) => b.text),
      ["✔️ Acknowledge", "🔕 Mute 1 h", "More ▾"],
    );
    assert.equal(groupMessages(h).length, 1, "one message, not one per sample");
  });

  test("a stranger cannot acknowledge; staff can, and the alert shows who and when", async () => {
    const answers = h.api.callbackAnswers.length;
    // A member of the staff group who is not on STAFF_IDS may read, not act.
    h.api.pressButton(STRANGER, alert, { text: "✔️ Acknowledge" });
    const refused = await h.api.waitFor(() => h.api.callbackAnswers[answers]);
    assert.equal(refused.text, "You are not allowed to use this console.");
    assert.equal(h.api.messages(STAFF_GROUP.id).find((m) => m.message_id === alert.message_id)?.edits, 0);

    h.api.pressButton(STAFF, alert, { text: "✔️ Acknowledge" });
    const ok = await h.api.waitFor(() => h.api.callbackAnswers[answers + 1]);
    assert.equal(ok.text, "Acknowledged.");
    const edited = await h.api.waitFor(() =>
      h.api.messages(STAFF_GROUP.id).find((m) => m.message_id === alert.message_id && m.edits > 0),
    );
    assert.match(edited.text ?? "", /✔️ Acknowledged by Linus at 10:06\./);
    assert.deepEqual(
      inlineButtons(edited).map((b) => b.text),
      [],
      "an acknowledged alert has no buttons left",
    );
    const audit = await h.storage.audit.latest("test-room", 10);
    assert.equal(audit.length, 1);
    assert.equal(audit[0]?.action, "ack");
    assert.equal(audit[0]?.userId, STAFF.id);
    // No reminders for an acknowledged incident.
    h.clock.advance(120 * MIN);
    await h.alertJob.run();
    assert.equal(groupMessages(h).length, 1);
  });

  test("/alerts lists the open incident; /ack has nothing left to do", async () => {
    const list = await h.ask(STAFF, "/alerts");
    assert.match(list.text ?? "", /1 open incident · test-room/);
    assert.match(list.text ?? "", /Temperature is high/);
    assert.match(list.text ?? "", /✔️ Linus/);
    assert.match((await h.ask(STAFF, "/ack")).text ?? "", /Nothing to acknowledge/);
    assert.match((await h.ask(STAFF, "/ack zzz<b>")).text ?? "", /No open incident with id “zzz<b>”/);
  });

  test("hysteresis: back inside the band but not by the margin keeps it open; then one recovery, as a reply", async () => {
    await sample(h, 26.5);
    assert.equal(groupMessages(h).length, 1);
    await sample(h, 25.8);
    const [, recovery] = (await waitGroup(h, 2)) as [RecordedMessage, RecordedMessage];
    assert.match(recovery.text ?? "", /^✅ Recovered\. Temperature is back to 25\.8 °C after 2 h \d+ min\.$/);
    assert.equal(recovery.reply_to_message_id, alert.message_id);
    assert.equal(h.alerts.engine.openIncidents().length, 0);
  });

  test("an unacknowledged incident is reminded, as a reply to the alert", async () => {
    await sample(h, 31);
    await sample(h, 31);
    await sample(h, 31);
    const msgs = await waitGroup(h, 3);
    const critical = msgs[2] as RecordedMessage;
    assert.match(critical.text ?? "", /🔥 CRITICAL/);
    h.clock.advance(30 * MIN);
    await h.alertJob.run();
    const reminder = (await waitGroup(h, 4))[3] as RecordedMessage;
    assert.match(reminder.text ?? "", /🔔 Reminder: CRITICAL, not acknowledged/);
    assert.match(reminder.text ?? "", /Open for 3\d min/);
    assert.equal(reminder.reply_to_message_id, critical.message_id);
  });

  test("Mute 24 h silences that rule (recovery included) and is audited; /unmute ends it", async () => {
    const critical = groupMessages(h)[2] as RecordedMessage;
    h.api.pressButton(STAFF, critical, { text: "More ▾" });
    await h.api.waitFor(() =>
      h.api.messages(STAFF_GROUP.id).find((m) => m.message_id === critical.message_id && m.edits > 0),
    );
    const answers = h.api.callbackAnswers.length;
    h.api.pressButton(STAFF, critical, { text: "🔕 Mute 24 h" });
    const ans = await h.api.waitFor(() => h.api.callbackAnswers[answers]);
    assert.equal(ans.text, "Muted temperature for 1 d 0 h.");
    const edited = await h.api.waitFor(() =>
      h.api.messages(STAFF_GROUP.id).find((m) => m.message_id === critical.message_id && m.edits > 1),
    );
    assert.match(edited.text ?? "", /🔕 Muted by Linus until/);
    const before = groupMessages(h).length;
    await sample(h, 22); // recovery: muted
    await sample(h, 32);
    await sample(h, 32);
    await sample(h, 32); // a new incident: muted
    h.clock.advance(45 * MIN);
    await h.alertJob.run(); // reminder: muted
    await h.api.waitForIdle();
    assert.equal(groupMessages(h).length, before, "nothing posted while muted");
    assert.equal(h.alerts.engine.openIncidents().length, 1, "but the incident is recorded");
    assert.match((await h.ask(STAFF, "/alerts")).text ?? "", /🔕 Muted: temperature until/);
    assert.match((await h.ask(STAFF, "/unmute temperature")).text ?? "", /temperature unmuted/);
    assert.match((await h.ask(STAFF, "/unmute temperature")).text ?? "", /Nothing was muted for temperature/);
    await sample(h, 22); // recovery is posted again
    const last = (await waitGroup(h, before + 1))[before] as RecordedMessage;
    assert.match(last.text ?? "", /Recovered/);
    const actions = (await h.storage.audit.latest("test-room", 10)).map((a) => a.action);
    assert.deepEqual(actions.slice(0, 2), ["unmute", "mute"]);
  });

  test("/mute validates its arguments", async () => {
    assert.match((await h.ask(STAFF, "/mute forever")).text ?? "", /Usage: \/mute/);
    assert.match((await h.ask(STAFF, "/mute 9d")).text ?? "", /Usage: \/mute/);
    assert.match((await h.ask(STAFF, "/mute 30m toaster")).text ?? "", /Usage: \/mute/);
    assert.match(
      (await h.ask(STAFF, "/mute 30m humidity")).text ?? "",
      /🔕 humidity muted until 2026-11-2\d \d\d:\d\d by Linus\./,
    );
    assert.match((await h.ask(STAFF, "/unmute")).text ?? "", /all alerts unmuted/);
    assert.equal(privateChat(STAFF).id, STAFF.id);
  });
});

describe("alerts when Telegram misbehaves", () => {
  test("429 with retry_after, then 502s for a while: every alert arrives once, in order", async () => {
    const h = await startConsoleHarness({ env: { ALERT_MIN_DURATION_SECONDS: "0", SENSOR_DEAD_AFTER: "1" } });
    try {
      h.api.failNext(
        "sendMessage",
        { error_code: 429, description: "Too Many Requests: retry after 1", retry_after: 1 },
        1,
      );
      h.api.failNext("sendMessage", { error_code: 502, description: "Bad Gateway" }, 4);
      await sample(h, 31); // temperature critical
      await sample(h, 22, 80); // temperature recovered, humidity critical
      h.sensor.fail("timeout", 1);
      await h.job.sampleNow(); // sensor dead
      await h.alerts.engine.idle();
      const msgs = await h.api.waitFor(() => (groupMessages(h).length >= 4 ? groupMessages(h) : undefined), 15_000);
      await h.api.waitForIdle();
      const kinds = groupMessages(h).map((m) => (m.text ?? "").split("\n").slice(0, 2).join(" | "));
      assert.equal(kinds.length, 4, kinds.join("\n"));
      assert.match(kinds[0] ?? "", /CRITICAL.*Temperature is high: 31\.0/);
      assert.match(kinds[1] ?? "", /Recovered.*Temperature is back/);
      assert.match(kinds[2] ?? "", /CRITICAL.*Humidity is high: 80\.0/);
      assert.match(kinds[3] ?? "", /CRITICAL.*climate sensor is not answering/);
      assert.equal(msgs.length, 4);
      const refused = h.api.calls.filter((c) => c.method === "sendMessage" && c.status !== 200).map((c) => c.status);
      assert.deepEqual(refused, [429, 502, 502, 502, 502]);
      // Marked delivered right after Telegram confirmed it.
      for (let i = 0; i < 200 && (await h.storage.outbox.countPending("telegram")) > 0; i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.equal(await h.storage.outbox.countPending("telegram"), 0);
    } finally {
      await h.stop();
    }
  });

  test("a restart with undelivered alerts in the outbox delivers them, marked late, once", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "seroma-restart-"));
    const env = { ALERT_MIN_DURATION_SECONDS: "0" };
    const first = await startConsoleHarness({ env, dataDir });
    first.api.setDown(true);
    await sample(first, 31);
    await first.api.waitFor(() => first.api.calls.some((c) => c.method === "sendMessage" && c.status === 502));
    await first.stop(); // "crash": the alert never reached Telegram
    assert.equal(first.api.messages(STAFF_GROUP.id).length, 0);

    const second = await startConsoleHarness({ env, dataDir, startAt: "2026-11-23T10:12:00Z" });
    try {
      const [late] = (await waitGroup(second, 1)) as [RecordedMessage];
      assert.match(late.text ?? "", /CRITICAL · test-room/);
      assert.match(late.text ?? "", /⏰ Delivered late: observed at 10:00 \(12 min ago\)/);
      assert.equal(second.alerts.engine.openIncidents().length, 1, "the incident survived the restart");
      await sample(second, 31); // still hot: no second alert
      await sample(second, 22);
      const msgs = await waitGroup(second, 2);
      assert.match(msgs[1]?.text ?? "", /Recovered/);
      assert.equal(msgs[1]?.reply_to_message_id, late.message_id, "the recovery replies to the late alert");
      await second.api.waitForIdle();
      assert.equal(groupMessages(second).length, 2);
    } finally {
      await second.stop();
    }
  });
});

describe("alerts over SNS and the daily summary", () => {
  const TOPIC = "arn:aws:sns:us-east-1:123456789012:seroma-alerts";

  test("SNS down while Telegram works: the group gets everything now, SNS gets it all once it is back", async () => {
    const server = await startSnsServer({ topics: [TOPIC] });
    const client = new SNSClient({
      region: "us-east-1",
      endpoint: server.url,
      credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test-secret" },
      maxAttempts: 1,
    });
    const sns = createSnsChannel({ topicArn: TOPIC, client, timeoutMs: 2_000 });
    const h = await startConsoleHarness({ env: { ALERT_MIN_DURATION_SECONDS: "0" }, sns });
    try {
      server.setDown(true);
      await sample(h, 31);
      await sample(h, 22);
      const msgs = await waitGroup(h, 2);
      assert.match(msgs[0]?.text ?? "", /CRITICAL/);
      assert.match(msgs[1]?.text ?? "", /Recovered/);
      assert.equal(server.published.length, 0);
      assert.equal(await h.storage.outbox.countPending("sns"), 2, "kept, not dropped");
      server.setDown(false);
      await server.waitFor(() => server.published.length >= 2, 10_000);
      const [raised, recovered] = server.published;
      assert.match(raised?.subject ?? "", /^Seroma: .*CRITICAL .* test-room$/);
      assert.match(raised?.message ?? "", /Temperature is high: 31\.0 °C \(limit 30\.0 °C\)/);
      assert.doesNotMatch(raised?.message ?? "", /<b>|&lt;/, "plain text, no HTML");
      assert.equal(raised?.attributes.severity, "critical");
      assert.equal(raised?.attributes.room, "test-room");
      assert.match(recovered?.message ?? "", /Recovered/);
      assert.equal(groupMessages(h).length, 2, "Telegram got each alert once");
    } finally {
      await h.stop();
      sns.close();
      await server.close();
    }
  });

  test("the daily summary posts the 24 h chart with the day's incident count", async () => {
    const h = await startConsoleHarness({ env: { ALERT_MIN_DURATION_SECONDS: "0", DAILY_SUMMARY_AT: "08:00" } });
    try {
      for (let i = 0; i < 30; i++) await sample(h, 22 + (i % 5) / 10);
      await sample(h, 31);
      await sample(h, 22);
      await h.scheduler.tick("daily-summary");
      const msgs = await waitGroup(h, 3);
      const summary = msgs[2] as RecordedMessage;
      assert.equal(summary.media?.kind, "photo");
      assert.ok(summary.media?.bytes && summary.media.bytes.length > 1000, "a real PNG was uploaded");
      assert.equal(summary.media?.width, 1080);
      assert.equal(summary.media?.height, 810);
      assert.match(summary.caption ?? "", /📊 Daily summary · test-room/);
      assert.match(summary.caption ?? "", /Incidents in the last 24 h: 1\. Open now: 0\./);
    } finally {
      await h.stop();
    }
  });
});
