/**
 * One-time invites that link a Telegram account to an enrolled card: `/enroll` creates
 * one, the new staff member opens `t.me/<bot>?start=link_<token>`, and the first
 * redemption before expiry links their account. Tokens are 128 random bits
 * (base64url, 22 characters), kept in memory only: a restart voids open invites
 * (an admin makes a new one with /staff).
 */
import { randomBytes } from "node:crypto";
import type { Clock } from "../clock.ts";

export const INVITE_PREFIX = "link_";
/** The deep-link payload: Telegram allows 64 characters of [A-Za-z0-9_-]. */
export const INVITE_PAYLOAD = /^link_([A-Za-z0-9_-]{22})$/;

export interface Invite {
  token: string;
  cardUid: string;
  createdBy: number;
  expiresAt: number;
}

export type RedeemResult = { ok: true; invite: Invite } | { ok: false; reason: "unknown" | "expired" };

export interface InviteStore {
  create(cardUid: string, createdBy: number, ttlMs: number): Invite;
  /** Consumes the invite (whatever the outcome, a token works at most once). */
  redeem(token: string): RedeemResult;
  /** Voids an invite that was never delivered (false: no such open invite). */
  cancel(token: string): boolean;
  /** Invites not yet redeemed nor expired. */
  pending(): Invite[];
}

const MAX_PENDING = 1_000;

export function createInviteStore(clock: Clock): InviteStore {
  const invites = new Map<string, Invite>();

  function prune(now: number): void {
    for (const [token, invite] of invites) if (invite.expiresAt <= now) invites.delete(token);
  }

  return {
    create(cardUid, createdBy, ttlMs) {
      const now = clock.now().getTime();
      prune(now);
      // Bounded: the oldest invite gives way (only admins create them).
      if (invites.size >= MAX_PENDING) {
        const oldest = invites.keys().next().value;
        if (oldest !== undefined) invites.delete(oldest);
      }
      const invite = { token: randomBytes(16).toString("base64url"), cardUid, createdBy, expiresAt: now + ttlMs };
      invites.set(invite.token, invite);
      return invite;
    },
    redeem(token) {
      const invite = invites.get(token);
      if (!invite) return { ok: false, reason: "unknown" };
      invites.delete(token);
      if (invite.expiresAt <= clock.now().getTime()) return { ok: false, reason: "expired" };
      return { ok: true, invite };
    },
    cancel(token) {
      return invites.delete(token);
    },
    pending() {
      prune(clock.now().getTime());
      return [...invites.values()];
    },
  };
}
