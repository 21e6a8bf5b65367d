/**
 * The room agent and the hub's link against a real mosquitto on 127.0.0.1 (TLS, client
 * certificates, the site's ACL): presence (online, heartbeat, offline on a clean stop),
 * alerts delivered only once the broker acknowledged them, "unreachable" while the broker is
 * down and a reconnection that says so, the ACL (a room cannot speak for another, nor read
 * another's commands), and a certificate from another CA refused.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Socket } from "node:net";
import { after, before, describe, mock, test } from "node:test";
import mqtt from "mqtt";
import { connectBroker } from "../../../channels/mqtt/connection.ts";
import { createHubLink } from "../../../channels/mqtt/hub-link.ts";
import { alertMessageId, createRoomAgent, HUB_CHANNEL } from "../../../channels/mqtt/room-agent.ts";
import type { OutboxEntryLike } from "../../../core/alerts/dispatcher.ts";
import { silentLogger } from "../../../core/logger.ts";
import type { RoomAlertMessage, RoomStatusMessage } from "../../../core/rooms/topics.ts";
import { captureLogs } from "../../support/log-capture.ts";
import { HUB_CN, type Mosquitto, mosquittoMissing, startMosquitto } from "../../support/mosquitto.ts";

const PREFIX = "seroma/test";

const until = async (cond: () => boolean, ms = 10_000, what = "condition") => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what}: not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

const entry = (id: number): OutboxEntryLike => ({
  id,
  channel: HUB_CHANNEL,
  createdAt: 1_000 + id,
  attempts: 0,
  notice: {
    kind: "raised",
    roomId: "dc-1",
    severity: "critical",
    rule: "climate.temperature",
    incidentId: `inc-${id}`,
    at: 1_000 + id,
    details: { value: 31.5, unit: "°C", quantity: "temperature", direction: "high", limit: 30 },
  },
});

describe("room agent and hub link over a real broker", { skip: mosquittoMissing }, () => {
  let broker: Mosquitto;
  before(async () => {
    broker = await startMosquitto({ prefix: PREFIX });
  });
  after(async () => {
    await broker?.close();
  });

  test("presence, acknowledged alerts, a broker outage, a clean stop", async () => {
    const statuses: Array<{ room: string; m: RoomStatusMessage }> = [];
    const beats: string[] = [];
    const alerts: Array<{ room: string; m: RoomAlertMessage }> = [];
    const hubLogs = captureLogs();
    const hub = createHubLink({
      broker: { url: broker.url, ...broker.client(HUB_CN) },
      prefix: PREFIX,
      clientId: "seroma-hub-test",
      logger: hubLogs.logger,
      reconnectMs: 200,
      handlers: {
        status: (room, m) => statuses.push({ room, m }),
        heartbeat: (room) => beats.push(room),
        alert: async (room, m) => {
          alerts.push({ room, m });
        },
      },
    });
    const logs = captureLogs();
    const agent = createRoomAgent({
      broker: { url: broker.url, ...broker.client("dc-1") },
      prefix: PREFIX,
      roomId: "dc-1",
      heartbeatMs: 200,
      logger: logs.logger,
      publishTimeoutMs: 2_000,
      reconnectMs: 200,
    });
    let connections = 0;
    try {
      await hub.start();
      await until(() => hub.connected(), 10_000, "hub connected");
      // Before it is connected, the channel says the broker cannot be reached.
      const early = await agent.hubChannel.deliver(entry(1), 0);
      assert.deepEqual(early.ok, false);
      assert.equal(!early.ok && early.unreachable, true);
      await agent.start({ onConnected: () => connections++, openIncidents: () => 2 });
      await until(() => connections === 1, 10_000, "agent connected");
      await until(() => statuses.some((s) => s.room === "dc-1" && s.m.state === "online"), 5_000, "online");
      await until(() => beats.filter((r) => r === "dc-1").length >= 2, 5_000, "heartbeats");

      const sent = await agent.hubChannel.deliver(entry(1), 0);
      assert.deepEqual(sent, { ok: true, ref: alertMessageId("dc-1", entry(1)) });
      await until(() => alerts.length === 1, 5_000, "alert received");
      assert.equal(alerts[0]?.room, "dc-1");
      assert.equal(alerts[0]?.m.id, "dc-1:1:1001");
      assert.deepEqual(alerts[0]?.m.notice, entry(1).notice);

      // The broker goes away: the channel says unreachable (the outbox holds the alert).
      await broker.stop();
      await until(() => !agent.connected(), 5_000, "agent sees the outage");
      const during = await agent.hubChannel.deliver(entry(2), 0);
      assert.equal(during.ok, false);
      assert.equal(!during.ok && during.unreachable && during.retryable, true);
      await broker.start();
      await until(() => connections === 2, 15_000, "agent reconnected (onConnected again)");
      await until(() => hub.connected(), 15_000, "hub reconnected");
      assert.deepEqual((await agent.hubChannel.deliver(entry(2), 0)).ok, true);
      await until(() => alerts.some((a) => a.m.id === "dc-1:2:1002"), 5_000, "alert after the outage");
      assert.equal(
        logs.messages("warn").filter((m) => m.startsWith("lost the broker")).length,
        1,
        "one warning per outage",
      );

      // A clean stop: "offline, stopped" (retained), no Last Will.
      await agent.stop();
      await until(
        () => statuses.some((s) => s.room === "dc-1" && s.m.state === "offline" && s.m.reason === "stopped"),
        5_000,
        "offline (stopped)",
      );
    } finally {
      await agent.stop();
      await hub.stop();
    }
  });

  test("an alert leaves the room only once the hub confirmed it: a broker with no hub session yet loses nothing", async () => {
    // A broker of its own: no hub has ever subscribed there, so it accepts (PUBACK) and drops.
    const site = await startMosquitto({ prefix: PREFIX });
    const received: string[] = [];
    const hubLogs = captureLogs();
    const hub = createHubLink({
      broker: { url: site.url, ...site.client(HUB_CN) },
      prefix: PREFIX,
      clientId: "seroma-hub-late",
      logger: hubLogs.logger,
      reconnectMs: 200,
      handlers: {
        status: () => {},
        heartbeat: () => {},
        alert: async (_room, m) => {
          received.push(m.id);
        },
      },
    });
    const agent = createRoomAgent({
      broker: { url: site.url, ...site.client("dc-1") },
      prefix: PREFIX,
      roomId: "dc-1",
      heartbeatMs: 500,
      logger: captureLogs().logger,
      hubAckTimeoutMs: 500,
      reconnectMs: 200,
    });
    let heard = 0;
    try {
      await agent.start({ onHubHeard: () => heard++ });
      await until(() => agent.connected(), 10_000, "agent connected");
      const first = await agent.hubChannel.deliver(entry(5), 0);
      assert.equal(first.ok, false, "the broker took it, but no hub confirmed it: the outbox keeps it");
      assert.equal(!first.ok && first.unreachable && first.retryable, true);
      assert.match(!first.ok ? first.error : "", /the hub did not confirm it within 1 s/);
      assert.deepEqual(received, []);

      await hub.start();
      await until(
        () => hubLogs.messages("info").some((m) => m.startsWith("subscribed to every room")),
        10_000,
        "hub subscribed",
      );
      const second = await agent.hubChannel.deliver(entry(5), 0);
      assert.deepEqual(second, { ok: true, ref: alertMessageId("dc-1", entry(5)) });
      assert.deepEqual(received, ["dc-1:5:1005"]);
      assert.ok(heard >= 1, "the room was told the hub is there");
      // A retry of what the hub confirmed is done at once, not sent again.
      assert.deepEqual((await agent.hubChannel.deliver(entry(5), 0)).ok, true);
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(received, ["dc-1:5:1005"]);
    } finally {
      await agent.stop();
      await hub.stop();
      await site.close();
    }
  });

  test("the ACL: a room cannot write as another room nor read another's commands; a foreign CA is refused", async () => {
    const connectAs = (files: { caFile: string; certFile: string; keyFile: string }, clientId: string) =>
      mqtt.connect(broker.url, {
        ca: readFileSync(files.caFile),
        cert: readFileSync(files.certFile),
        key: readFileSync(files.keyFile),
        clientId,
        reconnectPeriod: 0,
      });
    const hub = connectAs(broker.client(HUB_CN), "acl-hub");
    const room1 = connectAs(broker.client("dc-1"), "acl-dc-1");
    const got: string[] = [];
    const room1Got: string[] = [];
    try {
      await Promise.all([hub, room1].map((c) => new Promise((r, j) => c.once("connect", r).once("error", j))));
      await hub.subscribeAsync(`${PREFIX}/rooms/#`, { qos: 1 });
      hub.on("message", (topic) => got.push(topic));
      await room1.subscribeAsync(`${PREFIX}/commands/#`, { qos: 1 });
      room1.on("message", (topic) => room1Got.push(topic));
      // dc-1 pretends to be dc-2, then writes a command: both dropped by the broker.
      await room1.publishAsync(`${PREFIX}/rooms/dc-2/alerts`, "{}", { qos: 1 });
      await room1.publishAsync(`${PREFIX}/commands/dc-2`, "{}", { qos: 1 });
      // The hub writes commands to dc-1 and dc-2: dc-1 reads only its own.
      await hub.publishAsync(`${PREFIX}/commands/dc-2`, "{}", { qos: 1 });
      await hub.publishAsync(`${PREFIX}/commands/dc-1`, "{}", { qos: 1 });
      // And its own topic works.
      await room1.publishAsync(`${PREFIX}/rooms/dc-1/heartbeat`, '{"at":1,"seq":1}', { qos: 1 });
      await until(() => got.includes(`${PREFIX}/rooms/dc-1/heartbeat`), 5_000, "own topic delivered");
      await until(() => room1Got.includes(`${PREFIX}/commands/dc-1`), 5_000, "own command delivered");
      assert.deepEqual(
        got.filter((t) => !t.includes("/dc-1/")),
        [],
        "nothing as dc-2 (dc-1's retained status may come too)",
      );
      assert.deepEqual(room1Got, [`${PREFIX}/commands/dc-1`], "not dc-2's command");
    } finally {
      await hub.endAsync(true);
      await room1.endAsync(true);
    }

    // A certificate from another CA: the TLS handshake fails; the agent keeps trying and logs it once.
    const logs = captureLogs();
    const agent = createRoomAgent({
      broker: { url: broker.url, ...broker.foreignClient("dc-9") },
      prefix: PREFIX,
      roomId: "dc-9",
      heartbeatMs: 200,
      logger: logs.logger,
      reconnectMs: 100,
    });
    try {
      await agent.start({});
      await until(() => logs.messages("error").includes("broker connection error"), 10_000, "refused");
      await new Promise((r) => setTimeout(r, 500)); // several refused tries
      assert.equal(agent.connected(), false);
      assert.equal(logs.messages("error").length, 1, "the same refusal is logged once");
      assert.match(JSON.stringify(logs.entries), /unknown ca|certificate/i);
      assert.equal((await agent.hubChannel.deliver(entry(3), 0)).ok, false);
    } finally {
      await agent.stop();
    }
  });

  test("link(): down since it was made or lost, with the latest error; nothing once connected", async () => {
    const agent = createRoomAgent({
      broker: { url: broker.url, ...broker.client("dc-2") },
      prefix: PREFIX,
      roomId: "dc-2",
      heartbeatMs: 200,
      logger: captureLogs().logger,
      reconnectMs: 100,
    });
    try {
      assert.deepEqual(agent.link(), { connected: false }, "not started");
      const startedAt = Date.now();
      await agent.start({});
      const first = agent.link();
      if (!first.connected) assert.ok((first.downSince ?? 0) >= startedAt, "down since it was made");
      await until(() => agent.link().connected, 10_000, "connected");
      assert.deepEqual(agent.link(), { connected: true });
      await broker.stop();
      const lostAt = Date.now();
      await until(() => agent.link().lastError !== undefined, 5_000, "a connection error");
      const down = agent.link();
      assert.equal(down.connected, false);
      assert.ok(down.downSince !== undefined && down.downSince <= Date.now() && down.downSince >= lostAt - 1_000);
      assert.match(down.lastError ?? "", /ECONNREFUSED/);
      await broker.start();
      await until(() => agent.link().connected, 15_000, "connected again");
      assert.deepEqual(agent.link(), { connected: true }, "the outage and its error are forgotten");
    } finally {
      await agent.stop();
    }
  });

  test("every connection sends small packets at once (TCP_NODELAY), a reconnection too", async () => {
    // With Nagle's algorithm on, a room's answer written right after its PUBACK waited for the
    // broker's delayed ACK: ~40 ms on every command round trip (bench: rooms-scale).
    const calls: Array<{ socket: unknown; on: unknown }> = [];
    const spy = mock.method(Socket.prototype, "setNoDelay", function (this: Socket, on?: boolean) {
      calls.push({ socket: this, on });
      return this;
    });
    const client = await connectBroker({
      broker: { url: broker.url, ...broker.client("dc-7") },
      clientId: "seroma-nodelay-test",
      logger: silentLogger,
      reconnectMs: 200,
    });
    try {
      await until(() => client.connected, 10_000, "connected");
      const first = client.stream;
      assert.ok(
        calls.some((c) => c.socket === first && c.on === true),
        "TCP_NODELAY on the first connection",
      );
      await broker.restart();
      await until(() => client.connected && client.stream !== first, 15_000, "reconnected");
      const second = client.stream;
      assert.ok(
        calls.some((c) => c.socket === second && c.on === true),
        "TCP_NODELAY on the reconnection",
      );
    } finally {
      spy.mock.restore();
      await client.endAsync(true);
    }
  });
});
