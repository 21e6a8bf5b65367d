/**
 * The door commands over the local Bot API: /access, /who, /export access and /staff, on an
 * access log filled by taps on the simulated card reader (the door job judges them as always).
 * The door itself (breaches, unknown and revoked cards, the LCD, the reader's health) is
 * tested end to end in test/e2e/door.test.ts.
 */
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import type { TestUser } from "../../../local/bot-api/server.ts";
import { botChat } from "../../support/bot-chat.ts";
import {
  ADMIN,
  type ConsoleHarness,
  privateChat,
  STAFF,
  STAFF_GROUP,
  startConsoleHarness,
} from "../../support/console-harness.ts";

const { botMessages, expectBot, say } = botChat();

async function tap(h: ConsoleHarness, uid: string): Promise<void> {
  h.clock.advance(2_000); // past the reader's de-bounce
  assert.equal(h.reader.tap(uid), true, `tap ${uid}`);
  await h.door.idle();
  await h.alerts.engine.idle();
}

const LINUS = "04A1B2C3D4E5F6";
const MARGARET = "DEADBEEF";

async function enrollDirectly(h: ConsoleHarness): Promise<void> {
  const base = { role: "staff" as const, active: true, createdBy: ADMIN.id, createdAt: h.clock.now().getTime() };
  await h.storage.staff.add({ ...base, cardUid: LINUS, name: "Linus", telegramUserId: STAFF.id });
  await h.storage.staff.add({ ...base, cardUid: MARGARET, name: "Margaret Hamilton" });
}

