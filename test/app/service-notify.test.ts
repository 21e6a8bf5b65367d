/**
 * The service notifier on its own (app/service-notify.ts): the watchdog period, the variables
 * taken out of the environment children inherit, a notifier program that cannot run. The
 * console process under systemd's notification socket is tested in test/e2e/service-notify.test.ts.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { createServiceNotifier, watchdogInterval } from "../../app/service-notify.ts";
import { createLogger } from "../../core/logger.ts";

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "seroma-notify-"));
}

describe("the notifier", () => {
  test("the watchdog period is half of WATCHDOG_USEC, for this process only", () => {
    assert.equal(watchdogInterval({ WATCHDOG_USEC: "30000000" }, 42), 15_000);
    assert.equal(watchdogInterval({ WATCHDOG_USEC: "30000000", WATCHDOG_PID: "42" }, 42), 15_000);
    assert.equal(watchdogInterval({ WATCHDOG_USEC: "30000000", WATCHDOG_PID: "41" }, 42), undefined);
    assert.equal(watchdogInterval({}, 42), undefined);
    assert.equal(watchdogInterval({ WATCHDOG_USEC: "0" }, 42), undefined);
    assert.equal(watchdogInterval({ WATCHDOG_USEC: "soon" }, 42), undefined);
  });

  test("takes NOTIFY_SOCKET and the watchdog variables out of the environment children inherit", async () => {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      NOTIFY_SOCKET: "@nobody-listens",
      WATCHDOG_USEC: "60000000",
      WATCHDOG_PID: String(process.pid),
      KEEP: "1",
    };
    const notifier = createServiceNotifier({ env, command: "true" });
    assert.equal(notifier.enabled, true);
    assert.equal(notifier.watchdogIntervalMs, 30_000);
    assert.deepEqual(env, { PATH: process.env.PATH, KEEP: "1" });
    await notifier.close();
    const off = createServiceNotifier({ env: {} });
    assert.equal(off.enabled, false);
  });

  test("a notifier program that cannot run is reported once, and nothing breaks", async () => {
    const lines: string[] = [];
    const sink = { write: (l: string) => lines.push(l) } as unknown as NodeJS.WritableStream;
    const notifier = createServiceNotifier({
      env: { NOTIFY_SOCKET: "/run/nothing.sock", PATH: "" },
      command: join(tempDir(), "no-such-systemd-notify"),
      logger: createLogger("warn", sink),
    });
    notifier.ready("up");
    notifier.status("still up");
    notifier.stopping("down");
    await notifier.close();
    assert.equal(lines.length, 1, lines.join(""));
    assert.match(lines[0] ?? "", /cannot notify the service manager/);
  });
});
