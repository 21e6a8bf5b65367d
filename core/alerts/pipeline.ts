/**
 * The alert pipeline: engine -> ledger (incident + durable outbox, one unit) -> dispatcher
 * -> channels.
 *
 * - Every incident change and the notices it causes are written together (`ledger.commit`):
 *   an incident is never stored without its alert queued, nor an alert without its incident.
 * - Storage that refuses the write (disk full, a failing SD card) does not lose the alert:
 *   the write is held in memory and its notices are delivered from there at once; the
 *   pipeline raises `storage.write` (itself held and delivered the same way) and keeps
 *   trying to write what it holds, in order, every few seconds; the first write that works
 *   resolves it. While writes are held, newer ones queue behind them (order matters: an
 *   update must not overtake its insert).
 * - A notice a channel refuses for good is dead-lettered by the dispatcher; the pipeline
 *   then tells the other channels (the admins' private chats, SNS, the group) what could
 *   not be delivered where, and why.
 * The engine never waits for a channel.
 */
import type { Clock } from "../clock.ts";
import type { Logger } from "../logger.ts";
import {
  createOutboxDispatcher,
  type DeliveryChannel,
  type DispatcherOptions,
  type OutboxEntryLike,
} from "./dispatcher.ts";
import { type AlertChange, type AlertEngine, type AlertEngineOptions, createAlertEngine } from "./engine.ts";
import { createFallbackOutbox } from "./fallback-outbox.ts";
import type { AlertLedger, AlertWrite, Incident, Notice } from "./types.ts";

/**
 * Trouble with the storage itself (worth holding the write and trying again): a full disk,
 * I/O errors, a busy or locked or read-only database, a corrupt page, a file that cannot be
 * opened. Anything else (a constraint, an incident that does not exist) is about the write.
 */
export function isStorageFault(err: unknown): boolean {
  const code = String((err as { code?: unknown } | undefined)?.code ?? "");
  return /^(SQLITE_(FULL|IOERR|BUSY|LOCKED|READONLY|CANTOPEN|CORRUPT|NOTADB|PROTOCOL|NOMEM|PERM|AUTH)\w*|ENOSPC|EIO|EROFS|EACCES|EPERM|EDQUOT)$/.test(
    code,
  );
}

export interface AlertPipelineOptions {
  engine: Omit<AlertEngineOptions, "record" | "clock" | "logger" | "repos">;
  repos: AlertEngineOptions["repos"] & {
    outbox: DispatcherOptions["outbox"];
    alertLedger: AlertLedger;
  };
  channels: readonly DeliveryChannel[];
  clock: Clock;
  logger: Logger;
  lateAfterMs: number;
  /** Retry backoff bounds for failed deliveries (tests shorten them). */
  backoff?: { minMs: number; maxMs: number };
  /** While a channel is unreachable it is tried at least this often (default 3 s). */
  probeMs?: number;
  onDelivered?: DispatcherOptions["onDelivered"];
  /** Which channels take which notices; default: every channel takes everything. */
  routes?: (notice: Notice, channel: string) => boolean;
  /** How often held writes are tried again while storage fails (default 5 s). */
  storageRetryMs?: number;
  /**
   * Called after every incident change the engine records (raised, updated, acknowledged,
   * resolved), once it is written (or held in memory while storage fails): the dashboard's
   * live view. A listener that throws is logged, never breaks the pipeline.
   */
  onIncident?: (incident: Incident) => void;
}

