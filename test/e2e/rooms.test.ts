/**
 * Several rooms, one bot, as real processes: a real mosquitto on 127.0.0.1 (TLS, client
 * certificates, the site's ACL), a hub and three room agents as `node main.ts`, and the
 * local Bot API server the hub's bot talks to. Each room's start-up notice reaches the staff
 * group naming its room; the broker restarted mid-run; a room agent killed with kill -9 (its
 * Last Will: "room went silent" reaches the Bot API, then its recovery when it is back); the
 * broker down for 60 s while three rooms raise alerts (all delivered afterwards, none lost,
 * duplicates counted; the hub's own "lost the broker" alert during the outage and its
 * recovery; dc-4's alerts in its own staff group, ROOM_CHAT_IDS); a room with a certificate
 * from another CA refused.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import Database from "better-sqlite3";
import { isJpeg } from "../../hardware/camera/media.ts";
import { inlineButtons, type LocalBotApi, startLocalBotApi } from "../../local/bot-api/server.ts";
import { type Running, startConsole } from "../support/console-process.ts";
import { type ClientFiles, HUB_CN, type Mosquitto, mosquittoMissing, startMosquitto } from "../support/mosquitto.ts";
import { startHubProcess } from "../support/site-processes.ts";

const PREFIX = "seroma/e2e";
const GROUP = -100777;
/** dc-4's own staff group (the hub's ROOM_CHAT_IDS). */
const ROOM_GROUP = -100444;
/** The rooms that raise alerts while the broker is down. */
const ALERTING = ["dc-1", "dc-3", "dc-4"];
const TOKEN = "5000000017:AAHlocalTestTokenForSeromaRooms-0123";

/** A console's settings on this site as `name`; heartbeats and silence shortened (defaults 30 s and 120 s), the behaviour is the same. */
function mqttEnv(broker: Mosquitto, name: string, files?: ClientFiles): Record<string, string> {
  return { ...broker.env(name, files), ROOM_SILENT_AFTER_SECONDS: "8" };
}

/** The JSON log lines of a process with this message. */
function logged(run: Running, msg: string): Array<Record<string, unknown>> {
  return run
    .output()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        return {};
      }
    })
    .filter((e) => e.msg === msg);
}

