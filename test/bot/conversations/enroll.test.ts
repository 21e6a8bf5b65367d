/**
 * /enroll end to end: the real bot (grammY + conversations) over a local Bot API server,
 * the real door job with the simulated card reader, SQLite, and the simulated LCD.
 */
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import { inlineButtons, type RecordedMessage, type TestChat, type TestUser } from "../../../local/bot-api/server.ts";
import { botChat } from "../../support/bot-chat.ts";
import {
  ADMIN,
  type ConsoleHarness,
  privateChat,
  STAFF,
  STAFF_GROUP,
  STRANGER,
  startConsoleHarness,
} from "../../support/console-harness.ts";

const { botMessages, expectBot, say } = botChat({ textOnly: true });

const NEWCOMER: TestUser = { id: 2001, first_name: "Grace", language_code: "en" };

async function press(h: ConsoleHarness, user: TestUser, msg: RecordedMessage, text: string, re: RegExp) {
  const chat: TestChat = msg.chat_id === STAFF_GROUP.id ? STAFF_GROUP : privateChat(user);
  const from = botMessages(h, chat).length;
  h.api.pressButton(user, msg, { text });
  return expectBot(h, chat, re, from);
}

/** Runs /enroll up to the name prompt with card `uid`. */
async function enrollUpToName(h: ConsoleHarness, uid: string, user = ADMIN, chat = privateChat(user)) {
  await say(h, user, "/enroll", /Tap the new card/, chat);
  const from = botMessages(h, chat).length;
  assert.equal(h.reader.tap(uid), true);
  return expectBot(h, chat, /What is the holder's name\?/, from);
}

describe("/enroll end to end", () => {
  let h: ConsoleHarness;
  before(async () => {
    h = await startConsoleHarness({ enrollTimeoutMs: 1_500 });
  });
  after(async () => {
    await h.stop();
  });
  afterEach(async () => {
    await h.door.idle();
    await h.api.waitForIdle();
  });

  test("happy path: tap, name, role, invite link, confirm; saved, audited, shown on the LCD", async () => {
    const tapPrompt = await say(h, ADMIN, "/enroll", /Tap the new card on the reader now\. I wait 2 s/);
    assert.ok(tapPrompt.reply_markup && "inline_keyboard" in tapPrompt.reply_markup, "has a Cancel button");
    const accessBefore = await h.storage.accessLog.count("test-room");

    const from = botMessages(h, privateChat(ADMIN)).length;
    h.reader.tap("04:a1:b2:c3"); // the reader normalizes: 04A1B2C3
    const askName = await expectBot(h, privateChat(ADMIN), /Card 04:A1:B2:C3 read\. What is the holder's name\?/, from);
    assert.match(askName.text ?? "", /1–40 characters/);
    await h.api.waitFor(() => /Card read\s*\nEnroll: Ada/.test(h.display.text()) || undefined);
    assert.equal(await h.storage.accessLog.count("test-room"), accessBefore + 1, "an enrollment tap is logged too");

    const askRole = await say(h, ADMIN, "  Grace   Hopper ", /Which role does Grace Hopper get\?/);
    const askLink = await press(h, ADMIN, askRole, "staff", /Link Grace Hopper's Telegram account\? .*valid 60 min/);
    const confirm = await press(h, ADMIN, askLink, "🔗 Invite link", /Please check:/);
    assert.match(
      confirm.text ?? "",
      /Card: 04:A1:B2:C3\nName: Grace Hopper\nRole: staff\nTelegram: one-time invite link/,
    );
    assert.equal(await h.storage.staff.getByUid("04A1B2C3"), undefined, "nothing saved before the confirmation");

    const saved = await press(h, ADMIN, confirm, "✅ Save", /Grace Hopper is enrolled as staff \(card 04:A1:B2:C3\)/);
    const invite = await expectBot(h, privateChat(ADMIN), /Send this link to Grace Hopper/, 0);
    assert.ok(saved);
    // Every finished step lost its buttons (Cancel, roles, link, Save): nothing left to press by mistake.
    for (const step of [tapPrompt, askName, askRole, askLink, confirm]) {
      await h.api.waitFor(
        () =>
          inlineButtons(h.api.messages(ADMIN.id).find((m) => m.message_id === step.message_id) ?? step).length === 0,
      );
    }

    const member = await h.storage.staff.getByUid("04A1B2C3");
    assert.deepEqual(
      { name: member?.name, role: member?.role, active: member?.active, createdBy: member?.createdBy },
      { name: "Grace Hopper", role: "staff", active: true, createdBy: ADMIN.id },
    );
    const audit = await h.storage.audit.latest("test-room", 5);
    assert.ok(
      audit.some((a) => a.action === "enroll" && a.userId === ADMIN.id && a.detail?.includes("04A1B2C3")),
      JSON.stringify(audit),
    );
    await h.api.waitFor(() => /Card enrolled:\s*\nGrace Hopper/.test(h.display.text()) || undefined);

    // The invite links the newcomer's Telegram account once; they then have the staff role.
    const link = /https:\/\/t\.me\/seroma_test_bot\?start=(link_[A-Za-z0-9_-]{22})/.exec(invite.text ?? "");
    assert.ok(link?.[1], invite.text);
    await say(h, NEWCOMER, "/status", /not on the staff list|user id/i);
    await say(h, NEWCOMER, `/start ${link[1]}`, /Welcome, Grace Hopper! Your Telegram account is now linked/);
    await expectBot(
      h,
      privateChat(ADMIN),
      /The invite for Grace Hopper \(card 04:A1:B2:C3\) was used by Grace \(id 2001\)\. That account now has the staff role/,
    );
    assert.equal((await h.storage.staff.getByTelegramId(NEWCOMER.id))?.cardUid, "04A1B2C3");
    await say(h, NEWCOMER, "/status", /test-room · climate/);
    await say(h, NEWCOMER, `/start ${link[1]}`, /This link is not valid/);

    // At the door, 10:00 on a weekday: allowed, and the LCD greets her by name.
    h.clock.advance(5_000);
    h.reader.tap("04A1B2C3");
    await h.door.idle();
    const [entry] = await h.storage.accessLog.latest("test-room", 1);
    assert.deepEqual(
      { uid: entry?.cardUid, decision: entry?.decision, name: entry?.staffName },
      {
        uid: "04A1B2C3",
        decision: "allowed",
        name: "Grace Hopper",
      },
    );
    await h.api.waitFor(() => /Welcome,\s*\nGrace Hopper/.test(h.display.text()) || undefined);
  });

  test("a tap while /enroll waits is judged and logged as always; the alert says whose enrollment took it", async () => {
    await say(h, ADMIN, "/enroll", /Tap the new card/);
    const fromChat = botMessages(h, privateChat(ADMIN)).length;
    const fromGroup = botMessages(h, STAFF_GROUP).length;
    h.clock.advance(5_000);
    assert.equal(h.reader.tap("0F1E2D3C"), true);
    await expectBot(h, privateChat(ADMIN), /Card 0F:1E:2D:3C read\. What is the holder's name\?/, fromChat);
    await h.door.idle();
    const [entry] = await h.storage.accessLog.latest("test-room", 1);
    assert.deepEqual([entry?.cardUid, entry?.decision], ["0F1E2D3C", "unknown"]);
    await say(h, STAFF, "/access 1", /0F:1E:2D:3C · unknown card/);
    const alert = await expectBot(h, STAFF_GROUP, /Unknown card 0F:1E:2D:3C at the door/, fromGroup);
    assert.match(alert.text ?? "", /Read for the card enrollment started by Ada\./);
    assert.match(h.display.text(), /Card read\s*\nEnroll: Ada/);
    await say(h, ADMIN, "/cancel", /Enrollment cancelled/);
    // The next tap is an ordinary entry, and its alert says nothing about an enrollment.
    h.clock.advance(5_000);
    const fromGroup2 = botMessages(h, STAFF_GROUP).length;
    h.reader.tap("0F1E2D3C");
    const plain = await expectBot(h, STAFF_GROUP, /Unknown card 0F:1E:2D:3C at the door/, fromGroup2);
    assert.doesNotMatch(plain.text ?? "", /enrollment/);
  });

  test("a card already enrolled: says whose it is and stops", async () => {
    await say(h, ADMIN, "/enroll", /Tap the new card/);
    const from = botMessages(h, privateChat(ADMIN)).length;
    h.clock.advance(5_000);
    h.reader.tap("04A1B2C3");
    await expectBot(
      h,
      privateChat(ADMIN),
      /Card 04:A1:B2:C3 is already enrolled to Grace Hopper \(staff\)\. Nothing was changed\./,
      from,
    );
    // The conversation is over: the next text is an ordinary message again.
    await say(h, ADMIN, "Grace", /I did not understand|Send \/help|commands/i);
    assert.equal((await h.storage.staff.list()).length, 1);
  });

  test("no card within the timeout: says so, saves nothing, releases the reader", async () => {
    await say(h, ADMIN, "/enroll", /Tap the new card/);
    await expectBot(h, privateChat(ADMIN), /No card was tapped within 2 s\. Nothing was saved/);
    h.clock.advance(5_000);
    h.reader.tap("0BADCAFE");
    await h.door.idle();
    const [entry] = await h.storage.accessLog.latest("test-room", 1);
    assert.equal(entry?.cardUid, "0BADCAFE");
    assert.equal(entry?.decision, "unknown", "after the timeout, taps are judged at the door again");
  });

  test("Cancel while waiting for the card: nothing saved, the next tap is an ordinary entry", async () => {
    const prompt = await say(h, ADMIN, "/enroll", /Tap the new card/);
    await press(h, ADMIN, prompt, "✖️ Cancel", /Enrollment cancelled\. Nothing was saved\./);
    // The prompt lost its Cancel button; a press that raced the edit (a client still showing it)
    // is answered (not ignored) and changes nothing.
    await h.api.waitFor(
      () =>
        inlineButtons(h.api.messages(ADMIN.id).find((m) => m.message_id === prompt.message_id) ?? prompt).length === 0,
    );
    const again = h.api.pressButton(ADMIN, prompt, { forged: "enr:cancel" });
    const answer = await h.api.waitFor(() =>
      h.api.callbackAnswers.find((a) => a.callback_query_id === again.callback_query?.id),
    );
    assert.match(answer.text ?? "", /expired|no longer/i);
    h.clock.advance(5_000);
    h.reader.tap("0C0FFEE0");
    await h.door.idle();
    const [entry] = await h.storage.accessLog.latest("test-room", 1);
    assert.deepEqual([entry?.cardUid, entry?.decision], ["0C0FFEE0", "unknown"]);
    assert.equal(await h.storage.staff.getByUid("0C0FFEE0"), undefined);
  });

  test("/cancel at the name step", async () => {
    h.clock.advance(5_000);
    await enrollUpToName(h, "0A0B0C0D");
    await say(h, ADMIN, "/cancel", /Enrollment cancelled/);
    assert.equal(await h.storage.staff.getByUid("0A0B0C0D"), undefined);
  });

  test("bad names are refused with the reason; the name is escaped in every reply", async () => {
    h.clock.advance(5_000);
    await enrollUpToName(h, "0E0E0E0E");
    await say(h, ADMIN, "/start", /cannot start with "\/"/);
    await say(h, ADMIN, "x".repeat(41), /too long: at most 40 characters/);
    await say(h, ADMIN, "Bob\nDROP TABLE", /line breaks or invisible control characters/);
    await say(h, ADMIN, "Eve\u202Egnp.exe", /line breaks or invisible control characters/);
    const askRole = await say(h, ADMIN, "<b>Bob</b> & Co", /Which role does <b>Bob<\/b> & Co get\?/);
    assert.match(askRole.raw ?? "", /&lt;b&gt;Bob&lt;\/b&gt; &amp; Co/, "escaped HTML, shown literally");
    const askLink = await press(h, ADMIN, askRole, "admin", /Link <b>Bob<\/b> & Co's Telegram/);
    const confirm = await press(h, ADMIN, askLink, "No link", /Please check:/);
    assert.match(confirm.text ?? "", /Role: admin\nTelegram: none/);
    await press(h, ADMIN, confirm, "✅ Save", /is enrolled as admin/);
    assert.equal((await h.storage.staff.getByUid("0E0E0E0E"))?.name, "<b>Bob</b> & Co");
  });

  test("five bad names in a row end the enrollment", async () => {
    h.clock.advance(5_000);
    await enrollUpToName(h, "0F0F0F0F");
    for (let i = 0; i < 4; i++) await say(h, ADMIN, "/x", /cannot start with/);
    await say(h, ADMIN, "/x", /Too many invalid names\. Enrollment stopped/);
    assert.equal(await h.storage.staff.getByUid("0F0F0F0F"), undefined);
  });

  test("one enrollment per group chat at a time; an admin by linked card may enroll elsewhere meanwhile", async () => {
    const BOSS: TestUser = { id: 2002, first_name: "Barbara", language_code: "en" };
    await h.storage.staff.add({
      cardUid: "0B0B0B0B",
      name: "Barbara",
      role: "admin",
      active: true,
      createdBy: ADMIN.id,
      createdAt: h.clock.now().getTime(),
      telegramUserId: BOSS.id,
    });
    const first = await say(h, ADMIN, "/enroll", /Tap the new card/, STAFF_GROUP);
    await say(h, BOSS, "/enroll", /Another admin is enrolling a card in this chat/, STAFF_GROUP);
    const own = await say(h, BOSS, "/enroll", /Tap the new card/);
    // First come, first served: the next tap goes to the group's enrollment.
    const from = botMessages(h, STAFF_GROUP).length;
    h.clock.advance(5_000);
    h.reader.tap("0C0C0C0C");
    await expectBot(h, STAFF_GROUP, /Card 0C:0C:0C:0C read/, from);
    await say(h, ADMIN, "/cancel", /Enrollment cancelled/, STAFF_GROUP);
    await press(h, BOSS, own, "✖️ Cancel", /Enrollment cancelled/);
    assert.ok(first);
  });

  test("with the reader known dead, the prompt says so", async () => {
    h.reader.kill("SPI timeout");
    await h.door.idle();
    await h.alerts.engine.idle();
    const prompt = await say(h, ADMIN, "/enroll", /Tap the new card/);
    assert.match(prompt.text ?? "", /The card reader is not answering right now/);
    await press(h, ADMIN, prompt, "✖️ Cancel", /Enrollment cancelled/);
    h.reader.revive();
    await h.door.idle();
    await h.alerts.engine.idle();
    const next = await say(h, ADMIN, "/enroll", /Tap the new card/);
    assert.doesNotMatch(next.text ?? "", /not answering/);
    await press(h, ADMIN, next, "✖️ Cancel", /Enrollment cancelled/);
  });

  test("only admins may enroll; strangers are refused before anything", async () => {
    await say(h, STAFF, "/enroll", /Only an admin can do that\./);
    await say(h, STRANGER, "/enroll", /user id/);
    h.clock.advance(5_000);
    h.reader.tap("0D0D0D0D");
    await h.door.idle();
    const [entry] = await h.storage.accessLog.latest("test-room", 1);
    assert.equal(entry?.decision, "unknown", "no enrollment was started: the tap is judged");
  });

  test("while one chat waits for a card, other chats (and others in the same group) are served", async () => {
    await say(h, ADMIN, "/enroll", /Tap the new card/, STAFF_GROUP);
    await say(h, STAFF, "/status", /test-room · climate/);
    await say(h, STAFF, "/access 3", /latest \d door entries/, STAFF_GROUP);
    // The admin's own chatter gets a nudge instead of being taken for something else.
    await say(h, ADMIN, "hello?", /Waiting for the card/, STAFF_GROUP);
    const from = botMessages(h, STAFF_GROUP).length;
    h.clock.advance(5_000);
    h.reader.tap("0A1A2A3A");
    await expectBot(h, STAFF_GROUP, /Card 0A:1A:2A:3A read/, from);
    // Someone else's text in the group is not taken as the name.
    h.api.sendMessage(STAFF, STAFF_GROUP, "Not me");
    await say(h, ADMIN, "Ada Lovelace", /Which role does Ada Lovelace get\?/, STAFF_GROUP);
    const askRole = botMessages(h, STAFF_GROUP).at(-1) as RecordedMessage;
    // Another member pressing the admin's buttons is not the admin answering.
    const stray = h.api.pressButton(STAFF, askRole, { text: "admin" });
    const refusal = await h.api.waitFor(() =>
      h.api.callbackAnswers.find((a) => a.callback_query_id === stray.callback_query?.id),
    );
    assert.equal(refusal.text, "Only the admin who started this enrollment can answer it.");
    const askLink = await press(h, ADMIN, askRole, "staff", /Link Ada Lovelace's Telegram/);
    await press(h, ADMIN, askLink, "✖️ Cancel", /Enrollment cancelled/);
    assert.equal(await h.storage.staff.getByUid("0A1A2A3A"), undefined);
  });
});
