import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CALLBACK_REF_PREFIX } from "../../../bot/callback-refs.ts";
import {
  buildCallbackData,
  CALLBACK_ACTION_TYPES,
  CALLBACK_PREFIXES,
  type CallbackAction,
  type CallbackActionOf,
  type CallbackActionType,
  callbackPrefixOf,
  parseCallbackData,
} from "../../../bot/ui/callback-data.ts";

const UID = "0123456789ABCDEF0123"; // 10 bytes, the longest card UID
const INCIDENT = "x".repeat(40);
const HOST = "h".repeat(32);
const BIG = Number.MAX_SAFE_INTEGER;
const ROOM = `r${"o".repeat(39)}`; // 40 characters, the longest room id

/**
 * Every action type at its longest, with the data it is written as: the wire format of buttons
 * already posted (alert cards in the group outlive a restart and an upgrade) must not change.
 */
const LONGEST: { [T in CallbackActionType]: [CallbackActionOf<T>, string] } = {
  menu: [{ type: "menu", item: "language" }, "menu:language"],
  language: [{ type: "language", locale: "abc" }, "lang:abc"],
  "language-auto": [{ type: "language-auto" }, "lang:auto"],
  "status-refresh": [{ type: "status-refresh" }, "status:refresh"],
  "alert-ack": [{ type: "alert-ack", incidentId: INCIDENT }, `al:ack:${INCIDENT}`],
  "alert-mute": [{ type: "alert-mute", incidentId: INCIDENT, span: "24h" }, `al:mute:${INCIDENT}:24h`],
  "alert-refresh": [{ type: "alert-refresh", incidentId: INCIDENT }, `al:ref:${INCIDENT}`],
  "alert-more": [{ type: "alert-more", incidentId: INCIDENT }, `al:more:${INCIDENT}`],
  "alert-less": [{ type: "alert-less", incidentId: INCIDENT }, `al:less:${INCIDENT}`],
  "alert-list-ack": [{ type: "alert-list-ack", incidentId: INCIDENT }, `al:lack:${INCIDENT}`],
  "alert-list-mute": [{ type: "alert-list-mute", incidentId: INCIDENT }, `al:lmute:${INCIDENT}`],
  "camera-snapshot": [{ type: "camera-snapshot" }, "cam:snap"],
  "camera-clip": [{ type: "camera-clip", seconds: 99 }, "cam:clip:99"],
  "camera-incident-media": [{ type: "camera-incident-media", incidentId: INCIDENT }, `cam:inc:${INCIDENT}`],
  "media-page": [{ type: "media-page", date: "2024-12-31", before: BIG }, `med:pg:20241231:${BIG}`],
  "media-get": [{ type: "media-get", mediaId: BIG }, `med:get:${BIG}`],
  "access-latest": [{ type: "access-latest", limit: 50, before: BIG }, `acc:l:50:${BIG}`],
  "access-card": [{ type: "access-card", uid: UID, before: BIG }, `acc:c:${UID}:${BIG}`],
  "staff-ask": [{ type: "staff-ask", change: "restore", uid: UID }, `stf:ask:restore:${UID}`],
  "staff-do": [{ type: "staff-do", change: "restore", uid: UID }, `stf:do:restore:${UID}`],
  "staff-keep": [{ type: "staff-keep" }, "stf:no"],
  "staff-invite": [{ type: "staff-invite", uid: UID }, `stf:inv:${UID}`],
  "staff-ask-unlink": [
    { type: "staff-ask-unlink", uid: UID, telegramId: 999_999_999_999_999 },
    `stf:ask:unlink:${UID}:999999999999999`,
  ],
  "staff-do-unlink": [
    { type: "staff-do-unlink", uid: UID, telegramId: 999_999_999_999_999 },
    `stf:do:unlink:${UID}:999999999999999`,
  ],
  "staff-undo": [{ type: "staff-undo", uid: UID, telegramId: 999_999_999_999_999 }, `stf:undo:${UID}:999999999999999`],
  "server-check": [{ type: "server-check", name: HOST }, `srv:chk:${HOST}`],
  "server-details": [{ type: "server-details", name: HOST }, `srv:det:${HOST}`],
  "server-remove": [{ type: "server-remove", name: HOST }, `srv:rm:${HOST}`],
  "server-keep": [{ type: "server-keep" }, "srv:rmno"],
  "addserver-cancel": [{ type: "addserver-cancel" }, "adds:cancel"],
  "addserver-trust": [{ type: "addserver-trust" }, "adds:trust"],
  "room-act": [{ type: "room-act", act: "clip", room: ROOM, seconds: 99 }, `rm:clip:${ROOM}:99`],
  "room-ack": [{ type: "room-ack", room: ROOM, incidentId: "i".repeat(16) }, `rm:ack:${ROOM}:${"i".repeat(16)}`],
  "enroll-cancel": [{ type: "enroll-cancel" }, "enr:cancel"],
  "enroll-room": [{ type: "enroll-room", room: ROOM }, `enr:room:${ROOM}`],
  "enroll-role": [{ type: "enroll-role", role: "admin" }, "enr:role:admin"],
  "enroll-invite": [{ type: "enroll-invite", invite: false }, "enr:link:no"],
  "enroll-save": [{ type: "enroll-save" }, "enr:save"],
};

