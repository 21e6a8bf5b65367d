/**
 * Local mode's page and the dashboard, through its HTTP API: POST /api/webapp opens a Mini App
 * the bot offered a persona with initData signed by the bot's token for that persona (what
 * Telegram gives a Mini App), and nothing the bot did not offer; POST /api/dashboard-link gives
 * each persona (a stranger too: the dashboard refuses her) a one-time link, and says so clearly
 * when the dashboard is off or down; /api/state tells the page both.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { parse, validate } from "@tma.js/init-data-node";
import { silentLogger } from "../../../core/logger.ts";
import { type LocalBotApi, startLocalBotApi } from "../../../local/bot-api/server.ts";
import type { HardwarePanel } from "../../../local/hardware-panel.ts";
import { LOCAL_PERSONAS } from "../../../local/local-mode.ts";
import { type LocalWeb, startLocalWeb } from "../../../local/web/server.ts";

const TOKEN = "a-session-token-for-the-tests-0123456789";
const ADA = 1001;
const MALLORY = 6666;
const MINI_APP = "http://127.0.0.1:8081/";

/** The panel is not what these tests are about. */
const panel = {
  state: async () => ({}),
  act: async () => ({}),
  onChange: () => () => {},
  changed: () => {},
} as unknown as HardwarePanel;

async function start(api: LocalBotApi, dashboardLink?: (userId: number) => Promise<string>): Promise<LocalWeb> {
  return startLocalWeb({
    api,
    panel,
    personas: LOCAL_PERSONAS,
    groups: [],
    token: TOKEN,
    logger: silentLogger,
    ...(dashboardLink ? { dashboardLink } : {}),
  });
}

async function request(web: LocalWeb, method: string, path: string, body?: unknown) {
  const res = await fetch(`${web.origin}${path}`, {
    method,
    headers: {
      cookie: `seroma_local=${TOKEN}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: the page's JSON, probed field by field
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

async function botCall(api: LocalBotApi, method: string, params: Record<string, unknown>) {
  const res = await fetch(`${api.apiRoot}/bot${api.token}/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(params),
  });
  assert.equal(res.status, 200, `${method}: ${await res.clone().text()}`);
}

describe("local page: Mini Apps and the dashboard", () => {
  let api: LocalBotApi;
  let web: LocalWeb;
  const links: number[] = [];
  let down = false;

  before(async () => {
    api = await startLocalBotApi({ testEnvironment: true });
    web = await start(api, async (userId) => {
      if (down) throw new Error("connect ECONNREFUSED");
      links.push(userId);
      return `http://127.0.0.1:8081/login/token-${links.length}`;
    });
  });
  after(async () => {
    await web.close();
    await api.close();
  });

  test("/api/state: the dashboard is there, and each persona's menu button", async () => {
    await botCall(api, "setChatMenuButton", {
      chat_id: ADA,
      menu_button: { type: "web_app", text: "Dashboard", web_app: { url: MINI_APP } },
    });
    const { body } = await request(web, "GET", "/api/state");
    assert.equal(body.dashboard, true);
    assert.deepEqual(body.menuButtons[String(ADA)], { type: "web_app", text: "Dashboard", web_app: { url: MINI_APP } });
    assert.deepEqual(body.menuButtons[String(MALLORY)], { type: "commands" });
  });

  test("/api/webapp: the Mini App's address with initData signed by the bot's token, naming the persona", async () => {
    const { status, body } = await request(web, "POST", "/api/webapp", { from: ADA, url: MINI_APP });
    assert.equal(status, 200);
    const opened = new URL(body.url);
    assert.equal(`${opened.origin}${opened.pathname}`, MINI_APP);
    const hash = new URLSearchParams(opened.hash.slice(1));
    const initData = hash.get("tgWebAppData") ?? "";
    validate(initData, api.token, { expiresIn: 3600 });
    assert.throws(() => validate(initData, "5000000001:another-bots-token"), "signed with this bot's token only");
    const data = parse(initData);
    assert.equal(data.user?.id, ADA);
    assert.equal(data.user?.first_name, "Ada");
    assert.equal(hash.get("tgWebAppVersion"), "8.0");
    assert.equal(JSON.parse(hash.get("tgWebAppThemeParams") ?? "{}").bg_color, "#ffffff");
  });

  test("/api/webapp: a web_app button in the persona's chat counts; an address the bot did not offer does not", async () => {
    const other = "http://127.0.0.1:9999/elsewhere";
    const refused = await request(web, "POST", "/api/webapp", { from: MALLORY, url: MINI_APP });
    assert.equal(refused.status, 400, "Mallory was offered nothing");
    assert.equal(refused.body.code, "webapp-unknown");
    assert.equal((await request(web, "POST", "/api/webapp", { from: ADA, url: other })).status, 400);

    await botCall(api, "sendMessage", {
      chat_id: MALLORY,
      text: "x",
      reply_markup: { inline_keyboard: [[{ text: "Open", web_app: { url: other } }]] },
    });
    const { status, body } = await request(web, "POST", "/api/webapp", { from: MALLORY, url: other });
    assert.equal(status, 200);
    const initData = new URLSearchParams(new URL(body.url).hash.slice(1)).get("tgWebAppData") ?? "";
    validate(initData, api.token);
    assert.equal(parse(initData).user?.id, MALLORY);
  });

  test("/api/dashboard-link: a one-time link for each persona, Mallory too (the dashboard refuses her)", async () => {
    const ada = await request(web, "POST", "/api/dashboard-link", { from: ADA });
    assert.equal(ada.status, 200);
    assert.match(ada.body.url, /^http:\/\/127\.0\.0\.1:8081\/login\/token-\d+$/);
    const mallory = await request(web, "POST", "/api/dashboard-link", { from: MALLORY });
    assert.equal(mallory.status, 200);
    assert.notEqual(mallory.body.url, ada.body.url);
    assert.deepEqual(links.slice(-2), [ADA, MALLORY]);
    const nobody = await request(web, "POST", "/api/dashboard-link", { from: 4242 });
    assert.equal(nobody.status, 400, "only the personas");
  });

  test("/api/dashboard-link with the dashboard down: 503 and a sentence the page can say", async () => {
    down = true;
    try {
      const r = await request(web, "POST", "/api/dashboard-link", { from: ADA });
      assert.equal(r.status, 503);
      assert.equal(r.body.code, "dashboard-down");
      assert.match(r.body.error, /not answering/);
    } finally {
      down = false;
    }
    assert.equal((await request(web, "GET", "/api/state")).status, 200, "the page goes on");
  });
});

describe("local page without a dashboard", () => {
  test("/api/state says so and /api/dashboard-link answers dashboard-off", async () => {
    const api = await startLocalBotApi();
    const web = await start(api);
    try {
      assert.equal((await request(web, "GET", "/api/state")).body.dashboard, false);
      const r = await request(web, "POST", "/api/dashboard-link", { from: ADA });
      assert.equal(r.status, 404);
      assert.equal(r.body.code, "dashboard-off");
    } finally {
      await web.close();
      await api.close();
    }
  });
});
