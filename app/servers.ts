/**
 * The server checks of a room, wired from the configuration: the job (jobs/) with the SSH
 * checker (servers/), and what the bot needs from them.
 */
import type { Config } from "../core/config.ts";
import type { Storage } from "../core/storage.ts";
import { createServerCheckJob, type ServerCheckJob, type ServerCheckJobDeps } from "../jobs/server-check-job.ts";
import { createHostChecker } from "../servers/runner.ts";
import { fetchHostKey } from "../servers/ssh-client.ts";

/** The job as the configuration describes it (SERVER_CHECK_MINUTES, SSH_*, SERVER_*). */
export function createServerCheckJobFromConfig(
  config: Pick<Config, "roomId" | "servers">,
  deps: Pick<ServerCheckJobDeps, "engine" | "scheduler" | "clock" | "logger"> & {
    storage: Pick<Storage, "hosts" | "serverResults">;
  },
): ServerCheckJob {
  const s = config.servers;
  return createServerCheckJob({
    roomId: config.roomId,
    hosts: deps.storage.hosts,
    results: deps.storage.serverResults,
    check: createHostChecker({
      defaultKeyFile: s.keyFile,
      connectTimeoutMs: s.connectTimeoutMs,
      commandTimeoutMs: s.commandTimeoutMs,
      clock: deps.clock,
    }),
    engine: deps.engine,
    scheduler: deps.scheduler,
    clock: deps.clock,
    logger: deps.logger,
    cron: s.cron,
    concurrency: s.concurrency,
    downAfter: s.downAfter,
    intervalMs: s.intervalMinutes * 60_000,
    keepResultsMs: s.keepResultsMs,
  });
}

/** What the bot needs from the server checks. */
export function serverServices(job: ServerCheckJob, config: Pick<Config, "servers">) {
  return {
    checkNow: (name: string) => job.checkNow(name),
    forget: (name: string) => job.forget(name),
    fetchHostKey: (address: string, port: number) =>
      fetchHostKey(address, port, { timeoutMs: config.servers.connectTimeoutMs }),
  };
}
