/**
 * The console under systemd (Type=notify, WatchdogSec=): the real process sends READY=1 once it
 * serves (the bot polls, or local mode's page answers), WATCHDOG=1 at half the interval, and
 * STOPPING=1 when it shuts down, through systemd's own systemd-notify program to the socket
 * named by NOTIFY_SOCKET: a path, or an abstract `@name`. A Python listener plays systemd's side.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { startLocalBotApi } from "../../local/bot-api/server.ts";
import { startConsole } from "../support/console-process.ts";
import { python3, startNotifySocket } from "../support/notify-socket.ts";

const haveNotify = spawnSync("systemd-notify", ["--version"]).status === 0;
const skip = !haveNotify
  ? "systemd-notify is not installed (package systemd)"
  : !python3()
    ? "python3 is not installed (it plays systemd's notification socket)"
    : false;

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "seroma-notify-"));
}

describe("sd_notify from the console process", { skip }, () => {
  test("local mode, abstract socket: READY=1 when the page answers, watchdog pings, STOPPING=1 on SIGTERM", async () => {
    const sock = await startNotifySocket(`@seroma-test-${process.pid}-${Date.now()}`);
    assert.ok(sock);
    const run = startConsole({
      DATA_DIR: join(tempDir(), "data"),
      HARDWARE: "sim",
      LOG_LEVEL: "info",
      NOTIFY_SOCKET: sock.address,
      WATCHDOG_USEC: "1000000",
    });
    try {
      const ready = await sock.waitFor((m) => m.fields.READY === "1", 30_000);
      const origin = /the page is at (http:\/\/127\.0\.0\.1:\d+)/.exec(ready.fields.STATUS ?? "")?.[1];
      assert.ok(origin, `STATUS names the page: ${ready.message}`);
      // Ready means serving: the page answers (401 without the session token).
      const res = await fetch(origin);
      assert.equal(res.status, 401);
      // Pings at half of WatchdogSec (1 s): a few arrive while it idles.
      const pingsBefore = sock.messages.filter((m) => m.fields.WATCHDOG === "1").length;
      await sock.waitFor(
        () => sock.messages.filter((m) => m.fields.WATCHDOG === "1").length >= pingsBefore + 2,
        10_000,
      );
      run.child.kill("SIGTERM");
      const { code } = await run.exited;
      assert.equal(code, 0, run.output());
      const stopping = sock.messages.findIndex((m) => m.fields.STOPPING === "1");
      assert.ok(stopping >= 0, `STOPPING=1 sent: ${JSON.stringify(sock.messages.map((m) => m.message))}`);
      assert.match(sock.messages[stopping]?.fields.STATUS ?? "", /stopping \(SIGTERM\)/);
      assert.equal(sock.messages.filter((m) => m.fields.READY === "1").length, 1, "READY=1 once");
      assert.ok(
        sock.messages.findIndex((m) => m.fields.READY === "1") < stopping,
        "READY before STOPPING, in the order sent",
      );
      assert.ok(!sock.messages.slice(stopping + 1).some((m) => m.fields.WATCHDOG === "1"), "no pings after STOPPING=1");
    } finally {
      run.child.kill("SIGKILL");
      await sock.close();
    }
  });

  test("with a token, socket path: READY=1 with the bot's name once it polls", async () => {
    const dir = tempDir();
    const sock = await startNotifySocket(join(dir, "notify.sock"));
    assert.ok(sock);
    const api = await startLocalBotApi({ token: "5000000001:AAHlocalTestTokenForSeroma-0123456789" });
    const run = startConsole({
      TELEGRAM_BOT_TOKEN: api.token,
      TELEGRAM_API_ROOT: api.apiRoot,
      ADMIN_IDS: "77",
      DATA_DIR: join(dir, "data"),
      HARDWARE: "sim",
      LOG_LEVEL: "info",
      NOTIFY_SOCKET: sock.address,
    });
    try {
      const ready = await sock.waitFor((m) => m.fields.READY === "1", 30_000);
      assert.match(ready.fields.STATUS ?? "", /^polling as @\w+/);
      await run.waitForOutput(/is polling/);
      assert.equal(
        sock.messages.some((m) => m.fields.WATCHDOG === "1"),
        false,
        "no watchdog pings without WATCHDOG_USEC",
      );
      run.child.kill("SIGTERM");
      assert.equal((await run.exited).code, 0, run.output());
      await sock.waitFor((m) => m.fields.STOPPING === "1", 5_000);
    } finally {
      run.child.kill("SIGKILL");
      await sock.close();
      await api.close();
    }
  });

  test("Telegram unreachable at boot: READY=1 anyway (the room runs), the status says why", async () => {
    const dir = tempDir();
    const sock = await startNotifySocket(join(dir, "notify.sock"));
    assert.ok(sock);
    const api = await startLocalBotApi();
    const deadRoot = api.apiRoot;
    await api.close();
    const run = startConsole({
      TELEGRAM_BOT_TOKEN: "5000000001:AAHlocalTestTokenForSeroma-0123456789",
      TELEGRAM_API_ROOT: deadRoot,
      ADMIN_IDS: "77",
      DATA_DIR: join(dir, "data"),
      HARDWARE: "sim",
      NOTIFY_SOCKET: sock.address,
    });
    try {
      const ready = await sock.waitFor((m) => m.fields.READY === "1", 30_000);
      assert.match(ready.fields.STATUS ?? "", /Telegram not reachable yet \(attempt 1\), retrying/);
      run.child.kill("SIGTERM");
      assert.equal((await run.exited).code, 0, run.output());
    } finally {
      run.child.kill("SIGKILL");
      await sock.close();
    }
  });
});
