import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { inlineButtons } from "../../local/bot-api/server.ts";
import { type ConsoleHarness, STAFF_JA, startConsoleHarness } from "../support/console-harness.ts";

describe("languages end to end", () => {
  let h: ConsoleHarness;
  before(async () => {
    h = await startConsoleHarness();
    h.sensor.set({ temperatureC: 22.2, humidityPct: 44.4 });
    await h.job.sampleNow();
  });
  after(async () => {
    await h.stop();
  });

  test("a Japanese Telegram user gets Japanese answers", async () => {
    const reply = await h.ask(STAFF_JA, "/status");
    assert.match(reply.text ?? "", /温度: 22\.2 °C/);
    assert.match(reply.text ?? "", /湿度: 44\.4 %/);
    assert.deepEqual(
      inlineButtons(reply).map((b) => b.text),
      ["📷 写真", "🎥 動画 10 秒", "🔄 更新"],
    );
    assert.match((await h.ask(STAFF_JA, "/history abc")).text ?? "", /解釈できません/);
  });

  test("/language overrides the app language and is remembered; Automatic goes back", async () => {
    const picker = await h.ask(STAFF_JA, "/language");
    assert.deepEqual(
      inlineButtons(picker).map((b) => b.text),
      ["English", "日本語", "自動"],
    );
    const answers = h.api.callbackAnswers.length;
    h.api.pressButton(STAFF_JA, picker, "lang:en");
    await h.api.waitFor(() => h.api.callbackAnswers[answers]);
    await h.api.waitFor(() =>
      h.api.messages(STAFF_JA.id).find((m) => m.message_id === picker.message_id && m.edits > 0),
    );
    assert.equal(
      h.api.messages(STAFF_JA.id).find((m) => m.message_id === picker.message_id)?.text,
      "Language set to English.",
    );
    assert.match((await h.ask(STAFF_JA, "/status")).text ?? "", /Temperature: 22\.2 °C/);
    assert.equal(await h.storage.userSettings.getLocale(STAFF_JA.id), "en");

    const picker2 = await h.ask(STAFF_JA, "/language");
    h.api.pressButton(STAFF_JA, picker2, "lang:auto");
    await h.api.waitFor(() =>
      h.api.messages(STAFF_JA.id).find((m) => m.message_id === picker2.message_id && m.edits > 0),
    );
    assert.match((await h.ask(STAFF_JA, "/status")).text ?? "", /温度/);
  });

  test("command menus are registered in English (default) and Japanese from the locale files", async () => {
    const calls = h.api.calls.filter((c) => c.method === "setMyCommands");
    const ja = calls.find((c) => c.params.language_code === "ja");
    const def = calls.find((c) => c.params.language_code === undefined);
    assert.ok(def && ja, "both registered");
    const cmds = (c: typeof ja) => c?.params.commands as Array<{ command: string; description: string }>;
    assert.deepEqual(
      cmds(def).map((c) => c.command),
      [
        "start",
        "status",
        "history",
        "chart",
        "snapshot",
        "clip",
        "media",
        "arm",
        "disarm",
        "servers",
        "server",
        "addserver",
        "removeserver",
        "access",
        "who",
        "alerts",
        "ack",
        "mute",
        "unmute",
        "staff",
        "enroll",
        "export",
        "backup",
        "language",
        "help",
      ],
    );
    assert.equal(cmds(def).find((c) => c.command === "status")?.description, "Current temperature and humidity");
    assert.equal(cmds(ja).find((c) => c.command === "status")?.description, "現在の温度と湿度");
  });
});
