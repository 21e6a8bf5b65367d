/**
 * The local page on a phone: Debian's Chromium (headless, playwright-core) emulating a 390x844
 * touch screen, against the console process started as a newcomer starts it (no token).
 *
 * One pane at a time: the chat list, a chat (with a back button; the phone's back too), the
 * hardware panel behind a button. Nothing scrolls sideways, every touch target is at least
 * 40 px, the composer and the inline keyboards fit. Each persona sees what Telegram would show
 * them (Mallory, a stranger, has no staff group); a button's toast shows to the presser in the
 * chat of the button only; the messages are a live region (role="log"). The page speaks
 * Japanese when asked (or when the browser does). Screenshots go to test-artifacts/local-mode/.
 * Where Chromium is not installed, the tests skip and say so.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { LOCAL_GROUP } from "../../local/local-mode.ts";
import { launchChromium, NO_CHROMIUM, PHONE, watchProblems } from "../support/chromium.ts";
import { localPageUrl, type Running, startConsole, stopConsole } from "../support/console-process.ts";

const ARTIFACTS = fileURLToPath(new URL("../../test-artifacts/local-mode/", import.meta.url));
const PUBLIC = fileURLToPath(new URL("../../local/web/public/", import.meta.url));
const ADA = 1001;
const MALLORY = 6666;
const UI_TIMEOUT = 15_000;

/**
 * The few browser objects the functions run in the page (page.evaluate) use: this project has no
 * DOM types, so they are declared here, as narrowly as those functions need them.
 */
interface PageRect {
  left: number;
  right: number;
  top: number;
  bottom: number;
  width: number;
  height: number;
}
interface PageNode {
  nodeType: number;
  textContent: string | null;
}
interface PageElement extends PageNode {
  tagName: string;
  className: string;
  hidden: boolean;
  scrollWidth: number;
  clientWidth: number;
  childNodes: Iterable<PageNode>;
  closest(selector: string): PageElement | null;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): PageRect;
}
declare const document: {
  scrollingElement: PageElement | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
};
declare const window: { innerWidth: number; innerHeight: number };
declare class MutationObserver {
  constructor(callback: () => void);
  observe(target: PageElement, options: { attributes: boolean; attributeFilter: string[] }): void;
}

/** What the page's layout looks like to the tests. */
interface Box {
  what: string;
  x: number;
  right: number;
  width: number;
  height: number;
}

