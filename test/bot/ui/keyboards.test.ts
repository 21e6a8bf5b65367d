import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { InlineKeyboard } from "grammy";
import { parseCallbackData } from "../../../bot/ui/callback-data.ts";
import {
  accessKeyboard,
  accessPeopleKeyboard,
  alertKeyboard,
  alertListKeyboard,
  cameraKeyboard,
  enrollInviteKeyboard,
  languageKeyboard,
  mediaKeyboard,
  menuKeyboard,
  serversKeyboard,
  staffKeyboard,
  statusKeyboard,
} from "../../../bot/ui/keyboards.ts";
import type { StaffMember } from "../../../core/door/ports.ts";

const t = (key: string, vars?: Record<string, string | number>) => (vars?.n ? `${key}(${vars.n})` : key);

/** Each row as its buttons' data (a URL button would show as its URL). */
function data(kb: InlineKeyboard): string[][] {
  return kb.inline_keyboard
    .filter((row) => row.length > 0)
    .map((row) => row.map((b) => ("callback_data" in b ? b.callback_data : "")));
}

const member = (over: Partial<StaffMember>): StaffMember =>
  ({ cardUid: "0A0B0C0D", name: "Ann", role: "staff", active: true, ...over }) as StaffMember;

describe("keyboards", () => {
  test("an alert card: one calm row (Acknowledge, Mute 1 h, More); More shows the rest and Less", () => {
    assert.deepEqual(data(alertKeyboard(t, "abc123", { clipSeconds: 7, recorded: true })), [
      ["al:ack:abc123", "al:mute:abc123:1h", "al:more:abc123"],
    ]);
    const all = alertKeyboard(t, "abc123", { clipSeconds: 7, recorded: true, expanded: true });
    assert.deepEqual(data(all), [
      ["al:ack:abc123", "al:mute:abc123:1h", "al:less:abc123"],
      ["al:mute:abc123:24h", "al:ref:abc123"],
      ["cam:snap", "cam:clip:7"],
      ["cam:inc:abc123"],
    ]);
    assert.equal(all.inline_keyboard[2]?.[1]?.text, "camera-button-clip(7)");
    assert.deepEqual(data(alertKeyboard(t, "abc123", { expanded: true })).slice(2), [["cam:snap", "cam:clip:10"]]);
  });

  test("/alerts: a row per incident, Acknowledge naming it and Mute 1 h, list actions of their own", () => {
    const kb = alertListKeyboard(t, ["a1", "b2"]);
    assert.deepEqual(data(kb), [
      ["al:lack:a1", "al:lmute:a1"],
      ["al:lack:b2", "al:lmute:b2"],
    ]);
    assert.equal(kb.inline_keyboard[1]?.[0]?.text, "alert-button-ack b2");
  });

  test("the camera row under /status and under photos", () => {
    assert.deepEqual(data(statusKeyboard(t, 5)), [["cam:snap", "cam:clip:5", "status:refresh"]]);
    assert.deepEqual(data(cameraKeyboard(t, 5)), [["cam:snap", "cam:clip:5"]]);
  });

  test("/status with the dashboard: Open dashboard on a row of its own, a Mini App or a link", () => {
    const app = statusKeyboard(t, 5, { kind: "web_app", url: "https://dash.example.com/" });
    assert.deepEqual(data(app)[0], ["cam:snap", "cam:clip:5", "status:refresh"]);
    assert.deepEqual(app.inline_keyboard[1], [
      { text: "dashboard-button-open", web_app: { url: "https://dash.example.com/" } },
    ]);
    const link = statusKeyboard(t, 5, { kind: "url", url: "https://t.me/bot?start=web" });
    assert.deepEqual(link.inline_keyboard[1], [{ text: "dashboard-button-open", url: "https://t.me/bot?start=web" }]);
  });

  test("lists: media four a row, door-log photos three a row, Older last; hidden data goes through `hide`", () => {
    const items = [1, 2, 3, 4, 5].map((mediaId) => ({ label: `#${mediaId}`, mediaId }));
    assert.deepEqual(data(mediaKeyboard(t, items, { date: "2024-02-03", before: 5 })), [
      ["med:get:1", "med:get:2", "med:get:3", "med:get:4"],
      ["med:get:5"],
      ["med:pg:20240203:5"],
    ]);
    const hide = (d: string) => `~hidden(${d})`;
    assert.deepEqual(data(accessKeyboard(t, items.slice(0, 4), { limit: 10, before: 9 }, hide) as InlineKeyboard), [
      ["med:get:1", "med:get:2", "med:get:3"],
      ["med:get:4"],
      ["acc:l:10:9"],
    ]);
    assert.deepEqual(data(accessKeyboard(t, [], { uid: "0A0B0C0D", before: 9 }, hide) as InlineKeyboard), [
      ["~hidden(acc:c:0A0B0C0D:9)"],
    ]);
    assert.equal(accessKeyboard(t, [], undefined, hide), undefined);
    assert.deepEqual(data(accessPeopleKeyboard([member({})], hide)), [["~hidden(acc:c:0A0B0C0D:0)"]]);
  });

  test("/staff: revoke or restore, invite or unlink, a button a row", () => {
    const kb = staffKeyboard(t, [
      member({}),
      member({ cardUid: "0E0F0A0B", telegramUserId: 42 }),
      member({ cardUid: "01020304", active: false }),
    ]);
    assert.deepEqual(data(kb), [
      ["stf:ask:revoke:0A0B0C0D"],
      ["stf:inv:0A0B0C0D"],
      ["stf:ask:revoke:0E0F0A0B"],
      ["stf:ask:unlink:0E0F0A0B:42"],
      ["stf:ask:restore:01020304"],
    ]);
  });

  test("every button any keyboard makes is one the bot reads", () => {
    const keyboards = [
      menuKeyboard(t),
      languageKeyboard(t, ["en", "ja"]),
      alertKeyboard(t, "abc123", { recorded: true }),
      alertKeyboard(t, "abc123", { recorded: true, expanded: true }),
      alertListKeyboard(t, ["a1", "b2"]),
      serversKeyboard(t, ["web-1", "db_2"]),
      enrollInviteKeyboard(t),
      staffKeyboard(t, [member({ telegramUserId: 7 })]),
    ];
    for (const kb of keyboards) {
      for (const d of data(kb).flat()) assert.ok(parseCallbackData(d), d);
    }
  });
});
