/**
 * The dashboard's door, for every request:
 *   - Host: one of WEB_HOST:port, the public URL's host, and on loopback 127.0.0.1, localhost
 *     and [::1] with the port (a DNS-rebinding page names its own host: 421);
 *   - Origin: a request that changes something (not GET/HEAD) from another origin: 403;
 *   - /api/* (but the Mini App's login): a session, by the cookie, `Authorization: Bearer`,
 *     or for GETs of media and live URLs a `?ticket=`; POSTs with the cookie carry the
 *     session's CSRF token in `X-CSRF-Token`;
 *   - the person's role, looked up on every request (roleOfPerson): a revoked card or a
 *     removed id ends the session at once (401 `session-ended`).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { hostname, networkInterfaces } from "node:os";
import type { FastifyReply, FastifyRequest } from "fastify";
import { roleOfPerson } from "../../core/door/roles.ts";
import type { DashboardServices } from "../services.ts";
import { fail } from "../views.ts";
import type { Session, Sessions } from "./sessions.ts";

export const SESSION_COOKIE = "seroma_session";

export interface Viewer {
  session: Session;
  role: "admin" | "staff";
  /** How the request proved the session: the cookie needs CSRF tokens on POSTs, the others do not. */
  via: "cookie" | "bearer" | "ticket";
}

declare module "fastify" {
  interface FastifyRequest {
    viewer?: Viewer;
  }
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host.toLowerCase()) || host.startsWith("127.");
}

/**
 * The Host headers (lowercase host:port) the dashboard answers to, and the origins it trusts:
 * WEB_HOST:port; on loopback its other names; listening on every address (0.0.0.0, ::), each
 * address of this machine and its host name; and the public URL's host.
 */
export function allowedHosts(
  web: { host: string; publicUrl: string | undefined },
  port: number,
  machine: { addresses: readonly string[]; hostname: string } = thisMachine(),
) {
  const bracket = (h: string) => (h.includes(":") && !h.startsWith("[") ? `[${h}]` : h);
  const hosts = new Set<string>([`${bracket(web.host).toLowerCase()}:${port}`]);
  const everywhere = web.host === "0.0.0.0" || web.host === "::";
  if (isLoopback(web.host) || everywhere) {
    for (const h of ["127.0.0.1", "localhost", "[::1]"]) hosts.add(`${h}:${port}`);
  }
  if (everywhere) {
    for (const a of machine.addresses) hosts.add(`${bracket(a).toLowerCase()}:${port}`);
    if (machine.hostname) {
      hosts.add(`${machine.hostname.toLowerCase()}:${port}`);
      hosts.add(`${machine.hostname.toLowerCase()}.local:${port}`);
    }
  }
  const origins = new Set<string>([...hosts].map((h) => `http://${h}`));
  if (web.publicUrl) {
    const u = new URL(web.publicUrl);
    hosts.add(u.host.toLowerCase());
    origins.add(u.origin.toLowerCase());
  }
  return { hosts, origins };
}

function thisMachine(): { addresses: string[]; hostname: string } {
  const addresses = Object.values(networkInterfaces())
    .flat()
    .flatMap((i) => (i && !i.address.startsWith("fe80:") ? [i.address] : []));
  return { addresses, hostname: hostname() };
}

/** Routes under /api that need no session. */
const OPEN_API = new Set(["/api/auth/telegram"]);
/** GET routes that take a `?ticket=` (URLs an <img>, a <video> or an MJPEG <img> loads). */
const TICKET_ROUTES = new Set(["/api/media/:id", "/api/live.mjpeg"]);

export interface GuardOptions {
  services: DashboardServices;
  sessions: Sessions;
  /** Read at each request: the port is known once listening. */
  allowed: () => { hosts: Set<string>; origins: Set<string> };
}

function bearerOf(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  const m = h ? /^Bearer\s+([A-Za-z0-9_-]{20,100})$/.exec(h) : null;
  return m?.[1];
}

/** The onRequest hook: Host, Origin, session, CSRF and role. */
export function createGuard(opts: GuardOptions) {
  const { services, sessions } = opts;
  return async function guard(req: FastifyRequest, reply: FastifyReply) {
    const { hosts, origins } = opts.allowed();
    const host = (req.headers.host ?? "").toLowerCase();
    if (!hosts.has(host)) {
      return fail(reply, 421, "bad-host", `This dashboard does not answer to the host "${host.slice(0, 100)}".`);
    }
    const changes = req.method !== "GET" && req.method !== "HEAD";
    const origin = req.headers.origin;
    if (changes && origin !== undefined && !origins.has(origin.toLowerCase())) {
      return fail(reply, 403, "bad-origin", "This request came from another site; it was refused.");
    }
    // The route that matched, as registered: the router decodes and normalises the address
    // (/%61pi/room is /api/room to it), so deciding on req.url would let such spellings by.
    // No route (a 404): nothing to guard.
    const path = req.routeOptions.url;
    if (path === undefined || !path.startsWith("/api/") || OPEN_API.has(path)) return;

    let session: Session | undefined;
    let via: Viewer["via"] = "cookie";
    const bearer = bearerOf(req);
    if (bearer) {
      session = sessions.get(bearer);
      via = "bearer";
    } else if (req.cookies[SESSION_COOKIE]) {
      session = sessions.get(req.cookies[SESSION_COOKIE] ?? "");
    } else {
      const ticket = (req.query as Record<string, unknown> | undefined)?.ticket;
      if (typeof ticket === "string" && req.method === "GET" && TICKET_ROUTES.has(path)) {
        session = sessions.fromTicket(ticket);
        via = "ticket";
      }
    }
    if (!session) {
      return fail(reply, 401, "login-needed", "Log in first: send /web to the bot for a link.");
    }
    if (changes && via === "cookie" && !sameSecret(req.headers["x-csrf-token"], session.csrf)) {
      return fail(reply, 403, "csrf", "The request lacks this session's CSRF token (X-CSRF-Token).");
    }
    let role: Viewer["role"] | undefined;
    try {
      role = await roleOfPerson(session.userId, services.config.telegram, services.storage.staff);
    } catch (err) {
      services.logger.error({ err: (err as Error).message }, "dashboard: could not look up a role");
      return fail(reply, 503, "storage-failed", "The console cannot read its database right now; try again shortly.");
    }
    if (!role) {
      sessions.delete(session.id);
      services.logger.info({ userId: session.userId }, "dashboard session ended: the person is no longer staff");
      return fail(reply, 401, "session-ended", "Your access has ended (card revoked or removed from the lists).");
    }
    req.viewer = { session, role, via };
  };
}

/** The viewer of a guarded route (the guard has run). */
export function viewerOf(req: FastifyRequest): Viewer {
  if (!req.viewer) throw new Error("no viewer: the route is not behind the guard");
  return req.viewer;
}

/** Compares a presented secret with the expected one in constant time (hashes: equal lengths whatever was sent). */
function sameSecret(presented: string | string[] | undefined, expected: string): boolean {
  if (typeof presented !== "string") return false;
  const digest = (v: string) => createHash("sha256").update(v).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}
