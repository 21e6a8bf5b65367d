/**
 * Faults of the Pi's own storage, against the real console process: DATA_DIR full (a small
 * tmpfs filled up when this runs as root; else SQLite writes made to fail with SQLITE_FULL
 * by a preload), a corrupt database at start, a database that cannot be written.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { createSqliteStorage } from "../../../storage/sqlite/index.ts";
import { startConsole } from "../../support/console-process.ts";
import { ADMIN, checkServer, type FaultConsole, matching, privateChat, STAFF, startFaultConsole } from "./support.ts";

const consoles: FaultConsole[] = [];
const cleanups: Array<() => void> = [];
after(async () => {
  await Promise.all(consoles.map((c) => c.close()));
  for (const undo of cleanups.reverse()) undo();
});

const isRoot = process.getuid?.() === 0;
// SEROMA_FAULTS_NO_TMPFS=1: take the path a non-root run takes (SQLITE_FULL injected), to check it here.
const tmpfsAllowed = isRoot && process.env.SEROMA_FAULTS_NO_TMPFS !== "1";

/** A small tmpfs to fill up (root only); undefined where mounting is not possible. */
function smallTmpfs(sizeMb: number): string | undefined {
  if (!tmpfsAllowed) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "seroma-tmpfs-"));
  const r = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${sizeMb}m`, "tmpfs", dir]);
  if (r.status !== 0) return undefined;
  cleanups.push(() => spawnSync("umount", ["-l", dir]));
  return dir;
}

/** Fills the file system of `dir` to the last byte with a file; returns its path. */
function fill(dir: string): string {
  const file = join(dir, "filler");
  const fd = openSync(file, "w");
  const chunk = Buffer.alloc(64 * 1024, 0x5a);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOSPC") throw err;
  }
  try {
    for (;;) writeSync(fd, chunk, 0, 512);
  } catch {}
  closeSync(fd);
  return file;
}

describe("faults: the Pi's own storage (the real process)", () => {
  test("DATA_DIR full: alerts still go out, storage failing is itself an alert, and all is stored once there is room", async () => {
    const mount = smallTmpfs(24);
    const flag = join(mkdtempSync(join(tmpdir(), "seroma-full-")), "disk-full");
    const preload = fileURLToPath(new URL("./sqlite-full-preload.mjs", import.meta.url));
    const c = await startFaultConsole({
      ...(mount ? { dataDir: join(mount, "data") } : {}),
      env: mount
        ? { DISK_FREE_WARN_PCT: "10", DISK_FREE_CRITICAL_PCT: "5" }
        : { NODE_OPTIONS: `--import ${preload}`, SEROMA_FAULT_DISK_FULL: flag },
    });
    consoles.push(c);
    await c.api.waitFor(() => matching(c.group(), /Seroma started/)[0], 20_000);

    // The disk fills up.
    let filler = flag;
    if (mount) filler = fill(mount);
    else writeFileSync(flag, "");
    await c.fleet.get("web-1")?.setUp(false);
    await checkServer(c, "web-1");
    await c.api.waitFor(() => matching(c.group(), /web-1.*cannot be checked/s)[0], 20_000);
    await c.api.waitFor(() => matching(c.group(), /cannot write to its own storage/)[0], 20_000);

    // Room again: what was held is stored, and the group is told.
    rmSync(filler, { force: true });
    await c.api.waitFor(() => matching(c.group(), /writes to its storage again/)[0], 20_000);
    assert.equal(matching(c.group(), /web-1.*cannot be checked/s).length, 1, "the alert went out once");

    // After a restart, the incident is there (it was written once there was room).
    assert.equal(await c.stop(), 0);
    const storage = createSqliteStorage({ dataDir: c.dataDir });
    const open = (await storage.incidents.listOpen()).map((i) => i.rule);
    const undelivered = await storage.outbox.countPending("telegram");
    await storage.close();
    assert.ok(open.includes("server.down:web-1"), open.join(", "));
    assert.equal(undelivered, 0, "nothing left undelivered");
  });

  test("a corrupt database at start: set aside, the console starts, the admins are told how to restore", async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), "seroma-corrupt-")), "data");
    mkdirSync(dataDir, { recursive: true });
    // A healthy database with its nightly backup, then the live file is damaged.
    const healthy = createSqliteStorage({ dataDir });
    await healthy.readings.add({ roomId: "fault-room", at: 1, temperatureC: 21, humidityPct: 40 });
    const backup = await healthy.backup?.(join(dataDir, "backups"), Date.parse("2026-12-05T03:30:00Z"));
    await healthy.close();
    const c = await startFaultConsole({ dataDir, deferStart: true });
    consoles.push(c);
    writeFileSync(join(dataDir, "seroma.db"), Buffer.alloc(64 * 1024, 0x42));
    for (const suffix of ["-wal", "-shm"]) rmSync(join(dataDir, `seroma.db${suffix}`), { force: true });
    await c.start();
    const [told] = await c.api.waitFor(() => {
      const m = matching(c.privateTo(ADMIN), /could not be opened/);
      return m.length > 0 ? m : undefined;
    }, 20_000);
    assert.match(told?.text ?? "", /set aside/);
    assert.match(told?.text ?? "", /seroma\.db\.corrupt-/);
    assert.ok(backup);
    assert.ok(told?.text?.includes(`copy ${backup.file} to ${join(dataDir, "seroma.db")}`), told?.text);
    await c.api.waitFor(() => matching(c.group(), /could not be opened/)[0], 20_000);
    assert.match(c.run().output(), /could not be opened .* To restore: stop the console, copy/);
    assert.ok(
      readdirSync(dataDir).some((n) => n.startsWith("seroma.db.corrupt-")),
      "kept",
    );
    // The console works on the fresh one.
    const status = await c.ask(STAFF, "/status", privateChat(STAFF));
    assert.match(status.text ?? "", /Temperature/);
  });

  test("a database that cannot be written: exit 1 with one line saying what, where and how to fix it", async (t) => {
    const dataDir = join(mkdtempSync(join(tmpdir(), "seroma-readonly-")), "data");
    mkdirSync(dataDir, { recursive: true });
    const s = createSqliteStorage({ dataDir });
    await s.close();
    if (isRoot) {
      const bind = spawnSync("mount", ["--bind", dataDir, dataDir]);
      const ro = spawnSync("mount", ["-o", "remount,bind,ro", dataDir]);
      if (bind.status !== 0 || ro.status !== 0) {
        t.skip("cannot make a read-only mount here");
        return;
      }
      cleanups.push(() => spawnSync("umount", ["-l", dataDir]));
    } else {
      chmodSync(join(dataDir, "seroma.db"), 0o444);
      chmodSync(dataDir, 0o555);
      cleanups.push(() => chmodSync(dataDir, 0o755));
    }
    const run = startConsole({
      TELEGRAM_BOT_TOKEN: "5000000001:AAHlocalFaultTokenForSeroma-0123456789",
      TELEGRAM_API_ROOT: "http://127.0.0.1:9",
      ADMIN_IDS: "1001",
      DATA_DIR: dataDir,
      HARDWARE: "sim",
    });
    const { code } = await run.exited;
    assert.equal(code, 1, run.output());
    const lines = run.output().trim().split("\n");
    const line = lines.find((l) => l.startsWith("Seroma cannot start:"));
    assert.ok(line, run.output());
    assert.match(line, new RegExp(`${dataDir.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}/seroma\\.db`));
    assert.match(line, /read-only|cannot be opened/);
    assert.match(line, /DATA_DIR|write access/);
    assert.ok(!/^\s+at /m.test(run.output()), "no stack trace");
    assert.ok(existsSync(join(dataDir, "seroma.db")));
  });
});
