/**
 * Local mode in a real browser: Debian's Chromium (/usr/bin/chromium, installed by .ci/run)
 * driven headless by playwright-core, against the console process started as a newcomer
 * starts it (no token). A user opens the page, sends /status, presses Refresh and Snapshot,
 * taps an unknown card on the panel and sees the alert in the staff group, and enrolls a
 * card through the conversation. Screenshots go to test-artifacts/local-mode/.
 * Where Chromium is not installed, the tests skip and say so.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { Browser, Locator, Page } from "playwright-core";
import { LOCAL_GROUP } from "../../local/local-mode.ts";
import { launchChromium, NO_CHROMIUM, watchProblems } from "../support/chromium.ts";
import { localPageUrl, type Running, startConsole, stopConsole } from "../support/console-process.ts";

/** What the tests read of an <img> in the page (no DOM types in this project). */
type ImageLike = { complete: boolean; naturalWidth: number; naturalHeight: number };
type VideoLike = { readyState: number; duration: number; videoWidth: number; videoHeight: number };
const ARTIFACTS = fileURLToPath(new URL("../../test-artifacts/local-mode/", import.meta.url));
const PUBLIC = fileURLToPath(new URL("../../local/web/public/", import.meta.url));
const ADA = 1001;
const UI_TIMEOUT = 15_000;

