/**
 * A small MJPEG client for tests and the bench: reads a `multipart/x-mixed-replace;
 * boundary=frame` body part by part (Content-Length framed), as a browser's <img> would.
 */
import http from "node:http";

export interface MjpegPart {
  headers: Record<string, string>;
  body: Buffer;
  /** X-Captured-At, epoch ms. */
  capturedAt: number;
  /** Date.now() when the part's last byte arrived. */
  receivedAt: number;
}

/** Parses parts out of body chunks; `push` returns the parts each chunk completed. */
export function createMultipartParser(boundary = "frame"): {
  push(chunk: Buffer): MjpegPart[];
  readonly ended: boolean;
} {
  const open = Buffer.from(`--${boundary}`);
  let buf: Buffer = Buffer.alloc(0);
  let ended = false;
  return {
    get ended() {
      return ended;
    },
    push(chunk) {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      const parts: MjpegPart[] = [];
      for (;;) {
        const at = buf.indexOf(open);
        if (at < 0) break;
        const afterBoundary = at + open.length;
        if (buf.length < afterBoundary + 2) break;
        if (buf[afterBoundary] === 0x2d && buf[afterBoundary + 1] === 0x2d) {
          ended = true;
          buf = Buffer.alloc(0);
          break;
        }
        const headEnd = buf.indexOf("\r\n\r\n", afterBoundary);
        if (headEnd < 0) break;
        const headers: Record<string, string> = {};
        for (const line of buf
          .subarray(afterBoundary + 2, headEnd)
          .toString("latin1")
          .split("\r\n")) {
          const colon = line.indexOf(":");
          if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        }
        const length = Number(headers["content-length"]);
        const start = headEnd + 4;
        if (!Number.isInteger(length) || buf.length < start + length + 2) break;
        const body = Buffer.from(buf.subarray(start, start + length));
        parts.push({ headers, body, capturedAt: Number(headers["x-captured-at"]), receivedAt: Date.now() });
        buf = buf.subarray(start + length + 2);
      }
      return parts;
    },
  };
}

export interface MjpegResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The JSON body of a non-200 answer. */
  json?: unknown;
  request: http.ClientRequest;
  response: http.IncomingMessage;
}

/** GETs `url`; on 200 calls `onPart` for each part until the body ends (`done` resolves) or `close()`. */
export function openMjpeg(
  url: string,
  onPart: (part: MjpegPart) => void = () => {},
): Promise<MjpegResponse & { done: Promise<{ ended: boolean }>; close(): void }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, (response) => {
      const base = { status: response.statusCode ?? 0, headers: response.headers, request, response };
      if (response.statusCode !== 200) {
        const chunks: Buffer[] = [];
        response.on("data", (c: Buffer) => chunks.push(c));
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = text;
          }
          resolve({ ...base, json, done: Promise.resolve({ ended: true }), close: () => request.destroy() });
        });
        return;
      }
      const parser = createMultipartParser();
      const done = new Promise<{ ended: boolean }>((res) => {
        response.on("data", (chunk: Buffer) => {
          for (const part of parser.push(chunk)) onPart(part);
        });
        response.on("end", () => res({ ended: parser.ended }));
        response.on("close", () => res({ ended: parser.ended }));
        response.on("error", () => res({ ended: parser.ended }));
      });
      resolve({ ...base, done, close: () => request.destroy() });
    });
    request.on("error", reject);
  });
}
