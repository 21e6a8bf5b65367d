/**
 * Who gets into the dashboard, over HTTP against the real console: the bot's one-time link,
 * the Mini App's initData, the cookie, CSRF, Origin and Host checks, the rate limit, and
 * sessions that end with the person's role.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sign } from "@tma.js/init-data-node";
import { ADMIN, STAFF, STRANGER } from "../support/console-harness.ts";
import { rawGet, readEvents, type Session, startWebHarness, type WebHarness } from "./support.ts";

const TIMEOUT = { timeout: 30_000 };

describe("dashboard: logging in", TIMEOUT, () => {
  let w: WebHarness;
  before(async () => {
    w = await startWebHarness();
  });
  after(() => w.stop());

  /** Adds an active staff member `name` with card `uid` linked to Telegram account `tg`, logged in. */
  async function cardLinkedStaff(uid: string, tg: number, name: string): Promise<Session> {
    await w.h.storage.staff.add({
      cardUid: uid,
      name,
      role: "staff",
      telegramUserId: tg,
      active: true,
      createdBy: ADMIN.id,
      createdAt: w.h.clock.now().getTime(),
    });
    return w.login(tg);
  }

  test("a /web link logs in once: 303 to / with an HttpOnly, SameSite=Strict cookie; used again: 401 with a page saying why", async () => {
    const link = w.dash.loginLink(STAFF.id);
    assert.match(link.url, new RegExp(`^${w.base}/login/[A-Za-z0-9_-]{43}$`));
    assert.equal(link.expiresAt, w.h.clock.now().getTime() + w.h.config.web.loginMs);
    const first = await fetch(link.url, { redirect: "manual" });
    assert.equal(first.status, 303);
    assert.equal(first.headers.get("location"), "/");
    const cookie = first.headers.get("set-cookie") ?? "";
    assert.match(cookie, /^seroma_session=[A-Za-z0-9_-]{43};/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.match(cookie, /Path=\//);
    assert.doesNotMatch(cookie, /Secure/, "plain http on loopback without WEB_PUBLIC_URL: no Secure flag");
    const me = await w.get("/api/me", { headers: { cookie: cookie.split(";")[0] ?? "" } });
    assert.equal(me.status, 200);
    const body = (await me.json()) as { user: { id: number; role: string }; csrf: string; room: { id: string } };
    assert.deepEqual(body.user.id, STAFF.id);
    assert.equal(body.user.role, "staff");
    assert.equal(body.room.id, "test-room");
    assert.ok(body.csrf.length > 20);

    const again = await fetch(link.url, { redirect: "manual", headers: { "accept-language": "ja" } });
    assert.equal(again.status, 401);
    assert.match(again.headers.get("content-type") ?? "", /text\/html/);
    assert.match(await again.text(), /\/web/);
    const audit = await w.h.storage.audit.latest("test-room", 5);
    assert.ok(audit.some((a) => a.action === "login" && a.userId === STAFF.id && /\(web\)$/.test(a.detail ?? "")));
  });

  test("a link older than WEB_LOGIN_MINUTES: 401, and it does not work later either", async () => {
    const link = w.dash.loginLink(STAFF.id);
    w.h.clock.advance(w.h.config.web.loginMs + 1);
    assert.equal((await fetch(link.url, { redirect: "manual" })).status, 401);
    assert.equal((await fetch(link.url, { redirect: "manual" })).status, 401);
    assert.equal((await fetch(`${w.base}/login/not-a-token`, { redirect: "manual" })).status, 401);
  });

  test("a link made for someone who is no longer staff: 401, no session", async () => {
    const link = w.dash.loginLink(STRANGER.id);
    const res = await fetch(link.url, { redirect: "manual" });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get("set-cookie"), null);
  });

  test("no session: /api answers 401 login-needed as JSON", async () => {
    const res = await w.get("/api/room");
    assert.equal(res.status, 401);
    assert.deepEqual(await res.json(), {
      ok: false,
      code: "login-needed",
      error: "Log in first: send /web to the bot for a link.",
    });
  });

  test("a path spelt another way (percent-encoded, case, dots, slashes) is never an unguarded way into the API", async () => {
    const host = new URL(w.base).host;
    for (const path of [
      "/%61pi/settings",
      "/%61%70%69/room",
      "/api/%73ettings",
      "/%2561pi/settings",
      "/API/settings",
      "//api/settings",
      "/api/./settings",
      "/assets/../api/settings",
      "/api/settings/",
      "/api/staff%2F",
    ]) {
      const res = await rawGet(w.base, path, { host });
      // Refused: no session (401), no such route (404), or a path the static files refuse (403).
      assert.ok([401, 403, 404].includes(res.status), `${path}: ${res.status} ${res.body.slice(0, 120)}`);
      assert.doesNotMatch(res.body, /thresholds|officeHours|temperatureC/, `${path} leaked data`);
    }
  });

  test("POST with the cookie but without the CSRF token: 403; with a foreign Origin: 403; with both right: it works", async () => {
    const s = await w.login(STAFF.id);
    const noCsrf = await s.post("/api/auth/logout", undefined, { "x-csrf-token": "" });
    assert.equal(noCsrf.status, 403);
    assert.equal(((await noCsrf.json()) as { code: string }).code, "csrf");
    const foreign = await s.post("/api/auth/logout", undefined, { origin: "https://evil.example" });
    assert.equal(foreign.status, 403);
    assert.equal(((await foreign.json()) as { code: string }).code, "bad-origin");
    assert.equal((await s.get("/api/me")).status, 200, "still logged in");
    const out = await s.post("/api/auth/logout");
    assert.equal(out.status, 200);
    assert.equal((await s.get("/api/me")).status, 401, "logged out");
  });

  test("a Host that is not the dashboard's (DNS rebinding): 421", async () => {
    const port = new URL(w.base).port;
    const bad = await rawGet(w.base, "/", { host: `evil.example:${port}` });
    assert.equal(bad.status, 421);
    assert.match(bad.body, /bad-host/);
    const good = await rawGet(w.base, "/", { host: `localhost:${port}` });
    assert.equal(good.status, 200);
  });

  test("the session ends at once when the person's card is revoked (a card-linked staff member)", async () => {
    const uid = "A1B2C3D4";
    const tg = 4242;
    const s = await cardLinkedStaff(uid, tg, "Grace");
    const me = (await (await s.get("/api/me")).json()) as { user: { name: string; role: string } };
    assert.deepEqual(me.user, { id: tg, name: "Grace", role: "staff" });
    await w.h.storage.staff.setActive(uid, false, ADMIN.id, w.h.clock.now().getTime());
    const ended = await s.get("/api/me");
    assert.equal(ended.status, 401);
    assert.equal(((await ended.json()) as { code: string }).code, "session-ended");
    await w.h.storage.staff.setActive(uid, true, ADMIN.id, w.h.clock.now().getTime());
    assert.equal((await s.get("/api/me")).status, 401, "the session is gone, not just suspended");
  });

  test("an open page's event stream is told and ends when the card is revoked", async () => {
    const uid = "A1B2C3D5";
    const tg = 4243;
    const s = await cardLinkedStaff(uid, tg, "Hedy");
    const events = await s.get("/api/events");
    await readEvents(events, (e) => e.event === "hello");
    await w.h.storage.staff.setActive(uid, false, ADMIN.id, w.h.clock.now().getTime());
    const told = await readEvents(events, (e) => e.event === "ended");
    assert.deepEqual(told.data, { code: "session-ended" });
    assert.equal((await s.get("/api/me")).status, 401, "the session is gone");
  });

  test("the session ends when the id is removed from STAFF_IDS", async () => {
    const s = await w.login(STAFF.id);
    const ids = w.h.config.telegram.staffIds;
    const saved = [...ids];
    ids.splice(0, ids.length, ...saved.filter((id) => id !== STAFF.id));
    try {
      const res = await s.get("/api/room");
      assert.equal(res.status, 401);
      assert.equal(((await res.json()) as { code: string }).code, "session-ended");
    } finally {
      ids.splice(0, ids.length, ...saved);
    }
  });

  test("a session unused for WEB_SESSION_HOURS ends", async () => {
    const s = await w.login(STAFF.id);
    w.h.clock.advance(w.h.config.web.sessionMs + 1_000);
    assert.equal((await s.get("/api/me")).status, 401);
  });
});

