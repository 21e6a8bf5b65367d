import assert from "node:assert/strict";
import http from "node:http";
import { describe, test } from "node:test";
import { run } from "@grammyjs/runner";
import { Bot, GrammyError, HttpError, InlineKeyboard, InputFile } from "grammy";
import {
  commandsKey,
  inlineButtons,
  type LocalBotApi,
  privateChat,
  startLocalBotApi,
  type TestChat,
  type TestUser,
} from "../../../local/bot-api/server.ts";
import { escapeTelegramHtml } from "../../../local/bot-api/telegram-html.ts";

const alice: TestUser = { id: 1001, first_name: "Alice <admin>", username: "alice", language_code: "en" };
const bob: TestUser = { id: 1002, first_name: "Bob" };
const staff: TestChat = { id: -1_001_234_567_890, type: "supergroup", title: "Server room staff" };

/** A 2x3 PNG header: enough for the server to read the dimensions. */
function pngHeader(width: number, height: number): Buffer {
  const b = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write("IHDR", 12, "ascii");
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  return b;
}

/** Runs `fn` with a local server and a bot pointed at it; always stops both. */
async function withBot(
  setup: (bot: Bot) => void,
  fn: (api: LocalBotApi, bot: Bot) => Promise<void>,
  opts: { poll?: boolean; botInfo?: boolean } = {},
): Promise<void> {
  const api = await startLocalBotApi();
  const bot = new Bot(api.token, {
    client: { apiRoot: api.apiRoot },
    ...(opts.botInfo === false ? {} : { botInfo: api.botInfo }),
  });
  const errors: unknown[] = [];
  bot.catch((err) => {
    errors.push(err.error);
  });
  setup(bot);
  const polling = opts.poll === false ? Promise.resolve() : bot.start();
  try {
    await fn(api, bot);
    assert.deepEqual(errors, [], "no handler errors");
  } finally {
    if (bot.isRunning()) await bot.stop();
    await polling;
    await api.close();
  }
}

