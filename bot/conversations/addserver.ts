/**
 * /addserver: an admin adds a host to check, as a @grammyjs/conversations flow.
 *
 *   /addserver -> name -> address[:port] -> SSH user (3 tries each, Cancel under every
 *     question) -> the host key is fetched and shown for the admin to compare and confirm
 *     (no trust on first use) -> services to watch -> saved, audited, checked once.
 *
 * The conversation only takes updates from the admin who started it; one at a time per chat.
 * /servers, /server and /removeserver are bot/features/servers.ts.
 */
import { type Conversation, createConversation } from "@grammyjs/conversations";
import { Composer, type Context } from "grammy";
import { CHECK_IDS, HOST_NAME, type HostSpec, SERVICE_NAME, USER_NAME } from "../../core/servers/types.ts";
import { escapeHtml } from "../../core/text/format.ts";
import { recordAudit } from "../audit.ts";
import type { SeromaContext, SeromaOuterContext } from "../context.ts";
import { statusLine } from "../features/servers.ts";
import { requireAdmin } from "../filters/auth.ts";
import { callbackPrefixOf, pressedAction } from "../ui/callback-data.ts";
import { addServerCancelKeyboard, addServerTrustKeyboard, hostKeyboard } from "../ui/keyboards.ts";
import { type StepPrompts, stepPrompts } from "./step-prompts.ts";

type AddServerConversation = Conversation<SeromaOuterContext, SeromaContext>;

/** How long each step waits for the admin. */
const STEP_MS = 10 * 60_000;
/** Services one host may list. */
const MAX_SERVICES = 20;

function isCancel(ctx: Context): boolean {
  return pressedAction(ctx)?.type === "addserver-cancel" || /^\/cancel(@\w+)?$/.test(ctx.message?.text?.trim() ?? "");
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
  const steps = stepPrompts(ctx);
  try {
    await addServerSteps(conversation, ctx, steps);
  } finally {
    await steps.close();
  }
}

async function addServerSteps(
  conversation: AddServerConversation,
  ctx: SeromaContext,
  steps: StepPrompts,
): Promise<void> {
  const admin = ctx.from;
  if (!admin || !ctx.chat) return;
  const t = ctx.t.bind(ctx);
  const cancelKb = addServerCancelKeyboard(t);
  const next = (accept: (c: SeromaContext) => boolean, hintKey: string) =>
    conversation
      .waitFrom(admin.id, { next: true, maxMilliseconds: STEP_MS })
      .and((c) => isCancel(c) || accept(c), { otherwise: (c) => hint(c, hintKey) });
  const cancelled = async (c: SeromaContext) => {
    await steps.close();
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
    await steps.reply(question, { parse_mode: "HTML", reply_markup: cancelKb });
    for (let tries = 1; tries <= 3; tries++) {
      const answer = await next(text, "addserver-hint-text");
      if (isCancel(answer)) {
        await cancelled(answer);
        return "cancel";
      }
      const value = parse(answer.message?.text ?? "");
      if (value !== undefined) return value;
      await steps.reply(bad, { parse_mode: "HTML", reply_markup: cancelKb });
    }
    await steps.reply(t("enroll-too-many-tries"));
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
    await steps.reply(t("addserver-exists", { name: escapeHtml(name) }), { parse_mode: "HTML" });
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

  await steps.reply(t("addserver-fetching", { address: escapeHtml(`${where.address}:${where.port}`) }), {
    parse_mode: "HTML",
  });
  const key = await conversation.external((outer) => outer.services.servers.fetchHostKey(where.address, where.port));
  if (!key.ok) {
    await steps.reply(t("addserver-no-key", { reason: escapeHtml(key.message) }), { parse_mode: "HTML" });
    return;
  }
  const confirmKb = addServerTrustKeyboard(t);
  await steps.reply(
    t("addserver-confirm-key", {
      name: escapeHtml(name),
      address: escapeHtml(`${where.address}:${where.port}`),
      type: escapeHtml(key.keyType),
      fingerprint: escapeHtml(key.fingerprint),
    }),
    { parse_mode: "HTML", reply_markup: confirmKb },
  );
  const trust = await next((c) => pressedAction(c)?.type === "addserver-trust", "enroll-hint-button");
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
    await steps.reply(t("addserver-exists", { name: escapeHtml(name) }), { parse_mode: "HTML" });
    return;
  }
  await steps.reply(t("addserver-saved", { name: escapeHtml(name) }), { parse_mode: "HTML" });
  const line = await conversation.external(async (outer) => {
    const spec = await outer.services.storage.hosts.get(roomId, name);
    const result = await outer.services.servers.checkNow(name);
    return spec ? statusLine(outer, spec, result) : "";
  });
  await steps.close();
  // The new server's own buttons (Check now, Details) stay: they are not a step.
  if (line) await ctx.reply(line, { parse_mode: "HTML", reply_markup: hostKeyboard(ctx.t, name) });
}

/**
 * The conversation, the /addserver command that enters it, and its buttons that it did not
 * take (someone else's, or an old one). Install after `conversations()`.
 */
export const addServerConversation = new Composer<SeromaOuterContext>();

addServerConversation.use(createConversation<SeromaOuterContext, SeromaContext>(addServer, { id: "addserver" }));

addServerConversation.command("addserver", requireAdmin, async (ctx) => {
  if (Object.keys(ctx.conversation.active()).includes("addserver")) {
    await ctx.reply(ctx.t("addserver-busy"));
    return;
  }
  await ctx.conversation.enter("addserver");
});

addServerConversation.filter(
  (ctx) => callbackPrefixOf(ctx.callbackQuery?.data) === "adds",
  async (ctx) => {
    const running = Object.keys(ctx.conversation.active()).includes("addserver");
    await ctx.answerCallbackQuery({
      text: ctx.t(running ? "enroll-not-yours" : "error-button-expired"),
    });
  },
);
