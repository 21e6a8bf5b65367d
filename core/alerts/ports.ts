import type { AlertLedger, AlertWrite, AuditEntry, Incident, Mute, Notice, RuleId } from "./types.ts";

export type { AlertLedger, AlertWrite };

export interface IncidentRepository {
  insert(incident: Incident): Promise<void>;
  /** Saves the engine's fields (everything but `telegramMessageId`, which the channel owns). */
  update(incident: Incident): Promise<void>;
  /** Records the Telegram message that announced the incident. */
  setTelegramMessageId(id: string, messageId: number): Promise<void>;
  get(id: string): Promise<Incident | undefined>;
  /** The open incident of a rule in a room, if any. */
  findOpen(roomId: string, rule: RuleId): Promise<Incident | undefined>;
  /** Open incidents, oldest first; all rooms when roomId is undefined. */
  listOpen(roomId?: string): Promise<Incident[]>;
  /** Incidents opened in [from, to), oldest first. */
  openedBetween(roomId: string, from: number, to: number): Promise<Incident[]>;
}

/** A notice waiting for (or done with) one channel. Written before sending, marked after. */
export interface OutboxEntry {
  id: number;
  channel: string;
  notice: Notice;
  createdAt: number;
  attempts: number;
  nextAttemptAt: number;
  deliveredAt?: number;
  /** Channel's reference, e.g. the Telegram message id. */
  ref?: string;
  lastError?: string;
  /** Set when the channel refused it for good (dead letter): never offered again. */
  deadAt?: number;
}

export interface OutboxRepository {
  /** Writes one entry per channel in one transaction; returns their ids in channel order. */
  enqueue(notice: Notice, channels: readonly string[], at: number): Promise<number[]>;
  /** Undelivered entries of a channel, oldest first (delivery order), at most `limit`. */
  pending(channel: string, limit: number): Promise<OutboxEntry[]>;
  markDelivered(ids: readonly number[], at: number, ref?: string): Promise<void>;
  markFailed(id: number, error: string, nextAttemptAt: number): Promise<void>;
  /** The channel will never take it (a dead letter): it leaves the queue, kept for /alerts. */
  markDead(id: number, error: string, at: number): Promise<void>;
  /** Dead letters dead since `since`, newest first, at most `limit`. */
  dead(since: number, limit: number): Promise<OutboxEntry[]>;
  countPending(channel: string): Promise<number>;
  /** Delivered entries (and dead letters) older than `before` are deleted; returns how many. */
  prune(before: number): Promise<number>;
}

export interface MuteRepository {
  set(mute: Mute): Promise<void>;
  /** Removes a mute ("*" removes the room-wide one); returns whether one existed. */
  clear(roomId: string, rule: Mute["rule"]): Promise<boolean>;
  active(roomId: string, now: number): Promise<Mute[]>;
}

export interface AuditRepository {
  record(entry: AuditEntry): Promise<void>;
  latest(roomId: string, limit: number): Promise<AuditEntry[]>;
}
