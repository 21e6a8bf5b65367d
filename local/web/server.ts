/**
 * The web page of local mode: a small Telegram for one room. It serves the page
 * (local/web/public, no CDN, nothing external) and a JSON + Server-Sent Events API over
 * the built-in Bot API server (local/bot-api/server.ts), where the page plays the users,
 * and over the hardware panel (local/hardware-panel.ts).
 *
 * Security: it listens on 127.0.0.1 by default. Every request needs the session token
 * (printed at start-up in the page's address: `/?token=...` sets an HttpOnly, SameSite=Strict
 * cookie and redirects to `/`), compared in constant time. On loopback the Host header must
 * name the loopback address (no DNS rebinding). Changes are POSTs with a JSON body only, and
 * a foreign Origin is refused. A strict Content-Security-Policy lets the page load only its
 * own files (public/: index.html, its ES modules, style sheets and icon; no build step).
 *
 * API (all JSON; errors are `{ ok: false, error }` with a sentence for people, and for the ones a
 * person meets on the page `code` and `params`, so the page can say it in the reader's language):
 *   GET  /api/state      bot, personas, groups (with the personas who are members: only they see
 *                        the group), every chat's messages, command menus, hardware
 *   GET  /api/events     SSE: message (new, edited or deleted), action (typing...), toast
 *                        (the bot's answer to a button press: for whom, in which chat), hardware
 *                        (the panel changed)
 *   GET  /api/files/ID   a photo, video or animation the bot sent (Range requests served)
 *   POST /api/messages   { from, chat_id, text }: a persona writes in a chat
 *   POST /api/press      { from, chat_id, message_id, data }: a persona presses an inline button
 *   POST /api/hardware   { device, action, ... }: see local/hardware-panel.ts; answers the panel's
 *                        state, `info` (a sentence) and `notice` (the same as a code)
 *   POST /api/webapp     { from, url }: a persona opens a Mini App the bot offered them (a web_app
 *                        button in their private chat, or their menu button): `url` with what
 *                        Telegram adds, `#tgWebAppData=<initData signed with the bot's token for
 *                        the persona>&tgWebAppVersion=...&tgWebAppThemeParams=...`
 *   POST /api/dashboard-link { from }: a one-time login link to the dashboard for the persona
 *                        (`dashboardLink`, the same as /web gives); `code` "dashboard-off" without
 *                        a dashboard, "dashboard-down" when it does not answer. A stranger gets a
 *                        link too: the dashboard refuses her, which is what there is to see.
 */
import { timingSafeEqual } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { sign } from "@tma.js/init-data-node";
import type { MenuButton } from "grammy/types";
import type { Logger } from "../../core/logger.ts";
import type { LocalBotApi, RecordedMessage, TestChat, TestUser } from "../bot-api/server.ts";
import { type HardwarePanel, PanelError, type PanelText } from "../hardware-panel.ts";

export interface Persona extends TestUser {
  /** admin and staff as ADMIN_IDS / STAFF_IDS say; a viewer is only in the staff group; a stranger is in nothing. */
  role: "admin" | "staff" | "viewer" | "stranger";
}

export interface LocalWebOptions {
  api: LocalBotApi;
  panel: HardwarePanel;
  personas: Persona[];
  groups: TestChat[];
  /** The session token (URL-safe). */
  token: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  logger: Logger;
  /** How often connected pages get the hardware state even without a change (LCD clock, server checks). Default 3 s. */
  refreshMs?: number;
  /** Where the page's files are (default: ./public next to this file). */
  publicDir?: string;
  /** A one-time login link to the dashboard for a user (Dashboard.loginLink); absent: no dashboard. */
  dashboardLink?: (userId: number, name: string) => Promise<string>;
}

