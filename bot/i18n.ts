import { fileURLToPath } from "node:url";
import { I18n } from "@grammyjs/i18n";
import type { SeromaContext } from "./context.ts";

export const LOCALES_DIR = fileURLToPath(new URL("../locales", import.meta.url));
export const SUPPORTED_LOCALES = ["en", "ja"] as const;

function supported(code: string | undefined): string | undefined {
  const base = code?.toLowerCase().split(/[-_]/)[0];
  return SUPPORTED_LOCALES.find((l) => l === base);
}

/**
 * Fluent translations from locales/*.ftl. The language is, in order: the user's
 * /language choice (stored), their Telegram app language, DEFAULT_LOCALE.
 */
export function createI18n(defaultLocale: string): I18n<SeromaContext> {
  return new I18n<SeromaContext>({
    defaultLocale,
    directory: LOCALES_DIR,
    useSession: false,
    // No Unicode isolation marks around values: they would show up inside <code> and ids.
    fluentBundleOptions: { useIsolating: false },
    localeNegotiator: async (ctx) => {
      const id = ctx.from?.id;
      const chosen = id === undefined ? undefined : await ctx.services.storage.userSettings.getLocale(id);
      return supported(chosen) ?? supported(ctx.from?.language_code) ?? defaultLocale;
    },
  });
}
