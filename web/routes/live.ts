/**
 * The live camera view: GET /api/live.mjpeg, one viewer of the shared capture as MJPEG
 * (web/live/mjpeg.ts: 503 live-busy at the viewer limit, live-unavailable without a camera).
 * By cookie, Bearer (the page reads it with fetch) or ?ticket= (an <img>).
 */
import type { FastifyPluginAsync } from "fastify";
import type { RouteContext } from "../context.ts";
import { serveMjpeg } from "../live/mjpeg.ts";
import { fail } from "../views.ts";

export const liveRoutes: FastifyPluginAsync<RouteContext> = async (app, { services }) => {
  app.get("/api/live.mjpeg", async (req, reply) => {
    const live = services.live;
    if (!live) return fail(reply, 503, "live-unavailable", "This room has no camera for the live view.");
    // The stream is written on the raw response: the headers set so far (helmet's) go with it.
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value !== undefined) headers[name] = typeof value === "number" ? String(value) : value;
    }
    reply.hijack();
    await serveMjpeg(live, req.raw, reply.raw, {
      headers: {
        ...headers,
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
        "cross-origin-resource-policy": "same-origin",
      },
    });
  });
};
