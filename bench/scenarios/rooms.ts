/**
 * Several rooms, one hub (issue 17), over a real mosquitto on 127.0.0.1 (TLS, client
 * certificates, the site's ACL):
 *  - alert latency: an event in a room (an unknown card at its door) -> the room's outbox ->
 *    MQTT (QoS 1) -> the hub's outbox -> the hub's sendMessage at the Bot API. The room and
 *    the hub are the product's wiring in this process (group pacing off: it is a deliberate
 *    delay, measured elsewhere);
 *  - death to alert: a room agent (`node main.ts`, a real process) killed with kill -9 ->
 *    the hub's "room went silent" at the Bot API, with the default settings (the Last Will
 *    counts once it stands 10 s).
 */

import { createRoomAgent, HUB_CHANNEL } from "../../channels/mqtt/room-agent.ts";
import { silentLogger } from "../../core/logger.ts";
import type { RecordedMessage } from "../../local/bot-api/server.ts";
import { STAFF_GROUP, startConsoleHarness } from "../../test/support/console-harness.ts";
import { startConsole } from "../../test/support/console-process.ts";
import { HUB_CN, startMosquitto } from "../../test/support/mosquitto.ts";
import { type Metric, summarize } from "../stats.ts";

const PREFIX = "seroma/bench";

export async function roomsBench(opts: { alerts: number; deaths: number }): Promise<Metric[]> {
  const broker = await startMosquitto({ prefix: PREFIX });
  const mqttEnv = (files: { caFile: string; certFile: string; keyFile: string }) => ({
    MQTT_URL: broker.url,
    MQTT_CA_FILE: files.caFile,
    MQTT_CERT_FILE: files.certFile,
    MQTT_KEY_FILE: files.keyFile,
    MQTT_TOPIC_PREFIX: PREFIX,
  });
  const hub = await startConsoleHarness({
    env: { ROLE: "hub", ROOM_ID: "hq", ...mqttEnv(broker.client(HUB_CN)) },
    pacing: { perWindow: 1_000_000, windowMs: 1, minGapMs: 0 },
  });
  // The hub's link: the harness wires it as main.ts does (on real time).
  if (!hub.site) throw new Error("no site link");
  const waitGroup = (re: RegExp, timeoutMs: number) =>
    new Promise<RecordedMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no ${re} within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = hub.api.onBotMessage((m) => {
        if (m.chat_id === STAFF_GROUP.id && re.test(m.text ?? "")) {
          clearTimeout(timer);
          off();
          resolve(m);
        }
      });
    });
  const metrics: Metric[] = [];
  try {
    // 1. Alert latency, room event -> hub's Bot API call.
    const agent = createRoomAgent({
      broker: { url: broker.url, ...broker.client("dc-1") },
      prefix: PREFIX,
      roomId: "dc-1",
      heartbeatMs: 30_000,
      logger: silentLogger,
    });
    const room = await startConsoleHarness({ env: { ROOM_ID: "dc-1" }, channels: [agent.hubChannel] });
    try {
      let connected!: () => void;
      const up = new Promise<void>((r) => {
        connected = r;
      });
      await agent.start({
        onConnected: () => {
          room.alerts.reachable([HUB_CHANNEL]);
          connected();
        },
      });
      await up;
      await waitGroup(/Seroma started · dc-1|dc-1/, 15_000).catch(() => undefined); // warm: the path is open
      const samples: number[] = [];
      for (let i = 0; i < opts.alerts; i++) {
        const mark = `#${i}#`; // in the alert's time field: one alert each
        const arrived = waitGroup(new RegExp(mark), 10_000);
        const t0 = performance.now();
        await room.alerts.engine.raiseEvent(
          "door.unknown-card",
          "warning",
          { uid: "04A1B2C3", name: "", time: mark },
          room.clock.now().getTime(),
        );
        await arrived;
        samples.push(performance.now() - t0);
      }
      const s = summarize(samples.slice(5));
      metrics.push(
        { scenario: "rooms", metric: "room alerts sent through the hub", value: samples.length, unit: "" },
        { scenario: "rooms", metric: "room event -> hub's Bot API call p50", value: s.p50, unit: "ms" },
        { scenario: "rooms", metric: "room event -> hub's Bot API call p99", value: s.p99, unit: "ms" },
      );
    } finally {
      await agent.stop();
      await room.stop();
    }

    // 2. Death (kill -9) -> "went silent" at the hub's Bot API, default settings.
    const deaths: number[] = [];
    for (let i = 0; i < opts.deaths; i++) {
      const name = `dc-${i + 2}`;
      const run = startConsole({
        ROOM_ID: name,
        DATA_DIR: `${broker.dir}/${name}`,
        HARDWARE: "sim",
        LOG_LEVEL: "info",
        BACKUP_AT: "off",
        ...mqttEnv(broker.client(name)),
      });
      try {
        await waitGroup(new RegExp(`Seroma started · ${name}`), 30_000);
        const silent = waitGroup(new RegExp(`Room ${name} went silent`), 60_000);
        const t0 = performance.now();
        run.child.kill("SIGKILL");
        await silent;
        deaths.push(performance.now() - t0);
      } finally {
        run.child.kill("SIGKILL");
        await run.exited;
      }
    }
    const d = summarize(deaths);
    metrics.push(
      { scenario: "rooms", metric: "room deaths (kill -9)", value: deaths.length, unit: "" },
      { scenario: "rooms", metric: "death -> silent-room alert at Bot API p50", value: d.p50 / 1000, unit: "s" },
      {
        scenario: "rooms",
        metric: "death -> silent-room alert at Bot API max",
        value: Math.max(...deaths) / 1000,
        unit: "s",
        target: { op: "<", value: 120 },
      },
    );
    return metrics;
  } finally {
    await hub.stop();
    await broker.close();
  }
}
