/**
 * The outbox dispatcher: delivers durable outbox entries to their channels.
 *
 * - Every notice is in storage before any send is tried (the outbox), and is marked
 *   delivered only after the channel confirmed it: a crash or an outage loses nothing,
 *   and a restart resumes with whatever is still undelivered (at least once).
 * - One worker per channel, in outbox order. What a failure means decides what happens:
 *   - the service is down (unreachable: network, 5xx) or rate-limits (429): everything
 *     waits, in order (a newer alert would fail the same way). The wait is the retry-after,
 *     or at most `probeMs` while unreachable, and `resume()` (called when any call to the
 *     service succeeds again) ends it at once.
 *   - transient but about this entry (anything else retryable: an exception, a timeout of
 *     its own upload): it is retried with backoff and keeps its place, but once it has
 *     failed `holdAfter` times newer *critical* entries may go first (one stuck alert never
 *     holds back a fire alarm), and after `poisonAfter` tries it counts as permanent.
 *   - permanent (a 400 that retrying cannot fix, 403 bot blocked or kicked, chat not
 *     found): the entry is sent once more in the channel's safe short form; if that is
 *     refused too, it is dead-lettered (kept, never offered again) and `onDeadLetter`
 *     tells someone else. A permanent failure never blocks the queue.
 * - Pacing per channel (Telegram: at most 20 messages a minute to a group, one a second).
 * - A backlog (after an outage) is delivered as digests when the channel supports it,
 *   so 1,000 held-back alerts take a few dozen messages, not an hour of rate limit.
 * - Entries delivered later than `lateAfterMs` after the observation say so (the channel
 *   gets `lateByMs`).
 */
import type { Clock } from "../clock.ts";
import type { Logger } from "../logger.ts";
import type { Notice } from "./types.ts";

export interface OutboxEntryLike {
  id: number;
  channel: string;
  notice: Notice;
  createdAt: number;
  attempts: number;
}

export type ChannelFailure = {
  ok: false;
  /** false: retrying the same message will not help (permanent). */
  retryable: boolean;
  error: string;
  retryAfterMs?: number;
  /** The service could not be reached at all (network, 5xx): tried again soon, and as soon as it answers again. */
  unreachable?: boolean;
};

export type ChannelResult =
  /** `delivered`: how many of a digest's entries it carried (default: all). */
  { ok: true; ref?: string; delivered?: number } | ChannelFailure;

export interface DeliveryChannel {
  readonly name: string;
  deliver(entry: OutboxEntryLike, lateByMs: number): Promise<ChannelResult>;
  /** Several backlogged entries in one message (optional). */
  deliverDigest?(entries: OutboxEntryLike[], lateByMs: number): Promise<ChannelResult>;
  /**
   * The entry in a form that cannot be refused for its content (short plain text, no
   * photo, no buttons, no reply), tried once after a permanent failure (optional).
   */
  deliverSafe?(entry: OutboxEntryLike, error: string): Promise<ChannelResult>;
  /** A short plain-text line saying what the entry was (for dead-letter reports). */
  describe?(entry: OutboxEntryLike): string;
  /** Most entries one digest may hold. */
  readonly digestMax?: number;
  readonly pacing?: { perWindow: number; windowMs: number; minGapMs: number };
}

export interface OutboxStore {
  pending(channel: string, limit: number): Promise<OutboxEntryLike[]>;
  markDelivered(ids: readonly number[], at: number, ref?: string): Promise<void>;
  markFailed(id: number, error: string, nextAttemptAt: number): Promise<void>;
  markDead(id: number, error: string, at: number): Promise<void>;
}

