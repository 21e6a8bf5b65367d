/**
 * What the dashboard's JSON says about the room's things: incidents as the page shows them
 * (plain text from the Telegram card's own renderer, in the reader's language), the reader's
 * locale, and the API's error shape.
 */
import type { FastifyReply } from "fastify";
import { htmlToPlain, type RenderContext, renderSettledCard, ruleName } from "../core/alerts/render.ts";
import { EVENT_RULES, type Incident, type Mute, muteCovers } from "../core/alerts/types.ts";
import type { DashboardServices } from "./services.ts";

export interface IncidentView {
  id: string;
  rule: string;
  severity: Incident["severity"];
  state: Incident["state"];
  openedAt: number;
  resolvedAt?: number;
  ackedAt?: number;
  ackedBy?: { name: string };
  mutedUntil?: number;
  mutedBy?: { name: string };
  title: string;
  text: string;
  canAct: boolean;
}

/** An API error: `{ ok: false, code, error }` (`error` an English sentence; `code` for the page's own words). */
export function fail(reply: FastifyReply, status: number, code: string, error: string) {
  return reply.code(status).type("application/json; charset=utf-8").send({ ok: false, code, error });
}

/** Whether someone still has something to do about it: open, or an event not acknowledged yet. */
export function wantsAction(i: Incident): boolean {
  return i.ackedAt === undefined && (i.state === "open" || EVENT_RULES.has(i.rule));
}

export function renderContext(s: DashboardServices, locale: string): RenderContext {
  return {
    t: (k, v) => s.i18n.t(locale, k, v),
    timeZone: s.config.officeHours.timeZone,
    now: s.clock.now().getTime(),
  };
}

export function incidentView(
  s: DashboardServices,
  locale: string,
  i: Incident,
  mutes: readonly Mute[],
  staff: boolean,
): IncidentView {
  const ctx = renderContext(s, locale);
  const mute = mutes.filter((m) => muteCovers(m.rule, i.rule)).sort((a, b) => b.until - a.until)[0];
  return {
    id: i.id,
    rule: i.rule,
    severity: i.severity,
    state: i.state,
    openedAt: i.openedAt,
    ...(i.resolvedAt !== undefined ? { resolvedAt: i.resolvedAt } : {}),
    ...(i.ackedAt !== undefined ? { ackedAt: i.ackedAt } : {}),
    ...(i.ackedBy ? { ackedBy: { name: i.ackedBy.name } } : {}),
    ...(mute ? { mutedUntil: mute.until, mutedBy: { name: mute.by.name } } : {}),
    title: htmlToPlain(ruleName(ctx.t, i.rule)),
    text: htmlToPlain(renderSettledCard(ctx, i)),
    canAct: staff && wantsAction(i),
  };
}

/** The reader's language: their /language choice, else the browser's, else DEFAULT_LOCALE. */
export async function localeOf(
  s: DashboardServices,
  userId: number | undefined,
  acceptLanguage: string | undefined,
): Promise<string> {
  const known = s.i18n.locales;
  if (userId !== undefined) {
    const chosen = await s.storage.userSettings.getLocale(userId).catch(() => undefined);
    if (chosen && known.includes(chosen)) return chosen;
  }
  return pickLanguage(acceptLanguage, known) ?? s.config.defaultLocale;
}

/** The first language of an Accept-Language header that is one of `known` (by its primary tag). */
export function pickLanguage(header: string | undefined, known: readonly string[]): string | undefined {
  if (!header) return undefined;
  const wanted = header
    .split(",")
    .map((part) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => /^\s*q=([\d.]+)/.exec(p)?.[1]).find(Boolean);
      return { lang: tag.trim().toLowerCase().split("-")[0] ?? "", q: q === undefined ? 1 : Number(q) };
    })
    .filter((w) => w.lang !== "" && w.q > 0)
    .sort((a, b) => b.q - a.q);
  return wanted.find((w) => known.includes(w.lang))?.lang;
}
