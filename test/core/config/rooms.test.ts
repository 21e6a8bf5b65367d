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