export interface DispatcherOptions {
  outbox: OutboxStore;
  channels: readonly DeliveryChannel[];
  clock: Clock;
  logger: Logger;
  lateAfterMs: number;
  /** A backlog longer than this is sent as digests (if the channel can). */
  digestThreshold?: number;
  /** Retry backoff bounds (real time). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** While a channel is unreachable, it is tried again at least this often (default 3 s). */
  probeMs?: number;
  /** After this many failed tries (of its own) an entry no longer holds back newer critical ones (default 3). */
  holdAfter?: number;
  /** After this many failed tries of its own, an entry counts as refused for good (default 10). */
  poisonAfter?: number;
  /** Called after a successful delivery (e.g. to remember the Telegram message id). */
  onDelivered?(channel: string, entries: OutboxEntryLike[], ref: string | undefined): Promise<void>;
  /** An entry was dead-lettered: the channel refused it for good, safe form included. */
  onDeadLetter?(channel: DeliveryChannel, entry: OutboxEntryLike, error: string): Promise<void>;
}

export interface OutboxDispatcher {
  start(): void;
  /** Stops after the send in progress (if any). */
  stop(): Promise<void>;
  /** Something was enqueued: look now instead of at the next idle poll. */
  kick(): void;
  /**
   * The service behind these channels answers again (any successful call): retries
   * waiting because it was unreachable are tried now. Without names: every channel.
   */
  resume(channels?: readonly string[]): void;
}

const IDLE_POLL_MS = 5_000;

type PauseKind = "idle" | "retry" | "pacing";

interface RetryWait {
  /** Real time of the next try. */
  at: number;
  /** The wait ends when the service answers again (not a retry-after). */
  resumable: boolean;
  /** The failure was about this entry, not the service (it may be overtaken by critical ones). */
  own: boolean;
}

