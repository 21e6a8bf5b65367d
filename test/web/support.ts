/**
 * The dashboard against the real console: the console harness (app/compose-room.ts, SQLite,
 * simulated devices, the bot on a local Bot API server) with the dashboard started on
 * 127.0.0.1 (a free port) by app/dashboard.ts, as main.ts does. Tests speak HTTP to it.
 */
import { request as httpRequest } from "node:http";
import { startRoomDashboard } from "../../app/dashboard.ts";
import { silentLogger } from "../../core/logger.ts";
import type { Storage } from "../../core/storage.ts";
import type { Dashboard } from "../../web/server.ts";
import {
  ADMIN,
  type ConsoleHarness,
  type HarnessOptions,
  STAFF,
  STAFF_JA,
  startConsoleHarness,
} from "../support/console-harness.ts";

const NAMES = new Map([
  [ADMIN.id, ADMIN.first_name],
  [STAFF.id, STAFF.first_name],
  [STAFF_JA.id, STAFF_JA.first_name],
]);

export interface WebHarness {
  h: ConsoleHarness;
  dash: Dashboard;
  /** The dashboard's address, e.g. http://127.0.0.1:41234 */
  base: string;
  /** fetch() relative to the dashboard (no redirects followed). */
  get(path: string, init?: RequestInit): Promise<Response>;
  /** Logs `userId` in by a /web link (as `name`, what the bot knows of them): the session cookie and the CSRF token. */
  login(userId: number, name?: string): Promise<Session>;
  stop(): Promise<void>;
}

export interface Session {
  cookie: string;
  csrf: string;
  /** GET with the session's cookie. */
  get(path: string, init?: RequestInit): Promise<Response>;
  /** POST JSON with the cookie, the CSRF token and this origin. */
  post(path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
}

export async function startWebHarness(
  opts: HarnessOptions & {
    rateLimit?: { login?: number; api?: number };
    /** Wraps the storage the dashboard sees (to inject faults); the room keeps the real one. */
    dashboardStorage?: (storage: Storage) => Storage;
  } = {},
): Promise<WebHarness> {
  const h = await startConsoleHarness(opts);
  let dash: Dashboard;
  try {
    dash = await startRoomDashboard({
      room: h.room,
      storage: opts.dashboardStorage ? opts.dashboardStorage(h.storage) : h.storage,
      clock: h.clock,
      logger: opts.logger ?? silentLogger,
      drivers: { climate: "sim", camera: "sim" },
      listen: {
        host: "127.0.0.1",
        port: 0,
        rateLimit: { login: 1_000, api: 10_000, ...opts.rateLimit },
        pingMs: 100,
      },
    });
  } catch (err) {
    await h.stop();
    throw err;
  }
  const base = dash.origin;
  const get = (path: string, init: RequestInit = {}) => fetch(`${base}${path}`, { redirect: "manual", ...init });
  const session = (cookie: string, csrf: string): Session => ({
    cookie,
    csrf,
    get: (path, init = {}) => get(path, { ...init, headers: { cookie, ...(init.headers as Record<string, string>) } }),
    post: (path, body, headers = {}) =>
      get(path, {
        method: "POST",
        headers: {
          cookie,
          "x-csrf-token": csrf,
          origin: base,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
  });
  return {
    h,
    dash,
    base,
    get,
    async login(userId, name = NAMES.get(userId)) {
      const link = dash.loginLink(userId, name);
      const res = await fetch(link.url, { redirect: "manual" });
      if (res.status !== 303) throw new Error(`login failed: ${res.status} ${await res.text()}`);
      const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
      const me = (await (await get("/api/me", { headers: { cookie } })).json()) as { csrf: string };
      return session(cookie, me.csrf);
    },
    async stop() {
      await dash.close();
      await h.stop();
    },
  };
}

/** A raw HTTP request (fetch cannot send another Host header). */
export function rawGet(
  base: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: u.hostname, port: u.port, path, method: "GET", headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => {
        body += d;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Reads Server-Sent Events from a response until `probe` picks one (or the time runs out). */
export async function readEvents(
  res: Response,
  probe: (e: { event: string; data: unknown }) => boolean,
  timeoutMs = 5_000,
): Promise<{ event: string; data: unknown }> {
  const reader = res.body?.getReader();
  if (!reader) throw new Error("no body");
  const decoder = new TextDecoder();
  let buffer = "";
  const timer = setTimeout(() => void reader.cancel().catch(() => undefined), timeoutMs);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error("the event stream ended before the expected event");
      buffer += decoder.decode(value, { stream: true });
      let cut = buffer.indexOf("\n\n");
      while (cut >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data !== undefined) {
          const e = { event, data: JSON.parse(data) as unknown };
          if (probe(e)) return e;
        }
        cut = buffer.indexOf("\n\n");
      }
    }
  } finally {
    clearTimeout(timer);
    reader.releaseLock();
  }
}
