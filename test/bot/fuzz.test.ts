/**
 * Hostile input, end to end: every command the bot knows and every callback-data prefix it
 * uses, with arguments a hostile chat member would try (prototype keys, huge, RTL, control
 * characters, markup, numbers that are not, paths, SQL), as admin and staff in private, as a
 * viewer in the staff group and as a stranger. Each update must be answered (a message, or a
 * callback answer), never with the generic failure text; the bot must keep running.
 *
 * Updates go four lanes at once (one per chat); inside a lane each waits for its answer, so a
 * missing answer is pinned on the update that caused it. Callback data no button carries is
 * sent as a modified client would (`{ forged }`), cut to Telegram's 64 bytes.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { CALLBACK_PREFIXES } from "../../bot/ui/callback-data.ts";
import { createLogger } from "../../core/logger.ts";
import type { RecordedMessage, TestChat, TestUser } from "../../local/bot-api/server.ts";
import {
  ADMIN,
  type ConsoleHarness,
  privateChat,
  STAFF,
  STAFF_GROUP,
  STRANGER,
  startConsoleHarness,
} from "../support/console-harness.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const VIEWER: TestUser = { id: 4040, first_name: "Vera", language_code: "en" };

const HOSTILE = [
  "",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "x".repeat(4_000),
  "👩‍👩‍👧‍👦🏳️‍🌈👨🏿‍💻",
  "\u202Eمرحبا بالعالم\u202C",
  "a\u0000b\u0007c\u001b[31md\u007f\u0085e",
  "<b>",
  "&amp;",
  "-1",
  "1e308",
  "NaN",
  "../../etc/passwd",
  "' OR 1=1 --",
];

/** Commands not in the menu, or worth sending anyway. */
const EXTRA_COMMANDS = ["cancel", "ack", "unmute", "removeserver", "start", "help"];
/** Commands that open a conversation: each is followed by /cancel. */
const CONVERSATIONS = new Set(["enroll", "addserver"]);

/** Callback data templates; `$` is where the hostile argument goes. */
const CALLBACK_TEMPLATES = [
  "menu:$",
  "lang:$",
  "al:ack:$",
  "al:ref:$",
  "al:mute:$:1h",
  "al:more:$",
  "al:less:$",
  "al:lack:$",
  "al:lmute:$",
  "al:$",
  "cam:snap$",
  "cam:clip:$",
  "cam:inc:$",
  "cam:$",
  "med:pg:$",
  "med:get:$",
  "med:$",
  "acc:l:$",
  "acc:l:10:$",
  "acc:c:$",
  "acc:c:$:0",
  "stf:ask:revoke:$",
  "stf:ask:$",
  "stf:do:revoke:$",
  "stf:do:$",
  "stf:inv:$",
  "stf:ask:unlink:$",
  "stf:ask:unlink:0A0B0C0D:$",
  "stf:do:unlink:$",
  "stf:do:unlink:0A0B0C0D:$",
  "stf:undo:$",
  "stf:undo:0A0B0C0D:$",
  "stf:no$",
  "stf:$",
  "srv:chk:$",
  "srv:det:$",
  "srv:rm:$",
  "srv:rmno$",
  "srv:$",
  "adds:$",
  "enr:$",
  "enr:role:$",
  "enr:room:$",
  "rm:snapshot:$",
  "rm:clip:$",
  "rm:clip:dc-1:$",
  "rm:ack:$",
  "rm:ack:dc-1:$",
  "rm:$",
  "status:refresh$",
  "status:$",
  "$",
];

/** Cuts a string to at most `max` UTF-8 bytes without splitting a character. */
function cutBytes(s: string, max: number): string {
  let out = "";
  for (const ch of s) {
    if (Buffer.byteLength(out + ch, "utf8") > max) break;
    out += ch;
  }
  return out;
}

