/**
 * Per-room staff groups on a hub (ROOM_CHAT_IDS): the setting, which group takes which
 * notice, and the hub's alert pipeline delivering each room's alerts to its own group
 * (the main group keeps the rest, and every room's silence with its buttons; the silent
 * room's group gets a copy without them).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Api } from "grammy";
import { alertRoutes, setupAlerts } from "../../../app/alerts.ts";
import { roleOf } from "../../../bot/filters/auth.ts";
import { createI18n } from "../../../bot/i18n.ts";
import { channelName } from "../../../core/alerts/render.ts";
import type { Notice } from "../../../core/alerts/types.ts";
import { parseConfig } from "../../../core/config.ts";
import { silentLogger } from "../../../core/logger.ts";
import {
  parseRoomChatIds,
  parseRoomGroupChannel,
  roomGroupChannel,
  roomGroupRoutes,
} from "../../../core/rooms/room-groups.ts";
import { createSqliteStorage } from "../../../storage/sqlite/index.ts";
import { ManualClock } from "../../support/fakes.ts";

const HUB = {
  ROLE: "hub",
  ROOM_ID: "hq",
  TELEGRAM_BOT_TOKEN: "5000000017:AAHlocalTestTokenForSeromaRooms-0123",
  ADMIN_IDS: "77",
  STAFF_CHAT_ID: "-100777",
  MQTT_URL: "mqtts://broker.lan:8883",
  MQTT_CERT_FILE: "hub.crt",
  MQTT_KEY_FILE: "hub.key",
};

describe("ROOM_CHAT_IDS", () => {
  test("parsed: ROOM:CHAT_ID, comma-separated, spaces allowed; empty is none", () => {
    assert.deepEqual(parseRoomChatIds(""), { ok: true, value: {} });
    assert.deepEqual(parseRoomChatIds("dc-1:-100123, dc_2 : -1001234567890,"), {
      ok: true,
      value: { "dc-1": -100123, dc_2: -1001234567890 },
    });
    const r = parseConfig({ ...HUB, ROOM_CHAT_IDS: "dc-1:-100123,dc-3:-100456" });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
    assert.deepEqual(r.config.telegram.roomChatIds, { "dc-1": -100123, "dc-3": -100456 });
    const none = parseConfig({});
    assert.ok(none.ok);
    assert.deepEqual(none.config.telegram.roomChatIds, {});
  });

  test("wrong values are named, each with what is expected", () => {
    const bad = (text: string) => {
      const r = parseRoomChatIds(text);
      assert.ok(!r.ok, text);
      return r.error;
    };
    assert.equal(bad("dc-1"), `"dc-1" is not ROOM:CHAT_ID (e.g. dc-1:-1001234567890)`);
    assert.match(bad("DC 1:-100"), /not ROOM:CHAT_ID/);
    assert.equal(bad("DC1:-100"), `"DC1" is not a room id (1-40 lowercase letters, digits, '-' or '_')`);
    assert.equal(
      bad("dc-1:group"),
      `"group" (room dc-1) is not a numeric chat id (groups are negative, e.g. -1001234567890)`,
    );
    assert.equal(bad("dc-1:-1,dc-1:-2"), "room dc-1 is given twice");
    const r = parseConfig({ ...HUB, ROOM_CHAT_IDS: "dc-1:x" });
    assert.ok(!r.ok);
    assert.ok(
      r.errors.some((e) => e.startsWith(`ROOM_CHAT_IDS: "x" (room dc-1) is not a numeric chat id`)),
      r.errors.join("\n"),
    );
  });

  test("only on a hub with a main staff group; not the hub's own room, not the main group again", () => {
    const errorsOf = (env: Record<string, string>) => {
      const r = parseConfig(env);
      assert.ok(!r.ok, JSON.stringify(env));
      return r.errors.filter((e) => e.startsWith("ROOM_CHAT_IDS:"));
    };
    assert.deepEqual(errorsOf({ ROOM_CHAT_IDS: "dc-1:-100123" }), [
      "ROOM_CHAT_IDS: only with ROLE=hub (the hub posts each room's alerts; a room posts nothing itself)",
      "ROOM_CHAT_IDS: needs STAFF_CHAT_ID too (the main staff group: the hub's own alerts and every room's silence go there)",
    ]);
    assert.deepEqual(errorsOf({ ...HUB, ROOM_CHAT_IDS: "hq:-100123,dc-2:-100777" }), [
      "ROOM_CHAT_IDS: hq is this hub's own room (ROOM_ID); its alerts go to STAFF_CHAT_ID",
      "ROOM_CHAT_IDS: dc-2's group is STAFF_CHAT_ID itself; leave dc-2 out",
    ]);
  });
});

const notice = (n: Partial<Notice>): Notice => ({
  kind: "raised",
  roomId: "dc-3",
  severity: "critical",
  rule: "climate.temperature",
  at: 1_000,
  details: {},
  ...n,
});

describe("which group takes which notice", () => {
  const chats = { "dc-3": -100333, "dc-4": -100444 };
  const CHANNELS = ["telegram", "telegram:dc-3", "telegram:dc-4", "admins", "sns", "hub"];
  /** The channels a notice goes to, as the hub's pipeline routes it. */
  const to = (n: Notice) => CHANNELS.filter((c) => alertRoutes(n, c) && roomGroupRoutes(n, c, chats));

  test("a room with a group: its group (and SNS), not the main group; a room without: the main group", () => {
    assert.deepEqual(to(notice({})), ["telegram:dc-3", "sns", "hub"]);
    assert.deepEqual(to(notice({ kind: "started", severity: "info", rule: undefined })), ["telegram:dc-3", "hub"]);
    assert.deepEqual(to(notice({ roomId: "dc-1" })), ["telegram", "sns", "hub"]);
  });

  test("the hub's own notices and every room's silence: the main group; the silent room's group too", () => {
    assert.deepEqual(to(notice({ roomId: "hq", rule: "hub.broker" })), ["telegram", "sns", "hub"]);
    assert.deepEqual(to(notice({ roomId: "hq", rule: "room.silent:dc-3", incidentId: "i1" })), [
      "telegram",
      "telegram:dc-3",
      "sns",
      "hub",
    ]);
    assert.deepEqual(to(notice({ roomId: "hq", rule: "room.silent:dc-1", kind: "recovered" })), [
      "telegram",
      "sns",
      "hub",
    ]);
  });

  test("a room group that refused for good: the main group and the admins are told, not that group", () => {
    const refused = notice({ kind: "undeliverable", details: { channel: "telegram:dc-3", error: "403" } });
    assert.deepEqual(to(refused), ["telegram", "admins", "sns", "hub"]);
    const snsRefused = notice({ kind: "undeliverable", details: { channel: "sns", error: "400" } });
    assert.deepEqual(to(snsRefused), ["telegram", "telegram:dc-3", "admins", "hub"]);
  });

  test("channel names: telegram:ROOM, and as people read it", () => {
    assert.equal(roomGroupChannel("dc-3"), "telegram:dc-3");
    assert.equal(parseRoomGroupChannel("telegram:dc-3"), "dc-3");
    assert.equal(parseRoomGroupChannel("telegram"), undefined);
    assert.equal(parseRoomGroupChannel("sns"), undefined);
    const i18n = createI18n("en");
    assert.equal(
      channelName((k, v) => i18n.t("en", k, v), "telegram:dc-3"),
      "the staff group of dc-3",
    );
    assert.equal(
      channelName((k, v) => i18n.t("ja", k, v), "telegram:dc-3"),
      "dc-3 のスタッフグループ",
    );
  });

  test("people writing in a room's group are viewers there, as in the main group", () => {
    const ids = { adminIds: [77], staffIds: [], staffChatId: -100777, roomChatIds: chats };
    assert.equal(roleOf(5, -100333, ids), "viewer");
    assert.equal(roleOf(5, -100777, ids), "viewer");
    assert.equal(roleOf(5, -100999, ids), undefined);
    assert.equal(roleOf(5, 5, ids), undefined);
    assert.equal(roleOf(77, -100333, ids), "admin");
  });
});

