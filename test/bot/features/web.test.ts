/**
 * The bot's side of the dashboard, end to end (updates in through the local Bot API server, the
 * bot's calls out): /web hands out a one-time login link in private chats only (a link in the
 * text for the default http address, an "Open dashboard" button for an https one), points to
 * the private chat from the group, refuses viewers and strangers, says so when the dashboard is
 * off or down; with a Mini App address, /status carries "Open dashboard" (web_app in private,
 * a link to the private chat in the group) and staff get a menu button, cleared when their
 * card is revoked.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import type { InlineKeyboardButton } from "grammy/types";
import type { WebServices } from "../../../bot/context.ts";
import type { CardUid } from "../../../core/door/card-reader.ts";
import { inlineButtons, type RecordedMessage, type TestUser } from "../../../local/bot-api/server.ts";
import { botChat } from "../../support/bot-chat.ts";
import {
  ADMIN,
  type ConsoleHarness,
  privateChat,
  STAFF,
  STAFF_GROUP,
  STAFF_JA,
  STRANGER,
  startConsoleHarness,
} from "../../support/console-harness.ts";

const { say } = botChat();
const VIEWER: TestUser = { id: 7777, first_name: "Vera", language_code: "en" };
const STRANGER_2: TestUser = { id: 6667, first_name: "Eve", language_code: "en" };
const DEEP_LINK = "https://t.me/seroma_test_bot?start=web";

/** A stand-in for the dashboard's loginLink: a fresh token each time, valid 5 minutes from the harness's clock. */
function fakeDashboard(origin: string, miniAppUrl: string | undefined) {
  const made: Array<{ userId: number; url: string }> = [];
  const state = { down: false, now: () => Date.now() };
  const web: WebServices = {
    miniAppUrl,
    async loginLink(userId) {
      if (state.down) throw new Error("connect ECONNREFUSED 127.0.0.1:8081");
      const url = `${origin}/login/${randomBytes(32).toString("base64url")}`;
      made.push({ userId, url });
      return { url, expiresAt: state.now() + 5 * 60_000 };
    },
  };
  return { web, made, state };
}

const buttons = (m: RecordedMessage): InlineKeyboardButton[] => inlineButtons(m);
const urlOf = (b: InlineKeyboardButton | undefined) => (b && "url" in b ? b.url : undefined);
const webAppOf = (b: InlineKeyboardButton | undefined) => (b && "web_app" in b ? b.web_app?.url : undefined);
const isLink = /one|once|dashboard/i;

