/**
 * Acting on incidents from the dashboard: Acknowledge and Mute. Each does what the alert
 * card's button does in Telegram (the same engine call, the same audit entry, marked
 * "(web)"), and the card in the staff group is edited to match.
 */
import type { FastifyPluginAsync } from "fastify";
import { viewerOf } from "../auth/guard.ts";
import { actorOf, audit, type RouteContext } from "../context.ts";
import { fail, incidentView, localeOf, wantsAction } from "../views.ts";

const ID = /^[A-Za-z0-9._:-]{1,100}$/;

export const incidentRoutes: FastifyPluginAsync<RouteContext> = async (app, { services }) => {
  const { storage, config, clock } = services;

  async function view(req: Parameters<typeof viewerOf>[0], id: string) {
    const { session } = viewerOf(req);
    const locale = await localeOf(services, session.userId, req.headers["accept-language"]);
    const incident = await storage.incidents.get(id);
    const mutes = await storage.mutes.active(config.roomId, clock.now().getTime());
    return incident ? incidentView(services, locale, incident, mutes, true) : undefined;
  }

  app.get<{ Params: { id: string } }>("/api/incidents/:id", async (req, reply) => {
    const shown = ID.test(req.params.id) ? await view(req, req.params.id) : undefined;
    if (!shown) return fail(reply, 404, "not-found", "There is no such incident.");
    return { incident: shown };
  });

  app.post<{ Params: { id: string } }>("/api/incidents/:id/ack", async (req, reply) => {
    const { id } = req.params;
    if (!ID.test(id)) return fail(reply, 404, "not-found", "There is no such incident.");
    const by = actorOf(viewerOf(req).session);
    const result = await services.alerts.acknowledge(id, by);
    if (!result.ok) {
      if (result.reason === "not-found") return fail(reply, 404, "not-found", "There is no such incident.");
      return result.reason === "already"
        ? fail(reply, 409, "already", `${result.incident?.ackedBy?.name ?? "Someone"} acknowledged it already.`)
        : fail(reply, 409, "resolved", "It is resolved; there is nothing to acknowledge.");
    }
    await audit(services, by, "ack", "", id);
    await services.alerts.settleCard(result.incident);
    return { ok: true, incident: await view(req, id) };
  });

  app.post<{ Params: { id: string }; Body: { hours?: unknown } }>("/api/incidents/:id/mute", async (req, reply) => {
    const { id } = req.params;
    const hours = req.body?.hours;
    if (hours !== 1 && hours !== 24) return fail(reply, 400, "bad-hours", "hours must be 1 or 24.");
    const incident = ID.test(id) ? await storage.incidents.get(id) : undefined;
    if (!incident) return fail(reply, 404, "not-found", "There is no such incident.");
    if (!wantsAction(incident)) {
      return incident.ackedBy
        ? fail(reply, 409, "already", `${incident.ackedBy.name} acknowledged it already.`)
        : fail(reply, 409, "resolved", "It is resolved; there is nothing to mute.");
    }
    const by = actorOf(viewerOf(req).session);
    const until = clock.now().getTime() + hours * 3_600_000;
    await services.alerts.mute(incident, by, until);
    await audit(services, by, "mute", `${incident.rule} for ${hours}h`, id);
    return { ok: true, incident: await view(req, id) };
  });
};
