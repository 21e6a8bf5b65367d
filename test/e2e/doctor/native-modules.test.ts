/**
 * `npm run doctor` with broken native modules (the real process on the fake Pi 4; a preload
 * makes chosen packages fail to load exactly as Node reports a module built for another
 * Node.js, or one npm dropped): required ones fail with `npm rebuild NAME`, optional ones
 * warn with the install command, and the doctor itself still runs every other check.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  checkOf,
  createDatabaseWithBackup,
  type DoctorJson,
  runDoctorProcess,
  writeEnvFile,
} from "../../support/doctor-process.ts";
import { createFakePi, type FakePi, PI4_BOOKWORM } from "../../support/fake-pi.ts";

const PRELOAD = fileURLToPath(new URL("./break-modules.mjs", import.meta.url));
const pis: FakePi[] = [];
after(() => {
  for (const pi of pis) pi.cleanup();
});

async function doctorWithBroken(modules: string): Promise<{ code: number | null; report: DoctorJson }> {
  const pi = await createFakePi(PI4_BOOKWORM);
  pis.push(pi);
  const dataDir = join(pi.work, "data");
  await createDatabaseWithBackup(dataDir);
  const envFile = writeEnvFile(join(pi.work, "seroma.env"), { DATA_DIR: dataDir });
  const run = await runDoctorProcess(
    {
      ...pi.env(),
      ENV_FILE: envFile,
      DOCTOR_NODE_VERSION: "22.12.0",
      NODE_OPTIONS: `--import ${PRELOAD}`,
      SEROMA_BREAK_MODULES: modules,
    },
    ["--json"],
  );
  return { code: run.code, report: JSON.parse(run.stdout) as DoctorJson };
}

test("an optional module npm dropped: a warning naming the device and the install command; exit 0", {
  timeout: 60_000,
}, async () => {
  const { code, report } = await doctorWithBroken("i2c-bus=missing");
  const native = checkOf(report, "native-modules");
  assert.equal(native.status, "warn");
  assert.match(
    native.detail,
    /^optional i2c-bus \(the LCD\): not installed: the console simulates that device; load: better-sqlite3 /,
  );
  assert.match(native.hint ?? "", /`npm install --include=optional` in the project folder/);
  assert.equal(code, report.checks.some((c) => c.status === "fail") ? 1 : 0);
  assert.equal(checkOf(report, "lcd").status, "ok", "the LCD is still probed (through i2cget)");
  assert.equal(checkOf(report, "database").status, "ok");
});

test("better-sqlite3 built for another Node.js: a fail with `npm rebuild better-sqlite3`; the database check says why it cannot look", {
  timeout: 60_000,
}, async () => {
  const { code, report } = await doctorWithBroken("better-sqlite3=abi,onoff=abi");
  assert.equal(code, 1);
  const native = checkOf(report, "native-modules");
  assert.equal(native.status, "fail");
  assert.match(
    native.detail,
    /better-sqlite3 \(the database\): built for another Node\.js \(NODE_MODULE_VERSION 115, this Node needs 127\); onoff \(the PIR without libgpiod's tools\): built for another Node\.js/,
  );
  assert.match(
    native.hint ?? "",
    /`npm rebuild better-sqlite3` \(after a Node upgrade: `npm rebuild`\); `npm rebuild onoff`/,
  );
  assert.doesNotMatch(native.detail, /load: .*better-sqlite3/);
  const database = checkOf(report, "database");
  assert.equal(database.status, "fail");
  assert.match(
    database.detail,
    /cannot check .*seroma\.db: better-sqlite3 does not load \(The module '.*better_sqlite3\.node'\)/,
  );
  assert.match(database.hint ?? "", /`npm rebuild better-sqlite3`/);
  // every other check still ran
  assert.equal(report.checks.length, 16);
  assert.equal(checkOf(report, "board").status, "ok");
});
