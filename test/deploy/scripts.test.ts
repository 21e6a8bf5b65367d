/**
 * deploy/install.sh and deploy/update.sh, run for real against a fake root (--prefix) with
 * fake system programs first on PATH (systemctl, useradd, groupadd, usermod, getent,
 * raspi-config, chown, runuser, npm, node, id) that record what they were asked to do. The
 * fake systemctl plays a service that starts, or fails once (after "migrating" the database),
 * so the update's rollback is exercised. Each script runs from a copy of a checkout: the real
 * deploy/ folder and .env.example, with a stand-in main.ts and package.json.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

const FAKES: Record<string, string> = {
  // Records "systemctl ARGS"; plays the unit's state from $FAKE_STATE.
  systemctl: String.raw`
echo "systemctl $*" >>"$FAKE_LOG"
s=$FAKE_STATE
state=$(cat "$s/active" 2>/dev/null || echo inactive)
restarts=$(cat "$s/restarts" 2>/dev/null || echo 0)
case $1 in
  start|restart)
    fails=$(cat "$s/fail-starts" 2>/dev/null || echo 0)
    if [ "$fails" -gt 0 ]; then
      echo $((fails - 1)) >"$s/fail-starts"
      # The new version migrated the database, then crashed.
      echo "migrated by the new version" >"$FAKE_ROOT/var/lib/seroma/seroma.db"
      echo failed >"$s/active"
    else
      echo active >"$s/active"
    fi ;;
  stop) echo inactive >"$s/active" ;;
  is-active) echo "$state"; [ "$state" = active ] ;;
  show)
    sub=dead; [ "$state" = active ] && sub=running; [ "$state" = failed ] && sub=failed
    printf 'ActiveState=%s\nSubState=%s\nNRestarts=%s\n' "$state" "$sub" "$restarts" ;;
esac
exit 0`,
  getent: `
echo "getent $*" >>"$FAKE_LOG"
db=$1; name=$2
[ -f "$FAKE_STATE/$db" ] && grep -qx "$name" "$FAKE_STATE/$db"`,
  groupadd: `
echo "groupadd $*" >>"$FAKE_LOG"
for last; do :; done
echo "$last" >>"$FAKE_STATE/group"`,
  useradd: `
echo "useradd $*" >>"$FAKE_LOG"
for last; do :; done
echo "$last" >>"$FAKE_STATE/passwd"`,
  usermod: `echo "usermod $*" >>"$FAKE_LOG"`,
  "raspi-config": `echo "raspi-config $*" >>"$FAKE_LOG"`,
  chown: `echo "chown $*" >>"$FAKE_LOG"`,
  runuser: `echo "runuser $*" >>"$FAKE_LOG"`,
  // npm ci: records where it ran and leaves a node_modules behind.
  npm: `
echo "npm $* (in $PWD)" >>"$FAKE_LOG"
if [ "$1" = ci ]; then mkdir -p node_modules && echo installed >node_modules/.fake; fi`,
  node: `
if [ "$1" = --version ]; then echo "$FAKE_NODE_VERSION"; exit 0; fi
exec "$REAL_NODE" "$@"`,
  id: `
if [ "$1" = -u ]; then echo "$FAKE_UID"; else /usr/bin/id "$@"; fi`,
};

interface World {
  root: string;
  bin: string;
  state: string;
  log: string;
  env: Record<string, string>;
}

function world(opts: { raspiConfig?: boolean } = {}): World {
  const base = mkdtempSync(join(tmpdir(), "seroma-deploy-"));
  const w: World = {
    root: join(base, "root"),
    bin: join(base, "bin"),
    state: join(base, "state"),
    log: join(base, "commands.log"),
    env: {},
  };
  for (const dir of [w.root, w.bin, w.state]) mkdirSync(dir, { recursive: true });
  writeFileSync(w.log, "");
  for (const [name, body] of Object.entries(FAKES)) {
    if (name === "raspi-config" && opts.raspiConfig === false) continue;
    writeFileSync(join(w.bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(w.bin, name), 0o755);
  }
  w.env = {
    PATH: `${w.bin}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`,
    HOME: process.env.HOME ?? "/root",
    FAKE_LOG: w.log,
    FAKE_STATE: w.state,
    FAKE_ROOT: w.root,
    FAKE_NODE_VERSION: "v22.18.0",
    FAKE_UID: "0",
    REAL_NODE: process.execPath,
  };
  return w;
}

/** A checkout to install from: the real deploy/ and .env.example, a stand-in app of `version`. */
function checkout(version: string, opts: { doctor?: boolean } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "seroma-checkout-"));
  cpSync(join(ROOT, "deploy"), join(dir, "deploy"), { recursive: true });
  cpSync(join(ROOT, ".env.example"), join(dir, ".env.example"));
  const scripts: Record<string, string> = { start: "node main.ts" };
  if (opts.doctor) scripts.doctor = "node scripts/doctor.ts";
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "seroma", version, scripts }, null, 2));
  writeFileSync(join(dir, "package-lock.json"), "{}");
  writeFileSync(join(dir, "main.ts"), `console.log("seroma ${version}");\n`);
  mkdirSync(join(dir, "test"));
  writeFileSync(join(dir, "test", "x.test.ts"), "");
  mkdirSync(join(dir, "node_modules"));
  writeFileSync(join(dir, ".env"), "TELEGRAM_BOT_TOKEN=the developer's own\n");
  return dir;
}

