/**
 * The door end to end: simulated card reader -> door job (policy, access log) -> LCD and
 * alert pipeline -> staff group. The clock is injected: 02:00 is a breach, 10:00 is not.
 * The door commands (/access, /who, /export, /staff) are tested in
 * test/bot/features/access.test.ts.
 */
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import { botChat } from "../support/bot-chat.ts";
import { ADMIN, type ConsoleHarness, STAFF, STAFF_GROUP, startConsoleHarness } from "../support/console-harness.ts";

const { botMessages, expectBot } = botChat();

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

describe("door: breaches, unknown and revoked cards, the LCD, the reader's health", () => {
  let h: ConsoleHarness;
  before(async () => {
    // Tuesday 02:00 UTC: outside the default office hours (07:00-19:00).
    h = await startConsoleHarness({ startAt: "2026-11-24T02:00:00Z", lcdMessageMs: 60_000 });
    await enrollDirectly(h);
  });
  after(async () => {
    await h.stop();
  });
  afterEach(async () => {
    await h.api.waitForIdle();
  });

  test("a known card at 02:00 is a breach: logged, shown on the LCD, alerted in the group", async () => {
    await tap(h, "de:ad:be:ef");
    const [entry] = await h.storage.accessLog.latest("test-room", 1);
    assert.deepEqual([entry?.cardUid, entry?.decision, entry?.staffName], [MARGARET, "off-hours", "Margaret Hamilton"]);
    assert.match(h.display.text(), /Off-hours entry\s*\nMargaret Hamilt/);
    const alert = await expectBot(h, STAFF_GROUP, /Entry outside office hours: Margaret Hamilton \(card DE:AD:BE:EF\)/);
    assert.ok(alert.reply_markup && "inline_keyboard" in alert.reply_markup, "with Acknowledge / Mute buttons");
  });

  test("an unknown card is denied and alerted; a revoked card too, each its own alert", async () => {
    await tap(h, "11223344");
    const [unknown] = await h.storage.accessLog.latest("test-room", 1);
    assert.deepEqual([unknown?.decision, unknown?.staffName], ["unknown", undefined]);
    assert.match(h.display.text(), /Unknown card\s*\nAccess denied/);
    await expectBot(h, STAFF_GROUP, /Unknown card 11:22:33:44 at the door at \d\d:\d\d/);

    await h.storage.staff.setActive(MARGARET, false, ADMIN.id, h.clock.now().getTime());
    await tap(h, MARGARET);
    const [revoked] = await h.storage.accessLog.latest("test-room", 1);
    assert.equal(revoked?.decision, "revoked");
    assert.match(h.display.text(), /Access denied\s*\nMargaret Hamilt/);
    await expectBot(h, STAFF_GROUP, /Revoked card of Margaret Hamilton \(DE:AD:BE:EF\) at the door/);
    await h.storage.staff.setActive(MARGARET, true, ADMIN.id, h.clock.now().getTime());
  });

  test("a card matching only by a prefix or in another case is not trusted", async () => {
    await tap(h, "04A1B2C3"); // the first 4 bytes of Linus's 7-byte UID: another card
    const [entry] = await h.storage.accessLog.latest("test-room", 1);
    assert.equal(entry?.decision, "unknown");
  });

  test("the same card at 10:00 is allowed: logged, greeted, no alert", async () => {
    h.clock.set("2026-11-24T10:00:00Z");
    const before = botMessages(h, STAFF_GROUP).length;
    await tap(h, LINUS);
    const [entry] = await h.storage.accessLog.latest("test-room", 1);
    assert.deepEqual([entry?.decision, entry?.staffName], ["allowed", "Linus"]);
    assert.match(h.display.text(), /Welcome,\s*\nLinus/);
    await h.api.waitForIdle();
    assert.equal(botMessages(h, STAFF_GROUP).length, before, "an allowed entry raises nothing");
  });

  test("the reader dying is an incident; its recovery is posted as a reply", async () => {
    h.reader.kill("SPI timeout");
    await h.door.idle();
    await h.alerts.engine.idle();
    const dead = await expectBot(h, STAFF_GROUP, /card reader is not answering: SPI timeout/);
    assert.ok(h.alerts.engine.openIncidents().some((i) => i.rule === "reader.dead"));
    h.reader.revive();
    await h.door.idle();
    await h.alerts.engine.idle();
    const back = await expectBot(h, STAFF_GROUP, /card reader is answering again/);
    assert.equal(back.reply_to_message_id, dead.message_id);
    assert.ok(!h.alerts.engine.openIncidents().some((i) => i.rule === "reader.dead"));
  });

  test("a failing LCD does not stop the door: the entry is still logged and judged", async () => {
    h.display.fail(Number.POSITIVE_INFINITY);
    await tap(h, LINUS);
    const [entry] = await h.storage.accessLog.latest("test-room", 1);
    assert.equal(entry?.decision, "allowed");
    h.display.repair();
  });
});
