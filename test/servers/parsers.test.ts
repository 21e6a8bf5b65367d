import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import type { CheckOutcome, MountUsage } from "../../core/servers/types.ts";
import {
  isSkippedMount,
  parseDf,
  parseJournal,
  parseLoad,
  parseMeminfo,
  parseServices,
  parseUptime,
} from "../../servers/parsers.ts";

type Host = "debian12" | "ubuntu2204" | "raspios-bookworm" | "busybox";
const sample = (host: Host, file: string): string =>
  readFileSync(new URL(`./samples/${host}/${file}`, import.meta.url), "utf8");

function value<T>(outcome: CheckOutcome<T>): T {
  if (!outcome.ok) assert.fail(`expected ok, got error: ${outcome.error}`);
  return outcome.value;
}
function error<T>(outcome: CheckOutcome<T>, pattern: RegExp): void {
  assert.equal(outcome.ok, false, `expected an error, got ${JSON.stringify(outcome)}`);
  if (!outcome.ok) assert.match(outcome.error, pattern);
}
const KB = 1024;
const mount = (
  mountPoint: string,
  filesystem: string,
  sizeKb: number,
  usedKb: number,
  usedPct: number,
): MountUsage => ({
  mount: mountPoint,
  filesystem,
  sizeBytes: sizeKb * KB,
  usedBytes: usedKb * KB,
  usedPct,
});

