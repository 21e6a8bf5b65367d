/**
 * The room now (GET /api/room: the latest reading and its levels, the sensor, the
 * thresholds, the incidents wanting someone, the door today) and its climate over 24 h or
 * 7 days (GET /api/climate, summarised by the database).
 */
import type { FastifyPluginAsync } from "fastify";
import { EVENT_RULES, type Incident } from "../../core/alerts/types.ts";
import { assess } from "../../core/climate/assess.ts";
import { viewerOf } from "../auth/guard.ts";
import type { RouteContext } from "../context.ts";
import { startOfLocalDay } from "../day.ts";
import type { DashboardServices } from "../services.ts";
import { fail, incidentView, localeOf, wantsAction } from "../views.ts";

const DAY_MS = 86_400_000;
const RANGES = { "24h": { ms: DAY_MS, buckets: 288 }, "7d": { ms: 7 * DAY_MS, buckets: 336 } } as const;
/** Event incidents (a breach...) this recent still show until acknowledged. */
const EVENT_WINDOW_MS = DAY_MS;

/** The incidents the room page shows: open ones, and recent events not acknowledged yet; newest first. */
export async function currentIncidents(s: DashboardServices): Promise<Incident[]> {
  const now = s.clock.now().getTime();
  const open = s.alerts.openIncidents();
  const events = (await s.storage.incidents.openedBetween(s.config.roomId, now - EVENT_WINDOW_MS, now + 1)).filter(
    (i) => EVENT_RULES.has(i.rule) && wantsAction(i),
  );
  const byId = new Map<string, Incident>();
  for (const i of [...open, ...events]) byId.set(i.id, i);
  return [...byId.values()].sort((a, b) => b.openedAt - a.openedAt);
}

export const roomRoutes: FastifyPluginAsync<RouteContext> = async (app, { services }) => {
  const { config, storage, clock } = services;

  app.get("/api/room", async (req) => {
    const { session, role } = viewerOf(req);
    const locale = await localeOf(services, session.userId, req.headers["accept-language"]);
    const now = clock.now().getTime();
    const [reading] = await storage.readings.latest(config.roomId, 1);
    const incidents = await currentIncidents(services);
    const mutes = await storage.mutes.active(config.roomId, now);
    const entries = await storage.accessLog.between(
      config.roomId,
      startOfLocalDay(now, config.officeHours.timeZone),
      now + 1,
      10_000,
    );
    const came = entries.filter((e) => e.decision === "allowed" || e.decision === "off-hours");
    return {
      reading: reading
        ? { at: reading.at, temperatureC: reading.temperatureC, humidityPct: reading.humidityPct }
        : null,
      levels: {
        temperature: reading ? assess(reading.temperatureC, config.thresholds.temperatureC).level : "unknown",
        humidity: reading ? assess(reading.humidityPct, config.thresholds.humidityPct).level : "unknown",
      },
      sensor: { driver: services.sensor.driver, ...services.sensor.state() },
      thresholds: config.thresholds,
      incidents: incidents.map((i) => incidentView(services, locale, i, mutes, role === "admin" || role === "staff")),
      door: { today: came.length, inside: new Set(came.map((e) => e.cardUid)).size },
    };
  });

  app.get<{ Querystring: { range?: string } }>("/api/climate", async (req, reply) => {
    const name = req.query.range ?? "24h";
    if (name !== "24h" && name !== "7d") {
      return fail(reply, 400, "bad-range", `range must be 24h or 7d, not "${String(name).slice(0, 20)}".`);
    }
    const range = RANGES[name];
    const to = clock.now().getTime();
    const from = to - range.ms;
    const buckets = await storage.readings.aggregate(config.roomId, from, to + 1, range.buckets);
    return {
      range: name,
      from,
      to,
      points: buckets.map((b) => ({
        at: b.at,
        tAvg: b.tAvg,
        tMin: b.tMin,
        tMax: b.tMax,
        hAvg: b.hAvg,
        hMin: b.hMin,
        hMax: b.hMax,
      })),
    };
  });
};
