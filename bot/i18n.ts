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
  const i18n = new I18n<SeromaContext>({
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
  memoizeBundleMatching(i18n);
  return i18n;
}

/**
 * The plugin negotiates (with @fluent/langneg) on every single `t()` call; a status
 * message makes about ten. The bundles are fixed once the locale files are loaded, so
 * the match for a given list of locales never changes: remember it. (Measured: about a
 * tenth of the bot's CPU time per /status under load.)
 */
function memoizeBundleMatching(i18n: I18n<SeromaContext>): void {
  const fluent = i18n.fluent as unknown as { matchBundles?: (locales: string[]) => Set<unknown> };
  const original = fluent.matchBundles;
  if (typeof original !== "function") return; // plugin internals changed: keep its own behaviour
  const cache = new Map<string, Set<unknown>>();
  fluent.matchBundles = (locales: string[]) => {
    const key = locales.join("\u0000");
    let bundles = cache.get(key);
    if (!bundles) {
      bundles = original.call(fluent, locales);
      if (cache.size < 1000) cache.set(key, bundles);
    }
    return bundles;
  };
}