describe("local mode on a phone (Chromium, 390x844, touch)", { skip: NO_CHROMIUM }, () => {
  let run: Running;
  let url: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  const shot = async (name: string, on: Page = page) => {
    await on.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
  };
  const chat = (id: number, on: Page = page) => on.locator(`[data-testid="chat"][data-chat-id="${id}"]`);
  const botMessage = (text: RegExp | string, on: Page = page): Locator =>
    on.locator('[data-testid="message"][data-from="bot"]', { hasText: text }).last();
  const button = (message: Locator, text: RegExp | string) =>
    message.locator('button[data-testid="inline-button"]', { hasText: text });
  const send = async (text: string, on: Page = page) => {
    await on.getByTestId("composer-input").fill(text);
    // A finger on the phone; the mouse in the desktop window.
    if (on === page) await on.getByTestId("composer-send").tap();
    else await on.getByTestId("composer-send").click();
  };
  const view = () => page.locator(".app").getAttribute("data-view");

  /** Nothing is wider than the screen: the page does not scroll sideways, no element sticks out. */
  const assertFits = async (where: string) => {
    const layout = await page.evaluate(() => {
      const doc = document.scrollingElement as PageElement;
      const out: { what: string; right: number }[] = [];
      for (const node of document.querySelectorAll("body *")) {
        if (node.closest("pre, .command-menu[hidden], [hidden]")) continue;
        const r = node.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        if (r.right > window.innerWidth + 0.5 || r.left < -0.5) {
          out.push({ what: `${node.tagName.toLowerCase()}.${node.className}`, right: Math.round(r.right) });
        }
      }
      const scrollers = [...document.querySelectorAll(".messages, .chat-list, .hardware")]
        .filter((s) => s.scrollWidth > s.clientWidth + 0.5)
        .map((s) => s.className);
      return { scrollWidth: doc.scrollWidth, innerWidth: window.innerWidth, out, scrollers };
    });
    assert.ok(
      layout.scrollWidth <= layout.innerWidth,
      `${where}: the page scrolls sideways: ${JSON.stringify(layout)}`,
    );
    assert.deepEqual(layout.out.slice(0, 10), [], `${where}: elements wider than the screen`);
    assert.deepEqual(layout.scrollers, [], `${where}: panes that scroll sideways`);
  };

  /** Every button, field and chat on the screen is at least 40x40 px (text links inside messages aside). */
  const assertTouchTargets = async (where: string) => {
    const small = await page.evaluate(() => {
      const out: { what: string; width: number; height: number }[] = [];
      const targets = document.querySelectorAll(
        'button, select, input, textarea, [role="button"], [role="option"], a.document, [data-testid="chat"]',
      );
      for (const node of targets) {
        if (node.closest(".message-text")) continue; // spoilers, /commands: words in a sentence, as on Telegram
        const r = node.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        if (r.bottom < 0 || r.top > window.innerHeight) continue;
        if (r.width < 40 || r.height < 40) {
          const label = node.getAttribute("data-testid") ?? node.getAttribute("aria-label") ?? node.textContent;
          out.push({ what: `${node.tagName.toLowerCase()} ${label}`, width: r.width, height: r.height });
        }
      }
      return out;
    });
    assert.deepEqual(small, [], `${where}: touch targets smaller than 40 px`);
  };

  const visible = (selector: string) => page.locator(selector).isVisible();

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const dataDir = join(mkdtempSync(join(tmpdir(), "seroma-phone-")), "data");
    run = startConsole({ DATA_DIR: dataDir, HARDWARE: "sim", LOG_LEVEL: "info", TIMEZONE: "UTC" });
    url = (await localPageUrl(run)).href;
    browser = await launchChromium();
    context = await browser.newContext({ ...PHONE, locale: "en-US" });
    page = await context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT);
    watchProblems(page, problems, { outsideRequests: false });
    await page.goto(url);
  });

  after(async () => {
    await browser?.close();
    await stopConsole(run);
  });

  test("the chat list comes first and fills the screen; nothing scrolls sideways; targets are 40 px", async () => {
    await chat(ADA).waitFor();
    await chat(LOCAL_GROUP.id).waitFor();
    assert.equal(await view(), "list");
    assert.equal(await visible(".chat"), false, "the chat is behind the list");
    assert.equal(await visible('[data-testid="hardware"]'), false, "the panel is behind a button");
    await page.getByTestId("open-panel").waitFor();
    const list = await page.locator(".sidebar").boundingBox();
    assert.equal(Math.round(list?.width ?? 0), 390, "the list is as wide as the phone");
    await page.getByTestId("hardware").locator(".hw-section").first().waitFor({ state: "attached" });
    await assertFits("the list");
    await assertTouchTargets("the list");
    await shot("phone-01-list");
  });

  test("a chat opens from the list: /status is answered, a button pressed, the keyboard and the composer fit", async () => {
    await chat(ADA).tap();
    assert.equal(await view(), "chat");
    assert.equal(await visible(".sidebar"), false, "the list is behind the chat");
    await page.getByTestId("back").waitFor();
    assert.match((await page.getByTestId("chat-title").textContent()) ?? "", /Seroma/);

    // The messages are a live region: a screen reader says new ones.
    const log = page.getByTestId("messages");
    assert.equal(await log.getAttribute("role"), "log");
    assert.equal(await log.getAttribute("aria-live"), "polite");
    assert.equal(await page.locator('[role="log"]').count(), 1);

    await send("/status");
    const status = botMessage(/server-room · climate/);
    await status.waitFor();
    assert.equal(await log.locator('[data-testid="message"]', { hasText: /server-room · climate/ }).count(), 1);
    const keyboard = await status.locator('button[data-testid="inline-button"]').evaluateAll((nodes) =>
      nodes.map((n) => {
        const r = n.getBoundingClientRect();
        return { what: n.textContent ?? "", x: r.left, right: r.right, width: r.width, height: r.height };
      }),
    );
    assert.ok(keyboard.length >= 2, JSON.stringify(keyboard));
    for (const b of keyboard as Box[]) {
      assert.ok(b.x >= 0 && b.right <= 390, `button ${b.what} fits: ${JSON.stringify(b)}`);
      assert.ok(b.height >= 40, `button ${b.what} is a touch target: ${JSON.stringify(b)}`);
    }
    const composer = await page.locator(".composer").boundingBox();
    assert.ok(composer && composer.x >= 0 && composer.x + composer.width <= 390, JSON.stringify(composer));
    assert.ok(composer && composer.y + composer.height <= 844, "the composer is on the screen");

    await button(status, /Refresh/).tap();
    await page.getByTestId("toast").filter({ hasText: /\S/ }).waitFor();
    await assertFits("the chat");
    await assertTouchTargets("the chat");
    await shot("phone-02-chat");
  });

  test("back to the list (the page's button and the phone's own), then the panel: a card tapped", async () => {
    await page.getByTestId("back").tap();
    assert.equal(await view(), "list");
    await chat(ADA).waitFor();
    // The phone's back: a chat opened from the list is a step back in history too.
    await chat(ADA).tap();
    assert.equal(await view(), "chat");
    await page.goBack();
    await page.waitForFunction(() => document.querySelector(".app")?.getAttribute("data-view") === "list");

    await page.getByTestId("open-panel").tap();
    assert.equal(await view(), "panel");
    assert.equal(await visible(".sidebar"), false);
    const panel = page.getByTestId("hardware");
    await panel.getByText("Door").waitFor();
    await page.getByTestId("hw-card-select").selectOption({ label: "Ada — 04:A1:B2:C3" });
    await page.getByTestId("hw-card-tap").tap();
    await panel.locator(".hw-note", { hasText: /Card 04:A1:B2:C3 tapped at the door/ }).waitFor();
    await assertFits("the panel");
    await assertTouchTargets("the panel (top)");
    await shot("phone-03-panel");
    await page.locator('[data-testid="server"][data-server="web-1"]').scrollIntoViewIfNeeded();
    await assertTouchTargets("the panel (servers)");
    await shot("phone-04-panel-servers");

    // Back goes where you came from: the list here; from a chat, to that chat.
    await page.getByTestId("panel-back").tap();
    assert.equal(await view(), "list");
    await chat(ADA).tap();
    await page.getByTestId("chat-open-panel").tap();
    assert.equal(await view(), "panel");
    await page.getByTestId("panel-back").tap();
    assert.equal(await view(), "chat");
    assert.match((await page.getByTestId("chat-title").textContent()) ?? "", /Seroma/);
  });

  test("Mallory, a stranger, sees her private chat only: no staff group", async () => {
    await page.getByTestId("back").tap();
    await page.getByTestId("persona").selectOption(String(MALLORY));
    await chat(MALLORY).waitFor();
    assert.equal(await chat(LOCAL_GROUP.id).count(), 0, "the staff group is not in Mallory's list");
    assert.deepEqual(
      await page.locator('[data-testid="chat"]').evaluateAll((n) => n.map((x) => x.getAttribute("data-chat-id"))),
      [String(MALLORY)],
    );
    await shot("phone-05-mallory");
    // Ada again: her private chat and the group.
    await page.getByTestId("persona").selectOption(String(ADA));
    await chat(LOCAL_GROUP.id).waitFor();
    assert.equal(await page.locator('[data-testid="chat"]').count(), 2);
  });

  test("a button's toast shows to the presser, in the chat of the button only", async () => {
    // A second window of the console (a desktop), also Ada, with the staff group open.
    const other = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      other.setDefaultTimeout(UI_TIMEOUT);
      await other.goto(url);
      await chat(LOCAL_GROUP.id, other).click();
      assert.match((await other.getByTestId("chat-title").textContent()) ?? "", /Server room staff/);
      // Every time the toast shows there, write it down (it would disappear again after 3 s).
      await other.evaluate(() => {
        const layer = document.querySelector(".toast-layer") as PageElement;
        const seen: string[] = [];
        (window as unknown as { toastsSeen: string[] }).toastsSeen = seen;
        new MutationObserver(() => {
          if (!layer.hidden) seen.push(document.querySelector('[data-testid="toast"]')?.textContent ?? "");
        }).observe(layer, { attributes: true, attributeFilter: ["hidden"] });
      });

      await chat(ADA).tap();
      const status = botMessage(/server-room · climate/);
      await button(status, /Refresh/).tap();
      const toast = page.getByTestId("toast").filter({ hasText: /\S/ });
      await toast.waitFor();
      const text = (await toast.textContent()) ?? "";

      // Whatever the console sent before the bot's answer in the group has reached the other window.
      await send("/status", other);
      await other
        .locator('[data-testid="message"][data-from="bot"][data-chat-id]', { hasText: /server-room · climate/ })
        .first()
        .waitFor();
      const seen = await other.evaluate(() => (window as unknown as { toastsSeen: string[] }).toastsSeen);
      assert.deepEqual(seen, [], `the toast "${text}" of Ada's private chat did not show in the group`);
      assert.equal(await other.locator(".toast-layer").isHidden(), true);
    } finally {
      await other.close();
    }
  });

  test("the page speaks Japanese when asked, remembers it, and when the browser does", async () => {
    await page.getByTestId("back").tap();
    await page.getByTestId("language").selectOption("ja");
    assert.equal(await page.locator("html").getAttribute("lang"), "ja");
    assert.equal(await page.getByTestId("open-panel").textContent(), "ハードウェア");
    assert.equal(await page.locator(".persona-label span").textContent(), "あなたは");
    assert.match((await page.locator('[data-testid="persona"] option:checked').textContent()) ?? "", /Ada（管理者）/);
    assert.match((await chat(ADA).textContent()) ?? "", /個人チャット/);
    assert.equal(await page.title(), "Seroma — ローカルコンソール");
    await assertFits("the list in Japanese");
    await shot("phone-06-list-ja");

    await chat(ADA).tap();
    assert.equal(await page.getByTestId("composer-input").getAttribute("placeholder"), "メッセージ");
    assert.equal(await page.getByTestId("back").getAttribute("aria-label"), "チャット一覧に戻る");
    assert.equal(await page.getByTestId("messages").getAttribute("aria-label"), "メッセージ");
    await assertFits("the chat in Japanese");
    await shot("phone-07-chat-ja");

    await page.getByTestId("chat-open-panel").tap();
    const panel = page.getByTestId("hardware");
    for (const heading of ["勤務時間", "温湿度", "ドア", "人感センサーとカメラ", "サーバー"]) {
      await panel.locator("h2", { hasText: heading }).waitFor();
    }
    assert.equal(await page.getByTestId("hw-card-tap").textContent(), "カードをかざす");
    // A notice of the console, said in Japanese.
    await page.getByTestId("hw-card-tap").tap();
    await panel.locator(".hw-note", { hasText: /カード 04:A1:B2:C3 をドアのリーダーにかざしました/ }).waitFor();
    await assertFits("the panel in Japanese");
    await assertTouchTargets("the panel in Japanese");
    await shot("phone-08-panel-ja");

    // None of the page's own English words is left anywhere on the page (the bot's messages,
    // names, the LCD and the servers' own words aside).
    const { DICTIONARIES } = (await import(pathToFileURL(`${PUBLIC}i18n.js`).href)) as {
      DICTIONARIES: Record<string, Record<string, string>>;
    };
    const en = DICTIONARIES.en as Record<string, string>;
    const ja = DICTIONARIES.ja as Record<string, string>;
    const japanese = new Set(Object.values(ja));
    const english = Object.values(en).filter((text) => !japanese.has(text) && !/\{/.test(text));
    const words = await page.evaluate(() => {
      const out: string[] = [];
      for (const node of document.querySelectorAll("body *")) {
        if (node.closest(".messages-list, .lcd, .server-details, .hw-line.muted, option")) continue;
        for (const attr of ["aria-label", "title", "placeholder", "alt"]) {
          const v = node.getAttribute(attr);
          if (v) out.push(v);
        }
        for (const child of node.childNodes)
          if (child.nodeType === 3 && child.textContent?.trim()) out.push(child.textContent.trim());
      }
      return out;
    });
    const left = words.filter((w) => english.includes(w));
    assert.deepEqual(left, [], "English words of the page left in Japanese");

    // Remembered: a reload is still in Japanese.
    await page.reload();
    await page.getByTestId("open-panel").waitFor();
    assert.equal(await page.locator("html").getAttribute("lang"), "ja");
    assert.equal(await page.getByTestId("language").inputValue(), "ja");
    await page.getByTestId("language").selectOption("en");
    assert.equal(await page.getByTestId("open-panel").textContent(), "Hardware");

    // A browser in Japanese starts the page in Japanese.
    const inJapanese = await browser.newContext({ ...PHONE, locale: "ja-JP" });
    try {
      const jp = await inJapanese.newPage();
      await jp.goto(url);
      await jp.getByTestId("open-panel").waitFor();
      assert.equal(await jp.locator("html").getAttribute("lang"), "ja");
      assert.equal(await jp.getByTestId("open-panel").textContent(), "ハードウェア");
    } finally {
      await inJapanese.close();
    }
  });

  test("a small phone (360 px): the list, a chat with the command menu open, and the panel fit", async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    try {
      await page.getByTestId("open-panel").waitFor();
      assert.equal(await view(), "list");
      await assertFits("the list at 360 px");
      await assertTouchTargets("the list at 360 px");

      await chat(ADA).tap();
      await page.getByTestId("commands-button").tap();
      const menu = page.locator(".command-menu");
      await menu.locator(".command-item", { hasText: "/status" }).waitFor();
      await assertFits("the command menu at 360 px");
      await assertTouchTargets("the command menu at 360 px");
      await shot("phone-09-commands-360");
      await menu.locator(".command-item", { hasText: "/status" }).tap();
      await botMessage(/server-room · climate/).waitFor();
      await assertFits("the chat at 360 px");
      await assertTouchTargets("the chat at 360 px");

      await page.getByTestId("chat-open-panel").tap();
      await page.getByTestId("hw-card-tap").waitFor();
      await assertFits("the panel at 360 px");
      await page.getByTestId("panel-back").tap();
      assert.equal(await view(), "chat");
    } finally {
      await page.setViewportSize(PHONE.viewport);
    }
  });

  test("a tablet (820 px): the chats and the chat side by side, the panel in the chat's place", async () => {
    await page.setViewportSize({ width: 820, height: 1180 });
    try {
      await page.getByTestId("chat-open-panel").waitFor();
      assert.equal(await visible(".sidebar"), true);
      assert.equal(await visible(".chat"), true);
      assert.equal(await visible('[data-testid="hardware"]'), false);
      await assertFits("the tablet");
      await page.getByTestId("chat-open-panel").tap();
      assert.equal(await visible('[data-testid="hardware"]'), true);
      assert.equal(await visible(".chat"), false, "the panel is in the chat's place");
      assert.equal(await visible(".sidebar"), true, "the chats stay");
      await assertFits("the tablet's panel");
      await shot("tablet-01-panel");
      await page.getByTestId("panel-back").tap();
      assert.equal(await visible(".chat"), true);
      assert.equal(await visible('[data-testid="hardware"]'), false);
    } finally {
      await page.setViewportSize(PHONE.viewport);
    }
  });

  test("nothing went wrong in the page: no console errors", () => {
    assert.deepEqual(problems, []);
  });
});
