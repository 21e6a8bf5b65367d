/**
 * The storage watch through a fake disk (measure), a fake alert engine and a fake media
 * retention (makeRoom): the storage.space condition set from the free space, old media
 * deleted to make room before warning, failures logged and never thrown, one run at a time.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Incident, Severity } from "../../core/alerts/types.ts";
import { type Logger, silentLogger } from "../../core/logger.ts";
import { createStorageWatchJob, type DiskSpace, type StorageWatchDeps } from "../../jobs/storage-watch-job.ts";
import { ManualClock, ManualScheduler } from "../support/fakes.ts";
import { captureLogs } from "../support/log-capture.ts";

const GB = 1024 ** 3;
const MB = 1024 ** 2;
const NOW = Date.parse("2026-11-23T10:00:00Z");
const THRESHOLDS = { warnFreePct: 15, criticalFreePct: 5, criticalFreeBytes: 200 * MB };

interface ConditionCall {
  severity: Severity | undefined;
  details: Incident["details"] | undefined;
  at: number;
  nowDetails: Incident["details"] | undefined;
}

function setup(
  opts: {
    disk?: DiskSpace;
    makeRoom?: StorageWatchDeps["makeRoom"];
    measure?: StorageWatchDeps["measure"];
    engineFails?: boolean;
    logger?: Logger;
  } = {},
) {
  const clock = new ManualClock(NOW);
  const scheduler = new ManualScheduler();
  const disk: DiskSpace = { ...(opts.disk ?? { free: 16 * GB, size: 32 * GB }) };
  const measured: string[] = [];
  const conditions: ConditionCall[] = [];
  const job = createStorageWatchJob({
    dir: "/var/lib/seroma",
    thresholds: THRESHOLDS,
    engine: {
      async setCondition(rule, problem, at, nowDetails) {
        assert.equal(rule, "storage.space");
        if (opts.engineFails) throw new Error("engine stopped");
        conditions.push({ severity: problem?.severity, details: problem?.details, at, nowDetails });
      },
    },
    ...(opts.makeRoom ? { makeRoom: opts.makeRoom } : {}),
    scheduler,
    clock,
    logger: opts.logger ?? silentLogger,
    measure:
      opts.measure ??
      (async (dir) => {
        measured.push(dir);
        return { ...disk };
      }),
    timeZone: "UTC",
  });
  return { clock, scheduler, disk, measured, conditions, job };
}

describe("storage watch job", () => {
  test("start measures at once and every minute (starting twice schedules once); enough space resolves the condition", async () => {
    const { scheduler, measured, conditions, job } = setup();
    await job.start();
    await job.start();
    assert.deepEqual(
      scheduler.active().map((e) => [e.name, e.expression]),
      [["storage-watch", "15 * * * * *"]],
    );
    assert.deepEqual(measured, ["/var/lib/seroma"], "measured once at start");
    const details = { free: "16.0 GB", size: "32.0 GB", pct: "50.0", path: "/var/lib/seroma" };
    assert.deepEqual(conditions, [{ severity: undefined, details: undefined, at: NOW, nowDetails: details }]);
    await scheduler.tick("storage-watch");
    assert.equal(conditions.length, 2);
    await job.stop();
    assert.deepEqual(scheduler.active(), []);
  });

  test("below the warning share: a warning; below the critical share or the floor in bytes: critical", async () => {
    const { disk, conditions, job } = setup();
    disk.free = 3.2 * GB; // 10 %
    await job.runNow();
    disk.free = 1.28 * GB; // 4 %
    await job.runNow();
    disk.size = 1 * GB;
    disk.free = 150 * MB; // 14.6 %, but under 200 MB
    await job.runNow();
    assert.deepEqual(
      conditions.map((c) => [c.severity, c.details?.pct]),
      [
        ["warning", "10.0"],
        ["critical", "4.0"],
        ["critical", "14.6"],
      ],
    );
    assert.deepEqual(conditions[0]?.details, {
      free: "3.2 GB",
      size: "32.0 GB",
      pct: "10.0",
      path: "/var/lib/seroma",
    });
  });

  test("low on space: old media make room up to the warning level plus a margin; measured again, it is fine", async () => {
    const asked: number[] = [];
    let disk: DiskSpace | undefined;
    const t = setup({
      disk: { free: 3.2 * GB, size: 32 * GB },
      makeRoom: async (bytes) => {
        asked.push(bytes);
        if (disk) disk.free += bytes;
        return { freedBytes: bytes };
      },
    });
    disk = t.disk;
    await t.job.runNow();
    // (15 % + 2 %) of 32 GB, less the 3.2 GB free.
    assert.deepEqual(asked, [Math.ceil(0.17 * 32 * GB - 3.2 * GB)]);
    assert.equal(t.measured.length, 2, "measured again after deleting");
    assert.deepEqual(
      t.conditions.map((c) => [c.severity, c.nowDetails?.pct]),
      [[undefined, "17.0"]],
    );
  });

  test("media that free nothing: no second measurement, the warning stands; without makeRoom (media on S3) it is judged as is", async () => {
    const nothing = setup({ disk: { free: 3.2 * GB, size: 32 * GB }, makeRoom: async () => ({ freedBytes: 0 }) });
    await nothing.job.runNow();
    assert.equal(nothing.measured.length, 1);
    assert.deepEqual(
      nothing.conditions.map((c) => c.severity),
      ["warning"],
    );

    const s3 = setup({ disk: { free: 3.2 * GB, size: 32 * GB } });
    await s3.job.runNow();
    assert.deepEqual(
      s3.conditions.map((c) => c.severity),
      ["warning"],
    );
  });

  test("a disk that cannot be read is logged, sets nothing, and the next minute measures again", async () => {
    const logs = captureLogs();
    let fail = true;
    const { scheduler, conditions, job } = setup({
      logger: logs.logger,
      measure: async () => {
        if (fail) throw new Error("ENOENT: no such file or directory");
        return { free: 16 * GB, size: 32 * GB };
      },
    });
    await job.start();
    assert.deepEqual(conditions, []);
    assert.deepEqual(logs.messages("warn"), ["cannot read the free space of DATA_DIR"]);
    fail = false;
    await scheduler.tick("storage-watch");
    assert.equal(conditions.length, 1);
    await job.stop();
  });

  test("making room that fails is logged; the first measurement is judged", async () => {
    const logs = captureLogs();
    const { conditions, job } = setup({
      logger: logs.logger,
      disk: { free: 1 * GB, size: 32 * GB },
      makeRoom: async () => {
        throw new Error("media index locked");
      },
    });
    assert.deepEqual(await job.runNow(), { free: 1 * GB, size: 32 * GB });
    assert.deepEqual(
      conditions.map((c) => c.severity),
      ["critical"],
    );
    assert.deepEqual(logs.messages("error"), ["could not make room by deleting old media"]);
  });

  test("an engine that throws: runNow resolves undefined, logged, never thrown", async () => {
    const logs = captureLogs();
    const { job } = setup({ logger: logs.logger, engineFails: true });
    assert.equal(await job.runNow(), undefined);
    assert.deepEqual(logs.messages("error"), ["storage watch failed"]);
  });

  test("one run at a time: requests during a run share it; stop waits for it", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let calls = 0;
    const { scheduler, job, conditions } = setup({
      measure: async () => {
        calls++;
        await gate;
        return { free: 16 * GB, size: 32 * GB };
      },
    });
    const starting = job.start();
    const second = job.runNow();
    const tick = scheduler.tick("storage-watch");
    assert.equal(calls, 1);
    let stopped = false;
    const stopping = job.stop().then(() => {
      stopped = true;
    });
    for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
    assert.equal(stopped, false, "stop waits for the measurement in progress");
    assert.deepEqual(scheduler.active(), [], "but no new minute comes");
    release();
    await Promise.all([starting, second, tick, stopping]);
    assert.equal(calls, 1);
    assert.equal(conditions.length, 1);
    assert.deepEqual(scheduler.active(), []);
  });
});
