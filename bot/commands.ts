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
 */
import type { I18n } from "@grammyjs/i18n";
import type { Api } from "grammy";
import type { BotCommandScope } from "grammy/types";
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
  { command: "language", audience: "anyone", group: false },
  { command: "help", audience: "anyone", group: true },
] as const satisfies ReadonlyArray<{ command: string; audience: Audience; group: boolean }>;

export const COMMANDS = COMMAND_TABLE.map((c) => c.command);

/** The menus there are: a role's private chat, a stranger's, the staff group's. */
export type MenuKind = Role | "stranger" | "group";

const RANK: Record<Audience, number> = { anyone: 0, viewer: 1, staff: 2, admin: 3 };

/** The commands of one menu, in menu order. */
export function menuCommands(kind: MenuKind): string[] {
  if (kind === "group") return COMMAND_TABLE.filter((c) => c.group).map((c) => c.command);
  const rank = kind === "stranger" ? 0 : RANK[kind];
  return COMMAND_TABLE.filter((c) => RANK[c.audience] <= rank).map((c) => c.command);
}

export function commandList(
  i18n: I18n<SeromaContext>,
  locale: string,
  kind: MenuKind = "admin",
): Array<{ command: string; description: string }> {
  return menuCommands(kind).map((command) => ({ command, description: i18n.t(locale, `cmd-${command}`) }));
}

export interface CommandMenusOptions {
  api: Api;
  i18n: I18n<SeromaContext>;
  defaultLocale: string;
  logger: Logger;
  /** The staff group, if any. */
  staffChatId?: number;
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

  private readonly opts: CommandMenusOptions;

  constructor(opts: CommandMenusOptions) {
    this.opts = opts;
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
      await this.sync(from.id, role, await ctx.services.storage.userSettings.getLocale(from.id));
    })().catch((err) =>
      this.opts.logger.warn(
        { userId: from.id, err: err instanceof Error ? err.message : String(err) },
        "could not check a command menu",
      ),
    );
  };

  /**
   * Makes a private chat's menu match the person's role (undefined: a stranger) and chosen
   * locale; writes only when that changed since the last write. A failure is logged and
   * retried at their next update.
   */
  async sync(userId: number, role: Role | undefined, chosenLocale: string | undefined): Promise<void> {
    const kind: MenuKind = role === undefined || role === "viewer" ? "stranger" : role;
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
      this.written.delete(userId);
      this.written.set(userId, key);
      if (this.written.size > MAX_REMEMBERED) {
        const oldest = this.written.keys().next().value;
        if (oldest !== undefined) this.written.delete(oldest);
      }
    } catch (err) {
      this.written.delete(userId);
      this.opts.logger.warn(
        { userId, menu: kind, err: err instanceof Error ? err.message : String(err) },
        "could not update a command menu; trying again at their next message",
      );
    }
  }

  /** One menu in every language (the chosen one everywhere, if any) and the no-language fallback. */
  private async write(scope: BotCommandScope | undefined, kind: MenuKind, chosen: string | undefined): Promise<void> {
    const { api, i18n, defaultLocale } = this.opts;
    for (const language_code of SUPPORTED_LOCALES) {
      await api.setMyCommands(commandList(i18n, chosen ?? language_code, kind), {
        ...(scope ? { scope } : {}),
        language_code,
      });
    }
    await api.setMyCommands(commandList(i18n, chosen ?? defaultLocale, kind), scope ? { scope } : {});
  }
}