describe("the hub's pipeline posts each room's alerts in its group", () => {
  test("dc-3's alert to its group, dc-1's and the silences to the main group with buttons, a copy of dc-3's silence without", async () => {
    // buttons: the first button's data (a room's alert: that room's Snapshot; the hub's incident: Acknowledge), or false.
    const r = parseConfig({ ...HUB, ROOM_CHAT_IDS: "dc-3:-100333" });
    assert.ok(r.ok);
    const config = r.config;
    const clock = new ManualClock("2026-12-06T10:00:00Z");
    const storage = createSqliteStorage({ file: ":memory:" });
    const sent: Array<{ chat: number; text: string; buttons: string | false }> = [];
    let id = 0;
    const api = {
      sendMessage: async (
        chat: number,
        text: string,
        extra?: { reply_markup?: { inline_keyboard: Array<Array<{ callback_data?: string }>> } },
      ) => {
        sent.push({ chat, text, buttons: extra?.reply_markup?.inline_keyboard[0]?.[0]?.callback_data ?? false });
        return { message_id: ++id };
      },
    } as unknown as Api;
    const i18n = createI18n("en");
    const pipeline = setupAlerts({
      config,
      storage,
      clock,
      logger: silentLogger,
      telegram: { api, i18n: i18n as never, pacing: { perWindow: 100, windowMs: 1_000, minGapMs: 0 } },
      translate: (k, v) => i18n.t("en", k, v),
    });
    await pipeline.start();
    try {
      await pipeline.notify(
        notice({ details: { quantity: "temperature", direction: "high", value: "31.0", unit: "°C", limit: "30.0" } }),
      );
      await pipeline.notify(
        notice({
          roomId: "dc-1",
          details: { quantity: "temperature", direction: "high", value: "32.0", unit: "°C", limit: "30.0" },
        }),
      );
      await pipeline.engine.setCondition(
        "room.silent:dc-3",
        { severity: "critical", details: { room: "dc-3", reason: "stopped", lastSeenAt: 0 } },
        clock.now().getTime(),
      );
      const deadline = Date.now() + 5_000;
      while (sent.length < 4 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
      const byChat = (chat: number) => sent.filter((s) => s.chat === chat);
      assert.deepEqual(
        byChat(-100333).map((s) => [s.text.split("\n")[0], s.buttons]),
        [
          ["🔥 <b>CRITICAL</b> · dc-3", "rm:snapshot:dc-3"],
          ["🔥 <b>CRITICAL</b> · hq", false],
        ],
      );
      assert.match(byChat(-100333)[1]?.text ?? "", /Room <b>dc-3<\/b> went silent/);
      const silence = pipeline.engine.openIncidents().find((i) => i.rule === "room.silent:dc-3");
      assert.deepEqual(
        byChat(-100777).map((s) => [s.text.split("\n")[0], s.buttons]),
        [
          ["🔥 <b>CRITICAL</b> · dc-1", "rm:snapshot:dc-1"],
          ["🔥 <b>CRITICAL</b> · hq", `al:ack:${silence?.id}`],
        ],
      );
      assert.match(byChat(-100777)[1]?.text ?? "", /Room <b>dc-3<\/b> went silent/);
      // The card recorded is the main group's (acknowledging there settles it).
      const open = pipeline.engine.openIncidents().find((i) => i.rule === "room.silent:dc-3");
      const card = open ? (await storage.incidents.get(open.id))?.telegramMessageId : undefined;
      const mainCard = sent.findIndex((s) => s.chat === -100777 && s.buttons && s.buttons.startsWith("al:ack:")) + 1;
      assert.equal(card, mainCard);
    } finally {
      await pipeline.stop();
    }
  });
});
