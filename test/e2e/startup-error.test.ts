/**
 * An address the console cannot listen on stops it with one line that says what is wrong, where
 * (the address and the variables that set it) and how to fix it: exit code 1, no stack trace.
 * Through the real process (local mode's page); the wording of each kind of failure is tested
 * in test/core/startup-error.test.ts.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { type Running, startConsole } from "../support/console-process.ts";

/** Waits until the console exits or prints its page's address, whichever comes first. */
async function exitOrPage(run: Running): Promise<{ code: number | null } | "the page opened"> {
  const page = run.waitForOutput(/Open http:/, 60_000).then(
    () => "the page opened" as const,
    () => new Promise<never>(() => {}), // exited without a page: `exited` answers
  );
  return Promise.race([run.exited, page]);
}

function assertOneLineNoStack(output: string, line: RegExp): void {
  const matching = output.split("\n").filter((l) => line.test(l));
  assert.equal(matching.length, 1, `one line matching ${line} in:\n${output}`);
  assert.doesNotMatch(output, /^\s+at /m, "no stack trace");
  assert.doesNotMatch(output, /failed to start/);
}

function dataDir(): string {
  return join(mkdtempSync(join(tmpdir(), "seroma-startup-")), "data");
}

describe("start-up with an address that cannot be used", () => {
  test("LOCAL_UI_PORT taken by another program: exit 1, one line naming the address, the variables and the fix", async () => {
    const other: Server = createServer();
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    const port = (other.address() as { port: number }).port;
    const run = startConsole({ DATA_DIR: dataDir(), HARDWARE: "sim", LOCAL_UI_PORT: String(port) });
    try {
      assert.deepEqual(await exitOrPage(run), { code: 1, signal: null }, run.output());
      assertOneLineNoStack(
        run.output(),
        new RegExp(
          `^Seroma cannot start: 127\\.0\\.0\\.1:${port} \\(LOCAL_UI_HOST:LOCAL_UI_PORT\\) is already in use by another program; stop it or set LOCAL_UI_PORT to a free port\\.$`,
        ),
      );
    } finally {
      run.child.kill("SIGKILL");
      await new Promise((resolve) => other.close(resolve));
    }
  });

  test("LOCAL_UI_HOST not an address of this machine: exit 1, one line saying so and what to set", async () => {
    // 203.0.113.0/24 is TEST-NET-3: documentation only, assigned to no machine.
    const run = startConsole({ DATA_DIR: dataDir(), HARDWARE: "sim", LOCAL_UI_HOST: "203.0.113.7" });
    try {
      assert.deepEqual(await exitOrPage(run), { code: 1, signal: null }, run.output());
      assertOneLineNoStack(
        run.output(),
        /^Seroma cannot start: 203\.0\.113\.7 \(LOCAL_UI_HOST\) is not an address of this machine; set LOCAL_UI_HOST to one of its addresses, e\.g\. 127\.0\.0\.1\.$/,
      );
    } finally {
      run.child.kill("SIGKILL");
    }
  });
});
