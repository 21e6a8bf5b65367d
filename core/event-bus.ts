import type { Logger } from "./logger.ts";

/**
 * A typed, synchronous event bus. Jobs emit; the alert engine, the LCD and others listen.
 * A listener that throws (or rejects) is logged and never breaks the emitter or other listeners.
 */
export class EventBus<Events extends Record<string, unknown>> {
  private readonly listeners = new Map<keyof Events, Set<(payload: never) => unknown>>();

  private readonly logger: Logger | undefined;

  constructor(logger?: Logger) {
    this.logger = logger;
  }

  on<K extends keyof Events>(event: K, listener: (payload: Events[K]) => unknown): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as (payload: never) => unknown);
    return () => set.delete(listener as (payload: never) => unknown);
  }

  /** Listeners subscribed to `event`, or to every event when none is given (a stopped room has none left). */
  listenerCount(event?: keyof Events): number {
    if (event !== undefined) return this.listeners.get(event)?.size ?? 0;
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        const result = (listener as (p: Events[K]) => unknown)(payload);
        if (result instanceof Promise) result.catch((err) => this.report(event, err));
      } catch (err) {
        this.report(event, err);
      }
    }
  }

  private report(event: keyof Events, err: unknown): void {
    this.logger?.error({ err, event: String(event) }, "event listener failed");
  }
}
