/**
 * Servers in chat: /servers (a status line per host, with Check now / Details buttons),
 * /server NAME (checks now, progress edited in place; the check runs in the background, so
 * a host that never answers holds nobody's chat), and for admins /removeserver. Adding a
 * host is a conversation: bot/conversations/addserver.ts.
 */
import { Composer } from "grammy";
import { HOST_NAME, type HostResult, type HostSpec } from "../../core/servers/types.ts";
import { ageParts, escapeHtml } from "../../core/text/format.ts";
import { recordAudit } from "../audit.ts";
import { type ChatWork, inBackground } from "../background.ts";
import type { SeromaContext, SeromaOuterContext } from "../context.ts";
import { requireAdmin, requireStaff } from "../filters/auth.ts";
import { pressed } from "../ui/callback-data.ts";
import { hostKeyboard, removeServerKeyboard, serversKeyboard } from "../ui/keyboards.ts";

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
    if (fullest)
      parts.push(
        ctx.t("servers-disk", { pct: String(fullest.usedPct), mount: `<code>${escapeHtml(fullest.mount)}</code>` }),
      );
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
/** A host's details; another room's host (the hub's /server ROOM NAME) has only these fields of its spec. */
export function details(
  ctx: SeromaContext,
  spec: Pick<HostSpec, "name" | "user" | "address" | "port" | "hostKey"> & { thresholds: { diskPct: number } },
  r: HostResult | undefined,
): string {
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

async function listServers(ctx: SeromaContext): Promise<void> {
  const { storage, config } = ctx.services;
  const hosts = await storage.hosts.list(config.roomId);
  if (hosts.length === 0) {
    await ctx.reply(ctx.t("servers-none"), { parse_mode: "HTML" });
    return;
  }
  const latest = await storage.serverResults.latestPerHost(config.roomId);
  const kb = serversKeyboard(
    ctx.t,
    hosts.map((h) => h.name),
  );
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
  await work.progress(details(ctx, spec, result), { reply_markup: hostKeyboard(ctx.t, name) });
}

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

serversFeature.filter(pressed("server-check"), requireStaff, async (ctx) => {
  const { name } = ctx.button;
  await inBackground(ctx, "server-check", (work) => checkNow(ctx, name, work), {
    toast: ctx.t("servers-checking-short", { name }),
  });
});

serversFeature.filter(pressed("server-details"), requireStaff, async (ctx) => {
  const { name } = ctx.button;
  const { storage, config } = ctx.services;
  const spec = await storage.hosts.get(config.roomId, name);
  if (!spec) {
    await ctx.answerCallbackQuery({ text: ctx.t("servers-unknown-short") });
    return;
  }
  const [latest] = await storage.serverResults.latest(config.roomId, name, 1);
  await ctx.answerCallbackQuery();
  await ctx.reply(details(ctx, spec, latest), { parse_mode: "HTML", reply_markup: hostKeyboard(ctx.t, name) });
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
    reply_markup: removeServerKeyboard(ctx.t, name),
  });
});

serversFeature.filter(pressed("server-remove"), requireAdmin, async (ctx) => {
  const { name } = ctx.button;
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

serversFeature.filter(pressed("server-keep"), requireAdmin, async (ctx) => {
  await ctx.answerCallbackQuery();
  await ctx.editMessageText(ctx.t("addserver-cancelled"));
});
