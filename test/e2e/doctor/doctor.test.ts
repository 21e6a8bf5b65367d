/**
 * `npm run doctor` end to end: the real process against a fake Pi (DOCTOR_ROOT: a tree laid
 * out like a Pi's, fake vcgencmd, timedatectl, rpicam-still, i2cget, id and libgpiod tools
 * first on PATH), a local Bot API server on 127.0.0.1 for the token, real SQLite files, and a
 * small tmpfs filled up for DATA_DIR (root only). Also this machine, which is no Pi.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type LocalBotApi, startLocalBotApi } from "../../../local/bot-api/server.ts";
import {
  checkOf,
  corruptDatabase,
  createDatabaseWithBackup,
  type DoctorJson,
  runDoctorProcess,
  writeEnvFile,
} from "../../support/doctor-process.ts";
import { processExists } from "../../support/fake-gpiod.ts";
import { createFakePi, type FakePi, PI4_BOOKWORM, PI5_TRIXIE } from "../../support/fake-pi.ts";

const TOKEN = "5000000001:AAE-doctor-valid-token-0123456789";
const WRONG_TOKEN = "5000000001:AAE-doctor-WRONG-token-9876543210";
/** What the doctor judges instead of this machine's Node 20 (the Pi runs 22 LTS). */
const PI_NODE = "22.12.0";

const CHECK_IDS = [
  "node",
  "native-modules",
  "config",
  "board",
  "config-txt",
  "groups",
  "clock",
  "power",
  "disk",
  "database",
  "telegram",
  "climate",
  "card-reader",
  "lcd",
  "camera",
  "pir",
];

let api: LocalBotApi;
const cleanups: Array<() => void> = [];

before(async () => {
  api = await startLocalBotApi({ token: TOKEN });
});

after(async () => {
  await api.close();
  for (const undo of cleanups.reverse()) undo();
});

async function fakePi(spec: typeof PI4_BOOKWORM): Promise<FakePi> {
  const pi = await createFakePi(spec);
  cleanups.push(() => pi.cleanup());
  return pi;
}

/** The room's configuration for a fake Pi, in an env file the doctor reads through ENV_FILE. */
function roomEnv(pi: FakePi, vars: Record<string, string>): Record<string, string> {
  const envFile = writeEnvFile(join(pi.work, "seroma.env"), {
    HARDWARE: "auto",
    DHT_PIN: "4",
    MOTION_PIR_PIN: "17",
    LCD_I2C_ADDRESS: "0x27",
    TELEGRAM_API_ROOT: api.apiRoot,
    ADMIN_IDS: "1001",
    ...vars,
  });
  return { ...pi.env(), ENV_FILE: envFile, DOCTOR_NODE_VERSION: PI_NODE };
}

function parse(stdout: string): DoctorJson {
  return JSON.parse(stdout) as DoctorJson;
}

/** The human report's line for a check title (and its fix line, if any). */
function lineOf(stdout: string, title: string): string {
  const lines = stdout.split("\n");
  const i = lines.findIndex((l) => new RegExp(`^[✔⚠✖–] ${title} `).test(l));
  assert.ok(i >= 0, `no line for ${title} in:\n${stdout}`);
  const next = lines[i + 1] ?? "";
  return /^\s+fix: /.test(next) ? `${lines[i]}\n${next}` : (lines[i] as string);
}