export interface AlertPipeline {
  engine: AlertEngine;
  /** Queues a notice (durably, or in memory while storage fails) for its channels. */
  notify(notice: Notice): Promise<void>;
  /** The service behind these channels answers again: retries waiting for it go now. */
  reachable(channels?: readonly string[]): void;
  /** Writes held in memory because storage refused them (0 when storage is healthy). */
  heldWrites(): number;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createAlertPipeline(opts: AlertPipelineOptions): AlertPipeline {
  const log = opts.logger.child({ component: "alert-pipeline" });
  const ledger = opts.repos.alertLedger;
  const fallback = createFallbackOutbox({ durable: opts.repos.outbox, logger: opts.logger });
  const retryMs = opts.storageRetryMs ?? 5_000;
  let engineRef: AlertEngine | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let storageFailing = false;
  let stopped = false;
  /** Writes are committed one at a time, in order. */
  let writing: Promise<void> = Promise.resolve();

  const dispatcher = createOutboxDispatcher({
    outbox: fallback.store,
    channels: opts.channels,
    clock: opts.clock,
    logger: opts.logger,
    lateAfterMs: opts.lateAfterMs,
    ...(opts.backoff ? { minBackoffMs: opts.backoff.minMs, maxBackoffMs: opts.backoff.maxMs } : {}),
    ...(opts.probeMs !== undefined ? { probeMs: opts.probeMs } : {}),
    ...(opts.onDelivered ? { onDelivered: opts.onDelivered } : {}),
    onDeadLetter: deadLetter,
  });
  const names = opts.channels.map((c) => c.name);

  function routeOf(notice: Notice): string[] {
    return names.filter((c) => opts.routes?.(notice, c) ?? true);
  }

  function storageFailed(err: unknown): void {
    if (!storageFailing) {
      storageFailing = true;
      log.error(
        { err: (err as Error)?.message ?? String(err) },
        "cannot write to storage; alerts are held in memory and still sent",
      );
    }
    const at = opts.clock.now().getTime();
    // Not awaited: this may run inside the engine's own queue.
    void engineRef?.onDeviceDown("storage.write", { at, reason: String((err as Error)?.message ?? err) });
    scheduleRetry();
  }

  function scheduleRetry(): void {
    if (retryTimer || stopped) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void serial(async () => {
        await flushHeld();
      });
    }, retryMs);
    retryTimer.unref?.();
  }

  /** Writes what is held; on success, storage works again. Runs inside `serial`. */
  async function flushHeld(): Promise<boolean> {
    if (fallback.held() === 0) return true;
    const outcome = await fallback.flush(commit);
    if (!outcome.ok) {
      scheduleRetry();
      return false;
    }
    if (storageFailing) {
      storageFailing = false;
      log.info("storage takes writes again; what was held in memory is stored");
      void engineRef?.onDeviceUp("storage.write", { at: opts.clock.now().getTime() });
    }
    dispatcher.kick();
    return true;
  }

  function serial(work: () => Promise<void>): Promise<void> {
    const next = writing.then(work).catch((err) => log.error({ err }, "alert write failed"));
    writing = next;
    return next;
  }

  /**
   * Commits a write. A change the database refuses for what it is (a constraint: an
   * incident that already exists, an update of one that does not) will never succeed:
   * holding it would block every later write, so it is logged and its notices are queued
   * without it. Storage faults are thrown (the caller holds the write and retries).
   */
  async function commit(w: AlertWrite): Promise<number[]> {
    try {
      return await ledger.commit(w);
    } catch (err) {
      if (isStorageFault(err) || !w.incident) throw err;
      log.error(
        { err, incident: w.incident.value.id, op: w.incident.op },
        "the database refused an incident change; its alert is queued without it",
      );
      return ledger.commit({ notices: w.notices, at: w.at });
    }
  }

  function write(w: AlertWrite): Promise<void> {
    return serial(async () => {
      if (fallback.held() > 0 && !(await flushHeld())) {
        fallback.hold(w); // behind what is already held: order matters
      } else {
        try {
          await commit(w);
        } catch (err) {
          fallback.hold(w);
          storageFailed(err);
        }
      }
      dispatcher.kick();
    });
  }

  async function notify(notice: Notice): Promise<void> {
    const to = routeOf(notice);
    if (to.length === 0) {
      log.warn({ kind: notice.kind, rule: notice.rule }, "no alert channel configured for this notice");
      return;
    }
    await write({ notices: [{ notice, channels: to }], at: opts.clock.now().getTime() });
  }

  async function record(change: AlertChange): Promise<void> {
    const notices: Array<AlertWrite["notices"][number]> = [];
    if (change.notice) {
      const to = routeOf(change.notice);
      if (to.length > 0) notices.push({ notice: change.notice, channels: to });
      else log.warn({ kind: change.notice.kind, rule: change.notice.rule }, "no alert channel for this notice");
    }
    await write({ incident: change.incident, notices, at: opts.clock.now().getTime() });
    if (opts.onIncident) {
      try {
        opts.onIncident(change.incident.value);
      } catch (err) {
        log.error({ err }, "an incident listener failed");
      }
    }
  }

  async function deadLetter(channel: DeliveryChannel, entry: OutboxEntryLike, error: string): Promise<void> {
    const n = entry.notice;
    if (n.kind === "undeliverable") return; // a report about a report: logged by the dispatcher, no loop
    await notify({
      kind: "undeliverable",
      roomId: n.roomId,
      severity: n.severity === "critical" ? "critical" : "warning",
      ...(n.rule ? { rule: n.rule } : {}),
      ...(n.incidentId ? { incidentId: n.incidentId } : {}),
      at: opts.clock.now().getTime(),
      details: {
        channel: channel.name,
        error: error.slice(0, 300),
        what: (channel.describe?.(entry) ?? `${n.kind} ${n.rule ?? ""}`).slice(0, 600),
        noticeAt: n.at,
        outboxId: entry.id,
      },
    });
  }

  const engine = createAlertEngine({
    ...opts.engine,
    clock: opts.clock,
    logger: opts.logger,
    repos: opts.repos,
    record,
  });
  engineRef = engine;
  return {
    engine,
    notify,
    reachable: (channels) => dispatcher.resume(channels),
    heldWrites: () => fallback.held(),
    async start() {
      stopped = false;
      // Incident changes a crash (or an outage of a remote backend) left unapplied go first.
      try {
        const { applied, pending } = await ledger.repair();
        if (applied > 0 || pending > 0) log.info({ applied, pending }, "incident changes from the journal applied");
      } catch (err) {
        log.error({ err }, "could not apply journalled incident changes; trying again later");
      }
      await engine.start();
      dispatcher.start();
    },
    async stop() {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = undefined;
      await engine.idle();
      await writing;
      // One last try to store what is held (a disk freed meanwhile), so a restart still has it.
      if (fallback.held() > 0) await serial(async () => void (await flushHeld()));
      await dispatcher.stop();
      if (fallback.held() > 0 || fallback.undelivered() > 0) {
        log.error(
          { held: fallback.held(), undelivered: fallback.undelivered() },
          "stopping with alerts that could not be stored; they are lost with this process",
        );
      }
    },
  };
}