describe("dashboard: the Mini App", TIMEOUT, () => {
  let w: WebHarness;
  before(async () => {
    w = await startWebHarness();
  });
  after(() => w.stop());

  const post = (initData: unknown, origin?: string) =>
    w.get("/api/auth/telegram", {
      method: "POST",
      headers: { "content-type": "application/json", ...(origin ? { origin } : {}) },
      body: JSON.stringify({ initData }),
    });

  test("valid initData of a staff member: a session (cookie and Bearer token) without a CSRF token for Bearer", async () => {
    const initData = sign({ user: { id: STAFF.id, first_name: "Linus" } }, w.h.api.token, new Date());
    const res = await post(initData, w.base);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { ok: boolean; token: string };
    assert.equal(body.ok, true);
    assert.match(res.headers.get("set-cookie") ?? "", /seroma_session=.*HttpOnly.*SameSite=Strict/);
    const auth = { authorization: `Bearer ${body.token}` };
    const me = (await (await w.get("/api/me", { headers: auth })).json()) as { user: { id: number } };
    assert.equal(me.user.id, STAFF.id);
    const t = (await (await w.get("/api/ticket", { headers: auth })).json()) as { ticket: string };
    assert.match(t.ticket, /^[\w-]+\.\d+\.[\w-]+$/);
    const out = await w.get("/api/auth/logout", { method: "POST", headers: auth });
    assert.equal(out.status, 200, "Bearer requests need no CSRF token");
    assert.equal((await w.get("/api/me", { headers: auth })).status, 401);
  });

  test("forged initData (signed with another token): 401 init-data-invalid", async () => {
    const forged = sign({ user: { id: ADMIN.id, first_name: "Ada" } }, "5000000001:AAHsomeOtherToken", new Date());
    const res = await post(forged);
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { code: string }).code, "init-data-invalid");
    assert.equal((await post("user=%7B%7D&hash=00")).status, 401);
  });

  test("initData older than an hour: 401 init-data-expired", async () => {
    const old = sign(
      { user: { id: STAFF.id, first_name: "Linus" } },
      w.h.api.token,
      new Date(Date.now() - 2 * 3_600_000),
    );
    const res = await post(old);
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { code: string }).code, "init-data-expired");
  });

  test("valid initData of someone who is not staff: 403 not-staff", async () => {
    const res = await post(sign({ user: { id: STRANGER.id, first_name: "Mallory" } }, w.h.api.token, new Date()));
    assert.equal(res.status, 403);
    assert.equal(((await res.json()) as { code: string }).code, "not-staff");
  });

  test("no initData: 400 with a sentence", async () => {
    const res = await post(42);
    assert.equal(res.status, 400);
    const body = (await res.json()) as { code: string; error: string };
    assert.equal(body.code, "bad-request");
    assert.match(body.error, /initData/);
  });
});