function runScript(
  w: World,
  src: string,
  script: "install.sh" | "update.sh",
  args: string[],
  env: Record<string, string> = {},
) {
  const r = spawnSync("bash", [join(src, "deploy", script), ...args], {
    env: { ...w.env, ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}`, commands: commands(w) };
}

function commands(w: World): string[] {
  return readFileSync(w.log, "utf8").split("\n").filter(Boolean);
}

function mode(path: string): number {
  return statSync(path).mode & 0o777;
}

function version(dir: string): string {
  return (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string }).version;
}

const shellcheck = spawnSync("shellcheck", ["--version"]).status === 0;

describe("deploy scripts", () => {
  test("pass shellcheck", {
    skip: shellcheck ? false : "shellcheck is not installed (apt-get install shellcheck)",
  }, () => {
    const r = spawnSync("shellcheck", ["-x", "deploy/install.sh", "deploy/update.sh", "deploy/lib.sh", ".ci/run"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  test("install.sh: user and groups, /opt/seroma with its dependencies, settings 0600, I2C/SPI, the unit, enabled", () => {
    const w = world();
    const src = checkout("1.0.0");
    const r = runScript(w, src, "install.sh", ["--prefix", w.root]);
    assert.equal(r.code, 0, r.out);

    // The service user, its own group and the device groups.
    for (const group of ["seroma", "gpio", "i2c", "spi", "video"]) {
      assert.ok(r.commands.includes(`groupadd --system ${group}`), `groupadd ${group}: ${r.commands.join("\n")}`);
    }
    const useradd = r.commands.find((c) => c.startsWith("useradd "));
    assert.equal(
      useradd,
      "useradd --system --gid seroma --groups gpio,i2c,spi,video --home-dir /var/lib/seroma --no-create-home --shell /usr/sbin/nologin --comment Seroma server-room console seroma",
    );
    assert.equal(mode(join(w.root, "var/lib/seroma")), 0o750);
    assert.ok(r.commands.includes(`chown seroma:seroma ${w.root}/var/lib/seroma`));

    // The code: the checkout without what is local to a machine, dependencies by npm ci --omit=dev.
    const app = join(w.root, "opt/seroma");
    assert.equal(readFileSync(join(app, "main.ts"), "utf8"), 'console.log("seroma 1.0.0");\n');
    assert.ok(existsSync(join(app, "deploy/seroma.service")));
    for (const local of [".env", "test", ".git"]) assert.equal(existsSync(join(app, local)), false, local);
    assert.equal(readFileSync(join(app, "node_modules/.fake"), "utf8"), "installed\n");
    assert.ok(r.commands.includes(`npm ci --omit=dev --no-audit --no-fund (in ${app}.new)`), r.commands.join("\n"));
    assert.ok(r.commands.includes(`chown -R root:root ${app}.new`));
    assert.equal(existsSync(`${app}.new`), false);

    // Settings from .env.example: private, DATA_DIR the state directory.
    const envFile = join(w.root, "etc/seroma/seroma.env");
    assert.equal(mode(envFile), 0o600);
    assert.ok(r.commands.includes(`chown root:seroma ${envFile}`));
    const settings = readFileSync(envFile, "utf8");
    assert.match(settings, /^DATA_DIR=\/var\/lib\/seroma$/m);
    assert.match(settings, /^TELEGRAM_BOT_TOKEN=$/m);

    // I2C and SPI through raspi-config; the DHT22 overlay line printed.
    assert.ok(r.commands.includes("raspi-config nonint do_i2c 0"));
    assert.ok(r.commands.includes("raspi-config nonint do_spi 0"));
    assert.match(r.out, /^ {4}dtoverlay=dht11,gpiopin=4$/m);

    // The unit, with the node on PATH; enabled, not started without a token.
    const unit = join(w.root, "etc/systemd/system/seroma.service");
    assert.equal(mode(unit), 0o644);
    assert.match(
      readFileSync(unit, "utf8"),
      new RegExp(`^ExecStart=${w.bin}/node --max-semi-space-size=1 /opt/seroma/main.ts$`, "m"),
    );
    const systemctl = r.commands.filter((c) => c.startsWith("systemctl "));
    assert.deepEqual(systemctl, ["systemctl daemon-reload", "systemctl enable seroma.service"]);
    assert.match(r.out, /set TELEGRAM_BOT_TOKEN in \/etc\/seroma\/seroma\.env/);
    assert.equal(
      r.commands.some((c) => c.startsWith("runuser")),
      false,
      "no doctor where the project has none",
    );
  });

  test("install.sh again: the settings are kept, the user only gains groups, the service restarts once it has a token", () => {
    const w = world();
    const src = checkout("1.0.0", { doctor: true });
    assert.equal(runScript(w, src, "install.sh", ["--prefix", w.root]).code, 0);
    const envFile = join(w.root, "etc/seroma/seroma.env");
    writeFileSync(envFile, "TELEGRAM_BOT_TOKEN=123:abc\nADMIN_IDS=1\nDHT_PIN=17\n", { mode: 0o600 });
    writeFileSync(w.log, "");
    const r = runScript(w, src, "install.sh", ["--prefix", w.root]);
    assert.equal(r.code, 0, r.out);
    assert.equal(readFileSync(envFile, "utf8"), "TELEGRAM_BOT_TOKEN=123:abc\nADMIN_IDS=1\nDHT_PIN=17\n");
    assert.match(r.out, /keeping \/etc\/seroma\/seroma\.env/);
    assert.equal(
      r.commands.some((c) => c.startsWith("useradd") || c.startsWith("groupadd")),
      false,
      r.commands.join("\n"),
    );
    assert.ok(r.commands.includes("usermod --append --groups gpio,i2c,spi,video seroma"));
    assert.ok(r.commands.includes("systemctl restart seroma.service"));
    assert.match(r.out, /dtoverlay=dht11,gpiopin=17/);
    // The doctor runs as the service user, with the service's settings on stdin.
    assert.ok(
      r.commands.includes(
        `runuser -u seroma -- env -C ${w.root}/opt/seroma ENV_FILE=/dev/stdin DATA_DIR=/var/lib/seroma npm run --silent doctor`,
      ),
      r.commands.join("\n"),
    );
  });

  test("install.sh without raspi-config: the config.txt lines, added once", () => {
    const w = world({ raspiConfig: false });
    const src = checkout("1.0.0");
    const configTxt = join(w.root, "boot/firmware/config.txt");
    mkdirSync(join(w.root, "boot/firmware"), { recursive: true });
    writeFileSync(configTxt, "[all]\ndtparam=audio=on\n");
    assert.equal(runScript(w, src, "install.sh", ["--prefix", w.root]).code, 0);
    assert.equal(runScript(w, src, "install.sh", ["--prefix", w.root]).code, 0);
    assert.equal(readFileSync(configTxt, "utf8"), "[all]\ndtparam=audio=on\ndtparam=i2c_arm=on\ndtparam=spi=on\n");
  });

  test("install.sh --dry-run: says what it would do, changes nothing", () => {
    const w = world();
    const src = checkout("1.0.0");
    const r = runScript(w, src, "install.sh", ["--dry-run", "--prefix", w.root]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /would run: useradd --system --gid seroma/);
    assert.match(r.out, /would run: env -C \S+\/opt\/seroma\.new npm ci --omit=dev/);
    assert.match(r.out, /would run: systemctl enable seroma\.service/);
    assert.match(r.out, /would create \/etc\/seroma\/seroma\.env/);
    assert.deepEqual(
      r.commands.filter((c) => !c.startsWith("getent")),
      [],
      "only look-ups",
    );
    assert.equal(existsSync(join(w.root, "opt")), false);
    assert.equal(existsSync(join(w.root, "etc")), false);
  });

  test("install.sh refuses without root, and on a Node older than 22.18", () => {
    const w = world();
    const src = checkout("1.0.0");
    const notRoot = runScript(w, src, "install.sh", [], { FAKE_UID: "1000" });
    assert.equal(notRoot.code, 1);
    assert.match(notRoot.out, /run as root/);
    const oldNode = runScript(w, src, "install.sh", ["--prefix", w.root], { FAKE_NODE_VERSION: "v20.20.2" });
    assert.equal(oldNode.code, 1);
    assert.match(oldNode.out, /node v20\.20\.2 is too old: Seroma needs Node\.js >= 22\.18/);
    assert.deepEqual(notRoot.commands.concat(oldNode.commands), [], "nothing done");
  });
});

describe("update.sh", () => {
  function installed(): { w: World; db: string } {
    const w = world();
    assert.equal(runScript(w, checkout("1.0.0"), "install.sh", ["--prefix", w.root]).code, 0);
    const db = join(w.root, "var/lib/seroma/seroma.db");
    writeFileSync(db, "the room's data\n");
    writeFileSync(`${db}-wal`, "its wal\n");
    writeFileSync(join(w.state, "active"), "active\n");
    writeFileSync(w.log, "");
    return { w, db };
  }

  test("backs up, swaps in the new version, restarts and waits until systemd reports it ready", () => {
    const { w, db } = installed();
    const r = runScript(w, checkout("2.0.0"), "update.sh", ["--prefix", w.root, "--timeout", "5", "--settle", "1"]);
    assert.equal(r.code, 0, r.out);
    assert.equal(version(join(w.root, "opt/seroma")), "2.0.0");
    assert.equal(version(join(w.root, "opt/seroma.prev")), "1.0.0");
    const backup = join(w.root, "var/lib/seroma/update-backup");
    assert.equal(readFileSync(join(backup, "seroma.db"), "utf8"), "the room's data\n");
    assert.equal(readFileSync(join(backup, "seroma.db-wal"), "utf8"), "its wal\n");
    assert.equal(readFileSync(db, "utf8"), "the room's data\n");
    const systemctl = r.commands.filter((c) => c.startsWith("systemctl ") && !c.startsWith("systemctl show"));
    assert.deepEqual(systemctl, [
      "systemctl stop seroma.service",
      "systemctl daemon-reload",
      "systemctl reset-failed seroma.service",
      "systemctl start seroma.service",
    ]);
    assert.ok(r.commands.some((c) => c.startsWith("systemctl show -p ActiveState -p SubState -p NRestarts")));
    // npm ci ran for the new version before the service was stopped.
    const npm = r.commands.findIndex((c) => c.startsWith("npm ci"));
    const stop = r.commands.indexOf("systemctl stop seroma.service");
    assert.ok(npm >= 0 && npm < stop, r.commands.join("\n"));
    assert.match(r.out, /is active \(running\)/);
  });

  test("a new version that fails: the previous code and the database come back, the old version runs, exit 1", () => {
    const { w, db } = installed();
    writeFileSync(join(w.state, "fail-starts"), "1\n");
    const r = runScript(w, checkout("2.0.0"), "update.sh", ["--prefix", w.root, "--timeout", "5", "--settle", "1"]);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /did not start: rolling back/);
    assert.match(r.out, /rolled back: the previous version runs again/);
    assert.equal(version(join(w.root, "opt/seroma")), "1.0.0");
    assert.equal(version(join(w.root, "opt/seroma.failed")), "2.0.0");
    assert.equal(readFileSync(db, "utf8"), "the room's data\n", "the new version's migration undone");
    assert.equal(readFileSync(`${db}-wal`, "utf8"), "its wal\n");
    const starts = r.commands.filter((c) => c === "systemctl start seroma.service");
    assert.equal(starts.length, 2, "the new version, then the old one");
    assert.equal(readFileSync(join(w.state, "active"), "utf8").trim(), "active");
  });

  test("without an installation it refuses; --dry-run changes nothing", () => {
    const w = world();
    const none = runScript(w, checkout("2.0.0"), "update.sh", ["--prefix", w.root]);
    assert.equal(none.code, 1);
    assert.match(none.out, /install first/);
    const { w: w2, db } = installed();
    const dry = runScript(w2, checkout("2.0.0"), "update.sh", ["--dry-run", "--prefix", w2.root]);
    assert.equal(dry.code, 0, dry.out);
    assert.match(dry.out, /would run: systemctl stop seroma\.service/);
    assert.match(dry.out, /would run: cp -p \S+seroma\.db \S+update-backup\//);
    assert.deepEqual(
      dry.commands.filter((c) => !c.startsWith("systemctl show")),
      [],
    );
    assert.equal(version(join(w2.root, "opt/seroma")), "1.0.0");
    assert.equal(readFileSync(db, "utf8"), "the room's data\n");
  });
});
