/**
 * The dashboard in a real browser: Debian's Chromium (headless, playwright-core) against the
 * console process started as a user starts it.
 *
 * Local mode (no token, as a newcomer tries it): Ada sends /web in her private chat on the
 * local page, opens the one-time link, and sees the room; every view shows it (door, servers,
 * media, staff, settings); the live view delivers frames and the capture stops when she leaves;
 * a phone-sized screen is usable; the link works once.
 *
 * With a token (a Bot API server the test owns, so it knows the token and sees every call):
 * Acknowledge on the page edits the Telegram alert card, and an Acknowledge pressed in Telegram
 * updates the open page; the Mini App's initData is let in when valid and refused when forged,
 * expired or from someone who is not staff; a session ends when the person's card is revoked.
 *
 * Screenshots go to test-artifacts/dashboard/. Where Chromium is not installed, the tests skip.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { sign } from "@tma.js/init-data-node";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { type LocalBotApi, type RecordedMessage, startLocalBotApi } from "../../local/bot-api/server.ts";
import { createSqliteStorage } from "../../storage/sqlite/index.ts";
import { localPageUrl, type Running, startConsole } from "../support/console-process.ts";

const CHROMIUM = "/usr/bin/chromium";
const NO_CHROMIUM = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is not installed (apt-get install -y chromium; .ci/run does it): browser tests skipped`;
const ARTIFACTS = fileURLToPath(new URL("../../test-artifacts/dashboard/", import.meta.url));
const UI_TIMEOUT = 15_000;
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Polls `probe` from here until it holds (the page's strict CSP forbids the string functions of
 * page.waitForFunction, rightly, and this project has no DOM types for the other kind).
 */
async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs = UI_TIMEOUT): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
/** Frames the live view drew (its data-frames). */
const framesShown = async (page: Page) =>
  Number((await page.getByTestId("live-frame").getAttribute("data-frames")) ?? 0);
/** Incidents on the page not acknowledged. */
const unacked = (page: Page) => page.locator('[data-testid="incident"][data-acked="false"]').count();

