/**
 * The outbox dispatcher: delivers durable outbox entries to their channels.
 *
 * - Every notice is in storage before any send is tried (the outbox), and is marked
 *   delivered only after the channel confirmed it: a crash or an outage loses nothing,
 *   and a restart resumes with whatever is still undelivered.
 * - One worker per channel, strictly in outbox order: a failing head entry is retried
 *   (backoff, or the channel's retry-after) and nothing overtakes it.
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

export type ChannelResult =
  /** `delivered`: how many of a digest's entries it carried (default: all). */
  | { ok: true; ref?: string; delivered?: number }
  | { ok: false; retryable: boolean; error: string; retryAfterMs?: number };

export interface DeliveryChannel {
  readonly name: string;
  deliver(entry: OutboxEntryLike, lateByMs: number): Promise<ChannelResult>;
  /** Several backlogged entries in one message (optional). */
  deliverDigest?(entries: OutboxEntryLike[], lateByMs: number): Promise<ChannelResult>;
  /** Most entries one digest may hold. */
  readonly digestMax?: number;
  readonly pacing?: { perWindow: number; windowMs: number; minGapMs: number };
}

export interface OutboxStore {
  pending(channel: string, limit: number): Promise<OutboxEntryLike[]>;
  markDelivered(ids: readonly number[], at: number, ref?: string): Promise<void>;
  markFailed(id: number, error: string, nextAttemptAt: number): Promise<void>;
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
  /** Called after a successful delivery (e.g. to remember the Telegram message id). */
  onDelivered?(channel: string, entries: OutboxEntryLike[], ref: string | undefined): Promise<void>;
}

export interface OutboxDispatcher {
  start(): void;
  /** Stops after the send in progress (if any). */
  stop(): Promise<void>;
  /** Something was enqueued: look now instead of at the next idle poll. */
  kick(): void;
}

const IDLE_POLL_MS = 5_000;

export function createOutboxDispatcher(opts: DispatcherOptions): OutboxDispatcher {
  const log = opts.logger.child({ component: "outbox" });
  const minBackoff = opts.minBackoffMs ?? 1_000;
  const maxBackoff = opts.maxBackoffMs ?? 5 * 60_000;
  const digestThreshold = opts.digestThreshold ?? 5;
  let running = false;
  const workers: Promise<void>[] = [];
  const wakers = new Map<() => void, boolean>();

  /**
   * Waits `ms` of real time. `stop()` ends any pause; `kick()` only idle ones (a
   * retry backoff or a pacing wait is not shortened by new work arriving).
   */
  function pause(ms: number, idle = false): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      wakers.set(done, idle);
    });
  }

  async function work(channel: DeliveryChannel): Promise<void> {
    const sent: number[] = []; // real-time stamps of recent sends, for pacing
    let failedAttempts = 0;
    let lastLoggedError = "";
    while (running) {
      let batch: OutboxEntryLike[];
      try {
        batch = await opts.outbox.pending(channel.name, Math.max(digestThreshold + 1, channel.digestMax ?? 1));
      } catch (err) {
        log.error({ err, channel: channel.name }, "cannot read the outbox");
        await pause(IDLE_POLL_MS);
        continue;
      }
      if (batch.length === 0) {
        await pause(IDLE_POLL_MS, true);
        continue;
      }
      // Pacing: wait for the window to allow one more message.
      if (channel.pacing) {
        const { perWindow, windowMs, minGapMs } = channel.pacing;
        const now = performance.now();
        while (sent.length > 0 && now - (sent[0] as number) >= windowMs) sent.shift();
        const waitWindow = sent.length >= perWindow ? (sent[0] as number) + windowMs - now : 0;
        const waitGap = sent.length > 0 ? (sent[sent.length - 1] as number) + minGapMs - now : 0;
        const wait = Math.max(waitWindow, waitGap);
        if (wait > 0) {
          await pause(wait);
          continue; // re-read: things may have changed
        }
      }
      const useDigest = batch.length > digestThreshold && channel.deliverDigest !== undefined;
      const entries = useDigest ? batch.slice(0, channel.digestMax ?? batch.length) : batch.slice(0, 1);
      const head = entries[0] as OutboxEntryLike;
      const nowMs = opts.clock.now().getTime();
      const lateByMs = nowMs - head.notice.at > opts.lateAfterMs ? nowMs - head.notice.at : 0;
      let result: ChannelResult;
      try {
        result =
          useDigest && channel.deliverDigest
            ? await channel.deliverDigest(entries, lateByMs)
            : await channel.deliver(head, lateByMs);
      } catch (err) {
        result = { ok: false, retryable: true, error: err instanceof Error ? err.message : String(err) };
      }
      if (channel.pacing) sent.push(performance.now());
      if (result.ok) {
        failedAttempts = 0;
        lastLoggedError = "";
        const done = entries.slice(0, Math.max(1, result.delivered ?? entries.length));
        const ids = done.map((e) => e.id);
        try {
          await opts.outbox.markDelivered(ids, opts.clock.now().getTime(), result.ref);
          await opts.onDelivered?.(channel.name, done, result.ref);
        } catch (err) {
          // Delivered but not recorded: it may be sent again after a restart (at least once).
          log.error({ err, channel: channel.name, ids }, "delivered, but could not record it");
        }
        log.info({ channel: channel.name, ids, digest: useDigest, lateByMs }, "notice delivered");
        continue;
      }
      failedAttempts++;
      const backoff = Math.min(maxBackoff, minBackoff * 2 ** Math.min(failedAttempts - 1, 20));
      const wait = Math.max(result.retryAfterMs ?? 0, result.retryable ? backoff : maxBackoff);
      if (result.error !== lastLoggedError) {
        log.warn(
          { channel: channel.name, id: head.id, retryable: result.retryable, retryInMs: wait, error: result.error },
          "delivery failed; will retry",
        );
        lastLoggedError = result.error;
      }
      try {
        await opts.outbox.markFailed(head.id, result.error, opts.clock.now().getTime() + wait);
      } catch (err) {
        log.error({ err }, "cannot record a delivery failure");
      }
      await pause(wait);
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
      for (const [w, idle] of [...wakers]) if (idle) w();
    },
  };
}
