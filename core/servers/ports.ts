/**
 * The host catalogue and the results of server checks. Hosts belong to a room (each
 * room's Pi checks its own servers); a room's host names are unique.
 */
import type { HostResult, HostSpec } from "./types.ts";

export interface HostRepository {
  /** Adds a host; a name the room has already is refused with the existing entry. */
  add(roomId: string, host: HostSpec): Promise<{ ok: true } | { ok: false; reason: "duplicate"; existing: HostSpec }>;
  get(roomId: string, name: string): Promise<HostSpec | undefined>;
  /** Sorted by name. */
  list(roomId: string): Promise<HostSpec[]>;
  /** Returns false if there was no such host. Its stored results are kept (history). */
  remove(roomId: string, name: string): Promise<boolean>;
}

export interface ServerResultRepository {
  add(roomId: string, result: HostResult): Promise<void>;
  /** A host's results, newest first. */
  latest(roomId: string, host: string, limit: number): Promise<HostResult[]>;
  /** The newest result of each host that has one. */
  latestPerHost(roomId: string): Promise<Map<string, HostResult>>;
  /** Deletes results older than `before` (epoch ms); returns how many. */
  prune(before: number): Promise<number>;
}

/** Runs a host's checks; `journalSince` (epoch seconds) is where the journal check starts. */
export type HostChecker = (
  spec: HostSpec,
  opts?: { journalSince?: number; signal?: AbortSignal },
) => Promise<HostResult>;
