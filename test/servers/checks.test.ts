import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { after, describe, test } from "node:test";
import { CHECK_IDS, type CheckId, type CheckOutcome, type HostSpec } from "../../core/servers/types.ts";
import {
  buildCheckScript,
  CHECK_COMMANDS,
  formatMarker,
  MARKER_PREFIX,
  parseCheckOutput,
  type ScriptPart,
} from "../../servers/checks.ts";

const samplePath = (host: string, file: string): string =>
  new URL(`./samples/${host}/${file}`, import.meta.url).pathname;
const sample = (host: string, file: string): string => readFileSync(samplePath(host, file), "utf8");

function spec(checks: CheckId[], services: string[] = []): HostSpec {
  return {
    name: "web1",
    address: "10.0.0.5",
    port: 22,
    user: "seroma",
    hostKey: "SHA256:AAAA",
    checks,
    services,
    thresholds: { diskPct: 90, loadPerCore: 2, memoryPct: 90 },
  };
}

function value<T>(outcome: CheckOutcome<T> | undefined): T {
  assert.ok(outcome, "the check is missing from the result");
  if (!outcome.ok) assert.fail(`expected ok, got error: ${outcome.error}`);
  return outcome.value;
}
function error(outcome: CheckOutcome<unknown> | undefined, pattern: RegExp): void {
  assert.ok(outcome, "the check is missing from the result");
  assert.equal(outcome.ok, false, `expected an error, got ${JSON.stringify(outcome)}`);
  if (!outcome.ok) assert.match(outcome.error, pattern);
}

