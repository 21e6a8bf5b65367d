/**
 * Live updates (GET /api/events, Server-Sent Events; the page reads it with fetch, so a
 * Bearer token works): `hello`, then `incident` (an IncidentView on every change: raised,
 * acknowledged in Telegram or here, muted, resolved), `reading` and `door` (a log entry), and
 * a comment every 20 s. The person's role is checked again at each ping: a revoked card ends
 * the stream.
 */
import type { FastifyPluginAsync } from "fastify";
import { formatCardUid } from "../../core/door/card-uid.ts";
import { roleOfPerson } from "../../core/door/roles.ts";
import { viewerOf } from "../auth/guard.ts";
import type { RouteContext } from "../context.ts";
import { incidentView, localeOf } from "../views.ts";

export const eventRoutes: FastifyPluginAsync<RouteContext> = async (app, { services, sessions, pingMs }) => {
  const { config, storage, clock, bus } = services;
  const open = new Set<() => void>();
  app.addHook("preClose", async () => {
    for (const end of [...open]) end();
  });

  app.get("/api/events", async (req, reply) => {
    const { session, role } = viewerOf(req);
    const locale = await localeOf(services, session.userId, req.headers["accept-language"]);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
      "x-accel-buffering": "no",
      "x-content-type-options": "nosniff",
    });
    const send = (event: string, data: unknown) => {
      if (!res.writableEnded) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    send("hello", { at: clock.now().getTime(), user: { id: session.userId, role } });

    const offs = [
      bus.on("incident.changed", async ({ incident }) => {
        if (incident.roomId !== config.roomId) return;
        const mutes = await storage.mutes.active(config.roomId, clock.now().getTime()).catch(() => []);
        send("incident", incidentView(services, locale, incident, mutes, true));
      }),
      bus.on("climate.reading", ({ reading }) => {
        if (reading.roomId !== config.roomId) return;
        send("reading", { at: reading.at, temperatureC: reading.temperatureC, humidityPct: reading.humidityPct });
      }),
      bus.on("door.access", ({ entry }) => {
        if (entry.roomId !== config.roomId) return;
        send("door", {
          id: entry.id,
          at: entry.at,
          cardUid: formatCardUid(entry.cardUid),
          ...(entry.staffName ? { staffName: entry.staffName } : {}),
          decision: entry.decision,
        });
      }),
    ];
    const ping = setInterval(async () => {
      const still = sessions.get(session.id)
        ? await roleOfPerson(session.userId, config.telegram, storage.staff).catch(() => "unknown")
        : undefined;
      if (!still) {
        sessions.delete(session.id);
        send("ended", { code: "session-ended" });
        end();
        return;
      }
      if (!res.writableEnded) res.write(": ping\n\n");
    }, pingMs);
    ping.unref();
    function end() {
      clearInterval(ping);
      for (const off of offs) off();
      open.delete(end);
      if (!res.writableEnded) res.end();
    }
    open.add(end);
    // The response's close: the page went away (or the stream was ended here).
    res.on("close", end);
  });
};