export interface LocalWeb {
  /** e.g. http://127.0.0.1:8080 */
  readonly origin: string;
  /** The address to open: origin + "/?token=..." */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** The types of the page's files (public/: HTML, ES modules, style sheets, the icon); nothing else is served. */
const PAGE_TYPES = new Map([
  [".html", "text/html; charset=utf-8"],
  [".js", "text/javascript; charset=utf-8"],
  [".css", "text/css; charset=utf-8"],
  [".svg", "image/svg+xml"],
]);

/**
 * The page's own files by path: every file of `publicDir` of a type above, as listed at start
 * (so a new module is served without being named here), and "/" for index.html. A Map: a path
 * like /__proto__ is just unknown.
 */
async function pageFiles(publicDir: string): Promise<Map<string, { file: string; type: string }>> {
  const files = new Map<string, { file: string; type: string }>();
  for (const entry of await readdir(publicDir, { withFileTypes: true })) {
    const type = entry.isFile() ? PAGE_TYPES.get(extname(entry.name)) : undefined;
    if (type) files.set(`/${entry.name}`, { file: entry.name, type });
  }
  const index = files.get("/index.html");
  if (index) files.set("/", index);
  return files;
}

const CSP =
  "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; style-src 'self'; script-src 'self'; " +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
const COOKIE = "seroma_local";
const MAX_BODY = 64 * 1024;
const TEXT_LIMIT = 4096;
const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);
/** What Telegram tells a Mini App of its theme (Telegram's light theme). */
const THEME_PARAMS = {
  bg_color: "#ffffff",
  text_color: "#000000",
  hint_color: "#999999",
  link_color: "#2481cc",
  button_color: "#2481cc",
  button_text_color: "#ffffff",
  secondary_bg_color: "#efeff3",
  header_bg_color: "#ffffff",
  accent_text_color: "#2481cc",
  section_bg_color: "#ffffff",
  section_header_text_color: "#6d6d72",
  subtitle_text_color: "#999999",
  destructive_text_color: "#ff3b30",
};
/** The Mini App platform version the page plays. */
const WEBAPP_VERSION = "8.0";
/** Who is in a group (getChatMember's statuses of a member). */
const MEMBER_STATUSES = new Set(["creator", "administrator", "member", "restricted"]);

/** Whether `host` (an address or name, as in LOCAL_UI_HOST or a Host header) is this machine's loopback. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.has(host);
}

class HttpError extends Error {
  readonly status: number;
  /** The same as a code for the page's dictionary (see PanelText). */
  readonly text: PanelText | undefined;
  constructor(status: number, message: string, text?: PanelText) {
    super(message);
    this.status = status;
    this.text = text;
  }
}

