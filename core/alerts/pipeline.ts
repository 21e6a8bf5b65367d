/**
 * The alert pipeline: engine -> durable outbox -> dispatcher -> channels.
 * `notify` writes a notice to the outbox for each channel that takes its kind, then
 * wakes the dispatcher; the engine never waits for a channel.
 */
import type { Clock } from "../clock.ts";
import type { Logger } from "../logger.ts";
import { createOutboxDispatcher, type DeliveryChannel, type DispatcherOptions } from "./dispatcher.ts";
import { type AlertEngine, type AlertEngineOptions, createAlertEngine } from "./engine.ts";
import type { Notice } from "./types.ts";

export interface AlertPipelineOptions {
  engine: Omit<AlertEngineOptions, "notify" | "clock" | "logger" | "repos">;
  repos: AlertEngineOptions["repos"] & {
    outbox: DispatcherOptions["outbox"] & {
      enqueue(notice: Notice, channels: readonly string[], at: number): Promise<number[]>;
    };
  };
  channels: readonly DeliveryChannel[];
  clock: Clock;
  logger: Logger;
  lateAfterMs: number;
  /** Retry backoff bounds for failed deliveries (tests shorten them). */
  backoff?: { minMs: number; maxMs: number };
  onDelivered?: DispatcherOptions["onDelivered"];
  /** Which channels take which notices; default: every channel takes everything. */
  routes?: (notice: Notice, channel: string) => boolean;
}

export interface AlertPipeline {
  engine: AlertEngine;
  /** Queues a notice (durably) for its channels. */
  notify(notice: Notice): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createAlertPipeline(opts: AlertPipelineOptions): AlertPipeline {
  const dispatcher = createOutboxDispatcher({
    outbox: opts.repos.outbox,
    channels: opts.channels,
    clock: opts.clock,
    logger: opts.logger,
    lateAfterMs: opts.lateAfterMs,
    ...(opts.backoff ? { minBackoffMs: opts.backoff.minMs, maxBackoffMs: opts.backoff.maxMs } : {}),
    ...(opts.onDelivered ? { onDelivered: opts.onDelivered } : {}),
  });
  const names = opts.channels.map((c) => c.name);
  async function notify(notice: Notice): Promise<void> {
    const to = names.filter((c) => opts.routes?.(notice, c) ?? true);
    if (to.length === 0) {
      opts.logger.warn({ kind: notice.kind, rule: notice.rule }, "no alert channel configured for this notice");
      return;
    }
    await opts.repos.outbox.enqueue(notice, to, opts.clock.now().getTime());
    dispatcher.kick();
  }
  const engine = createAlertEngine({
    ...opts.engine,
    clock: opts.clock,
    logger: opts.logger,
    repos: opts.repos,
    notify,
  });
  return {
    engine,
    notify,
    async start() {
      await engine.start();
      dispatcher.start();
    },
    async stop() {
      await engine.idle();
      await dispatcher.stop();
    },
  };
}
