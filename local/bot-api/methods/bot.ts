/**
 * Methods about the bot itself and how it gets updates: getMe, logOut, close, the command
 * menus (setMyCommands, getMyCommands, deleteMyCommands), getUpdates, setWebhook,
 * deleteWebhook, getWebhookInfo, the menu button (setChatMenuButton, getChatMenuButton:
 * menu-buttons.ts), and a few setters that only answer true (setMyDescription,
 * setMyShortDescription, setMyName).
 */
import { commandsKeyOf, parseCommands } from "../commands.ts";
import { intParam } from "../params.ts";
import type { Handler, ServerParts } from "./context.ts";

export function botMethods({ botInfo, updates, commands, menuButtons }: ServerParts): Record<string, Handler> {
  const ok = () => true;
  return {
    getme: () => botInfo,
    logout: ok,
    close: ok,
    setmydescription: ok,
    setmyshortdescription: ok,
    setmyname: ok,
    setchatmenubutton: (p) => menuButtons.set(p),
    getchatmenubutton: (p) => menuButtons.get(intParam(p, "chat_id")),

    getwebhookinfo: () => updates.webhookInfo(),
    setwebhook: (p) => updates.setWebhook(typeof p.url === "string" ? p.url : "", p),
    deletewebhook: (p) => updates.setWebhook("", p),
    getupdates: (p, ctx) => updates.getUpdates(p, ctx.res),

    setmycommands: (p) => {
      const list = parseCommands(p.commands);
      const key = commandsKeyOf(p);
      if (list.length === 0) commands.delete(key);
      else commands.set(key, list);
      return true;
    },
    getmycommands: (p) => commands.get(commandsKeyOf(p)) ?? [],
    deletemycommands: (p) => {
      commands.delete(commandsKeyOf(p));
      return true;
    },
  };
}