describe("parseUptime", () => {
  test("every sample", () => {
    assert.deepEqual(value(parseUptime(sample("debian12", "uptime.txt"))), { seconds: 3712458.91 });
    assert.deepEqual(value(parseUptime(sample("ubuntu2204", "uptime.txt"))), { seconds: 1096387.25 });
    assert.deepEqual(value(parseUptime(sample("raspios-bookworm", "uptime.txt"))), { seconds: 1209603.44 });
    assert.deepEqual(value(parseUptime(sample("busybox", "uptime.txt"))), { seconds: 5634871.08 });
  });

  test("a bare integer is fine", () => {
    assert.deepEqual(value(parseUptime("42\n")), { seconds: 42 });
  });

  test("garbage, empty and truncated text are errors", () => {
    error(parseUptime(""), /cannot read uptime from empty output/);
    error(parseUptime("   \n"), /empty output/);
    error(parseUptime("cat: /proc/uptime: No such file or directory"), /cannot read uptime from "cat:/);
    error(parseUptime("-5 10"), /cannot read uptime/);
    error(parseUptime("12345."), /cannot read uptime/);
    error(parseUptime("NaN NaN"), /cannot read uptime/);
  });

  test("long garbage is cut in the error message", () => {
    const outcome = parseUptime("x".repeat(500));
    error(outcome, /…/);
    if (!outcome.ok) assert.ok(outcome.error.length < 100);
  });
});

describe("parseLoad", () => {
  test("every sample, nproc output", () => {
    const load = (host: Host, nproc: string) => value(parseLoad(sample(host, "loadavg.txt"), sample(host, nproc)));
    assert.deepEqual(load("debian12", "nproc.txt"), { load1: 0.52, load5: 0.58, load15: 0.59, cores: 4 });
    assert.deepEqual(load("ubuntu2204", "nproc.txt"), { load1: 3.41, load5: 2.87, load15: 2.12, cores: 2 });
    assert.deepEqual(load("raspios-bookworm", "nproc.txt"), { load1: 0.08, load5: 0.12, load15: 0.09, cores: 4 });
  });

  test("no nproc: the count of processor lines, or the whole of /proc/cpuinfo", () => {
    const expected = { load1: 0.31, load5: 0.27, load15: 0.22, cores: 2 };
    const loadavg = sample("busybox", "loadavg.txt");
    assert.deepEqual(value(parseLoad(loadavg, sample("busybox", "nproc-from-cpuinfo.txt"))), expected);
    assert.deepEqual(value(parseLoad(loadavg, sample("busybox", "cpuinfo.txt"))), expected);
  });

  test("bad load averages are errors", () => {
    error(parseLoad("", "4"), /cannot read load averages from empty output/);
    error(parseLoad("0.52 0.58", "4"), /cannot read load averages from "0.52 0.58"/);
    error(parseLoad("high medium low 1/2 3", "4"), /load averages/);
  });

  test("bad core counts are errors", () => {
    const loadavg = sample("debian12", "loadavg.txt");
    error(parseLoad(loadavg, ""), /number of cores from empty output/);
    error(parseLoad(loadavg, "0"), /number of cores from "0"/);
    error(parseLoad(loadavg, "nproc: command not found"), /number of cores/);
    error(parseLoad(loadavg, "model name : ARMv7\nBogoMIPS : 7.54"), /number of cores/);
  });
});

describe("parseMeminfo", () => {
  test("MemAvailable where the kernel has it", () => {
    assert.deepEqual(value(parseMeminfo(sample("debian12", "meminfo.txt"))), {
      totalBytes: 8148352 * KB,
      availableBytes: 5873420 * KB,
      usedPct: 27.9,
    });
    assert.deepEqual(value(parseMeminfo(sample("ubuntu2204", "meminfo.txt"))), {
      totalBytes: 4010008 * KB,
      availableBytes: 2912340 * KB,
      usedPct: 27.4,
    });
    assert.deepEqual(value(parseMeminfo(sample("raspios-bookworm", "meminfo.txt"))), {
      totalBytes: 3884180 * KB,
      availableBytes: 3295416 * KB,
      usedPct: 15.2,
    });
  });

  test("an old kernel without MemAvailable: MemFree + Buffers + Cached + SReclaimable", () => {
    // 612344 + 28764 + 201932 + 11260 = 854300; (1030720 - 854300) / 1030720 = 17.12%
    assert.deepEqual(value(parseMeminfo(sample("busybox", "meminfo.txt"))), {
      totalBytes: 1030720 * KB,
      availableBytes: 854300 * KB,
      usedPct: 17.1,
    });
  });

  test("without SReclaimable too (2.6.18 and older)", () => {
    const text = "MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 100 kB\n";
    assert.deepEqual(value(parseMeminfo(text)), { totalBytes: 1000 * KB, availableBytes: 250 * KB, usedPct: 75 });
  });

  test("garbage, empty and truncated text are errors", () => {
    error(parseMeminfo(""), /no MemTotal in empty output/);
    error(parseMeminfo("hello world"), /no MemTotal in "hello world"/);
    error(parseMeminfo("MemTotal: 0 kB\nMemAvailable: 0 kB"), /no MemTotal/);
    // Cut off after MemTotal and MemFree: neither MemAvailable nor the old-kernel fields.
    error(parseMeminfo("MemTotal:        8148352 kB\nMemFree:          412764 kB\n"), /MemFree, Buffers or Cached/);
  });
});

describe("parseDf", () => {
  test("Debian 12: GNU df, /boot/efi kept, tmpfs and udev skipped, a mount point with a space", () => {
    assert.deepEqual(value(parseDf(sample("debian12", "df.txt"))), [
      mount("/", "/dev/sda2", 61611820, 21934504, 38),
      mount("/boot/efi", "/dev/sda1", 523248, 5972, 2),
      mount("/srv/team share", "/dev/sdb1", 1921724676, 1632455212, 90),
    ]);
  });

  test("Ubuntu 22.04: snaps and /run/user tmpfs skipped, LVM root kept", () => {
    assert.deepEqual(value(parseDf(sample("ubuntu2204", "df.txt"))), [
      mount("/", "/dev/mapper/ubuntu--vg-ubuntu--lv", 101590008, 38423120, 40),
      mount("/boot", "/dev/sda2", 1992552, 253900, 14),
      mount("/boot/efi", "/dev/sda1", 1098632, 6220, 1),
    ]);
  });

  test("Raspberry Pi OS Bookworm: SD card root and /boot/firmware", () => {
    assert.deepEqual(value(parseDf(sample("raspios-bookworm", "df.txt"))), [
      mount("/", "/dev/mmcblk0p2", 30358348, 5367448, 19),
      mount("/boot/firmware", "/dev/mmcblk0p1", 522232, 64276, 13),
    ]);
  });

  const busyboxMounts = [
    mount("/", "/dev/sda3", 7155840, 1853212, 27),
    mount("/boot", "/dev/sda1", 95054, 23419, 27),
    mount("/var/backups/nightly dumps", "/dev/mapper/vg0-lv_backups", 41152736, 30916568, 79),
  ];

  test("BusyBox df -P: 1024-blocks header, a long name that overflows its column, OpenRC pseudo filesystems", () => {
    assert.deepEqual(value(parseDf(sample("busybox", "df.txt"))), busyboxMounts);
  });

  test("BusyBox df without -P: the long name wrapped onto its own line is joined to the next", () => {
    assert.deepEqual(value(parseDf(sample("busybox", "df-wrapped.txt"))), busyboxMounts);
  });

  test("a zero-size filesystem (capacity '-') is skipped", () => {
    const text = [
      "Filesystem     1024-blocks    Used Available Capacity Mounted on",
      "/dev/vda1        10000000 5000000   5000000      50% /",
      "systemd-1               0       0         0        - /proc/sys/fs/binfmt_misc",
      "portal                  0       0         0        - /run/user/1000/doc",
    ].join("\n");
    assert.deepEqual(value(parseDf(text)), [mount("/", "/dev/vda1", 10000000, 5000000, 50)]);
  });

  test("overlay is kept (Docker, OpenWrt root); OpenWrt's /rom squashfs is skipped", () => {
    const text = [
      "Filesystem           1024-blocks    Used Available Capacity Mounted on",
      "/dev/root                 4352      4352         0 100% /rom",
      "tmpfs                    60888       184     60704   0% /tmp",
      "/dev/ubi0_1              5860      1252      4316  22% /overlay",
      "overlayfs:/overlay        5860      1252      4316  22% /",
    ].join("\n");
    assert.deepEqual(value(parseDf(text)), [
      mount("/overlay", "/dev/ubi0_1", 5860, 1252, 22),
      mount("/", "overlayfs:/overlay", 5860, 1252, 22),
    ]);
  });

  test("the skip rule", () => {
    for (const fs of ["tmpfs", "devtmpfs", "udev", "proc", "sysfs", "cgroup", "cgroup2", "efivarfs", "shm"]) {
      assert.equal(isSkippedMount(fs, "/somewhere", 100), true, fs);
    }
    assert.equal(isSkippedMount("/dev/loop3", "/snap/snapd/20290", 41856), true);
    assert.equal(isSkippedMount("/dev/loop3", "/var/lib/snapd/snap/core/1", 41856), true);
    assert.equal(isSkippedMount("efivarfs", "/sys/firmware/efi/efivars", 128), true);
    assert.equal(isSkippedMount("/dev/sda1", "/boot/efi", 523248), false);
    assert.equal(isSkippedMount("overlay", "/var/lib/docker/overlay2/abc/merged", 100), false);
    assert.equal(isSkippedMount("/dev/sdc1", "/run/media/ops/USB STICK", 100), false);
    assert.equal(isSkippedMount("nas:/export", "/mnt/nas", 100), false);
    assert.equal(isSkippedMount("/dev/sda1", "/mnt/empty", 0), true);
  });

  test("garbage, empty and truncated text are errors", () => {
    error(parseDf(""), /df printed nothing/);
    error(
      parseDf("df: invalid option -- 'P'\nBusyBox v1.20 usage: df [-k]"),
      /not df -P output: header is "df: invalid/,
    );
    const debian = sample("debian12", "df.txt");
    // Cut off in the middle of a row.
    const cut = debian.slice(0, debian.indexOf("/dev/sda2") + 30);
    error(parseDf(cut), /unexpected df line "\/dev\/sda2 61611820 2"/);
    error(parseDf(`${debian}some trailing noise\n`), /unexpected df line "some trailing noise"/);
    // Only the header, or only pseudo filesystems.
    error(parseDf(debian.split("\n")[0] ?? ""), /no disk filesystems/);
    error(parseDf("Filesystem 1024-blocks Used Available Capacity Mounted on\ntmpfs 10 0 10 0% /run\n"), /no disk/);
  });
});

describe("parseServices", () => {
  test("every sample, states in the order of the names", () => {
    assert.deepEqual(
      value(parseServices(sample("debian12", "systemctl-is-active.txt"), ["nginx", "postgresql", "ssh", "fail2ban"])),
      [
        { name: "nginx", state: "active" },
        { name: "postgresql", state: "active" },
        { name: "ssh", state: "active" },
        { name: "fail2ban", state: "failed" },
      ],
    );
    const ubuntu = ["docker", "containerd", "snapd", "snap.lxd.daemon", "apache2"];
    assert.deepEqual(
      value(parseServices(sample("ubuntu2204", "systemctl-is-active.txt"), ubuntu)).map((s) => s.state),
      ["active", "active", "active", "activating", "inactive"],
    );
    assert.deepEqual(
      value(parseServices(sample("raspios-bookworm", "systemctl-is-active.txt"), ["seroma", "ssh", "bluetooth"])),
      [
        { name: "seroma", state: "active" },
        { name: "ssh", state: "active" },
        { name: "bluetooth", state: "inactive" },
      ],
    );
  });

  test("no units, no lines", () => {
    assert.deepEqual(value(parseServices("", [])), []);
  });

  test("a line count that differs from the names is an error", () => {
    error(parseServices("active\n", ["a", "b"]), /\(states: 1, units: 2\)/);
    error(parseServices("active\nactive\nactive\n", ["a", "b"]), /\(states: 3, units: 2\)/);
    error(parseServices("", ["ssh"]), /\(states: 0, units: 1\): empty output/);
  });

  test("a line that is not a state is an error", () => {
    error(
      parseServices("System has not been booted with systemd as init system (PID 1). Can't operate.", ["ssh"]),
      /unexpected unit state "System has not been booted/,
    );
    error(parseServices("ACTIVE\n", ["ssh"]), /unexpected unit state "ACTIVE"/);
  });
});

describe("parseJournal", () => {
  test("Debian: entries and the latest 5 lines (a multi-line entry keeps its continuation lines)", () => {
    const text = sample("debian12", "journal.txt");
    const lines = text.trimEnd().split("\n");
    const result = value(parseJournal("7\n", text, true));
    assert.equal(result.count, 7);
    assert.equal(result.available, true);
    assert.deepEqual(result.latest, lines.slice(-5));
    assert.match(result.latest[0] ?? "", /^2026-11-23T10:15:04\+0000 web1 kernel: I\/O error, dev sda/);
    assert.match(result.latest[4] ?? "", /^ {58}Is the server running on host "db1"/);
  });

  test("Ubuntu: journalctl's boot separator is not a log line", () => {
    const result = value(parseJournal("3", sample("ubuntu2204", "journal.txt"), true));
    assert.equal(result.count, 3);
    assert.equal(result.latest.length, 3);
    assert.ok(result.latest.every((l) => l.startsWith("2026-11-23T")));
    assert.match(result.latest[2] ?? "", /Out of memory: Killed process 88213 \(java\)/);
  });

  test('"-- No entries --" and empty output: nothing', () => {
    const none = { count: 0, latest: [], available: true };
    assert.deepEqual(value(parseJournal("0", sample("raspios-bookworm", "journal.txt"), true)), none);
    assert.deepEqual(value(parseJournal("-- No entries --", "-- No entries --\n", true)), none);
    assert.deepEqual(value(parseJournal("", "", true)), none);
  });

  test("no journalctl: skipped, not failed", () => {
    assert.deepEqual(value(parseJournal("", "", false)), { count: 0, latest: [], available: false });
    assert.deepEqual(value(parseJournal("garbage", "whatever", false)), { count: 0, latest: [], available: false });
  });

  test("a count that is not a number is an error", () => {
    error(parseJournal("Failed to parse timestamp: @abc", "", true), /journal entry count from "Failed to parse/);
    error(parseJournal("-3", "", true), /journal entry count/);
  });
});
