/**
 * Logging in and out: the bot's one-time /web link (GET /login/:token), the Mini App's
 * initData (POST /api/auth/telegram), POST /api/auth/logout, and GET /api/me (who, the CSRF
 * token, the room). Logins are rate-limited per IP and audited.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { roleOfPerson } from "../../core/door/roles.ts";
import { escapeHtml } from "../../core/text/format.ts";
import { SESSION_COOKIE, viewerOf } from "../auth/guard.ts";
import { checkInitData } from "../auth/init-data.ts";
import type { Session } from "../auth/sessions.ts";
import { actorOf, audit, type RouteContext } from "../context.ts";
import { fail, localeOf, pickLanguage } from "../views.ts";

const GONE_PAGE: Record<string, { title: string; text: string }> = {
  en: {
    title: "This link no longer works",
    text: "This link was used or is too old. Send /web to the bot for a new one.",
  },
  ja: {
    title: "このリンクは使えません",
    text: "このリンクは使用済みか、有効期限が切れています。ボットに /web を送って新しいリンクを受け取ってください。",
  },
};

function gonePage(acceptLanguage: string | undefined): string {
  const lang = pickLanguage(acceptLanguage, Object.keys(GONE_PAGE)) ?? "en";
  const p = GONE_PAGE[lang] ?? GONE_PAGE.en;
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(p?.title ?? "")}</title></head><body style="font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem"><h1>${escapeHtml(p?.title ?? "")}</h1><p>${escapeHtml(p?.text ?? "")}</p></body></html>`;
}

/** A person's name for the audit log and alert cards: their card's, else what Telegram said, else the id. */
async function nameOf(ctx: RouteContext, userId: number, fallback: string | undefined): Promise<string> {
  const member = await ctx.services.storage.staff.getByTelegramId(userId).catch(() => undefined);
  return member?.name ?? fallback ?? String(userId);
}

function setSessionCookie(ctx: RouteContext, req: FastifyRequest, reply: FastifyReply, session: Session): void {
  reply.setCookie(SESSION_COOKIE, session.id, {
    httpOnly: true,
    sameSite: "strict",
    path: "/",
    secure: ctx.secure(req.protocol),
    maxAge: Math.floor(ctx.services.config.web.sessionMs / 1000),
  });
}

export const authRoutes: FastifyPluginAsync<RouteContext> = async (app, ctx) => {
  const { services, sessions, links } = ctx;
  const loginLimit = { rateLimit: { max: ctx.limits.login, timeWindow: 60_000 } };

  app.get<{ Params: { token: string } }>("/login/:token", { config: loginLimit }, async (req, reply) => {
    const token = req.params.token;
    const used = /^[A-Za-z0-9_-]{43}$/.test(token) ? links.redeem(token) : ({ ok: false, reason: "unknown" } as const);
    const refuse = () =>
      reply
        .code(401)
        .header("cache-control", "no-store")
        .type("text/html; charset=utf-8")
        .send(gonePage(req.headers["accept-language"]));
    if (!used.ok) {
      services.logger.info({ reason: used.reason, ip: req.ip }, "dashboard login link refused");
      return refuse();
    }
    let role: string | undefined;
    try {
      role = await roleOfPerson(used.userId, services.config.telegram, services.storage.staff);
    } catch {
      return fail(reply, 503, "storage-failed", "The console cannot read its database right now; try again shortly.");
    }
    if (!role) return refuse();
    const session = sessions.create(used.userId, await nameOf(ctx, used.userId, used.name), "link");
    await audit(services, actorOf(session), "login", "by link");
    services.logger.info({ userId: used.userId, role }, "dashboard login by link");
    setSessionCookie(ctx, req, reply, session);
    return reply.header("cache-control", "no-store").redirect("/", 303);
  });

  app.post<{ Body: { initData?: unknown } }>("/api/auth/telegram", { config: loginLimit }, async (req, reply) => {
    const initData = req.body?.initData;
    if (typeof initData !== "string") {
      return fail(reply, 400, "bad-request", "The body must be JSON with a string initData.");
    }
    const checked = checkInitData(initData, services.bot.token);
    if (!checked.ok) {
      services.logger.info({ code: checked.code, ip: req.ip }, "dashboard Mini App login refused");
      return fail(
        reply,
        401,
        checked.code,
        checked.code === "init-data-expired"
          ? "The Mini App's launch data is too old; open the dashboard from the bot again."
          : "The Mini App's launch data is not signed by this bot.",
      );
    }
    let role: string | undefined;
    try {
      role = await roleOfPerson(checked.user.id, services.config.telegram, services.storage.staff);
    } catch {
      return fail(reply, 503, "storage-failed", "The console cannot read its database right now; try again shortly.");
    }
    if (!role) {
      services.logger.info({ userId: checked.user.id }, "dashboard Mini App login of someone who is not staff");
      return fail(reply, 403, "not-staff", "The dashboard is for the room's staff and admins only.");
    }
    const session = sessions.create(checked.user.id, await nameOf(ctx, checked.user.id, checked.user.name), "mini-app");
    await audit(services, actorOf(session), "login", "by Mini App");
    setSessionCookie(ctx, req, reply, session);
    return reply.header("cache-control", "no-store").send({ ok: true, token: session.id });
  });

  app.post("/api/auth/logout", async (req, reply) => {
    const { session } = viewerOf(req);
    sessions.delete(session.id);
    await audit(services, actorOf(session), "logout", "");
    reply.clearCookie(SESSION_COOKIE, { path: "/" });
    return { ok: true };
  });

  app.get("/api/me", async (req) => {
    const { session, role } = viewerOf(req);
    const locale = await localeOf(services, session.userId, req.headers["accept-language"]);
    return {
      user: { id: session.userId, name: session.name, role },
      locale,
      csrf: session.csrf,
      room: { id: services.config.roomId, timeZone: services.config.officeHours.timeZone },
      bot: { username: services.bot.username ?? null },
      live: { fps: services.config.web.live.fps, maxViewers: services.config.web.live.maxViewers },
    };
  });

  app.get("/api/ticket", async (req) => {
    const { ticket, expiresAt } = sessions.ticket(viewerOf(req).session);
    return { ticket, expiresAt };
  });
};
