import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { CardUid } from "../../core/door/card-reader.ts";
import type { TestChat } from "../../local/bot-api/server.ts";
import { inlineButtons } from "../../local/bot-api/server.ts";
import {
  ADMIN,
  type ConsoleHarness,
  privateChat,
  STAFF,
  STAFF_GROUP,
  STAFF_JA,
  STRANGER,
  startConsoleHarness,
} from "../support/console-harness.ts";

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
    const ja = calls.find((c) => c.params.language_code === "ja" && c.params.scope === undefined);
    const def = calls.find((c) => c.params.language_code === undefined && c.params.scope === undefined);
    assert.ok(def && ja, "both registered");
    const cmds = (c: typeof ja) => c?.params.commands as Array<{ command: string; description: string }>;
    assert.equal(cmds(def).find((c) => c.command === "help")?.description, "What this bot can do");
    assert.equal(cmds(ja).find((c) => c.command === "help")?.description, "このボットでできること");
  });
});

describe("command menus per role, chat and language", () => {
  let h: ConsoleHarness;
  before(async () => {
    h = await startConsoleHarness();
  });
  after(async () => {
    await h.stop();
  });
  const menu = (chat: TestChat, lang?: string) => h.api.commandsFor(chat, lang).map((c) => c.command);
  const describeOf = (chat: TestChat, lang: string | undefined, command: string) =>
    h.api.commandsFor(chat, lang).find((c) => c.command === command)?.description;

  test("each role sees its own commands: a stranger only start, language and help", () => {
    assert.deepEqual(menu(privateChat(STRANGER), "en"), ["start", "language", "help"]);
    const staff = menu(privateChat(STAFF), "en");
    const admin = menu(privateChat(ADMIN), "en");
    for (const c of ["status", "snapshot", "ack", "mute", "staff", "export"]) assert.ok(staff.includes(c), c);
    for (const c of ["enroll", "backup", "addserver", "removeserver"]) {
      assert.ok(!staff.includes(c), `staff menu has no ${c}`);
      assert.ok(admin.includes(c), `admin menu has ${c}`);
    }
    assert.equal(admin.length, 25);
  });

  test("the staff group has the room's commands, not the private ones", () => {
    const group = menu(STAFF_GROUP, "en");
    for (const c of ["status", "chart", "snapshot", "alerts", "ack", "mute", "help"]) assert.ok(group.includes(c), c);
    for (const c of ["start", "language", "enroll", "backup", "staff", "export", "addserver"]) {
      assert.ok(!group.includes(c), `group menu has no ${c}`);
    }
    assert.equal(describeOf(STAFF_GROUP, "ja", "status"), "現在の温度と湿度");
    assert.equal(describeOf(STAFF_GROUP, "en", "status"), "Current temperature and humidity");
  });

  test("a Japanese app gets the Japanese menu; /language Japanese on an English app switches the menu too", async () => {
    assert.equal(describeOf(privateChat(STAFF_JA), "ja", "status"), "現在の温度と湿度");
    assert.equal(describeOf(privateChat(STAFF), "en", "status"), "Current temperature and humidity");

    const picker = await h.ask(STAFF, "/language");
    h.api.pressButton(STAFF, picker, "lang:ja");
    // Whatever the app's language: the choice wins.
    await h.api.waitFor(
      () =>
        describeOf(privateChat(STAFF), "en", "status") === "現在の温度と湿度" &&
        describeOf(privateChat(STAFF), undefined, "status") === "現在の温度と湿度",
    );

    const picker2 = await h.ask(STAFF, "/language");
    h.api.pressButton(STAFF, picker2, "lang:auto");
    await h.api.waitFor(
      () =>
        describeOf(privateChat(STAFF), "en", "status") === "Current temperature and humidity" &&
        describeOf(privateChat(STAFF), undefined, "status") === "Current temperature and humidity",
    );
    assert.equal(describeOf(privateChat(STAFF), "ja", "status"), "現在の温度と湿度");
  });

  test("a card linked to an account brings its menu; revoked, the menu shrinks back to a stranger's", async () => {
    const grace = { id: 4242, first_name: "Grace", language_code: "en" };
    const cardUid = "A1B2C3D4" as CardUid;
    await h.storage.staff.add({
      cardUid,
      name: "Grace Hopper",
      role: "admin",
      active: true,
      createdBy: ADMIN.id,
      createdAt: 0,
      telegramUserId: grace.id,
    });
    await h.ask(grace, "/status");
    await h.api.waitFor(() => menu(privateChat(grace), "en").includes("enroll"));
    await h.storage.staff.setActive(cardUid, false, ADMIN.id, 0);
    await h.ask(grace, "/status");
    await h.api.waitFor(() => !menu(privateChat(grace), "en").includes("enroll"));
    assert.deepEqual(menu(privateChat(grace), "en"), ["start", "language", "help"]);
  });
});
