/**
 * The command menu (the "/" button), as Telegram shows it: per role and per language.
 *
 * Telegram picks a chat's menu from the narrowest scope that has one (the chat, then all
 * private or all group chats, then the default) and, within a scope, the list for the
 * user's app language before the one without a language. So:
 *   - default and all private chats: what anyone may use (start, help, language) — a
 *     stranger is not shown commands that will be refused;
 *   - the staff group (chat scope): the room's commands that make sense in a group;
 *   - each known person's private chat (chat scope): their role's commands, in the language
 *     they chose with /language, or per app language when they follow the app.
 * Menus of known people are written at start and again whenever their role or language
 * changes (seen on their next update): a revoked card's menu shrinks back to the
 * stranger's. Every list is written for every supported language plus the no-language
 * fallback, so a list written earlier in another language never shadows the new one.
 *
 * The dashboard (bot/features/web.ts): /web is in the staff's menus while it is on. With a Mini
 * App address, each staff member's and admin's private chat gets a menu button that opens it
 * (setChatMenuButton, type web_app), kept in step the same way: written at start and when the
 * person changes, set back to Telegram's default when their role ends (or when the Mini App
 * address is gone, so an old button does not linger).
 */
import type { I18n } from "@grammyjs/i18n";
import type { Api } from "grammy";
import type { BotCommandScope, MenuButton } from "grammy/types";
import { mapWithConcurrency } from "../core/concurrency.ts";
import type { Role } from "../core/door/roles.ts";
import type { Logger } from "../core/logger.ts";
import type { SeromaContext } from "./context.ts";
import { resolveRole } from "./filters/auth.ts";
import { SUPPORTED_LOCALES } from "./i18n.ts";

/** Who sees a command: `anyone` (strangers too), or the least role that may use it. */
type Audience = "anyone" | Role;

/** Every command, in menu order, with who may use it and whether it belongs in the group's menu. */
export const COMMAND_TABLE = [
  { command: "start", audience: "anyone", group: false },
  { command: "status", audience: "viewer", group: true },
  { command: "rooms", audience: "viewer", group: true },
  { command: "history", audience: "viewer", group: true },
  { command: "chart", audience: "viewer", group: true },
  { command: "snapshot", audience: "staff", group: true },
  { command: "clip", audience: "staff", group: true },
  { command: "media", audience: "staff", group: true },
  { command: "arm", audience: "staff", group: true },
  { command: "disarm", audience: "staff", group: true },
  { command: "servers", audience: "staff", group: true },
  { command: "server", audience: "staff", group: true },
  { command: "addserver", audience: "admin", group: false },
  { command: "removeserver", audience: "admin", group: false },
  { command: "access", audience: "viewer", group: true },
  { command: "who", audience: "viewer", group: true },
  { command: "alerts", audience: "viewer", group: true },
  { command: "ack", audience: "staff", group: true },
  { command: "mute", audience: "staff", group: true },
  { command: "unmute", audience: "staff", group: true },
  { command: "staff", audience: "staff", group: false },
  { command: "enroll", audience: "admin", group: false },
  { command: "export", audience: "staff", group: false },
  { command: "backup", audience: "admin", group: false },
  { command: "web", audience: "staff", group: false },
  { command: "language", audience: "anyone", group: false },
  { command: "help", audience: "anyone", group: true },
] as const satisfies ReadonlyArray<{ command: string; audience: Audience; group: boolean }>;

export const COMMANDS = COMMAND_TABLE.map((c) => c.command);

/** The menus there are: a role's private chat, a stranger's, the staff group's. */
export type MenuKind = Role | "stranger" | "group";

const RANK: Record<Audience, number> = { anyone: 0, viewer: 1, staff: 2, admin: 3 };

/** The commands of one menu, in menu order, but for those `without` (a feature that is off: /web). */
export function menuCommands(kind: MenuKind, without: ReadonlySet<string> = new Set()): string[] {
  const shown = COMMAND_TABLE.filter((c) => !without.has(c.command));
  if (kind === "group") return shown.filter((c) => c.group).map((c) => c.command);
  const rank = kind === "stranger" ? 0 : RANK[kind];
  return shown.filter((c) => RANK[c.audience] <= rank).map((c) => c.command);
}

export function commandList(
  i18n: I18n<SeromaContext>,
  locale: string,
  kind: MenuKind = "admin",
  without?: ReadonlySet<string>,
): Array<{ command: string; description: string }> {
  return menuCommands(kind, without).map((command) => ({ command, description: i18n.t(locale, `cmd-${command}`) }));
}

export interface CommandMenusOptions {
  api: Api;
  i18n: I18n<SeromaContext>;
  defaultLocale: string;
  logger: Logger;
  /** The staff group, if any. */
  staffChatId?: number;
  /**
   * The dashboard, when it is on: /web is in the menus, and with `miniAppUrl` the private chats
   * of staff and admins get a menu button that opens it. Absent: /web is left out of the menus
   * and menu buttons are not touched.
   */
  dashboard?: { miniAppUrl: string | undefined };
  /** A hub (ROLE=hub): /rooms is in the menus; otherwise it is left out. */
  hub?: boolean;
}

/** A person the console knows at start: their private chat's menu. */
export interface KnownPerson {
  userId: number;
  role: Role;
  /** Their /language choice; undefined: follow the app. */
  locale?: string;
}

const MAX_REMEMBERED = 10_000;

/** Writes the menus and keeps each private chat's menu in step with its person's role and language. */
export class CommandMenus {
  /** What each private chat's menu was last written as ("admin|ja", "stranger|auto"…). */
  private readonly written = new Map<number, string>();
  /** Each private chat's menu button as last set (JSON of the MenuButton). */
  private readonly buttons = new Map<number, string>();

