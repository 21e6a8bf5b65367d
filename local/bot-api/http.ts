/**
 * The HTTP side: `POST|GET /bot<token>/<method>` and `GET /file/bot<token>/<file_path>` on a
 * node:http server, answered like Telegram.
 *
 * - Responses are `{ ok: true, result }` / `{ ok: false, error_code, description, parameters? }`
 *   with error_code as the HTTP status; unknown method: 404 "Not Found: method not found"
 *   (methods/index.ts); wrong token: 401 "Unauthorized".
 * - Request bodies are limited per method as Telegram limits uploads (photos 10 MB, other files
 *   50 MB; 1 MB for methods without files; see FILE_BODY_LIMITS). A wrong token (401), an unknown
 *   method (404) or a Content-Length over the limit (413) is answered before any of the body is
 *   read, a chunked body as soon as it passes the limit (413), and those answers close the
 *   connection. Headers must arrive within 10 s and the whole request within 120 s (408).
 * - Then the parameters are read (params.ts), the faults a test set are applied (faults.ts:
 *   a refused chat, failNext, setDown's 502 with an HTML body), the method runs, and the call is
 *   recorded (calls.ts), answered or not: a client that went away is recorded only.
 * - close() lets answers already being written out for a moment, then drops every connection.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { CallLog } from "./calls.ts";
import { ApiError, badRequest } from "./errors.ts";
import type { Faults } from "./faults.ts";
import type { FileStore } from "./files.ts";
import type { Handler } from "./methods/index.ts";
import { type Params, parseParams } from "./params.ts";
import type { RecordedCall, UploadedFile } from "./types.ts";

const MiB = 1024 * 1024;
/**
 * How big a request body may be, per method (checked before the body is read; see handle).
 * Telegram's documented upload limits (core.telegram.org/bots/api#sending-files): "10 MB max size
 * for photos, 50 MB for other files" sent with multipart/form-data. A method that carries files
 * gets its file limit plus FIELDS_BODY_LIMIT for the other fields (caption, markup, a thumbnail
 * of at most 200 kB) and the multipart framing; an album (sendMediaGroup, 2-10 files) or a
 * replaced medium (editMessageMedia) gets the 50 MB of "other files" for the whole request.
 * sendAudio, sendVoice and the like are not served here: they are 404 before any body is read.
 */
const FIELDS_BODY_LIMIT = 1 * MiB; // the rest: a 4096-character text with its keyboard, 100 commands... is a few tens of KB
const FILE_BODY_LIMITS = new Map<string, number>([
  ["sendphoto", 10 * MiB + FIELDS_BODY_LIMIT],
  ["sendvideo", 50 * MiB + FIELDS_BODY_LIMIT],
  ["sendanimation", 50 * MiB + FIELDS_BODY_LIMIT],
  ["senddocument", 50 * MiB + FIELDS_BODY_LIMIT],
  ["sendmediagroup", 50 * MiB + FIELDS_BODY_LIMIT],
  ["editmessagemedia", 50 * MiB + FIELDS_BODY_LIMIT],
]);
/**
 * A slow client cannot hold a socket forever: the request line and headers must arrive within
 * 10 s and the whole request, body included, within 120 s (a 51 MB upload at 0.5 MB/s; on
 * loopback it takes well under a second), or Node answers 408 and closes the connection. Node
 * checks every 5 s. Answering is not limited: a held long poll (getUpdates) is not affected.
 */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 120_000;
const TIMEOUT_CHECK_INTERVAL_MS = 5_000;
const BAD_GATEWAY_HTML =
  "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

export class BotApiHttp {
  /** e.g. "http://127.0.0.1:41234", once listening. */
  apiRoot = "";
  private readonly token: string;
  private readonly handlers: ReadonlyMap<string, Handler>;
  private readonly faults: Faults;
  private readonly log: CallLog;
  private readonly files: FileStore;
  private readonly server: http.Server;
  /** Responses not yet closed, so close() can let the last answers out. */
  private readonly inFlight = new Set<http.ServerResponse>();

