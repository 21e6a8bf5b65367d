/**
 * Invite links end to end (issue 12, a hostile member of the staff group): a link is only
 * ever sent to the admin's private chat; a redemption tells every admin which Telegram
 * account took it, with an Undo; a card that is linked already, or revoked, cannot be taken
 * over by an invite; admins unlink explicitly from /staff.
 */
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { after, afterEach, before, describe, test } from "node:test";
import type { StaffMember } from "../../core/door/ports.ts";
import { createLogger } from "../../core/logger.ts";
import { inlineButtons, type RecordedMessage, type TestChat, type TestUser } from "../../local/bot-api/server.ts";
import { botChat } from "../support/bot-chat.ts";
import {
  ADMIN,
  type ConsoleHarness,
  privateChat,
  STAFF,
  STAFF_GROUP,
  STRANGER,
  startConsoleHarness,
} from "../support/console-harness.ts";

const { botMessages, expectBot, say } = botChat({ textOnly: true });

const ADMIN2: TestUser = { id: 1005, first_name: "Barbara", language_code: "en" };
const GRACE: TestUser = {
  id: 2001,
  first_name: "Grace",
  last_name: "Hopper <3",
  username: "amazing_grace",
  language_code: "en",
};
const LINK = /https:\/\/t\.me\/seroma_test_bot\?start=(link_[A-Za-z0-9_-]{22})/;

/** Presses a button and waits for the bot's next message in `chat` matching `re`. */
async function press(
  h: ConsoleHarness,
  user: TestUser,
  msg: RecordedMessage,
  button: string | { text: string },
  re: RegExp,
  chat: TestChat,
) {
  const from = botMessages(h, chat).length;
  h.api.pressButton(user, msg, button);
  return expectBot(h, chat, re, from);
}

/** Presses a button (or forges one) and returns the callback answer. */
async function answerTo(
  h: ConsoleHarness,
  user: TestUser,
  msg: RecordedMessage,
  data: Parameters<ConsoleHarness["api"]["pressButton"]>[2],
) {
  const update = h.api.pressButton(user, msg, data);
  return h.api.waitFor(() => h.api.callbackAnswers.find((a) => a.callback_query_id === update.callback_query?.id));
}

const allText = (h: ConsoleHarness, chat: TestChat) =>
  h.api
    .messages(chat.id)
    .filter((m) => m.from_bot)
    .map((m) => m.raw ?? m.text ?? "")
    .join("\n");