/** A tmpfs of `mb` MB (root only), or undefined where it cannot be mounted. */
function smallTmpfs(mb: number): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "seroma-doctor-tmpfs-"));
  const r = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${mb}m`, "tmpfs", dir]);
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  cleanups.push(() => {
    spawnSync("umount", ["-l", dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Fills the file system of `dir` until `freePct` percent is left. */
function fillTo(dir: string, freePct: number): void {
  const s = statfsSync(dir);
  const size = s.blocks * s.bsize;
  const free = s.bavail * s.bsize;
  const bytes = Math.max(0, free - Math.floor((size * freePct) / 100));
  writeFileSync(join(dir, "filler"), Buffer.alloc(bytes, 0x5a));
}

describe("npm run doctor on a fake Raspberry Pi", { concurrency: false, timeout: 120_000 }, () => {
  test("Pi 4 on Bookworm, all set up: exit 0, every check ok or skipped, each saying what it found", async () => {
    const pi = await fakePi(PI4_BOOKWORM);
    const dataDir = join(pi.work, "data");
    await createDatabaseWithBackup(dataDir);
    const env = roomEnv(pi, { DATA_DIR: dataDir, TELEGRAM_BOT_TOKEN: TOKEN });

    const human = await runDoctorProcess(env);
    assert.equal(human.code, 0, human.stdout + human.stderr);
    const checkLines = human.stdout.split("\n").filter((l) => /^[✔⚠✖–] /.test(l));
    assert.equal(checkLines.length, CHECK_IDS.length, human.stdout);
    assert.deepEqual(
      checkLines.filter((l) => !/^[✔–] /.test(l)),
      [],
      "no warnings or failures",
    );
    assert.doesNotMatch(human.stdout, /fix: /);
    assert.match(human.stdout, /16 checks ok|\d+ checks ok, 0 warnings, 0 failed/);

    const json = await runDoctorProcess(env, ["--json"]);
    assert.equal(json.code, 0);
    const report = parse(json.stdout);
    for (const c of report.checks)
      assert.ok(c.status === "ok" || c.status === "skip", `${c.id}: ${c.status} ${c.detail}`);
    const detail = (id: string) => checkOf(report, id).detail;
    assert.match(detail("node"), /^v22\.12\.0 \(DOCTOR_NODE_VERSION; this process runs v\d+/);
    assert.match(
      detail("board"),
      /Raspberry Pi 4 Model B Rev 1\.5; Debian GNU\/Linux 12 \(bookworm\); kernel 6\.6\.51\+rpt-rpi-v8; 64-bit OS/,
    );
    assert.match(detail("config-txt"), /\/boot\/firmware\/config\.txt: I2C on, SPI on, dtoverlay=dht11 on GPIO 4/);
    assert.match(
      detail("groups"),
      /user pi is in gpio, i2c, spi, video; \/dev\/gpiochip0, \/dev\/gpiochip1, \/dev\/gpiomem and 3 more open/,
    );
    assert.match(detail("clock"), /synchronised by NTP/);
    assert.match(detail("power"), /no under-voltage or throttling since boot \(0x0\)/);
    assert.match(detail("disk"), /writable$/);
    assert.match(
      detail("database"),
      /quick_check ok; schema version \d+ \(current\); newest backup seroma-20261205-033000\.db/,
    );
    assert.match(detail("telegram"), /the token is valid: @seroma_test_bot/);
    assert.match(detail("climate"), /DHT22 through the kernel \(dht11@4, GPIO 4\): 23\.4 °C, 45\.6 %/);
    assert.equal(checkOf(report, "card-reader").status, "skip");
    assert.match(
      detail("card-reader"),
      /mfrc522: this board suits it; the chip itself is not probed under DOCTOR_ROOT/,
    );
    assert.match(detail("lcd"), /something acknowledges at 0x27 on \/dev\/i2c-1 \(i2cget\)/);
    assert.match(detail("camera"), /Raspberry Pi camera \(rpicam-still\): 0 : imx708/);
    assert.match(detail("pir"), /GPIO 17 on gpiochip0 \[pinctrl-bcm2711\] reads 0 \(gpiomon v1\.6\.3/);
    assert.ok(!json.stdout.includes(TOKEN) && !human.stdout.includes(TOKEN), "the token is never printed");
  });

  test("--json (through npm run): one JSON document with every check's id, title, status, detail, hint and time", async () => {
    const pi = await fakePi(PI4_BOOKWORM);
    const env = roomEnv(pi, { DATA_DIR: join(pi.work, "data") }); // no token, no database yet
    const run = await runDoctorProcess(env, ["--json"], { viaNpm: true });
    assert.equal(run.code, 0, run.stderr);
    const report = parse(run.stdout); // the whole of stdout is the one document
    assert.deepEqual(Object.keys(report), ["version", "ok", "root", "node", "summary", "checks"]);
    assert.equal(report.version, 1);
    assert.equal(report.ok, true);
    assert.equal(report.root, pi.root);
    assert.deepEqual(report.node, { version: PI_NODE, running: process.versions.node });
    assert.deepEqual(
      report.checks.map((c) => c.id),
      CHECK_IDS,
    );
    for (const c of report.checks) {
      assert.deepEqual(
        Object.keys(c).filter((k) => k !== "hint"),
        ["id", "title", "status", "detail", "ms"],
      );
      assert.ok(["ok", "warn", "fail", "skip"].includes(c.status));
      assert.ok(c.title.length > 0 && c.detail.length > 0);
      assert.equal(typeof c.ms, "number");
      if (c.status === "warn" || c.status === "fail") assert.ok(c.hint && c.hint.length > 0, `${c.id} has a hint`);
    }
    const counted = { ok: 0, warn: 0, fail: 0, skip: 0 };
    for (const c of report.checks) counted[c.status]++;
    assert.deepEqual(report.summary, counted);
    // no token: local mode is a warning, not a failure; no database yet is not checked
    const telegram = checkOf(report, "telegram");
    assert.equal(telegram.status, "warn");
    assert.match(telegram.detail, /no TELEGRAM_BOT_TOKEN: the console runs in local mode/);
    assert.match(telegram.hint ?? "", /@BotFather.*TELEGRAM_BOT_TOKEN=/);
    assert.equal(checkOf(report, "database").status, "skip");
    assert.match(checkOf(report, "database").detail, /no .*seroma\.db yet: the console creates it at its first start/);
  });

  test("Pi 5 on Trixie with problems: exit 1, each problem reported with its fix", async (t) => {
    const pi = await fakePi({
      ...PI5_TRIXIE,
      configLines: ["dtparam=i2c_arm=on", "dtoverlay=dht11,gpiopin=4"], // no SPI
      devices: PI5_TRIXIE.devices.filter((d) => !d.startsWith("spidev")),
      user: { ...PI5_TRIXIE.user, groups: PI5_TRIXIE.user.groups.filter((g) => g !== "gpio") },
      throttled: "0x50000", // under-voltage has occurred, throttled has occurred
      ntp: "no",
    });
    const mount = smallTmpfs(16);
    const dataDir = join(mount ?? pi.work, "data");
    mkdirSync(dataDir, { recursive: true });
    const backup = await createDatabaseWithBackup(dataDir);
    corruptDatabase(dataDir);
    if (mount) fillTo(mount, 3);
    else t.diagnostic("not root: DATA_DIR is not on a small tmpfs, the full disk is not checked");
    const env = roomEnv(pi, { DATA_DIR: dataDir, TELEGRAM_BOT_TOKEN: WRONG_TOKEN });

    const human = await runDoctorProcess(env);
    assert.equal(human.code, 1, human.stdout + human.stderr);
    const json = await runDoctorProcess(env, ["--json"]);
    assert.equal(json.code, 1);
    const report = parse(json.stdout);
    assert.equal(report.ok, false);

    const spi = checkOf(report, "config-txt");
    assert.equal(spi.status, "warn");
    assert.match(spi.detail, /\/boot\/firmware\/config\.txt: missing `dtparam=spi=on`/);
    assert.match(spi.hint ?? "", /add `dtparam=spi=on` to \/boot\/firmware\/config\.txt, then `sudo reboot`/);
    assert.match(
      lineOf(human.stdout, "config.txt"),
      /⚠ config\.txt .*missing `dtparam=spi=on`\n\s+fix: add `dtparam=spi=on`/,
    );

    const groups = checkOf(report, "groups");
    assert.equal(groups.status, "warn");
    assert.match(
      groups.detail,
      /user pi is not in the gpio \(\/dev\/gpiochip0, \/dev\/gpiochip10, \/dev\/gpiochip11 and 7 more\) group$/,
    );
    assert.match(groups.hint ?? "", /`sudo usermod -aG gpio pi`, then log out and in again/);

    const power = checkOf(report, "power");
    assert.equal(power.status, "warn");
    assert.match(power.detail, /since boot: under-voltage, throttled \(0x50000, vcgencmd get_throttled\)/);
    assert.match(power.hint ?? "", /official 27 W USB-C supply \(5\.1 V, 5 A\)/);

    const clock = checkOf(report, "clock");
    assert.equal(clock.status, "fail");
    assert.match(clock.detail, /not synchronised \(timedatectl: NTPSynchronized=no\)/);
    assert.match(clock.hint ?? "", /`sudo timedatectl set-ntp true`/);

    if (mount) {
      const disk = checkOf(report, "disk");
      assert.equal(disk.status, "fail");
      assert.match(disk.detail, /only .* free of 16 MB \(\d\.\d %\), below DISK_FREE_CRITICAL_PCT=5 %/);
      assert.match(disk.hint ?? "", /du -xh --max-depth=2 .* \| sort -h/);
    }

    const database = checkOf(report, "database");
    assert.equal(database.status, "fail");
    assert.match(
      database.detail,
      /seroma\.db is damaged \(SQLITE_NOTADB: file is not a database\); newest backup: seroma-20261205-033000\.db/,
    );
    assert.ok(database.hint?.includes(`cp ${backup} ${join(dataDir, "seroma.db")}`), database.hint);
    assert.match(database.hint ?? "", /^restore the newest backup: `sudo systemctl stop seroma && /);

    const telegram = checkOf(report, "telegram");
    assert.equal(telegram.status, "fail");
    assert.match(telegram.detail, /127\.0\.0\.1:\d+ refused the token \(401 Unauthorized\)/);
    assert.match(telegram.hint ?? "", /check TELEGRAM_BOT_TOKEN with @BotFather/);
    for (const out of [human.stdout, human.stderr, json.stdout]) {
      assert.ok(!out.includes(WRONG_TOKEN) && !out.includes("WRONG-token"), "the token is never printed");
    }

    // what works on a Pi 5 with Trixie: libgpiod 2's tools, the RP1 chip, the kernel's DHT22
    assert.match(checkOf(report, "pir").detail, /GPIO 17 on gpiochip0 \[pinctrl-rp1\] reads 0 \(gpiomon v2\.2\.1/);
    assert.match(checkOf(report, "climate").detail, /22\.1 °C, 51\.2 %/);
    assert.match(checkOf(report, "board").detail, /Raspberry Pi 5 Model B Rev 1\.0; Debian GNU\/Linux 13 \(trixie\)/);
    const reader = checkOf(report, "card-reader");
    assert.equal(reader.status, "warn");
    // The reader's driver speaks SPI through the kernel (every Pi, the Pi 5 too): SPI is off here.
    assert.match(
      reader.detail,
      /^mfrc522: \/dev\/spidev0\.0 does not exist: the kernel's SPI driver is off \(HARDWARE=auto: the console simulates it\)/,
    );
    assert.match(reader.hint ?? "", /dtparam=spi=on/);

    for (const c of report.checks) {
      if (c.status === "warn" || c.status === "fail") {
        assert.match(lineOf(human.stdout, c.title.replace(/[()]/g, "\\$&")), /\n\s+fix: \S/, `${c.id} shows its fix`);
      }
    }
  });

  test("a probe that hangs: its check is reported as timed out, the doctor finishes and kills it", async () => {
    const pi = await fakePi({ ...PI4_BOOKWORM, throttled: "hang", throttledSysfs: undefined });
    const env = roomEnv(pi, { DATA_DIR: join(pi.work, "data") });
    const run = await runDoctorProcess(env, ["--json", "--timeout", "3"]);
    assert.equal(run.code, 1, run.stderr);
    const power = checkOf(parse(run.stdout), "power");
    assert.equal(power.status, "fail");
    assert.match(power.detail, /^timed out: no answer within 3 s/);
    assert.match(power.hint ?? "", /run `vcgencmd get_throttled` by hand/);
    const pid = Number(readFileSync(pi.hangPidFile, "utf8"));
    assert.ok(pid > 0);
    assert.equal(processExists(pid), false, "the hung vcgencmd was killed");
  });

  test("Telegram cannot be reached: a fail with the network hint, the token never printed", async () => {
    const pi = await fakePi(PI4_BOOKWORM);
    const gone = await startLocalBotApi({ token: TOKEN });
    const apiRoot = gone.apiRoot;
    await gone.close(); // nothing listens there any more
    const env = roomEnv(pi, { DATA_DIR: join(pi.work, "data"), TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: apiRoot });
    const run = await runDoctorProcess(env, ["--json"]);
    assert.equal(run.code, 1);
    const telegram = checkOf(parse(run.stdout), "telegram");
    assert.equal(telegram.status, "fail");
    assert.equal(telegram.detail, `cannot reach ${new URL(apiRoot).host} (ECONNREFUSED)`);
    assert.match(
      telegram.hint ?? "",
      /check the Pi's network and DNS: `curl -sI http:\/\/127\.0\.0\.1:\d+` must answer/,
    );
    assert.ok(!run.stdout.includes(TOKEN));
  });

  test("a bad configuration: every problem listed, and the checks that need it say so", async () => {
    const pi = await fakePi(PI4_BOOKWORM);
    const env = roomEnv(pi, { DATA_DIR: join(pi.work, "data"), DHT_PIN: "40", LCD_I2C_ADDRESS: "0x99" });
    const run = await runDoctorProcess(env, ["--json"]);
    assert.equal(run.code, 1);
    const report = parse(run.stdout);
    const config = checkOf(report, "config");
    assert.equal(config.status, "fail");
    assert.match(
      config.detail,
      /seroma\.env: 2 problems: .*DHT_PIN: .*; LCD_I2C_ADDRESS: must lie within 0x03\.\.0x77/,
    );
    assert.match(
      config.hint ?? "",
      /correct those values in .*seroma\.env \(every variable is described in \.env\.example\)/,
    );
    for (const id of ["disk", "database", "telegram", "climate", "lcd"]) {
      assert.equal(checkOf(report, id).status, "skip");
      assert.match(checkOf(report, id).detail, /the configuration does not parse/);
    }
  });
});

