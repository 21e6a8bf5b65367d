/**
 * Several rooms, one hub (issue 17), at scale, over a real mosquitto on 127.0.0.1 (TLS,
 * client certificates, the site's ACL):
 *
 *  1. Command round trip hub -> room -> hub on loopback: the hub's RoomsService (the
 *     product's createSiteLink with ROLE=hub, wired by the console harness in this
 *     process) asking rooms that are real processes (`node main.ts`, ROLE=room,
 *     HARDWARE=sim) for their status: from
 *     `rooms.status(room)` called to its result, one command at a time, round robin over
 *     the rooms; then `rooms.statusAll()` over all of them. Every command is sent to the
 *     room over MQTT (QoS 1), answered by the room's own status answer (its latest reading,
 *     its open incidents), and correlated by id at the hub.
 *
 *  2. Many rooms on one hub: the hub as a real process (`node main.ts`, ROLE=hub, its bot
 *     against a local Bot API server in this process, Telegram's group pacing as the product
 *     has it: 20 a minute), and `rooms` room agents simulated in this process (the product's
 *     createRoomAgent each, each with its own client certificate, a heartbeat every
 *     `heartbeatSeconds`, answering `status` with a small synthetic answer). For
 *     `loadSeconds` the site raises `alertsPerSecond` alerts in all (round robin over the
 *     rooms, each through its agent's hubChannel.deliver with a synthetic outbox entry: what
 *     a room's dispatcher does), while /rooms is sent to the hub's bot every few seconds
 *     (the statusAll of every room, timed from the update queued to the bot's reply at the
 *     Bot API). Measured: the hub process's RSS (before, peak sampled every 500 ms, after)
 *     and CPU over the window; mosquitto's RSS; and that the hub's silence watch, set
 *     tighter than the default (ROOM_SILENT_AFTER_SECONDS = 3 heartbeats), flags no room.
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRoomAgent, type RoomAgent } from "../../channels/mqtt/room-agent.ts";
import type { OutboxEntryLike } from "../../core/alerts/dispatcher.ts";
import { silentLogger } from "../../core/logger.ts";
import type { RoomAnswer, RoomCommand } from "../../core/rooms/commands.ts";
import { startLocalBotApi } from "../../local/bot-api/server.ts";
import { startConsoleHarness } from "../../test/support/console-harness.ts";
import { NODE_STRIPS_TYPES, type Running, startConsole, stopConsole } from "../../test/support/console-process.ts";
import { HUB_CN, type Mosquitto, startMosquitto } from "../../test/support/mosquitto.ts";
import { type Metric, summarize } from "../stats.ts";
import { CLK_TCK, cpuTicks, procStatus, rssOf } from "../support/proc.ts";

const PREFIX = "seroma/bench";
const SCENARIO = "rooms-scale";
const TOKEN = "5000000001:AAHlocalTestTokenForSeroma-0123456789";
const ADMIN = { id: 77, first_name: "Ada", language_code: "en" };
const GROUP = { id: -100_999, type: "supergroup" as const, title: "Staff" };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function mqttEnv(broker: Mosquitto, cn: string): Record<string, string> {
  const files = broker.client(cn);
  return {
    MQTT_URL: broker.url,
    MQTT_CA_FILE: files.caFile,
    MQTT_CERT_FILE: files.certFile,
    MQTT_KEY_FILE: files.keyFile,
    MQTT_TOPIC_PREFIX: PREFIX,
  };
}

/** The broker's process (found by its configuration file, which lives in its directory). */
function mosquittoPid(broker: Mosquitto): number | undefined {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(join(broker.dir, "mosquitto.conf")))
        return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

async function until(what: string, probe: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(50);
  }
}

const count = (text: string, re: RegExp) => (text.match(new RegExp(re.source, "g")) ?? []).length;