describe("callback data", () => {
  test("every action type is written as before, fits Telegram's 64 bytes at its longest, and reads back", () => {
    assert.deepEqual(Object.keys(LONGEST).sort(), [...CALLBACK_ACTION_TYPES].sort());
    for (const [action, wire] of Object.values(LONGEST) as Array<[CallbackAction, string]>) {
      const data = buildCallbackData(action);
      assert.equal(data, wire, action.type);
      assert.ok(Buffer.byteLength(data) <= 64, `${action.type}: ${Buffer.byteLength(data)} bytes`);
      assert.deepEqual(parseCallbackData(data), action, data);
    }
  });

  test("the other values of each field are read too", () => {
    for (const item of ["status", "history", "language", "help"] as const) {
      assert.deepEqual(parseCallbackData(`menu:${item}`), { type: "menu", item });
    }
    assert.deepEqual(parseCallbackData("lang:en"), { type: "language", locale: "en" });
    assert.deepEqual(parseCallbackData("al:mute:Ab-_9x:1h"), { type: "alert-mute", incidentId: "Ab-_9x", span: "1h" });
    assert.deepEqual(parseCallbackData("cam:clip:0"), { type: "camera-clip", seconds: 0 });
    assert.deepEqual(parseCallbackData("acc:c:0A0B0C0D:0"), { type: "access-card", uid: "0A0B0C0D", before: 0 });
    assert.deepEqual(parseCallbackData("stf:ask:revoke:0A0B0C0D"), {
      type: "staff-ask",
      change: "revoke",
      uid: "0A0B0C0D",
    });
    assert.deepEqual(parseCallbackData("enr:role:staff"), { type: "enroll-role", role: "staff" });
    assert.deepEqual(parseCallbackData("enr:link:yes"), { type: "enroll-invite", invite: true });
  });

  test("anything the builder does not write is refused", () => {
    for (const data of [
      undefined,
      "",
      ":",
      "menu",
      "menu:",
      "menu:__proto__",
      "menu:constructor",
      "menu:status:x",
      "lang:auto2",
      "lang:EN",
      "lang:toolong",
      "status:refresh ",
      "al:ack:",
      `al:ack:${"x".repeat(41)}`,
      "al:ack:a b",
      "al:mute:abc:2h",
      "al:ref:<b>",
      "cam:snap:1",
      "cam:clip:05",
      "cam:clip:100",
      "cam:clip:-1",
      "med:get:007",
      "med:get:9007199254740992",
      "med:get:1e3",
      "med:pg:2024-01-01:1",
      "med:pg:202401:1",
      "acc:l:10:-1",
      "acc:l:100:1",
      "acc:c:0a0b0c0d:0",
      "acc:c:0A0B0C:0",
      "stf:ask:ban:0A0B0C0D",
      "stf:ask:unlink:0A0B0C0D:0",
      "stf:ask:unlink:0A0B0C0D:1234567890123456",
      "stf:undo:0A0B0C0D:NaN",
      "stf:no:",
      "srv:chk:UPPER",
      `srv:chk:${"h".repeat(33)}`,
      "srv:rm:../../etc/passwd",
      "adds:nope",
      "enr:role:owner",
      "enr:link:maybe",
      "rm:snapshot:",
      "rm:snapshot:DC-1",
      `rm:status:${"r".repeat(41)}`,
      "rm:clip:dc-1",
      "rm:snapshot:dc-1:10",
      "rm:shutdown:dc-1",
      "rm:status:../hq",
      "rm:ack:dc-1",
      `rm:ack:dc-1:${"i".repeat(17)}`,
      "rm:ack:dc-1:a b",
      "enr:room:-dc",
      "~abcdefghijkl",
      "x:1",
    ]) {
      assert.equal(parseCallbackData(data), undefined, JSON.stringify(data));
    }
  });

  test("whatever is read builds back to the very same data", () => {
    for (const data of [
      "menu:help",
      "lang:ja",
      "al:ack:abc",
      "med:pg:20240101:0",
      "stf:do:revoke:0A0B0C0D",
      "srv:rmno",
    ]) {
      const action = parseCallbackData(data);
      assert.ok(action, data);
      assert.equal(buildCallbackData(action), data);
    }
  });

  test("one family prefix per feature; none can be taken for a reference", () => {
    assert.deepEqual([...CALLBACK_PREFIXES].sort(), [
      "acc",
      "adds",
      "al",
      "cam",
      "enr",
      "lang",
      "med",
      "menu",
      "rm",
      "srv",
      "status",
      "stf",
    ]);
    for (const prefix of CALLBACK_PREFIXES) {
      assert.match(prefix, /^[a-z]+$/);
      assert.ok(!prefix.startsWith(CALLBACK_REF_PREFIX));
    }
    // Every built action's data starts with its family.
    for (const [action] of Object.values(LONGEST) as Array<[CallbackAction, string]>) {
      assert.ok(CALLBACK_PREFIXES.includes(buildCallbackData(action).split(":")[0] ?? ""), action.type);
    }
  });

  test("the family of a press, whether or not it parses", () => {
    assert.equal(callbackPrefixOf("stf:anything at all"), "stf");
    assert.equal(callbackPrefixOf("adds:"), "adds");
    assert.equal(callbackPrefixOf("enr:role:owner"), "enr");
    assert.equal(callbackPrefixOf("xyz:1"), undefined);
    assert.equal(callbackPrefixOf("stf"), undefined);
    assert.equal(callbackPrefixOf(":stf"), undefined);
    assert.equal(callbackPrefixOf(undefined), undefined);
  });
});
