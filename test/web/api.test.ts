/**
 * The dashboard's API against the real console: incidents acted on both ways (the page's
 * Acknowledge and Mute edit the Telegram card; an Acknowledge in Telegram reaches the page
 * as an event), the room, the door log with filters, paging and CSV, media with Range,
 * staff for admins with the bot's refusals, settings without secrets, and the unhappy paths.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { RecordedMessage } from "../../local/bot-api/server.ts";
import { current, edited, labels, press, sample } from "../support/alert-cards.ts";
import { ADMIN, STAFF, STAFF_GROUP } from "../support/console-harness.ts";
import { readEvents, type Session, startWebHarness, type WebHarness } from "./support.ts";

const TIMEOUT = { timeout: 60_000 };
const group = (w: WebHarness) => w.h.api.messages(STAFF_GROUP.id).filter((m) => m.from_bot);

interface IncidentView {
  id: string;
  rule: string;
  state: string;
  ackedAt?: number;
  ackedBy?: { name: string };
  mutedUntil?: number;
  mutedBy?: { name: string };
  title: string;
  text: string;
  canAct: boolean;
}

describe("dashboard: incidents both ways", TIMEOUT, () => {
  let w: WebHarness;
  let s: Session;
  before(async () => {
    w = await startWebHarness({ env: { ALERT_MIN_DURATION_SECONDS: "0" } });
    s = await w.login(STAFF.id);
  });
  after(() => w.stop());

  let card: RecordedMessage;
  let incident: IncidentView;

  test("an open incident shows in /api/room in the reader's words, and can be acted on", async () => {
    await sample(w.h, 28);
    card = await w.h.api.waitFor(() => group(w)[0]);
    const room = (await (await s.get("/api/room")).json()) as {
      reading: { temperatureC: number };
      levels: { temperature: string; humidity: string };
      incidents: IncidentView[];
      sensor: { driver: string; ok: boolean };
    };
    assert.equal(room.reading.temperatureC, 28);
    assert.equal(room.levels.temperature, "warn");
    assert.equal(room.levels.humidity, "ok");
    assert.deepEqual(room.sensor, { driver: "sim", ok: true });
    assert.equal(room.incidents.length, 1);
    incident = room.incidents[0] as IncidentView;
    assert.equal(incident.rule, "climate.temperature");
    assert.equal(incident.state, "open");
    assert.equal(incident.canAct, true);
    assert.doesNotMatch(incident.text, /<[a-z]/, "plain text, no HTML");
    assert.match(incident.text, /28/);
  });

  test("Mute 1 h on the page mutes the rule and puts the mute line on the Telegram card, buttons kept", async () => {
    const res = await s.post(`/api/incidents/${incident.id}/mute`, { hours: 1 });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { ok: boolean; incident: IncidentView };
    assert.equal(body.incident.mutedUntil, w.h.clock.now().getTime() + 3_600_000);
    assert.equal(body.incident.mutedBy?.name, "Linus");
    const muted = await edited(w.h, card);
    assert.match(muted.text ?? "", /Muted by Linus/);
    assert.deepEqual(labels(muted), labels(card), "the calm row stays");
    assert.equal((await s.post(`/api/incidents/${incident.id}/mute`, { hours: 3 })).status, 400);
  });

  test("Acknowledge on the page settles the Telegram card (an editMessageText at the Bot API), audited as (web)", async () => {
    const mark = w.h.api.mark();
    const res = await s.post(`/api/incidents/${incident.id}/ack`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { ok: boolean; incident: IncidentView };
    assert.equal(body.ok, true);
    assert.equal(body.incident.ackedBy?.name, "Linus");
    assert.equal(body.incident.canAct, false);
    const call = await w.h.api.waitForCall(
      "editMessageText",
      (c) => Number(c.params.chat_id) === STAFF_GROUP.id && Number(c.params.message_id) === card.message_id,
      { since: mark },
    );
    assert.match(String(call.params.text), /Acknowledged by Linus/);
    assert.deepEqual(labels(current(w.h, card)), [], "the settled card has no buttons");
    const audit = await w.h.storage.audit.latest("test-room", 10);
    assert.ok(audit.some((a) => a.action === "ack" && a.incidentId === incident.id && a.detail === "(web)"));
  });

  test("acknowledging again: 409 already; an unknown incident: 404", async () => {
    const again = await s.post(`/api/incidents/${incident.id}/ack`);
    assert.equal(again.status, 409);
    assert.equal(((await again.json()) as { code: string }).code, "already");
    const unknown = await s.post("/api/incidents/no-such-incident/ack");
    assert.equal(unknown.status, 404);
    assert.deepEqual(await unknown.json(), { ok: false, code: "not-found", error: "There is no such incident." });
    assert.equal((await s.post("/api/incidents/no-such-incident/mute", { hours: 1 })).status, 404);
  });

  test("an Acknowledge pressed in Telegram reaches the open page as an `incident` event", async () => {
    await sample(w.h, 22);
    await sample(w.h, 22, 80);
    const humid = await w.h.api.waitFor(() => group(w).find((m) => /humidity/i.test(m.text ?? "")));
    const events = await s.get("/api/events");
    assert.equal(events.status, 200);
    assert.match(events.headers.get("content-type") ?? "", /text\/event-stream/);
    await readEvents(events, (e) => e.event === "hello");
    await press(w.h, humid, "✔️ Acknowledge");
    const e = await readEvents(
      events,
      (x) =>
        x.event === "incident" &&
        (x.data as IncidentView).rule === "climate.humidity" &&
        "ackedBy" in (x.data as object),
    );
    assert.equal((e.data as IncidentView).ackedBy?.name, "Linus");
    assert.equal((e.data as IncidentView).canAct, false);
    await events.body?.cancel();
  });

  test("a reading reaches the open page as a `reading` event", async () => {
    const events = await s.get("/api/events");
    await readEvents(events, (e) => e.event === "hello");
    w.h.sensor.set({ temperatureC: 23.5, humidityPct: 41 });
    await w.h.job.sampleNow();
    const e = await readEvents(events, (x) => x.event === "reading");
    assert.deepEqual(Object.keys(e.data as object).sort(), ["at", "humidityPct", "temperatureC"]);
    assert.equal((e.data as { temperatureC: number }).temperatureC, 23.5);
    await events.body?.cancel();
  });

  test("the climate chart's series, and a bad range: 400 with a sentence", async () => {
    const res = await s.get("/api/climate?range=24h");
    const body = (await res.json()) as {
      range: string;
      from: number;
      to: number;
      points: Array<{ at: number; tAvg: number }>;
    };
    assert.equal(body.range, "24h");
    assert.ok(body.points.length >= 1);
    assert.ok(body.points.every((p) => p.at >= body.from && p.at <= body.to));
    const bad = await s.get("/api/climate?range=1y");
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /range must be 24h or 7d/);
  });
});

describe("dashboard: the door", TIMEOUT, () => {
  let w: WebHarness;
  let s: Session;
  const t0 = Date.parse("2026-11-23T09:00:00Z");
  before(async () => {
    w = await startWebHarness();
    s = await w.login(STAFF.id);
    const add = (
      i: number,
      decision: "allowed" | "off-hours" | "unknown" | "revoked",
      name?: string,
      uid = "66:1B:4F:1F",
    ) =>
      w.h.storage.accessLog.add({
        roomId: "test-room",
        at: t0 + i * 60_000,
        cardUid: uid.replace(/:/g, ""),
        ...(name ? { staffName: name } : {}),
        decision,
      });
    for (let i = 0; i < 30; i++) await add(i, "allowed", i % 2 ? "Grace" : "Alan", i % 2 ? "0A0B0C0D" : "661B4F1F");
    await add(40, "unknown", undefined, "DEADBEEF");
    await add(41, "revoked", "=cmd|' /C calc'!A0", "11223344");
  });
  after(() => w.stop());

  type Log = {
    entries: Array<{ id: number; at: number; cardUid: string; staffName?: string; decision: string }>;
    next?: number;
  };
  const log = async (q: string) => (await (await s.get(`/api/door/log?${q}`)).json()) as Log;

  test("the log pages newest first with `next`, and filters by decision, name, card UID and time", async () => {
    const first = await log("limit=10");
    assert.equal(first.entries.length, 10);
    assert.equal(first.entries[0]?.decision, "revoked");
    assert.ok(first.next);
    const second = await log(`limit=10&before=${first.next}`);
    assert.ok((second.entries[0]?.id ?? 0) < (first.entries[9]?.id ?? 0));
    assert.equal((await log("decision=unknown")).entries.length, 1);
    assert.equal((await log("decision=unknown")).entries[0]?.cardUid, "DE:AD:BE:EF");
    const grace = await log("q=grac");
    assert.equal(grace.entries.length, 15);
    assert.ok(grace.entries.every((e) => e.staffName === "Grace"));
    const byUid = await log("q=66:1b:4f:1f");
    assert.equal(byUid.entries.length, 15);
    assert.ok(byUid.entries.every((e) => e.staffName === "Alan"));
    const window = await log(`from=${t0 + 10 * 60_000}&to=${t0 + 20 * 60_000}`);
    assert.equal(window.entries.length, 10);
    assert.equal(window.next, undefined);
  });

  test("bad filters: 400 with a sentence naming the problem", async () => {
    for (const [q, re] of [
      ["decision=maybe", /decision must be one of/],
      ["limit=0", /limit must be 1 to 200/],
      ["from=yesterday", /from must be a whole number/],
      [`from=${t0}&to=${t0}`, /from must be before to/],
    ] as const) {
      const res = await s.get(`/api/door/log?${q}`);
      assert.equal(res.status, 400, q);
      const body = (await res.json()) as { code: string; error: string };
      assert.equal(body.code, "bad-query");
      assert.match(body.error, re);
    }
  });

  test("the CSV: the bot's columns, the same filters, oldest first, formulas defused", async () => {
    const res = await s.get("/api/door/log.csv?decision=revoked");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /text\/csv/);
    assert.match(res.headers.get("content-disposition") ?? "", /attachment; filename="access-test-room-/);
    const lines = (await res.text()).trimEnd().split("\r\n");
    assert.deepEqual(lines, [
      "time_utc,time_local,room,card_uid,name,decision",
      "2026-11-23T09:41:00.000Z,2026-11-23 09:41:00,test-room,11:22:33:44,'=cmd|' /C calc'!A0,revoked",
    ]);
    const all = (await (await s.get("/api/door/log.csv")).text()).trimEnd().split("\r\n");
    assert.equal(all.length, 33);
    assert.match(all[1] ?? "", /^2026-11-23T09:00:00.000Z/);
  });

  test("who came in today", async () => {
    const today = (await (await s.get("/api/door/today")).json()) as {
      people: Array<{ name: string; taps: number; offHours: boolean }>;
    };
    assert.deepEqual(
      today.people.map((p) => [p.name, p.taps, p.offHours]),
      [
        ["Alan", 15, false],
        ["Grace", 15, false],
      ],
    );
  });
});

describe("dashboard: media, staff, settings", TIMEOUT, () => {
  let w: WebHarness;
  let admin: Session;
  let staff: Session;
  let failing = false;
  before(async () => {
    w = await startWebHarness({
      dashboardStorage: (st) => ({
        ...st,
        kind: st.kind,
        readings: {
          ...st.readings,
          latest: (...args: Parameters<typeof st.readings.latest>) =>
            failing
              ? Promise.reject(Object.assign(new Error("disk I/O error"), { code: "SQLITE_IOERR" }))
              : st.readings.latest(...args),
        },
      }),
    });
    admin = await w.login(ADMIN.id);
    staff = await w.login(STAFF.id);
  });
  after(() => w.stop());

  test("a clip plays: the list links it, its bytes come whole or by Range (206), a bad range is 416", async () => {
    const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256));
    const clip = await w.h.storage.media.save({
      roomId: "test-room",
      at: w.h.clock.now().getTime(),
      kind: "clip",
      mime: "video/mp4",
      reason: "request",
      seconds: 10,
      bytes,
    });
    const list = (await (await staff.get("/api/media?kind=clip")).json()) as {
      items: Array<{ id: number; url: string; mime: string; size: number }>;
    };
    assert.deepEqual(list.items[0], {
      id: clip.id,
      at: clip.at,
      kind: "clip",
      mime: "video/mp4",
      size: 1000,
      reason: "request",
      seconds: 10,
      url: `/api/media/${clip.id}`,
    });
    const whole = await staff.get(`/api/media/${clip.id}`);
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get("accept-ranges"), "bytes");
    assert.deepEqual(Buffer.from(await whole.arrayBuffer()), bytes);
    const part = await staff.get(`/api/media/${clip.id}`, { headers: { range: "bytes=100-199" } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get("content-range"), "bytes 100-199/1000");
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), bytes.subarray(100, 200));
    const tail = await staff.get(`/api/media/${clip.id}`, { headers: { range: "bytes=-10" } });
    assert.deepEqual(Buffer.from(await tail.arrayBuffer()), bytes.subarray(990));
    assert.equal((await staff.get(`/api/media/${clip.id}`, { headers: { range: "bytes=5000-" } })).status, 416);
    assert.equal((await staff.get("/api/media/999999")).status, 404);
    assert.equal((await staff.get("/api/media?limit=abc")).status, 400);
    // An <img>/<video> without the cookie: a ticket from /api/ticket.
    const { ticket } = (await (await staff.get("/api/ticket")).json()) as { ticket: string };
    assert.equal((await w.get(`/api/media/${clip.id}?ticket=${encodeURIComponent(ticket)}`)).status, 200);
    assert.equal((await w.get(`/api/media/${clip.id}?ticket=x.1.y`)).status, 401);
    assert.equal(
      (await w.get(`/api/room?ticket=${encodeURIComponent(ticket)}`)).status,
      401,
      "tickets are for media only",
    );
  });

  test("staff is for admins: a staff member gets 403", async () => {
    const res = await staff.get("/api/staff");
    assert.equal(res.status, 403);
    assert.equal(((await res.json()) as { code: string }).code, "admin-only");
  });

  test("revoke: not your own card, not the last admin card (the bot's refusals); another card: revoked, restored, audited", async () => {
    const at = w.h.clock.now().getTime();
    await w.h.storage.staff.add({
      cardUid: "AA000001",
      name: "Ada",
      role: "admin",
      telegramUserId: ADMIN.id,
      active: true,
      createdBy: ADMIN.id,
      createdAt: at,
    });
    await w.h.storage.staff.add({
      cardUid: "AA000002",
      name: "Boss",
      role: "admin",
      active: true,
      createdBy: ADMIN.id,
      createdAt: at,
    });
    await w.h.storage.staff.add({
      cardUid: "AA000003",
      name: "Carl",
      role: "staff",
      active: true,
      createdBy: ADMIN.id,
      createdAt: at,
    });
    const own = await admin.post("/api/staff/AA000001/revoke");
    assert.equal(own.status, 409);
    assert.equal(((await own.json()) as { code: string }).code, "own-card");
    // With Ada's card revoked by someone else, Boss's is the last admin card.
    await w.h.storage.staff.setActive("AA000001", false, 1, at);
    const last = await admin.post("/api/staff/AA:00:00:02/revoke");
    assert.equal(last.status, 409);
    assert.equal(((await last.json()) as { code: string }).code, "last-admin");
    await w.h.storage.staff.setActive("AA000001", true, 1, at);

    const revoked = await admin.post("/api/staff/AA000003/revoke");
    assert.equal(revoked.status, 200);
    assert.equal((await w.h.storage.staff.getByUid("AA000003"))?.active, false);
    assert.equal((await admin.post("/api/staff/AA000003/revoke")).status, 409);
    assert.equal((await admin.post("/api/staff/AA000003/restore")).status, 200);
    assert.equal((await admin.post("/api/staff/FFFFFFFF/restore")).status, 404);
    const list = (await (await admin.get("/api/staff")).json()) as { staff: Array<{ name: string; linked: boolean }> };
    assert.deepEqual(
      list.staff.map((m) => [m.name, m.linked]),
      [
        ["Ada", true],
        ["Boss", false],
        ["Carl", false],
      ],
    );
    const invite = (await (await admin.post("/api/staff/AA000003/invite")).json()) as {
      link: string;
      expiresAt: number;
    };
    assert.match(invite.link, /^https:\/\/t\.me\/seroma_test_bot\?start=link_[A-Za-z0-9_-]{22}$/);
    const audit = await w.h.storage.audit.latest("test-room", 20);
    for (const action of ["revoke", "restore", "invite"] as const) {
      assert.ok(
        audit.some((a) => a.action === action && a.detail === "AA000003 Carl (web)"),
        action,
      );
    }
  });

  test("settings: read only, and nothing secret in them", async () => {
    const res = await staff.get("/api/settings");
    assert.equal(res.status, 200);
    const text = await res.text();
    const body = JSON.parse(text) as {
      thresholds: unknown;
      officeHours: { timeZone: string };
      storage: { kind: string };
    };
    assert.ok(body.thresholds);
    assert.equal(body.officeHours.timeZone, "UTC");
    assert.equal(body.storage.kind, "sqlite");
    assert.ok(!text.includes(w.h.api.token), "no bot token");
    assert.ok(!text.includes(w.h.api.token.split(":")[1] ?? "-"), "no part of it");
    assert.doesNotMatch(text, /token|secret|password|keyFile|dataDir/i);
  });

  test("the page's words: the Dashboard section of the locale file, or nothing yet; unknown languages 404", async () => {
    const en = await w.get("/i18n/en.ftl");
    assert.equal(en.status, 200);
    assert.match(en.headers.get("content-type") ?? "", /text\/plain/);
    assert.doesNotMatch(await en.text(), /^status-/m, "not the bot's messages");
    assert.equal((await w.get("/i18n/xx.ftl")).status, 404);
  });

  test("storage failing: 503 storage-failed with a sentence, and the dashboard carries on", async () => {
    failing = true;
    const res = await staff.get("/api/room");
    assert.equal(res.status, 503);
    assert.deepEqual(await res.json(), {
      ok: false,
      code: "storage-failed",
      error: "The console cannot read its database right now; try again shortly.",
    });
    failing = false;
    assert.equal((await staff.get("/api/room")).status, 200);
  });
});
