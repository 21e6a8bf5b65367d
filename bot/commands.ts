/** Registers the command menu with Telegram, one list per supported language, from locales/. */
import type { I18n } from "@grammyjs/i18n";
import type { Api } from "grammy";
import type { SeromaContext } from "./context.ts";
import { SUPPORTED_LOCALES } from "./i18n.ts";

export const COMMANDS = [
  "start",
  "status",
  "history",
  "chart",
  "snapshot",
  "clip",
  "media",
  "arm",
  "disarm",
  "servers",
  "server",
  "addserver",
  "removeserver",
  "access",
  "who",
  "alerts",
  "ack",
  "mute",
  "unmute",
  "staff",
  "enroll",
  "export",
  "backup",
  "language",
  "help",
] as const;

export function commandList(
  i18n: I18n<SeromaContext>,
  locale: string,
): Array<{ command: string; description: string }> {
  return COMMANDS.map((command) => ({ command, description: i18n.t(locale, `cmd-${command}`) }));
}

export async function registerCommands(api: Api, i18n: I18n<SeromaContext>, defaultLocale: string): Promise<void> {
  await api.setMyCommands(commandList(i18n, defaultLocale));
  for (const locale of SUPPORTED_LOCALES) {
    await api.setMyCommands(commandList(i18n, locale), { language_code: locale });
  }
}
