/**
 * The server-check job through a fake HostChecker (core/servers/ports.ts), the real SQLite
 * host catalogue and result store, and the real alert engine: per host, "down" after N
 * failed runs in a row (at once for a host key mismatch), a disk raised, escalated and
 * recovered; bounded concurrency; checkNow joining a run; the journal's look-back; failures
 * of the checker and of storage logged; forget; stop waiting for a run.
 */
import assert from "node:assert/strict";
import { describe, type TestContext, test } from "node:test";
import { type Logger, silentLogger } from "../../core/logger.ts";
import type { HostChecker, ServerResultRepository } from "../../core/servers/ports.ts";
import type { ConnectFailure, HostResult, HostSpec } from "../../core/servers/types.ts";
import { createServerCheckJob } from "../../jobs/server-check-job.ts";
import { createSqliteStorage } from "../../storage/sqlite/index.ts";
import { ManualClock, ManualScheduler } from "../support/fakes.ts";
import { captureLogs } from "../support/log-capture.ts";
import { recordingEngine } from "../support/recording-engine.ts";

const NOW = Date.parse("2026-11-23T10:00:00Z");
const MIN = 60_000;
const INTERVAL_MS = 5 * MIN;

const host = (name: string): HostSpec => ({
  name,
  address: "10.0.0.7",
  port: 22,
  user: "seroma",
  hostKey: "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
  checks: ["disk"],
  services: [],
  thresholds: { diskPct: 90, loadPerCore: 2, memoryPct: 90 },
});

/** A reachable host whose root file system is `usedPct` full. */
const healthy = (name: string, at: number, usedPct = 40): HostResult => ({
  host: name,
  at,
  durationMs: 12,
  reachable: true,
  checks: {
    disk: {
      ok: true,
      value: [{ mount: "/", filesystem: "/dev/sda1", sizeBytes: 100, usedBytes: usedPct, usedPct }],
    },
  },
});

const unreachable = (name: string, at: number, kind: ConnectFailure = "unreachable"): HostResult => ({
  host: name,
  at,
  durationMs: 3_000,
  reachable: false,
  failure: { kind, message: kind === "unreachable" ? "connect ECONNREFUSED 10.0.0.7:22" : `ssh: ${kind}` },
  checks: {},
});

type Answer = (spec: HostSpec, at: number) => HostResult | Promise<HostResult>;

async function setup(
  t: TestContext,
  opts: {
    hosts?: string[];
    downAfter?: number;
    concurrency?: number;
    logger?: Logger;
    results?: (real: ServerResultRepository) => ServerResultRepository;
  } = {},
) {
  const clock = new ManualClock(NOW);
  const scheduler = new ManualScheduler();
  const storage = createSqliteStorage({ file: ":memory:" });
  t.after(() => storage.close());
  for (const name of opts.hosts ?? ["db1", "web1"]) await storage.hosts.add("lab", host(name));
  const { engine, notices } = recordingEngine({ roomId: "lab", clock, storage });
  await engine.start();

  /** How each host answers (default: healthy); every call is recorded. */
  const answers = new Map<string, Answer>();
  const calls: Array<{ host: string; journalSince: number | undefined }> = [];
  const check: HostChecker = async (spec, o) => {
    calls.push({ host: spec.name, journalSince: o?.journalSince });
    const answer = answers.get(spec.name) ?? ((s, at) => healthy(s.name, at));
    return answer(spec, clock.now().getTime());
  };
  const job = createServerCheckJob({
    roomId: "lab",
    hosts: storage.hosts,
    results: opts.results ? opts.results(storage.serverResults) : storage.serverResults,
    check,
    engine,
    scheduler,
    clock,
    logger: opts.logger ?? silentLogger,
    cron: "0 */5 * * * *",
    concurrency: opts.concurrency ?? 4,
    downAfter: opts.downAfter ?? 3,
    intervalMs: INTERVAL_MS,
    keepResultsMs: 7 * 24 * 60 * MIN,
  });
  /** One scheduled run (as node-cron fires it), five minutes after the last. */
  const nextRun = async () => {
    clock.advance(INTERVAL_MS);
    await scheduler.tick("server-check");
    await engine.idle();
  };
  const seen = () => notices.map((n) => `${n.kind} ${n.rule} ${n.severity}`);
  return { clock, scheduler, storage, engine, answers, calls, job, nextRun, seen };
}