/** The one-time address in a /web answer: a text link, a URL button or the address in the text. */
function loginLinkIn(m: RecordedMessage): string | undefined {
  const fromEntity = m.entities?.find((e) => e.type === "text_link" && "url" in e && /\/login\//.test(String(e.url)));
  if (fromEntity && "url" in fromEntity) return String(fromEntity.url);
  const markup = m.reply_markup as { inline_keyboard?: Array<Array<{ url?: string }>> } | undefined;
  for (const row of markup?.inline_keyboard ?? []) {
    for (const b of row) if (b.url && /\/login\//.test(b.url)) return b.url;
  }
  return /(https?:\/\/\S+\/login\/[A-Za-z0-9_-]+)/.exec(m.text ?? "")?.[1];
}

/** Browser-side problems worth failing on: console errors, page errors, requests leaving the machine. */
function watchProblems(page: Page, problems: string[]): void {
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("request", (r) => {
    const u = new URL(r.url());
    if (u.hostname !== "127.0.0.1" && u.protocol !== "data:" && u.protocol !== "blob:") {
      problems.push(`request outside the console: ${r.url()}`);
    }
  });
}

describe("the dashboard in local mode (Chromium, headless)", { skip: NO_CHROMIUM }, () => {
  let run: Running;
  let browser: Browser;
  let local: BrowserContext;
  let localPage: Page;
  const ADA = 1001;

  /** Ada (on the local page's API, as the page does) sends `text` in her private chat; the bot's next message. */
  async function adaSays(text: string, probe: RegExp): Promise<{ text: string; raw: RecordedMessage }> {
    const before = await botMessagesOf(ADA);
    const res = await localPage.request.post("/api/messages", { data: { from: ADA, chat_id: ADA, text } });
    assert.equal(res.status(), 200, await res.text());
    const deadline = Date.now() + UI_TIMEOUT;
    while (Date.now() < deadline) {
      const now = await botMessagesOf(ADA);
      const found = now.slice(before.length).find((m) => probe.test(m.text ?? ""));
      if (found) return { text: found.text ?? "", raw: found };
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no bot answer matching ${probe} to ${text}`);
  }
  async function botMessagesOf(chatId: number): Promise<RecordedMessage[]> {
    const state = (await (await localPage.request.get("/api/state")).json()) as {
      messages: Record<string, Array<RecordedMessage & { from: { is_bot: boolean } }>>;
    };
    return (state.messages[String(chatId)] ?? []).filter((m) => m.from.is_bot);
  }
  async function panel(body: Record<string, unknown>): Promise<void> {
    const res = await localPage.request.post("/api/hardware", { data: body });
    assert.equal(res.status(), 200, await res.text());
  }

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const dataDir = join(mkdtempSync(join(tmpdir(), "seroma-dashboard-")), "data");
    run = startConsole({ DATA_DIR: dataDir, HARDWARE: "sim", LOG_LEVEL: "info", TIMEZONE: "UTC", WEB_PORT: "0" });
    const url = await localPageUrl(run);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    local = await browser.newContext({ baseURL: url.origin });
    localPage = await local.newPage();
    await localPage.goto(url.href);
  });

  after(async () => {
    await browser?.close();
    run?.child.kill("SIGTERM");
    if (run) {
      const { code } = await run.exited;
      assert.equal(code, 0, run.output().slice(-2000));
    }
  });

  test("/web answers with a one-time link that logs in, shows the room, and works once", async () => {
    const answer = await adaSays("/web", /dashboard/i);
    const link = loginLinkIn(answer.raw);
    assert.ok(link, `a login link in ${answer.text}`);
    const context = await browser.newContext({ ...PHONE });
    const page = await context.newPage();
    const problems: string[] = [];
    watchProblems(page, problems);
    page.setDefaultTimeout(UI_TIMEOUT);
    await page.goto(link);
    assert.equal(new URL(page.url()).pathname, "/", "the link leaves the address bar");
    await page
      .getByTestId("room-temperature")
      .filter({ hasText: /\d+\.\d/ })
      .waitFor();
    await page.getByTestId("room-humidity").filter({ hasText: /\d+/ }).waitFor();
    await page.getByTestId("climate-chart").locator("canvas").first().waitFor();
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === "seroma_session");
    assert.ok(session, "a session cookie");
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, "Strict");
    await page.screenshot({ path: join(ARTIFACTS, "01-room-phone.png"), fullPage: true });

    // Used: the same link in another browser is refused, with a way forward.
    const other = await browser.newContext();
    const again = await other.newPage();
    const res = await again.goto(link);
    assert.equal(res?.status(), 401);
    assert.match(await again.content(), /\/web/);
    await other.close();
    assert.deepEqual(problems, [], "no console errors or outside requests");
    await context.close();
  });

  test("each view shows the room: door (live taps, filters, CSV), servers, media, staff, settings", async () => {
    const link = loginLinkIn((await adaSays("/web", /dashboard/i)).raw) as string;
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    const page = await context.newPage();
    const problems: string[] = [];
    watchProblems(page, problems);
    page.setDefaultTimeout(UI_TIMEOUT);
    await page.goto(link);
    await page
      .getByTestId("room-temperature")
      .filter({ hasText: /\d+\.\d/ })
      .waitFor();

    // The door: Ada's card and an unknown one tapped on the panel show in the log.
    await panel({ device: "door", action: "tap", uid: "04A1B2C3" });
    await panel({ device: "door", action: "tap", uid: "DEADBEEF" });
    await page.getByTestId("nav-door").click();
    await page
      .getByTestId("door-entry")
      .filter({ hasText: /DE:AD:BE:EF/ })
      .first()
      .waitFor();
    await page.getByTestId("door-today").filter({ hasText: /Ada/ }).waitFor();
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("door-csv").click()]);
    assert.match(download.suggestedFilename(), /\.csv$/);
    await page.screenshot({ path: join(ARTIFACTS, "02-door.png"), fullPage: true });

    await page.getByTestId("nav-servers").click();
    await page.getByTestId("server").filter({ hasText: /web-1/ }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, "03-servers.png"), fullPage: true });

    // A snapshot taken in the chat is in the media view.
    await adaSays("/snapshot", /.*/).catch(() => undefined);
    await page.getByTestId("nav-media").click();
    await page.getByTestId("media-item").first().waitFor();
    await page.screenshot({ path: join(ARTIFACTS, "04-media.png"), fullPage: true });

    await page.getByTestId("nav-staff").click();
    await page.getByTestId("staff-member").filter({ hasText: /Ada/ }).waitFor();

    await page.getByTestId("nav-settings").click();
    await page.getByTestId("settings").filter({ hasText: /18/ }).waitFor();
    assert.doesNotMatch((await page.getByTestId("settings").textContent()) ?? "", /token/i);
    await page.screenshot({ path: join(ARTIFACTS, "05-settings.png"), fullPage: true });
    assert.deepEqual(problems, [], "no console errors or outside requests");
    await context.close();
  });

  test("the live view delivers frames, and the capture stops when the viewer leaves", async () => {
    const link = loginLinkIn((await adaSays("/web", /dashboard/i)).raw) as string;
    const context = await browser.newContext({ ...PHONE });
    const page = await context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT);
    await page.goto(link);
    await page.getByTestId("nav-live").click();
    const frame = page.getByTestId("live-frame");
    await waitUntil("the live view drew 5 frames", async () => (await framesShown(page)) >= 5);
    assert.ok(Number(await frame.getAttribute("data-latency-ms")) >= 0);
    await page.screenshot({ path: join(ARTIFACTS, "06-live-phone.png") });
    await run.waitForOutput(/live capture starting/);
    await page.getByTestId("nav-room").click();
    await run.waitForOutput(/live capture stopped/, UI_TIMEOUT);
    await context.close();
  });
});

describe("the dashboard with a bot token (Chromium, headless)", { skip: NO_CHROMIUM }, () => {
  const TOKEN = "5000000003:AAHdashboardTestTokenForSeroma-012345";
  const ADMIN = { id: 77, first_name: "Ada" };
  const STAFF = { id: 88, first_name: "Linus" };
  const STRANGER = { id: 666, first_name: "Mallory" };
  /** On no list: staff only through her card, linked to her Telegram account. */
  const GRACE = { id: 99, first_name: "Grace" };
  const GRACE_CARD = "A1B2C3D4";
  const GROUP = { id: -100_999, type: "supergroup" as const, title: "Server room staff" };
  let api: LocalBotApi;
  let run: Running;
  let browser: Browser;
  let origin: string;

  async function webLink(user: { id: number; first_name: string }): Promise<string> {
    const before = api.messages(user.id).length;
    api.sendMessage(user, { id: user.id, type: "private" }, "/web");
    const m = await api.waitFor(
      () =>
        api
          .messages(user.id)
          .slice(before)
          .find((x) => x.from_bot && loginLinkIn(x)),
      UI_TIMEOUT,
    );
    return loginLinkIn(m) as string;
  }
  function initData(user: { id: number; first_name: string }, authDate: Date, token = TOKEN): string {
    return sign({ user: { id: user.id, first_name: user.first_name }, query_id: "AAH-test" } as never, token, authDate);
  }

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    api = await startLocalBotApi({ token: TOKEN });
    api.addChat(GROUP);
    const dataDir = join(mkdtempSync(join(tmpdir(), "seroma-dashboard-")), "data");
    const seed = createSqliteStorage({ dataDir });
    await seed.staff.add({
      cardUid: GRACE_CARD,
      name: "Grace",
      role: "staff",
      telegramUserId: GRACE.id,
      active: true,
      createdBy: ADMIN.id,
      createdAt: Date.now(),
    });
    await seed.close();
    run = startConsole({
      TELEGRAM_BOT_TOKEN: api.token,
      TELEGRAM_API_ROOT: api.apiRoot,
      ADMIN_IDS: String(ADMIN.id),
      STAFF_IDS: String(STAFF.id),
      STAFF_CHAT_ID: String(GROUP.id),
      DATA_DIR: dataDir,
      HARDWARE: "sim",
      LOG_LEVEL: "info",
      TIMEZONE: "UTC",
      WEB_PORT: "0",
      // The simulated room (about 22 °C, 45 %) is out of both ranges at once: two incidents.
      TEMP_RANGE: "5..10",
      TEMP_CRITICAL_RANGE: "0..12",
      HUMIDITY_RANGE: "5..10",
      HUMIDITY_CRITICAL_RANGE: "1..12",
      ALERT_MIN_DURATION_SECONDS: "0",
    });
    await run.waitForOutput(/is polling/);
    origin = new URL(await webLink(ADMIN)).origin;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    run?.child.kill("SIGTERM");
    if (run) {
      const { code } = await run.exited;
      assert.equal(code, 0, run.output().slice(-2000));
    }
    await api?.close();
  });

  /** The alert cards in the staff group that still have buttons. */
  const openCards = () =>
    api.messages(GROUP.id).filter((m) => m.from_bot && /Acknowledge/.test(JSON.stringify(m.reply_markup ?? {})));

  test("Acknowledge on the page settles the Telegram card; Acknowledge in Telegram updates the open page", async () => {
    await api.waitFor(() => openCards().length >= 2 && openCards(), UI_TIMEOUT);
    const context = await browser.newContext({ ...PHONE });
    const page = await context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT);
    await page.goto(await webLink(ADMIN));
    const incidents = page.locator('[data-testid="incident"][data-acked="false"]');
    await waitUntil("two incidents want an acknowledgement", async () => (await unacked(page)) >= 2);
    await page.screenshot({ path: join(ARTIFACTS, "10-incidents.png"), fullPage: true });

    // On the page: the card in Telegram loses its buttons and names who acknowledged.
    const first = incidents.first();
    const firstId = (await first.getAttribute("data-incident-id")) as string;
    await first.getByTestId("incident-ack").click();
    await page.locator(`[data-testid="incident"][data-incident-id="${firstId}"][data-acked="true"]`).waitFor();
    await api.waitFor(() => openCards().length === 1, UI_TIMEOUT);
    const settled = api
      .messages(GROUP.id)
      .find((m) => m.from_bot && m.edits > 0 && /Ada/.test(m.text ?? m.caption ?? ""));
    assert.ok(settled, "the Telegram card says Ada acknowledged it");

    // In Telegram: the other card's Acknowledge, pressed by Linus, shows on the open page.
    const card = openCards()[0] as RecordedMessage;
    const ack = JSON.stringify(card.reply_markup).match(/"callback_data":"([^"]*ack[^"]*)"/)?.[1];
    assert.ok(ack, "the card has an Acknowledge button");
    api.pressButton(STAFF, card, ack);
    await waitUntil("the page shows no incident left to acknowledge", async () => (await unacked(page)) === 0);
    await page.screenshot({ path: join(ARTIFACTS, "11-acked.png"), fullPage: true });
    await context.close();
  });

  test("the Mini App: initData valid lets staff in; forged, expired and not-staff are refused", async () => {
    const open = async (data: string) => {
      const context = await browser.newContext({ ...PHONE });
      const page = await context.newPage();
      page.setDefaultTimeout(UI_TIMEOUT);
      const theme = encodeURIComponent(
        JSON.stringify({ bg_color: "#17212b", secondary_bg_color: "#0e1621", text_color: "#f5f5f5" }),
      );
      await page.goto(
        `${origin}/#tgWebAppData=${encodeURIComponent(data)}&tgWebAppVersion=8.0&tgWebAppThemeParams=${theme}`,
      );
      return { context, page };
    };
    const valid = await open(initData(STAFF, new Date()));
    await valid.page
      .getByTestId("room-temperature")
      .filter({ hasText: /\d+\.\d/ })
      .waitFor();
    const colours = await valid.page.evaluate(
      "[getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color]",
    );
    assert.deepEqual(colours, ["rgb(14, 22, 33)", "rgb(245, 245, 245)"], "the page follows Telegram's theme");
    await valid.page.screenshot({ path: join(ARTIFACTS, "12-mini-app.png"), fullPage: true });
    await valid.context.close();

    for (const [name, data] of [
      ["forged", initData(STAFF, new Date(), "5000000003:AAHsomeoneElsesToken-0123456789abcdef")],
      ["expired", initData(STAFF, new Date(Date.now() - 2 * 86_400_000))],
      ["not staff", initData(STRANGER, new Date())],
    ] as const) {
      const { context, page } = await open(data);
      await page.getByTestId("login-needed").waitFor();
      assert.equal(await page.getByTestId("room-temperature").count(), 0, `${name}: no room data`);
      await context.close();
    }
  });

  test("a session ends when the person's card is revoked (here by an admin on the dashboard)", async () => {
    const grace = await browser.newContext({ ...PHONE });
    const gracePage = await grace.newPage();
    gracePage.setDefaultTimeout(UI_TIMEOUT);
    await gracePage.goto(await webLink(GRACE));
    await gracePage
      .getByTestId("room-temperature")
      .filter({ hasText: /\d+\.\d/ })
      .waitFor();
    assert.equal(await gracePage.getByTestId("nav-staff").count(), 0, "staff administration is for admins");

    const ada = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const adaPage = await ada.newPage();
    adaPage.setDefaultTimeout(UI_TIMEOUT);
    await adaPage.goto(await webLink(ADMIN));
    await adaPage.getByTestId("nav-staff").click();
    const row = adaPage.getByTestId("staff-member").filter({ hasText: /Grace/ });
    adaPage.once("dialog", (d) => void d.accept());
    await row.getByTestId("staff-revoke").click();
    await row.getByTestId("staff-restore").waitFor();

    // Her next request is refused and the page says how to log in again.
    await gracePage.getByTestId("nav-door").click();
    await gracePage.getByTestId("login-needed").waitFor();
    const res = await grace.request.get(`${origin}/api/room`);
    assert.equal(res.status(), 401);
    await grace.close();
    await ada.close();
  });
});