describe("/web on the default (http) address: the link in the text", () => {
  let h: ConsoleHarness;
  const dash = fakeDashboard("http://127.0.0.1:8081", undefined);
  before(async () => {
    h = await startConsoleHarness({ web: dash.web });
    dash.state.now = () => h.clock.now().getTime();
  });
  after(async () => {
    await h.stop();
  });

  test("in a private chat: a one-time link as a link in the text, valid 5 minutes, once; a new one each time; audited", async () => {
    const first = await say(h, STAFF, "/web", isLink);
    const link = dash.made.at(-1);
    assert.equal(link?.userId, STAFF.id);
    assert.ok(first.text?.includes(link?.url ?? "?"), "the address is in the text, readable");
    const entity = first.entities?.find((e) => e.type === "text_link");
    assert.equal(entity && "url" in entity ? entity.url : undefined, link?.url, "and it is a link");
    assert.match(first.text ?? "", /once/);
    assert.match(first.text ?? "", /5 minutes \(until 10:05\)/);
    assert.deepEqual(buttons(first), [], "no button: Telegram refuses loopback addresses in buttons");

    const second = await say(h, STAFF, "/web", isLink);
    const again = dash.made.at(-1);
    assert.notEqual(again?.url, link?.url, "a new link each time");
    assert.ok(second.text?.includes(again?.url ?? "?"));

    const audit = await h.storage.audit.latest(h.config.roomId, 10);
    const made = audit.filter((e) => e.action === "web-link" && e.userId === STAFF.id);
    assert.equal(made.length, 2, "each link made is audited");
    assert.match(made[0]?.detail ?? "", /valid until/);
  });

  test("an admin gets one too; so does /start web (the group's deep link) in the private chat", async () => {
    await say(h, ADMIN, "/web", isLink);
    assert.equal(dash.made.at(-1)?.userId, ADMIN.id);
    const before = dash.made.length;
    const viaStart = await say(h, STAFF, "/start web", isLink);
    assert.equal(dash.made.length, before + 1);
    assert.ok(viaStart.text?.includes(dash.made.at(-1)?.url ?? "?"));
  });

  test("in the staff group: no link there, a button to the private chat", async () => {
    const before = dash.made.length;
    const answer = await say(h, STAFF, "/web", /private/, STAFF_GROUP);
    assert.equal(dash.made.length, before, "no link made for a group");
    assert.doesNotMatch(answer.text ?? "", /login|127\.0\.0\.1/);
    assert.equal(urlOf(buttons(answer)[0]), DEEP_LINK);
    for (const m of h.api.messages(STAFF_GROUP.id)) assert.doesNotMatch(m.raw ?? m.text ?? "", /\/login\//);
  });

  test("a viewer (group only) and a stranger are refused, and no link is made", async () => {
    const before = dash.made.length;
    await say(h, VIEWER, "/web", /Only staff/, STAFF_GROUP);
    await say(h, STRANGER, "/web", /private console/);
    await say(h, STRANGER_2, "/start web", /private console/);
    assert.equal(dash.made.length, before);
  });

  test("the dashboard not answering: one clear sentence, and the bot goes on", async () => {
    dash.state.down = true;
    try {
      const answer = await say(h, STAFF, "/web", /could not make a login link/);
      assert.match(answer.text ?? "", /not answering/);
    } finally {
      dash.state.down = false;
    }
    await say(h, STAFF, "/status", /Temperature|No readings/);
    await say(h, STAFF, "/web", isLink);
  });

  test("/web is in the menus of staff and admins (English and Japanese), not a stranger's or the group's", () => {
    const describe = (u: TestUser, lang: string) =>
      h.api.commandsFor(privateChat(u), lang).find((c) => c.command === "web")?.description;
    assert.equal(describe(STAFF, "en"), "Open the web dashboard (a one-time link)");
    assert.equal(describe(ADMIN, "ja"), "Web ダッシュボードを開く（1 回限りのリンク）");
    assert.equal(describe(STRANGER, "en"), undefined);
    assert.ok(!h.api.commandsFor(STAFF_GROUP, "en").some((c) => c.command === "web"));
  });

  test("without a Mini App address: no Open dashboard on /status, and menu buttons are Telegram's default", async () => {
    const status = await say(h, STAFF, "/status", /Temperature|No readings/);
    assert.ok(!buttons(status).some((b) => "web_app" in b || urlOf(b) === DEEP_LINK));
    assert.equal(h.api.menuButton(STAFF.id).type, "commands");
    assert.equal(h.api.menuButton(ADMIN.id).type, "commands");
  });
});

describe("/web and the Mini App on an https address", () => {
  let h: ConsoleHarness;
  const MINI_APP = "https://dash.example.com/";
  const dash = fakeDashboard("https://dash.example.com", MINI_APP);
  before(async () => {
    h = await startConsoleHarness({ web: dash.web });
    dash.state.now = () => h.clock.now().getTime();
  });
  after(async () => {
    await h.stop();
  });

  test("/web: the one-time link is an Open dashboard button, not in the text", async () => {
    const answer = await say(h, STAFF, "/web", isLink);
    const link = dash.made.at(-1)?.url ?? "?";
    assert.equal(urlOf(buttons(answer)[0]), link);
    assert.equal(buttons(answer)[0]?.text, "📊 Open dashboard");
    assert.ok(!answer.text?.includes(link), "the link itself is only behind the button");
  });

  test("/status: Open dashboard as a Mini App in a private chat, as a link to the private chat in the group", async () => {
    const mine = await say(h, STAFF, "/status", /Temperature|No readings/);
    assert.equal(webAppOf(buttons(mine).at(-1)), MINI_APP);
    const group = await say(h, STAFF, "/status", /Temperature|No readings/, STAFF_GROUP);
    assert.ok(!buttons(group).some((b) => "web_app" in b), "no web_app button in a group (Telegram refuses it)");
    assert.equal(urlOf(buttons(group).at(-1)), DEEP_LINK);

    // Refresh edits the message and keeps the button.
    h.api.pressButton(STAFF, mine, "status:refresh");
    const edited = await h.api.waitFor(() =>
      h.api.messages(STAFF.id).find((m) => m.message_id === mine.message_id && m.edits > 0),
    );
    assert.equal(webAppOf(buttons(edited).at(-1)), MINI_APP);
  });

  test("the menu button: the Mini App for the staff and admins known at start, in their language; not for strangers", async () => {
    for (const u of [STAFF, ADMIN]) {
      const button = h.api.menuButton(u.id);
      assert.equal(button.type, "web_app", `${u.first_name}'s menu button`);
      assert.equal(button.type === "web_app" ? button.web_app.url : undefined, MINI_APP);
      assert.equal(button.type === "web_app" ? button.text : undefined, "Dashboard");
    }
    // Yuki's app is in Japanese: seen at her next message.
    await say(h, STAFF_JA, "/status", /温度|測定値/);
    await h.api.waitFor(() => {
      const b = h.api.menuButton(STAFF_JA.id);
      return b.type === "web_app" && b.text === "ダッシュボード";
    });
    await say(h, STRANGER, "/status", /private console|still not/);
    await h.api.waitFor(() =>
      h.api.calls.some((c) => c.method === "setChatMenuButton" && c.params.chat_id === STRANGER.id),
    );
    assert.equal(h.api.menuButton(STRANGER.id).type, "commands");
  });

  test("a card linked to an account brings the menu button; revoked, it is cleared", async () => {
    const grace: TestUser = { id: 4243, first_name: "Grace", language_code: "en" };
    const cardUid = "A1B2C3D5" as CardUid;
    await h.storage.staff.add({
      cardUid,
      name: "Grace Hopper",
      role: "staff",
      active: true,
      createdBy: ADMIN.id,
      createdAt: 0,
      telegramUserId: grace.id,
    });
    await say(h, grace, "/status", /Temperature|No readings/);
    await h.api.waitFor(() => h.api.menuButton(grace.id).type === "web_app");
    await h.storage.staff.setActive(cardUid, false, ADMIN.id, 0);
    await say(h, grace, "/status", /private console|still not/);
    await h.api.waitFor(() => h.api.menuButton(grace.id).type === "commands");
    const last = h.api.calls.filter((c) => c.method === "setChatMenuButton" && c.params.chat_id === grace.id).at(-1);
    assert.deepEqual(last?.params.menu_button, { type: "default" });
    assert.equal(last?.status, 200);
  });
});

describe("/web with the dashboard off", () => {
  let h: ConsoleHarness;
  before(async () => {
    h = await startConsoleHarness();
  });
  after(async () => {
    await h.stop();
  });

  test("one clear sentence, in a private chat and in the group; no /web in the menus; menu buttons untouched", async () => {
    const mine = await say(h, STAFF, "/web", /turned off/);
    assert.deepEqual(buttons(mine), []);
    await say(h, STAFF, "/web", /turned off/, STAFF_GROUP);
    assert.ok(!h.api.commandsFor(privateChat(ADMIN), "en").some((c) => c.command === "web"));
    assert.ok(!h.api.calls.some((c) => c.method === "setChatMenuButton"));
  });
});
