/**
 * The Pi's own state, read from a fake root (the kernel's files) and fake programs on PATH
 * (timedatectl, vcgencmd printing what the real ones print).
 */
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import {
  decodeThrottled,
  parseThrottled,
  readClockSynchronised,
  readThrottled,
} from "../../../hardware/system/pi-state.ts";

/** A directory of fake programs (shell scripts) to put first on PATH. */
function fakeBin(programs: Record<string, string>): NodeJS.ProcessEnv {
  const dir = mkdtempSync(join(tmpdir(), "seroma-bin-"));
  for (const [name, script] of Object.entries(programs)) {
    const file = join(dir, name);
    writeFileSync(file, `#!/bin/sh\n${script}\n`);
    chmodSync(file, 0o755);
  }
  return { PATH: `${dir}:/usr/bin:/bin` };
}

const emptyRoot = () => mkdtempSync(join(tmpdir(), "seroma-root-"));

describe("the Pi's clock", () => {
  test("timedatectl says whether NTP synchronised it", async () => {
    const yes = fakeBin({ timedatectl: "echo yes" });
    const no = fakeBin({ timedatectl: "echo no" });
    assert.deepEqual(await readClockSynchronised({ root: emptyRoot(), env: yes }), { ok: true, value: true });
    assert.deepEqual(await readClockSynchronised({ root: emptyRoot(), env: no }), { ok: true, value: false });
  });

  test("without timedatectl (or no systemd answering it): timesyncd's flag file", async () => {
    const env = fakeBin({ timedatectl: 'echo "System has not been booted with systemd" >&2; exit 1' });
    const root = emptyRoot();
    mkdirSync(join(root, "run/systemd/timesync"), { recursive: true });
    assert.deepEqual(await readClockSynchronised({ root, env }), { ok: true, value: false }, "timesyncd runs, not yet");
    writeFileSync(join(root, "run/systemd/timesync/synchronized"), "");
    assert.deepEqual(await readClockSynchronised({ root, env }), { ok: true, value: true });
  });

  test("no way to tell: an answer with the reason, not a guess", async () => {
    const r = await readClockSynchronised({ root: emptyRoot(), env: { PATH: "/nonexistent" } });
    assert.equal(r.ok, false);
    assert.match(r.ok ? "" : r.reason, /timedatectl is not installed/);
  });
});

describe("the Pi's power and throttling", () => {
  test("the firmware's bits decoded", () => {
    const t = decodeThrottled(0x50005);
    assert.equal(t.underVoltageNow, true);
    assert.equal(t.throttledNow, true);
    assert.equal(t.cappedNow, false);
    assert.equal(t.underVoltageOccurred, true);
    assert.equal(t.throttledOccurred, true);
    assert.equal(t.cappedOccurred, false);
    assert.equal(parseThrottled("throttled=0x50005\n"), 0x50005);
    assert.equal(parseThrottled("50000"), 0x50000);
    assert.equal(parseThrottled('error=1 error_msg="Command not registered"'), undefined);
  });

  test("from sysfs where the kernel offers it, else from vcgencmd", async () => {
    const root = emptyRoot();
    const env = fakeBin({ vcgencmd: 'echo "throttled=0x0"' });
    mkdirSync(join(root, "sys/devices/platform/soc/soc:firmware"), { recursive: true });
    writeFileSync(join(root, "sys/devices/platform/soc/soc:firmware/get_throttled"), "50000\n");
    const fromSysfs = await readThrottled({ root, env });
    assert.ok(fromSysfs.ok);
    assert.equal(fromSysfs.value.underVoltageOccurred, true);
    assert.equal(fromSysfs.value.underVoltageNow, false);
    const fromTool = await readThrottled({ root: emptyRoot(), env: fakeBin({ vcgencmd: 'echo "throttled=0x1"' }) });
    assert.ok(fromTool.ok);
    assert.equal(fromTool.value.underVoltageNow, true);
  });

  test("not a Pi (no sysfs file, no vcgencmd): an answer with the reason", async () => {
    const r = await readThrottled({ root: emptyRoot(), env: { PATH: "/nonexistent" } });
    assert.equal(r.ok, false);
    assert.match(r.ok ? "" : r.reason, /vcgencmd is not installed/);
    const odd = await readThrottled({
      root: emptyRoot(),
      env: fakeBin({ vcgencmd: 'echo "VCHI initialization failed"' }),
    });
    assert.equal(odd.ok, false);
  });
});
