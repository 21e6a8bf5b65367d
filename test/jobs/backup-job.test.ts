/**
 * The backup job over a real SQLite file and the real backup files (storage/sqlite/backup.ts):
 * the nightly schedule, the newest N kept, a failure reported as a notice, one run at a
 * time (a second request joins it), stop waiting for a run, uploads and their failures.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { describe, type TestContext, test } from "node:test";
import type { Notice } from "../../core/alerts/types.ts";
import { type Logger, silentLogger } from "../../core/logger.ts";
import type { BackupUploader, Storage } from "../../core/storage.ts";
import { type BackupJobDeps, createBackupJob } from "../../jobs/backup-job.ts";
import { listBackups, pruneBackups } from "../../storage/sqlite/backup.ts";
import { createSqliteStorage } from "../../storage/sqlite/index.ts";
import { ManualClock, ManualScheduler } from "../support/fakes.ts";
import { captureLogs } from "../support/log-capture.ts";

const DAY = 86_400_000;
/** 02:30 in Berlin (UTC+1 in November). */
const NIGHT = Date.parse("2026-11-23T01:30:00Z");

type BackupStorage = BackupJobDeps["storage"];

function setup(
  t: TestContext,
  opts: {
    keep?: number;
    at?: string | undefined;
    storage?: (real: BackupStorage) => BackupStorage;
    upload?: BackupUploader;
    logger?: Logger;
  } = {},
) {
  const dataDir = mkdtempSync(join(tmpdir(), "seroma-backup-"));
  const dir = join(dataDir, "backups");
  const storage = createSqliteStorage({ dataDir });
  t.after(() => storage.close());
  const clock = new ManualClock(NIGHT);
  const scheduler = new ManualScheduler();
  const notices: Notice[] = [];
  const job = createBackupJob({
    roomId: "lab",
    storage: opts.storage ? opts.storage(storage) : storage,
    dir,
    keep: opts.keep ?? 3,
    at: "at" in opts ? opts.at : "02:30",
    timeZone: "Europe/Berlin",
    scheduler,
    clock,
    logger: opts.logger ?? silentLogger,
    notify: async (n) => void notices.push(n),
    files: { list: listBackups, prune: pruneBackups },
    ...(opts.upload ? { upload: opts.upload } : {}),
  });
  return { dir, storage, clock, scheduler, notices, job };
}

/** A storage whose backups wait until `release()`; `calls` counts them. */
function gated(real: BackupStorage) {
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const state = { calls: 0, release: () => release() };
  const storage: BackupStorage = {
    kind: real.kind,
    async backup(dir, at) {
      state.calls++;
      await gate;
      return (real.backup as NonNullable<Storage["backup"]>).call(real, dir, at);
    },
  };
  return { storage, state };
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
};

