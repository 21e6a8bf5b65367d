/**
 * The dashboard in the real process (`node main.ts`, local mode): it starts after the room
 * and says where; a WEB_PORT another program holds stops the console with one line; WEB=off
 * starts none.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { startConsole } from "../support/console-process.ts";

const dataDir = () => join(mkdtempSync(join(tmpdir(), "seroma-web-main-")), "data");

describe("the dashboard in main.ts", { timeout: 120_000 }, () => {
  test("local mode: the dashboard starts, its address is logged, and it answers there", async () => {
    const run = startConsole({ DATA_DIR: dataDir(), HARDWARE: "sim" });
    try {
      await run.waitForOutput(/dashboard at http:\/\/127\.0\.0\.1:\d+/, 60_000);
      const url = /dashboard at (http:\/\/127\.0\.0\.1:\d+)/.exec(run.output())?.[1];
      const me = await fetch(`${url}/api/me`);
      assert.equal(me.status, 401);
      assert.equal(((await me.json()) as { code: string }).code, "login-needed");
      const page = await fetch(`${url}/`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<html/);
      await run.waitForOutput(/Open http:/, 60_000);
      run.child.kill("SIGTERM");
      assert.deepEqual(await run.exited, { code: 0, signal: null }, run.output());
      assert.ok((await fetch(`${url}/api/me`).catch(() => undefined)) === undefined, "closed at shutdown");
    } finally {
      run.child.kill("SIGKILL");
    }
  });

  test("WEB_PORT taken by another program: exit 1, one line naming the address, the variables and the fix", async () => {
    const other: Server = createServer();
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    const port = (other.address() as { port: number }).port;
    const run = startConsole({ DATA_DIR: dataDir(), HARDWARE: "sim", WEB_PORT: String(port) });
    try {
      assert.deepEqual(await run.exited, { code: 1, signal: null }, run.output());
      const line = new RegExp(
        `^Seroma cannot start: 127\\.0\\.0\\.1:${port} \\(WEB_HOST:WEB_PORT\\) is already in use by another program; stop it or set WEB_PORT to a free port\\.$`,
      );
      const lines = run
        .output()
        .split("\n")
        .filter((l) => line.test(l));
      assert.equal(lines.length, 1, run.output());
      assert.doesNotMatch(run.output(), /^\s+at /m, "no stack trace");
    } finally {
      run.child.kill("SIGKILL");
      await new Promise((resolve) => other.close(resolve));
    }
  });

  test("WEB=off: no dashboard", async () => {
    const run = startConsole({ DATA_DIR: dataDir(), HARDWARE: "sim", WEB: "off" });
    try {
      await run.waitForOutput(/Open http:/, 60_000);
      assert.doesNotMatch(run.output(), /dashboard at/);
    } finally {
      run.child.kill("SIGKILL");
    }
  });
});
