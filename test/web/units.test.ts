/** The dashboard's small pure parts: hosts it answers to, languages, ranges, filters, tickets, the .ftl section. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { dashboardSection } from "../../app/dashboard.ts";
import { allowedHosts } from "../../web/auth/guard.ts";
import { createLoginLinks } from "../../web/auth/login-links.ts";
import { createSessions, TICKET_MS } from "../../web/auth/sessions.ts";
import { parseLogFilter } from "../../web/routes/door.ts";
import { parseRange } from "../../web/routes/media.ts";
import { pickLanguage } from "../../web/views.ts";
import { ManualClock } from "../support/fakes.ts";

const machine = { addresses: ["127.0.0.1", "192.168.1.20", "fd00::7"], hostname: "pi" };

describe("dashboard units", () => {
  test("hosts: WEB_HOST:port, loopback's names, every address when listening everywhere, the public URL's host", () => {
    const loop = allowedHosts({ host: "127.0.0.1", publicUrl: undefined }, 8081, machine);
    assert.deepEqual([...loop.hosts].sort(), ["127.0.0.1:8081", "[::1]:8081", "localhost:8081"]);
    assert.ok(loop.origins.has("http://localhost:8081"));
    const lan = allowedHosts({ host: "192.168.1.20", publicUrl: undefined }, 8081, machine);
    assert.deepEqual([...lan.hosts], ["192.168.1.20:8081"]);
    const all = allowedHosts({ host: "0.0.0.0", publicUrl: "https://room.example.org" }, 8081, machine);
    for (const h of ["192.168.1.20:8081", "[fd00::7]:8081", "pi:8081", "pi.local:8081", "room.example.org"]) {
      assert.ok(all.hosts.has(h), h);
    }
    assert.ok(all.origins.has("https://room.example.org"));
    assert.ok(!all.hosts.has("evil.example:8081"));
  });

  test("languages: the best known one of Accept-Language, by its primary tag and q", () => {
    assert.equal(pickLanguage("ja-JP,ja;q=0.9,en;q=0.8", ["en", "ja"]), "ja");
    assert.equal(pickLanguage("fr;q=1, en;q=0.5, ja;q=0.7", ["en", "ja"]), "ja");
    assert.equal(pickLanguage("fr", ["en", "ja"]), undefined);
    assert.equal(pickLanguage(undefined, ["en"]), undefined);
    assert.equal(pickLanguage("ja;q=0", ["en", "ja"]), undefined);
  });

  test("ranges: one bytes= range, suffix ranges, and what cannot be served", () => {
    assert.deepEqual(parseRange("bytes=0-99", 1000), { start: 0, end: 99 });
    assert.deepEqual(parseRange("bytes=900-", 1000), { start: 900, end: 999 });
    assert.deepEqual(parseRange("bytes=-100", 1000), { start: 900, end: 999 });
    assert.deepEqual(parseRange("bytes=990-5000", 1000), { start: 990, end: 999 });
    for (const bad of ["bytes=1000-", "bytes=5-1", "bytes=-", "bytes=0-1,5-6", "items=0-1", "bytes=-0"]) {
      assert.equal(parseRange(bad, 1000), "bad", bad);
    }
  });

  test("door log filters: names lowercase, card UIDs normalised, bad values a sentence", () => {
    assert.deepEqual(parseLogFilter({}), { limit: 50 });
    assert.deepEqual(parseLogFilter({ q: "Grace", decision: "allowed", limit: "10", before: "99" }), {
      decision: "allowed",
      q: "grace",
      before: 99,
      limit: 10,
    });
    assert.deepEqual(parseLogFilter({ q: "66:1b:4f:1f" }), { uid: "661B4F1F", limit: 50 });
    assert.deepEqual(parseLogFilter({ q: "Dave" }), { q: "dave", limit: 50 }, "hex-looking letters stay a name");
    assert.match(String(parseLogFilter({ limit: "500" })), /limit must be 1 to 200/);
    assert.match(String(parseLogFilter({ before: "-1" })), /before must be a whole number/);
    assert.match(String(parseLogFilter({ q: "x".repeat(41) })), /at most 40/);
  });

  test("login links: once, and not after their time", () => {
    const clock = new ManualClock("2026-11-23T10:00:00Z");
    const links = createLoginLinks(clock, 5 * 60_000);
    const a = links.create(7, "Ada");
    assert.deepEqual(links.redeem(a.token), { ok: true, userId: 7, name: "Ada" });
    assert.deepEqual(links.redeem(a.token), { ok: false, reason: "unknown" });
    const b = links.create(7);
    clock.advance(5 * 60_000);
    assert.deepEqual(links.redeem(b.token), { ok: false, reason: "expired" });
  });

  test("tickets: stand for their session for 10 minutes, never name it, and die with it", () => {
    const clock = new ManualClock("2026-11-23T10:00:00Z");
    const sessions = createSessions(clock, 3_600_000);
    const s = sessions.create(7, "Ada", "link");
    const { ticket } = sessions.ticket(s);
    assert.ok(!ticket.includes(s.id));
    assert.equal(sessions.fromTicket(ticket)?.id, s.id);
    assert.equal(sessions.fromTicket(ticket.replace(/.$/, (c) => (c === "A" ? "B" : "A"))), undefined, "tampered");
    const [d, exp, mac] = ticket.split(".");
    assert.equal(sessions.fromTicket(`${d}.${Number(exp) + 1}.${mac}`), undefined, "a longer life is not granted");
    clock.advance(TICKET_MS);
    assert.equal(sessions.fromTicket(ticket), undefined, "expired");
    const fresh = sessions.ticket(s).ticket;
    sessions.delete(s.id);
    assert.equal(sessions.fromTicket(fresh), undefined, "the session is gone");
  });

  test("the Dashboard section of a .ftl file, up to the next ## heading; none: empty", () => {
    const ftl = "## status\nstatus-a = A\n\n## Dashboard\nweb-title = Room\nweb-x = X\n\n## later\nlater = L\n";
    assert.equal(dashboardSection(ftl), "web-title = Room\nweb-x = X\n");
    assert.equal(dashboardSection("## Dashboard\nweb-a = A"), "web-a = A\n");
    assert.equal(dashboardSection("status-a = A\n"), "");
  });
});
