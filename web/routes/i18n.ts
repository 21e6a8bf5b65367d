/** The page's words (GET /i18n/:lang.ftl): the `## Dashboard` section of locales/LANG.ftl. */
import type { FastifyPluginAsync } from "fastify";
import type { RouteContext } from "../context.ts";
import { fail } from "../views.ts";

export const i18nRoutes: FastifyPluginAsync<RouteContext> = async (app, { services }) => {
  app.get<{ Params: { file: string } }>("/i18n/:file", async (req, reply) => {
    const m = /^([a-z]{2,3})\.ftl$/.exec(req.params.file);
    const lang = m?.[1];
    if (!lang || !services.i18n.locales.includes(lang)) {
      return fail(reply, 404, "not-found", `There are no words for "${req.params.file.slice(0, 20)}".`);
    }
    return reply
      .type("text/plain; charset=utf-8")
      .header("cache-control", "no-cache")
      .send(await services.dashboardFtl(lang));
  });
};
