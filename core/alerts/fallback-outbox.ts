/**
 * When the console's own storage fails (DATA_DIR full, an SD card failing, a corrupted
 * page), alerts must still go out. This is the outbox the dispatcher reads: the durable
 * one, plus what could not be written, held in memory in order.
 *
 * - `hold(write)`: a write the ledger refused. Its notices become memory entries (negative
 *   ids) that the dispatcher delivers like any other, at once.
 * - `flush(ledger)`: writes what is held, in order, once storage works again; notices
 *   still undelivered move to the durable outbox (a memory id then maps to its new
 *   durable id, so a delivery in flight is recorded against the right row); notices
 *   already delivered from memory are not written again.
 * - Durable entries delivered while storage refused to record it are remembered and not
 *   handed out again (no duplicate storm when reads work and writes do not), and recorded
 *   on the next flush.
 * - Bounded: past `maxEntries`, the oldest non-critical memory entries are dropped (logged).
 * A crash loses what is only in memory: that is the price of a disk that cannot be written.
 */
import type { Logger } from "../logger.ts";
import type { OutboxEntryLike, OutboxStore } from "./dispatcher.ts";
import type { AlertLedger, AlertWrite } from "./types.ts";

interface MemoryEntry extends OutboxEntryLike {
  held: HeldWrite;
  seq: number;
}

interface HeldWrite {
  write: AlertWrite;
  /** Memory ids of this write's (notice, channel) pairs, in notice and channel order; undefined once delivered or dropped. */
  ids: Array<number | undefined>;
}

export interface FallbackOutbox {
  /** What the dispatcher reads and marks. */
  readonly store: OutboxStore;
  /** Holds a write that could not be stored; returns the memory ids of its notices. */
  hold(write: AlertWrite): number[];
  /** Writes what is held, in order, with `commit`; stops at the first failure (returned in `error`). */
  flush(commit: AlertLedger["commit"]): Promise<{ ok: true } | { ok: false; error: unknown }>;
  /** Writes held (not yet stored). */
  held(): number;
  /** Memory entries not yet delivered. */
  undelivered(): number;
}