describe("dashboard: rate limits and headers", TIMEOUT, () => {
  let w: WebHarness;
  before(async () => {
    w = await startWebHarness({ rateLimit: { login: 3 } });
  });
  after(() => w.stop());

  test("logins are rate-limited per address: the 4th try within a minute is 429", async () => {
    for (let i = 0; i < 3; i++) assert.equal((await w.get(`/login/${"x".repeat(43)}`)).status, 401);
    const limited = await w.get(`/login/${"x".repeat(43)}`);
    assert.equal(limited.status, 429);
    assert.equal(((await limited.json()) as { code: string }).code, "rate-limited");
  });

  test("the page comes with the CSP of the spec and no framing but Telegram's (none without WEB_PUBLIC_URL)", async () => {
    const res = await w.get("/");
    assert.equal(res.status, 200);
    const csp = res.headers.get("content-security-policy") ?? "";
    for (const d of [
      "default-src 'self'",
      "img-src 'self' blob: data:",
      "media-src 'self' blob:",
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      "connect-src 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "form-action 'self'",
    ]) {
      assert.ok(csp.includes(d), `CSP has ${d}: ${csp}`);
    }
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    assert.equal((await w.get("/vendor/uplot/uPlot.esm.js")).status, 200);
    assert.equal((await w.get("/vendor/uplot/uPlot.min.css")).status, 200);
    assert.equal((await w.get("/vendor/fluent/index.js")).status, 200);
  });
});
