/**
 * The heartbeat against a real HTTP server on 127.0.0.1 standing in for the push monitor:
 * it is called at start and periodically while the room is healthy, never while it is not,
 * a dead or failing monitor never hurts the room (failures logged once, not per call), and
 * the push token never reaches the log.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, test } from "node:test";
import { createHeartbeatJob, redactUrl } from "../../jobs/heartbeat-job.ts";
import { captureLogs } from "../support/log-capture.ts";

const SECRET = "6f1c2a9e-push-token-secret";

interface Monitor {
  url: string;
  hits: string[];
  status: number;
  /** Never answers (a hung monitor). */
  hang: boolean;
  close(): Promise<void>;
}

async function startMonitor(): Promise<Monitor> {
  const hits: string[] = [];
  const m = { hits, status: 200, hang: false } as Monitor;
  const server: Server = createServer((req, res) => {
    hits.push(req.url ?? "");
    if (m.hang) return; // never answers
    res.writeHead(m.status, { "content-type": "text/plain" }).end("OK");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  m.url = `http://127.0.0.1:${port}/api/push/${SECRET}?status=up&msg=OK`;
  m.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return m;
}

const until = async (cond: () => boolean, ms = 5_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe("heartbeat job", () => {
  test("calls the monitor at start and then every period, only while healthy", async () => {
    const monitor = await startMonitor();
    const logs = captureLogs();
    let healthy = true;
    const job = createHeartbeatJob({
      url: monitor.url,
      everyMs: 100,
      timeoutMs: 5_000,
      healthy: () => healthy,
      logger: logs.logger,
    });
    try {
      await job.start();
      await until(() => monitor.hits.length >= 3);
      assert.equal(monitor.hits[0], `/api/push/${SECRET}?status=up&msg=OK`, "the URL as given, query included");
      // Not healthy (stopping, the pipeline down): the monitor hears nothing.
      healthy = false;
      await new Promise((r) => setTimeout(r, 150)); // a call in flight may land
      const seen = monitor.hits.length;
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(monitor.hits.length, seen, "no call while unhealthy");
      assert.equal(await job.beatNow(), undefined);
      healthy = true;
      await until(() => monitor.hits.length > seen);
      await job.stop();
      const stopped = monitor.hits.length;
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(monitor.hits.length, stopped, "no call after stop");
    } finally {
      await job.stop();
      await monitor.close();
    }
    assert.deepEqual(logs.messages("warn"), []);
    assert.ok(!JSON.stringify(logs.entries).includes(SECRET), "the push token is never logged");
    assert.match(JSON.stringify(logs.entries), /http:\/\/127\.0\.0\.1:\d+\/…/);
  });

  test("a dead, failing or hung monitor: the room carries on; failures logged once, then the recovery", async () => {
    const monitor = await startMonitor();
    const logs = captureLogs();
    const job = createHeartbeatJob({
      url: monitor.url,
      everyMs: 50,
      timeoutMs: 100,
      healthy: () => true,
      logger: logs.logger,
    });
    try {
      // Error statuses.
      monitor.status = 503;
      assert.equal(await job.beatNow(), false);
      // Hung: the timeout ends the call.
      monitor.hang = true;
      assert.equal(await job.beatNow(), false);
      monitor.hang = false;
      // Gone entirely: connection refused.
      const url = monitor.url;
      await monitor.close();
      await job.start();
      await new Promise((r) => setTimeout(r, 400)); // ~8 failed periods
      assert.equal(await job.beatNow(), false);
      await job.stop();
      const warns = logs.entries.filter((e) => e.level === "warn");
      assert.equal(warns.length, 1, `one warning for a run of failures, got ${JSON.stringify(warns)}`);
      assert.equal(warns[0]?.reason, "HTTP 503");
      // Back: the next call works and says so, once.
      const again = await startMonitor();
      const job2 = createHeartbeatJob({
        url: again.url,
        everyMs: 60_000,
        healthy: () => true,
        logger: logs.logger,
      });
      try {
        again.status = 500;
        assert.equal(await job2.beatNow(), false);
        again.status = 200;
        assert.equal(await job2.beatNow(), true);
        assert.ok(logs.messages("info").includes("heartbeat monitor calls work again"));
      } finally {
        await job2.stop();
        await again.close();
      }
      assert.ok(!url.includes("…"));
    } finally {
      await job.stop();
    }
    assert.ok(!JSON.stringify(logs.entries).includes(SECRET), "the push token is never logged, even in errors");
  });

  test("a failure that lasts is logged again, at most every logEveryMs", async () => {
    const logs = captureLogs();
    const job = createHeartbeatJob({
      url: `http://127.0.0.1:1/ping/${SECRET}`,
      everyMs: 20,
      healthy: () => true,
      logger: logs.logger,
      logEveryMs: 150,
    });
    const warns = () => logs.entries.filter((e) => e.level === "warn");
    await job.start();
    await until(() => warns().length >= 2);
    await job.stop();
    const last = warns().at(-1);
    assert.equal(last?.msg, "heartbeat monitor calls still failing");
    // Calls every 20 ms, a log line at most every 150 ms: far fewer lines than failures.
    assert.ok(Number(last?.failures) >= 3 * warns().length, `rate-limited: ${JSON.stringify(warns())}`);
    assert.ok(!JSON.stringify(logs.entries).includes(SECRET));
  });

  test("redactUrl keeps scheme, host and port only", () => {
    assert.equal(redactUrl("https://hc-ping.com/0b7c-uuid?x=1"), "https://hc-ping.com/…");
    assert.equal(redactUrl("http://kuma.lan:3001/api/push/abc?status=up"), "http://kuma.lan:3001/…");
    assert.equal(redactUrl("https://user:pw@example.com/x"), "https://example.com/…");
    assert.equal(redactUrl("not a url"), "(invalid URL)");
  });
});