  private readonly opts: CommandMenusOptions;
  /** Commands of features that are off. */
  private readonly without: ReadonlySet<string>;

  constructor(opts: CommandMenusOptions) {
    this.opts = opts;
    this.without = new Set([...(opts.dashboard ? [] : ["web"]), ...(opts.hub ? [] : ["rooms"])]);
  }

  /** The default, private-chat and group menus, and the private menus of everyone known. */
  async registerAll(people: readonly KnownPerson[]): Promise<void> {
    await this.write(undefined, "stranger", undefined);
    await this.write({ type: "all_private_chats" }, "stranger", undefined);
    if (this.opts.staffChatId !== undefined) {
      await this.write({ type: "chat", chat_id: this.opts.staffChatId }, "group", undefined);
    }
    // A few people at a time: a team of 30 is ~100 calls, which in a row would hold up the start.
    await mapWithConcurrency(people, 4, (p) => this.sync(p.userId, p.role, p.locale));
  }

  /**
   * Middleware: after each private-chat update, the sender's menu follows their role (a card
   * linked or revoked meanwhile, an invite just redeemed) and their /language choice. In the
   * background: an answer never waits for a menu.
   */
  readonly middleware = async (ctx: SeromaContext, next: () => Promise<void>): Promise<void> => {
    await next();
    const from = ctx.from;
    if (ctx.chat?.type !== "private" || !from || from.is_bot) return;
    void (async () => {
      const role = ctx.role ?? (await resolveRole(ctx, from.id));
      await this.sync(from.id, role, await ctx.services.storage.userSettings.getLocale(from.id), from.language_code);
    })().catch((err) =>
      this.opts.logger.warn(
        { userId: from.id, err: err instanceof Error ? err.message : String(err) },
        "could not check a command menu",
      ),
    );
  };

  /**
   * Makes a private chat's menu and menu button match the person's role (undefined: a
   * stranger) and chosen locale (the button's text: else their app's language, if known);
   * writes only what changed since the last write. A failure is logged and retried at their
   * next update.
   */
  async sync(
    userId: number,
    role: Role | undefined,
    chosenLocale: string | undefined,
    appLanguage?: string,
  ): Promise<void> {
    const kind: MenuKind = role === undefined || role === "viewer" ? "stranger" : role;
    await this.syncCommands(userId, kind, chosenLocale);
    await this.syncMenuButton(userId, kind, chosenLocale ?? appLanguage);
  }

  private async syncCommands(userId: number, kind: MenuKind, chosenLocale: string | undefined): Promise<void> {
    const key = `${kind}|${chosenLocale ?? "auto"}`;
    if (this.written.get(userId) === key) return;
    const scope: BotCommandScope = { type: "chat", chat_id: userId };
    try {
      if (kind === "stranger") {
        // Nothing of their own: the private chats' menu applies again.
        for (const language_code of SUPPORTED_LOCALES) await this.opts.api.deleteMyCommands({ scope, language_code });
        await this.opts.api.deleteMyCommands({ scope });
      } else {
        await this.write(scope, kind, chosenLocale);
      }
      remember(this.written, userId, key);
    } catch (err) {
      this.written.delete(userId);
      this.opts.logger.warn(
        { userId, menu: kind, err: err instanceof Error ? err.message : String(err) },
        "could not update a command menu; trying again at their next message",
      );
    }
  }

  /**
   * The menu button: the dashboard's Mini App for staff and admins (labelled in their
   * language), Telegram's default for everyone else. Only while the dashboard is on.
   */
  private async syncMenuButton(userId: number, kind: MenuKind, language: string | undefined): Promise<void> {
    const dashboard = this.opts.dashboard;
    if (!dashboard) return;
    const { api, i18n, defaultLocale } = this.opts;
    const base = language?.toLowerCase().split(/[-_]/)[0];
    const locale = SUPPORTED_LOCALES.find((l) => l === base) ?? defaultLocale;
    const button: MenuButton =
      dashboard.miniAppUrl && (kind === "staff" || kind === "admin")
        ? { type: "web_app", text: i18n.t(locale, "dashboard-menu-button"), web_app: { url: dashboard.miniAppUrl } }
        : { type: "default" };
    const key = JSON.stringify(button);
    if (this.buttons.get(userId) === key) return;
    try {
      await api.setChatMenuButton({ chat_id: userId, menu_button: button });
      remember(this.buttons, userId, key);
    } catch (err) {
      this.buttons.delete(userId);
      this.opts.logger.warn(
        { userId, menuButton: button.type, err: err instanceof Error ? err.message : String(err) },
        "could not set a menu button; trying again at their next message",
      );
    }
  }

  /** One menu in every language (the chosen one everywhere, if any) and the no-language fallback. */
  private async write(scope: BotCommandScope | undefined, kind: MenuKind, chosen: string | undefined): Promise<void> {
    const { api, i18n, defaultLocale } = this.opts;
    for (const language_code of SUPPORTED_LOCALES) {
      await api.setMyCommands(commandList(i18n, chosen ?? language_code, kind, this.without), {
        ...(scope ? { scope } : {}),
        language_code,
      });
    }
    await api.setMyCommands(commandList(i18n, chosen ?? defaultLocale, kind, this.without), scope ? { scope } : {});
  }
}

/** Remembers `value` as the newest entry, forgetting the oldest beyond MAX_REMEMBERED. */
function remember(map: Map<number, string>, userId: number, value: string): void {
  map.delete(userId);
  map.set(userId, value);
  if (map.size > MAX_REMEMBERED) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
}
