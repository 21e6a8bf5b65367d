/**
 * Menu buttons (setChatMenuButton, getChatMenuButton): the button next to a private chat's
 * message box, per chat or the bot's default, as Telegram keeps them. Checked like Telegram
 * checks them: a type of commands, web_app or default; a web_app button needs a text and an
 * https address (http too in Telegram's test environment). `get` resolves like Telegram: the chat's own button, else the bot's default,
 * else the command menu ("commands"). Each change is an event (local mode's page shows it).
 */
import type { MenuButton } from "grammy/types";
import { badRequest } from "./errors.ts";
import type { Listeners } from "./events.ts";
import { checkWebAppUrl } from "./keyboards.ts";
import { intParam, type Params } from "./params.ts";

export class MenuButtons {
  private readonly byChat = new Map<number, MenuButton>();
  private byDefault: MenuButton | undefined;
  private readonly listeners: Listeners;
  private readonly httpWebApps: boolean;

  /** `httpWebApps`: Telegram's test environment, where Mini App links may be http. */
  constructor(listeners: Listeners, httpWebApps: boolean) {
    this.listeners = listeners;
    this.httpWebApps = httpWebApps;
  }

  /** setChatMenuButton: `chat_id` (a private chat; absent: the bot's default) and `menu_button` (absent: default). */
  set(p: Params): true {
    const chatId = intParam(p, "chat_id");
    const button = parseMenuButton(p.menu_button, this.httpWebApps);
    if (chatId === undefined) this.byDefault = button;
    else this.byChat.set(chatId, button);
    this.listeners.emit({
      type: "menu_button",
      ...(chatId !== undefined ? { chat_id: chatId } : {}),
      menu_button: this.get(chatId),
    });
    return true;
  }

  /** What a private chat shows (getChatMenuButton): its own button, else the default, else the command menu. */
  get(chatId?: number): MenuButton {
    const own = chatId === undefined ? undefined : this.byChat.get(chatId);
    for (const button of [own, this.byDefault]) {
      if (button && button.type !== "default") return structuredClone(button);
    }
    return { type: "commands" };
  }
}

function parseMenuButton(value: unknown, httpWebApps: boolean): MenuButton {
  if (value === undefined || value === null || value === "") return { type: "default" };
  if (typeof value !== "object" || Array.isArray(value)) throw badRequest("can't parse menu button JSON object");
  const b = value as Record<string, unknown>;
  switch (b.type) {
    case "commands":
      return { type: "commands" };
    case "default":
      return { type: "default" };
    case "web_app": {
      if (typeof b.text !== "string" || b.text.trim() === "") throw badRequest("menu button text is empty");
      const webApp = b.web_app as { url?: unknown } | null | undefined;
      if (!webApp || typeof webApp !== "object")
        throw badRequest('can\'t parse menu button: Field "web_app" must be of type Object');
      checkWebAppUrl(webApp.url, "menu button", httpWebApps);
      return { type: "web_app", text: b.text, web_app: { url: webApp.url as string } };
    }
    default:
      throw badRequest("can't parse menu button: Unsupported type specified");
  }
}