/** 1. hub -> room -> hub, the hub's RoomsService in this process, the rooms real processes. */
async function commandRoundTrip(
  broker: Mosquitto,
  opts: { rooms: number; commands: number; statusAlls: number },
): Promise<Metric[]> {
  const hub = await startConsoleHarness({
    env: { ROLE: "hub", ROOM_ID: "hq", ...mqttEnv(broker, HUB_CN) },
    pacing: { perWindow: 1_000_000, windowMs: 1, minGapMs: 0 },
  });
  // The hub's link (the product's createSiteLink): the harness wires it as main.ts does, on real time.
  const rooms = hub.site?.rooms;
  if (!rooms) throw new Error("no hub link");
  const names = Array.from({ length: opts.rooms }, (_, i) => `dc-${i + 1}`);
  const runs: Running[] = [];
  try {
    for (const name of names) {
      runs.push(
        startConsole({
          ROOM_ID: name,
          DATA_DIR: `${broker.dir}/${name}`,
          HARDWARE: "sim",
          LOG_LEVEL: "info",
          BACKUP_AT: "off",
          ...mqttEnv(broker, name),
        }),
      );
    }
    await Promise.all(runs.map((r) => r.waitForOutput(/room agent: reporting to the hub/, 30_000)));
    await until("the hub hears every room", () => rooms.list().length === names.length, 30_000);
    // Warm up (JIT on both sides, the rooms' first answers).
    for (let i = 0; i < 30; i++) {
      const r = await rooms.status(names[i % names.length] as string);
      if (!r.ok) throw new Error(`warm-up status failed: ${JSON.stringify(r)}`);
    }
    const one: number[] = [];
    let failed = 0;
    for (let i = 0; i < opts.commands; i++) {
      const t0 = performance.now();
      const r = await rooms.status(names[i % names.length] as string);
      one.push(performance.now() - t0);
      if (!r.ok) failed++;
    }
    const all: number[] = [];
    for (let i = 0; i < opts.statusAlls; i++) {
      const t0 = performance.now();
      const r = await rooms.statusAll();
      all.push(performance.now() - t0);
      if (r.answers.length !== names.length) failed++;
    }
    if (failed > 0) throw new Error(`${failed} status commands were not answered`);
    const s = summarize(one);
    const a = summarize(all);
    const how = `${opts.rooms} rooms as processes`;
    return [
      { scenario: SCENARIO, metric: `status commands hub -> room -> hub (${how}), all answered`, value: s.n, unit: "" },
      { scenario: SCENARIO, metric: "command round trip hub -> room -> hub p50", value: s.p50, unit: "ms" },
      { scenario: SCENARIO, metric: "command round trip hub -> room -> hub p99", value: s.p99, unit: "ms" },
      { scenario: SCENARIO, metric: "command round trip hub -> room -> hub max", value: s.max, unit: "ms" },
      {
        scenario: SCENARIO,
        metric: `statusAll() over ${opts.rooms} rooms p50 (${a.n} runs)`,
        value: a.p50,
        unit: "ms",
      },
      { scenario: SCENARIO, metric: `statusAll() over ${opts.rooms} rooms p99`, value: a.p99, unit: "ms" },
    ];
  } finally {
    await Promise.all(runs.map((r) => stopConsole(r)));
    await hub.stop();
  }
}

