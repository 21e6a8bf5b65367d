/**
 * Dashboard sessions, in memory: a restart of the console ends them all, and people send
 * /web again (or reopen the Mini App). A session ends after WEB_SESSION_HOURS without use,
 * at logout, and as soon as the person's role ends (the guard deletes it).
 *
 * Media and live URLs used by <img>/<video> cannot carry a Bearer header: a ticket (an HMAC
 * of the session's digest and an expiry, 10 minutes) stands in for it; it names the session
 * by a digest, never by its id.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Clock } from "../../core/clock.ts";

export const TICKET_MS = 10 * 60_000;
const MAX_SESSIONS = 10_000;

export interface Session {
  id: string;
  userId: number;
  name: string;
  csrf: string;
  createdAt: number;
  lastUsedAt: number;
  /** How it began: a /web link or the Mini App. */
  via: "link" | "mini-app";
}

export interface Sessions {
  create(userId: number, name: string, via: Session["via"]): Session;
  /** The session if it exists and was used within the idle time; touches it. */
  get(id: string): Session | undefined;
  delete(id: string): void;
  ticket(session: Session): { ticket: string; expiresAt: number };
  /** The session a ticket stands for, if the ticket is genuine and fresh. */
  fromTicket(ticket: string): Session | undefined;
  size(): number;
}

const digest = (id: string) => createHash("sha256").update(id).digest("base64url").slice(0, 22);

export function createSessions(clock: Clock, idleMs: number): Sessions {
  const byId = new Map<string, Session>();
  const byDigest = new Map<string, string>();
  const secret = randomBytes(32);
  const mac = (text: string) => createHmac("sha256", secret).update(text).digest("base64url");
  const now = () => clock.now().getTime();

  function remove(id: string): void {
    byId.delete(id);
    byDigest.delete(digest(id));
  }

  function live(id: string): Session | undefined {
    const s = byId.get(id);
    if (!s) return undefined;
    if (now() - s.lastUsedAt > idleMs) {
      remove(id);
      return undefined;
    }
    return s;
  }

  return {
    create(userId, name, via) {
      const at = now();
      if (byId.size >= MAX_SESSIONS) {
        for (const [id, s] of byId) if (at - s.lastUsedAt > idleMs) remove(id);
        const oldest = byId.keys().next().value;
        if (byId.size >= MAX_SESSIONS && oldest !== undefined) remove(oldest);
      }
      const s: Session = {
        id: randomBytes(32).toString("base64url"),
        userId,
        name,
        csrf: randomBytes(24).toString("base64url"),
        createdAt: at,
        lastUsedAt: at,
        via,
      };
      byId.set(s.id, s);
      byDigest.set(digest(s.id), s.id);
      return s;
    },
    get(id) {
      const s = live(id);
      if (s) s.lastUsedAt = now();
      return s;
    },
    delete: remove,
    ticket(s) {
      const expiresAt = now() + TICKET_MS;
      const body = `${digest(s.id)}.${expiresAt}`;
      return { ticket: `${body}.${mac(body)}`, expiresAt };
    },
    fromTicket(ticket) {
      const [d, exp, sig] = ticket.split(".");
      if (!d || !exp || !sig || !/^\d{1,16}$/.test(exp)) return undefined;
      const want = Buffer.from(mac(`${d}.${exp}`));
      const got = Buffer.from(sig);
      if (want.length !== got.length || !timingSafeEqual(want, got)) return undefined;
      if (Number(exp) <= now()) return undefined;
      const id = byDigest.get(d);
      return id ? live(id) : undefined;
    },
    size: () => byId.size,
  };
}
