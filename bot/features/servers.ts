/**
 * Servers in chat: /servers (a status line per host, with Check now / Details buttons),
 * /server NAME (checks now, progress edited in place; the check runs in the background, so
 * a host that never answers holds nobody's chat), and for admins /addserver (a
 * @grammyjs/conversations flow: name, address, user, then the host key is fetched and
 * shown for the admin to compare and confirm: no trust on first use) and /removeserver.
 */
import type { Conversation } from "@grammyjs/conversations";
import { createConversation } from "@grammyjs/conversations";
import { Composer, type Context, InlineKeyboard } from "grammy";
import {
  CHECK_IDS,
  HOST_NAME,
  type HostResult,
  type HostSpec,
  SERVICE_NAME,
  USER_NAME,
} from "../../core/servers/types.ts";
import { ageParts, escapeHtml } from "../../core/text/format.ts";
import { recordAudit } from "../audit.ts";
import { type ChatWork, inBackground } from "../background.ts";
import type { SeromaContext } from "../context.ts";
import { requireAdmin, requireStaff } from "../filters/auth.ts";
import type { SeromaOuterContext } from "./enroll.ts";

type AddServerConversation = Conversation<SeromaOuterContext, SeromaContext>;

const STEP_MS = 10 * 60_000;
const MAX_SERVICES = 20;

