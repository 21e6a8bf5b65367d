/**
 * bot/outgoing.ts end to end: a real grammY bot (with @grammyjs/conversations) wired as
 * createBot wires it (setupOutgoingFit on bot.api, perUpdate after the translations,
 * resolveRefs before the handlers, perUpdate as a conversations plugin) against the local
 * Bot API server, which refuses texts over 4,096 characters, captions over 1,024 and
 * callback data over 64 bytes, as Telegram does. Every kind of call the bot makes.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { type Conversation, type ConversationFlavor, conversations, createConversation } from "@grammyjs/conversations";
import { Bot, InlineKeyboard, InputFile } from "grammy";
import { CallbackRefs } from "../../bot/callback-refs.ts";
import { type FitContext, setupOutgoingFit } from "../../bot/outgoing.ts";
import { htmlToText } from "../../core/text/fit.ts";
import {
  inlineButtons,
  type LocalBotApi,
  privateChat,
  type RecordedMessage,
  startLocalBotApi,
  type TestUser,
} from "../../local/bot-api/server.ts";

const ADA: TestUser = { id: 501, first_name: "Ada", language_code: "en" };
const YUKI: TestUser = { id: 502, first_name: "Yuki", language_code: "ja" };

const WORDS: Record<string, Record<string, (v?: Record<string, string>) => string>> = {
  en: {
    "fit-more": (v) => `… and ${v?.n} more`,
    "fit-full-text": () => "📄 The full text",
    "error-button-expired": () => "This button no longer works. Send the command again.",
  },
  ja: {
    "fit-more": (v) => `…ほか ${v?.n} 件`,
    "fit-full-text": () => "📄 全文",
    "error-button-expired": () => "このボタンはもう使えません。",
  },
};
const translate = (locale: string) => (key: string, vars?: Record<string, string>) =>
  (WORDS[locale]?.[key] ?? ((): string => key))(vars);

type Ctx = FitContext & ConversationFlavor<FitContext>;

/** 2x3 PNG header: the server reads its dimensions, which is all it checks. */
function png(): Buffer {
  const b = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write("IHDR", 12, "ascii");
  b.writeUInt32BE(2, 16);
  b.writeUInt32BE(3, 20);
  return b;
}

/** n lines of HTML, each with an entity, a tag and an emoji. */
const longHtml = (n: number) =>
  Array.from({ length: n }, (_, i) => `<b>row ${i}</b> a &lt; b &amp;&amp; 👨‍👩‍👧 <i>${"x".repeat(40)}</i>`).join("\n");
const LONG_DATA = `act:${"d".repeat(90)}`; // 94 bytes

