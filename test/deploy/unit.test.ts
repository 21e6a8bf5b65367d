/**
 * deploy/seroma.service: what it promises (one node process on main.ts, Type=notify with a
 * watchdog, the service user and device groups, the state directory, restart policy), that
 * systemd accepts it (`systemd-analyze verify`), and how exposed it is
 * (`systemd-analyze security --offline=true`: at most 2.0, "OK"; 9.2 "UNSAFE" before).
 * Both tools run without systemd running; where they are not installed, those tests skip.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";

const UNIT = fileURLToPath(new URL("../../deploy/seroma.service", import.meta.url));
const text = readFileSync(UNIT, "utf8");
const analyze = spawnSync("systemd-analyze", ["--version"]).status === 0;
const skip = analyze ? false : "systemd-analyze is not installed (apt-get install systemd)";

/** Every value of `key` in the unit. */
function values(key: string): string[] {
  return [...text.matchAll(new RegExp(`^${key}=(.*)$`, "gm"))].map((m) => (m[1] ?? "").trim());
}

/** The unit in a temp dir, its node the one running these tests (verify wants an executable that exists). */
function unitCopy(): string {
  const file = join(mkdtempSync(join(tmpdir(), "seroma-unit-")), "seroma.service");
  writeFileSync(file, text.replace(/^ExecStart=\/usr\/bin\/node /m, `ExecStart=${process.execPath} `));
  return file;
}

describe("deploy/seroma.service", () => {
  test("one node process running main.ts, as seroma with the device groups, state in /var/lib/seroma", () => {
    assert.deepEqual(values("ExecStart"), ["/usr/bin/node --max-semi-space-size=1 /opt/seroma/main.ts"]);
    assert.deepEqual(values("WorkingDirectory"), ["/opt/seroma"]);
    assert.deepEqual(values("User"), ["seroma"]);
    assert.deepEqual(values("Group"), ["seroma"]);
    assert.deepEqual(values("SupplementaryGroups"), ["gpio i2c spi video"]);
    assert.deepEqual(values("StateDirectory"), ["seroma"]);
    assert.deepEqual(values("EnvironmentFile"), ["/etc/seroma/seroma.env"]);
  });

  test("Type=notify with a watchdog, restarts on failure within a start limit, stops gracefully", () => {
    assert.deepEqual(values("Type"), ["notify"]);
    assert.deepEqual(values("NotifyAccess"), ["all"]);
    assert.deepEqual(values("WatchdogSec"), ["60s"]);
    assert.deepEqual(values("Restart"), ["on-failure"]);
    assert.deepEqual(values("RestartSec"), ["5s"]);
    assert.deepEqual(values("StartLimitBurst"), ["5"]);
    assert.deepEqual(values("KillMode"), ["mixed"]);
    assert.deepEqual(values("TimeoutStopSec"), ["20s"]);
  });

  test("devices closed except GPIO, I2C, SPI and the camera; no capabilities; JIT-compatible", () => {
    assert.deepEqual(values("DevicePolicy"), ["closed"]);
    const allowed = values("DeviceAllow").map((v) => v.split(/\s+/)[0]);
    for (const device of [
      "char-gpiochip",
      "/dev/gpiomem",
      "char-i2c",
      "char-spi",
      "char-video4linux",
      "char-media",
      "char-dma_heap",
      "char-vchiq",
    ]) {
      assert.ok(allowed.includes(device), device);
    }
    assert.deepEqual(values("CapabilityBoundingSet"), [""]);
    assert.deepEqual(values("NoNewPrivileges"), ["yes"]);
    assert.deepEqual(values("ProtectSystem"), ["strict"]);
    assert.deepEqual(values("MemoryDenyWriteExecute"), ["no"]);
  });

  test("systemd-analyze verify accepts it", { skip }, () => {
    const r = spawnSync("systemd-analyze", ["verify", unitCopy()], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(r.stderr.trim(), "", "no warnings");
  });

  test("systemd-analyze security: exposure 2.0 or less", { skip }, () => {
    const r = spawnSync("systemd-analyze", ["security", "--offline=true", "--no-pager", unitCopy()], {
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const score = /Overall exposure level for seroma\.service: (\d+\.\d+) (\w+)/.exec(r.stdout);
    assert.ok(score, r.stdout);
    assert.ok(Number(score[1]) <= 2.0, `exposure ${score[1]} ${score[2]}`);
  });
});
