/**
 * Every Bot API method this server answers, by lower-case name (Telegram's method names are
 * case-insensitive). A Map, so a name from the URL (`__proto__`, `constructor`) is just an
 * unknown method (404), never a member of Object.prototype.
 */
import { botMethods } from "./bot.ts";
import { chatMethods } from "./chats.ts";
import type { Handler, ServerParts } from "./context.ts";
import { messageMethods } from "./messages.ts";

export type { CallContext, Handler, ServerParts } from "./context.ts";

export function buildHandlers(parts: ServerParts): Map<string, Handler> {
  return new Map(
    Object.entries({
      ...botMethods(parts),
      ...messageMethods(parts),
      ...chatMethods(parts),
    }),
  );
}
