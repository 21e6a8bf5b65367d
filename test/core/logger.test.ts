/** How a log entry is written: for the journal (a syslog priority a line) and for a terminal. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatLogEntry } from "../../core/logger.ts";

describe("log entry formats", () => {
  const entry = {
    level: 50,
    time: Date.UTC(2026, 0, 2, 3, 4, 5, 6),
    pid: 1,
    hostname: "pi",
    app: "seroma",
    msg: "sending failed\nsecond line",
    channel: "telegram",
    attempt: 3,
    err: { type: "Error", message: "socket hang up", stack: "Error: socket hang up\n    at x" },
    note: "two words",
  };

  test("journal: the syslog priority of each level, one line whatever the message holds", () => {
    const line = formatLogEntry(entry, "journal");
    assert.equal(
      line,
      '<3>sending failed\\nsecond line  channel=telegram attempt=3 err="socket hang up" note="two words"\n',
    );
    const priority = (level: number) => formatLogEntry({ level, msg: "m" }, "journal").slice(0, 3);
    assert.deepEqual([10, 20, 30, 40, 50, 60].map(priority), ["<7>", "<7>", "<6>", "<4>", "<3>", "<2>"]);
  });

  test("pretty: local time, level, message, fields; colours only when asked", () => {
    const line = formatLogEntry({ ...entry, level: 40, msg: "slow" }, "pretty");
    assert.match(line, /^\d\d:\d\d:\d\d\.\d{3} WARN {2}slow {2}channel=telegram attempt=3 err="socket hang up"/);
    assert.equal(line.includes("\x1b"), false, "no colour codes");
    assert.ok(formatLogEntry({ level: 30, msg: "m" }, "pretty", true).includes("\x1b[32mINFO"));
  });
});
