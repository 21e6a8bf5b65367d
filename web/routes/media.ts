/**
 * Snapshots and clips: the list (GET /api/media, newest first, paged by id) and the bytes
 * (GET /api/media/:id, with Range for video; by cookie, Bearer or ?ticket=).
 */
import type { FastifyPluginAsync } from "fastify";
import type { MediaItem } from "../../core/camera/media.ts";
import type { RouteContext } from "../context.ts";
import { fail } from "../views.ts";

const PAGE_DEFAULT = 24;
const PAGE_MAX = 100;

function itemView(m: MediaItem) {
  return {
    id: m.id,
    at: m.at,
    kind: m.kind,
    mime: m.mime,
    size: m.size,
    reason: m.reason,
    ...(m.width !== undefined ? { width: m.width } : {}),
    ...(m.height !== undefined ? { height: m.height } : {}),
    ...(m.seconds !== undefined ? { seconds: m.seconds } : {}),
    url: `/api/media/${m.id}`,
  };
}

/** A single `bytes=` range of a body of `size` bytes: [start, end] inclusive, "bad" if it cannot be served. */
export function parseRange(header: string, size: number): { start: number; end: number } | "bad" {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return "bad";
  if (m[1] === "") {
    const n = Number(m[2]);
    if (n === 0) return "bad";
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  return start > end || start >= size ? "bad" : { start, end };
}

export const mediaRoutes: FastifyPluginAsync<RouteContext> = async (app, { services }) => {
  const { storage, config } = services;

  app.get<{ Querystring: Record<string, string | undefined> }>("/api/media", async (req, reply) => {
    const { kind, before, limit } = req.query;
    if (kind !== undefined && kind !== "" && kind !== "snapshot" && kind !== "clip") {
      return fail(reply, 400, "bad-query", "kind must be snapshot or clip.");
    }
    if (before !== undefined && before !== "" && !/^\d{1,16}$/.test(before)) {
      return fail(reply, 400, "bad-query", "before must be a media id (a whole number).");
    }
    if (
      limit !== undefined &&
      limit !== "" &&
      (!/^\d{1,4}$/.test(limit) || Number(limit) < 1 || Number(limit) > PAGE_MAX)
    ) {
      return fail(reply, 400, "bad-query", `limit must be 1 to ${PAGE_MAX}.`);
    }
    const n = limit ? Number(limit) : PAGE_DEFAULT;
    const items = await storage.media.list(config.roomId, {
      limit: n,
      ...(before ? { before: Number(before) } : {}),
      ...(kind === "snapshot" || kind === "clip" ? { kind } : {}),
    });
    const last = items[items.length - 1];
    return { items: items.map(itemView), ...(items.length === n && last ? { next: last.id } : {}) };
  });

  app.get<{ Params: { id: string } }>("/api/media/:id", async (req, reply) => {
    const id = /^\d{1,16}$/.test(req.params.id) ? Number(req.params.id) : undefined;
    const item = id === undefined ? undefined : await storage.media.get(id);
    if (!item || item.roomId !== config.roomId)
      return fail(reply, 404, "not-found", "There is no such picture or clip.");
    const bytes = await storage.media.read(item.id);
    if (!bytes) return fail(reply, 404, "gone", "The file of this picture or clip is gone.");
    reply
      .header("accept-ranges", "bytes")
      .header("cache-control", "private, max-age=86400")
      .header("x-content-type-options", "nosniff")
      .type(item.mime);
    const range = req.headers.range;
    if (range === undefined) return reply.header("content-length", bytes.length).send(bytes);
    const r = parseRange(range, bytes.length);
    if (r === "bad") {
      return reply.code(416).header("content-range", `bytes */${bytes.length}`).send();
    }
    return reply
      .code(206)
      .header("content-range", `bytes ${r.start}-${r.end}/${bytes.length}`)
      .header("content-length", r.end - r.start + 1)
      .send(bytes.subarray(r.start, r.end + 1));
  });
};
