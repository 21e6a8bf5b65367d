/**
 * The live view over HTTP: one viewer of the live camera written to a Node response as
 * MJPEG (`multipart/x-mixed-replace; boundary=frame`), which an <img> shows as it comes.
 * Each part:
 *
 *   --frame\r\n
 *   Content-Type: image/jpeg\r\n
 *   Content-Length: N\r\n
 *   X-Captured-At: <epoch ms>\r\n
 *   \r\n
 *   <N bytes of JPEG>\r\n
 *
 * Answers:
 *   503 { ok: false, code: "live-busy", error }         at the viewer limit;
 *   503 { ok: false, code: "live-unavailable", error }  no camera that streams, the live view
 *                                                       closed, or the capture failed before
 *                                                       its first frame (error says why);
 *   200 and frames                                      otherwise; the headers go out with the
 *                                                       first frame.
 * Backpressure: a part is written only when the previous one has left the process (the
 * socket took it: the write's callback); meanwhile the viewer keeps only the newest frame, so a slow client gets
 * fewer frames, never a growing buffer. A client that takes nothing for `stallMs` (30 s) is
 * cut off. The response ends (closing boundary) when the capture fails or the live camera
 * closes, and the viewer leaves when the client goes away (whatever the reason), so the
 * viewer limit counts open connections only.
 *
 * With Fastify: `reply.hijack(); await serveMjpeg(live, request.raw, reply.raw);`.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { LiveCamera, LiveFrame } from "../../core/camera/live-camera.ts";

export const MJPEG_BOUNDARY = "frame";
export const MJPEG_CONTENT_TYPE = `multipart/x-mixed-replace; boundary=${MJPEG_BOUNDARY}`;

export interface ServeMjpegOptions {
  /** A client that has not taken the last frame for this long is disconnected (default 30000 ms). */
  stallMs?: number;
  /** More headers for the 200 answer (and the 503s). */
  headers?: OutgoingHttpHeaders;
}

export type LiveRefusalCode = "live-busy" | "live-unavailable";

const NO_CACHE = "no-store, no-cache, must-revalidate, max-age=0";

/** The 503 JSON answer; nothing when the response has already started or the client is gone. */
export function refuseLive(
  res: ServerResponse,
  code: LiveRefusalCode,
  error: string,
  headers: OutgoingHttpHeaders = {},
): void {
  if (res.headersSent || res.destroyed || res.writableEnded) return;
  const body = JSON.stringify({ ok: false, code, error });
  res.writeHead(503, {
    ...headers,
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(body),
    "Cache-Control": NO_CACHE,
    "Retry-After": code === "live-busy" ? "5" : "10",
  });
  res.end(body);
}

/** The bytes before a frame's JPEG in the multipart body. */
export function partHeader(frame: Pick<LiveFrame, "jpeg" | "at">): string {
  return (
    `--${MJPEG_BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: ${frame.jpeg.length}\r\n` +
    `X-Captured-At: ${Math.round(frame.at)}\r\n\r\n`
  );
}

/**
 * Writes one part and resolves true once it has left the process (the last write's callback:
 * the socket took it), false when the response closed or `ms` passed first. The callback, not
 * 'drain': Node 22 may report a response as needing a drain (writableNeedDrain) with nothing
 * left to drain, and then never emits 'drain'.
 */
function writePart(res: ServerResponse, frame: Pick<LiveFrame, "jpeg" | "at">, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (ok: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      res.off("close", onClose);
      resolve(ok);
    };
    const onClose = () => done(false);
    const timer = setTimeout(() => done(false), ms);
    res.on("close", onClose);
    res.cork();
    res.write(partHeader(frame));
    res.write(frame.jpeg);
    res.write("\r\n", (err) => done(!err));
    res.uncork();
  });
}

/** Serves one viewer of `live` on `res` until the client leaves or the capture ends; see the top of this file. */
export async function serveMjpeg(
  live: LiveCamera,
  _req: IncomingMessage,
  res: ServerResponse,
  opts: ServeMjpegOptions = {},
): Promise<void> {
  const stallMs = opts.stallMs ?? 30_000;
  const extra = opts.headers ?? {};
  const joined = live.join();
  if (!joined.ok) {
    refuseLive(res, joined.reason === "busy" ? "live-busy" : "live-unavailable", joined.message, extra);
    return;
  }
  const viewer = joined.viewer;
  // 'close' on the response: the client went away (or the answer ended); either way the viewer leaves
  const leave = () => viewer.leave();
  res.on("close", leave);
  try {
    let event = await viewer.next();
    if (event.type !== "frame") {
      refuseLive(res, "live-unavailable", event.type === "error" ? event.message : "the live view was closed", extra);
      return;
    }
    if (res.destroyed) return;
    res.writeHead(200, {
      ...extra,
      "Content-Type": MJPEG_CONTENT_TYPE,
      "Cache-Control": NO_CACHE,
      Pragma: "no-cache",
      // a reverse proxy (nginx) must not buffer the stream
      "X-Accel-Buffering": "no",
    });
    while (event.type === "frame") {
      if (res.destroyed || res.writableEnded) return;
      if (!(await writePart(res, event.frame, stallMs))) {
        // a client that does not read (or is gone): cut off, so it does not hold a viewer's place
        res.destroy();
        return;
      }
      event = await viewer.next();
    }
    // the capture failed, or the live camera closed: end the multipart body cleanly
    if (!res.destroyed && !res.writableEnded) res.end(`--${MJPEG_BOUNDARY}--\r\n`);
  } finally {
    viewer.leave();
    res.off("close", leave);
  }
}
