/**
 * Alerts that nothing can block or lose, end to end: the real console (compose-room) with
 * its bot on the local Bot API server, Telegram refusing in the ways it does, SNS on a
 * local endpoint. Each test fails on a dispatcher that retries a refused head forever.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SNSClient } from "@aws-sdk/client-sns";
import { createSnsChannel } from "../../channels/sns/sns-channel.ts";
import {
  ADMIN,
  type ConsoleHarness,
  privateChat,
  STAFF,
  STAFF_GROUP,
  startConsoleHarness,
} from "../support/console-harness.ts";
import { startSnsServer } from "../support/sns-server.ts";

const MIN = 60_000;
const KICKED = { error_code: 403, description: "Forbidden: bot was kicked from the supergroup chat" };

async function sample(h: ConsoleHarness, temperatureC: number, humidityPct = 45): Promise<void> {
  h.sensor.set({ temperatureC, humidityPct });
  await h.job.sampleNow();
  await h.alerts.engine.idle();
  h.clock.advance(MIN);
}

const groupMessages = (h: ConsoleHarness) => h.api.messages(STAFF_GROUP.id).filter((m) => m.from_bot);
const adminMessages = (h: ConsoleHarness) => h.api.messages(ADMIN.id).filter((m) => m.from_bot);

describe("alert delivery when Telegram refuses", () => {
  test("the bot kicked from the staff group: each alert reaches the admins privately and SNS; /alerts says so", async () => {
    const TOPIC = "arn:aws:sns:us-east-1:123456789012:seroma-alerts";
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
      h.api.refuseChat(STAFF_GROUP.id, KICKED);
      await sample(h, 31); // critical temperature
      h.reader.tap("0A0B0C0D"); // an unknown card
      await h.door.idle();
      await h.alerts.engine.idle();
      const reports = await h.api.waitFor(() => (adminMessages(h).length >= 2 ? adminMessages(h) : undefined), 10_000);
      const texts = reports.map((m) => m.text ?? "");
      assert.ok(
        texts.every((t) => /An alert could not be delivered/.test(t)),
        texts.join("\n---\n"),
      );
      assert.ok(texts.some((t) => /Temperature is high: 31\.0/.test(t) && /the staff group/.test(t)));
      assert.ok(texts.some((t) => /Unknown card/.test(t)));
      assert.ok(
        texts.every((t) => /bot was kicked/.test(t)),
        "says why",
      );
      assert.equal(groupMessages(h).length, 0);
      // SNS got both alerts, and both reports.
      await server.waitFor(() => server.published.length >= 4, 10_000);
      const subjects = server.published.map((p) => p.message);
      assert.equal(subjects.filter((m) => /could not be delivered/.test(m)).length, 2);
      // Staff asking in private see it in /alerts.
      const answer = await h.ask(ADMIN, "/alerts", privateChat(ADMIN));
      assert.match(answer.text ?? "", /Not delivered in the last 7 days: 2\./);
      assert.match(answer.text ?? "", /the staff group/);

      // Back in the group: alerts flow there again, nothing is stuck.
      h.api.refuseChat(STAFF_GROUP.id, undefined);
      await sample(h, 22);
      const msgs = await h.api.waitFor(() => (groupMessages(h).length >= 1 ? groupMessages(h) : undefined));
      assert.match(msgs[0]?.text ?? "", /Recovered/);
    } finally {
      await h.stop();
      sns.close();
      await server.close();
    }
  });

  test("a photo Telegram cannot process: the alert goes out as text, and later alerts are not held back", async () => {
    const h = await startConsoleHarness({ env: { ALERT_MIN_DURATION_SECONDS: "0", TIMEZONE: "UTC" } });
    try {
      // Every photo refused (a damaged JPEG on a failing SD card would be).
      h.api.failNext("sendPhoto", { error_code: 400, description: "Bad Request: IMAGE_PROCESS_FAILED" }, 1_000);
      h.clock.set(new Date("2026-11-23T23:30:00Z")); // off hours: a known card is a breach, with a photo
      await h.storage.staff.add({
        cardUid: "11223344",
        name: "Grace",
        role: "staff",
        active: true,
        createdBy: ADMIN.id,
        createdAt: 0,
      });
      h.reader.tap("11223344");
      await h.door.idle();
      await h.alerts.engine.idle();
      await sample(h, 31);
      const msgs = await h.api.waitFor(() => (groupMessages(h).length >= 2 ? groupMessages(h) : undefined), 10_000);
      const breach = msgs.find((m) => /Entry outside office hours: Grace/.test(m.text ?? ""));
      assert.ok(breach, msgs.map((m) => m.text).join("\n---\n"));
      assert.match(breach.text ?? "", /Short form: the full alert was refused: 400 Bad Request: IMAGE_PROCESS_FAILED/);
      assert.ok(msgs.some((m) => /Temperature is high: 31\.0/.test(m.text ?? "")));
      assert.equal(adminMessages(h).length, 0, "delivered (short): nothing to report");
    } finally {
      await h.stop();
    }
  });

  test("Telegram down, then back: queued alerts go at the first successful call, not at the next retry", async () => {
    // Retries a minute apart: only the recovery signal can bring the alert within the test.
    const h = await startConsoleHarness({
      env: { ALERT_MIN_DURATION_SECONDS: "0" },
      backoff: { minMs: 60_000, maxMs: 60_000, probeMs: 60_000 },
    });
    try {
      h.api.setDown(true);
      await sample(h, 31);
      // The console has seen the failure (and scheduled its retry a minute out)...
      for (let i = 0; i < 500 && ((await h.storage.outbox.pending("telegram", 1))[0]?.attempts ?? 0) === 0; i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.equal((await h.storage.outbox.pending("telegram", 1))[0]?.attempts, 1);
      // ...when Telegram comes back: the first call that succeeds (here the poll that brings a
      // user's message) ends the wait.
      h.api.setDown(false);
      h.api.sendMessage(STAFF, privateChat(STAFF), "/status");
      const msgs = await h.api.waitFor(() => (groupMessages(h).length >= 1 ? groupMessages(h) : undefined), 10_000);
      assert.match(msgs[0]?.text ?? "", /Temperature is high: 31\.0/);
    } finally {
      await h.stop();
    }
  });
});

describe("DATA_DIR running out of space", () => {
  test("low space is an alert, old media make room, and enough space again resolves it", async () => {
    const disk = { free: 16 * 1024 ** 3, size: 32 * 1024 ** 3 };
    const h = await startConsoleHarness({ disk });
    try {
      for (let i = 0; i < 3; i++) {
        const shot = await h.capture.snapshot({ reason: "request", requestedBy: ADMIN.id });
        assert.ok(shot.ok);
        h.clock.advance(MIN);
      }
      const before = await h.storage.media.usage();
      assert.equal(before.count, 3);
      disk.free = 1 * 1024 ** 3; // 3 % free: critical
      await h.storageWatch.runNow();
      await h.alerts.engine.idle();
      const [alert] = await h.api.waitFor(() => (groupMessages(h).length >= 1 ? groupMessages(h) : undefined));
      assert.match(alert?.text ?? "", /CRITICAL/);
      assert.match(
        alert?.text ?? "",
        /Free space for the console's data is low: 1\.0 GB left of 32\.0 GB \(3\.1 % free\)/,
      );
      const after = await h.storage.media.usage();
      assert.equal(after.count, 0, "the oldest media were deleted to make room");

      disk.free = 8 * 1024 ** 3;
      await h.storageWatch.runNow();
      await h.alerts.engine.idle();
      const msgs = await h.api.waitFor(() => (groupMessages(h).length >= 2 ? groupMessages(h) : undefined));
      assert.match(msgs[1]?.text ?? "", /Recovered/);
      assert.match(msgs[1]?.text ?? "", /back to 8\.0 GB \(25\.0 % free\)/);
    } finally {
      await h.stop();
    }
  });
});
