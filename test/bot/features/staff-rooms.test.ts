/**
 * /staff rooms NAME dc-1,dc-2 | all: an admin limits a card to some rooms (audited, shown in
 * /staff); staff may not; bad lists, unknown and ambiguous names change nothing. Then the
 * door of this room (test-room) refuses the card once its list leaves this room out: the
 * access log says "wrong-room", the LCD says so, and the staff group gets the alert.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { botChat } from "../../support/bot-chat.ts";
import { ADMIN, type ConsoleHarness, STAFF, STAFF_GROUP, startConsoleHarness } from "../../support/console-harness.ts";

const { expectBot, say } = botChat();
const LINUS = "04A1B2C3D4E5F6";
const MARGARET = "DEADBEEF";
const MARK = "0A0B0C0D";

describe("/staff rooms: the rooms a card opens", () => {
  let h: ConsoleHarness;
  const answer = (text: string, user = ADMIN) => say(h, user, text, () => true).then((m) => m.text ?? "");
  before(async () => {
    // Tuesday 10:00 UTC: within office hours.
    h = await startConsoleHarness({ startAt: "2026-11-24T10:00:00Z", lcdMessageMs: 60_000 });
    const base = { role: "staff" as const, active: true, createdBy: ADMIN.id, createdAt: h.clock.now().getTime() };
    await h.storage.staff.add({ ...base, cardUid: LINUS, name: "Linus", telegramUserId: STAFF.id });
    await h.storage.staff.add({ ...base, cardUid: MARGARET, name: "Margaret Hamilton" });
    await h.storage.staff.add({ ...base, cardUid: MARK, name: "Mark" });
  });
  after(async () => {
    await h.stop();
  });

  test("an admin limits a card to some rooms: stored, audited, shown in /staff", async () => {
    const text = await answer("/staff rooms Margaret Hamilton dc-2, DC-1");
    assert.match(
      text,
      /The card of Margaret Hamilton \(DE:AD:BE:EF\) now opens dc-1, dc-2 \(set by Ada at 2026-11-24 10:00\)/,
    );
    assert.deepEqual((await h.storage.staff.getByUid(MARGARET))?.rooms, ["dc-1", "dc-2"]);
    const [audit] = await h.storage.audit.latest("test-room", 1);
    assert.deepEqual(
      [audit?.action, audit?.userId, audit?.detail],
      ["staff-rooms", ADMIN.id, "DEADBEEF Margaret Hamilton: * -> dc-1,dc-2"],
    );
    const list = await answer("/staff");
    assert.match(list, /Margaret Hamilton · staff · DE:AD:BE:EF · 🚪 dc-1, dc-2/);
    assert.match(list, /Linus · staff · 04:A1:B2:C3:D4:E5:F6 · 💬/, "an unlimited card shows no rooms");
    assert.match(
      await answer("/staff rooms margaret hamilton dc-1,dc-2"),
      /already opens dc-1, dc-2\. Nothing changed/,
    );
  });

  test("refusals change nothing: staff, a bad list, no such card, several cards", async () => {
    assert.match(await answer("/staff rooms Linus dc-1", STAFF), /Only an admin/);
    assert.equal((await h.storage.staff.getByUid(LINUS))?.rooms, undefined);
    assert.match(await answer("/staff rooms Linus"), /Usage: \/staff rooms NAME dc-1,dc-2/);
    assert.match(await answer("/staff rooms Linus dc-1,../x"), /is not a list of rooms.*Nothing changed/);
    assert.match(await answer("/staff rooms Linus -x"), /is not a list of rooms/);
    assert.match(await answer("/staff rooms Nobody dc-1"), /No card matches Nobody\. Nothing changed/);
    assert.match(
      await answer("/staff rooms Ma dc-1"),
      /Several cards match Ma: Margaret Hamilton \(DE:AD:BE:EF\), Mark \(0A:0B:0C:0D\)\. .*Nothing changed/,
    );
    assert.equal((await h.storage.staff.getByUid(MARK))?.rooms, undefined);
    // A card UID names the card too.
    assert.match(await answer("/staff rooms 0a:0b:0c:0d all"), /already opens every room/);
  });

  test("this room's door refuses a card limited to other rooms: log, LCD, alert; 'all' opens it again", async () => {
    const tap = async (uid: string) => {
      h.clock.advance(2_000);
      assert.equal(h.reader.tap(uid), true);
      await h.door.idle();
      await h.alerts.engine.idle();
      return (await h.storage.accessLog.latest("test-room", 1))[0];
    };
    const refused = await tap(MARGARET);
    assert.deepEqual([refused?.decision, refused?.staffName], ["wrong-room", "Margaret Hamilton"]);
    assert.match(h.display.text(), /Not this room\s*\nMargaret Hamilt/);
    await expectBot(
      h,
      STAFF_GROUP,
      /Card of Margaret Hamilton \(DE:AD:BE:EF\) at this room's door at \d\d:\d\d: it does not open this room\. Access denied\./,
    );
    assert.match(await answer("/access 1"), /🚫 Margaret Hamilton · not for this room/);

    assert.match(await answer("/staff rooms Margaret Hamilton all"), /now opens every room/);
    assert.equal((await h.storage.staff.getByUid(MARGARET))?.rooms, undefined);
    assert.equal((await tap(MARGARET))?.decision, "allowed");
    assert.match(await answer("/staff rooms Margaret Hamilton test-room"), /now opens test-room/);
    assert.equal((await tap(MARGARET))?.decision, "allowed");
  });
});
