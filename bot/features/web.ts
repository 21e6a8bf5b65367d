/**
 * /web (staff and admins): the way into the dashboard (web/).
 *
 * - In a private chat: a one-time login link (`services.web.loginLink`: single use, valid a few
 *   minutes), as an "Open dashboard" button when the address is https, else as a link in the
 *   text (Telegram refuses buttons to plain http and loopback addresses, the dashboard's
 *   default). The message says how long the link is valid and that it works once. Every link
 *   made is audited ("web-link").
 * - In the staff group no login link is ever posted (any member could open it): the answer is
 *   a button to the bot's private chat (t.me/BOT?start=web), where `/start web` hands out the link.
 * - The dashboard off (no `services.web`): one sentence saying so. The dashboard not answering
 *   (loginLink fails): one sentence saying so; nothing else is affected.
 *
 * With a Mini App address (`services.web.miniAppUrl`, WEB_PUBLIC_URL) /status carries an "Open
 * dashboard" button too (`dashboardButton`), and each known person's private chat gets a menu
 * button (bot/commands.ts, CommandMenus).
 */
import { Composer } from "grammy";
import { escapeHtml, formatDateTime } from "../../core/text/format.ts";
import { recordAudit, who } from "../audit.ts";
import type { SeromaContext } from "../context.ts";
import { requireStaff } from "../filters/auth.ts";
import { type DashboardButton, dashboardKeyboard } from "../ui/keyboards.ts";

/** The deep-link payload that asks for a login link in the private chat: t.me/BOT?start=web. */
export const WEB_START_PAYLOAD = "web";

/** The bot's private chat, asking for a login link on arrival. */
export function privateChatLink(botUsername: string): string {
  return `https://t.me/${botUsername}?start=${WEB_START_PAYLOAD}`;
}

/** Whether Telegram takes the address in a URL button: https only (plain http and loopback names are refused). */
function fitsAButton(url: string): boolean {
  try {
    return new URL(url).protocol === "https:";
  } catch {
    return false;
  }
}

/**
 * The "Open dashboard" button under /status, if the dashboard is a Mini App: the Mini App itself
 * in a private chat (Telegram allows `web_app` buttons there only), elsewhere a link to the
 * bot's private chat.
 */
export function dashboardButton(ctx: SeromaContext): DashboardButton | undefined {
  const url = ctx.services.web?.miniAppUrl;
  if (!url) return undefined;
  if (ctx.chat?.type === "private") return { kind: "web_app", url };
  return { kind: "url", url: privateChatLink(ctx.me.username) };
}

/** Makes a one-time link for the sender and sends it in this (private) chat. */
async function sendLoginLink(ctx: SeromaContext): Promise<void> {
  const { web, clock, config } = ctx.services;
  const from = ctx.from;
  if (!from) return;
  if (!web) {
    await ctx.reply(ctx.t("dashboard-off"));
    return;
  }
  let link: { url: string; expiresAt: number };
  try {
    link = await web.loginLink(from.id, who(ctx).name);
  } catch (err) {
    ctx.log.warn(
      { userId: from.id, err: err instanceof Error ? err.message : String(err) },
      "could not make a dashboard login link",
    );
    await ctx.reply(ctx.t("dashboard-failed"));
    return;
  }
  const timeZone = config.officeHours.timeZone;
  const vars = {
    room: escapeHtml(config.roomId),
    minutes: Math.max(1, Math.round((link.expiresAt - clock.now().getTime()) / 60_000)),
    until: escapeHtml(formatDateTime(link.expiresAt, timeZone).slice(11, 16)),
  };
  // Audited before it is handed out: no link leaves without a trace.
  await recordAudit(
    ctx,
    "web-link",
    undefined,
    `one-time dashboard link, valid until ${formatDateTime(link.expiresAt, timeZone)}`,
  );
  ctx.log.info({ userId: from.id, expiresAt: link.expiresAt }, "dashboard login link made");
  const noPreview = { link_preview_options: { is_disabled: true } };
  if (fitsAButton(link.url)) {
    await ctx.reply(ctx.t("dashboard-link", vars), {
      parse_mode: "HTML",
      reply_markup: dashboardKeyboard(ctx.t, link.url),
      ...noPreview,
    });
    return;
  }
  const anchor = `<a href="${escapeHtml(link.url)}">${escapeHtml(link.url)}</a>`;
  await ctx.reply(ctx.t("dashboard-link-inline", { ...vars, link: anchor }), { parse_mode: "HTML", ...noPreview });
}

/** In a group: never a login link; a button to the private chat instead. */
async function pointToPrivateChat(ctx: SeromaContext): Promise<void> {
  if (!ctx.services.web) {
    await ctx.reply(ctx.t("dashboard-off"));
    return;
  }
  await ctx.reply(ctx.t("dashboard-private-only"), {
    reply_markup: dashboardKeyboard(ctx.t, privateChatLink(ctx.me.username)),
  });
}

export const webFeature = new Composer<SeromaContext>();

webFeature.command("web", requireStaff, (ctx) =>
  ctx.chat.type === "private" ? sendLoginLink(ctx) : pointToPrivateChat(ctx),
);

// t.me/BOT?start=web (the group's button): the link, in the private chat. Any other /start goes on.
webFeature.chatType("private").command("start", async (ctx, next) => {
  if (ctx.match.trim() !== WEB_START_PAYLOAD) return next();
  await requireStaff(ctx, () => sendLoginLink(ctx));
});
