/**
 * The room's servers (GET /api/servers: state and gist of each; GET /api/servers/:name: the
 * last run check by check, and the recent runs). The words are the bot's (servers-* in
 * locales/*.ftl), as plain text; the state comes from the latest run and the open server
 * incidents, as /servers shows it.
 */
import type { FastifyPluginAsync } from "fastify";
import { describeCondition, htmlToPlain } from "../../core/alerts/render.ts";
import type { HostResult, HostSpec } from "../../core/servers/types.ts";
import { viewerOf } from "../auth/guard.ts";
import type { RouteContext } from "../context.ts";
import type { DashboardServices } from "../services.ts";
import { fail, localeOf } from "../views.ts";

type T = (key: string, vars?: Record<string, string | number>) => string;

function uptime(t: T, seconds: number): string {
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return d > 0
    ? t("servers-up-days", { d: String(d), h: String(h) })
    : t("servers-up-hours", { h: String(h), m: String(m) });
}

/** The gist of a run in one plain line (what /servers says after the host's name). */
export function summaryOf(t: T, r: HostResult | undefined): string {
  if (!r) return htmlToPlain(t("servers-never"));
  if (!r.reachable) return htmlToPlain(t(`servers-failure-${r.failure?.kind ?? "unreachable"}`));
  const c = r.checks;
  const parts: string[] = [];
  if (c.uptime?.ok) parts.push(uptime(t, c.uptime.value.seconds));
  if (c.load?.ok)
    parts.push(t("servers-load", { load: c.load.value.load1.toFixed(2), cores: String(c.load.value.cores) }));
  if (c.memory?.ok) parts.push(t("servers-memory", { pct: String(Math.round(c.memory.value.usedPct)) }));
  if (c.disk?.ok && c.disk.value.length > 0) {
    const fullest = [...c.disk.value].sort((a, b) => b.usedPct - a.usedPct)[0];
    if (fullest) parts.push(t("servers-disk", { pct: String(fullest.usedPct), mount: fullest.mount }));
  }
  if (c.services?.ok && c.services.value.length > 0) {
    const active = c.services.value.filter((s) => s.state === "active").length;
    parts.push(t("servers-services", { active, total: c.services.value.length }));
  }
  if (c.journal?.ok && c.journal.value.available) parts.push(t("servers-journal", { n: c.journal.value.count }));
  return htmlToPlain(parts.join(" · "));
}

function problemsOf(s: DashboardServices, t: T, host: string): string[] {
  return s.alerts
    .openIncidents()
    .filter((i) => i.rule.startsWith("server.") && i.rule.endsWith(`:${host}`))
    .map((i) => htmlToPlain(describeCondition(t, i.rule, i.details)));
}

function stateOf(r: HostResult | undefined, problems: readonly string[]): "up" | "down" | "warning" | "unknown" {
  if (!r) return "unknown";
  if (!r.reachable) return "down";
  return problems.length > 0 ? "warning" : "up";
}

function hostView(spec: HostSpec) {
  return {
    name: spec.name,
    host: `${spec.user}@${spec.address}:${spec.port}`,
    hostKey: spec.hostKey,
    checks: spec.checks,
    services: spec.services,
    thresholds: spec.thresholds,
  };
}

export const serverRoutes: FastifyPluginAsync<RouteContext> = async (app, { services }) => {
  const { storage, config } = services;
  const translator = async (req: Parameters<typeof viewerOf>[0]): Promise<T> => {
    const locale = await localeOf(services, viewerOf(req).session.userId, req.headers["accept-language"]);
    return (k, v) => services.i18n.t(locale, k, v);
  };

  app.get("/api/servers", async (req) => {
    const t = await translator(req);
    const hosts = await storage.hosts.list(config.roomId);
    const latest = await storage.serverResults.latestPerHost(config.roomId);
    return {
      servers: hosts.map((spec) => {
        const r = latest.get(spec.name);
        const problems = problemsOf(services, t, spec.name);
        return {
          name: spec.name,
          host: `${spec.address}:${spec.port}`,
          state: stateOf(r, problems),
          ...(r ? { checkedAt: r.at } : {}),
          summary: summaryOf(t, r),
          problems,
        };
      }),
    };
  });

  app.get<{ Params: { name: string } }>("/api/servers/:name", async (req, reply) => {
    const name = req.params.name;
    const spec = /^[\w.-]{1,64}$/.test(name) ? await storage.hosts.get(config.roomId, name) : undefined;
    if (!spec) return fail(reply, 404, "not-found", "There is no such server.");
    const t = await translator(req);
    const recent = await storage.serverResults.latest(config.roomId, name, 10);
    const r = recent[0];
    const problems = problemsOf(services, t, name);
    return {
      server: {
        ...hostView(spec),
        state: stateOf(r, problems),
        ...(r ? { checkedAt: r.at } : {}),
        summary: summaryOf(t, r),
        problems,
        last: r ?? null,
        recent: recent.map((x) => ({
          at: x.at,
          durationMs: x.durationMs,
          reachable: x.reachable,
          summary: summaryOf(t, x),
        })),
      },
    };
  });
};