describe("door commands: /access, /who, /export access, /staff", () => {
  let h: ConsoleHarness;
  before(async () => {
    h = await startConsoleHarness({ startAt: "2026-11-24T06:00:00Z" });
    await enrollDirectly(h);
    await tap(h, MARGARET); // 06:00: off hours
    h.clock.set("2026-11-24T08:00:00Z");
    for (let i = 0; i < 12; i++) await tap(h, i % 2 === 0 ? LINUS : "0BADC0DE");
  });
  after(async () => {
    await h.stop();
  });
  afterEach(async () => {
    await h.api.waitForIdle();
  });

  test("/access shows the latest entries newest first, with an Older button that pages", async () => {
    const page = await say(h, STAFF, "/access 5", /latest 5 door entries/);
    const lines = (page.text ?? "").split("\n").slice(2);
    assert.equal(lines.length, 5);
    assert.match(lines[0] ?? "", /08:00 ❓ 0B:AD:C0:DE · unknown card/);
    assert.match(lines[1] ?? "", /08:00 ✅ Linus · allowed/);
    const from = botMessages(h, privateChat(STAFF)).length;
    h.api.pressButton(STAFF, page, { text: "⬇️ Older" });
    const older = await expectBot(h, privateChat(STAFF), /latest 5 door entries/, from);
    assert.notEqual(older.message_id, page.message_id);
    const olderLines = (older.text ?? "").split("\n").slice(2);
    assert.equal(olderLines.length, 5);
    // 13 entries: pages of 5, 5, 3; the last page has no Older button.
    const from2 = botMessages(h, privateChat(STAFF)).length;
    h.api.pressButton(STAFF, older, { text: "⬇️ Older" });
    const last = await expectBot(h, privateChat(STAFF), /latest 3 door entries/, from2);
    assert.match(last.text ?? "", /06:00 🚨 Margaret Hamilton · off hours \(breach\)/);
    assert.equal(last.reply_markup, undefined);
  });

  test("/access with a bad count or an unknown name says what to do", async () => {
    await say(h, STAFF, "/access 0", /number from 1 to 50, or a name/);
    await say(h, STAFF, "/access 51", /number from 1 to 50/);
    await say(h, STAFF, "/access Nobody <i>", /Nobody called Nobody <i> has a card/);
  });

  test("/access NAME shows one person's entries; a name is matched case-insensitively", async () => {
    const page = await say(h, STAFF, "/access margaret", /Margaret Hamilton at test-room · the latest entry\n/);
    assert.match(page.text ?? "", /off hours \(breach\)/);
    assert.doesNotMatch(page.text ?? "", /Linus/);
  });

  test("/who lists who came in today with first and last entry; unknown cards are not people", async () => {
    const who = await say(h, STAFF, "/who", /today · 2 people/);
    assert.match(who.text ?? "", /Margaret Hamilton 06:00–06:00 \(1×\) 🚨/);
    assert.match(who.text ?? "", /Linus 08:00–08:00 \(6×\)/);
    assert.doesNotMatch(who.text ?? "", /0BADC0DE|0B:AD:C0:DE/);
  });

  test("/export access sends the log as CSV; bad arguments get the usage", async () => {
    await say(h, STAFF, "/export", /Usage: \/export access \[days\]/);
    await say(h, STAFF, "/export access 0", /Usage/);
    const doc = await say(h, STAFF, "/export access 7", /Door log: 13 entries from the last 7 days\./);
    assert.equal(doc.media?.kind, "document");
    assert.equal(doc.media?.filename, "access-test-room-7d.csv");
    const csv = doc.media?.bytes?.toString("utf8") ?? "";
    const rows = csv.trimEnd().split("\r\n");
    assert.equal(rows[0], "time_utc,time_local,room,card_uid,name,decision");
    assert.equal(rows.length, 14);
    assert.match(
      rows[1] ?? "",
      /^2026-11-24T06:00:0\d\.\d{3}Z,2026-11-24 06:00:0\d,test-room,DE:AD:BE:EF,Margaret Hamilton,off-hours$/,
    );
  });

  test("/staff lists cards; only admins get buttons, and a revoke asks first, then takes effect", async () => {
    const list = await say(h, STAFF, "/staff", /Staff cards · 2 active, 0 revoked/);
    assert.equal(list.reply_markup, undefined, "no buttons for staff");

    const adminList = await say(h, ADMIN, "/staff", /Staff cards · 2 active/);
    const ask = await (async () => {
      const from = botMessages(h, privateChat(ADMIN)).length;
      h.api.pressButton(ADMIN, adminList, { text: "⛔ Revoke Margaret Hamilton's card" });
      return expectBot(h, privateChat(ADMIN), /Revoke the card of Margaret Hamilton \(DE:AD:BE:EF\)\?/, from);
    })();
    assert.equal((await h.storage.staff.getByUid(MARGARET))?.active, true, "not before confirming");

    // A staff member pressing an admin's button is refused.
    const stray = h.api.pressButton(
      STAFF,
      { chat_id: ask.chat_id, message_id: ask.message_id },
      { text: "⛔ Yes, revoke" },
    );
    const refusal = await h.api.waitFor(() =>
      h.api.callbackAnswers.find((a) => a.callback_query_id === stray.callback_query?.id),
    );
    assert.equal(refusal.text, "Only an admin can do that.");
    assert.equal((await h.storage.staff.getByUid(MARGARET))?.active, true);

    h.api.pressButton(ADMIN, ask, { text: "⛔ Yes, revoke" });
    await h.api.waitFor(
      () =>
        /was revoked by Ada/.test(h.api.messages(ADMIN.id).find((m) => m.message_id === ask.message_id)?.text ?? "") ||
        undefined,
    );
    assert.equal((await h.storage.staff.getByUid(MARGARET))?.active, false);
    const audit = await h.storage.audit.latest("test-room", 3);
    assert.ok(audit.some((a) => a.action === "revoke" && a.userId === ADMIN.id && a.detail?.startsWith(MARGARET)));
    await tap(h, MARGARET);
    assert.equal((await h.storage.accessLog.latest("test-room", 1))[0]?.decision, "revoked");

    // Restore, but change your mind first: nothing changes.
    const again = await say(h, ADMIN, "/staff", /1 active, 1 revoked/);
    const from = botMessages(h, privateChat(ADMIN)).length;
    h.api.pressButton(ADMIN, again, { text: "♻️ Restore Margaret Hamilton's card" });
    const askRestore = await expectBot(h, privateChat(ADMIN), /Restore the card of Margaret Hamilton/, from);
    h.api.pressButton(ADMIN, askRestore, { text: "Keep as is" });
    await h.api.waitFor(() =>
      h.api.messages(ADMIN.id).find((m) => m.message_id === askRestore.message_id && m.text === "Nothing changed."),
    );
    assert.equal((await h.storage.staff.getByUid(MARGARET))?.active, false);
  });

  test("/staff is not for viewers (unlisted members of the staff group): card UIDs stay among staff", async () => {
    const VIEWER: TestUser = { id: 4004, first_name: "Vera", language_code: "en" };
    const reply = await say(h, VIEWER, "/staff", /Only staff can do that/, STAFF_GROUP);
    assert.doesNotMatch(reply.text ?? "", /DEADBEEF|DE:AD:BE:EF/);
    await say(h, VIEWER, "/who", /today/, STAFF_GROUP); // reading the door log is fine
  });

  test("revoking a linked card takes the person's Telegram role away", async () => {
    await say(h, STAFF, "/status", /test-room · climate/); // STAFF_IDS: still staff by config
    const NEW: TestUser = { id: 3003, first_name: "Katherine", language_code: "en" };
    await h.storage.staff.add({
      cardUid: "0A0A0A0A",
      name: "Katherine",
      role: "staff",
      active: true,
      createdBy: ADMIN.id,
      createdAt: h.clock.now().getTime(),
      telegramUserId: NEW.id,
    });
    await say(h, NEW, "/status", /test-room · climate/);
    await h.storage.staff.setActive("0A0A0A0A", false, ADMIN.id, h.clock.now().getTime());
    await say(h, NEW, "/status", /private console|user id is 3003/);
  });
});
