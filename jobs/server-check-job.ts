/**
 * Server-check job: every SERVER_CHECK_MINUTES (and once at start), checks every host of
 * the room's catalogue with bounded concurrency (one SSH connection per host, all its
 * checks batched), stores each result, and sets the host's server conditions in the
 * alert engine (down, disk, service, journal, load, memory; raised, escalated and
 * recovered there). `checkNow` runs one host on demand (/server NAME, Check now) and
 * joins a run of that host already in progress. A failure is logged, never thrown.
 */

import type { AlertEngine } from "../core/alerts/engine.ts";
import { SERVER_CHECK_KINDS, type ServerRuleId } from "../core/alerts/types.ts";
import type { Clock } from "../core/clock.ts";
import { mapWithConcurrency } from "../core/concurrency.ts";
import type { Logger } from "../core/logger.ts";
import type { ScheduledHandle, Scheduler } from "../core/scheduler.ts";
import { evaluateHost } from "../core/servers/evaluate.ts";
import type { HostChecker, HostRepository, ServerResultRepository } from "../core/servers/ports.ts";
import type { HostResult, HostSpec } from "../core/servers/types.ts";

export interface ServerCheckJobDeps {
  roomId: string;
  hosts: HostRepository;
  results: ServerResultRepository;
  check: HostChecker;
  engine: Pick<AlertEngine, "setServerCondition">;
  scheduler: Scheduler;
  clock: Clock;
  logger: Logger;
  cron: string;
  concurrency: number;
  downAfter: number;
  /** How far back the first journal check of a host looks. */
  intervalMs: number;
  keepResultsMs: number;
}

export interface ServerCheckJob {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Checks every host now (a run in progress is shared). */
  runAll(): Promise<HostResult[]>;
  /** Checks one host now; undefined if there is no such host. */
  checkNow(name: string): Promise<HostResult | undefined>;
  /** A removed host: its conditions are resolved and its counters forgotten. */
  forget(name: string): Promise<void>;
}

export function createServerCheckJob(deps: ServerCheckJobDeps): ServerCheckJob {
  const log = deps.logger.child({ job: "server-check", room: deps.roomId });
  let handle: ScheduledHandle | undefined;
  let allRun: Promise<HostResult[]> | undefined;
  const hostRuns = new Map<string, Promise<HostResult>>();
  /** Failed runs in a row, per host. */
  const failures = new Map<string, number>();
  /** Epoch seconds of the last successful check, per host: the journal looks from there. */
  const lastSeen = new Map<string, number>();
  let stopped = false;

  async function checkHost(spec: HostSpec): Promise<HostResult> {
    const running = hostRuns.get(spec.name);
    if (running) return running;
    const run = (async () => {
      const now = deps.clock.now().getTime();
      const since = lastSeen.get(spec.name) ?? Math.floor((now - deps.intervalMs) / 1000);
      const result = await deps.check(spec, { journalSince: since });
      const n = result.reachable ? 0 : (failures.get(spec.name) ?? 0) + 1;
      failures.set(spec.name, n);
      if (result.reachable) lastSeen.set(spec.name, Math.floor(result.at / 1000));
      try {
        await deps.results.add(deps.roomId, result);
      } catch (err) {
        log.error({ err, host: spec.name }, "could not store a server check result");
      }
      const verdicts = evaluateHost(spec, result, { failures: n, downAfter: deps.downAfter });
      for (const kind of SERVER_CHECK_KINDS) {
        const v = verdicts[kind];
        if (v === "unknown") continue;
        const rule: ServerRuleId = `server.${kind}:${spec.name}`;
        await deps.engine.setServerCondition(rule, v === "ok" ? undefined : v, result.at);
      }
      log.info(
        {
          host: spec.name,
          reachable: result.reachable,
          ms: result.durationMs,
          ...(result.failure ? { failure: result.failure.kind } : {}),
        },
        result.reachable ? "server checked" : `server check failed: ${result.failure?.message ?? ""}`,
      );
      return result;
    })().finally(() => hostRuns.delete(spec.name));
    hostRuns.set(spec.name, run);
    return run;
  }

  async function runAll(): Promise<HostResult[]> {
    if (allRun) return allRun;
    allRun = (async () => {
      const hosts = await deps.hosts.list(deps.roomId);
      const started = performance.now();
      const results = await mapWithConcurrency(hosts, deps.concurrency, (h) => checkHost(h));
      if (hosts.length > 0) {
        log.info(
          {
            hosts: hosts.length,
            down: results.filter((r) => !r.reachable).length,
            ms: Math.round(performance.now() - started),
          },
          "server checks done",
        );
      }
      await deps.results.prune(deps.clock.now().getTime() - deps.keepResultsMs).catch((err) => {
        log.warn({ err }, "could not prune old server check results");
      });
      return results;
    })()
      .catch((err) => {
        log.error({ err }, "server check run failed");
        return [];
      })
      .finally(() => {
        allRun = undefined;
      });
    return allRun;
  }

  return {
    async start() {
      stopped = false;
      handle = deps.scheduler.schedule(deps.cron, async () => void (await runAll()), { name: "server-check" });
      void runAll();
    },
    async stop() {
      stopped = true;
      await handle?.stop();
      handle = undefined;
      await allRun;
      await Promise.allSettled([...hostRuns.values()]);
    },
    runAll: () => (stopped ? Promise.resolve([]) : runAll()),
    async checkNow(name) {
      const spec = await deps.hosts.get(deps.roomId, name);
      return spec ? checkHost(spec) : undefined;
    },
    async forget(name) {
      failures.delete(name);
      lastSeen.delete(name);
      const at = deps.clock.now().getTime();
      for (const kind of SERVER_CHECK_KINDS) {
        await deps.engine.setServerCondition(`server.${kind}:${name}`, undefined, at);
      }
    },
  };
}