describe("npm run doctor on this machine (not a Raspberry Pi)", { timeout: 60_000 }, () => {
  const model = "/proc/device-tree/model";
  const isPi = existsSync(model) && readFileSync(model, "latin1").startsWith("Raspberry Pi");

  test("board: not a Raspberry Pi; the devices are skipped or warned about, saying why", {
    skip: isPi && "this is a Raspberry Pi",
  }, async () => {
    const work = mkdtempSync(join(tmpdir(), "seroma-doctor-here-"));
    cleanups.push(() => rmSync(work, { recursive: true, force: true }));
    const envFile = writeEnvFile(join(work, "seroma.env"), { DATA_DIR: join(work, "data"), MOTION_PIR_PIN: "17" });
    const run = await runDoctorProcess({ PATH: process.env.PATH ?? "/usr/bin:/bin", ENV_FILE: envFile }, ["--json"]);
    const report = parse(run.stdout);
    assert.equal(report.root, "/");

    const board = checkOf(report, "board");
    assert.equal(board.status, "warn");
    assert.match(board.detail, /^not a Raspberry Pi \(/);
    assert.match(board.hint ?? "", /HARDWARE=sim/);
    for (const id of ["config-txt", "groups", "power", "climate", "card-reader", "lcd", "pir"]) {
      const c = checkOf(report, id);
      assert.equal(c.status, "skip", `${id}: ${c.detail}`);
      assert.match(c.detail, /not a Raspberry Pi/);
    }
    const camera = checkOf(report, "camera");
    assert.ok(camera.status === "skip" || camera.status === "ok", `${camera.status}: ${camera.detail}`);

    // the Node.js this machine runs, judged as it is
    const node = checkOf(report, "node");
    assert.ok(node.detail.startsWith(`v${process.versions.node}`), node.detail);
    assert.equal(node.status, Number(process.versions.node.split(".")[0]) >= 22 ? "ok" : "fail");
    assert.equal(run.code, report.checks.some((c) => c.status === "fail") ? 1 : 0);
  });
});