  constructor(opts: {
    token: string;
    handlers: ReadonlyMap<string, Handler>;
    faults: Faults;
    log: CallLog;
    files: FileStore;
  }) {
    this.token = opts.token;
    this.handlers = opts.handlers;
    this.faults = opts.faults;
    this.log = opts.log;
    this.files = opts.files;
    const timeouts = {
      headersTimeout: HEADERS_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
    };
    this.server = http.createServer(timeouts, (req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        // Only reached on a bug in this file: answer like Telegram's 500 instead of hanging.
        if (!res.headersSent && !res.destroyed) {
          this.writeJson(res, 500, {
            ok: false,
            error_code: 500,
            description: `Internal Server Error: ${String(err)}`,
          });
        }
      });
    });
    // Outlive the client's idle keep-alive sockets (Node's agent drops them after 5 s), so a
    // reused socket is never closed under a request.
    this.server.keepAliveTimeout = 65_000;
  }

  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        const { port: actual } = this.server.address() as AddressInfo;
        const hostPart = host.includes(":") ? `[${host}]` : host;
        this.apiRoot = `http://${hostPart}:${actual}`;
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Let answers already being written (a held poll close() just answered) reach the client, for at
    // most a moment, then drop every connection, keep-alive ones included.
    const inFlight = [...this.inFlight].map(
      (res) => new Promise<void>((resolve) => res.once("close", () => resolve())),
    );
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(inFlight),
      new Promise<void>((resolve) => {
        grace = setTimeout(resolve, 500);
      }),
    ]);
    clearTimeout(grace);
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const at = Date.now();
    this.inFlight.add(res);
    res.once("close", () => this.inFlight.delete(res));
    const url = new URL(req.url ?? "/", "http://local");
    const filePath = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (filePath && (req.method === "GET" || req.method === "HEAD")) {
      this.serveFile(res, decodeURIComponent(filePath[1] as string), decodeURIComponent(filePath[2] as string));
      return;
    }
    const match = /^\/bot([^/]+)\/([^/]*)$/.exec(url.pathname);
    if (!match) {
      res.setHeader("connection", "close"); // whatever body follows is not read
      this.writeJson(res, 404, { ok: false, error_code: 404, description: "Not Found" });
      return;
    }
    const token = decodeURIComponent(match[1] as string);
    const method = match[2] as string;
    const key = method.toLowerCase();
    const call: Omit<RecordedCall, "status"> = { method, params: {}, at };

    // Everything that needs no body is decided before a byte of it is read, so a stranger (a
    // wrong token, a made-up method, an oversized upload) costs nothing; those answers close the
    // connection, so a client that keeps sending cannot hold it either.
    if (this.faults.down) {
      this.log.record(call, 502, undefined, "Bad Gateway");
      res.setHeader("connection", "close");
      res.writeHead(502, { "content-type": "text/html", "content-length": Buffer.byteLength(BAD_GATEWAY_HTML) });
      res.end(BAD_GATEWAY_HTML);
      return;
    }
    if (token !== this.token) {
      this.refuseBeforeBody(res, call, new ApiError(401, "Unauthorized"));
      return;
    }
    const handler = this.handlers.get(key);
    if (!handler) {
      this.refuseBeforeBody(res, call, new ApiError(404, "Not Found: method not found"));
      return;
    }
    const limit = FILE_BODY_LIMITS.get(key) ?? FIELDS_BODY_LIMIT;
    if (Number(req.headers["content-length"] ?? 0) > limit) {
      this.refuseBeforeBody(res, call, new ApiError(413, "Request Entity Too Large"));
      return;
    }

    let body: Buffer;
    try {
      body = await readBody(req, limit);
    } catch (err) {
      // Too large while streaming (chunked, no length announced): refused at the limit. Otherwise
      // the client went away mid-body: there is no one to answer.
      if (err instanceof BodyTooLargeError)
        this.refuseBeforeBody(res, call, new ApiError(413, "Request Entity Too Large"));
      else res.destroy();
      return;
    }

    let params: Params = {};
    let files = new Map<string, UploadedFile>();
    try {
      ({ params, files } = parseParams(req, url, body));
      call.params = params;
    } catch (err) {
      this.respond(res, call, err instanceof ApiError ? err : badRequest(String(err)));
      return;
    }

    const fault = this.faults.take(key, params.chat_id);
    if (fault) {
      const parameters = fault.retry_after !== undefined ? { retry_after: fault.retry_after } : undefined;
      this.respond(res, call, new ApiError(fault.error_code, fault.description, parameters));
      return;
    }

    try {
      const result = await handler(params, { files, res });
      this.respond(res, call, result);
    } catch (err) {
      this.respond(
        res,
        call,
        err instanceof ApiError ? err : new ApiError(500, `Internal Server Error: ${String(err)}`),
      );
    }
  }

  /** Answers without reading (the rest of) the body, and closes the connection once answered. */
  private refuseBeforeBody(res: http.ServerResponse, call: Omit<RecordedCall, "status">, error: ApiError): void {
    if (!res.headersSent) res.setHeader("connection", "close");
    this.respond(res, call, error);
  }

  /** Records the call and answers it, unless the client has gone away (then it is recorded only). */
  private respond(res: http.ServerResponse, call: Omit<RecordedCall, "status">, outcome: unknown): void {
    if (outcome instanceof ApiError) {
      const status = outcome.code >= 100 && outcome.code <= 599 ? outcome.code : 500;
      this.log.record(call, status, undefined, outcome.description);
      if (status === 502 && this.faults.down) {
        if (!res.destroyed) {
          res.writeHead(502, { "content-type": "text/html", "content-length": Buffer.byteLength(BAD_GATEWAY_HTML) });
          res.end(BAD_GATEWAY_HTML);
        }
        return;
      }
      const payload: Record<string, unknown> = {
        ok: false,
        error_code: outcome.code,
        description: outcome.description,
      };
      if (outcome.parameters) payload.parameters = outcome.parameters;
      this.writeJson(res, status, payload);
      return;
    }
    this.log.record(call, 200, outcome, undefined);
    this.writeJson(res, 200, { ok: true, result: outcome });
  }

  private writeJson(res: http.ServerResponse, status: number, payload: unknown): void {
    if (res.destroyed || res.headersSent) return;
    const text = JSON.stringify(payload);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
  }

  private serveFile(res: http.ServerResponse, token: string, path: string): void {
    const file = token === this.token ? this.files.byPath(path) : undefined;
    if (!file?.bytes) {
      this.writeJson(res, 404, { ok: false, error_code: 404, description: "Not Found" });
      return;
    }
    res.writeHead(200, {
      "content-type": file.mime ?? "application/octet-stream",
      "content-length": file.bytes.length,
    });
    res.end(file.bytes);
  }
}

// ---------------------------------------------------------------------------------------------
// Request bodies

class BodyTooLargeError extends Error {}

/** The body, up to `limit` bytes; beyond that it rejects with BodyTooLargeError and stops reading. */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off("data", onData);
        req.pause();
        chunks.length = 0;
        reject(new BodyTooLargeError(`body over ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
    req.on("close", () => {
      if (!req.complete) reject(new Error("the client went away mid-body"));
    });
  });
}