export function createOutboxDispatcher(opts: DispatcherOptions): OutboxDispatcher {
  const log = opts.logger.child({ component: "outbox" });
  const minBackoff = opts.minBackoffMs ?? 1_000;
  const maxBackoff = opts.maxBackoffMs ?? 5 * 60_000;
  const probeMs = opts.probeMs ?? 3_000;
  const holdAfter = opts.holdAfter ?? 3;
  const poisonAfter = opts.poisonAfter ?? 10;
  const digestThreshold = opts.digestThreshold ?? 5;
  let running = false;
  const workers: Promise<void>[] = [];
  /** Pauses in progress: how to end each, for whom and why. */
  const wakers = new Map<() => void, { channel: string; kind: PauseKind }>();
  /** Counts kicks, so a worker that was reading the outbox while one came does not then sleep through it. */
  let kicks = 0;
  /** Per channel, when the last failure was "unreachable": resume() may end its retry waits. */
  const unreachable = new Set<string>();
  /** Per channel: entries waiting for their next try (real time), after a transient failure. */
  const retries = new Map<string, Map<number, RetryWait>>();

  /** Waits `ms` of real time, or until woken (stop: any pause; kick: idle and retry; resume: retry). */
  function pause(channel: string, ms: number, kind: PauseKind): Promise<void> {
    if (!running) return Promise.resolve(); // stopping: no new waits
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      wakers.set(done, { channel, kind });
    });
  }

  async function work(channel: DeliveryChannel): Promise<void> {
    const sent: number[] = []; // real-time stamps of recent sends, for pacing
    const waits = new Map<number, RetryWait>();
    retries.set(channel.name, waits);
    const retryAt = {
      get: (id: number) => waits.get(id)?.at,
      delete: (id: number) => waits.delete(id),
      keys: () => waits.keys(),
    };
    /** Failed tries of entries whose failures were their own (this process). */
    const ownFailures = new Map<number, number>();
    /** Entries refused for good once: next time only the safe form is tried. */
    const safeOnly = new Set<number>();
    let lastLoggedError = "";
    /** A digest was refused for good: the batch goes one by one. */
    let noDigestOnce = false;

    while (running) {
      const seenKicks = kicks;
      let batch: OutboxEntryLike[];
      try {
        batch = await opts.outbox.pending(channel.name, Math.max(digestThreshold + 1, channel.digestMax ?? 1, 20));
      } catch (err) {
        log.error({ err, channel: channel.name }, "cannot read the outbox");
        await pause(channel.name, IDLE_POLL_MS, "idle");
        continue;
      }
      for (const id of [...retryAt.keys()]) if (!batch.some((e) => e.id === id)) retryAt.delete(id);
      for (const id of [...ownFailures.keys()]) if (!batch.some((e) => e.id === id)) ownFailures.delete(id);
      if (batch.length === 0) {
        if (kicks === seenKicks) await pause(channel.name, IDLE_POLL_MS, "idle");
        continue;
      }
      const now = performance.now();
      const head = batch[0] as OutboxEntryLike;
      const headReadyAt = retryAt.get(head.id) ?? 0;
      let pick: OutboxEntryLike | undefined;
      if (headReadyAt <= now) pick = head;
      else if (waits.get(head.id)?.own && head.attempts >= holdAfter) {
        // The head has failed often: a newer critical entry that is not itself waiting goes first.
        pick = batch.find((e) => e !== head && e.notice.severity === "critical" && (retryAt.get(e.id) ?? 0) <= now);
      }
      if (!pick) {
        if (kicks === seenKicks) await pause(channel.name, headReadyAt - now, "retry");
        continue;
      }
      // Pacing: wait for the window to allow one more message.
      if (channel.pacing) {
        const { perWindow, windowMs, minGapMs } = channel.pacing;
        while (sent.length > 0 && now - (sent[0] as number) >= windowMs) sent.shift();
        const waitWindow = sent.length >= perWindow ? (sent[0] as number) + windowMs - now : 0;
        const waitGap = sent.length > 0 ? (sent[sent.length - 1] as number) + minGapMs - now : 0;
        const wait = Math.max(waitWindow, waitGap);
        if (wait > 0) {
          await pause(channel.name, wait, "pacing");
          continue; // re-read: things may have changed
        }
      }
      const inOrder = pick === head && !safeOnly.has(head.id);
      const waiting = batch.filter((e) => (retryAt.get(e.id) ?? 0) <= now && !safeOnly.has(e.id));
      const useDigest =
        inOrder &&
        !noDigestOnce &&
        waiting.length > digestThreshold &&
        waiting[0] === head &&
        channel.deliverDigest !== undefined;
      noDigestOnce = false;
      const entries = useDigest ? waiting.slice(0, channel.digestMax ?? waiting.length) : [pick];
      const first = entries[0] as OutboxEntryLike;
      const nowMs = opts.clock.now().getTime();
      const lateByMs = nowMs - first.notice.at > opts.lateAfterMs ? nowMs - first.notice.at : 0;
      const safe = safeOnly.has(first.id);
      let result: ChannelResult;
      try {
        result = safe
          ? await (channel.deliverSafe as NonNullable<DeliveryChannel["deliverSafe"]>)(first, "")
          : useDigest && channel.deliverDigest
            ? await channel.deliverDigest(entries, lateByMs)
            : await channel.deliver(first, lateByMs);
      } catch (err) {
        result = { ok: false, retryable: true, error: err instanceof Error ? err.message : String(err) };
      }
      if (channel.pacing) sent.push(performance.now());
      if (result.ok) {
        unreachable.delete(channel.name);
        lastLoggedError = "";
        const done = entries.slice(0, Math.max(1, result.delivered ?? entries.length));
        for (const e of done) {
          retryAt.delete(e.id);
          safeOnly.delete(e.id);
        }
        const ids = done.map((e) => e.id);
        try {
          await opts.outbox.markDelivered(ids, opts.clock.now().getTime(), result.ref);
          await opts.onDelivered?.(channel.name, done, result.ref);
        } catch (err) {
          // Delivered but not recorded: it may be sent again after a restart (at least once).
          log.error({ err, channel: channel.name, ids }, "delivered, but could not record it");
        }
        log.info({ channel: channel.name, ids, digest: useDigest, safe, lateByMs }, "notice delivered");
        continue;
      }

      const own = result.retryable && !result.unreachable && result.retryAfterMs === undefined;
      if (own) {
        const n = (ownFailures.get(first.id) ?? 0) + 1;
        ownFailures.set(first.id, n);
        if (n >= poisonAfter && !useDigest) {
          result = { ok: false, retryable: false, error: `${result.error} (failed ${n} times)` };
        }
      }
      if (!result.retryable) {
        unreachable.delete(channel.name);
        if (useDigest) {
          // The digest as a whole was refused: its entries go one by one, each judged on its own.
          log.warn({ channel: channel.name, error: result.error }, "digest refused; sending one by one");
          noDigestOnce = true;
          continue;
        }
        if (!safe && channel.deliverSafe) {
          log.warn(
            { channel: channel.name, id: first.id, error: result.error },
            "notice refused for good; sending it in the safe short form",
          );
          safeOnly.add(first.id);
          const again = await channel
            .deliverSafe(first, result.error)
            .catch((err): ChannelResult => ({ ok: false, retryable: true, error: (err as Error).message }));
          if (channel.pacing) sent.push(performance.now());
          if (again.ok) {
            safeOnly.delete(first.id);
            retryAt.delete(first.id);
            try {
              await opts.outbox.markDelivered([first.id], opts.clock.now().getTime(), again.ref);
              await opts.onDelivered?.(channel.name, [first], again.ref);
            } catch (err) {
              log.error({ err, channel: channel.name, id: first.id }, "delivered, but could not record it");
            }
            log.info({ channel: channel.name, id: first.id, safe: true }, "notice delivered in the safe short form");
            continue;
          }
          if (again.retryable) {
            result = again; // the safe form waits for the service like any other try
          } else {
            result = { ...again, error: `${result.error}; safe form: ${again.error}` };
          }
        }
        if (!result.retryable) {
          safeOnly.delete(first.id);
          retryAt.delete(first.id);
          await deadLetter(channel, first, result.error);
          continue;
        }
      }

      // Transient: this entry waits (backoff, retry-after, or until the service is back).
      const attempts = first.attempts + 1;
      const backoff = Math.min(maxBackoff, minBackoff * 2 ** Math.min(attempts - 1, 20));
      // Telegram's retry-after is exact; an outage is probed often; anything else backs off.
      const wait = result.retryAfterMs ?? (result.unreachable ? Math.min(backoff, probeMs) : backoff);
      if (result.unreachable) unreachable.add(channel.name);
      // A retry-after is Telegram's rule and is kept; an outage's wait ends when the service is back.
      waits.set(first.id, {
        at: performance.now() + wait,
        resumable: result.retryAfterMs === undefined && result.unreachable === true,
        own: result.unreachable !== true && result.retryAfterMs === undefined,
      });
      if (result.error !== lastLoggedError) {
        log.warn(
          { channel: channel.name, id: first.id, attempts, retryInMs: wait, error: result.error },
          "delivery failed; will retry",
        );
        lastLoggedError = result.error;
      }
      try {
        await opts.outbox.markFailed(first.id, result.error, opts.clock.now().getTime() + wait);
        first.attempts = attempts;
      } catch (err) {
        log.error({ err }, "cannot record a delivery failure");
      }
    }
  }

  async function deadLetter(channel: DeliveryChannel, entry: OutboxEntryLike, error: string): Promise<void> {
    log.error(
      { channel: channel.name, id: entry.id, kind: entry.notice.kind, rule: entry.notice.rule, error },
      "notice refused for good; dead-lettered (it no longer holds the queue)",
    );
    try {
      await opts.outbox.markDead(entry.id, error, opts.clock.now().getTime());
    } catch (err) {
      log.error({ err, id: entry.id }, "could not record a dead letter");
    }
    try {
      await opts.onDeadLetter?.(channel, entry, error);
    } catch (err) {
      log.error({ err, id: entry.id }, "could not report a dead letter");
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      for (const c of opts.channels) workers.push(work(c));
    },
    async stop() {
      running = false;
      for (const w of [...wakers.keys()]) w();
      await Promise.all(workers.splice(0));
    },
    kick() {
      kicks++;
      // New work: idle workers look now; a worker waiting on a held head looks for a critical entry.
      for (const [w, p] of [...wakers]) if (p.kind !== "pacing") w();
    },
    resume(channels) {
      for (const name of unreachable) {
        if (channels && !channels.includes(name)) continue;
        unreachable.delete(name);
        const waits = retries.get(name);
        for (const [id, wait] of waits ?? []) if (wait.resumable) waits?.delete(id);
        for (const [w, p] of [...wakers]) if (p.channel === name && p.kind === "retry") w();
      }
    },
  };
}