export function createFallbackOutbox(opts: {
  durable: OutboxStore;
  logger: Logger;
  maxEntries?: number;
}): FallbackOutbox {
  const log = opts.logger.child({ component: "fallback-outbox" });
  const maxEntries = opts.maxEntries ?? 2_000;
  const entries = new Map<number, MemoryEntry>();
  const held: HeldWrite[] = [];
  /** Memory id -> durable id, after a flush moved it. */
  const moved = new Map<number, number>();
  /** Durable entries delivered while their delivery could not be recorded: id -> (at, ref). */
  const unrecorded = new Map<number, { at: number; ref?: string }>();
  let nextId = -1;
  let seq = 0;

  function forget(id: number): void {
    const e = entries.get(id);
    if (!e) return;
    entries.delete(id);
    const k = e.held.ids.indexOf(id);
    if (k >= 0) e.held.ids[k] = undefined;
  }

  function enforceBound(): void {
    if (entries.size <= maxEntries) return;
    const victims = [...entries.values()]
      .sort((a, b) => {
        const rank = (e: MemoryEntry) =>
          e.notice.severity === "critical" ? 2 : e.notice.severity === "warning" ? 1 : 0;
        return rank(a) - rank(b) || a.seq - b.seq;
      })
      .slice(0, entries.size - maxEntries);
    for (const v of victims) forget(v.id);
    log.error(
      { dropped: victims.length },
      "too many alerts held in memory while storage fails; dropped the oldest minor ones",
    );
  }

  const store: OutboxStore = {
    async pending(channel, limit) {
      let durable: OutboxEntryLike[] = [];
      try {
        durable = (await opts.durable.pending(channel, limit + unrecorded.size)).filter((e) => !unrecorded.has(e.id));
      } catch (err) {
        if (entries.size === 0) throw err;
        log.warn({ err: (err as Error).message }, "the outbox cannot be read; delivering what is held in memory");
      }
      const memory = [...entries.values()].filter((e) => e.channel === channel);
      const all: Array<OutboxEntryLike & { seq?: number }> = [...durable, ...memory];
      // Oldest first; durable rows before memory ones written at the same time.
      all.sort(
        (a, b) =>
          a.createdAt - b.createdAt ||
          (a.id > 0 ? 0 : 1) - (b.id > 0 ? 0 : 1) ||
          (a.id > 0 && b.id > 0 ? a.id - b.id : (a.seq ?? 0) - (b.seq ?? 0)),
      );
      return all.slice(0, limit).map(({ id, channel: c, notice, createdAt, attempts }) => ({
        id,
        channel: c,
        notice,
        createdAt,
        attempts,
      }));
    },
    async markDelivered(ids, at, ref) {
      const durable: number[] = [];
      for (const id of ids) {
        if (id > 0) durable.push(id);
        else if (moved.has(id)) durable.push(moved.get(id) as number);
        else forget(id);
      }
      if (durable.length === 0) return;
      try {
        await opts.durable.markDelivered(durable, at, ref);
      } catch (err) {
        for (const id of durable) unrecorded.set(id, ref === undefined ? { at } : { at, ref });
        throw err;
      }
    },
    async markFailed(id, error, nextAttemptAt) {
      const e = entries.get(id);
      if (e) {
        e.attempts++;
        return;
      }
      await opts.durable.markFailed(moved.get(id) ?? id, error, nextAttemptAt);
    },
    async markDead(id, error, at) {
      if (entries.has(id)) {
        log.error({ id, error }, "a notice held in memory was refused for good");
        forget(id);
        return;
      }
      await opts.durable.markDead(moved.get(id) ?? id, error, at);
    },
  };

  return {
    store,
    hold(write) {
      const h: HeldWrite = { write, ids: [] };
      for (const n of write.notices) {
        for (const channel of n.channels) {
          const id = nextId--;
          h.ids.push(id);
          entries.set(id, { id, channel, notice: n.notice, createdAt: write.at, attempts: 0, held: h, seq: seq++ });
        }
      }
      held.push(h);
      enforceBound();
      return h.ids.filter((id): id is number => id !== undefined);
    },
    async flush(commit) {
      while (held.length > 0) {
        const h = held[0] as HeldWrite;
        // Only what is still undelivered goes to the durable outbox.
        let k = 0;
        const notices: Array<{ notice: AlertWrite["notices"][number]["notice"]; channels: string[] }> = [];
        const movedIds: number[] = [];
        for (const n of h.write.notices) {
          const channels: string[] = [];
          for (const c of n.channels) {
            const id = h.ids[k++];
            if (id !== undefined && entries.has(id)) {
              channels.push(c);
              movedIds.push(id);
            }
          }
          if (channels.length > 0) notices.push({ notice: n.notice, channels });
        }
        if (!h.write.incident && notices.length === 0) {
          held.shift();
          continue;
        }
        let ids: number[];
        try {
          ids = await commit({ ...h.write, notices });
        } catch (error) {
          return { ok: false, error };
        }
        held.shift();
        movedIds.forEach((memoryId, i) => {
          const durableId = ids[i];
          if (durableId === undefined) return;
          moved.set(memoryId, durableId);
          entries.delete(memoryId);
        });
      }
      for (const [id, d] of [...unrecorded]) {
        try {
          await opts.durable.markDelivered([id], d.at, d.ref);
          unrecorded.delete(id);
        } catch (error) {
          return { ok: false, error };
        }
      }
      // Mappings only matter for a delivery in flight during the flush.
      if (moved.size > 10_000) moved.clear();
      return { ok: true };
    },
    held: () => held.length + unrecorded.size,
    undelivered: () => entries.size,
  };
}