function gib(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`;
}

function duration(ctx: SeromaContext, seconds: number): string {
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return d > 0
    ? ctx.t("servers-up-days", { d: String(d), h: String(h) })
    : ctx.t("servers-up-hours", { h: String(h), m: String(m) });
}

function ago(ctx: SeromaContext, at: number): string {
  const a = ageParts(ctx.services.clock.now().getTime() - at);
  return ctx.t(a.key, { n: String(a.n) });
}

/** Problems the host has right now (open incidents of its rules). */
function openProblems(ctx: SeromaContext, host: string): number {
  return ctx.services.alerts.openIncidents().filter((i) => i.rule.startsWith("server.") && i.rule.endsWith(`:${host}`))
    .length;
}

/** One line per host: 🟢 / 🟠 / 🔴 / ⚪, name, and the gist. */
export function statusLine(ctx: SeromaContext, spec: HostSpec, r: HostResult | undefined): string {
  const name = `<b>${escapeHtml(spec.name)}</b>`;
  if (!r) return `⚪ ${name} · ${ctx.t("servers-never")}`;
  if (!r.reachable) {
    return `🔴 ${name} · ${ctx.t(`servers-failure-${r.failure?.kind ?? "unreachable"}`)} · ${ago(ctx, r.at)}`;
  }
  const c = r.checks;
  const parts: string[] = [];
  if (c.uptime?.ok) parts.push(duration(ctx, c.uptime.value.seconds));
  if (c.load?.ok)
    parts.push(ctx.t("servers-load", { load: c.load.value.load1.toFixed(2), cores: String(c.load.value.cores) }));
  if (c.memory?.ok) parts.push(ctx.t("servers-memory", { pct: String(Math.round(c.memory.value.usedPct)) }));
  if (c.disk?.ok && c.disk.value.length > 0) {
    const fullest = [...c.disk.value].sort((a, b) => b.usedPct - a.usedPct)[0];
    if (fullest) parts.push(ctx.t("servers-disk", { pct: String(fullest.usedPct), mount: escapeHtml(fullest.mount) }));
  }
  if (c.services?.ok && c.services.value.length > 0) {
    const active = c.services.value.filter((s) => s.state === "active").length;
    parts.push(ctx.t("servers-services", { active, total: c.services.value.length }));
  }
  if (c.journal?.ok && c.journal.value.available) {
    parts.push(ctx.t("servers-journal", { n: c.journal.value.count }));
  }
  const icon = openProblems(ctx, spec.name) > 0 ? "🟠" : "🟢";
  return `${icon} ${name} · ${parts.join(" · ")} · ${ago(ctx, r.at)}`;
}

/** Everything a run found, check by check. */
export function details(ctx: SeromaContext, spec: HostSpec, r: HostResult | undefined): string {
  const head = ctx.t("servers-details-title", {
    name: escapeHtml(spec.name),
    address: escapeHtml(`${spec.user}@${spec.address}:${spec.port}`),
  });
  const lines = [head, `🔑 <code>${escapeHtml(spec.hostKey)}</code>`, ""];
  if (!r) return [...lines, ctx.t("servers-never")].join("\n");
  lines.push(ctx.t("servers-checked", { ago: ago(ctx, r.at), ms: String(r.durationMs) }));
  if (!r.reachable) {
    lines.push(
      `🔴 ${ctx.t(`servers-failure-${r.failure?.kind ?? "unreachable"}`)}: ${escapeHtml(r.failure?.message ?? "")}`,
    );
    if (r.failure?.presentedHostKey) {
      lines.push(ctx.t("servers-presented-key", { key: escapeHtml(r.failure.presentedHostKey) }));
    }
    return lines.join("\n");
  }
  const c = r.checks;
  const bad = (e: string) => `⚠️ ${escapeHtml(e)}`;
  if (c.uptime) lines.push(`⏱ ${c.uptime.ok ? duration(ctx, c.uptime.value.seconds) : bad(c.uptime.error)}`);
  if (c.load)
    lines.push(
      `📈 ${
        c.load.ok
          ? ctx.t("servers-load-detail", {
              l1: c.load.value.load1.toFixed(2),
              l5: c.load.value.load5.toFixed(2),
              l15: c.load.value.load15.toFixed(2),
              cores: c.load.value.cores,
            })
          : bad(c.load.error)
      }`,
    );
  if (c.memory)
    lines.push(
      `🧠 ${
        c.memory.ok
          ? ctx.t("servers-memory-detail", {
              pct: c.memory.value.usedPct.toFixed(1),
              used: gib(c.memory.value.totalBytes - c.memory.value.availableBytes),
              total: gib(c.memory.value.totalBytes),
            })
          : bad(c.memory.error)
      }`,
    );
  if (c.disk) {
    if (!c.disk.ok) lines.push(`💽 ${bad(c.disk.error)}`);
    else
      for (const m of c.disk.value) {
        const flag = m.usedPct > spec.thresholds.diskPct ? " ⚠️" : "";
        lines.push(
          `💽 <code>${escapeHtml(m.mount)}</code> ${m.usedPct} % (${gib(m.usedBytes)} / ${gib(m.sizeBytes)})${flag}`,
        );
      }
  }
  if (c.services) {
    if (!c.services.ok) lines.push(`⚙️ ${bad(c.services.error)}`);
    else
      for (const s of c.services.value)
        lines.push(`${s.state === "active" ? "✅" : "❌"} ${escapeHtml(s.name)}: ${escapeHtml(s.state)}`);
  }
  if (c.journal) {
    if (!c.journal.ok) lines.push(`📜 ${bad(c.journal.error)}`);
    else if (!c.journal.value.available) lines.push(`📜 ${ctx.t("servers-journal-unavailable")}`);
    else {
      lines.push(`📜 ${ctx.t("servers-journal", { n: c.journal.value.count })}`);
      for (const l of c.journal.value.latest.slice(-5)) lines.push(`<code>${escapeHtml(l.slice(0, 200))}</code>`);
    }
  }
  return lines.join("\n");
}

function hostButtons(name: string, ctx: SeromaContext): InlineKeyboard {
  return new InlineKeyboard()
    .text(ctx.t("servers-button-check", { name }), `srv:chk:${name}`)
    .text(ctx.t("servers-button-details", { name }), `srv:det:${name}`);
}

async function listServers(ctx: SeromaContext): Promise<void> {
  const { storage, config } = ctx.services;
  const hosts = await storage.hosts.list(config.roomId);
  if (hosts.length === 0) {
    await ctx.reply(ctx.t("servers-none"), { parse_mode: "HTML" });
    return;
  }
  const latest = await storage.serverResults.latestPerHost(config.roomId);
  const kb = new InlineKeyboard();
  for (const h of hosts) kb.append(hostButtons(h.name, ctx)).row();
  const lines = [ctx.t("servers-title", { room: escapeHtml(config.roomId), n: hosts.length }), ""];
  for (const h of hosts) lines.push(statusLine(ctx, h, latest.get(h.name)));
  await ctx.reply(lines.join("\n"), { parse_mode: "HTML", reply_markup: kb });
}

/** Checks one host now, with a progress message that becomes the details (background work). */
async function checkNow(ctx: SeromaContext, name: string, work: ChatWork): Promise<void> {
  const { storage, config } = ctx.services;
  const spec = await work.wait(storage.hosts.get(config.roomId, name));
  if (!spec) {
    await ctx.reply(ctx.t("servers-unknown", { name: escapeHtml(name) }), { parse_mode: "HTML" });
    return;
  }
  await work.progress(ctx.t("servers-checking", { name: escapeHtml(name) }));
  const result = await work.wait(ctx.services.servers.checkNow(name));
  await work.progress(details(ctx, spec, result), { reply_markup: hostButtons(name, ctx) });
}

function isCancel(ctx: Context): boolean {
  return ctx.callbackQuery?.data === "adds:cancel" || /^\/cancel(@\w+)?$/.test(ctx.message?.text?.trim() ?? "");
}

async function hint(ctx: SeromaContext, key: string): Promise<void> {
  if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: ctx.t(key) });
  else if (ctx.message) await ctx.reply(ctx.t(key), { parse_mode: "HTML" });
}

/** "10.0.0.5", "db.lan:2222", "[fe80::1]:22" -> address and port. */
export function parseAddress(text: string): { address: string; port: number } | undefined {
  const m = /^(?:\[([0-9a-fA-F:]+)\]|([A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?))(?::(\d{1,5}))?$/.exec(
    text.trim(),
  );
  if (!m) return undefined;
  const port = m[3] === undefined ? 22 : Number(m[3]);
  if (port < 1 || port > 65_535) return undefined;
  return { address: (m[1] ?? m[2]) as string, port };
}

/** "nginx, postgresql" or "-" -> unit names; undefined if any is not a plain unit name. */
export function parseServices(text: string): string[] | undefined {
  const t = text.trim();
  if (t === "-" || t === "") return [];
  const names = t.split(/[\s,]+/).filter(Boolean);
  if (names.length > MAX_SERVICES || !names.every((n) => SERVICE_NAME.test(n))) return undefined;
  return [...new Set(names)];
}

async function addServer(conversation: AddServerConversation, ctx: SeromaContext): Promise<void> {
  const admin = ctx.from;
  if (!admin || !ctx.chat) return;
  const t = ctx.t.bind(ctx);
  const cancelKb = new InlineKeyboard().text(t("enroll-button-cancel"), "adds:cancel");
  const next = (accept: (c: SeromaContext) => boolean, hintKey: string) =>
    conversation
      .waitFrom(admin.id, { next: true, maxMilliseconds: STEP_MS })
      .and((c) => isCancel(c) || accept(c), { otherwise: (c) => hint(c, hintKey) });
  const cancelled = async (c: SeromaContext) => {
    if (c.callbackQuery) await c.answerCallbackQuery();
    await c.reply(t("addserver-cancelled"));
  };
  const text = (c: SeromaContext) => typeof c.message?.text === "string";
  /** Asks until `parse` accepts (3 tries). */
  async function ask<T>(
    question: string,
    parse: (s: string) => T | undefined,
    bad: string,
  ): Promise<T | "cancel" | undefined> {
    await ctx.reply(question, { parse_mode: "HTML", reply_markup: cancelKb });
    for (let tries = 1; tries <= 3; tries++) {
      const answer = await next(text, "addserver-hint-text");
      if (isCancel(answer)) {
        await cancelled(answer);
        return "cancel";
      }
      const value = parse(answer.message?.text ?? "");
      if (value !== undefined) return value;
      await ctx.reply(bad, { parse_mode: "HTML", reply_markup: cancelKb });
    }
    await ctx.reply(t("enroll-too-many-tries"));
    return undefined;
  }

  const roomId = await conversation.external((outer) => outer.services.config.roomId);
  const name = await ask(
    t("addserver-ask-name"),
    (s) => {
      const n = s.trim().toLowerCase();
      return HOST_NAME.test(n) ? n : undefined;
    },
    t("addserver-bad-name"),
  );
  if (name === undefined || name === "cancel") return;
  const exists = await conversation.external(
    async (outer) => (await outer.services.storage.hosts.get(roomId, name)) !== undefined,
  );
  if (exists) {
    await ctx.reply(t("addserver-exists", { name: escapeHtml(name) }), { parse_mode: "HTML" });
    return;
  }
  const where = await ask(
    t("addserver-ask-address", { name: escapeHtml(name) }),
    parseAddress,
    t("addserver-bad-address"),
  );
  if (where === undefined || where === "cancel") return;
  const user = await ask(
    t("addserver-ask-user"),
    (s) => (USER_NAME.test(s.trim()) ? s.trim() : undefined),
    t("addserver-bad-user"),
  );
  if (user === undefined || user === "cancel") return;

  await ctx.reply(t("addserver-fetching", { address: escapeHtml(`${where.address}:${where.port}`) }), {
    parse_mode: "HTML",
  });
  const key = await conversation.external((outer) => outer.services.servers.fetchHostKey(where.address, where.port));
  if (!key.ok) {
    await ctx.reply(t("addserver-no-key", { reason: escapeHtml(key.message) }), { parse_mode: "HTML" });
    return;
  }
  const confirmKb = new InlineKeyboard()
    .text(t("addserver-button-trust"), "adds:trust")
    .text(t("enroll-button-cancel"), "adds:cancel");
  await ctx.reply(
    t("addserver-confirm-key", {
      name: escapeHtml(name),
      address: escapeHtml(`${where.address}:${where.port}`),
      type: escapeHtml(key.keyType),
      fingerprint: escapeHtml(key.fingerprint),
    }),
    { parse_mode: "HTML", reply_markup: confirmKb },
  );
  const trust = await next((c) => c.callbackQuery?.data === "adds:trust", "enroll-hint-button");
  if (isCancel(trust)) return cancelled(trust);
  await trust.answerCallbackQuery();

  const services = await ask(t("addserver-ask-services"), parseServices, t("addserver-bad-services"));
  if (services === undefined || services === "cancel") return;

  const saved = await conversation.external(async (outer) => {
    const { storage, clock, config } = outer.services;
    const spec: HostSpec = {
      name,
      address: where.address,
      port: where.port,
      user,
      hostKey: key.fingerprint,
      checks: services.length > 0 ? [...CHECK_IDS] : CHECK_IDS.filter((c) => c !== "services"),
      services,
      thresholds: { ...config.servers.thresholds },
      addedBy: admin.id,
      addedAt: clock.now().getTime(),
    };
    const added = await storage.hosts.add(config.roomId, spec);
    if (!added.ok) return false;
    await recordAudit(
      outer,
      "server-add",
      undefined,
      `${name} ${user}@${where.address}:${where.port} ${key.fingerprint}`,
    );
    outer.log.info({ host: name, by: admin.id }, "server added");
    return true;
  });
  if (!saved) {
    await ctx.reply(t("addserver-exists", { name: escapeHtml(name) }), { parse_mode: "HTML" });
    return;
  }
  await ctx.reply(t("addserver-saved", { name: escapeHtml(name) }), { parse_mode: "HTML" });
  const line = await conversation.external(async (outer) => {
    const spec = await outer.services.storage.hosts.get(roomId, name);
    const result = await outer.services.servers.checkNow(name);
    return spec ? statusLine(outer, spec, result) : "";
  });
  if (line) await ctx.reply(line, { parse_mode: "HTML", reply_markup: hostButtons(name, ctx) });
}

export const addServerConversation = createConversation<SeromaOuterContext, SeromaContext>(addServer, {
  id: "addserver",
});

export const serversFeature = new Composer<SeromaOuterContext>();

serversFeature.command("servers", requireStaff, listServers);

serversFeature.command("server", requireStaff, async (ctx) => {
  const name = ctx.match.trim().toLowerCase();
  if (!HOST_NAME.test(name)) {
    await ctx.reply(ctx.t("servers-usage"), { parse_mode: "HTML" });
    return;
  }
  await inBackground(ctx, "server-check", (work) => checkNow(ctx, name, work));
});

serversFeature.callbackQuery(/^srv:chk:([a-z0-9_-]{1,32})$/, requireStaff, async (ctx) => {
  const name = ctx.match[1] ?? "";
  await inBackground(ctx, "server-check", (work) => checkNow(ctx, name, work), {
    toast: ctx.t("servers-checking-short", { name }),
  });
});

serversFeature.callbackQuery(/^srv:det:([a-z0-9_-]{1,32})$/, requireStaff, async (ctx) => {
  const name = ctx.match[1] ?? "";
  const { storage, config } = ctx.services;
  const spec = await storage.hosts.get(config.roomId, name);
  if (!spec) {
    await ctx.answerCallbackQuery({ text: ctx.t("servers-unknown-short"), show_alert: true });
    return;
  }
  const [latest] = await storage.serverResults.latest(config.roomId, name, 1);
  await ctx.answerCallbackQuery();
  await ctx.reply(details(ctx, spec, latest), { parse_mode: "HTML", reply_markup: hostButtons(name, ctx) });
});

serversFeature.command("addserver", requireAdmin, async (ctx) => {
  if (Object.keys(ctx.conversation.active()).includes("addserver")) {
    await ctx.reply(ctx.t("addserver-busy"));
    return;
  }
  await ctx.conversation.enter("addserver");
});

serversFeature.command("removeserver", requireAdmin, async (ctx) => {
  const name = ctx.match.trim().toLowerCase();
  const spec = HOST_NAME.test(name)
    ? await ctx.services.storage.hosts.get(ctx.services.config.roomId, name)
    : undefined;
  if (!spec) {
    await ctx.reply(ctx.t(name ? "servers-unknown" : "removeserver-usage", { name: escapeHtml(name) }), {
      parse_mode: "HTML",
    });
    return;
  }
  await ctx.reply(ctx.t("removeserver-confirm", { name: escapeHtml(name), address: escapeHtml(spec.address) }), {
    parse_mode: "HTML",
    reply_markup: new InlineKeyboard()
      .text(ctx.t("removeserver-button"), `srv:rm:${name}`)
      .text(ctx.t("enroll-button-cancel"), "srv:rmno"),
  });
});

serversFeature.callbackQuery(/^srv:rm:([a-z0-9_-]{1,32})$/, requireAdmin, async (ctx) => {
  const name = ctx.match[1] ?? "";
  const removed = await ctx.services.storage.hosts.remove(ctx.services.config.roomId, name);
  await ctx.answerCallbackQuery();
  if (!removed) {
    await ctx.editMessageText(ctx.t("servers-unknown", { name: escapeHtml(name) }), { parse_mode: "HTML" });
    return;
  }
  await ctx.services.servers.forget(name);
  await recordAudit(ctx, "server-remove", undefined, name);
  await ctx.editMessageText(ctx.t("removeserver-done", { name: escapeHtml(name) }), { parse_mode: "HTML" });
});

serversFeature.callbackQuery("srv:rmno", requireAdmin, async (ctx) => {
  await ctx.answerCallbackQuery();
  await ctx.editMessageText(ctx.t("addserver-cancelled"));
});

/** /addserver buttons the conversation did not take: someone else's, or an old one. */
serversFeature.callbackQuery(/^adds:/, async (ctx) => {
  const running = Object.keys(ctx.conversation.active()).includes("addserver");
  await ctx.answerCallbackQuery({
    text: ctx.t(running ? "enroll-not-yours" : "error-button-expired"),
    show_alert: true,
  });
});