describe("every outgoing call fits Telegram's limits (bot/outgoing.ts)", () => {
  let api: LocalBotApi;
  let bot: Bot<Ctx>;
  let polling: Promise<void>;
  const refs = new CallbackRefs(20);
  const warnings: string[] = [];
  const errors: unknown[] = [];
  const pressed: string[] = [];

  before(async () => {
    api = await startLocalBotApi();
    bot = new Bot<Ctx>(api.token, { client: { apiRoot: api.apiRoot }, botInfo: api.botInfo });
    const log = {
      warn: (_o: object, msg: string) => {
        warnings.push(msg);
      },
      info: () => {},
    };
    const fit = setupOutgoingFit(bot.api, { t: translate("en"), log, refs });
    bot.catch((err) => {
      errors.push(err.error);
    });
    const i18n = (ctx: FitContext, next: () => Promise<void>) => {
      ctx.t = translate(ctx.from?.language_code === "ja" ? "ja" : "en");
      ctx.log = log;
      return next();
    };
    bot.use(i18n, fit.perUpdate, fit.resolveRefs);
    bot.use(conversations<Ctx, FitContext>({ plugins: [i18n, fit.perUpdate] }));
    bot.use(
      createConversation<Ctx, FitContext>(async (conversation: Conversation<Ctx, FitContext>, ctx: FitContext) => {
        await ctx.reply(longHtml(200), {
          parse_mode: "HTML",
          reply_markup: new InlineKeyboard().text(`Go ${"on ".repeat(40)}`, LONG_DATA),
        });
        const press = await conversation.waitFor("callback_query:data");
        await press.answerCallbackQuery();
        await press.reply(
          `conversation got ${press.callbackQuery.data.length} bytes: ${press.callbackQuery.data.slice(0, 8)}`,
        );
      }, "talk"),
    );
    bot.command("talk", (ctx) => ctx.conversation.enter("talk"));
    bot.command("long", (ctx) => ctx.reply(longHtml(200), { parse_mode: "HTML" }));
    bot.command("plain", (ctx) => ctx.reply(`${"plain <b>not a tag</b> & co\n".repeat(300)}`));
    bot.command("photo", (ctx) =>
      ctx.replyWithPhoto(new InputFile(png(), "p.png"), { caption: "caption line\n".repeat(200) }),
    );
    bot.command("album", (ctx) =>
      ctx.replyWithMediaGroup([
        { type: "photo", media: new InputFile(png(), "a.png"), caption: "short" },
        { type: "photo", media: new InputFile(png(), "b.png"), caption: longHtml(30), parse_mode: "HTML" },
      ]),
    );
    bot.command("edit", async (ctx) => {
      const m = await ctx.reply("soon");
      await ctx.api.editMessageText(m.chat.id, m.message_id, longHtml(100), { parse_mode: "HTML" });
    });
    bot.command("editcaption", async (ctx) => {
      const m = await ctx.replyWithPhoto(new InputFile(png(), "p.png"), { caption: "short" });
      await ctx.api.editMessageCaption(m.chat.id, m.message_id, { caption: longHtml(20), parse_mode: "HTML" });
    });
    bot.command("buttons", (ctx) =>
      ctx.reply("Pick one", {
        reply_markup: new InlineKeyboard()
          .text(`🔗 ${"👨‍👩‍👧‍👦".repeat(20)}`, LONG_DATA)
          .text("short", "act:short")
          .row()
          .text("other", `${LONG_DATA}:${ctx.match || "x"}`),
      }),
    );
    bot.callbackQuery(/^act:/, async (ctx) => {
      pressed.push(ctx.callbackQuery.data);
      await ctx.answerCallbackQuery({ text: `pressed ${"and a very long toast ".repeat(20)}` });
    });
    polling = bot.start();
  });
  after(async () => {
    if (bot.isRunning()) await bot.stop();
    await polling;
    await api.close();
  });
  beforeEach(async () => {
    await api.waitForIdle();
    assert.deepEqual(errors, [], "no handler errors so far");
  });

  const botMessages = (user: TestUser) => api.messages(user.id).filter((m) => m.from_bot);
  async function command(user: TestUser, text: string, count = 1): Promise<RecordedMessage[]> {
    const before = botMessages(user).length;
    api.sendMessage(user, privateChat(user), text);
    return api.waitFor(() => {
      const fresh = botMessages(user).slice(before);
      return fresh.length >= count ? fresh : undefined;
    });
  }
  async function fullText(user: TestUser, message: RecordedMessage): Promise<string> {
    const doc = await api.waitFor(() =>
      botMessages(user).find((m) => m.media?.kind === "document" && m.reply_to_message_id === message.message_id),
    );
    assert.match(doc.media?.filename ?? "", /\.txt$/);
    return doc.media?.bytes?.toString("utf8") ?? "";
  }

  test("a long HTML reply is cut on a line, '… and N more' in the reader's language, the whole as a .txt reply", async () => {
    const [en] = (await command(ADA, "/long")) as [RecordedMessage];
    assert.ok((en.text ?? "").length <= 4096);
    const more = /\n… and (\d+) more$/.exec(en.text ?? "");
    assert.ok(more, (en.text ?? "").slice(-60));
    assert.equal(en.text?.split("\n").length, 200 - Number(more[1]) + 1);
    assert.equal(await fullText(ADA, en), `${htmlToText(longHtml(200))}\n`);

    const [ja] = (await command(YUKI, "/long")) as [RecordedMessage];
    assert.match(ja.text ?? "", /\n…ほか \d+ 件$/);
    const doc = await api.waitFor(() => botMessages(YUKI).find((m) => m.reply_to_message_id === ja.message_id));
    assert.equal(doc.caption, "📄 全文");
  });

  test("plain text (no parse mode) is cut as plain text", async () => {
    const [m] = (await command(ADA, "/plain")) as [RecordedMessage];
    assert.equal(m.parse_mode, undefined);
    assert.match(m.raw ?? "", /^plain <b>not a tag<\/b> & co\n[\s\S]*\n… and \d+ more$/);
    assert.ok((m.text ?? "").length <= 4096);
  });

  test("captions: a photo's and a media group item's, each with the full text as a reply to it", async () => {
    const [photo] = (await command(ADA, "/photo")) as [RecordedMessage];
    assert.ok((photo.caption ?? "").length <= 1024);
    assert.match(photo.caption ?? "", /… and \d+ more$/);
    assert.equal(await fullText(ADA, photo), "caption line\n".repeat(200));

    const [first, second] = (await command(ADA, "/album", 2)) as [RecordedMessage, RecordedMessage];
    assert.equal(first.caption, "short");
    assert.ok((second.caption ?? "").length <= 1024);
    assert.match(await fullText(ADA, second), /^row 0 a < b && /);
  });

  test("edits: editMessageText and editMessageCaption are fitted, the full text replies to the edited message", async () => {
    const [m] = (await command(ADA, "/edit")) as [RecordedMessage];
    const edited = await api.waitFor(() =>
      api.messages(ADA.id).find((x) => x.message_id === m.message_id && x.edits > 0),
    );
    assert.match(edited.text ?? "", /\n… and \d+ more$/);
    assert.match(await fullText(ADA, edited), /row 99 /);

    const [p] = (await command(ADA, "/editcaption")) as [RecordedMessage];
    const captioned = await api.waitFor(() =>
      api.messages(ADA.id).find((x) => x.message_id === p.message_id && x.edits > 0),
    );
    assert.ok((captioned.caption ?? "").length <= 1024);
    assert.match(await fullText(ADA, captioned), /row 19 /);
  });

  test("buttons: long labels cut, long callback data sent as a reference and resolved before the handler; toasts fitted", async () => {
    const [m] = (await command(ADA, "/buttons")) as [RecordedMessage];
    const buttons = inlineButtons(m) as Array<{ text: string; callback_data?: string }>;
    assert.equal(buttons.length, 3);
    for (const b of buttons) {
      assert.ok(b.text.length <= 64, b.text);
      assert.ok(Buffer.byteLength(b.callback_data ?? "") <= 64);
    }
    assert.match(buttons[0]?.text ?? "", /^🔗 (👨‍👩‍👧‍👦)+…$/);
    assert.match(buttons[0]?.callback_data ?? "", /^~[\w-]{12}$/);
    assert.equal(buttons[1]?.callback_data, "act:short", "short data is left alone");

    const answers = api.callbackAnswers.length;
    api.pressButton(ADA, m, buttons[0]?.callback_data ?? "");
    const answer = await api.waitFor(() => api.callbackAnswers[answers]);
    assert.deepEqual(pressed, [LONG_DATA], "the handler saw the original data");
    assert.ok((answer.text ?? "").length <= 200);
    assert.match(answer.text ?? "", /^pressed .*…$/);
  });

  test("a reference the bot no longer remembers gets the 'expired' toast and reaches no handler", async () => {
    const [old] = (await command(ADA, "/buttons first")) as [RecordedMessage];
    // The store is bounded (20 here): 25 more messages with other long data push it out.
    for (let i = 0; i < 25; i++) await command(ADA, `/buttons n${i}`);
    const ref = inlineButtons(old)[2] as { callback_data: string };
    assert.equal(refs.resolve(ref.callback_data), undefined, "forgotten");
    const seen = pressed.length;
    const answers = api.callbackAnswers.length;
    api.pressButton(ADA, old, ref.callback_data);
    const answer = await api.waitFor(() => api.callbackAnswers[answers]);
    assert.equal(answer.text, "This button no longer works. Send the command again.");
    assert.equal(pressed.length, seen);
  });

  test("bot.api (the alert channel's path) fits in the default language", async () => {
    const m = await bot.api.sendMessage(ADA.id, longHtml(150), { parse_mode: "HTML" });
    const stored = api.messages(ADA.id).find((x) => x.message_id === m.message_id);
    assert.match(stored?.text ?? "", /\n… and \d+ more$/);
    assert.match(await fullText(ADA, stored as RecordedMessage), /row 149 /);
  });

  test("if the .txt cannot be sent, the cut message still goes out and the failure is logged", async () => {
    api.failNext("sendDocument", { error_code: 400, description: "Bad Request: file is too big" });
    const [m] = (await command(ADA, "/long")) as [RecordedMessage];
    assert.match(m.text ?? "", /… and \d+ more$/);
    await api.waitFor(() => warnings.includes("could not send the full text of a cut message"));
    await api.waitForIdle();
    assert.equal(
      botMessages(ADA).some((x) => x.reply_to_message_id === m.message_id),
      false,
      "no document, no error message",
    );
  });

  test("inside a conversation (its own Api): texts, labels and callback data are fitted too", async () => {
    const [m] = (await command(YUKI, "/talk")) as [RecordedMessage];
    assert.match(m.text ?? "", /\n…ほか \d+ 件$/);
    const [button] = inlineButtons(m) as [{ text: string; callback_data: string }];
    assert.ok(button.text.length <= 64);
    assert.match(button.callback_data, /^~/);
    assert.match(await fullText(YUKI, m), /row 199 /);
    const before = botMessages(YUKI).length;
    api.pressButton(YUKI, m, button.callback_data);
    const got = await api.waitFor(() =>
      botMessages(YUKI)
        .slice(before)
        .find((x) => /conversation got/.test(x.text ?? "")),
    );
    assert.equal(got.text, `conversation got ${LONG_DATA.length} bytes: act:dddd`);
  });
});
