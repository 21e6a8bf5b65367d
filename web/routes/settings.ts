/** The room's settings, read only (GET /api/settings): no secrets, no tokens, no paths. */
import type { FastifyPluginAsync } from "fastify";
import type { RouteContext } from "../context.ts";

const hhmm = (minute: number) =>
  `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;

export const settingsRoutes: FastifyPluginAsync<RouteContext> = async (app, { services }) => {
  app.get("/api/settings", async () => {
    const c = services.config;
    const open = c.officeHours.days.flatMap((windows, day) => (windows.length > 0 ? [{ day, windows }] : []));
    const first = open[0]?.windows[0];
    const count = (await services.storage.hosts.list(c.roomId).catch(() => [])).length;
    return {
      thresholds: c.thresholds,
      hysteresis: c.alerts.hysteresis,
      officeHours: {
        days: open.map((d) => DAYS[d.day]),
        start: first ? hhmm(first.start) : null,
        end: first ? hhmm(first.end) : null,
        windows: open.map((d) => ({ day: DAYS[d.day], spans: d.windows.map((w) => [hhmm(w.start), hhmm(w.end)]) })),
        timeZone: c.officeHours.timeZone,
      },
      sampling: { cron: c.sampling.cron },
      alerts: { minDurationMs: c.alerts.minDurationMs, remindEveryMs: c.alerts.remindEveryMs },
      camera: {
        driver: services.camera.driver,
        width: c.camera.width,
        height: c.camera.height,
        clipSeconds: c.camera.clipSeconds,
      },
      servers: { checkMinutes: c.servers.intervalMinutes, count },
      web: {
        ...(c.web.publicUrl ? { publicUrl: c.web.publicUrl } : {}),
        loginMinutes: Math.round(c.web.loginMs / 60_000),
        sessionHours: Math.round((c.web.sessionMs / 3_600_000) * 10) / 10,
      },
      storage: { kind: c.storage },
    };
  });
};
