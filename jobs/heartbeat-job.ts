/**
 * Heartbeat: an outside push monitor (Uptime Kuma's "push" monitor, healthchecks.io, Better
 * Stack heartbeats...) is told every HEARTBEAT_SECONDS that this room is up; when the calls
 * stop (the Pi lost power, the process died or hangs, the network is gone), that service
 * raises the alarm the room itself can no longer raise.
 *
 * "Up" means: the process runs, its event loop turns, and the alert pipeline has started
 * (alerts are judged and queued). `healthy()` says so; while it says no (starting, stopping,
 * or the pipeline stopped) no call is made, so the monitor sees silence.
 *
 * A call is a GET with a short timeout; any 2xx counts. A failure (the monitor unreachable,
 * an error status) never affects the room: it is logged once when it starts, then at most
 * every `logEveryMs` while it lasts, and once when calls work again. No alert is raised
 * for it (the monitor exists to watch the room, not the other way round). The URL carries
 * its secret in the path (the push token): logs show only its origin.
 */
import type { Logger } from "../core/logger.ts";

export interface HeartbeatOptions {
  url: string;
  everyMs: number;
  /** How long one call may take (default 10 s, or the period if shorter; calls never overlap). */
  timeoutMs?: number;
  /** Whether the room is up enough to say so (see above). */
  healthy: () => boolean;
  logger: Logger;
  /** A failure that lasts is logged again at most this often (default 15 min). */
  logEveryMs?: number;
}

export interface HeartbeatJob {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Calls the monitor now (if healthy); resolves with whether the call worked (undefined: not made). */
  beatNow(): Promise<boolean | undefined>;
}

/** The URL as logs may show it: scheme, host and port only (the path and query hold the push token). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return "(invalid URL)";
  }
}

export function createHeartbeatJob(opts: HeartbeatOptions): HeartbeatJob {
  const log = opts.logger.child({ component: "heartbeat", monitor: redactUrl(opts.url) });
  const timeoutMs = opts.timeoutMs ?? Math.min(10_000, opts.everyMs);
  const logEveryMs = opts.logEveryMs ?? 15 * 60_000;
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let inFlight: Promise<boolean | undefined> | undefined;
  /** The current run of failures: when it began, how many, when last logged. */
  let failing: { since: number; count: number; loggedAt: number } | undefined;

  /** The error without the URL (fetch's messages may quote it). */
  function describe(err: unknown): string {
    const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    if (e?.name === "TimeoutError" || e?.name === "AbortError") return `no answer within ${timeoutMs} ms`;
    const cause = e?.cause?.code ?? e?.cause?.message;
    return (cause ? String(cause) : String(e?.message ?? err)).split(opts.url).join(redactUrl(opts.url));
  }

  function failed(reason: string): void {
    const now = Date.now();
    if (!failing) {
      failing = { since: now, count: 1, loggedAt: now };
      log.warn({ reason }, "heartbeat monitor call failed; the room carries on (logged again at most every 15 min)");
      return;
    }
    failing.count++;
    if (now - failing.loggedAt >= logEveryMs) {
      failing.loggedAt = now;
      log.warn(
        { reason, failures: failing.count, sinceMs: now - failing.since },
        "heartbeat monitor calls still failing",
      );
    }
  }

  async function call(): Promise<boolean> {
    try {
      const res = await fetch(opts.url, {
        method: "GET",
        signal: AbortSignal.timeout(timeoutMs),
        headers: { "user-agent": "seroma-heartbeat" },
        redirect: "follow",
      });
      // The body is not needed; drop it so the connection is freed.
      await res.body?.cancel().catch(() => {});
      if (!res.ok) {
        failed(`HTTP ${res.status}`);
        return false;
      }
      if (failing) {
        log.info(
          { failures: failing.count, sinceMs: Date.now() - failing.since },
          "heartbeat monitor calls work again",
        );
        failing = undefined;
      }
      return true;
    } catch (err) {
      failed(describe(err));
      return false;
    }
  }

  function beatNow(): Promise<boolean | undefined> {
    if (!opts.healthy()) return Promise.resolve(undefined);
    // One call at a time: a slow monitor never piles calls up.
    inFlight ??= call().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  function schedule(): void {
    if (!running) return;
    timer = setTimeout(() => {
      void beatNow().finally(schedule);
    }, opts.everyMs);
    timer.unref?.();
  }

  return {
    async start() {
      if (running) return;
      running = true;
      log.info({ everyMs: opts.everyMs }, `heartbeat to ${redactUrl(opts.url)} every ${opts.everyMs / 1000} s`);
      void beatNow(); // at once: the monitor sees the room as soon as it is up
      schedule();
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await inFlight?.catch(() => {});
    },
    beatNow,
  };
}