/** 2. One hub process, `rooms` simulated room agents, a steady stream of alerts. */
async function manyRooms(
  broker: Mosquitto,
  opts: { rooms: number; heartbeatSeconds: number; alertsPerSecond: number; loadSeconds: number },
): Promise<Metric[]> {
  const metrics: Metric[] = [];
  const n = opts.rooms;
  const label = (what: string) => `${n} rooms (heartbeat ${opts.heartbeatSeconds} s): ${what}`;
  const api = await startLocalBotApi({ token: TOKEN });
  const silentAfter = 3 * opts.heartbeatSeconds;
  const hub = startConsole({
    ROLE: "hub",
    ROOM_ID: "hq",
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_API_ROOT: api.apiRoot,
    ADMIN_IDS: String(ADMIN.id),
    STAFF_CHAT_ID: String(GROUP.id),
    DATA_DIR: mkdtempSync(join(tmpdir(), "seroma-bench-hub-")),
    HARDWARE: "sim",
    LOG_LEVEL: "info",
    BACKUP_AT: "off",
    MQTT_HEARTBEAT_SECONDS: String(opts.heartbeatSeconds),
    ROOM_SILENT_AFTER_SECONDS: String(silentAfter),
    ...mqttEnv(broker, HUB_CN),
  });
  const agents: RoomAgent[] = [];
  try {
    await hub.waitForOutput(/is polling/, 30_000);
    const pid = hub.child.pid as number;
    await sleep(3_000); // its start-up tail
    const rssAlone = rssOf(pid);

    // Each room's client certificate (EC P-256 key, CSR, signed by the test CA: openssl twice).
    const names = Array.from({ length: n }, (_, i) => `room-${String(i + 1).padStart(2, "0")}`);
    const c0 = performance.now();
    for (const name of names) broker.client(name);
    const certMs = (performance.now() - c0) / n;

    /** A room's answer: to `status` a small synthetic one (the bench sends no other command). */
    const answer =
      (room: string) =>
      async (command: RoomCommand): Promise<RoomAnswer> => {
        if (command.name !== "status") throw new Error(`${command.name}: not simulated`);
        return {
          result: {
            kind: "status",
            status: {
              room,
              at: Date.now(),
              reading: { temperatureC: 22.5, humidityPct: 41, at: Date.now() - 30_000 },
              open: [],
            },
          },
        };
      };
    let connected = 0;
    const t0 = performance.now();
    for (const name of names) {
      const agent = createRoomAgent({
        broker: { url: broker.url, ...broker.client(name) },
        prefix: PREFIX,
        roomId: name,
        heartbeatMs: opts.heartbeatSeconds * 1000,
        logger: silentLogger,
      });
      agents.push(agent);
      let first = true;
      await agent.start({
        answer: answer(name),
        openIncidents: () => 0,
        onConnected: () => {
          if (first) connected++;
          first = false;
        },
      });
    }
    await until("every room agent connected", () => connected === n, 60_000);
    const connectMs = performance.now() - t0;

    const chat = { id: ADMIN.id, type: "private" as const };
    /** /rooms to the hub's bot: ms from the update queued to the reply, and how many rooms it listed. */
    const askRooms = async () => {
      const since = api.mark();
      const q = performance.now();
      api.sendMessage(ADMIN, chat, "/rooms");
      const reply = await api.waitForCall(
        "sendMessage",
        (c) => String(c.params.chat_id) === String(ADMIN.id) && /Rooms of the site/.test(String(c.params.text)),
        { since, timeoutMs: 30_000 },
      );
      const text = String(reply.params.text);
      const listed = Number(/Rooms of the site<\/b> \((\d+)\)/.exec(text)?.[1] ?? 0);
      return { ms: performance.now() - q, listed, noAnswer: /No answer within/.test(text) };
    };
    // The hub knows every room (their online status and first heartbeat arrived).
    const end = Date.now() + 30_000;
    for (;;) {
      const r = await askRooms();
      if (r.listed === n && !r.noAnswer) break;
      if (Date.now() > end) throw new Error(`the hub lists ${r.listed} of ${n} rooms`);
      await sleep(500);
    }
    await sleep(2_000); // settle

    const mosq = mosquittoPid(broker);
    const rssStart = rssOf(pid);
    const mosqStart = mosq ? rssOf(mosq) : Number.NaN;
    let rssPeak = rssStart;
    let mosqPeak = mosqStart;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, rssOf(pid));
      if (mosq) mosqPeak = Math.max(mosqPeak, rssOf(mosq));
    }, 500);
    const outputBefore = hub.output().length;
    const silentBefore = count(hub.output(), /went silent/);
    const ticks0 = cpuTicks(pid);
    const w0 = performance.now();

    // The alerts: a steady stream over the site, each room in turn.
    const total = Math.round(opts.alertsPerSecond * opts.loadSeconds);
    const gapMs = 1000 / opts.alertsPerSecond;
    const publishMs: number[] = [];
    let refused = 0;
    const alerting = (async () => {
      const deliveries: Promise<void>[] = [];
      for (let i = 0; i < total; i++) {
        const due = w0 + i * gapMs;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        const name = names[i % n] as string;
        const agent = agents[i % n] as RoomAgent;
        const at = Date.now();
        const entry: OutboxEntryLike = {
          id: i + 1,
          channel: "hub",
          notice: {
            kind: "raised",
            roomId: name,
            severity: "warning",
            rule: "door.unknown-card",
            at,
            details: { uid: "04A1B2C3", name: "", time: `#${i}#` },
          },
          createdAt: at,
          attempts: 0,
        };
        const p0 = performance.now();
        deliveries.push(
          agent.hubChannel.deliver(entry, 0).then((r) => {
            publishMs.push(performance.now() - p0);
            if (!r.ok) refused++;
          }),
        );
      }
      await Promise.all(deliveries);
    })();
    // /rooms every few seconds meanwhile (one at a time).
    const roomsMs: number[] = [];
    let roomsIncomplete = 0;
    while (performance.now() - w0 < opts.loadSeconds * 1000) {
      const r = await askRooms();
      roomsMs.push(r.ms);
      if (r.listed !== n || r.noAnswer) roomsIncomplete++;
      await sleep(4_000);
    }
    await alerting;
    const elapsed = (performance.now() - w0) / 1000;
    const cpuPct = ((cpuTicks(pid) - ticks0) / CLK_TCK / elapsed) * 100;
    clearInterval(sampler);
    const rssEnd = rssOf(pid);
    const hwm = (procStatus(pid).VmHWM ?? Number.NaN) * 1024;
    const mosqEnd = mosq ? rssOf(mosq) : Number.NaN;
    await sleep(1_000); // the last alerts' log lines
    const during = hub.output().slice(outputBefore);
    const queued = count(during, /alert from a room queued/);
    const silent = count(hub.output(), /went silent/) - silentBefore;
    const silentAtApi = api.messages(GROUP.id).filter((m) => m.from_bot && /went silent/.test(m.text ?? "")).length;
    const sentToGroup = api.messages(GROUP.id).filter((m) => m.from_bot && /#\d+#/.test(m.text ?? "")).length;
    if (refused > 0) throw new Error(`${refused} alerts were not confirmed by the hub`);
    if (silent > 0 || silentAtApi > 0) throw new Error(`the hub flagged ${silent} rooms as silent during the run`);
    if (roomsIncomplete > 0) throw new Error(`${roomsIncomplete} /rooms answers missed a room`);

    const mbOf = (b: number) => b / 1024 / 1024;
    const how = NODE_STRIPS_TYPES ? "node main.ts" : "node --import tsx main.ts";
    const r = summarize(roomsMs);
    const p = summarize(publishMs);
    metrics.push(
      {
        scenario: SCENARIO,
        metric: "client certificate per room (openssl: EC P-256 key + CSR, signed by the test CA)",
        value: certMs,
        unit: "ms",
      },
      {
        scenario: SCENARIO,
        metric: label("all room agents connected (TLS), from the first start"),
        value: connectMs,
        unit: "ms",
      },
      {
        scenario: SCENARIO,
        metric: label(`alerts raised in ${opts.loadSeconds} s, received by the hub (its log)`),
        value: queued,
        unit: `of ${total}`,
      },
      {
        scenario: SCENARIO,
        metric: label("alert deliver -> the hub's confirmation (in its outbox) p99"),
        value: p.p99,
        unit: "ms",
      },
      {
        scenario: SCENARIO,
        metric: label("alerts at the hub's Bot API in the window (group pacing 20/min)"),
        value: sentToGroup,
        unit: "",
      },
      {
        scenario: SCENARIO,
        metric: label(`rooms flagged silent by the hub (silent after ${silentAfter} s)`),
        value: silent,
        unit: "",
      },
      {
        scenario: SCENARIO,
        metric: `hub RSS, polling, no room connected yet (${how}, ${process.version})`,
        value: mbOf(rssAlone),
        unit: "MB",
      },
      {
        scenario: SCENARIO,
        metric: label("hub RSS, every room connected, before the load"),
        value: mbOf(rssStart),
        unit: "MB",
      },
      {
        scenario: SCENARIO,
        metric: label("hub RSS peak during the load (500 ms samples)"),
        value: mbOf(rssPeak),
        unit: "MB",
      },
      { scenario: SCENARIO, metric: label("hub RSS after the load"), value: mbOf(rssEnd), unit: "MB" },
      { scenario: SCENARIO, metric: label("hub VmHWM (peak since its start)"), value: mbOf(hwm), unit: "MB" },
      {
        scenario: SCENARIO,
        metric: label(
          `hub CPU over ${Math.round(elapsed)} s, ${opts.alertsPerSecond} alert/s + /rooms every ~4 s (% of one core)`,
        ),
        value: cpuPct,
        unit: "%",
      },
      {
        scenario: SCENARIO,
        metric: label(`/rooms -> reply, all ${n} rooms answered, p50 (${r.n} asks)`),
        value: r.p50,
        unit: "ms",
      },
      { scenario: SCENARIO, metric: label(`/rooms -> reply, all ${n} rooms answered, max`), value: r.max, unit: "ms" },
      { scenario: SCENARIO, metric: label("mosquitto RSS before the load"), value: mbOf(mosqStart), unit: "MB" },
      { scenario: SCENARIO, metric: label("mosquitto RSS peak"), value: mbOf(Math.max(mosqPeak, mosqEnd)), unit: "MB" },
    );
    return metrics;
  } finally {
    await Promise.all(agents.map((a) => a.stop()));
    await stopConsole(hub);
    await api.close();
  }
}

export async function roomsScaleBench(opts: {
  commandRooms: number;
  commands: number;
  statusAlls: number;
  rooms: number;
  heartbeatSeconds: number;
  alertsPerSecond: number;
  loadSeconds: number;
}): Promise<Metric[]> {
  // A broker each: the first part's rooms leave their retained "offline" behind.
  const withBroker = async (work: (broker: Mosquitto) => Promise<Metric[]>) => {
    const broker = await startMosquitto({ prefix: PREFIX });
    try {
      return await work(broker);
    } finally {
      await broker.close();
    }
  };
  const one = await withBroker((broker) =>
    commandRoundTrip(broker, { rooms: opts.commandRooms, commands: opts.commands, statusAlls: opts.statusAlls }),
  );
  const many = await withBroker((broker) => manyRooms(broker, opts));
  return [...one, ...many];
}