describe("backup job", () => {
  test("start schedules the nightly run at BACKUP_AT (room's zone); stop removes it; no time: no schedule", async (t) => {
    const nightly = setup(t);
    await nightly.job.start();
    assert.deepEqual(
      nightly.scheduler.active().map((e) => [e.name, e.expression]),
      [["backup", "0 30 2 * * *"]],
    );
    await nightly.job.stop();
    assert.deepEqual(nightly.scheduler.active(), []);

    const manual = setup(t, { at: undefined });
    await manual.job.start();
    assert.deepEqual(manual.scheduler.active(), []);
    const outcome = await manual.job.runNow();
    assert.equal(outcome.ok, true, "runNow works without a nightly time");
    await manual.job.stop();
  });

  test("each night writes a copy of the database and keeps the newest N; older ones are pruned", async (t) => {
    const { dir, storage, clock, scheduler, notices, job } = setup(t, { keep: 2 });
    await storage.readings.add({ roomId: "lab", at: NIGHT - 1000, temperatureC: 21.5, humidityPct: 40 });
    await job.start();
    const kept: string[][] = [];
    for (let night = 0; night < 3; night++) {
      await scheduler.tick("backup");
      kept.push((await listBackups(dir)).map((f) => basename(f)));
      clock.advance(DAY);
    }
    assert.deepEqual(kept, [
      ["seroma-20261123-013000.db"],
      ["seroma-20261124-013000.db", "seroma-20261123-013000.db"],
      ["seroma-20261125-013000.db", "seroma-20261124-013000.db"],
    ]);
    assert.deepEqual(notices, [], "a good backup tells nobody");

    // What /backup hears of a run: the copy, how many are kept and how many went.
    const outcome = await job.runNow();
    assert.ok(outcome.ok);
    assert.equal(outcome.file, join(dir, "seroma-20261126-013000.db"));
    assert.ok(outcome.bytes > 0);
    assert.equal(outcome.kept, 2);
    assert.equal(outcome.pruned, 1);
    // The copy is a database of its own, with what was stored.
    const copy = createSqliteStorage({ file: outcome.file });
    try {
      assert.equal(await copy.readings.count("lab"), 1);
    } finally {
      await copy.close();
    }
    await job.stop();
  });

  test("a failed nightly backup is a backup-failed notice (error cut to 300 characters), never thrown", async (t) => {
    const logs = captureLogs();
    const long = `disk full: ${"x".repeat(400)}`;
    const { clock, scheduler, notices, job } = setup(t, {
      logger: logs.logger,
      storage: (real) => ({
        kind: real.kind,
        backup: async () => {
          throw new Error(long);
        },
      }),
    });
    await job.start();
    await scheduler.tick("backup");
    assert.deepEqual(notices, [
      {
        kind: "backup-failed",
        roomId: "lab",
        severity: "warning",
        at: clock.now().getTime(),
        details: { error: long.slice(0, 300) },
      },
    ]);
    assert.deepEqual(logs.messages("error"), ["backup failed"]);
    await job.stop();
  });

  test("runNow (/backup) returns a failure's reason and sends no notice: the person who asked sees it", async (t) => {
    const { notices, job } = setup(t, {
      storage: (real) => ({
        kind: real.kind,
        backup: async () => {
          throw new Error("database is locked");
        },
      }),
    });
    assert.deepEqual(await job.runNow(), { ok: false, error: "database is locked" });
    assert.deepEqual(notices, []);
  });

  test("a backend without a local database says why, and the night reports it", async (t) => {
    const { scheduler, notices, job } = setup(t, { storage: () => ({ kind: "aws" }) });
    const outcome = await job.runNow();
    assert.equal(outcome.ok, false);
    assert.match(outcome.ok ? "" : outcome.error, /the aws backend keeps no local database to copy/);
    await job.start();
    await scheduler.tick("backup");
    assert.deepEqual(
      notices.map((n) => n.kind),
      ["backup-failed"],
    );
    await job.stop();
  });

  test("one run at a time: requests during a run share it; the next request after it is a new run", async (t) => {
    let gate: ReturnType<typeof gated> | undefined;
    const { scheduler, job } = setup(t, {
      storage: (real) => {
        gate = gated(real);
        return gate.storage;
      },
    });
    assert.ok(gate);
    await job.start();
    const first = job.runNow();
    const second = job.runNow();
    const nightly = scheduler.tick("backup");
    await settle();
    assert.equal(gate.state.calls, 1, "one copy for three requests");
    gate.state.release();
    const [a, b] = await Promise.all([first, second, nightly]);
    assert.equal(a, b, "the same outcome");
    assert.ok(a.ok);

    await job.runNow();
    assert.equal(gate.state.calls, 2, "a request after the run is a run of its own");
    await job.stop();
  });

  test("stop removes the schedule and waits for a run in progress to finish", async (t) => {
    let gate: ReturnType<typeof gated> | undefined;
    const { dir, scheduler, job } = setup(t, {
      storage: (real) => {
        gate = gated(real);
        return gate.storage;
      },
    });
    assert.ok(gate);
    await job.start();
    const run = job.runNow();
    await settle();
    let stopped = false;
    const stopping = job.stop().then(() => {
      stopped = true;
    });
    await settle();
    assert.equal(stopped, false, "stop waits for the copy");
    assert.deepEqual(scheduler.active(), [], "no new night is scheduled meanwhile");
    gate.state.release();
    await stopping;
    assert.ok((await run).ok);
    assert.equal((await listBackups(dir)).length, 1, "the copy finished before stop returned");
  });

  test("an upload's URL is in the outcome; a failed upload keeps the local copy and says why", async (t) => {
    const uploaded: string[] = [];
    let fail = false;
    const { dir, clock, job } = setup(t, {
      upload: async (file) => {
        if (fail) throw new Error("AccessDenied");
        uploaded.push(file);
        return `s3://bucket/lab/${basename(file)}`;
      },
    });
    const ok = await job.runNow();
    assert.ok(ok.ok);
    assert.deepEqual(ok.upload, { ok: true, url: "s3://bucket/lab/seroma-20261123-013000.db" });
    assert.deepEqual(uploaded, [ok.file]);

    fail = true;
    clock.advance(DAY);
    const failed = await job.runNow();
    assert.ok(failed.ok, "the backup itself worked");
    assert.deepEqual(failed.upload, { ok: false, error: "AccessDenied" });
    assert.equal((await listBackups(dir)).length, 2);
  });
});
