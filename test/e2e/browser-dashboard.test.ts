/**
 * Local mode's page opening the dashboard, in a real browser (Debian's Chromium driven headless
 * by playwright-core), against the page's server and the built-in Bot API server in-process
 * (the dashboard here is a small stand-in that shows what it was opened with): "Open dashboard"
 * next to the persona picker opens the persona's one-time link in a new tab; the bot's Mini
 * App menu button and a web_app button under a message open the app with initData signed with
 * the bot's token for the persona. Where Chromium is not installed, the tests skip and say so.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { parse, validate } from "@tma.js/init-data-node";
import { type Browser, chromium, type Page } from "playwright-core";
import { silentLogger } from "../../core/logger.ts";
import { type LocalBotApi, startLocalBotApi } from "../../local/bot-api/server.ts";
import type { HardwarePanel } from "../../local/hardware-panel.ts";
import { LOCAL_PERSONAS } from "../../local/local-mode.ts";
import { type LocalWeb, startLocalWeb } from "../../local/web/server.ts";

const CHROMIUM = "/usr/bin/chromium";
const NO_CHROMIUM = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is not installed (apt-get install -y chromium; .ci/run does it): browser tests skipped`;
const ADA = 1001;
const LINUS = 1002;
const TOKEN = "a-session-token-for-the-browser-0123456789";
const UI_TIMEOUT = 15_000;

/** No hardware on this page: the panel stays empty. */
const panel = {
  state: async () => null,
  act: async () => ({}),
  onChange: () => () => {},
  changed: () => {},
} as unknown as HardwarePanel;

describe("local mode's page opens the dashboard (Chromium, headless)", { skip: NO_CHROMIUM }, () => {
  let api: LocalBotApi;
  let web: LocalWeb;
  let dashboard: http.Server;
  let dashboardOrigin = "";
  let browser: Browser;
  let page: Page;
  const links: number[] = [];
  const problems: string[] = [];

  /** Clicks `click` and returns the address of the tab it opens. */
  async function opensTab(click: () => Promise<void>): Promise<URL> {
    const [tab] = await Promise.all([page.context().waitForEvent("page"), click()]);
    await tab.waitForLoadState("domcontentloaded");
    const url = new URL(tab.url());
    await tab.close();
    return url;
  }

  async function botCall(method: string, params: Record<string, unknown>) {
    const res = await fetch(`${api.apiRoot}/bot${api.token}/${method}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(params),
    });
    assert.equal(res.status, 200, `${method}: ${await res.clone().text()}`);
  }

  before(async () => {
    dashboard = http.createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end("<!doctype html><title>dashboard</title><p>dashboard</p>");
    });
    await new Promise<void>((resolve) => dashboard.listen(0, "127.0.0.1", resolve));
    dashboardOrigin = `http://127.0.0.1:${(dashboard.address() as AddressInfo).port}`;
    api = await startLocalBotApi({ testEnvironment: true, botUsername: "seroma_local_bot" });
    web = await startLocalWeb({
      api,
      panel,
      personas: LOCAL_PERSONAS,
      groups: [],
      token: TOKEN,
      logger: silentLogger,
      dashboardLink: async (userId) => {
        links.push(userId);
        return `${dashboardOrigin}/login/token-${links.length}`;
      },
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(UI_TIMEOUT);
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(`console: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    await page.goto(web.url);
    await page.locator(`[data-testid="chat"][data-chat-id="${ADA}"]`).waitFor();
  });

  after(async () => {
    await browser?.close();
    await web?.close();
    await api?.close();
    await new Promise<void>((resolve) => (dashboard ? dashboard.close(() => resolve()) : resolve()));
  });

  test("Open dashboard next to the persona picker: a one-time link for whoever you are", async () => {
    const button = page.getByTestId("open-dashboard");
    await button.waitFor();
    assert.equal(await button.textContent(), "Open dashboard");
    const asAda = await opensTab(() => button.click());
    assert.equal(asAda.href, `${dashboardOrigin}/login/token-${links.length}`);
    assert.equal(links.at(-1), ADA);

    await page.getByTestId("persona").selectOption(String(LINUS));
    const asLinus = await opensTab(() => button.click());
    assert.notEqual(asLinus.href, asAda.href);
    assert.equal(links.at(-1), LINUS);
    await page.getByTestId("persona").selectOption(String(ADA));
  });

  test("the bot's Mini App menu button opens the app signed in as the persona", async () => {
    const miniApp = `${dashboardOrigin}/`;
    await botCall("setChatMenuButton", {
      chat_id: ADA,
      menu_button: { type: "web_app", text: "Dashboard", web_app: { url: miniApp } },
    });
    const menu = page.getByTestId("menu-button");
    await menu.waitFor();
    assert.equal(await menu.textContent(), "Dashboard");
    const opened = await opensTab(() => menu.click());
    assert.equal(`${opened.origin}${opened.pathname}`, miniApp);
    const initData = new URLSearchParams(opened.hash.slice(1)).get("tgWebAppData") ?? "";
    validate(initData, api.token);
    assert.equal(parse(initData).user?.id, ADA);

    // Linus has no menu button: none shows in his chat.
    await page.getByTestId("persona").selectOption(String(LINUS));
    await menu.waitFor({ state: "hidden" });
    await page.getByTestId("persona").selectOption(String(ADA));
  });

  test("a web_app button under a message opens the app as the persona", async () => {
    const miniApp = `${dashboardOrigin}/?from=status`;
    await botCall("sendMessage", {
      chat_id: ADA,
      text: "Status",
      reply_markup: { inline_keyboard: [[{ text: "📊 Open dashboard", web_app: { url: miniApp } }]] },
    });
    const button = page.locator('button[data-testid="inline-button"]', { hasText: "Open dashboard" }).last();
    await button.waitFor();
    const opened = await opensTab(() => button.click());
    assert.equal(`${opened.origin}${opened.pathname}${opened.search}`, miniApp);
    const initData = new URLSearchParams(opened.hash.slice(1)).get("tgWebAppData") ?? "";
    validate(initData, api.token);
    assert.equal(parse(initData).user?.first_name, "Ada");
  });

  test("nothing went wrong in the page", () => {
    assert.deepEqual(problems, []);
  });
});