export async function startLocalWeb(opts: LocalWebOptions): Promise<LocalWeb> {
  const host = opts.host ?? "127.0.0.1";
  const publicDir = opts.publicDir ?? fileURLToPath(new URL("./public/", import.meta.url));
  const log = opts.logger.child({ component: "local-web" });
  const { api, panel } = opts;
  const tokenBytes = Buffer.from(opts.token);
  const personas = new Map(opts.personas.map((p) => [p.id, p]));
  const groups = new Map(opts.groups.map((g) => [g.id, g]));
  const clients = new Set<http.ServerResponse>();
  const pages = await pageFiles(publicDir);
  let port = 0;

  const validToken = (candidate: string | undefined): boolean => {
    if (!candidate) return false;
    const b = Buffer.from(candidate);
    return b.length === tokenBytes.length && timingSafeEqual(b, tokenBytes);
  };

  const pageMessage = (m: RecordedMessage) => {
    const from = m.from_bot
      ? { id: api.botInfo.id, first_name: api.botInfo.first_name, is_bot: true }
      : { id: m.from_id, first_name: personas.get(m.from_id)?.first_name ?? String(m.from_id), is_bot: false };
    const out: Record<string, unknown> = {
      chat_id: m.chat_id,
      message_id: m.message_id,
      from,
      date: m.date,
      edited: m.edits > 0,
      deleted: m.deleted,
    };
    if (m.text !== undefined) out.text = m.text;
    if (m.caption !== undefined) out.caption = m.caption;
    if (m.entities?.length) out.entities = m.entities;
    if (m.reply_markup && "inline_keyboard" in m.reply_markup) out.reply_markup = m.reply_markup;
    if (m.reply_to_message_id !== undefined) out.reply_to_message_id = m.reply_to_message_id;
    if (m.media) {
      const media: Record<string, unknown> = {
        kind: m.media.kind,
        url: m.media.url ?? `/api/files/${encodeURIComponent(m.media.fileId)}`,
      };
      if (m.media.mime) media.mime = m.media.mime;
      if (m.media.width) media.width = m.media.width;
      if (m.media.height) media.height = m.media.height;
      if (m.media.filename) media.filename = m.media.filename;
      out.media = media;
    }
    return out;
  };

  const chatsOf = (): TestChat[] => [
    ...opts.personas.map((p) => ({ id: p.id, type: "private" as const, first_name: p.first_name })),
    ...opts.groups,
  ];

  /** Whether the persona is in the group now (the Bot API server's members: local-mode.ts seats them). */
  const isMember = (groupId: number, personaId: number): boolean =>
    MEMBER_STATUSES.has(api.memberStatus(groupId, personaId));

  async function state() {
    const messages: Record<string, unknown[]> = {};
    const commands: Record<string, unknown[]> = {};
    for (const chat of chatsOf()) {
      messages[String(chat.id)] = api
        .messages(chat.id)
        .filter((m) => !m.deleted)
        .map(pageMessage);
      const persona = personas.get(chat.id);
      commands[String(chat.id)] = api.commandsFor(chat, persona?.language_code);
    }
    const menuButtons: Record<string, MenuButton> = {};
    for (const p of opts.personas) menuButtons[String(p.id)] = api.menuButton(p.id);
    return {
      bot: { id: api.botInfo.id, first_name: api.botInfo.first_name, username: api.botInfo.username },
      dashboard: opts.dashboardLink !== undefined,
      menuButtons,
      personas: opts.personas.map((p) => ({ id: p.id, first_name: p.first_name, role: p.role })),
      groups: opts.groups.map((g) => ({
        id: g.id,
        type: g.type,
        title: g.title,
        members: opts.personas.filter((p) => isMember(g.id, p.id)).map((p) => p.id),
      })),
      messages,
      commands,
      hardware: await panel.state(),
    };
  }

  // ---------------------------------------------------------------- live events
  const broadcast = (event: string, data: unknown) => {
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const res of clients) res.write(frame);
  };
  const stopEvents = api.onEvent((e) => {
    if (clients.size === 0) return;
    if (e.type === "message") broadcast("message", pageMessage(e.message));
    else if (e.type === "action") broadcast("action", { chat_id: e.chat_id, action: e.action });
    else if (e.type === "menu_button") broadcast("menu_button", { chat_id: e.chat_id, menu_button: e.menu_button });
    else if (e.type === "callback_answer" && e.answer.text) {
      // Only the presser sees it, in the chat of the button (the page shows it there only).
      broadcast("toast", {
        user_id: e.user_id,
        chat_id: e.chat_id,
        text: e.answer.text,
        show_alert: e.answer.show_alert === true,
      });
    }
  });
  let lastHardware = "";
  let hardwareTimer: NodeJS.Timeout | undefined;
  const pushHardware = () => {
    hardwareTimer = undefined;
    if (clients.size === 0) return;
    panel
      .state()
      .then((hw) => {
        const json = JSON.stringify(hw);
        if (json === lastHardware) return;
        lastHardware = json;
        broadcast("hardware", hw);
      })
      .catch((err: unknown) => log.warn({ err: (err as Error).message }, "could not read the hardware state"));
  };
  const hardwareChanged = () => {
    hardwareTimer ??= setTimeout(pushHardware, 100);
  };
  const stopPanel = panel.onChange(hardwareChanged);
  const refresh = setInterval(hardwareChanged, opts.refreshMs ?? 3_000);
  refresh.unref();
  const heartbeat = setInterval(() => {
    for (const res of clients) res.write(": keep-alive\n\n");
  }, 15_000);
  heartbeat.unref();

  // ---------------------------------------------------------------- HTTP
  function headers(type: string, extra: Record<string, string> = {}): Record<string, string> {
    return {
      "content-type": type,
      "content-security-policy": CSP,
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      "x-frame-options": "DENY",
      "cross-origin-resource-policy": "same-origin",
      "cache-control": "no-store",
      ...extra,
    };
  }
  function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(
      status,
      headers("application/json; charset=utf-8", { "content-length": String(Buffer.byteLength(text)) }),
    );
    res.end(text);
  }
  function sendText(res: http.ServerResponse, status: number, text: string, type = "text/plain; charset=utf-8"): void {
    res.writeHead(status, headers(type, { "content-length": String(Buffer.byteLength(text)) }));
    res.end(text);
  }

  function checkHost(req: http.IncomingMessage): void {
    // Bound to loopback: only loopback names (a DNS-rebinding site would send its own name).
    if (!isLoopbackHost(host)) return;
    const name = (req.headers.host ?? "").replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
    if (!isLoopbackHost(name)) throw new HttpError(421, "Open the page at 127.0.0.1 or localhost.");
  }

  function cookieToken(req: http.IncomingMessage): string | undefined {
    for (const part of (req.headers.cookie ?? "").split(";")) {
      const [k, ...v] = part.trim().split("=");
      if (k === COOKIE) return v.join("=");
    }
    return undefined;
  }

  async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
    const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
    if (type !== "application/json")
      throw new HttpError(415, "Send the request as JSON (Content-Type: application/json).");
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${req.headers.host}`) {
      throw new HttpError(403, "Requests from other sites are refused.");
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY) throw new HttpError(413, `The request is too large (at most ${MAX_BODY / 1024} KB).`);
      chunks.push(chunk as Buffer);
    }
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      throw new HttpError(400, "The request body is not valid JSON.");
    }
    if (!body || typeof body !== "object" || Array.isArray(body)) throw new HttpError(400, "Send a JSON object.");
    return body as Record<string, unknown>;
  }

  function personaOf(body: Record<string, unknown>): Persona {
    const persona = personas.get(Number(body.from));
    if (!persona) {
      throw new HttpError(
        400,
        `Unknown user ${JSON.stringify(body.from)}: pick one of ${opts.personas.map((p) => `${p.first_name} (${p.id})`).join(", ")}.`,
      );
    }
    return persona;
  }
  function chatFor(persona: Persona, body: Record<string, unknown>): TestChat {
    const id = Number(body.chat_id);
    if (id === persona.id) return { id, type: "private", first_name: persona.first_name };
    const group = groups.get(id);
    if (group && !isMember(group.id, persona.id)) {
      throw new HttpError(400, `${persona.first_name} is not a member of ${group.title ?? "that group"}.`, {
        code: "not-member",
        params: { name: persona.first_name, group: group.title ?? "" },
      });
    }
    if (group) return group;
    throw new HttpError(400, `${persona.first_name} cannot write in chat ${JSON.stringify(body.chat_id)}.`);
  }

  /** Whether the bot offered this Mini App to the persona: their menu button, or a web_app button in their private chat. */
  function offeredWebApp(persona: Persona, url: string): boolean {
    const menu = api.menuButton(persona.id);
    if (menu.type === "web_app" && menu.web_app.url === url) return true;
    return api
      .messages(persona.id)
      .some(
        (m) =>
          !m.deleted &&
          m.reply_markup !== undefined &&
          "inline_keyboard" in m.reply_markup &&
          m.reply_markup.inline_keyboard.some((row) => row.some((b) => "web_app" in b && b.web_app?.url === url)),
      );
  }

  /** The Mini App's address as Telegram opens it for the persona: initData signed with the bot's token in the hash. */
  function webAppLaunchUrl(persona: Persona, url: string): string {
    const user = {
      id: persona.id,
      first_name: persona.first_name,
      ...(persona.last_name ? { last_name: persona.last_name } : {}),
      ...(persona.username ? { username: persona.username } : {}),
      ...(persona.language_code ? { language_code: persona.language_code } : {}),
      allows_write_to_pm: true,
    };
    const initData = sign({ user, chat_type: "sender" }, api.token, new Date());
    const hash = new URLSearchParams({
      tgWebAppData: initData,
      tgWebAppVersion: WEBAPP_VERSION,
      tgWebAppPlatform: "web",
      tgWebAppThemeParams: JSON.stringify(THEME_PARAMS),
    });
    const target = new URL(url);
    target.hash = hash.toString();
    return target.href;
  }

  async function serveFile(req: http.IncomingMessage, res: http.ServerResponse, id: string): Promise<void> {
    const file = api.files.get(id);
    if (!file) throw new HttpError(404, "No such file.");
    if (!file.bytes) {
      throw new HttpError(410, "This file is no longer kept in memory (local mode keeps the newest ones only).");
    }
    const bytes = file.bytes;
    const type = file.mime ?? "application/octet-stream";
    const range = /^bytes=(\d*)-(\d*)$/.exec(String(req.headers.range ?? ""));
    if (range && (range[1] !== "" || range[2] !== "")) {
      const start = range[1] === "" ? Math.max(0, bytes.length - Number(range[2])) : Number(range[1]);
      const end = range[1] === "" || range[2] === "" ? bytes.length - 1 : Math.min(Number(range[2]), bytes.length - 1);
      if (start >= bytes.length || start > end) {
        res.writeHead(416, headers(type, { "content-range": `bytes */${bytes.length}` }));
        res.end();
        return;
      }
      res.writeHead(
        206,
        headers(type, {
          "content-range": `bytes ${start}-${end}/${bytes.length}`,
          "content-length": String(end - start + 1),
          "accept-ranges": "bytes",
          "cache-control": "private, max-age=3600",
        }),
      );
      res.end(bytes.subarray(start, end + 1));
      return;
    }
    res.writeHead(
      200,
      headers(type, {
        "content-length": String(bytes.length),
        "accept-ranges": "bytes",
        "cache-control": "private, max-age=3600",
      }),
    );
    res.end(bytes);
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    checkHost(req);
    const url = new URL(req.url ?? "/", "http://local");
    const method = req.method ?? "GET";

    // The address printed at start-up: trade the token for a cookie, and drop it from the address bar.
    if (method === "GET" && url.pathname === "/" && url.searchParams.has("token")) {
      if (!validToken(url.searchParams.get("token") ?? undefined)) {
        throw new HttpError(401, "This token is not the console's: open the address printed at start-up.");
      }
      res.writeHead(
        303,
        headers("text/plain; charset=utf-8", {
          location: "/",
          "set-cookie": `${COOKIE}=${opts.token}; HttpOnly; SameSite=Strict; Path=/`,
        }),
      );
      res.end();
      return;
    }
    if (!validToken(cookieToken(req))) {
      throw new HttpError(401, "Open the address printed at start-up (it carries the session token).");
    }

    const page = pages.get(url.pathname);
    if (page && (method === "GET" || method === "HEAD")) {
      const body = await readFile(`${publicDir}${page.file}`);
      res.writeHead(200, headers(page.type, { "content-length": String(body.length) }));
      res.end(method === "HEAD" ? undefined : body);
      return;
    }

    if (method === "GET" && url.pathname === "/api/state") return sendJson(res, 200, await state());
    if (method === "GET" && url.pathname === "/api/events") {
      res.writeHead(200, headers("text/event-stream; charset=utf-8", { connection: "keep-alive" }));
      res.write("retry: 2000\n\n");
      clients.add(res);
      req.on("close", () => clients.delete(res));
      lastHardware = "";
      hardwareChanged();
      return;
    }
    if (method === "GET" && url.pathname.startsWith("/api/files/")) {
      let id: string;
      try {
        id = decodeURIComponent(url.pathname.slice("/api/files/".length));
      } catch {
        throw new HttpError(400, "That is not a file id.");
      }
      return serveFile(req, res, id);
    }

    if (method === "POST" && url.pathname === "/api/messages") {
      const body = await readJson(req);
      const persona = personaOf(body);
      const chat = chatFor(persona, body);
      const text = typeof body.text === "string" ? body.text.trim() : "";
      if (text === "") throw new HttpError(400, "Type a message first.", { code: "message-empty" });
      if (text.length > TEXT_LIMIT) {
        throw new HttpError(400, `A message is at most ${TEXT_LIMIT} characters.`, {
          code: "message-too-long",
          params: { limit: TEXT_LIMIT },
        });
      }
      const update = api.sendMessage(persona, chat, text);
      const sent = update.message
        ? api.messages(chat.id).find((m) => m.message_id === update.message?.message_id)
        : undefined;
      return sendJson(res, 200, { ok: true, ...(sent ? { message: pageMessage(sent) } : {}) });
    }
    if (method === "POST" && url.pathname === "/api/press") {
      const body = await readJson(req);
      const persona = personaOf(body);
      const chat = chatFor(persona, body);
      const messageId = Number(body.message_id);
      if (typeof body.data !== "string" || !Number.isInteger(messageId)) {
        throw new HttpError(400, "Say which message and which button (message_id and data).");
      }
      try {
        api.pressButton(persona, { chat_id: chat.id, message_id: messageId }, body.data);
      } catch {
        throw new HttpError(400, "That button is no longer there (the message changed or was deleted).", {
          code: "button-gone",
        });
      }
      return sendJson(res, 200, { ok: true });
    }
    if (method === "POST" && url.pathname === "/api/hardware") {
      const body = await readJson(req);
      try {
        const outcome = await panel.act(body);
        return sendJson(res, 200, { ok: true, hardware: await panel.state(), ...outcome });
      } catch (err) {
        if (err instanceof PanelError) throw new HttpError(400, err.message, err.text);
        throw err;
      }
    }
    if (method === "POST" && url.pathname === "/api/webapp") {
      const body = await readJson(req);
      const persona = personaOf(body);
      const target = typeof body.url === "string" ? body.url : "";
      if (!/^https?:\/\//i.test(target) || !offeredWebApp(persona, target)) {
        throw new HttpError(400, `The bot offered ${persona.first_name} no Mini App at that address.`, {
          code: "webapp-unknown",
          params: { name: persona.first_name },
        });
      }
      return sendJson(res, 200, { ok: true, url: webAppLaunchUrl(persona, target) });
    }
    if (method === "POST" && url.pathname === "/api/dashboard-link") {
      const body = await readJson(req);
      const persona = personaOf(body);
      if (!opts.dashboardLink) {
        throw new HttpError(404, "The dashboard is off in this console.", { code: "dashboard-off" });
      }
      let link: string;
      try {
        link = await opts.dashboardLink(persona.id, persona.first_name);
      } catch (err) {
        log.warn({ err: (err as Error).message, userId: persona.id }, "could not make a dashboard link");
        throw new HttpError(503, "The dashboard is not answering; try again in a moment.", {
          code: "dashboard-down",
        });
      }
      return sendJson(res, 200, { ok: true, url: link });
    }
    if (url.pathname.startsWith("/api/") || page) throw new HttpError(405, `${method} ${url.pathname} is not served.`);
    throw new HttpError(404, "Not found.");
  }

  const server = http.createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      const message =
        err instanceof HttpError ? err.message : `Something went wrong in the console: ${(err as Error).message}`;
      if (status >= 500)
        log.error({ err: (err as Error).message, path: req.url?.split("?")[0] }, "local page request failed");
      if (res.headersSent) {
        res.end();
        return;
      }
      const url = req.url ?? "/";
      const text = err instanceof HttpError ? err.text : undefined;
      if (url.startsWith("/api/")) sendJson(res, status, { ok: false, error: message, ...text });
      else sendText(res, status, `Seroma local mode: ${message}\n`);
    });
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const hostPart = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host;
  const origin = `http://${hostPart}:${port}`;

  return {
    origin,
    url: `${origin}/?token=${opts.token}`,
    port,
    async close() {
      stopEvents();
      stopPanel();
      clearInterval(refresh);
      clearInterval(heartbeat);
      if (hardwareTimer) clearTimeout(hardwareTimer);
      for (const res of clients) res.end();
      clients.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
