/**
 * Command menus: what setMyCommands stored, keyed by scope and language (`commandsKey`), and
 * the menu a Telegram client shows in a chat (`commandsFor`: the chat's own scope, then all
 * private or all group chats, then the default; the user's language first, then none).
 * Commands are checked like Telegram checks them (BOT_COMMAND_INVALID,
 * BOT_COMMAND_DESCRIPTION_INVALID, at most 100).
 */
import type { BotCommand } from "grammy/types";
import { badRequest } from "./errors.ts";
import type { Params } from "./params.ts";
import type { TestChat } from "./types.ts";

/** The key of a command list in `commands`: "default", "all_private_chats/en", "chat:-100123", "chat_member:-100123:42/de". */
export function commandsKey(
  scope?: { type: string; chat_id?: number | string; user_id?: number } | null,
  languageCode?: string | null,
): string {
  let key = scope?.type ?? "default";
  if (scope?.chat_id !== undefined) key += `:${scope.chat_id}`;
  if (scope?.user_id !== undefined) key += `:${scope.user_id}`;
  if (languageCode) key += `/${languageCode}`;
  return key;
}

/** The key named by a method's `scope` and `language_code`. */
export function commandsKeyOf(p: Params): string {
  return commandsKey(p.scope as Parameters<typeof commandsKey>[0], p.language_code as string | undefined);
}

/** Commands registered for a chat, resolved like Telegram clients do (chat, then all private/group chats, then default; language first). */
export function commandsFor(
  commands: ReadonlyMap<string, BotCommand[]>,
  chat: { id: number; type: TestChat["type"] },
  languageCode?: string,
): BotCommand[] {
  const scopes: ({ type: string; chat_id?: number } | null)[] = [
    { type: "chat", chat_id: chat.id },
    { type: chat.type === "private" ? "all_private_chats" : "all_group_chats" },
    null,
  ];
  for (const scope of scopes) {
    for (const lang of languageCode ? [languageCode, undefined] : [undefined]) {
      const list = commands.get(commandsKey(scope, lang));
      if (list && list.length > 0) return list.map((c) => ({ ...c }));
    }
  }
  return [];
}

/** setMyCommands' `commands`, checked. */
export function parseCommands(list: unknown): BotCommand[] {
  if (!Array.isArray(list) || list.length > 100) throw badRequest("commands not specified");
  return list.map((c: { command?: unknown; description?: unknown }) => {
    const command = typeof c.command === "string" ? c.command.replace(/^\//, "") : "";
    if (!/^[a-z0-9_]{1,32}$/.test(command)) throw badRequest("BOT_COMMAND_INVALID");
    const description = typeof c.description === "string" ? c.description : "";
    if (description.length < 1 || description.length > 256) {
      throw badRequest("BOT_COMMAND_DESCRIPTION_INVALID");
    }
    return { command, description };
  });
}
