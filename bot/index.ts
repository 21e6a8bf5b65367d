/**
 * createBot wires the Telegram interface: context setup, error boundary, i18n,
 * auth (first of the features), the conversations (bot/conversations/), then one Composer
 * per feature (bot/features/), the unhandled-update feature last. Nothing here starts polling; `startBot` does, and main.ts owns it.
 */
import { autoRetry } from "@grammyjs/auto-retry";
import { conversations } from "@grammyjs/conversations";
import { type RunnerHandle, run, sequentialize } from "@grammyjs/runner";
import { Bot } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import type { Logger } from "../core/logger.ts";
import { CommandMenus, type KnownPerson } from "./commands.ts";
import {
  type BotServices,
  conversationContext,
  type SeromaContext,
  type SeromaOuterContext,
  seromaContextConstructor,
} from "./context.ts";
import { addServerConversation } from "./conversations/addserver.ts";
import { createEnrollConversation } from "./conversations/enroll.ts";
import { describeTelegramError, errorBoundary } from "./errors.ts";
import { accessFeature } from "./features/access.ts";
import { alertListFeature } from "./features/alert-list.ts";
import { alertsFeature } from "./features/alerts.ts";
import { backupFeature } from "./features/backup.ts";
import { cameraFeature } from "./features/camera.ts";
import { chartFeature } from "./features/chart.ts";
import { historyFeature } from "./features/history.ts";
import { languageFeature } from "./features/language.ts";
import { roomsFeature } from "./features/rooms.ts";
import { serversFeature } from "./features/servers.ts";
import { inviteFeature, staffFeature } from "./features/staff.ts";
import { startFeature } from "./features/start.ts";
import { statusFeature } from "./features/status.ts";
import { unhandledFeature } from "./features/unhandled.ts";
import { webFeature } from "./features/web.ts";
import { authFilter } from "./filters/auth.ts";
import { createI18n } from "./i18n.ts";
import { setupOutgoingFit } from "./outgoing.ts";

export interface BotDeps {
  token: string;
  /** Bot API root, e.g. https://api.telegram.org or http://127.0.0.1:8081 for a local server. */
  apiRoot: string;
  /** Known bot identity: skips getMe (tests, benches). */
  botInfo?: UserFromGetMe;
  services: BotServices;
  logger: Logger;
}

export const ALLOWED_UPDATES = ["message", "callback_query"] as const;

export function createBot(deps: BotDeps) {
  const botLog = deps.logger.child({ component: "bot" });
  // Every update's context is constructed with the services and its own child logger.
  const contextDeps = { services: deps.services, logger: botLog };
  const bot = new Bot<SeromaOuterContext>(deps.token, {
    client: { apiRoot: deps.apiRoot },
    ...(deps.botInfo ? { botInfo: deps.botInfo } : {}),
    ContextConstructor: seromaContextConstructor<SeromaOuterContext>(contextDeps),
  });
  // Flood control: on 429, wait Telegram's retry_after (up to a minute) and try once more.
  // Network errors and 5xx are left to the caller (the alert outbox retries durably).
  bot.api.config.use(
    autoRetry({ maxRetryAttempts: 1, maxDelaySeconds: 60, rethrowHttpErrors: true, rethrowInternalServerErrors: true }),
  );
  const i18n = createI18n(deps.services.config.defaultLocale);
  // Every text, caption and button fits Telegram's limits (bot/outgoing.ts): on bot.api (the
  // alert channel) in the default language, per update and per conversation in the reader's.
  const defaultLocale = deps.services.config.defaultLocale;
  const fit = setupOutgoingFit(bot.api, { t: (k, v) => i18n.t(defaultLocale, k, v), log: botLog });

  // Updates of one chat are handled in order; different chats run concurrently.
  bot.use(sequentialize((ctx) => ctx.chat?.id.toString()));
  bot.use(errorBoundary);
  bot.use(i18n);
  bot.use(fit.perUpdate);
  bot.use(fit.resolveRefs);
  // Each private chat's command menu follows its person's role and language.
  const menus = new CommandMenus({
    api: bot.api,
    i18n,
    defaultLocale,
    logger: botLog,
    ...(deps.services.config.telegram.staffChatId !== undefined
      ? { staffChatId: deps.services.config.telegram.staffChatId }
      : {}),
    // The services' object itself: its miniAppUrl is read when a menu button is written (it may be bound late).
    ...(deps.services.web ? { dashboard: deps.services.web } : {}),
    ...(deps.services.rooms ? { hub: true } : {}),
  });
  bot.use(menus.middleware);
  bot.use(inviteFeature);
  bot.use(authFilter());
  // Conversations (/enroll, /addserver) see the same services, translations and fitting.
  bot.use(
    conversations<SeromaOuterContext, SeromaContext>({
      plugins: [conversationContext(contextDeps), i18n, fit.perUpdate],
    }),
  );
  // bot/conversations/: each conversation, its command and its stray buttons, before the features.
  const enroll = createEnrollConversation({ inject: (update) => bot.handleUpdate(update) });
  bot.use(enroll.conversation);
  bot.use(addServerConversation);
  bot.command("enroll", enroll.command);
  bot.on("callback_query:data", enroll.strayButton);
  bot.use(
    // Before startFeature: it answers `/start web` (the group's "Open dashboard" deep link).
    webFeature,
    startFeature,
    // Before /status: on a hub, /status ROOM asks that room.
    roomsFeature,
    statusFeature,
    historyFeature,
    languageFeature,
    alertsFeature,
    alertListFeature,
    chartFeature,
    accessFeature,
    staffFeature,
    cameraFeature,
  );
  bot.use(serversFeature);
  bot.use(backupFeature);
  bot.use(unhandledFeature);

  // Last line of defence (errors outside the boundary, e.g. in the runner's sequentialize).
  bot.catch((err) => {
    botLog.error(
      { update: err.ctx.update.update_id, ...describeTelegramError(err.error).detail },
      "unhandled bot error",
    );
  });

  return { bot, i18n, defaultLocale, enroll, menus, services: deps.services };
}

