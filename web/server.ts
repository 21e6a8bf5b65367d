/**
 * The dashboard, served by the console itself (Fastify): the page (web/public, no build
 * step, nothing from outside), its JSON API under /api, live updates (SSE), and the login
 * by the bot's one-time /web link or as a Telegram Mini App.
 *
 *   const dashboard = await startDashboard({ services });
 *   dashboard.loginLink(userId)     // { url, expiresAt }: what /web sends
 *   await dashboard.close();
 *
 * Security: CSP and the usual headers (helmet), Host and Origin checks, CSRF tokens for
 * cookie sessions, rate-limited logins, the person's role looked up on every request
 * (web/auth/guard.ts). Sessions live in memory: a restart asks people for /web again.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyCookie from "@fastify/cookie";
import fastifyHelmet from "@fastify/helmet";
import fastifyRateLimit from "@fastify/rate-limit";
import fastifyStatic from "@fastify/static";
import Fastify, { type FastifyInstance } from "fastify";
import { isStorageFault } from "../core/alerts/pipeline.ts";
import { toAddressError } from "../core/startup-error.ts";
import { allowedHosts, createGuard } from "./auth/guard.ts";
import { createLoginLinks } from "./auth/login-links.ts";
import { createSessions } from "./auth/sessions.ts";
import type { RouteContext } from "./context.ts";
import { authRoutes } from "./routes/auth.ts";
import { doorRoutes } from "./routes/door.ts";
import { eventRoutes } from "./routes/events.ts";
import { i18nRoutes } from "./routes/i18n.ts";
import { incidentRoutes } from "./routes/incidents.ts";
import { liveRoutes } from "./routes/live.ts";
import { mediaRoutes } from "./routes/media.ts";
import { roomRoutes } from "./routes/room.ts";
import { serverRoutes } from "./routes/servers.ts";
import { settingsRoutes } from "./routes/settings.ts";
import { staffRoutes } from "./routes/staff.ts";
import type { DashboardServices } from "./services.ts";
import { fail } from "./views.ts";

const PUBLIC_DIR = join(dirname(fileURLToPath(import.meta.url)), "public");
const require = createRequire(import.meta.url);
/** uPlot's and Fluent's browser builds, from their packages wherever npm put them. */
const UPLOT_DIR = join(dirname(require.resolve("uplot/package.json")), "dist");
const FLUENT_DIR = join(dirname(require.resolve("@fluent/bundle/package.json")), "esm");

export interface DashboardOptions {
  services: DashboardServices;
  /** Defaults: config.web.host and config.web.port (0: any free port, for tests). */
  host?: string;
  port?: number;
  /** Requests per minute and IP: logins (default 10) and everything else (default 600). */
  rateLimit?: { login?: number; api?: number };
  /** How often event streams are pinged and the person's role checked again (default 20 s). */
  pingMs?: number;
}

export interface Dashboard {
  /** Where it listens, e.g. http://127.0.0.1:8081. */
  readonly origin: string;
  /** The address people open: WEB_PUBLIC_URL, else http://WEB_HOST:port. */
  readonly publicUrl: string;
  /**
   * A one-time login link for this Telegram user (what /web sends), valid WEB_LOGIN_MINUTES.
   * `name`: what the bot knows them by (their Telegram name), for the audit log and alert
   * cards when they have no card; without it, their card's name or their id.
   */
  loginLink(userId: number, name?: string): { url: string; expiresAt: number };
  /** Live sessions (for logs and tests). */
  sessionCount(): number;
  close(): Promise<void>;
}

