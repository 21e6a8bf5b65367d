/**
 * The hub's bot acting on another room, end to end: a real mosquitto on 127.0.0.1 (TLS,
 * client certificates, the site's ACL), the hub (ROLE=hub, its own room "test-room") and a
 * room "dc-1", each the product's wiring (app/compose-room.ts + app/site.ts) with simulated
 * devices, each with its local Bot API server. Updates go into the hub's bot; what comes out
 * is the hub's Bot API calls, and what happened in dc-1 (its media store, its watch, its
 * card reader).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import sharp from "sharp";
import { createRoomAgent } from "../../../channels/mqtt/room-agent.ts";
import { silentLogger } from "../../../core/logger.ts";
import { isJpeg } from "../../../hardware/camera/media.ts";
import { inlineButtons, type RecordedMessage } from "../../../local/bot-api/server.ts";
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
import { HUB_CN, type Mosquitto, mosquittoMissing, startMosquitto } from "../../support/mosquitto.ts";

const PREFIX = "seroma/hubbot";
const { botMessages, expectBot, say } = botChat({ timeoutMs: 30_000 });

describe("the hub's bot acting on another room (real broker)", { skip: mosquittoMissing }, () => {
  let broker: Mosquitto;
  let hub: ConsoleHarness;
  let dc1: ConsoleHarness;
  /** The texts of the hub bot's answers to button presses. */
  const answers: string[] = [];

  async function press(
    user: typeof ADMIN,
    msg: RecordedMessage,
    text: string,
    probe: RegExp | ((m: RecordedMessage) => boolean),
  ) {
    const from = botMessages(hub, privateChat(user)).length;
    hub.api.pressButton(user, msg, { text });
    return expectBot(hub, privateChat(user), probe, from);
  }

  before(async () => {
    broker = await startMosquitto({ prefix: PREFIX });
    hub = await startConsoleHarness({ env: { ROLE: "hub", ...broker.env(HUB_CN) } });
    dc1 = await startConsoleHarness({
      env: { ROOM_ID: "dc-1", CAMERA_SIZE: "1280x720", ALERT_MIN_DURATION_SECONDS: "0", ...broker.env("dc-1") },
      enrollTimeoutMs: 20_000,
    });
    await dc1.job.sampleNow();
    hub.api.onEvent((e) => {
      if (e.type === "callback_answer") answers.push(e.answer.text ?? "");
    });
    // The hub knows dc-1 once it heard it (its online status, then heartbeats).
    await hub.api.waitFor(() => hub.site?.rooms?.list().some((p) => p.room === "dc-1") || undefined, 20_000);
  });

  after(async () => {
    await dc1?.stop();
    await hub?.stop();
    await broker?.close();
  });

  test("/rooms is in a hub's command menus, not in a single room's", async () => {
    const listed = (h: ConsoleHarness) =>
      [...h.api.commands.values()].some((list) => list.some((c) => c.command === "rooms"));
    await hub.api.waitFor(() => listed(hub) || undefined);
    assert.equal(listed(dc1), false);
  });

  test("/status sums up the site, a button per room; dc-1's button asks it, with its own camera and Refresh", async () => {
    await hub.job.sampleNow();
    const summary = await say(hub, STAFF, "/status", /The site/);
    assert.match(summary.text ?? "", /📍 test-room · 🌡 \d+\.\d °C · 💧 \d+\.\d % · ✅/);
    assert.match(summary.text ?? "", /📍 dc-1 · 🌡 \d+\.\d °C · 💧 \d+\.\d % · ✅/);
    assert.deepEqual(
      inlineButtons(summary).map((b) => b.text),
      ["📍 test-room", "📍 dc-1"],
    );
    const [reading] = await dc1.storage.readings.latest("dc-1", 1);
    const one = await press(STAFF, summary, "📍 dc-1", /^📍 dc-1\n/);
    assert.match(one.text ?? "", new RegExp(`🌡 ${reading?.temperatureC.toFixed(1)} °C`));
    assert.deepEqual(
      inlineButtons(one).map((b) => b.text),
      ["📷 Snapshot", "🎥 Clip 10 s", "🔄 Refresh"],
    );
    // Refresh takes a reading in dc-1 now (its sensor), and edits the message.
    const before = await dc1.storage.readings.count("dc-1");
    const mark = hub.api.mark();
    hub.api.pressButton(STAFF, one, { text: "🔄 Refresh" });
    await hub.api.waitForCall("editMessageText", (c) => /^📍 <b>dc-1<\/b>\n/.test(String(c.params.text)), {
      since: mark,
    });
    assert.equal(await dc1.storage.readings.count("dc-1"), before + 1, "dc-1 took a reading now");
    // The hub's own room: its usual status.
    await press(STAFF, summary, "📍 test-room", /test-room · climate/);
  });

  test("/snapshot asks which room; dc-1's picture comes over MQTT in parts, whole, and is stored in dc-1", async () => {
    const picker = await say(hub, STAFF, "/snapshot", /Which room\?/);
    assert.deepEqual(
      inlineButtons(picker).map((b) => b.text),
      ["📍 test-room", "📍 dc-1"],
    );
    const photo = await press(STAFF, picker, "📍 dc-1", (m) => m.media?.kind === "photo");
    const bytes = photo.media?.bytes;
    assert.ok(bytes && isJpeg(bytes));
    assert.ok(bytes.length > 64 * 1024, `a picture of several parts (${bytes.length} bytes)`);
    const meta = await sharp(bytes).metadata();
    assert.deepEqual([meta.width, meta.height], [1280, 720]);
    assert.match(photo.caption ?? "", /dc-1 · \d\d:\d\d:\d\d · sim/);
    const [stored] = await dc1.storage.media.list("dc-1", { limit: 1 });
    assert.deepEqual([stored?.kind, stored?.reason, stored?.requestedBy], ["snapshot", "request", STAFF.id]);
    assert.deepEqual(await dc1.storage.media.read(stored?.id ?? -1), bytes, "what dc-1 stored is what was sent");
    assert.equal((await hub.storage.media.list("test-room", { limit: 5 })).length, 0, "the hub's camera was not used");
    // Named at once: no question.
    const direct = await say(hub, STAFF, "/snapshot dc-1", (m) => m.media?.kind === "photo");
    assert.match(direct.caption ?? "", /dc-1/);
  });

  test("/clip dc-1 2 records in dc-1 and sends the clip", async () => {
    const clip = await say(
      hub,
      STAFF,
      "/clip dc-1 2",
      (m) => m.media?.kind === "video" || m.media?.kind === "animation",
    );
    assert.match(clip.caption ?? "", /dc-1 · \d\d:\d\d:\d\d · 2 s/);
    const [stored] = await dc1.storage.media.list("dc-1", { limit: 1 });
    assert.equal(stored?.kind, "clip");
    assert.deepEqual(await dc1.storage.media.read(stored?.id ?? -1), clip.media?.bytes);
  });

  test("/arm and /disarm dc-1 change dc-1's watch, in the asker's name; audited on the hub", async () => {
    const armed = await say(hub, STAFF, "/arm dc-1", /Armed/);
    assert.match(armed.text ?? "", /motion in dc-1 now raises an alert/);
    assert.equal(dc1.watch.state().armed, true);
    assert.equal(dc1.watch.state().by?.id, STAFF.id);
    assert.equal(hub.watch.state().armed, false, "the hub's own room is untouched");
    await say(hub, STAFF, "/disarm dc-1", /dc-1<\/b>: disarmed|dc-1: disarmed/);
    assert.equal(dc1.watch.state().armed, false);
    await say(hub, STAFF, "/disarm dc-1", /dc-1 was not armed/);
    const audit = await hub.storage.audit.latest("test-room", 10);
    assert.ok(
      audit.some((e) => e.action === "arm" && /room dc-1/.test(e.detail ?? "")),
      JSON.stringify(audit),
    );
  });

  test("unknown rooms and servers, and strangers, get a clear answer", async () => {
    await say(hub, STAFF, "/status nowhere", /No room called nowhere has reported to this hub\. Rooms: dc-1/);
    await say(hub, STAFF, "/snapshot nowhere", /No room called nowhere/);
    await say(hub, STAFF, "/server dc-1 nosuch", /dc-1 has no server called nosuch/);
    await say(hub, STAFF, "/server dc-1 ../x", /Usage: \/server ROOM NAME/);
    await say(hub, STRANGER, "/snapshot dc-1", /not|staff/i);
    assert.equal(
      (await dc1.storage.media.list("dc-1", { limit: 50 })).filter((m) => m.requestedBy === STRANGER.id).length,
      0,
    );
    // A forged button for a room the site does not have.
    const picker = await say(hub, STAFF, "/arm", /Which room\?/);
    hub.api.pressButton(STAFF, picker, { forged: "rm:arm:dc-9" });
    await hub.api.waitFor(() => answers.find((a) => /dc-9 is no longer a room/.test(a)));
    assert.equal(dc1.watch.state().armed, false);
  });

  test("another room's alert in the hub's group carries that room's Snapshot, Clip and Refresh, done there", async () => {
    const group = () => hub.api.messages(STAFF_GROUP.id).filter((m) => m.from_bot);
    const from = group().length;
    assert.equal(dc1.reader.tap("0BADF00D"), true); // a card dc-1 does not know: an alert in dc-1
    const card = await hub.api.waitFor(
      () =>
        group()
          .slice(from)
          .find((m) => /dc-1/.test(m.text ?? m.caption ?? "") && inlineButtons(m).length > 0),
      30_000,
    );
    assert.match(card.text ?? card.caption ?? "", /0B:AD:F0:0D/);
    assert.deepEqual(
      inlineButtons(card).map((b) => b.text),
      ["📷 Snapshot", "🎥 Clip 10 s", "🔄 Refresh"],
      "an event (settled at once) has nothing to acknowledge",
    );
    const before = (await dc1.storage.media.list("dc-1", { limit: 100 })).length;
    hub.api.pressButton(STAFF, card, { text: "📷 Snapshot" });
    const photo = await hub.api.waitFor(
      () =>
        group()
          .slice(from)
          .find((m) => m.media?.kind === "photo" && /^📷 dc-1 · /.test(m.caption ?? "")),
      30_000,
    );
    assert.ok(photo.media?.bytes && isJpeg(photo.media.bytes));
    assert.ok((await dc1.storage.media.list("dc-1", { limit: 100 })).length > before, "taken by dc-1's camera");
  });

  test("another room's open incident is acknowledged from its card on the hub, in that room", async () => {
    const group = () => hub.api.messages(STAFF_GROUP.id).filter((m) => m.from_bot);
    const from = group().length;
    dc1.sensor.set({ temperatureC: 35 });
    await dc1.job.sampleNow();
    dc1.sensor.release();
    const incident = () => dc1.alerts.engine.openIncidents().find((i) => i.rule === "climate.temperature");
    assert.ok(incident(), "dc-1 has a temperature incident open");
    const card = await hub.api.waitFor(
      () =>
        group()
          .slice(from)
          .find((m) => /dc-1/.test(m.text ?? "") && inlineButtons(m).length > 0),
      30_000,
    );
    assert.deepEqual(
      inlineButtons(card).map((b) => b.text),
      ["✔️ Acknowledge", "📷 Snapshot", "🎥 Clip 10 s", "🔄 Refresh"],
    );
    // Acknowledge: done in dc-1 (the incident lives there), the card keeps the camera only.
    const mark = hub.api.mark();
    hub.api.pressButton(STAFF, card, { text: "✔️ Acknowledge" });
    const acked = await hub.api.waitFor(
      () =>
        group()
          .slice(from)
          .find((m) => /dc-1: .* acknowledged by/.test(m.text ?? "")),
      15_000,
    );
    assert.match(acked.text ?? "", /acknowledged by Linus/);
    assert.equal(incident()?.ackedBy?.id, STAFF.id, "acknowledged in dc-1's engine, in the presser's name");
    const edit = await hub.api.waitForCall("editMessageReplyMarkup", () => true, { since: mark });
    assert.doesNotMatch(JSON.stringify(edit.params.reply_markup), /rm:ack:/);
    assert.match(JSON.stringify(edit.params.reply_markup), /rm:snapshot:dc-1/);
    // Pressed again (an old copy of the card): said, nothing changes.
    hub.api.pressButton(STAFF, card, { forged: `rm:ack:dc-1:${incident()?.id}` });
    await hub.api.waitFor(() => answers.find((a) => /Already acknowledged in dc-1 by/.test(a)));
    const audit = await hub.storage.audit.latest("test-room", 20);
    assert.equal(audit.filter((e) => e.action === "ack" && /room dc-1/.test(e.detail ?? "")).length, 1);
  });

  test("/enroll asks whose reader; the card tapped in dc-1 is enrolled on the hub", async () => {
    const pickReader = await say(hub, ADMIN, "/enroll", /At which room's card reader/);
    const tap = await press(ADMIN, pickReader, "📍 dc-1", /📍 dc-1\n[\s\S]*Tap the new card/);
    assert.ok(tap);
    // dc-1's reader is claimed over MQTT: wait until the room holds a capture, then tap there.
    const from = botMessages(hub, privateChat(ADMIN)).length;
    await hub.api.waitFor(() => (dc1.door.capturing() > 0 ? true : undefined), 10_000);
    assert.equal(dc1.reader.tap("0D1C2B3A"), true);
    const askName = await expectBot(
      hub,
      privateChat(ADMIN),
      /Card 0D:1C:2B:3A read\. What is the holder's name\?/,
      from,
    );
    assert.ok(askName);
    const askRole = await say(hub, ADMIN, "Barbara Liskov", /Which role does Barbara Liskov get\?/);
    const askLink = await press(ADMIN, askRole, "staff", /Link Barbara Liskov's Telegram account\?/);
    const confirm = await press(ADMIN, askLink, "No link", /Please check:/);
    await press(ADMIN, confirm, "✅ Save", /Barbara Liskov is enrolled as staff \(card 0D:1C:2B:3A\)/);
    const member = await hub.storage.staff.getByUid("0D1C2B3A");
    assert.equal(member?.name, "Barbara Liskov");
  });
  test("/access ROOM: that room's door log, kept in that room", async () => {
    const log = await say(hub, STAFF, "/access dc-1 5", /🚪 dc-1 · /);
    assert.match(log.text ?? "", /0B:AD:F0:0D · unknown card/, "the unknown card tapped at dc-1's door");
    const own = await hub.storage.accessLog.count("test-room");
    assert.equal(own, 0, "nothing of it in the hub's own log");
    await say(hub, STAFF, "/access dc-1 500", /Usage: \/access ROOM \[n\]/);
    await say(hub, STAFF, "/access test-room", /No door entries yet/);
  });
  test("an answer of another kind than the command gets, or a photo without its picture, is a failure", async () => {
    // A room that answers wrongly (another version, a bug): what the hub's bot gets is a refusal, never a wrong reading.
    const rogue = createRoomAgent({
      broker: { url: broker.url, ...broker.client("dc-2") },
      prefix: PREFIX,
      roomId: "dc-2",
      heartbeatMs: 1_000,
      logger: silentLogger,
    });
    // Every command is answered with a photo, and no picture comes with it.
    await rogue.start({ answer: async () => ({ result: { kind: "photo", at: 1, driver: "sim" } }) });
    try {
      const rooms = hub.site?.rooms;
      assert.ok(rooms);
      await hub.api.waitFor(() => rooms.list().some((p) => p.room === "dc-2") || undefined, 20_000);
      assert.deepEqual(await rooms.status("dc-2"), {
        ok: false,
        reason: "failed",
        error: "the room answered something else",
      });
      assert.deepEqual(await rooms.ask("dc-2", "snapshot"), {
        ok: false,
        reason: "failed",
        error: "the photo or clip did not come with the answer",
      });
    } finally {
      await rogue.stop();
    }
  });
});
