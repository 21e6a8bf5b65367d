/**
 * The console's log as a person or a program reads it, through the real process:
 *  - under systemd's journal (JOURNAL_STREAM names its stdout): one line per entry, each
 *    starting with its syslog priority, so `journalctl -p err` works; local mode's address
 *    as a notice of its own;
 *  - piped (not the journal): JSON lines on stdout, the address on stderr;
 *  - on a terminal: readable lines (time, level, message, fields), the address bold.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { startLocalBotApi } from "../../local/bot-api/server.ts";
import { localPageUrl, type Running, startConsole } from "../support/console-process.ts";

/** Runs the console with JOURNAL_STREAM set to its own stdout's device:inode, as systemd does for StandardOutput=journal. */
const UNDER_JOURNAL = ["sh", "-c", 'JOURNAL_STREAM="$(stat -L -c %d:%i /proc/$$/fd/1)" exec "$@"', "sh"];

function dataDir(): string {
  return join(mkdtempSync(join(tmpdir(), "seroma-logs-")), "data");
}

/** stdout and stderr apart (startConsole's output() has both). */
function streams(run: Running): { stdout: () => string; stderr: () => string } {
  let out = "";
  let err = "";
  run.child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  run.child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  return { stdout: () => out, stderr: () => err };
}

function lines(text: string): string[] {
  return text.split("\n").filter((l) => l !== "");
}

describe("log output of the console process", () => {
  test("under the journal: every line starts with its priority; info <6>, warnings <4>; no JSON", async () => {
    const api = await startLocalBotApi();
    const deadRoot = api.apiRoot;
    await api.close();
    const run = startConsole(
      {
        TELEGRAM_BOT_TOKEN: "5000000001:AAHlocalTestTokenForSeroma-0123456789",
        TELEGRAM_API_ROOT: deadRoot,
        ADMIN_IDS: "77",
        DATA_DIR: dataDir(),
        HARDWARE: "sim",
        LOG_LEVEL: "info",
      },
      { wrap: UNDER_JOURNAL },
    );
    const io = streams(run);
    try {
      await run.waitForOutput(/cannot reach Telegram yet; retrying/);
      run.child.kill("SIGTERM");
      assert.equal((await run.exited).code, 0, run.output());
      const out = lines(io.stdout());
      for (const line of out) assert.match(line, /^<[0-7]>[^<{]/, `a journal line: ${line}`);
      assert.ok(out.some((l) => /^<6>hardware: climate sensor = sim/.test(l)));
      assert.ok(out.some((l) => /^<6>reading stored {2}.*\bt=[\d.]+ rh=[\d.]+/.test(l)));
      assert.ok(out.some((l) => /^<4>cannot reach Telegram yet; retrying {2}attempt=1 /.test(l)));
      assert.ok(out.some((l) => /^<6>stopped cleanly$/.test(l)));
    } finally {
      run.child.kill("SIGKILL");
    }
  });

  test("under the journal: a refused token is <2> (journalctl -p err shows it)", async () => {
    const api = await startLocalBotApi({ token: "5000000001:AAHlocalTestTokenForSeroma-0123456789" });
    const run = startConsole(
      {
        TELEGRAM_BOT_TOKEN: "5000000001:AAHsomeOtherTokenThatIsWrong-000000",
        TELEGRAM_API_ROOT: api.apiRoot,
        ADMIN_IDS: "77",
        DATA_DIR: dataDir(),
        HARDWARE: "sim",
      },
      { wrap: UNDER_JOURNAL },
    );
    const io = streams(run);
    try {
      assert.equal((await run.exited).code, 1);
      assert.ok(
        lines(io.stdout()).some((l) => /^<[0-3]>Telegram refused TELEGRAM_BOT_TOKEN/.test(l)),
        io.stdout(),
      );
    } finally {
      run.child.kill("SIGKILL");
      await api.close();
    }
  });

  test("local mode under the journal: the page's address is a notice line of its own", async () => {
    const run = startConsole({ DATA_DIR: dataDir(), HARDWARE: "sim", LOG_LEVEL: "info" }, { wrap: UNDER_JOURNAL });
    const io = streams(run);
    try {
      const url = await localPageUrl(run);
      assert.ok(lines(io.stdout()).includes(`<5>Open ${url.href}`), io.stdout());
      run.child.kill("SIGTERM");
      assert.equal((await run.exited).code, 0, run.output());
    } finally {
      run.child.kill("SIGKILL");
    }
  });

  test("piped: JSON lines on stdout, local mode's address apart on stderr", async () => {
    const run = startConsole({ DATA_DIR: dataDir(), HARDWARE: "sim", LOG_LEVEL: "info" });
    const io = streams(run);
    try {
      const url = await localPageUrl(run);
      assert.match(io.stderr(), new RegExp(`^ {2}Open ${url.href.replace(/[?.]/g, "\\$&")}$`, "m"));
      await run.waitForOutput(/reading stored/);
      run.child.kill("SIGTERM");
      assert.equal((await run.exited).code, 0, run.output());
      const out = lines(io.stdout());
      assert.ok(out.length > 5);
      for (const line of out) {
        const entry = JSON.parse(line) as { level: number; msg: string };
        assert.equal(typeof entry.level, "number");
        assert.equal(typeof entry.msg, "string");
      }
    } finally {
      run.child.kill("SIGKILL");
    }
  });

  test("JOURNAL_STREAM inherited but stdout redirected elsewhere: JSON, not journal lines", async () => {
    const run = startConsole({
      DATA_DIR: dataDir(),
      HARDWARE: "sim",
      LOG_LEVEL: "info",
      JOURNAL_STREAM: "8:12345",
    });
    const io = streams(run);
    try {
      await run.waitForOutput(/reading stored/);
      run.child.kill("SIGTERM");
      assert.equal((await run.exited).code, 0, run.output());
      for (const line of lines(io.stdout())) assert.doesNotThrow(() => JSON.parse(line), line);
    } finally {
      run.child.kill("SIGKILL");
    }
  });

  const haveScript = spawnSync("script", ["--version"]).status === 0;
  test("on a terminal: time, level, message and fields; the page's address underlined", {
    skip: haveScript ? false : "util-linux's script (a terminal for the process) is not installed",
  }, async () => {
    // script(1) gives the console a pseudo-terminal as stdout and copies what it shows.
    const run = startConsole(
      { DATA_DIR: dataDir(), HARDWARE: "sim", LOG_LEVEL: "info", TERM: "xterm" },
      { wrap: ["sh", "-c", 'exec script -qfec "$*" /dev/null', "sh"] },
    );
    try {
      await run.waitForOutput(/Open \S*http:\/\/127\.0\.0\.1:\d+\/\?token=/);
      await run.waitForOutput(/reading stored/);
      run.child.kill("SIGTERM");
      await run.exited;
      const plain = run.output().replace(/\r/g, "");
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the terminal's colour codes are the point
      assert.match(plain, /^\d\d:\d\d:\d\d\.\d{3} \x1b\[32mINFO \x1b\[0m reading stored {2}\x1b\[2m.*\bt=[\d.]+ rh=/m);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: as above
      assert.match(plain, /Open \x1b\[1;4mhttp:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+\x1b\[0m/);
      assert.doesNotMatch(plain, /^\{"level"/m);
    } finally {
      run.child.kill("SIGKILL");
    }
  });
});
