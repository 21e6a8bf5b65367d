/** The settings of several rooms: the heartbeat monitor (and, below, the MQTT transport). */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseConfig } from "../../../core/config.ts";

describe("heartbeat settings", () => {
  test("off by default; HEARTBEAT_URL with its period", () => {
    const off = parseConfig({});
    assert.ok(off.ok);
    assert.equal(off.config.heartbeat, undefined);
    const on = parseConfig({ HEARTBEAT_URL: "https://hc-ping.com/abc-uuid" });
    assert.ok(on.ok);
    assert.deepEqual(on.config.heartbeat, { url: "https://hc-ping.com/abc-uuid", everyMs: 60_000 });
    const fast = parseConfig({ HEARTBEAT_URL: "http://kuma.lan:3001/api/push/x?status=up", HEARTBEAT_SECONDS: "15" });
    assert.ok(fast.ok);
    assert.equal(fast.config.heartbeat?.everyMs, 15_000);
  });

  test("bad values are named", () => {
    const r = parseConfig({ HEARTBEAT_URL: "ftp://x/y", HEARTBEAT_SECONDS: "0" });
    assert.ok(!r.ok);
    assert.ok(
      r.errors.some((e) => e.startsWith("HEARTBEAT_URL: must be an http(s) URL")),
      r.errors.join("\n"),
    );
    assert.ok(
      r.errors.some((e) => e.startsWith("HEARTBEAT_SECONDS:")),
      r.errors.join("\n"),
    );
  });
});

describe("several rooms: ROLE and the MQTT link", () => {
  const files = {
    MQTT_CA_FILE: "/etc/seroma/ca.crt",
    MQTT_CERT_FILE: "/etc/seroma/room.crt",
    MQTT_KEY_FILE: "/etc/seroma/room.key",
  };

  test("default: one room, no broker", () => {
    const r = parseConfig({});
    assert.ok(r.ok);
    assert.equal(r.config.role, "room");
    assert.equal(r.config.mqtt, undefined);
  });

  test("a room agent: MQTT_URL with its certificate; defaults for prefix, heartbeat and silence", () => {
    const r = parseConfig({ MQTT_URL: "mqtts://broker.lan:8883", ROOM_ID: "dc-1", ...files });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
    assert.equal(r.config.role, "room");
    assert.deepEqual(r.config.mqtt, {
      url: "mqtts://broker.lan:8883",
      caFile: "/etc/seroma/ca.crt",
      certFile: "/etc/seroma/room.crt",
      keyFile: "/etc/seroma/room.key",
      prefix: "seroma/site",
      heartbeatMs: 30_000,
      silentAfterMs: 120_000,
    });
    const aws = parseConfig({
      MQTT_URL: "mqtts://abc123-ats.iot.eu-central-1.amazonaws.com:8883",
      MQTT_CERT_FILE: "c.pem",
      MQTT_KEY_FILE: "k.pem",
      MQTT_TOPIC_PREFIX: "seroma/berlin",
    });
    assert.ok(aws.ok);
    assert.equal(aws.config.mqtt?.caFile, undefined, "the CA is optional (AWS IoT's is in Node's trust store)");
    assert.equal(aws.config.mqtt?.prefix, "seroma/berlin");
  });

  test("a hub needs the broker and a bot token; values are checked", () => {
    const r = parseConfig({ ROLE: "hub" });
    assert.ok(!r.ok);
    assert.ok(
      r.errors.some((e) => e.startsWith("MQTT_URL: required with ROLE=hub")),
      r.errors.join("\n"),
    );
    assert.ok(
      r.errors.some((e) => e.startsWith("TELEGRAM_BOT_TOKEN: required with ROLE=hub")),
      r.errors.join("\n"),
    );
    const bad = parseConfig({
      ROLE: "both",
      MQTT_URL: "mqtt://broker.lan:1883",
      MQTT_TOPIC_PREFIX: "seroma/#",
      ROOM_SILENT_AFTER_SECONDS: "1",
    });
    assert.ok(!bad.ok);
    for (const v of ["ROLE", "MQTT_URL", "MQTT_TOPIC_PREFIX", "ROOM_SILENT_AFTER_SECONDS"])
      assert.ok(
        bad.errors.some((e) => e.startsWith(`${v}:`)),
        `${v} named in ${bad.errors.join("\n")}`,
      );
    const noCert = parseConfig({ MQTT_URL: "mqtts://broker.lan" });
    assert.ok(!noCert.ok);
    assert.ok(noCert.errors.some((e) => e.startsWith("MQTT_CERT_FILE: required")));
    assert.ok(noCert.errors.some((e) => e.startsWith("MQTT_KEY_FILE: required")));
    const tooEager = parseConfig({
      MQTT_URL: "mqtts://broker.lan",
      ...files,
      MQTT_HEARTBEAT_SECONDS: "30",
      ROOM_SILENT_AFTER_SECONDS: "45",
    });
    assert.ok(!tooEager.ok);
    assert.ok(tooEager.errors.some((e) => e.includes("at least twice MQTT_HEARTBEAT_SECONDS")));
  });
});
