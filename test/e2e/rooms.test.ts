/**
 * Several rooms, one bot, as real processes: a real mosquitto on 127.0.0.1 (TLS, client
 * certificates, the site's ACL), a hub and three room agents as `node main.ts`, and the
 * local Bot API server the hub's bot talks to. Each room's start-up notice reaches the staff
 * group naming its room; the broker restarted mid-run; a room agent killed with kill -9 (its
 * Last Will: "room went silent" reaches the Bot API, then its recovery when it is back); the
 * broker down while a room raises alerts (all delivered afterwards, none lost, duplicates
 * counted); a room with a certificate from another CA refused.
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

const PREFIX = "seroma/e2e";
const GROUP = -100777;
const TOKEN = "5000000017:AAHlocalTestTokenForSeromaRooms-0123";

function mqttEnv(broker: Mosquitto, files: ClientFiles): Record<string, string> {
  return {
    MQTT_URL: broker.url,
    MQTT_CA_FILE: files.caFile,
    MQTT_CERT_FILE: files.certFile,
    MQTT_KEY_FILE: files.keyFile,
    MQTT_TOPIC_PREFIX: PREFIX,
    // Shortened for the test (defaults 30 s and 120 s); the behaviour is the same.
    MQTT_HEARTBEAT_SECONDS: "1",
    ROOM_SILENT_AFTER_SECONDS: "8",
  };
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
      ...mqttEnv(broker, files),
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
    hub = startConsole({
      ROLE: "hub",
      ROOM_ID: "hq",
      TELEGRAM_BOT_TOKEN: api.token,
      TELEGRAM_API_ROOT: api.apiRoot,
      ADMIN_IDS: "77",
      STAFF_CHAT_ID: String(GROUP),
      DATA_DIR: join(base, "hub"),
      HARDWARE: "sim",
      LOG_LEVEL: "info",
      BACKUP_AT: "off",
      WEB: "off",
      ...mqttEnv(broker, broker.client(HUB_CN)),
    });
    // The hub's first subscription creates its session at the broker; from then on the
    // rooms' alerts wait there for it whenever it is away (a room would send again what no hub confirmed).
    await hub.waitForOutput(/subscribed to every room's status, heartbeat and alerts/, 30_000);
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

  test("the broker down while a room raises alerts: all delivered afterwards, none lost, duplicates counted", async () => {
    await broker.stop();
    // dc-3 raises alerts meanwhile: restarted with a band the room is far outside (a critical
    // temperature alert at its first reading), then again with the normal band (its recovery).
    await stopRoom("dc-3");
    const hot = startRoom("dc-3", {
      TEMP_RANGE: "0..5",
      TEMP_CRITICAL_RANGE: "-10..10",
      ALERT_MIN_DURATION_SECONDS: "0",
    });
    await hot.waitForOutput(/incident raised|"rule":"climate\.temperature"/, 30_000);
    await stopRoom("dc-3");
    const normal = startRoom("dc-3");
    await normal.waitForOutput(/"kind":"recovered"|incident resolved/, 30_000);
    await broker.start();

    await waitGroup(/Seroma started · dc-3[\s\S]*/, 30_000);
    await waitGroup(/dc-3[\s\S]*[Tt]emperature/, 60_000);
    await waitGroup(/Recovered · dc-3/, 60_000);
    // None lost: every notice dc-3 queued for the hub was acknowledged by the broker and
    // taken by the hub.
    const db = join(dataDirs.get("dc-3") as string, "seroma.db");
    const deadline = Date.now() + 30_000;
    let pending = -1;
    let sent: string[] = [];
    while (Date.now() < deadline) {
      const d = new Database(db, { readonly: true, fileMustExist: true });
      try {
        pending = (
          d.prepare("SELECT count(*) AS n FROM outbox WHERE channel = 'hub' AND delivered_at IS NULL").get() as {
            n: number;
          }
        ).n;
        sent = (
          d.prepare("SELECT ref FROM outbox WHERE channel = 'hub' ORDER BY id").all() as Array<{ ref: string }>
        ).map((r) => r.ref);
      } finally {
        d.close();
      }
      if (pending === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(pending, 0, "dc-3's outbox holds nothing for the hub any more");
    const taken = new Set(
      [...logged(hub, "alert from a room queued"), ...logged(hub, "duplicate alert from a room dropped")]
        .filter((e) => e.room === "dc-3")
        .map((e) => String(e.id)),
    );
    const lost = sent.filter((id) => !taken.has(id));
    assert.deepEqual(lost, [], "every notice dc-3 sent is at the hub");
    // At least: started (before), raised, started (after; the hot run may stop before its own), recovered.
    const kinds = logged(hub, "alert from a room queued")
      .filter((e) => e.room === "dc-3")
      .map((e) => `${e.kind}${e.rule ? ` ${e.rule}` : ""}`);
    assert.ok(sent.length >= 4, `${sent.length}: ${kinds.join(", ")}`);
    assert.ok(
      kinds.includes("raised climate.temperature") && kinds.includes("recovered climate.temperature"),
      kinds.join(", "),
    );
    const duplicates = logged(hub, "duplicate alert from a room dropped").length;
    const queued = logged(hub, "alert from a room queued").filter((e) => e.room === "dc-3").length;
    assert.equal(queued, sent.length, "each once in the hub's outbox");
    process.stdout.write(
      `# dc-3: ${sent.length} notices held and delivered; duplicates dropped by the hub: ${duplicates}\n`,
    );
  });
});
