/**
 * Mini Apps and link buttons on the local Bot API server, as Telegram takes them: web_app
 * buttons only in private chats (BUTTON_TYPE_INVALID elsewhere) and with https links (http too
 * in the test environment, as local mode runs it); URL buttons to localhost or loopback refused
 * (BUTTON_URL_INVALID); setChatMenuButton recorded per chat, read back with getChatMenuButton,
 * told to the page as an event.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type LocalBotApi,
  type LocalBotApiEvent,
  type LocalBotApiOptions,
  startLocalBotApi,
} from "../../../local/bot-api/server.ts";

const ALICE = 1001;
const GROUP = -1_001_234_567_890;

async function call(api: LocalBotApi, method: string, params: Record<string, unknown>) {
  const res = await fetch(`${api.apiRoot}/bot${api.token}/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(params),
  });
  // biome-ignore lint/suspicious/noExplicitAny: raw Bot API JSON, probed field by field in the tests
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

async function withApi(fn: (api: LocalBotApi) => Promise<void>, opts: LocalBotApiOptions = {}): Promise<void> {
  const api = await startLocalBotApi(opts);
  try {
    await fn(api);
  } finally {
    await api.close();
  }
}

const keyboard = (button: Record<string, unknown>) => ({ inline_keyboard: [[{ text: "Open", ...button }]] });
const send = (api: LocalBotApi, chat_id: number, button: Record<string, unknown>) =>
  call(api, "sendMessage", { chat_id, text: "x", reply_markup: keyboard(button) });

describe("local Bot API: Mini App and link buttons", () => {
  test("a web_app button: fine in a private chat, BUTTON_TYPE_INVALID in a group (sent or edited in)", () =>
    withApi(async (api) => {
      const ok = await send(api, ALICE, { web_app: { url: "https://dash.example.com/" } });
      assert.equal(ok.status, 200);
      assert.deepEqual(ok.body.result.reply_markup.inline_keyboard[0][0].web_app, { url: "https://dash.example.com/" });

      const group = await send(api, GROUP, { web_app: { url: "https://dash.example.com/" } });
      assert.equal(group.status, 400);
      assert.equal(group.body.description, "Bad Request: BUTTON_TYPE_INVALID");

      const plain = await call(api, "sendMessage", { chat_id: GROUP, text: "x" });
      const edit = await call(api, "editMessageReplyMarkup", {
        chat_id: GROUP,
        message_id: plain.body.result.message_id,
        reply_markup: keyboard({ web_app: { url: "https://dash.example.com/" } }),
      });
      assert.equal(edit.body.description, "Bad Request: BUTTON_TYPE_INVALID");
      assert.equal(api.messages(GROUP).length, 1, "refused calls store nothing");
    }));

  test("a web_app button needs an https link in production; the test environment takes http", async () => {
    await withApi(async (api) => {
      const http = await send(api, ALICE, { web_app: { url: "http://127.0.0.1:8081/" } });
      assert.equal(http.status, 400);
      assert.equal(
        http.body.description,
        "Bad Request: inline keyboard button Web App URL 'http://127.0.0.1:8081/' is invalid: Only HTTPS links are allowed",
      );
    });
    await withApi(
      async (api) => {
        assert.equal((await send(api, ALICE, { web_app: { url: "http://127.0.0.1:8081/" } })).status, 200);
        assert.equal((await send(api, GROUP, { web_app: { url: "http://127.0.0.1:8081/" } })).status, 400);
      },
      { testEnvironment: true },
    );
  });

  test("URL buttons: https, http with a real host and tg links pass; localhost, loopback and dotless hosts do not", () =>
    withApi(async (api) => {
      for (const url of ["https://dash.example.com/login/abc", "http://192.168.1.20:8081/", "tg://resolve?domain=x"]) {
        assert.equal((await send(api, ALICE, { url })).status, 200, url);
      }
      for (const url of [
        "http://localhost:8081/login/abc",
        "http://127.0.0.1:8081/login/abc",
        "https://[::1]:8081/",
        "http://intranet/",
        "ftp://example.com/",
      ]) {
        const refused = await send(api, ALICE, { url });
        assert.equal(refused.status, 400, url);
        assert.equal(refused.body.description, "Bad Request: BUTTON_URL_INVALID", url);
      }
    }));

  test("setChatMenuButton: recorded per chat and as the default, read back by getChatMenuButton, an event each", () =>
    withApi(async (api) => {
      const events: LocalBotApiEvent[] = [];
      api.onEvent((e) => events.push(e));
      assert.deepEqual((await call(api, "getChatMenuButton", { chat_id: ALICE })).body.result, { type: "commands" });

      const button = { type: "web_app", text: "Dashboard", web_app: { url: "https://dash.example.com/" } };
      const set = await call(api, "setChatMenuButton", { chat_id: ALICE, menu_button: button });
      assert.equal(set.body.result, true);
      assert.deepEqual(api.menuButton(ALICE), button);
      assert.deepEqual((await call(api, "getChatMenuButton", { chat_id: ALICE })).body.result, button);
      assert.deepEqual(api.menuButton(1002), { type: "commands" }, "another chat keeps the command menu");
      assert.deepEqual(events.at(-1), { type: "menu_button", chat_id: ALICE, menu_button: button });

      // Back to the default: the chat shows the command menu again.
      await call(api, "setChatMenuButton", { chat_id: ALICE, menu_button: { type: "default" } });
      assert.deepEqual(api.menuButton(ALICE), { type: "commands" });

      // The bot's default applies to chats without their own.
      await call(api, "setChatMenuButton", { menu_button: button });
      assert.deepEqual(api.menuButton(1002), button);
    }));

  test("setChatMenuButton refuses what Telegram refuses: an unknown type, no text, an http Mini App", () =>
    withApi(async (api) => {
      const refused = async (menu_button: unknown, pattern: RegExp) => {
        const r = await call(api, "setChatMenuButton", { chat_id: ALICE, menu_button });
        assert.equal(r.status, 400, JSON.stringify(menu_button));
        assert.match(r.body.description, pattern);
      };
      await refused({ type: "mini_app" }, /Unsupported type/);
      await refused({ type: "web_app", text: "", web_app: { url: "https://dash.example.com/" } }, /text is empty/);
      await refused({ type: "web_app", text: "Go", web_app: { url: "http://127.0.0.1:8081/" } }, /Only HTTPS links/);
      assert.deepEqual(api.menuButton(ALICE), { type: "commands" }, "nothing recorded");
    }));
});
