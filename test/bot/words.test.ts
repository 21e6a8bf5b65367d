/**
 * What staff read, end to end (updates in through the local Bot API server, the bot's
 * calls out): counts in their plural form, card UIDs in one form everywhere (chat, alerts
 * and the local panel), /staff buttons that say what they do, the refusals to revoke your
 * own card or the last admin card, and /help without setting names, its commands tappable.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { StaffMember } from "../../core/door/ports.ts";
import { inlineButtons, type RecordedMessage, type TestUser } from "../../local/bot-api/server.ts";
import { createHardwarePanel } from "../../local/hardware-panel.ts";
import { botChat } from "../support/bot-chat.ts";
import {
  ADMIN,
  type ConsoleHarness,
  privateChat,
  STAFF,
  STAFF_GROUP,
  STAFF_JA,
  startConsoleHarness,
} from "../support/console-harness.ts";

const { botMessages, expectBot } = botChat();

/** Presses the button labelled `text` on `message` and waits for the bot's new message matching `re`. */
function press(h: ConsoleHarness, user: TestUser, message: RecordedMessage, text: string, re: RegExp) {
  const chat = privateChat(user);
  const from = botMessages(h, chat).length;
  h.api.pressButton(user, message, { text });
  return expectBot(h, chat, re, from);
}

/** The commands Telegram makes tappable in a message (bot_command entities). */
const tappable = (m: RecordedMessage) =>
  (m.entities ?? [])
    .filter((e) => e.type === "bot_command")
    .map((e) => (m.text ?? "").slice(e.offset, e.offset + e.length));

