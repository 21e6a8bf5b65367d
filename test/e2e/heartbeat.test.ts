/**
 * HEARTBEAT_URL in the real process: `node main.ts` calls a push monitor on 127.0.0.1 once
 * the room is up and every HEARTBEAT_SECONDS, never logs its secret path, and stops calling
 * when it shuts down; a monitor that is down does not keep the console from running.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { startConsole } from "../support/console-process.ts";

const SECRET = "b1946ac9-heartbeat-secret";

describe("heartbeat (the console process)", () => {
  test("the monitor is called while the room is up, without its secret in the log", async () => {
    const hits: number[] = [];
    const server = createServer((_req, res) => {
      hits.push(Date.now());
      res.end("OK");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    const run = startConsole({
      DATA_DIR: join(mkdtempSync(join(tmpdir(), "seroma-hb-")), "data"),
      HARDWARE: "sim",
      HEARTBEAT_URL: `http://127.0.0.1:${port}/api/push/${SECRET}?status=up`,
      HEARTBEAT_SECONDS: "1",
      LOG_LEVEL: "info",
    });
    try {
      await run.waitForOutput(/heartbeat to http:\/\/127\.0\.0\.1:\d+\/… every 1 s/);
      const deadline = Date.now() + 20_000;
      while (hits.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.ok(hits.length >= 3, `called at start and every second (${hits.length} calls)`);
      // The monitor goes away: the console carries on and says so once.
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await run.waitForOutput(/heartbeat monitor call failed; the room carries on/);
      run.child.kill("SIGTERM");
      const { code } = await run.exited;
      assert.equal(code, 0, run.output());
      assert.equal(run.output().match(/heartbeat monitor call failed/g)?.length, 1, "logged once, not per call");
      assert.ok(!run.output().includes(SECRET), "the push token is never logged");
    } finally {
      run.child.kill("SIGKILL");
      server.close();
    }
  });
});
