/**
 * Checks one host: its private key, one SSH connection with its pinned host key, the
 * batched check script (servers/checks.ts) in a single exec, and the parsed results.
 * Never rejects: every failure is a HostResult saying what went wrong.
 */
import { readFile } from "node:fs/promises";
import type { Clock } from "../core/clock.ts";
import type { HostChecker } from "../core/servers/ports.ts";
import type { HostResult } from "../core/servers/types.ts";
import { buildCheckScript, parseCheckOutput } from "./checks.ts";
import { runOnHost } from "./ssh-client.ts";

export type { HostChecker };

export interface HostCheckerOptions {
  /** Key for hosts without their own `keyFile`. */
  defaultKeyFile: string;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  clock: Clock;
}

export function createHostChecker(opts: HostCheckerOptions): HostChecker {
  return async (spec, run = {}) => {
    const at = opts.clock.now().getTime();
    const started = performance.now();
    const done = (partial: Omit<HostResult, "host" | "at" | "durationMs">): HostResult => ({
      host: spec.name,
      at,
      durationMs: Math.round(performance.now() - started),
      ...partial,
    });
    const keyFile = spec.keyFile ?? opts.defaultKeyFile;
    let privateKey: Buffer;
    try {
      privateKey = await readFile(keyFile);
    } catch (err) {
      return done({
        reachable: false,
        failure: {
          kind: "key-file",
          message: `cannot read the SSH key ${keyFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        },
        checks: {},
      });
    }
    let script: string;
    try {
      script = buildCheckScript(spec, run.journalSince !== undefined ? { journalSince: run.journalSince } : {});
    } catch (err) {
      return done({ reachable: false, failure: { kind: "dropped", message: (err as Error).message }, checks: {} });
    }
    const out = await runOnHost(spec, script, {
      privateKey,
      connectTimeoutMs: opts.connectTimeoutMs,
      commandTimeoutMs: opts.commandTimeoutMs,
      ...(run.signal ? { signal: run.signal } : {}),
    });
    if (!out.ok) {
      return done({
        reachable: false,
        failure: {
          kind: out.kind,
          message: out.message,
          ...(out.presentedHostKey ? { presentedHostKey: out.presentedHostKey } : {}),
        },
        checks: {},
      });
    }
    return done({ reachable: true, checks: parseCheckOutput(out.stdout, spec) });
  };
}