async function rawCall(api: LocalBotApi, method: string, params: Record<string, unknown> = {}, token = api.token) {
  const res = await fetch(`${api.apiRoot}/bot${token}/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(params),
  });
  // biome-ignore lint/suspicious/noExplicitAny: raw Bot API JSON, probed field by field in the tests
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe("local Bot API server with a real grammY bot", () => {
  test("long polling: /start from a user gets an HTML reply", async () => {
    let replyId = 0;
    await withBot(
      (bot) =>
        bot.command("start", async (ctx) => {
          const sent = await ctx.reply(`Hello <b>${escapeTelegramHtml(ctx.from?.first_name ?? "")}</b>`, {
            parse_mode: "HTML",
          });
          replyId = sent.message_id;
        }),
      async (api) => {
        const update = api.sendMessage(alice, privateChat(alice), "/start");
        assert.deepEqual(update.message?.entities, [{ type: "bot_command", offset: 0, length: 6 }]);

        const call = await api.waitForCall("sendMessage");
        assert.equal(call.status, 200);
        assert.equal(call.params.chat_id, alice.id);

        const reply = api.lastBotMessage(alice.id);
        assert.ok(reply);
        assert.equal(reply.text, "Hello Alice <admin>");
        assert.equal(reply.raw, "Hello <b>Alice &lt;admin&gt;</b>");
        assert.deepEqual(reply.entities, [{ type: "bold", offset: 6, length: 13 }]);
        assert.equal(reply.from_bot, true);

        // ids are per chat and shared with the user's message
        const all = api.messages(alice.id);
        assert.deepEqual(
          all.map((m) => [m.message_id, m.from_bot]),
          [
            [1, false],
            [2, true],
          ],
        );
        await api.waitForIdle();
        assert.equal(replyId, 2);
        assert.equal(api.pendingUpdates(), 0);
        assert.ok(
          api.calls.some((c) => c.method === "getMe"),
          "the bot asked getMe",
        );
      },
      { botInfo: false },
    );
  });

  test("callback button: answered, edited, keyboard gone", async () => {
    await withBot(
      (bot) => {
        bot.command("door", (ctx) =>
          ctx.reply("Open the door?", {
            reply_markup: new InlineKeyboard().text("Open", "door:open").text("No", "door:no"),
          }),
        );
        bot.callbackQuery("door:open", async (ctx) => {
          await ctx.answerCallbackQuery({ text: "Opening" });
          await ctx.editMessageText("Door opened");
        });
      },
      async (api) => {
        api.sendMessage(alice, staff, "/door@seroma_test_bot now");
        await api.waitForCall("sendMessage");
        const question = api.lastBotMessage(staff.id);
        assert.ok(question);
        assert.deepEqual(
          inlineButtons(question).map((b) => b.text),
          ["Open", "No"],
        );

        assert.throws(() => api.pressButton(alice, question, "door:missing"), /no callback button/);
        const update = api.pressButton(bob, question, { text: "Open" });
        assert.equal(update.callback_query?.data, "door:open");
        assert.equal(update.callback_query?.message?.message_id, question.message_id);

        await api.waitForCall("editMessageText");
        assert.deepEqual(api.callbackAnswers, [{ callback_query_id: update.callback_query?.id, text: "Opening" }]);
        const edited = api.messages(staff.id).find((m) => m.message_id === question.message_id);
        assert.equal(edited?.text, "Door opened");
        assert.equal(edited?.edits, 1);
        assert.equal(edited?.reply_markup, undefined, "editMessageText without reply_markup drops the keyboard");
        assert.throws(() => api.pressButton(bob, question, "door:open"), /buttons now: none/);

        // A modified client: data no button carries, still answerable; Telegram's 64-byte limit holds.
        const forged = api.pressButton(bob, question, { forged: "door:open" });
        assert.equal(forged.callback_query?.data, "door:open");
        await api.waitFor(() => api.callbackAnswers.find((a) => a.callback_query_id === forged.callback_query?.id));
        assert.throws(() => api.pressButton(bob, question, { forged: "é".repeat(33) }), /1-64 bytes, got 66/);
        assert.throws(() => api.pressButton(bob, question, { forged: "" }), /1-64 bytes, got 0/);
      },
    );
  });

  test("waitForCall hands out each call once, starting at the last user action", async () => {
    await withBot(
      (bot) =>
        bot.command("two", async (ctx) => {
          await ctx.reply("first");
          await ctx.reply("second");
        }),
      async (api) => {
        api.sendMessage(alice, privateChat(alice), "/two");
        assert.equal((await api.waitForCall("sendMessage")).params.text, "first");
        assert.equal((await api.waitForCall("sendMessage")).params.text, "second");
        await assert.rejects(api.waitForCall("sendMessage", undefined, 100), /timed out after 100 ms/);

        api.sendMessage(alice, privateChat(alice), "/two");
        const second = await api.waitForCall("SENDMESSAGE", (c) => c.params.text === "second");
        assert.equal(second.status, 200);
        assert.equal((await api.waitForCall("sendMessage")).params.text, "first");
        // since: 0 looks at the whole history, minus calls already handed out
        assert.equal(
          await api.waitForCall("sendMessage", undefined, { since: 0, timeoutMs: 100 }).catch(() => "none"),
          "none",
        );
      },
    );
  });

  test("sendPhoto with an InputFile records the bytes and answers a real photo message", async () => {
    await withBot(
      () => {},
      async (api, bot) => {
        const png = pngHeader(1280, 720);
        const sent = await bot.api.sendPhoto(staff.id, new InputFile(png, "x.png"), {
          caption: "Camera <i>door</i>",
          parse_mode: "HTML",
          reply_markup: new InlineKeyboard().text("Refresh", "cam:refresh"),
        });
        assert.equal(sent.photo?.at(-1)?.width, 1280);
        assert.equal(sent.photo?.at(-1)?.height, 720);
        assert.equal(sent.caption, "Camera door");
        assert.deepEqual(sent.caption_entities, [{ type: "italic", offset: 7, length: 4 }]);

        const recorded = api.lastBotMessage(staff.id);
        assert.equal(recorded?.media?.kind, "photo");
        assert.deepEqual(recorded?.media?.bytes, png);
        assert.equal(recorded?.media?.filename, "x.png");
        assert.equal(recorded?.media?.mime, "image/png");
        assert.equal(recorded?.media?.fileId, sent.photo?.at(-1)?.file_id);

        // a known file_id can be sent again; garbage cannot
        await bot.api.sendPhoto(staff.id, recorded?.media?.fileId ?? "");
        await assert.rejects(bot.api.sendPhoto(staff.id, "no-such-file"), /wrong file identifier/);
        await assert.rejects(
          bot.api.sendPhoto(staff.id, new InputFile(Buffer.from("not an image"), "x.png")),
          /IMAGE_PROCESS_FAILED/,
        );

        const file = await bot.api.getFile(sent.photo?.at(-1)?.file_id ?? "");
        const download = await fetch(`${api.apiRoot}/file/bot${api.token}/${file.file_path}`);
        assert.deepEqual(Buffer.from(await download.arrayBuffer()), png);

        const video = await bot.api.sendVideo(staff.id, new InputFile(Buffer.from("....ftypisom"), "clip.mp4"), {
          width: 640,
          height: 480,
          duration: 5,
        });
        assert.equal(video.video?.mime_type, "video/mp4");
        assert.equal(api.lastBotMessage(staff.id)?.media?.kind, "video");
      },
      { poll: false },
    );
  });

  test("media groups, editMessageMedia and user replies", async () => {
    await withBot(
      () => {},
      async (api, bot) => {
        const [a, b] = await bot.api.sendMediaGroup(staff.id, [
          { type: "photo", media: new InputFile(pngHeader(64, 48), "a.png"), caption: "<b>A</b>", parse_mode: "HTML" },
          { type: "photo", media: new InputFile(pngHeader(32, 32), "b.png") },
        ]);
        assert.ok(a && b);
        assert.ok("media_group_id" in a && "media_group_id" in b);
        assert.equal(a.media_group_id, b.media_group_id);
        assert.equal(a.caption, "A");
        assert.deepEqual(
          api.messages(staff.id).map((m) => [m.media?.width, m.caption]),
          [
            [64, "A"],
            [32, undefined],
          ],
        );

        const edited = await bot.api.editMessageMedia(staff.id, a.message_id, {
          type: "photo",
          media: new InputFile(pngHeader(200, 100), "c.png"),
          caption: "C",
        });
        assert.ok(edited !== true);
        assert.equal(edited.caption, "C");
        const after = api.messages(staff.id)[0];
        assert.equal(after?.media?.width, 200);
        assert.equal(after?.media?.filename, "c.png");
        assert.equal(after?.edits, 1);

        const update = api.sendMessage(alice, staff, "nice", { reply_to_message_id: b.message_id });
        assert.equal(update.message?.reply_to_message?.message_id, b.message_id);
        assert.equal(api.messages(staff.id).at(-1)?.reply_to_message_id, b.message_id);
      },
      { poll: false },
    );
  });

  test("malformed HTML and other refusals reach grammY as GrammyError 400", async () => {
    await withBot(
      () => {},
      async (api, bot) => {
        const refused = async (promise: Promise<unknown>, pattern: RegExp) => {
          const err = await promise.then(
            () => assert.fail("expected a refusal"),
            (e: unknown) => e,
          );
          assert.ok(err instanceof GrammyError, String(err));
          assert.equal(err.error_code, 400);
          assert.match(err.description, pattern);
        };
        const html = { parse_mode: "HTML" } as const;
        await refused(
          bot.api.sendMessage(alice.id, "temp < 20", html),
          /can't parse entities: Unsupported start tag ""/,
        );
        await refused(
          bot.api.sendMessage(alice.id, "<b>hot", html),
          /Can't find end tag corresponding to start tag "b"/,
        );
        await refused(bot.api.sendMessage(alice.id, "<b>x</i>", html), /Unmatched end tag/);
        await refused(bot.api.sendMessage(alice.id, "a<br>b", html), /Unsupported start tag "br"/);
        await refused(bot.api.sendMessage(alice.id, "R&D", html), /Unescaped "&"/);
        await refused(bot.api.sendMessage(alice.id, "   "), /message text is empty/);
        await refused(bot.api.sendMessage(alice.id, "x".repeat(4097)), /message is too long/);
        await refused(
          bot.api.sendMessage(alice.id, "x", { reply_markup: new InlineKeyboard().text("x", "y".repeat(65)) }),
          /BUTTON_DATA_INVALID/,
        );
        await refused(bot.api.editMessageText(alice.id, 99, "x"), /message to edit not found/);
        await refused(
          bot.api.sendMessage(alice.id, "x", { reply_parameters: { message_id: 42 } }),
          /message to be replied not found/,
        );

        const sent = await bot.api.sendMessage(alice.id, "<b>same</b>", html);
        await refused(
          bot.api.editMessageText(alice.id, sent.message_id, "<b>same</b>", html),
          /message is not modified/,
        );
        await bot.api.editMessageText(alice.id, sent.message_id, "same"); // bold dropped: a real change
        await refused(bot.api.answerCallbackQuery("123"), /query is too old/);

        assert.equal(api.messages(alice.id).length, 1, "refused calls store nothing");
        const failed = api.calls.filter((c) => c.status === 400);
        assert.equal(failed.length, 12);
        assert.match(failed[0]?.description ?? "", /^Bad Request: can't parse entities/);
      },
      { poll: false },
    );
  });

  test("failNext 429 with retry_after is a GrammyError with parameters", async () => {
    await withBot(
      () => {},
      async (api, bot) => {
        api.failNext("sendMessage", {
          error_code: 429,
          description: "Too Many Requests: retry after 7",
          retry_after: 7,
        });
        const err = await bot.api.sendMessage(alice.id, "hi").catch((e: unknown) => e);
        assert.ok(err instanceof GrammyError);
        assert.equal(err.error_code, 429);
        assert.equal(err.parameters.retry_after, 7);
        await bot.api.sendMessage(alice.id, "hi"); // only the next one failed

        api.failNext("*", { error_code: 403, description: "Forbidden: bot was blocked by the user" }, 2);
        await assert.rejects(bot.api.sendChatAction(alice.id, "typing"), /blocked/);
        await assert.rejects(bot.api.sendMessage(alice.id, "x"), /blocked/);
        await bot.api.sendMessage(alice.id, "x");
        assert.deepEqual(
          api.calls.map((c) => c.status),
          [429, 200, 403, 403, 200],
        );
      },
      { poll: false },
    );
  });

  test("setDown answers 502 like a dead proxy: grammY throws HttpError", async () => {
    await withBot(
      () => {},
      async (api, bot) => {
        api.setDown(true);
        const err = await bot.api.sendMessage(alice.id, "alert").catch((e: unknown) => e);
        assert.ok(err instanceof HttpError, String(err));
        const raw = await fetch(`${api.apiRoot}/bot${api.token}/getMe`);
        assert.equal(raw.status, 502);
        await raw.text();
        api.setDown(false);
        await bot.api.sendMessage(alice.id, "alert");
        assert.equal(api.messages(alice.id).length, 1);
        assert.deepEqual(
          api.calls.map((c) => [c.method, c.status]),
          [
            ["sendMessage", 502],
            ["getMe", 502],
            ["sendMessage", 200],
          ],
        );
      },
      { poll: false },
    );
  });

  test("setMyCommands is kept per scope and language", async () => {
    await withBot(
      () => {},
      async (api, bot) => {
        await bot.api.setMyCommands([{ command: "status", description: "Room status" }]);
        await bot.api.setMyCommands([{ command: "status", description: "Raumstatus" }], { language_code: "de" });
        await bot.api.setMyCommands([{ command: "door", description: "Door log" }], {
          scope: { type: "chat", chat_id: staff.id },
        });
        assert.deepEqual(api.commands.get("default"), [{ command: "status", description: "Room status" }]);
        assert.deepEqual(api.commands.get(commandsKey(undefined, "de")), [
          { command: "status", description: "Raumstatus" },
        ]);
        assert.ok(api.commands.has(commandsKey({ type: "chat", chat_id: staff.id })));
        assert.deepEqual(await bot.api.getMyCommands({ language_code: "de" }), [
          { command: "status", description: "Raumstatus" },
        ]);
        await assert.rejects(bot.api.setMyCommands([{ command: "Bad-Name", description: "x" }]), /BOT_COMMAND_INVALID/);
        await bot.api.deleteMyCommands({ language_code: "de" });
        assert.equal(api.commands.has("default/de"), false);
      },
      { poll: false },
    );
  });

  test("@grammyjs/runner works against it", async () => {
    const api = await startLocalBotApi();
    const bot = new Bot(api.token, { client: { apiRoot: api.apiRoot }, botInfo: api.botInfo });
    bot.on("message:text", (ctx) => ctx.reply(`echo: ${ctx.msg.text}`));
    const runner = run(bot);
    try {
      api.sendMessage(bob, privateChat(bob), "ping");
      await api.waitForCall("sendMessage");
      assert.equal(api.lastBotMessage(bob.id)?.text, "echo: ping");
    } finally {
      await runner.stop();
      await api.close();
    }
  });
});

describe("local Bot API server over raw HTTP", () => {
  test("getUpdates: offset confirms, limit, negative offset", async () => {
    const api = await startLocalBotApi();
    try {
      const ids = [1, 2, 3].map((n) => api.sendMessage(bob, privateChat(bob), `m${n}`).update_id);
      const first = await rawCall(api, "getUpdates", { limit: 2 });
      assert.deepEqual(
        first.body.result.map((u: { update_id: number }) => u.update_id),
        ids.slice(0, 2),
      );
      assert.equal(api.pendingUpdates(), 3, "delivered is not confirmed");
      const rest = await rawCall(api, "getUpdates", { offset: (ids[1] ?? 0) + 1 });
      assert.deepEqual(
        rest.body.result.map((u: { update_id: number }) => u.update_id),
        ids.slice(2),
      );
      assert.equal(api.pendingUpdates(), 1);
      api.sendMessage(bob, privateChat(bob), "m4");
      const last = await rawCall(api, "getUpdates", { offset: -1 });
      assert.equal(last.body.result.length, 1);
      assert.equal(last.body.result[0].message.text, "m4");
      assert.equal(api.pendingUpdates(), 1);
    } finally {
      await api.close();
    }
  });

  test("wrong token is 401, unknown method is 404", async () => {
    const api = await startLocalBotApi();
    try {
      assert.deepEqual(await rawCall(api, "getMe", {}, "1:wrong"), {
        status: 401,
        body: { ok: false, error_code: 401, description: "Unauthorized" },
      });
      assert.deepEqual(await rawCall(api, "sendTelepathy"), {
        status: 404,
        body: { ok: false, error_code: 404, description: "Not Found: method not found" },
      });
      const me = await rawCall(api, "getme");
      assert.equal(me.body.result.username, "seroma_test_bot");
    } finally {
      await api.close();
    }
  });

  test("a second getUpdates terminates the held one with 409", async () => {
    const api = await startLocalBotApi();
    try {
      const held = rawCall(api, "getUpdates", { timeout: 30 });
      await api.waitForIdle();
      const second = rawCall(api, "getUpdates", { timeout: 30 });
      const first = await held;
      assert.equal(first.status, 409);
      assert.match(first.body.description, /^Conflict: terminated by other getUpdates request/);
      api.sendMessage(bob, privateChat(bob), "wake up");
      assert.equal((await second).body.result[0].message.text, "wake up");
    } finally {
      await api.close();
    }
  });

  test("close() ends a held long poll promptly", async () => {
    const api = await startLocalBotApi();
    const held = rawCall(api, "getUpdates", { timeout: 60 });
    await api.waitForIdle();
    const waiting = assert.rejects(
      api.waitFor(() => false, 60_000),
      /closed/,
    );
    await api.close();
    assert.deepEqual((await held).body, { ok: true, result: [] });
    await waiting;
  });

  test("a bot.start() poll in flight does not keep close() waiting", async () => {
    const api = await startLocalBotApi();
    const bot = new Bot(api.token, { client: { apiRoot: api.apiRoot }, botInfo: api.botInfo });
    const polling = bot.start();
    await api.waitForIdle();
    await bot.stop();
    await polling;
    await api.close();
    assert.equal(api.calls.filter((c) => c.status !== 200).length, 0, "stopping caused no 409");
  });
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  // biome-ignore lint/suspicious/noExplicitAny: raw Bot API JSON, probed field by field in the tests
  body: Record<string, any>;
  /** Body bytes the client had written when the answer arrived. */
  sentWhenAnswered: number;
  /** Settles when the connection is closed (by the server: the client never closes it first). */
  closed: Promise<void>;
  /** Ends the client's side (after the assertions). */
  done: () => void;
}

/**
 * A client that keeps sending: `bodyBytes` of body in 16 KB pieces, each written after the
 * previous one was handed to the socket and the event loop had a turn, until the answer arrives
 * (then it stops) or the whole body is out. `contentLength` is announced as given; without it
 * the body is chunked. A keep-alive connection, so only the server can decide to close it.
 */
function sendUntilAnswered(
  api: LocalBotApi,
  method: string,
  opts: { bodyBytes: number; contentLength?: number; contentType?: string; token?: string },
): Promise<Answer> {
  const agent = new http.Agent({ keepAlive: true });
  const headers: http.OutgoingHttpHeaders = { "content-type": opts.contentType ?? "application/json" };
  if (opts.contentLength !== undefined) headers["content-length"] = opts.contentLength;
  const req = http.request(`${api.apiRoot}/bot${opts.token ?? api.token}/${method}`, {
    method: "POST",
    headers,
    agent,
  });
  const closed = new Promise<void>((resolve) => req.once("socket", (s) => s.once("close", () => resolve())));
  const done = () => {
    req.destroy();
    agent.destroy();
  };
  return new Promise<Answer>((resolve, reject) => {
    let sent = 0;
    let answered = false;
    req.on("response", (res) => {
      answered = true;
      const sentWhenAnswered = sent;
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, sentWhenAnswered, closed, done });
        } catch (err) {
          reject(err);
        }
      });
    });
    // Once answered, the server hanging up on the rest of the body is expected.
    req.on("error", (err) => {
      if (!answered) {
        done();
        reject(err);
      }
    });
    const piece = Buffer.alloc(16 * 1024, "a");
    const pump = () => {
      if (answered || req.destroyed) return;
      if (sent >= opts.bodyBytes) {
        req.end();
        return;
      }
      const n = Math.min(piece.length, opts.bodyBytes - sent);
      sent += n;
      req.write(n === piece.length ? piece : piece.subarray(0, n), () => setImmediate(pump));
    };
    pump();
  });
}

const MB = 1024 * 1024;

describe("local Bot API server against hostile requests: nothing is read that will not be used", () => {
  // 45 MB: under the largest upload limit, so only refusing before the body can answer early.
  const HUGE = 45 * MB;

  test("a wrong token is 401 while a huge body is still being sent, and the connection is closed", async () => {
    const api = await startLocalBotApi();
    try {
      const r = await sendUntilAnswered(api, "sendDocument", {
        token: "1:wrong",
        bodyBytes: HUGE,
        contentLength: HUGE,
        contentType: "multipart/form-data; boundary=x",
      });
      assert.equal(r.status, 401);
      assert.deepEqual(r.body, { ok: false, error_code: 401, description: "Unauthorized" });
      assert.ok(r.sentWhenAnswered < HUGE, `answered only after the whole body (${r.sentWhenAnswered} bytes)`);
      assert.equal(r.headers.connection, "close");
      await r.closed; // by the server: a client that keeps sending cannot hold the connection
      r.done();
      assert.equal(api.calls.at(-1)?.status, 401, "recorded like any refused call");
    } finally {
      await api.close();
    }
  });

  test("an unknown method is 404 while a huge body is still being sent, and the connection is closed", async () => {
    const api = await startLocalBotApi();
    try {
      const r = await sendUntilAnswered(api, "sendTelepathy", { bodyBytes: HUGE, contentLength: HUGE });
      assert.equal(r.status, 404);
      assert.deepEqual(r.body, { ok: false, error_code: 404, description: "Not Found: method not found" });
      assert.ok(r.sentWhenAnswered < HUGE, `answered only after the whole body (${r.sentWhenAnswered} bytes)`);
      assert.equal(r.headers.connection, "close");
      await r.closed;
      r.done();
    } finally {
      await api.close();
    }
  });

  test("a body announced bigger than its method allows is 413 at once: sendMessage 2 MB, sendPhoto 12 MB; sendDocument of 12 MB goes through", async () => {
    await withBot(
      () => {},
      async (api, bot) => {
        const text = await sendUntilAnswered(api, "sendMessage", { bodyBytes: 2 * MB, contentLength: 2 * MB });
        assert.equal(text.status, 413);
        assert.deepEqual(text.body, { ok: false, error_code: 413, description: "Request Entity Too Large" });
        // Refused on the announced length: not even the 1 MB sendMessage may send was read first.
        assert.ok(text.sentWhenAnswered < MB, `answered after ${text.sentWhenAnswered} bytes`);
        assert.equal(text.headers.connection, "close");
        await text.closed;
        text.done();

        const photo = await sendUntilAnswered(api, "sendPhoto", {
          bodyBytes: 12 * MB,
          contentLength: 12 * MB,
          contentType: "multipart/form-data; boundary=x",
        });
        assert.equal(photo.status, 413, "a photo is at most 10 MB on Telegram");
        assert.ok(photo.sentWhenAnswered < 10 * MB, `answered after ${photo.sentWhenAnswered} bytes`);
        photo.done();

        // Within the limits: a 12 MB document, and (the tests above) photos and clips.
        const bytes = Buffer.alloc(12 * MB, 7);
        const sent = await bot.api.sendDocument(staff.id, new InputFile(bytes, "dump.bin"));
        assert.equal(sent.document?.file_size, bytes.length);
        assert.deepEqual(api.lastBotMessage(staff.id)?.media?.bytes, bytes);
      },
      { poll: false },
    );
  });

  test("a chunked body (no length announced) is cut off with 413 once it passes its method's limit", async () => {
    const api = await startLocalBotApi();
    try {
      const r = await sendUntilAnswered(api, "sendMessage", { bodyBytes: 3 * MB });
      assert.equal(r.status, 413);
      assert.deepEqual(r.body, { ok: false, error_code: 413, description: "Request Entity Too Large" });
      assert.ok(r.sentWhenAnswered < 3 * MB, `answered only after the whole body (${r.sentWhenAnswered} bytes)`);
      assert.equal(r.headers.connection, "close");
      await r.closed;
      r.done();
      // The server still answers everyone else.
      assert.equal((await rawCall(api, "getMe")).status, 200);
    } finally {
      await api.close();
    }
  });
});

describe("local mode's needs: live events, command menus, bounded memory", () => {
  test("onEvent: users' and the bot's messages, edits, deletions, chat actions and button answers, in order", async () => {
    await withBot(
      (bot) => {
        bot.command("go", async (ctx) => {
          await ctx.replyWithChatAction("typing");
          const m = await ctx.reply("<b>first</b>", {
            parse_mode: "HTML",
            reply_markup: new InlineKeyboard().text("Next", "next"),
          });
          await ctx.api.editMessageText(m.chat.id, m.message_id, "second");
          await ctx.api.deleteMessage(m.chat.id, m.message_id);
        });
        bot.callbackQuery("ok", (ctx) => ctx.answerCallbackQuery({ text: "Done", show_alert: true }));
        bot.command("ask", (ctx) => ctx.reply("Press", { reply_markup: new InlineKeyboard().text("OK", "ok") }));
      },
      async (api) => {
        const seen: string[] = [];
        const stop = api.onEvent((e) => {
          if (e.type === "message") {
            const m = e.message;
            seen.push(`${m.from_bot ? "bot" : "user"}:${m.message_id}:${m.text}:${m.edits}:${m.deleted}`);
          } else if (e.type === "action") seen.push(`action:${e.chat_id}:${e.action}`);
          else if (e.type === "callback_answer")
            seen.push(`answer:${e.user_id}:${e.chat_id}:${e.answer.text}:${e.answer.show_alert}`);
        });
        api.onEvent(() => {
          throw new Error("a broken view");
        });
        api.sendMessage(alice, privateChat(alice), "/go");
        await api.waitFor(() => seen.some((s) => s.endsWith(":true")));
        const ask = api.sendMessage(bob, staff, "/ask");
        assert.ok(ask.message);
        const prompt = await api.waitFor(() => api.lastBotMessage(staff.id));
        api.pressButton(bob, prompt, "ok");
        await api.waitFor(() => seen.find((s) => s.startsWith("answer:")));
        stop();
        assert.deepEqual(seen, [
          "user:1:/go:0:false",
          "action:1001:typing",
          "bot:2:first:0:false",
          "bot:2:second:1:false",
          "bot:2:second:1:true",
          "user:1:/ask:0:false",
          "bot:2:Press:0:false",
          `answer:${bob.id}:${staff.id}:Done:true`,
        ]);
      },
    );
  });

  test("memberStatus: who is in a group, as set with setChatMember, and what getChatMember says of it", async () => {
    const api = await startLocalBotApi();
    try {
      api.addChat(staff);
      assert.equal(api.memberStatus(staff.id, alice.id), "left", "nobody is a member until set or written");
      api.setChatMember(staff.id, alice, "administrator");
      assert.equal(api.memberStatus(staff.id, alice.id), "administrator");
      assert.equal(api.memberStatus(staff.id, bob.id), "left");
      const asked = await rawCall(api, "getChatMember", { chat_id: staff.id, user_id: alice.id });
      assert.equal(asked.body.result.status, "administrator");
      // Writing there makes a user a member, as on Telegram (someone added them).
      api.sendMessage(bob, staff, "hello");
      assert.equal(api.memberStatus(staff.id, bob.id), "member");
      api.setChatMember(staff.id, bob, "left");
      assert.equal(api.memberStatus(staff.id, bob.id), "left");
    } finally {
      await api.close();
    }
  });

  test("commandsFor resolves the menu a client shows: chat scope, then the chat type, then default; language first", async () => {
    const api = await startLocalBotApi();
    try {
      const set = (params: Record<string, unknown>) => rawCall(api, "setMyCommands", params);
      await set({ commands: [{ command: "start", description: "Default" }] });
      await set({ commands: [{ command: "status", description: "Private" }], scope: { type: "all_private_chats" } });
      await set({
        commands: [{ command: "status", description: "個人" }],
        scope: { type: "all_private_chats" },
        language_code: "ja",
      });
      await set({
        commands: [{ command: "alerts", description: "Group" }],
        scope: { type: "chat", chat_id: staff.id },
      });
      const menu = (chat: { id: number; type: TestChat["type"] }, lang?: string) =>
        api.commandsFor(chat, lang).map((c) => `${c.command}=${c.description}`);
      assert.deepEqual(menu({ id: alice.id, type: "private" }), ["status=Private"]);
      assert.deepEqual(menu({ id: alice.id, type: "private" }, "ja"), ["status=個人"]);
      assert.deepEqual(menu({ id: alice.id, type: "private" }, "de"), ["status=Private"]);
      assert.deepEqual(menu(staff), ["alerts=Group"]);
      assert.deepEqual(menu({ id: -42, type: "group" }), ["start=Default"]);
    } finally {
      await api.close();
    }
  });

  test("limits: old messages, old calls and old files' bytes are forgotten; the newest stay whole", async () => {
    const api = await startLocalBotApi({ limits: { maxMessagesPerChat: 3, maxRecordedCalls: 10, maxFileBytes: 100 } });
    try {
      for (let i = 1; i <= 5; i++) {
        const r = await rawCall(api, "sendMessage", { chat_id: alice.id, text: `m${i}` });
        assert.equal(r.body.ok, true);
      }
      assert.deepEqual(
        api.messages(alice.id).map((m) => m.text),
        ["m3", "m4", "m5"],
      );
      const edit = await rawCall(api, "editMessageText", { chat_id: alice.id, message_id: 1, text: "x" });
      assert.equal(edit.body.description, "Bad Request: message to edit not found");

      const upload = async (name: string) => {
        const form = new FormData();
        form.set("chat_id", String(alice.id));
        form.set("photo", new Blob([pngHeader(2, 3), Buffer.alloc(40)]), name);
        const res = await fetch(`${api.apiRoot}/bot${api.token}/sendPhoto`, { method: "POST", body: form });
        const body = (await res.json()) as { ok: boolean; result: { photo: { file_id: string }[] } };
        assert.equal(body.ok, true);
        return body.result.photo.at(-1)?.file_id as string;
      };
      const first = await upload("a.png"); // 73 bytes
      const second = await upload("b.png"); // 146 > 100: the first goes
      assert.equal(api.files.get(first), undefined);
      assert.equal(api.files.get(second)?.bytes?.length, 73);
      const firstMessage = api.messages(alice.id).find((m) => m.media?.fileId === first);
      assert.equal(firstMessage?.media?.bytes, undefined, "the message no longer holds the bytes either");

      const sent = api.calls.filter((c) => c.method.toLowerCase() === "sendphoto").at(-1);
      assert.deepEqual(
        sent?.params.photo,
        { filename: "b.png", mime: "application/octet-stream", size: 73 },
        "no bytes",
      );
      for (let i = 0; i < 20; i++) await rawCall(api, "getMe");
      assert.ok(api.calls.length <= 10, `calls kept: ${api.calls.length}`);
      assert.equal(api.calls.at(-1)?.method, "getMe");
      assert.ok(api.callbackAnswers.length <= 10);
    } finally {
      await api.close();
    }
  });
});

describe("entities Telegram adds by itself", () => {
  test("bare links become url entities, outside code and existing links, without trailing punctuation", async () => {
    const api = await startLocalBotApi();
    try {
      const text =
        'See https://t.me/seroma_test_bot?start=link_abc. Or <code>https://no.example/x</code>, <a href="https://a.example">https://b.example</a> and (http://c.example/p).';
      const r = await rawCall(api, "sendMessage", { chat_id: alice.id, text, parse_mode: "HTML" });
      assert.equal(r.body.ok, true);
      const m = api.lastBotMessage(alice.id);
      const shown = m?.text ?? "";
      const urls = (m?.entities ?? [])
        .filter((e) => e.type === "url")
        .map((e) => shown.slice(e.offset, e.offset + e.length));
      assert.deepEqual(urls, ["https://t.me/seroma_test_bot?start=link_abc", "http://c.example/p"]);
      const offsets = (m?.entities ?? []).map((e) => e.offset);
      assert.deepEqual(
        offsets,
        [...offsets].sort((a, b) => a - b),
        "entities in order",
      );
    } finally {
      await api.close();
    }
  });
});