describe("what staff read: counts, card UIDs, /staff buttons, /help", () => {
  let h: ConsoleHarness;
  const card = (cardUid: string, name: string, extra: Partial<StaffMember> = {}): StaffMember => ({
    cardUid,
    name,
    role: "staff",
    active: true,
    createdBy: ADMIN.id,
    createdAt: h.clock.now().getTime(),
    ...extra,
  });

  before(async () => {
    h = await startConsoleHarness({ env: { BACKUP_AT: "03:00" } });
  });
  after(async () => {
    await h.stop();
  });

  test("/alerts counts 1 open incident, then 2 open incidents; Japanese counts in 件; /ack says how many", async () => {
    assert.match((await h.ask(STAFF, "/alerts")).text ?? "", /No open incidents/);
    let from = botMessages(h, STAFF_GROUP).length;
    h.reader.kill("SPI timeout");
    await h.door.idle();
    await h.alerts.engine.idle();
    await expectBot(h, STAFF_GROUP, /card reader is not answering/, from);
    assert.match((await h.ask(STAFF, "/alerts")).text ?? "", /^1 open incident · test-room$/m);

    from = botMessages(h, STAFF_GROUP).length;
    h.motion.kill("GPIO 17 read failed");
    await expectBot(h, STAFF_GROUP, /motion sensor is not working/, from);
    assert.match((await h.ask(STAFF, "/alerts")).text ?? "", /^2 open incidents · test-room$/m);
    assert.match((await h.ask(STAFF_JA, "/alerts")).text ?? "", /^未解決のインシデント 2 件 · test-room$/m);
    assert.equal((await h.ask(STAFF, "/ack")).text, "Acknowledged 2 incidents.");

    h.reader.revive();
    h.motion.revive();
    await h.door.idle();
    await h.alerts.engine.idle();
  });

  test("a card UID reads 66:1B:4F:1F in the door alert, /access, /staff and the local panel; both forms are one card", async () => {
    const panel = createHardwarePanel({
      config: h.config,
      storage: h.storage,
      room: h.room,
      devices: { climate: h.sensor, cards: h.reader, display: h.display, camera: h.camera, motion: h.motion },
      fleet: undefined,
      clock: h.clock,
    });
    const tap = async (uid: string) => {
      h.clock.advance(2_000); // past the reader's de-bounce
      const answer = await panel.act({ device: "door", action: "tap", uid });
      await h.door.idle();
      await h.alerts.engine.idle();
      return answer.info;
    };
    const from = botMessages(h, STAFF_GROUP).length;
    assert.equal(await tap("66:1b:4f:1f"), "Card 66:1B:4F:1F tapped at the door.");
    await expectBot(h, STAFF_GROUP, /Unknown card 66:1B:4F:1F at the door/, from);
    assert.equal(await tap("661B4F1F"), "Card 66:1B:4F:1F tapped at the door.");
    assert.deepEqual(
      (await h.storage.accessLog.latest("test-room", 2)).map((e) => e.cardUid),
      ["661B4F1F", "661B4F1F"],
      "the shown form and the compact form are the same card",
    );

    const access = await h.ask(STAFF, "/access 2");
    assert.deepEqual(
      (access.text ?? "")
        .split("\n")
        .slice(2)
        .map((l) => l.slice(17)),
      ["❓ 66:1B:4F:1F · unknown card", "❓ 66:1B:4F:1F · unknown card"],
    );

    await h.storage.staff.add(card("661B4F1F", "Grace Hopper"));
    assert.match((await h.ask(ADMIN, "/staff")).text ?? "", /Grace Hopper · staff · 66:1B:4F:1F/);
    assert.deepEqual(
      (await panel.state()).door.cards.map((c) => `${c.name} ${c.uid}`),
      ["Grace Hopper 66:1B:4F:1F"],
    );
  });

  test("/staff buttons say what they do and to whom, a button a row, long names cut to fit", async () => {
    await h.storage.staff.add(card("0A0B0C0D", "Konrad Zuse", { active: false }));
    await h.storage.staff.add(card("0A0B0C0E", "Linus Torvalds", { telegramUserId: STAFF.id }));
    await h.storage.staff.add(card("0A0B0C0F", "Maximilian Alexander von Humboldt"));
    const list = await h.ask(ADMIN, "/staff");
    assert.deepEqual(
      inlineButtons(list).map((b) => b.text),
      [
        "⛔ Revoke Grace Hopper's card",
        "🔗 Invite link for Grace Hopper",
        "♻️ Restore Konrad Zuse's card",
        "⛔ Revoke Linus Torvalds's card",
        "✂️ Unlink Linus Torvalds's Telegram",
        "⛔ Revoke Maximilian Alexander vo…'s card",
        "🔗 Invite link for Maximilian Alexander vo…",
      ],
    );
    const rows = list.reply_markup && "inline_keyboard" in list.reply_markup ? list.reply_markup.inline_keyboard : [];
    assert.ok(
      rows.every((row) => row.length === 1),
      "each button has a row to itself",
    );
    // And they do what they say.
    const ask = await press(h, ADMIN, list, "♻️ Restore Konrad Zuse's card", /Restore the card of Konrad Zuse/);
    assert.match(ask.text ?? "", /\(0A:0B:0C:0D\)/);
  });

  test("an admin cannot revoke the last admin card: a clear refusal, and nothing to confirm", async () => {
    await h.storage.staff.add(card("0B0B0B0B", "Barbara Liskov", { role: "admin" }));
    const list = await h.ask(ADMIN, "/staff");
    const refusal = await press(h, ADMIN, list, "⛔ Revoke Barbara Liskov's card", /last active admin card/);
    assert.equal(
      refusal.text,
      "⛔ The card of Barbara Liskov (0B:0B:0B:0B) is the last active admin card: revoking it would leave no admin card. Enroll another admin card first (/enroll), then revoke this one. Nothing changed.",
    );
    assert.deepEqual(inlineButtons(refusal), [], "nothing to confirm");
    assert.ok(tappable(refusal).includes("/enroll"));
    assert.equal((await h.storage.staff.getByUid("0B0B0B0B"))?.active, true);
  });

  test("an admin cannot revoke their own card: a clear refusal; checked again when a revoke is confirmed", async () => {
    // Ada's own card, linked to her account: Barbara's card is no longer the last admin card.
    await h.storage.staff.add(card("0A0A0A0A", "Ada Lovelace", { role: "admin", telegramUserId: ADMIN.id }));
    const list = await h.ask(ADMIN, "/staff");
    const refusal = await press(h, ADMIN, list, "⛔ Revoke Ada Lovelace's card", /your own card/);
    assert.equal(
      refusal.text,
      "⛔ You cannot revoke your own card (Ada Lovelace, 0A:0A:0A:0A): it would take your door access and your role with it. Another admin can revoke it. Nothing changed.",
    );
    assert.deepEqual(inlineButtons(refusal), [], "nothing to confirm");
    assert.equal((await h.storage.staff.getByUid("0A0A0A0A"))?.active, true);

    // Barbara's card may go now, and the question is asked; but another admin revokes Ada's
    // card before the answer: confirmed, it would be the last admin card, so it is refused.
    const ask = await press(h, ADMIN, list, "⛔ Revoke Barbara Liskov's card", /Revoke the card of Barbara Liskov/);
    await h.storage.staff.setActive("0A0A0A0A", false, 1099, h.clock.now().getTime());
    h.api.pressButton(ADMIN, ask, { text: "⛔ Yes, revoke" });
    const edited = await h.api.waitFor(() =>
      h.api
        .messages(ADMIN.id)
        .find((m) => m.message_id === ask.message_id && /last active admin card/.test(m.text ?? "")),
    );
    assert.deepEqual(inlineButtons(edited), []);
    assert.equal((await h.storage.staff.getByUid("0B0B0B0B"))?.active, true);
  });

  test("/help names no settings: it says when the nightly backup runs; its commands are tappable", async () => {
    const setting = /\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b/;
    const help = await h.ask(STAFF, "/help");
    assert.doesNotMatch(help.text ?? "", setting);
    assert.match(help.text ?? "", /^\/backup – back up the database now \(admins; nightly at 03:00 anyway\)$/m);
    for (const command of ["/status", "/access", "/staff", "/backup", "/mute", "/unmute", "/help"]) {
      assert.ok(tappable(help).includes(command), `${command} is tappable in /help`);
    }
    const ja = await h.ask(STAFF_JA, "/help");
    assert.doesNotMatch(ja.text ?? "", setting);
    assert.match(ja.text ?? "", /毎晩 03:00 にも実行/);

    // A usage answer names its command plainly, so a tap sends it.
    assert.deepEqual(tappable(await h.ask(STAFF, "/mute forever")), ["/mute"]);
    // The staff-only refusal asks for an admin, not for a setting.
    const viewer: TestUser = { id: 4004, first_name: "Vera", language_code: "en" };
    const from = botMessages(h, STAFF_GROUP).length;
    h.api.sendMessage(viewer, STAFF_GROUP, "/staff");
    const refusal = await expectBot(h, STAFF_GROUP, /Only staff can do that/, from);
    assert.equal(
      refusal.text,
      "Only staff can do that. If you should have access, ask an admin to add you as staff (your Telegram user id is 4004).",
    );
  });

  test('nothing the bot sent in these chats says "(s)"', () => {
    for (const chat of [privateChat(ADMIN), privateChat(STAFF), privateChat(STAFF_JA), STAFF_GROUP]) {
      const hits = botMessages(h, chat).filter((m) => /\(s\)/.test(m.text ?? m.caption ?? ""));
      assert.deepEqual(
        hits.map((m) => m.text ?? m.caption),
        [],
      );
    }
  });
});