export async function startDashboard(opts: DashboardOptions): Promise<Dashboard> {
  const { services } = opts;
  const web = services.config.web;
  const host = opts.host ?? web.host;
  let port = opts.port ?? web.port;
  const sessions = createSessions(services.clock, web.sessionMs);
  const links = createLoginLinks(services.clock, web.loginMs);
  const publicHttps = web.publicUrl?.startsWith("https://") ?? false;
  let allowed = allowedHosts({ host, publicUrl: web.publicUrl }, port);

  const app: FastifyInstance = Fastify({
    logger: false,
    // Behind a reverse proxy on this machine: the client's address comes from X-Forwarded-For.
    trustProxy: "loopback",
    bodyLimit: 64 * 1024,
    // Event streams stay open: closing ends them rather than waiting.
    forceCloseConnections: true,
  });
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", "blob:", "data:"],
        mediaSrc: ["'self'", "blob:"],
        scriptSrc: ["'self'"],
        // uPlot sets inline styles.
        styleSrc: ["'self'", "'unsafe-inline'"],
        connectSrc: ["'self'"],
        // The Mini App runs in an iframe in Telegram Web; nothing else may frame the dashboard.
        frameAncestors: web.publicUrl ? ["https://web.telegram.org"] : ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        objectSrc: ["'none'"],
      },
    },
    // frame-ancestors says who may frame it (X-Frame-Options cannot name Telegram Web).
    frameguard: false,
    hsts: publicHttps ? { maxAge: 15_552_000 } : false,
  });
  await app.register(fastifyCookie);
  await app.register(fastifyRateLimit, {
    global: true,
    max: opts.rateLimit?.api ?? 600,
    timeWindow: 60_000,
    errorResponseBuilder: (_req, context) => ({
      statusCode: 429,
      ok: false,
      code: "rate-limited",
      error: `Too many requests; try again in ${Math.ceil(context.ttl / 1000)} s.`,
    }),
  });
  app.addHook("onRequest", createGuard({ services, sessions, allowed: () => allowed }));
  app.setErrorHandler((err: { statusCode?: number; message?: string; code?: string }, req, reply) => {
    const status = err.statusCode ?? 500;
    if (status === 429) return reply.code(429).send(err);
    if (isStorageFault(err)) {
      services.logger.error({ err: err.message, url: req.url.split("?")[0] }, "dashboard: storage failed");
      return fail(reply, 503, "storage-failed", "The console cannot read its database right now; try again shortly.");
    }
    if (status >= 500) {
      services.logger.error({ err: err.message, url: req.url.split("?")[0] }, "dashboard request failed");
      return fail(reply, 500, "internal", "Something went wrong on the console; it is logged.");
    }
    return fail(reply, status, status === 400 ? "bad-request" : "error", err.message ?? "The request was refused.");
  });
  app.setNotFoundHandler((req, reply) =>
    fail(reply, 404, "not-found", `There is nothing at ${req.url.split("?")[0]?.slice(0, 200)}.`),
  );

  await app.register(fastifyStatic, { root: PUBLIC_DIR, prefix: "/assets/", index: false });
  app.get("/", (_req, reply) => reply.header("cache-control", "no-cache").sendFile("index.html", PUBLIC_DIR));
  await app.register(fastifyStatic, { root: UPLOT_DIR, prefix: "/vendor/uplot/", decorateReply: false, index: false });
  await app.register(fastifyStatic, {
    root: FLUENT_DIR,
    prefix: "/vendor/fluent/",
    decorateReply: false,
    index: false,
  });

  const ctx: RouteContext = {
    services,
    sessions,
    links,
    secure: (protocol) => publicHttps || protocol === "https",
    limits: { login: opts.rateLimit?.login ?? 10, api: opts.rateLimit?.api ?? 600 },
    pingMs: opts.pingMs ?? 20_000,
  };
  for (const routes of [
    authRoutes,
    roomRoutes,
    incidentRoutes,
    doorRoutes,
    serverRoutes,
    mediaRoutes,
    staffRoutes,
    settingsRoutes,
    eventRoutes,
    liveRoutes,
    i18nRoutes,
  ]) {
    await app.register(routes, ctx);
  }

  try {
    await app.listen({ host, port });
  } catch (err) {
    await app.close().catch(() => undefined);
    throw toAddressError(err, {
      service: "the dashboard",
      host,
      port,
      ...(opts.host === undefined ? { hostVariable: "WEB_HOST" } : {}),
      ...(opts.port === undefined ? { portVariable: "WEB_PORT" } : {}),
    });
  }
  const address = app.server.address();
  if (address && typeof address === "object") port = address.port;
  allowed = allowedHosts({ host, publicUrl: web.publicUrl }, port);
  const shownHost = host.includes(":") ? `[${host}]` : host;
  const origin = `http://${host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "[::1]" : shownHost}:${port}`;
  const publicUrl = (web.publicUrl ?? `http://${shownHost}:${port}`).replace(/\/+$/, "");

  return {
    origin,
    publicUrl,
    loginLink(userId, name) {
      const link = links.create(userId, name);
      return { url: `${publicUrl}/login/${link.token}`, expiresAt: link.expiresAt };
    },
    sessionCount: () => sessions.size(),
    async close() {
      await app.close();
    },
  };
}