const short = (s: string) => JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…(${s.length})` : s);

function localeValue(key: string): string {
  const m = new RegExp(`^${key} = (.+)$`, "m").exec(readFileSync(join(ROOT, "locales/en.ftl"), "utf8"));
  if (!m?.[1]) throw new Error(`no ${key} in en.ftl`);
  return m[1];
}

interface Lane {
  name: string;
  user: TestUser;
  chat: TestChat;
  /** A stranger is refused once a day, then ignored: only button presses are always answered. */
  stranger?: boolean;
}

describe("hostile input: every command and button prefix", () => {
  let h: ConsoleHarness;
  const botCount = new Map<number, number>();
  /** Every bot message's text, per chat. */
  const botTexts = new Map<number, string[]>();
  /** What each update was, for the report. */
  const sent = new Map<number, string>();
  const answers = new Map<string, string>();
  /** Error-level log lines (a handler that threw, even where the user saw nothing). */
  const errors: Array<{ msg?: string; update?: number; err?: { message?: string } }> = [];
  const genericText = localeValue("error-generic");

  before(async () => {
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).split("\n").filter(Boolean)) errors.push(JSON.parse(line));
        done();
      },
    });
    h = await startConsoleHarness({ env: { CLIP_SECONDS: "1" }, logger: createLogger("error", sink) });
    h.api.onBotMessage((m) => {
      botCount.set(m.chat_id, (botCount.get(m.chat_id) ?? 0) + 1);
      botTexts.set(m.chat_id, [...(botTexts.get(m.chat_id) ?? []), m.text ?? m.caption ?? ""]);
    });
    h.api.onEvent((e) => {
      if (e.type === "callback_answer") answers.set(e.answer.callback_query_id, e.answer.text ?? "");
    });
  });
  after(async () => {
    await h.stop();
  });

  test("the fuzz covers every callback prefix the bot's code uses", () => {
    // bot/ui/callback-data.ts builds and parses every button's data, the alert cards' too.
    assert.ok(CALLBACK_PREFIXES.length >= 10, `found ${CALLBACK_PREFIXES.join(", ")}`);
    const covered = new Set(CALLBACK_TEMPLATES.map((t) => t.split(":")[0]));
    assert.deepEqual(
      CALLBACK_PREFIXES.filter((p) => !covered.has(p)),
      [],
    );
  });

  test("every update is answered, never with the generic failure; the bot keeps running", async () => {
    const commands = new Set<string>(EXTRA_COMMANDS);
    for (const list of h.api.commands.values()) for (const c of list) commands.add(c.command);
    assert.ok(commands.has("status") && commands.has("mute") && commands.has("staff"), [...commands].join(" "));

    const lanes: Lane[] = [
      { name: "admin", user: ADMIN, chat: privateChat(ADMIN) },
      { name: "staff", user: STAFF, chat: privateChat(STAFF) },
      { name: "viewer", user: VIEWER, chat: STAFF_GROUP },
      { name: "stranger", user: STRANGER, chat: privateChat(STRANGER), stranger: true },
    ];

    async function runLane(lane: Lane): Promise<string[]> {
      const problems: string[] = [];
      const { user, chat } = lane;
      const count = () => botCount.get(chat.id) ?? 0;

      const say = async (text: string): Promise<void> => {
        const before = count();
        const update = h.api.sendMessage(user, chat, text);
        sent.set(update.update_id, `${lane.name}: ${short(text)}`);
        if (lane.stranger) return;
        await h.api
          .waitFor(() => count() > before || undefined, 10_000)
          .catch(() => {
            problems.push(`${lane.name}: no answer to ${short(text)}`);
          });
      };
      const press = async (target: RecordedMessage, data: string): Promise<void> => {
        const update = h.api.pressButton(user, target, { forged: data });
        sent.set(update.update_id, `${lane.name}: button ${short(data)}`);
        const id = update.callback_query?.id ?? "";
        await h.api
          .waitFor(() => answers.has(id) || undefined, 10_000)
          .catch(() => {
            problems.push(`${lane.name}: button ${short(data)} not answered`);
          });
        if (answers.get(id)?.includes(genericText))
          problems.push(`${lane.name}: generic failure on button ${short(data)}`);
      };

      // A plain message of the bot in this chat for the buttons to sit on.
      const before = count();
      h.api.sendMessage(user, chat, "/help");
      await h.api.waitFor(() => count() > before || undefined);
      const target = h.api.messages(chat.id).filter((m) => m.from_bot)[0] as RecordedMessage;

      for (const command of commands) {
        for (const arg of HOSTILE) {
          await say(arg === "" ? `/${command}` : `/${command} ${arg}`);
          if (CONVERSATIONS.has(command)) await say("/cancel");
        }
      }
      for (const template of CALLBACK_TEMPLATES) {
        for (const arg of HOSTILE) {
          const data = cutBytes(template.replace("$", arg), 64);
          if (data !== "") await press(target, data);
        }
      }
      return problems;
    }

    const problems = (await Promise.all(lanes.map(runLane))).flat();
    await new Promise((resolve) => setImmediate(resolve)); // the log stream delivers on the next tick
    // Every handler failure is logged with its update (even where the user saw nothing).
    for (const e of errors) {
      const what = e.update === undefined ? "outside an update" : (sent.get(e.update) ?? `update ${e.update}`);
      problems.push(`${what}: ${e.msg}: ${e.err?.message ?? ""}`);
    }
    for (const [chatId, texts] of botTexts) {
      const n = texts.filter((t) => t.includes(genericText)).length;
      if (n > 0) problems.push(`chat ${chatId}: the generic failure text ${n} time(s)`);
    }
    assert.deepEqual(problems, []);
    // The stranger was told once (their first message), then ignored: never the generic text.
    assert.equal(botCount.get(STRANGER.id), 1);
    assert.match(h.api.messages(STRANGER.id).find((m) => m.from_bot)?.text ?? "", /private console/);

    assert.ok(h.runner.isRunning(), "the bot still polls");
    for (const lane of lanes.slice(0, 3)) {
      const reply = await h.ask(lane.user, "/status", lane.chat);
      assert.match(reply.text ?? "", /test-room · climate|No readings yet/, `${lane.name}: /status`);
    }
  });
});