export type SeromaBot = ReturnType<typeof createBot>;

/** Everyone with a role of their own: the lists, then accounts linked to active cards; with their /language. */
async function knownPeople(services: BotServices): Promise<KnownPerson[]> {
  const { adminIds, staffIds } = services.config.telegram;
  const roles = new Map<number, KnownPerson["role"]>();
  for (const m of await services.storage.staff.list()) {
    if (m.active && m.telegramUserId !== undefined) roles.set(m.telegramUserId, m.role);
  }
  for (const id of staffIds) roles.set(id, "staff");
  for (const id of adminIds) roles.set(id, "admin");
  const people: KnownPerson[] = [];
  for (const [userId, role] of roles) {
    const locale = await services.storage.userSettings.getLocale(userId);
    people.push({ userId, role, ...(locale ? { locale } : {}) });
  }
  return people;
}

/**
 * Registers commands and starts long polling with @grammyjs/runner: updates are
 * handled concurrently across chats and in order within a chat.
 */
export async function startBot(seroma: SeromaBot, logger: Logger): Promise<RunnerHandle> {
  const { bot, menus, services } = seroma;
  // One getMe, failing fast: bot.init() would retry by itself, silently, with backoff
  // growing to 20 minutes; the caller owns the retry policy and logs each attempt.
  if (!bot.isInited()) bot.botInfo = await bot.api.getMe();
  try {
    await menus.registerAll(await knownPeople(services));
  } catch (err) {
    // Not fatal: the bot works without a command menu.
    logger.warn(describeTelegramError(err).detail, "could not register the command menu");
  }
  // Log outages of the polling connection once when they start and once when they end
  // (the runner itself retries silently, forever: a Pi must outlive any outage).
  let outageSince: number | undefined;
  bot.api.config.use(async (prev, method, payload, signal) => {
    if (method !== "getUpdates") return prev(method, payload, signal);
    try {
      const result = await prev(method, payload, signal);
      if (outageSince !== undefined) {
        logger.info({ downForMs: Date.now() - outageSince }, "Telegram reachable again");
        outageSince = undefined;
      }
      return result;
    } catch (err) {
      if (outageSince === undefined && !signal?.aborted) {
        outageSince = Date.now();
        logger.warn(describeTelegramError(err).detail, "cannot poll Telegram; retrying until it is back");
      }
      throw err;
    }
  });
  return run(bot, {
    runner: {
      fetch: { allowed_updates: [...ALLOWED_UPDATES] },
      // Every 2 s while Telegram cannot be reached, however long the outage: one failed
      // request every 2 s is no load, and recovery is noticed within seconds (alerts
      // waiting for Telegram resume on the first successful call). Never give up.
      retryInterval: 2_000,
      maxRetryTime: Number.MAX_SAFE_INTEGER,
      silent: true,
    },
  });
}