describe("invite links: private only, redemptions announced, no takeover", () => {
  let h: ConsoleHarness;
  const logs: Array<{ level: number; msg?: string; [k: string]: unknown }> = [];

  const card = (cardUid: string, name: string, extra: Partial<StaffMember> = {}): StaffMember => ({
    cardUid,
    name,
    role: "staff",
    active: true,
    createdBy: ADMIN.id,
    createdAt: h.clock.now().getTime(),
    ...extra,
  });

  /** /staff in `chat`, then 🔗 for `name`: resolves with the admin's private message holding the link. */
  async function inviteFromStaff(name: string, chat: TestChat = privateChat(ADMIN)): Promise<string> {
    const list = await say(h, ADMIN, "/staff", /Staff cards/, chat);
    const from = botMessages(h, privateChat(ADMIN)).length;
    h.api.pressButton(ADMIN, list, { text: `🔗 Invite link for ${name}` });
    const dm = await expectBot(h, privateChat(ADMIN), new RegExp(`Send this link to ${name}`), from);
    const token = LINK.exec(dm.text ?? "")?.[1];
    assert.ok(token, dm.text);
    return token;
  }

  before(async () => {
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).split("\n").filter(Boolean)) logs.push(JSON.parse(line));
        done();
      },
    });
    h = await startConsoleHarness({
      env: { ADMIN_IDS: `${ADMIN.id},${ADMIN2.id}` },
      enrollTimeoutMs: 5_000,
      logger: createLogger("info", sink),
    });
  });
  after(async () => {
    await h.stop();
  });
  afterEach(async () => {
    await h.door.idle();
    await h.api.waitForIdle();
  });

  test("/staff in the staff group: the 🔗 link goes to the admin's private chat; the group only hears that", async () => {
    await h.storage.staff.add(card("0A0A0A01", "Alan Turing"));
    const list = await say(h, ADMIN, "/staff", /Staff cards/, STAFF_GROUP);
    const fromDm = botMessages(h, privateChat(ADMIN)).length;
    await press(
      h,
      ADMIN,
      list,
      { text: "🔗 Invite link for Alan Turing" },
      /sent you the invite link for Alan Turing/,
      STAFF_GROUP,
    );
    const dm = await expectBot(h, privateChat(ADMIN), /Send this link to Alan Turing/, fromDm);
    assert.match(dm.text ?? "", LINK);
    assert.doesNotMatch(allText(h, STAFF_GROUP), /start=link_/, "no invite link in the group");
    assert.doesNotMatch(allText(h, STAFF_GROUP), /t\.me\//);
  });

  test("the admin never opened a private chat (403): the group is told what to do; the link is nowhere", async () => {
    await h.storage.staff.add(card("0A0A0A02", "Edsger Dijkstra"));
    const list = await say(h, ADMIN, "/staff", /Staff cards/, STAFF_GROUP);
    const dmBefore = botMessages(h, privateChat(ADMIN)).length;
    h.api.failNext("sendMessage", {
      error_code: 403,
      description: "Forbidden: bot can't initiate conversation with a user",
    });
    const told = await press(
      h,
      ADMIN,
      list,
      { text: "🔗 Invite link for Edsger Dijkstra" },
      /could not send you the invite link for Edsger Dijkstra privately/,
      STAFF_GROUP,
    );
    assert.match(told.text ?? "", /Open a private chat with me.*make the link again from \/staff there/);
    assert.doesNotMatch(allText(h, STAFF_GROUP), /start=link_/);
    assert.equal(botMessages(h, privateChat(ADMIN)).length, dmBefore);
    const refused = h.api.calls.filter((c) => c.method === "sendMessage" && c.status === 403);
    assert.equal(refused.length, 1);
    const token = LINK.exec(String(refused[0]?.params.text ?? ""))?.[1];
    assert.ok(token, "the refused private message carried the link");
    // The link that could not be delivered does not work either.
    await say(h, GRACE, `/start ${token}`, /This link is not valid/);
    assert.equal((await h.storage.staff.getByUid("0A0A0A02"))?.telegramUserId, undefined);
  });

  test("/enroll in the staff group: the invite link goes to the admin privately", async () => {
    await say(h, ADMIN, "/enroll", /Tap the new card/, STAFF_GROUP);
    let from = botMessages(h, STAFF_GROUP).length;
    h.clock.advance(5_000);
    h.reader.tap("0E0E0E01");
    await expectBot(h, STAFF_GROUP, /What is the holder's name\?/, from);
    const askRole = await say(h, ADMIN, "Barbara Liskov", /Which role does Barbara Liskov get\?/, STAFF_GROUP);
    const askLink = await press(h, ADMIN, askRole, { text: "staff" }, /Link Barbara Liskov's Telegram/, STAFF_GROUP);
    const confirm = await press(h, ADMIN, askLink, { text: "🔗 Invite link" }, /Please check:/, STAFF_GROUP);
    const fromDm = botMessages(h, privateChat(ADMIN)).length;
    from = botMessages(h, STAFF_GROUP).length;
    h.api.pressButton(ADMIN, confirm, { text: "✅ Save" });
    await expectBot(h, STAFF_GROUP, /sent you the invite link for Barbara Liskov/, from);
    await expectBot(h, privateChat(ADMIN), /Send this link to Barbara Liskov/, fromDm);
    assert.equal((await h.storage.staff.getByUid("0E0E0E01"))?.name, "Barbara Liskov");
    assert.doesNotMatch(allText(h, STAFF_GROUP), /start=link_/);
  });

  test("a redemption tells the creator and every admin which account took it; an unreachable admin is logged", async () => {
    await h.storage.staff.add(card("0A0A0A03", "Grace Hopper"));
    const token = await inviteFromStaff("Grace Hopper");
    const fromAdmin = botMessages(h, privateChat(ADMIN)).length;
    const fromAdmin2 = botMessages(h, privateChat(ADMIN2)).length;
    // The first admin cannot be reached; the second still hears of it, and so does Grace.
    h.api.failNext("sendMessage", { error_code: 403, description: "Forbidden: bot was blocked by the user" });
    await say(h, GRACE, `/start ${token}`, /Welcome, Grace Hopper! Your Telegram account is now linked/);
    const notice = await expectBot(h, privateChat(ADMIN2), /invite for Grace Hopper/, fromAdmin2);
    assert.match(
      notice.text ?? "",
      /The invite for Grace Hopper \(card 0A:0A:0A:03\) was used by Grace Hopper <3 \(@amazing_grace, id 2001\)/,
    );
    assert.match(notice.raw ?? "", /Grace Hopper &lt;3/, "the account's name is escaped");
    assert.deepEqual(
      inlineButtons(notice).map((b) => b.text),
      ["↩️ Undo"],
    );
    assert.equal(botMessages(h, privateChat(ADMIN)).length, fromAdmin, "the blocked admin got nothing");
    await h.api.waitFor(() => logs.find((l) => l.msg === "could not tell an admin about a used invite"));
    assert.equal((await h.storage.staff.getByTelegramId(GRACE.id))?.cardUid, "0A0A0A03");
    const audit = await h.storage.audit.latest("test-room", 5);
    const link = audit.find((a) => a.action === "link");
    assert.equal(link?.userId, GRACE.id);
    assert.match(link?.detail ?? "", /0A0A0A03 Grace Hopper/);
  });

  test("Undo (admins only) unlinks and is audited; a second press, or one after a relink, is a short toast", async () => {
    const fromAdmin2 = botMessages(h, privateChat(ADMIN2)).length;
    const notices = botMessages(h, privateChat(ADMIN2)).filter((m) => /invite for Grace Hopper/.test(m.text ?? ""));
    const notice = notices.at(-1);
    assert.ok(notice);
    // Not an admin: refused (a forged press: staff never see this message).
    assert.equal(
      (await answerTo(h, STAFF, notice, { forged: "stf:undo:0A0A0A03:2001" })).text,
      "Only an admin can do that.",
    );
    assert.equal((await h.storage.staff.getByTelegramId(GRACE.id))?.cardUid, "0A0A0A03");

    await press(h, ADMIN2, notice, { text: "↩️ Undo" }, /Barbara undid the link/, privateChat(ADMIN2));
    assert.equal(await h.storage.staff.getByTelegramId(GRACE.id), undefined);
    assert.equal((await h.storage.staff.getByUid("0A0A0A03"))?.telegramUserId, undefined);
    await say(h, GRACE, "/status", /private console/);
    const audit = await h.storage.audit.latest("test-room", 3);
    const unlink = audit.find((a) => a.action === "unlink");
    assert.equal(unlink?.userId, ADMIN2.id);
    assert.match(unlink?.detail ?? "", /0A0A0A03 Grace Hopper 2001/);
    assert.ok(botMessages(h, privateChat(ADMIN2)).length > fromAdmin2);
    assert.equal(
      h.api.messages(ADMIN2.id).find((m) => m.message_id === notice.message_id)?.reply_markup,
      undefined,
      "the Undo button is gone",
    );

    // Pressed again (the same old button, e.g. on another device): a toast, nothing else.
    const again = await answerTo(h, ADMIN2, notice, { forged: "stf:undo:0A0A0A03:2001" });
    assert.match(again.text ?? "", /Nothing to undo/);

    // Relinked through a new invite: the old Undo must not undo the new link.
    const token = await inviteFromStaff("Grace Hopper");
    await say(h, GRACE, `/start ${token}`, /Welcome, Grace Hopper!/);
    const stale = await answerTo(h, ADMIN2, notice, { forged: "stf:undo:0A0A0A03:9999" });
    assert.match(stale.text ?? "", /Nothing to undo/);
    assert.equal((await h.storage.staff.getByTelegramId(GRACE.id))?.cardUid, "0A0A0A03");
  });

  test("an invite for a card that is linked meanwhile is refused: nothing changes, the refusal is audited", async () => {
    await h.storage.staff.add(card("0A0A0A04", "Ada Lovelace"));
    const first = await inviteFromStaff("Ada Lovelace");
    const second = await inviteFromStaff("Ada Lovelace");
    const KATE: TestUser = { id: 2004, first_name: "Kate", language_code: "en" };
    await say(h, KATE, `/start ${first}`, /Welcome, Ada Lovelace!/);
    await say(
      h,
      STRANGER,
      `/start ${second}`,
      /This card is already linked to a Telegram account\. An admin must unlink it first/,
    );
    assert.equal((await h.storage.staff.getByUid("0A0A0A04"))?.telegramUserId, KATE.id);
    assert.equal(await h.storage.staff.getByTelegramId(STRANGER.id), undefined);
    await say(h, STRANGER, "/status", /private console|user id/);
    const audit = await h.storage.audit.latest("test-room", 5);
    const refused = audit.find((a) => a.action === "link-refused");
    assert.equal(refused?.userId, STRANGER.id);
    assert.match(refused?.detail ?? "", /0A0A0A04 card-linked/);
    assert.ok(logs.some((l) => l.msg === "invite redemption refused" && l.reason === "card-linked"));
  });

  test("an invite for a card revoked meanwhile is refused and links nothing", async () => {
    await h.storage.staff.add(card("0A0A0A05", "Dora Revoked"));
    const token = await inviteFromStaff("Dora Revoked");
    await h.storage.staff.setActive("0A0A0A05", false, ADMIN.id, h.clock.now().getTime());
    const DORA: TestUser = { id: 2005, first_name: "Dora", language_code: "en" };
    await say(h, DORA, `/start ${token}`, /This card has been revoked/);
    const stored = await h.storage.staff.getByUid("0A0A0A05");
    assert.equal(stored?.telegramUserId, undefined, "the record did not change");
    assert.equal(await h.storage.staff.getByTelegramId(DORA.id), undefined);
    const audit = await h.storage.audit.latest("test-room", 5);
    assert.match(audit.find((a) => a.action === "link-refused")?.detail ?? "", /0A0A0A05 revoked/);
  });

  test("/staff Unlink: asks first; Keep changes nothing; Yes unlinks (audited) and the 🔗 button is back", async () => {
    const list = await say(h, ADMIN, "/staff", /Staff cards/);
    assert.ok(
      inlineButtons(list).some((b) => b.text === "✂️ Unlink Ada Lovelace's Telegram"),
      "linked cards have Unlink",
    );
    assert.ok(!inlineButtons(list).some((b) => b.text === "🔗 Invite link for Ada Lovelace"), "and no invite");
    const ask = await press(
      h,
      ADMIN,
      list,
      { text: "✂️ Unlink Ada Lovelace's Telegram" },
      /Unlink the Telegram account \(id 2004\) from the card of Ada Lovelace \(0A:0A:0A:04\)\?/,
      privateChat(ADMIN),
    );
    assert.equal((await h.storage.staff.getByUid("0A0A0A04"))?.telegramUserId, 2004, "not before confirming");
    // Staff pressing the admin's button: refused.
    assert.equal((await answerTo(h, STAFF, ask, { text: "✂️ Yes, unlink" })).text, "Only an admin can do that.");
    h.api.pressButton(ADMIN, ask, { text: "Keep as is" });
    await h.api.waitFor(() =>
      h.api.messages(ADMIN.id).find((m) => m.message_id === ask.message_id && m.text === "Nothing changed."),
    );
    assert.equal((await h.storage.staff.getByUid("0A0A0A04"))?.telegramUserId, 2004);

    const list2 = await say(h, ADMIN, "/staff", /Staff cards/);
    const ask2 = await press(
      h,
      ADMIN,
      list2,
      { text: "✂️ Unlink Ada Lovelace's Telegram" },
      /Unlink the Telegram account/,
      privateChat(ADMIN),
    );
    h.api.pressButton(ADMIN, ask2, { text: "✂️ Yes, unlink" });
    await h.api.waitFor(() =>
      /was unlinked from the card of Ada Lovelace/.test(
        h.api.messages(ADMIN.id).find((m) => m.message_id === ask2.message_id)?.text ?? "",
      )
        ? true
        : undefined,
    );
    assert.equal((await h.storage.staff.getByUid("0A0A0A04"))?.telegramUserId, undefined);
    assert.equal(await h.storage.staff.getByTelegramId(2004), undefined);
    const audit = await h.storage.audit.latest("test-room", 3);
    assert.ok(audit.some((a) => a.action === "unlink" && a.userId === ADMIN.id && a.detail?.startsWith("0A0A0A04")));
    // The same confirmation pressed again: nothing to unlink any more.
    const again = await answerTo(h, ADMIN, ask2, { forged: "stf:do:unlink:0A0A0A04:2004" });
    assert.match(again.text ?? "", /no longer linked/);
    assert.match(
      h.api.messages(ADMIN.id).find((m) => m.message_id === ask2.message_id)?.text ?? "",
      /was unlinked from the card of Ada Lovelace/,
      "the record of what was done stays",
    );
    const list3 = await say(h, ADMIN, "/staff", /Staff cards/);
    assert.ok(
      inlineButtons(list3).some((b) => b.text === "🔗 Invite link for Ada Lovelace"),
      "invite possible again",
    );
  });
});
