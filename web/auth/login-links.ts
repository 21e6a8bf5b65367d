/**
 * One-time login links (`/web` in the bot): 32 random bytes (base64url), valid for
 * WEB_LOGIN_MINUTES, used once. Kept in memory: a restart voids them (send /web again).
 */
import { randomBytes } from "node:crypto";
import type { Clock } from "../../core/clock.ts";

const MAX_OPEN = 1_000;

export interface LoginLink {
  token: string;
  userId: number;
  /** The name the bot knows them by (Telegram's first and last name), for the audit log and alert cards. */
  name?: string;
  expiresAt: number;
}

export type LinkRedeem = { ok: true; userId: number; name?: string } | { ok: false; reason: "unknown" | "expired" };

export interface LoginLinks {
  create(userId: number, name?: string): LoginLink;
  /** Consumes the token whatever the outcome: a link works at most once. */
  redeem(token: string): LinkRedeem;
}

export function createLoginLinks(clock: Clock, ttlMs: number): LoginLinks {
  const links = new Map<string, LoginLink>();
  return {
    create(userId, name) {
      const now = clock.now().getTime();
      for (const [token, l] of links) if (l.expiresAt <= now) links.delete(token);
      if (links.size >= MAX_OPEN) {
        const oldest = links.keys().next().value;
        if (oldest !== undefined) links.delete(oldest);
      }
      const link: LoginLink = {
        token: randomBytes(32).toString("base64url"),
        userId,
        ...(name ? { name: name.slice(0, 100) } : {}),
        expiresAt: now + ttlMs,
      };
      links.set(link.token, link);
      return link;
    },
    redeem(token) {
      const link = links.get(token);
      if (!link) return { ok: false, reason: "unknown" };
      links.delete(token);
      if (link.expiresAt <= clock.now().getTime()) return { ok: false, reason: "expired" };
      return { ok: true, userId: link.userId, ...(link.name ? { name: link.name } : {}) };
    },
  };
}
