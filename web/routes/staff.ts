/**
 * Staff, for admins: the cards (GET /api/staff), revoke and restore (with the bot's refusals:
 * not your own card, not the last admin card: core/door/policy.ts), and a one-time t.me
 * invite that links a Telegram account to a card (as /staff's Invite button). Audited.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { normalizeUid } from "../../core/door/card-uid.ts";
import { revokeRefusal } from "../../core/door/policy.ts";
import { viewerOf } from "../auth/guard.ts";
import { actorOf, audit, type RouteContext } from "../context.ts";
import { fail } from "../views.ts";

const REFUSALS = {
  "own-card": "You cannot revoke your own card; another admin can.",
  "last-admin": "This is the last active admin card; enroll another admin card first.",
} as const;

export const staffRoutes: FastifyPluginAsync<RouteContext> = async (app, { services }) => {
  const { storage, clock } = services;

  app.addHook("preHandler", async (req: FastifyRequest, reply: FastifyReply) => {
    if (!req.url.startsWith("/api/staff")) return;
    if (viewerOf(req).role !== "admin") return fail(reply, 403, "admin-only", "Only admins manage staff.");
  });

  app.get("/api/staff", async () => {
    const staff = await storage.staff.list({ includeRevoked: true });
    return {
      staff: staff.map((m) => ({
        cardUid: m.cardUid,
        name: m.name,
        role: m.role,
        active: m.active,
        linked: m.telegramUserId !== undefined,
        createdAt: m.createdAt,
        ...(m.revokedAt !== undefined ? { revokedAt: m.revokedAt } : {}),
      })),
    };
  });

  for (const action of ["revoke", "restore"] as const) {
    app.post<{ Params: { uid: string } }>(`/api/staff/:uid/${action}`, async (req, reply) => {
      const uid = normalizeUid(req.params.uid);
      const before = uid ? await storage.staff.getByUid(uid) : undefined;
      if (!uid || !before) return fail(reply, 404, "not-found", "There is no such card.");
      const by = actorOf(viewerOf(req).session);
      if (action === "revoke") {
        const reason = revokeRefusal(before, by.id, await storage.staff.list());
        if (reason) {
          services.logger.info({ uid, by: by.id, reason }, "card revoke refused (web)");
          return fail(reply, 409, reason, REFUSALS[reason]);
        }
      }
      if (before.active === (action === "restore")) {
        return fail(reply, 409, `already-${action}d`, `${before.name}'s card is ${action}d already.`);
      }
      const member = await storage.staff.setActive(uid, action === "restore", by.id, clock.now().getTime());
      if (!member) return fail(reply, 404, "not-found", "There is no such card.");
      await audit(services, by, action, `${uid} ${member.name}`);
      services.logger.info({ uid, action, by: by.id }, `card ${action}d (web)`);
      return {
        ok: true,
        member: { cardUid: member.cardUid, name: member.name, role: member.role, active: member.active },
      };
    });
  }

  app.post<{ Params: { uid: string } }>("/api/staff/:uid/invite", async (req, reply) => {
    const uid = normalizeUid(req.params.uid);
    const member = uid ? await storage.staff.getByUid(uid) : undefined;
    if (!uid || !member?.active) return fail(reply, 404, "not-found", "There is no such active card.");
    if (!services.bot.username) return fail(reply, 503, "no-bot", "The bot is not running; invites need it.");
    const by = actorOf(viewerOf(req).session);
    const invite = services.invites.create(uid, by.id);
    await audit(services, by, "invite", `${uid} ${member.name}`);
    return { ok: true, link: invite.link, expiresAt: invite.expiresAt };
  });
};