const scratch = mkdtempSync(join(tmpdir(), "seroma-checks-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs a script the way the SSH client will: `sh -s` with the script on stdin (or `sh -c SCRIPT`). */
function run(script: string, opts: { shell?: string[]; path?: string; via?: "stdin" | "arg" } = {}): string {
  const [cmd = "sh", ...pre] = opts.shell ?? ["sh"];
  const env = { ...process.env, PATH: opts.path ?? process.env.PATH ?? "/usr/bin:/bin" };
  const result =
    opts.via === "arg"
      ? spawnSync(cmd, [...pre, "-c", script], { env, encoding: "utf8" })
      : spawnSync(cmd, [...pre, "-s"], { env, encoding: "utf8", input: script });
  assert.equal(result.error, undefined);
  assert.equal(result.status, 0, `the script exited ${result.status}: ${result.stderr}`);
  assert.equal(result.stderr, "", "the script printed on stderr: every command's stderr belongs in its part");
  return result.stdout;
}

/** A directory of fake tools (sh scripts), put first on PATH. */
function fakeTools(name: string, tools: Record<string, string>): string {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  for (const [tool, body] of Object.entries(tools)) {
    const file = join(dir, tool);
    writeFileSync(file, `#!/bin/sh\n${body}\n`);
    chmodSync(file, 0o755);
  }
  return `${dir}${delimiter}${process.env.PATH ?? "/usr/bin:/bin"}`;
}

/** One part of the script's output, as the script prints it. */
function part(name: ScriptPart, body: string, rc = 0, stderr: string[] = []): string {
  const lines = [formatMarker("begin", name)];
  if (body.trimEnd() !== "") lines.push(body.trimEnd());
  lines.push(formatMarker("end", name, rc));
  for (const s of stderr) lines.push(`${formatMarker("stderr", name)} ${s}`);
  return `${lines.join("\n")}\n`;
}

const ALL: CheckId[] = [...CHECK_IDS];

describe("buildCheckScript", () => {
  const commandOf: Record<CheckId, RegExp> = {
    uptime: /seroma_run uptime cat \/proc\/uptime/,
    load: /seroma_run loadavg cat \/proc\/loadavg/,
    memory: /seroma_run meminfo cat \/proc\/meminfo/,
    disk: /seroma_run df df -P -k/,
    services: /systemctl is-active/,
    journal: /journalctl -p err/,
  };

  test("includes exactly the requested checks", () => {
    for (const id of CHECK_IDS) {
      const script = buildCheckScript(spec([id], ["ssh"]), { journalSince: 1_700_000_000 });
      for (const other of CHECK_IDS) {
        assert.equal(commandOf[other].test(script), other === id, `script for ${id}: ${other}`);
      }
    }
    const script = buildCheckScript(spec([]));
    for (const other of CHECK_IDS) assert.equal(commandOf[other].test(script), false);
  });

  test("runs everything under LC_ALL=C", () => {
    assert.match(buildCheckScript(spec(ALL)), /^LC_ALL=C\nexport LC_ALL$/m);
  });

  test("single-quotes the unit names after --", () => {
    const script = buildCheckScript(spec(["services"], ["nginx", "ssh@1.service", "systemd-journald", "a:b"]));
    assert.match(script, /systemctl is-active -- 'nginx' 'ssh@1\.service' 'systemd-journald' 'a:b'\n/);
  });

  test("refuses an invalid unit name, whether or not services are checked", () => {
    for (const bad of ["nginx; rm -rf /", "$(id)", "a b", "`id`", "-H", "", "x'y", "a\nb", "a".repeat(129)]) {
      assert.throws(() => buildCheckScript(spec(["services"], ["ssh", bad])), /invalid systemd unit name/, bad);
      assert.throws(() => buildCheckScript(spec(["uptime"], [bad])), /invalid systemd unit name/, bad);
    }
  });

  test("refuses an unknown check id and a bad journal start", () => {
    assert.throws(() => buildCheckScript(spec(["uptime", "reboot" as CheckId])), /unknown check "reboot"/);
    assert.throws(() => buildCheckScript(spec(["journal"]), { journalSince: -1 }), /invalid journalSince/);
    assert.throws(() => buildCheckScript(spec(["journal"]), { journalSince: Number.NaN }), /invalid journalSince/);
  });

  test("the journal window: the given start, or the last 5 minutes", () => {
    assert.match(buildCheckScript(spec(["journal"]), { journalSince: 1_700_000_000 }), / --since @1700000000 /);
    assert.match(buildCheckScript(spec(["journal"]), { journalSince: 1_700_000_000.9 }), / --since @1700000000 /);
    const before = Math.floor(Date.now() / 1000);
    const script = buildCheckScript(spec(["journal"]));
    const after = Math.floor(Date.now() / 1000);
    const since = Number(/--since @(\d+) /.exec(script)?.[1]);
    assert.ok(since >= before - 300 && since <= after - 300, `since ${since}`);
  });

  test("writes nothing: every redirection goes to /dev/null or another descriptor", () => {
    const script = buildCheckScript(spec(ALL, ["ssh"]));
    // `>` not followed by `&N`, `&-` (close), `/dev/null` or `=` (awk's >=) would write a file.
    assert.deepEqual(script.match(/>(?!&[0-9-]|\s*\/dev\/null|=)/g), null);
    assert.doesNotMatch(script, /\b(rm|mv|cp|tee|dd|chmod|kill|reboot|shutdown|sudo)\b/);
  });

  test("CHECK_COMMANDS describes every check", () => {
    assert.deepEqual(Object.keys(CHECK_COMMANDS).sort(), [...CHECK_IDS].sort());
    assert.match(CHECK_COMMANDS.disk, /df -P -k/);
    assert.match(CHECK_COMMANDS.journal, /journalctl -p err/);
  });
});

describe("the script on this machine", () => {
  const systemd = existsSync("/run/systemd/system");
  const procMemTotalKb = Number(/^MemTotal:\s+(\d+)/m.exec(readFileSync("/proc/meminfo", "utf8"))?.[1]);
  const nproc = Number(
    spawnSync("sh", ["-c", "nproc 2>/dev/null || grep -c ^processor /proc/cpuinfo"], { encoding: "utf8" }).stdout,
  );

  function assertLocal(stdout: string, s: HostSpec): void {
    const checks = parseCheckOutput(stdout, s);
    assert.deepEqual(Object.keys(checks).sort(), [...s.checks].sort());
    assert.ok(value(checks.uptime).seconds > 0);
    const load = value(checks.load);
    assert.equal(load.cores, nproc);
    assert.ok(load.load1 >= 0 && load.load5 >= 0 && load.load15 >= 0);
    const memory = value(checks.memory);
    assert.equal(memory.totalBytes, procMemTotalKb * 1024);
    assert.ok(memory.usedPct >= 0 && memory.usedPct <= 100);
    const disk = value(checks.disk);
    assert.ok(
      disk.some((m) => m.mount === "/"),
      JSON.stringify(disk),
    );
    assert.ok(disk.every((m) => m.sizeBytes > 0 && m.usedPct >= 0 && m.usedPct <= 100));
    const journal = value(checks.journal);
    assert.equal(typeof journal.available, "boolean");
    assert.ok(journal.count >= 0 && journal.latest.length <= 5);
    if (systemd) {
      assert.deepEqual(
        value(checks.services).map((x) => x.name),
        s.services,
      );
    } else if (existsSync("/usr/bin/systemctl") || existsSync("/bin/systemctl")) {
      // systemctl installed but systemd not running (a container): its complaint comes through.
      error(checks.services, /systemctl is-active failed \(exit \d+\)/);
    } else {
      error(checks.services, /systemctl is not installed/);
    }
  }

  const s = spec(ALL, ["ssh", "seroma-test-no-such-unit"]);

  test("sh -s, the script on stdin: every check parses", () => {
    assertLocal(run(buildCheckScript(s)), s);
  });

  test("sh -c SCRIPT: the same", () => {
    assertLocal(run(buildCheckScript(s), { via: "arg" }), s);
  });

  test("only the requested parts are printed", () => {
    const stdout = run(buildCheckScript(spec(["memory", "uptime"])));
    const parts = [...stdout.matchAll(/^@@seroma:begin ([a-z]+)@@$/gm)].map((m) => m[1]);
    assert.deepEqual(parts, ["uptime", "meminfo"]);
  });

  test("systemctl is-active exiting 3 is normal; its states are read in order", () => {
    const path = fakeTools("systemctl-ok", {
      systemctl: `[ "$1 $2" = "is-active --" ] || exit 64\nshift 2\nfor u in "$@"; do case $u in nginx) echo active;; fail2ban) echo failed;; *) echo inactive;; esac; done\nexit 3`,
    });
    const s2 = spec(["services"], ["nginx", "fail2ban", "nope"]);
    const checks = parseCheckOutput(run(buildCheckScript(s2), { path }), s2);
    assert.deepEqual(value(checks.services), [
      { name: "nginx", state: "active" },
      { name: "fail2ban", state: "failed" },
      { name: "nope", state: "inactive" },
    ]);
  });

  test("systemctl that cannot talk to systemd: its stderr is in the error", () => {
    const path = fakeTools("systemctl-down", {
      systemctl: `echo "System has not been booted with systemd as init system (PID 1). Can't operate." >&2\necho "Failed to connect to bus: Host is down" >&2\nexit 1`,
    });
    const s2 = spec(["services", "uptime"], ["ssh"]);
    const checks = parseCheckOutput(run(buildCheckScript(s2), { path }), s2);
    error(
      checks.services,
      /\(states: 0, units: 1\): empty output; systemctl is-active failed \(exit 1\): System has not been booted .* \/ Failed to connect to bus: Host is down$/,
    );
    value(checks.uptime);
  });

  test("journalctl: entries counted without continuation lines, the latest 5 lines kept", () => {
    const journal = samplePath("debian12", "journal.txt");
    const path = fakeTools("journalctl-ok", {
      journalctl: `case "$*" in "-p err --since @1700000000 --no-pager -q -o short-iso") cat '${journal}';; *) echo "bad args: $*" >&2; exit 64;; esac`,
    });
    const s2 = spec(["journal"]);
    const checks = parseCheckOutput(run(buildCheckScript(s2, { journalSince: 1_700_000_000 }), { path }), s2);
    const lines = sample("debian12", "journal.txt").trimEnd().split("\n");
    assert.deepEqual(value(checks.journal), { count: 7, latest: lines.slice(-5), available: true });
  });

  test('journalctl: boot separators and "-- No entries --" are not entries', () => {
    for (const [host, count, latest] of [
      ["ubuntu2204", 3, 3],
      ["raspios-bookworm", 0, 0],
    ] as const) {
      const path = fakeTools(`journalctl-${host}`, { journalctl: `cat '${samplePath(host, "journal.txt")}'` });
      const s2 = spec(["journal"]);
      const result = value(parseCheckOutput(run(buildCheckScript(s2), { path }), s2).journal);
      assert.equal(result.count, count, host);
      assert.equal(result.latest.length, latest, host);
    }
  });

  test("journalctl failing: its exit status and stderr, even through the pipe", () => {
    const path = fakeTools("journalctl-bad", {
      journalctl: `echo "Failed to parse timestamp: @1700000000" >&2\nexit 1`,
    });
    const s2 = spec(["journal"]);
    const checks = parseCheckOutput(run(buildCheckScript(s2), { path }), s2);
    error(checks.journal, /^journalctl failed \(exit 1\): Failed to parse timestamp: @1700000000$/);
  });

  test("a failing command: exit status and stderr", () => {
    const path = fakeTools("cat-broken", { cat: `echo "cat: /proc/uptime: Permission denied" >&2\nexit 1` });
    const s2 = spec(["uptime", "load"]);
    const checks = parseCheckOutput(run(buildCheckScript(s2), { path }), s2);
    error(checks.uptime, /^cat \/proc\/uptime failed \(exit 1\): cat: \/proc\/uptime: Permission denied$/);
    error(checks.load, /^cat \/proc\/loadavg failed \(exit 1\)/);
  });

  test("no nproc: processor lines counted", () => {
    const path = fakeTools("no-nproc", { nproc: `echo "sh: nproc: not found" >&2\nexit 127` });
    const s2 = spec(["load"]);
    const checks = parseCheckOutput(run(buildCheckScript(s2), { path }), s2);
    const processors = (readFileSync("/proc/cpuinfo", "utf8").match(/^processor/gm) ?? []).length;
    assert.equal(value(checks.load).cores, processors);
  });

  const busybox = ["/bin/busybox", "/usr/bin/busybox", "/sbin/busybox"].find((p) => existsSync(p));
  test("BusyBox only (ash, BusyBox df, no nproc, no systemd, no journalctl)", {
    skip: busybox ? false : "busybox is not installed (apt-get install busybox)",
  }, () => {
    const dir = join(scratch, "busybox-bin");
    mkdirSync(dir, { recursive: true });
    for (const applet of ["sh", "cat", "df", "grep", "sed", "awk", "head", "tail", "wc"]) {
      symlinkSync(busybox ?? "", join(dir, applet));
    }
    const s2 = spec(ALL, ["sshd"]);
    const stdout = run(buildCheckScript(s2), { shell: [join(dir, "sh")], path: dir });
    const checks = parseCheckOutput(stdout, s2);
    const processors = (readFileSync("/proc/cpuinfo", "utf8").match(/^processor/gm) ?? []).length;
    assert.equal(value(checks.load).cores, processors);
    value(checks.uptime);
    assert.equal(value(checks.memory).totalBytes, procMemTotalKb * 1024);
    assert.ok(value(checks.disk).some((m) => m.mount === "/"));
    error(checks.services, /systemctl is not installed on this host/);
    assert.deepEqual(value(checks.journal), { count: 0, latest: [], available: false });
  });
});

describe("parseCheckOutput", () => {
  const debianServices = ["nginx", "postgresql", "ssh", "fail2ban"];
  const debianJournal = sample("debian12", "journal.txt").trimEnd().split("\n");
  const debian =
    part("uptime", sample("debian12", "uptime.txt")) +
    part("loadavg", sample("debian12", "loadavg.txt")) +
    part("nproc", sample("debian12", "nproc.txt")) +
    part("meminfo", sample("debian12", "meminfo.txt")) +
    part("services", sample("debian12", "systemctl-is-active.txt"), 3) +
    part("journal", ["7", ...debianJournal.slice(-5)].join("\n")) +
    part("df", sample("debian12", "df.txt"), 1, ["df: /mnt/old-nas: Stale file handle"]);

  test("a Debian host's full output", () => {
    const checks = parseCheckOutput(debian, spec(ALL, debianServices));
    assert.deepEqual(value(checks.uptime), { seconds: 3712458.91 });
    assert.deepEqual(value(checks.load), { load1: 0.52, load5: 0.58, load15: 0.59, cores: 4 });
    assert.deepEqual(value(checks.memory), {
      totalBytes: 8148352 * 1024,
      availableBytes: 5873420 * 1024,
      usedPct: 27.9,
    });
    assert.deepEqual(
      value(checks.services).map((s) => `${s.name}=${s.state}`),
      ["nginx=active", "postgresql=active", "ssh=active", "fail2ban=failed"],
    );
    assert.deepEqual(value(checks.journal), { count: 7, latest: debianJournal.slice(-5), available: true });
    // df exits 1 over one unreadable mount but lists the others: judged on what it listed.
    assert.deepEqual(
      value(checks.disk).map((m) => `${m.mount} ${m.usedPct}%`),
      ["/ 38%", "/boot/efi 2%", "/srv/team share 90%"],
    );
  });

  test("a BusyBox host: no nproc, no systemctl, no journalctl", () => {
    const stdout =
      part("uptime", sample("busybox", "uptime.txt")) +
      part("loadavg", sample("busybox", "loadavg.txt")) +
      part("nproc", sample("busybox", "nproc-from-cpuinfo.txt")) +
      part("meminfo", sample("busybox", "meminfo.txt")) +
      `${formatMarker("unavailable", "services")}\n${formatMarker("unavailable", "journal")}\n` +
      part("df", sample("busybox", "df.txt"));
    const checks = parseCheckOutput(stdout, spec(ALL, ["sshd"]));
    assert.equal(value(checks.load).cores, 2);
    assert.equal(value(checks.memory).usedPct, 17.1);
    assert.equal(value(checks.disk).length, 3);
    error(checks.services, /systemctl is not installed on this host \(no systemd\)/);
    assert.deepEqual(value(checks.journal), { count: 0, latest: [], available: false });
  });

  test("only the requested checks are in the result", () => {
    const checks = parseCheckOutput(debian, spec(["memory", "disk"]));
    assert.deepEqual(Object.keys(checks).sort(), ["disk", "memory"]);
  });

  test("a missing section: no output, the others unaffected", () => {
    const withoutDf = debian.slice(0, debian.indexOf(formatMarker("begin", "df")));
    const checks = parseCheckOutput(withoutDf, spec(ALL, debianServices));
    error(checks.disk, /^no output \(df -P -k did not run/);
    value(checks.uptime);
    value(checks.journal);
  });

  test("cut off inside a section: no output, it did not finish", () => {
    const cut = debian.slice(0, debian.indexOf("MemAvailable"));
    const checks = parseCheckOutput(cut, spec(ALL, debianServices));
    value(checks.uptime);
    value(checks.load);
    error(checks.memory, /^no output \(cat \/proc\/meminfo did not finish: the output is cut off\)$/);
    error(checks.services, /^no output \(systemctl is-active did not run/);
    error(checks.disk, /^no output \(/);
  });

  test("empty or garbage stdout: every requested check is 'no output', nothing throws", () => {
    for (const stdout of [
      "",
      "\n\n",
      "Welcome to Ubuntu 22.04.3 LTS\n",
      `${MARKER_PREFIX}begin \n@@@@`,
      "\u0000\u00ff",
    ]) {
      const checks = parseCheckOutput(stdout, spec(ALL, ["ssh"]));
      assert.deepEqual(Object.keys(checks).sort(), [...ALL].sort());
      for (const id of ALL) error(checks[id], /^no output \(/);
    }
  });

  test("lines outside any section (a banner) are ignored; CRLF is tolerated", () => {
    const stdout = `Last login: Mon Nov 23 10:00:00 2026\r\n${part("uptime", "12.5 30.0").replaceAll("\n", "\r\n")}`;
    assert.deepEqual(value(parseCheckOutput(stdout, spec(["uptime"])).uptime), { seconds: 12.5 });
  });

  test("output without a final newline before the end marker is kept", () => {
    const stdout = `${formatMarker("begin", "uptime")}\n99.5 100.0${formatMarker("end", "uptime", 0)}\n`;
    assert.deepEqual(value(parseCheckOutput(stdout, spec(["uptime"])).uptime), { seconds: 99.5 });
  });

  test("a parse failure is an error for that check only", () => {
    const stdout = part("uptime", "not a number") + part("meminfo", sample("raspios-bookworm", "meminfo.txt"));
    const checks = parseCheckOutput(stdout, spec(["uptime", "memory"]));
    error(checks.uptime, /cannot read uptime from "not a number"/);
    assert.equal(value(checks.memory).usedPct, 15.2);
  });

  test("no services configured: an empty list", () => {
    const s = spec(["services"]);
    assert.deepEqual(value(parseCheckOutput(run(buildCheckScript(s)), s).services), []);
  });
});