describe("local mode in a browser (Chromium, headless)", { skip: NO_CHROMIUM }, () => {
  let run: Running;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  /** The page's scripts as the browser got them: path -> status and content type. */
  const scripts = new Map<string, string>();

  const shot = async (name: string) => {
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  };
  const chat = (id: number) => page.locator(`[data-testid="chat"][data-chat-id="${id}"]`);
  const botMessage = (text: RegExp | string): Locator =>
    page.locator('[data-testid="message"][data-from="bot"]', { hasText: text }).last();
  const send = async (text: string) => {
    const input = page.getByTestId("composer-input");
    await input.fill(text);
    await input.press("Enter");
  };
  const button = (message: Locator, text: RegExp | string) =>
    message.locator('button[data-testid="inline-button"]', { hasText: text });

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const dataDir = join(mkdtempSync(join(tmpdir(), "seroma-browser-")), "data");
    run = startConsole({ DATA_DIR: dataDir, HARDWARE: "sim", LOG_LEVEL: "info", TIMEZONE: "UTC" });
    const url = (await localPageUrl(run)).href;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(UI_TIMEOUT);
    watchProblems(page, problems);
    page.on("requestfailed", (r) => {
      // An event stream cut when the page goes away is not a failure of the page.
      if (!r.url().endsWith("/api/events")) problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
    });
    page.on("response", (r) => {
      const u = new URL(r.url());
      if (r.request().resourceType() === "script") {
        scripts.set(u.pathname, `${r.status()} ${r.headers()["content-type"] ?? ""}`);
      }
    });
    await page.goto(url);
  });

  after(async () => {
    await browser?.close();
    await stopConsole(run);
  });

  test("the page opens on Ada's private chat, the staff group and the panel, token gone from the address", async () => {
    assert.equal(new URL(page.url()).search, "", "the token is not left in the address bar");
    await chat(ADA).waitFor();
    assert.match((await chat(ADA).getAttribute("class")) ?? "", /\bactive\b/);
    await chat(LOCAL_GROUP.id).waitFor();
    assert.match((await chat(LOCAL_GROUP.id).textContent()) ?? "", /Server room staff/);
    const hardware = page.getByTestId("hardware");
    for (const section of ["Climate", "Door", "LCD", "Servers"]) {
      await hardware.getByText(section, { exact: false }).first().waitFor();
    }
    await page.locator('[data-testid="server"][data-server="web-1"]').waitFor();
    assert.equal((await page.getByTestId("lcd").locator("div").count()) >= 2, true);
    await shot("01-opened");
  });

  test("the page loads each of its ES modules as JavaScript, without console errors", () => {
    const modules = readdirSync(PUBLIC)
      .filter((name) => name.endsWith(".js"))
      .map((name) => `/${name}`)
      .sort();
    assert.ok(modules.length > 1, "the page is split into modules");
    assert.deepEqual([...scripts.keys()].sort(), modules, "every module of public/ is used, and nothing else");
    for (const [path, answer] of scripts) assert.equal(answer, "200 text/javascript; charset=utf-8", path);
    assert.deepEqual(problems, [], "no console errors, failed or outside requests while the page started");
  });

  test("/status, then Refresh edits the reply in place", async () => {
    await send("/status");
    const status = botMessage(/server-room · climate/);
    await status.waitFor();
    // Formatted as the bot sent it (HTML entities rendered as elements, never as markup text).
    const html = await status.getByTestId("message-text").innerHTML();
    assert.match(html, /<(b|strong)>server-room<\/(b|strong)> · climate/);
    assert.match(html, /Temperature: <(b|strong)>\d+\.\d °C<\/(b|strong)>/);

    // The room warms up (panel), so Refresh has something new to show.
    await page.getByTestId("hw-temperature").fill("24.6");
    await page.getByTestId("hw-climate-set").click();
    const id = await status.getAttribute("data-message-id");
    await button(status, /Refresh/).click();
    const same = page.locator(`[data-testid="message"][data-chat-id="${ADA}"][data-message-id="${id}"]`);
    await same.filter({ hasText: /24\.6 °C/ }).waitFor();
    await same.filter({ hasText: /edited/ }).waitFor();
    await page.getByTestId("hw-climate-release").click();
    await shot("02-status-refreshed");
  });

  test("Snapshot shows the photo inline", async () => {
    const status = botMessage(/server-room · climate/);
    await button(status, /Snapshot/).click();
    const photo = page.locator('img[data-testid="message-photo"]').last();
    await photo.waitFor();
    await page.waitForFunction(
      (img) => (img as unknown as ImageLike).complete && (img as unknown as ImageLike).naturalWidth > 0,
      await photo.elementHandle(),
      { timeout: UI_TIMEOUT },
    );
    const size = await photo.evaluate((img) => [
      (img as unknown as ImageLike).naturalWidth,
      (img as unknown as ImageLike).naturalHeight,
    ]);
    assert.deepEqual(size, [1280, 720], "the camera's full picture");
    await shot("03-snapshot");
  });

  test("/clip 2: the progress message is edited live, then the clip plays inline", async () => {
    await send("/clip 2");
    const video = page.locator('video[data-testid="message-video"]').last();
    await video.waitFor({ timeout: 30_000 });
    // The browser really decoded it: metadata loaded, about two seconds long, a picture size.
    await page.waitForFunction((v) => (v as unknown as VideoLike).readyState >= 1, await video.elementHandle(), {
      timeout: UI_TIMEOUT,
    });
    const meta = await video.evaluate((v) => {
      const m = v as unknown as VideoLike;
      return { duration: m.duration, width: m.videoWidth, height: m.videoHeight };
    });
    assert.ok(meta.duration > 1 && meta.duration < 4, JSON.stringify(meta));
    assert.ok(meta.width > 0 && meta.height > 0, JSON.stringify(meta));
    await shot("04-clip");
  });

  test("an unknown card tapped on the panel: the alert appears in the staff group", async () => {
    await page.getByTestId("hw-card-select").selectOption("");
    await page.getByTestId("hw-card-uid").fill("DE:AD:BE:EF");
    await page.getByTestId("hw-card-tap").click();
    await chat(LOCAL_GROUP.id).click();
    assert.match((await page.getByTestId("chat-title").textContent()) ?? "", /Server room staff/);
    const alert = botMessage(/Unknown card DE:AD:BE:EF at the door/);
    await alert.waitFor();
    await button(alert, /Acknowledge/).waitFor();
    await page
      .getByTestId("lcd")
      .filter({ hasText: /Unknown card/ })
      .waitFor();
    await shot("05-unknown-card-alert");
  });

  test("enrolling a card through the conversation: /enroll, tap on the panel, name, role, invite, save", async () => {
    await chat(ADA).click();
    await send("/enroll");
    await botMessage(/Tap the new card on the reader now/).waitFor();
    await page.getByTestId("hw-card-select").selectOption("");
    await page.getByTestId("hw-card-uid").fill("04:11:22:33");
    await page.getByTestId("hw-card-tap").click();
    await botMessage(/Card 04:11:22:33 read\. What is the holder's name\?/).waitFor();
    await send("Grace Hopper");
    const role = botMessage(/Which role does Grace Hopper get\?/);
    await role.waitFor();
    await button(role, /^staff$/i).click();
    const link = botMessage(/Link Grace Hopper's Telegram account\?/);
    await link.waitFor();
    await button(link, /Invite link/).click();
    const confirm = botMessage(/Please check:/);
    await confirm.waitFor();
    await button(confirm, /Save/).click();
    await botMessage(/Grace Hopper is enrolled as staff \(card 04:11:22:33\)/).waitFor();
    // The panel knows the new card, and the LCD in the room confirmed it.
    await page
      .getByTestId("hw-card-select")
      .locator("option", { hasText: /Grace Hopper/ })
      .waitFor({ state: "attached" });
    await shot("06-enrolled");

    // The invite is a t.me deep link to the bot: the page asks who opens it, then does what
    // Telegram does (that user's private chat, "/start PAYLOAD").
    const invite = botMessage(/Send this link to Grace Hopper/);
    await invite.locator('a[href^="https://t.me/seroma_local_bot?start=link_"]').click();
    await page.getByTestId("deeplink-chooser").waitFor();
    await page.locator('[data-testid="deeplink-persona"][data-persona-id="1002"]').click();
    assert.equal(await page.getByTestId("persona").inputValue(), "1002");
    await botMessage(/Welcome, Grace Hopper! Your Telegram account is now linked/).waitFor();
    await shot("07-invite-opened");
  });

  test("chats open from the keyboard too (Enter, Space)", async () => {
    // The invite left us as Linus: back to Ada, whose private chat opens.
    await page.getByTestId("persona").selectOption(String(ADA));
    await chat(ADA).waitFor();
    await chat(LOCAL_GROUP.id).press("Enter");
    assert.match((await chat(LOCAL_GROUP.id).getAttribute("class")) ?? "", /\bactive\b/);
    assert.match((await page.getByTestId("chat-title").textContent()) ?? "", /Server room staff/);
    await chat(ADA).press(" ");
    assert.match((await chat(ADA).getAttribute("class")) ?? "", /\bactive\b/);
  });

  test("a /command in a message is sent again when clicked, like in Telegram", async () => {
    await chat(ADA).click();
    const userStatus = page.locator('[data-testid="message"][data-from="user"]', { hasText: /^\/status/ });
    const statusReplies = page.locator('[data-testid="message"][data-from="bot"]', {
      hasText: /server-room · climate/,
    });
    const sent = await userStatus.count();
    const replies = await statusReplies.count();
    assert.ok(sent >= 1 && replies >= 1, "Ada sent /status earlier and got the status");
    await userStatus.last().locator(".bot-command", { hasText: "/status" }).click();
    await userStatus.nth(sent).waitFor();
    await statusReplies.nth(replies).waitFor();
  });

  test("nothing went wrong in the page: no console errors, no failed or outside requests", () => {
    assert.deepEqual(problems, []);
  });
});