/** A checker answer that waits until released; `started` resolves when the check began. */
function held(result: (spec: HostSpec, at: number) => HostResult) {
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  let began!: () => void;
  const started = new Promise<void>((r) => {
    began = r;
  });
  const answer: Answer = async (spec, at) => {
    began();
    await gate;
    return result(spec, at);
  };
  return { answer, started, release: () => release() };
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
};

/** Turns of the event loop until `cond` holds (no clock involved; gives up after many turns). */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1_000 && !cond(); i++) await new Promise<void>((r) => setImmediate(r));
  assert.ok(cond(), "condition never held");
}

describe("server-check job", () => {
  test("start schedules the checks and checks every host at once; results are stored; stop removes the schedule", async (t) => {
    const { scheduler, storage, calls, job } = await setup(t);
    await job.start();
    assert.deepEqual(
      scheduler.active().map((e) => [e.name, e.expression]),
      [["server-check", "0 */5 * * * *"]],
    );
    await job.runAll(); // joins the run start() began: no second check
    assert.deepEqual(calls.map((c) => c.host).sort(), ["db1", "web1"]);
    const latest = await storage.serverResults.latestPerHost("lab");
    assert.deepEqual([...latest.keys()], ["db1", "web1"]);
    assert.equal(latest.get("web1")?.reachable, true);
    await job.stop();
    assert.deepEqual(scheduler.active(), []);
  });

  test("a host is down after N failed runs in a row, once; the next good run recovers it; other hosts are untouched", async (t) => {
    const { answers, job, nextRun, seen } = await setup(t, { downAfter: 3 });
    answers.set("web1", (s, at) => unreachable(s.name, at));
    await job.start();
    await job.runAll();
    await nextRun();
    assert.deepEqual(seen(), [], "two failures: not down yet");
    await nextRun();
    assert.deepEqual(seen(), ["raised server.down:web1 critical"]);
    await nextRun();
    assert.deepEqual(seen(), ["raised server.down:web1 critical"], "still down: no second alert");
    answers.delete("web1");
    await nextRun();
    assert.deepEqual(seen(), ["raised server.down:web1 critical", "recovered server.down:web1 info"]);
    await job.stop();
  });

  test("a failure between good runs starts the count again", async (t) => {
    const { answers, job, nextRun, seen } = await setup(t, { downAfter: 2 });
    await job.start();
    await job.runAll();
    answers.set("web1", (s, at) => unreachable(s.name, at));
    await nextRun();
    answers.delete("web1");
    await nextRun();
    answers.set("web1", (s, at) => unreachable(s.name, at, "timeout"));
    await nextRun();
    assert.deepEqual(seen(), [], "never two failures in a row");
    await nextRun();
    assert.deepEqual(seen(), ["raised server.down:web1 critical"]);
    await job.stop();
  });

  test("a host key that does not match its pin is down at once", async (t) => {
    const { answers, engine, job, seen } = await setup(t, { downAfter: 3 });
    answers.set("db1", (s, at) => unreachable(s.name, at, "host-key-mismatch"));
    await job.runAll();
    await engine.idle();
    assert.deepEqual(seen(), ["raised server.down:db1 critical"]);
    const [incident] = engine.openIncidents();
    assert.equal(incident?.details.kind, "host-key-mismatch");
  });

  test("a disk over its threshold is a warning, escalated when nearly full, recovered when back under it", async (t) => {
    const { answers, job, nextRun, seen } = await setup(t);
    let used = 92;
    answers.set("web1", (s, at) => healthy(s.name, at, used));
    await job.start();
    await job.runAll();
    used = 99;
    await nextRun();
    used = 50;
    await nextRun();
    assert.deepEqual(seen(), [
      "raised server.disk:web1 warning",
      "escalated server.disk:web1 critical",
      "recovered server.disk:web1 info",
    ]);
    await job.stop();
  });

  test("bounded concurrency: at most N hosts at once, and every host is checked", async (t) => {
    const names = ["h1", "h2", "h3", "h4", "h5"];
    const { answers, job } = await setup(t, { hosts: names, concurrency: 2 });
    let inFlight = 0;
    let most = 0;
    const releases: Array<() => void> = [];
    for (const name of names) {
      answers.set(name, async (s, at) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise<void>((r) => releases.push(r));
        inFlight--;
        return healthy(s.name, at);
      });
    }
    const run = job.runAll();
    for (let released = 0; released < names.length; released++) {
      await until(() => releases.length > 0);
      await settle();
      assert.ok(inFlight <= 2, `in flight: ${inFlight}`);
      releases.shift()?.();
    }
    const results = await run;
    assert.deepEqual(
      results.map((r) => r.host),
      names,
    );
    assert.equal(most, 2);
  });

  test("checkNow checks one host now, joins a check of it in progress, and knows no unknown host", async (t) => {
    const { answers, calls, job } = await setup(t);
    const hold = held((s, at) => healthy(s.name, at));
    answers.set("web1", hold.answer);
    const run = job.runAll();
    await hold.started;
    const now = job.checkNow("web1");
    hold.release();
    const [all, one] = await Promise.all([run, now]);
    assert.equal(calls.filter((c) => c.host === "web1").length, 1, "one connection for the run and the request");
    assert.equal(
      one,
      all.find((r) => r.host === "web1"),
    );
    assert.equal(await job.checkNow("nope"), undefined);
    assert.equal((await job.checkNow("db1"))?.host, "db1");
  });

  test("the journal looks back one interval at first, then from the last good check (a failed run does not move it)", async (t) => {
    const { answers, calls, job, nextRun } = await setup(t, { hosts: ["web1"] });
    await job.start();
    await job.runAll();
    answers.set("web1", (s, at) => unreachable(s.name, at));
    await nextRun();
    answers.delete("web1");
    await nextRun();
    assert.deepEqual(
      calls.map((c) => c.journalSince),
      [(NOW - INTERVAL_MS) / 1000, NOW / 1000, NOW / 1000],
    );
    await job.stop();
  });

  test("a result that cannot be stored is logged; the host's conditions are still judged", async (t) => {
    const logs = captureLogs();
    const { answers, engine, job, seen } = await setup(t, {
      logger: logs.logger,
      results: (real) => ({
        ...real,
        add: async () => {
          throw new Error("SQLITE_FULL");
        },
      }),
    });
    answers.set("web1", (s, at) => healthy(s.name, at, 95));
    await job.runAll();
    await engine.idle();
    assert.deepEqual(seen(), ["raised server.disk:web1 warning"]);
    assert.deepEqual(logs.messages("error"), [
      "could not store a server check result",
      "could not store a server check result",
    ]);
  });

  test("a checker that throws: the run is logged, not thrown, and the next run checks again", async (t) => {
    const logs = captureLogs();
    const { answers, calls, job, nextRun, seen } = await setup(t, { hosts: ["web1"], logger: logs.logger });
    answers.set("web1", () => {
      throw new Error("checker bug");
    });
    await job.start();
    assert.deepEqual(await job.runAll(), []);
    assert.deepEqual(logs.messages("error"), ["server check run failed"]);
    answers.set("web1", (s, at) => healthy(s.name, at, 95));
    await nextRun();
    assert.equal(calls.length, 2);
    assert.deepEqual(seen(), ["raised server.disk:web1 warning"]);
    await job.stop();
  });

  test("forget resolves a removed host's conditions and forgets its failures in a row", async (t) => {
    const { answers, engine, job, nextRun, seen } = await setup(t, { downAfter: 2 });
    answers.set("web1", (s, at) => unreachable(s.name, at));
    await job.start();
    await job.runAll();
    await nextRun();
    assert.deepEqual(seen(), ["raised server.down:web1 critical"]);
    await job.forget("web1");
    await engine.idle();
    assert.deepEqual(seen(), ["raised server.down:web1 critical", "recovered server.down:web1 info"]);
    assert.deepEqual(engine.openIncidents(), []);
    await nextRun();
    assert.equal(seen().length, 2, "one failure after forget is not two in a row");
    await job.stop();
  });

  test("stop waits for the run in progress; after stop, runAll checks nothing", async (t) => {
    const { answers, calls, job } = await setup(t, { hosts: ["web1"] });
    const hold = held((s, at) => healthy(s.name, at));
    answers.set("web1", hold.answer);
    await job.start();
    await hold.started;
    let stopped = false;
    const stopping = job.stop().then(() => {
      stopped = true;
    });
    await settle();
    assert.equal(stopped, false, "stop waits for the check");
    hold.release();
    await stopping;
    assert.deepEqual(await job.runAll(), []);
    assert.equal(calls.length, 1);
  });
});