describe("several rooms, one bot (real processes)", { skip: mosquittoMissing }, () => {
  let broker: Mosquitto;
  let api: LocalBotApi;
  let hub: Running;
  const rooms = new Map<string, Running>();
  const dataDirs = new Map<string, string>();
  const base = mkdtempSync(join(tmpdir(), "seroma-rooms-"));
  const groupTexts = () => api.messages(GROUP).map((m) => m.text ?? m.caption ?? "");
  const waitGroup = (re: RegExp, timeoutMs = 30_000) =>
    api
      .waitFor(() => groupTexts().find((t) => re.test(t)), timeoutMs)
      .catch((err) => {
        throw new Error(
          `${(err as Error).message}: ${re} not in the group:\n${groupTexts().join("\n---\n")}\nhub:\n${hub.output().slice(-4000)}`,
        );
      });

  function startRoom(name: string, extra: Record<string, string> = {}, files = broker.client(name)): Running {
    const dataDir = dataDirs.get(name) ?? join(base, name);
    dataDirs.set(name, dataDir);
    const run = startConsole({
      ROOM_ID: name,
      DATA_DIR: dataDir,
      HARDWARE: "sim",
      LOG_LEVEL: "info",
      BACKUP_AT: "off",
      ...mqttEnv(broker, name, files),
      ...extra,
    });
    rooms.set(name, run);
    return run;
  }

  /** An admin's command to the hub's bot in a private chat; the bot's answer. */
  async function ask(text: string): Promise<string> {
    const admin = { id: 77, first_name: "Ada" };
    const before = api.messages(77).length;
    api.sendMessage(admin, { id: 77, type: "private" }, text);
    const reply = await api.waitFor(
      () =>
        api
          .messages(77)
          .slice(before)
          .find((m) => m.from_id !== 77),
      15_000,
    );
    return reply.text ?? "";
  }

  async function stopRoom(name: string): Promise<void> {
    const run = rooms.get(name);
    if (!run) return;
    run.child.kill("SIGTERM");
    const { code } = await run.exited;
    assert.equal(code, 0, run.output());
  }

  before(async () => {
    broker = await startMosquitto({ prefix: PREFIX });
    api = await startLocalBotApi({ token: TOKEN });
    hub = await startHubProcess(broker, api, {
      STAFF_CHAT_ID: String(GROUP),
      ROOM_CHAT_IDS: `dc-4:${ROOM_GROUP}`,
      DATA_DIR: join(base, "hub"),
      ...mqttEnv(broker, HUB_CN),
    });
    for (const name of ["dc-1", "dc-2", "dc-3"]) startRoom(name);
  });

  after(async () => {
    for (const run of [...rooms.values(), hub]) run?.child.kill("SIGKILL");
    await Promise.all([...rooms.values(), hub].filter(Boolean).map((r) => r.exited));
    await api?.close();
    await broker?.close();
  });

  test("every room's notices reach the staff group through the hub, naming their room", async () => {
    await hub.waitForOutput(/hub: listening to the rooms under seroma\/e2e\/rooms\//, 30_000);
    await hub.waitForOutput(/is polling/, 30_000);
    for (const name of ["dc-1", "dc-2", "dc-3"]) {
      await rooms
        .get(name)
        ?.waitForOutput(/room agent: reporting to the hub through mqtts:\/\/127\.0\.0\.1:\d+ as dc-\d/);
      await waitGroup(new RegExp(`Seroma started · ${name}`));
    }
    await waitGroup(/Seroma started · hq/);
    // A room agent runs no bot and no local mode.
    assert.doesNotMatch(rooms.get("dc-1")?.output() ?? "", /local mode|is polling/);
  });

  test("commands to each room: /rooms asks them all, /status ROOM one of them", async () => {
    const text = await ask("/rooms");
    assert.match(text, /Rooms of the site \(3\)/);
    for (const name of ["dc-1", "dc-2", "dc-3"]) assert.match(text, new RegExp(`📍 ${name}\n🌡 \\d+\\.\\d °C`));
    assert.doesNotMatch(text, /No answer/);
    const one = await ask("/status dc-2");
    assert.match(one, /^📍 dc-2\n🌡 \d+\.\d °C · 💧 \d+\.\d %/);
    assert.match(one, /No open incidents/);
    assert.match(
      await ask("/status nowhere"),
      /No room called nowhere has reported to this hub\. Rooms: dc-1, dc-2, dc-3/,
    );
    // Plain /status is still the hub's own room.
    assert.match(await ask("/status"), /hq/);
  });

  test("a room's camera and watch from the hub's bot: asked which room, the picture comes from that room", async () => {
    const admin = { id: 77, first_name: "Ada" };
    const before = api.messages(77).length;
    api.sendMessage(admin, { id: 77, type: "private" }, "/snapshot");
    const picker = await api.waitFor(
      () =>
        api
          .messages(77)
          .slice(before)
          .find((m) => m.from_id !== 77 && /Which room\?/.test(m.text ?? "")),
      15_000,
    );
    assert.deepEqual(
      inlineButtons(picker).map((b) => b.text),
      ["📍 hq", "📍 dc-1", "📍 dc-2", "📍 dc-3"],
    );
    const mark = api.messages(77).length;
    api.pressButton(admin, picker, { text: "📍 dc-1" });
    const photo = await api.waitFor(
      () =>
        api
          .messages(77)
          .slice(mark)
          .find((m) => m.media?.kind === "photo"),
      30_000,
    );
    assert.ok(photo.media?.bytes && isJpeg(photo.media.bytes), "a real JPEG, put together from its parts");
    assert.match(photo.caption ?? "", /^📷 dc-1 · \d\d:\d\d:\d\d · sim/);
    assert.match(await ask("/arm dc-3"), /Armed by Ada: motion in dc-3 now raises an alert/);
    assert.match(await ask("/disarm dc-3"), /dc-3: disarmed/);
    // The progress message becomes the answer (edited in place).
    assert.match(await ask("/server dc-2 web1"), /Checking dc-2 · web1/);
    await api.waitFor(() => api.messages(77).find((m) => /dc-2 has no server called web1/.test(m.text ?? "")), 15_000);
  });

  test("a certificate from another CA is refused: that room is never heard", async () => {
    const rogue = startRoom("dc-9", {}, broker.foreignClient("dc-9"));
    await rogue.waitForOutput(/broker connection error/, 20_000);
    assert.match(rogue.output(), /unknown ca|certificate/i);
    assert.doesNotMatch(rogue.output(), /connected to the broker/);
    await stopRoom("dc-9");
    rooms.delete("dc-9");
    assert.doesNotMatch(hub.output(), /dc-9/);
    assert.ok(!groupTexts().some((t) => t.includes("dc-9")));
  });

  test("the broker restarted mid-run: everyone reconnects, no room is reported silent", async () => {
    await broker.restart();
    await hub.waitForOutput(/connected to the broker mqtts:\/\/127\.0\.0\.1:\d+ again/, 20_000);
    for (const name of ["dc-1", "dc-2", "dc-3"])
      await rooms.get(name)?.waitForOutput(/connected to the broker mqtts:\/\/127\.0\.0\.1:\d+ again/, 20_000);
    // Longer than ROOM_SILENT_AFTER_SECONDS: heartbeats flow again, nobody went silent.
    await new Promise((r) => setTimeout(r, 9_000));
    assert.ok(!groupTexts().some((t) => /went silent/.test(t)), groupTexts().join("\n---\n"));
  });

  test("a room agent killed with kill -9: 'went silent' reaches the group, then its recovery", async () => {
    const dc2 = rooms.get("dc-2") as Running;
    dc2.child.kill("SIGKILL");
    await dc2.exited;
    const silent = await waitGroup(/Room dc-2 went silent/, 20_000);
    assert.match(silent, /connection dropped without a goodbye \(Last Will\)/);
    assert.match(silent, /Critical/i);
    // The hub keeps answering: it says which room did not answer in time.
    const all = await ask("/rooms");
    assert.match(all, /📍 dc-1\n/);
    assert.match(all, /📍 dc-3\n/);
    assert.match(all, /No answer within 5 s: dc-2\n🔴 dc-2: silent \(its connection dropped/);
    assert.match(await ask("/status dc-2"), /dc-2 did not answer within 5 s\.\n🔴 dc-2: silent/);
    startRoom("dc-2");
    await waitGroup(/Room dc-2 is heard again/, 30_000);
    // Only dc-2 went silent.
    assert.deepEqual(
      groupTexts()
        .filter((t) => /went silent/.test(t))
        .map((t) => /Room (\S+) went silent/.exec(t)?.[1]),
      ["dc-2"],
    );
  });

  test("the broker down for 60 s while rooms raise alerts: all delivered afterwards, none lost, duplicates counted; the hub's own 'lost the broker' alert and its recovery", async () => {
    const before = groupTexts().length;
    await broker.stop();
    const downAt = Date.now();
    // Meanwhile rooms raise alerts: each restarted with a band the room is far outside (a
    // critical temperature alert at its first reading), then again with the normal band (its
    // recovery). dc-1 and dc-3 report to the main group; dc-4, new to the site, has a group of
    // its own (ROOM_CHAT_IDS) and its first words ever reach the hub after the outage.
    const hotThenNormal = async (name: string) => {
      if (rooms.has(name)) await stopRoom(name);
      const hot = startRoom(name, {
        TEMP_RANGE: "0..5",
        TEMP_CRITICAL_RANGE: "-10..10",
        ALERT_MIN_DURATION_SECONDS: "0",
      });
      await hot.waitForOutput(/incident raised|"rule":"climate\.temperature"/, 30_000);
      await stopRoom(name);
      const normal = startRoom(name);
      await normal.waitForOutput(/"kind":"recovered"|incident resolved/, 30_000);
    };
    const raising = Promise.all(ALERTING.map(hotThenNormal));
    // The hub tells the main group itself, through Telegram, while the broker is still down.
    const lost = await waitGroup(
      /has not reached the site's broker mqtts:\/\/127\.0\.0\.1:\d+ for \d+ seconds/,
      30_000,
    );
    const lostAfterMs = Date.now() - downAt;
    assert.ok(!broker.running(), "announced during the outage");
    assert.match(lost, /CRITICAL · hq/i);
    assert.match(lost, /Last error: connect ECONNREFUSED 127\.0\.0\.1:\d+/);
    await raising;
    // A room that was left alone says so in its log, once.
    await rooms.get("dc-2")?.waitForOutput(/this room has not reached the broker/, 20_000);
    const wait = 60_000 - (Date.now() - downAt);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await broker.start();
    const outageMs = Date.now() - downAt;
    assert.ok(outageMs >= 60_000, `the broker was down ${outageMs} ms`);

    await waitGroup(/The hub reaches the broker mqtts:\/\/127\.0\.0\.1:\d+ again \(after 1 min\)/, 30_000);
    const rows = (file: string, sql: string) => {
      const d = new Database(file, { readonly: true, fileMustExist: true });
      try {
        return d.prepare(sql).all() as Array<Record<string, unknown>>;
      } finally {
        d.close();
      }
    };
    const db = (name: string) => join(dataDirs.get(name) as string, "seroma.db");
    const report: string[] = [];
    for (const name of ALERTING) {
      // None lost: every notice the room queued for the hub was acknowledged by the broker
      // and taken by the hub.
      const deadline = Date.now() + 45_000;
      let pending = -1;
      let sent: string[] = [];
      while (Date.now() < deadline) {
        const all = rows(db(name), "SELECT ref, delivered_at FROM outbox WHERE channel = 'hub' ORDER BY id");
        pending = all.filter((r) => r.delivered_at === null).length;
        sent = all.map((r) => String(r.ref));
        if (pending === 0) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(pending, 0, `${name}'s outbox holds nothing for the hub any more`);
      const taken = new Set(
        [...logged(hub, "alert from a room queued"), ...logged(hub, "duplicate alert from a room dropped")]
          .filter((e) => e.room === name)
          .map((e) => String(e.id)),
      );
      assert.deepEqual(
        sent.filter((id) => !taken.has(id)),
        [],
        `every notice ${name} sent is at the hub`,
      );
      const queued = logged(hub, "alert from a room queued").filter((e) => e.room === name);
      const kinds = queued.map((e) => `${e.kind}${e.rule ? ` ${e.rule}` : ""}`);
      // At least: started (before the outage; not dc-4, new), raised, started (after; the hot
      // run may stop before its own), recovered.
      assert.ok(sent.length >= (name === "dc-4" ? 3 : 4), `${name}: ${sent.length}: ${kinds.join(", ")}`);
      assert.ok(
        kinds.includes("raised climate.temperature") && kinds.includes("recovered climate.temperature"),
        `${name}: ${kinds.join(", ")}`,
      );
      assert.equal(queued.length, sent.length, `${name}: each once in the hub's outbox`);
      const duplicates = logged(hub, "duplicate alert from a room dropped").filter((e) => e.room === name).length;
      report.push(`${name}: ${sent.length} notices sent to the hub, all taken, ${duplicates} duplicates dropped`);
    }
    // The hub delivered them all: dc-1's and dc-3's to the main group, dc-4's to its own.
    const hubDb = join(base, "hub", "seroma.db");
    const deadline = Date.now() + 60_000;
    let undelivered: Array<Record<string, unknown>> = [];
    while (Date.now() < deadline) {
      undelivered = rows(hubDb, "SELECT channel, notice FROM outbox WHERE delivered_at IS NULL");
      if (undelivered.length === 0) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.deepEqual(undelivered, [], "the hub's outbox is empty");
    // Each room's notices went to its staff group: dc-1's and dc-3's to the main one, dc-4's
    // to its own (cards or digests: each outbox entry's ref is the message that carried it).
    const hubRows = rows(hubDb, "SELECT channel, notice, ref FROM outbox").map((r) => ({
      channel: String(r.channel),
      room: (JSON.parse(String(r.notice)) as { roomId: string }).roomId,
      ref: Number(r.ref),
    }));
    const groupIds = (chat: number) => new Set(api.messages(chat).map((m) => m.message_id));
    for (const [room, channel, chat] of [
      ["dc-1", "telegram", GROUP],
      ["dc-3", "telegram", GROUP],
      ["dc-4", "telegram:dc-4", ROOM_GROUP],
    ] as const) {
      const own = hubRows.filter((r) => r.room === room);
      assert.ok(own.length >= 3, `${room}: ${own.length} notices at the hub`);
      assert.deepEqual([...new Set(own.map((r) => r.channel))], [channel], `${room}: ${channel} only`);
      const ids = groupIds(chat);
      assert.deepEqual(
        own.filter((r) => !ids.has(r.ref)),
        [],
        `${room}: every notice is a message in its group`,
      );
    }
    assert.doesNotMatch(groupTexts().join("\n"), /dc-4/, "nothing of dc-4 in the main group");
    const ownText = api
      .messages(ROOM_GROUP)
      .map((m) => m.text ?? m.caption ?? "")
      .join("\n---\n");
    assert.match(ownText, /Seroma started · dc-4/);
    assert.match(ownText, /CRITICAL · dc-4\nTemperature is high/);
    assert.match(ownText, /Recovered · dc-4\nTemperature is back/);
    const after = groupTexts().slice(before).join("\n---\n");
    for (const name of ["dc-1", "dc-3"]) assert.ok(after.includes(name), `${name} in the main group after the outage`);
    process.stdout.write(
      `# broker down ${(outageMs / 1000).toFixed(1)} s; the hub's alert after ${(lostAfterMs / 1000).toFixed(1)} s; ${report.join("; ")}; duplicates dropped by the hub in all: ${logged(hub, "duplicate alert from a room dropped").length}\n`,
    );
  });
});
