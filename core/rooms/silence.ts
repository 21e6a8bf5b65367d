/**
 * The hub's watch over its rooms: when each was last heard (any message: status, heartbeat,
 * alert), and which are silent. A room is silent when it has not been heard for
 * `silentAfterMs` (missed heartbeats: power cut, network gone, a hung process), or when its
 * status says offline (its Last Will: the connection dropped without a goodbye; or a clean
 * stop) and it has not come back within `offlineGraceMs` (10 s: a broker that
 * restarts sends every room's Last Will, and the rooms are back at once; a retained offline
 * status the hub reads on connecting may be old news). It is back when anything from it
 * arrives again (its "online" status).
 * Each change goes to `setSilent` (the hub's alert engine: a `room.silent:ROOM` incident).
 */
import type { Incident, Severity } from "../alerts/types.ts";
import type { Clock } from "../clock.ts";

export interface RoomPresence {
  room: string;
  lastSeenAt: number;
  silent: boolean;
  /** Its status said offline (not yet silent while within the grace). */
  offline?: { since: number; reason: string };
  /** Why it is silent. */
  reason?: string;
  /** Open incidents the room reported in its last heartbeat. */
  open?: number;
}

export interface SilenceWatchOptions {
  silentAfterMs: number;
  /** How long an offline status must stand before the room is silent (default 10 s, at most half of silentAfterMs). */
  offlineGraceMs?: number;
  clock: Clock;
  setSilent(
    room: string,
    problem: { severity: Severity; details: Incident["details"] } | undefined,
    at: number,
  ): Promise<void>;
}

export interface SilenceWatch {
  /** Something arrived from the room (with the open incidents of a heartbeat). */
  seen(room: string, open?: number): Promise<void>;
  /** The room's status says offline. */
  offline(room: string, reason: string): Promise<void>;
  /** Rooms not heard for too long become silent. Call every second or so. */
  check(): Promise<void>;
  /**
   * The hub itself could not listen (the broker was unreachable): the rooms' silence meanwhile
   * says nothing about them, so their clocks start again now.
   */
  grace(): void;
  /** A room the hub knows of before hearing from it (an incident still open from before a restart). */
  remember(room: string, silent: boolean): void;
  rooms(): RoomPresence[];
}

export function createSilenceWatch(opts: SilenceWatchOptions): SilenceWatch {
  const rooms = new Map<string, RoomPresence>();
  const offlineGraceMs = Math.min(opts.offlineGraceMs ?? 10_000, opts.silentAfterMs / 2);
  const now = () => opts.clock.now().getTime();
  const seconds = (ms: number) => Math.round(ms / 1000);

  async function raise(p: RoomPresence, reason: string, at: number): Promise<void> {
    p.silent = true;
    p.reason = reason;
    await opts.setSilent(
      p.room,
      { severity: "critical", details: { room: p.room, reason, lastSeenAt: p.lastSeenAt } },
      at,
    );
  }

  return {
    async seen(room, open) {
      const at = now();
      let p = rooms.get(room);
      if (!p) {
        p = { room, lastSeenAt: at, silent: false };
        rooms.set(room, p);
      }
      p.lastSeenAt = at;
      delete p.offline;
      if (open !== undefined) p.open = open;
      if (p.silent) {
        p.silent = false;
        delete p.reason;
        await opts.setSilent(room, undefined, at);
      }
    },
    async offline(room, reason) {
      const at = now();
      let p = rooms.get(room);
      if (!p) {
        p = { room, lastSeenAt: at, silent: false };
        rooms.set(room, p);
      }
      if (!p.silent && !p.offline) p.offline = { since: at, reason };
    },
    async check() {
      const at = now();
      for (const p of rooms.values()) {
        if (p.silent) continue;
        if (p.offline && at - p.offline.since >= offlineGraceMs) {
          const { reason } = p.offline;
          delete p.offline;
          await raise(p, reason, at);
        } else if (at - p.lastSeenAt >= opts.silentAfterMs) {
          await raise(p, `not heard for ${seconds(at - p.lastSeenAt)} s (heartbeats missed)`, at);
        }
      }
    },
    grace() {
      const at = now();
      for (const p of rooms.values()) {
        if (p.silent) continue;
        p.lastSeenAt = Math.max(p.lastSeenAt, at);
        if (p.offline) p.offline.since = at;
      }
    },
    remember(room, silent) {
      if (!rooms.has(room)) rooms.set(room, { room, lastSeenAt: now(), silent });
    },
    rooms() {
      return [...rooms.values()].sort((a, b) => a.room.localeCompare(b.room)).map((p) => ({ ...p }));
    },
  };
}
