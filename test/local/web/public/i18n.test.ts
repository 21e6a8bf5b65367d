/**
 * The local page's own words (local/web/public/i18n.js): English and Japanese say the same
 * things (the same keys, the same {placeholders}, nothing empty); every key the page's modules
 * and index.html ask for is in the dictionary, and every key in it is asked for; every code the
 * console sends with a sentence (panel notices, errors) can be said in both languages.
 * The page in a browser, switched to Japanese, is tested in test/e2e/phone.test.ts.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";

const PUBLIC = fileURLToPath(new URL("../../../../local/web/public/", import.meta.url));
const LOCAL = fileURLToPath(new URL("../../../../local/", import.meta.url));

type Dictionary = Record<string, string>;
interface I18nModule {
  DICTIONARIES: Record<string, Dictionary>;
  LANGUAGES: Record<string, string>;
  t(key: string, params?: Record<string, unknown>): string;
}

/** The page's module as the browser loads it (plain JavaScript; it touches no browser object at import). */
const load = async (): Promise<I18nModule> =>
  (await import(pathToFileURL(`${PUBLIC}i18n.js`).href)) as unknown as I18nModule;

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

/** Keys built at run time from a prefix (a role, a chat action, a console code, a service state, a plural form). */
const DYNAMIC = [/^role\./, /^action\./, /^server\./, /^notice\./, /^hw\.service\./, /\.(one|other)$/];

describe("the local page's dictionaries", () => {
  test("English and Japanese have the same keys, the same placeholders, and no empty text", async () => {
    const { DICTIONARIES, LANGUAGES } = await load();
    assert.deepEqual(Object.keys(DICTIONARIES).sort(), ["en", "ja"]);
    assert.deepEqual(Object.keys(LANGUAGES).sort(), ["en", "ja"]);
    const en = DICTIONARIES.en as Dictionary;
    const ja = DICTIONARIES.ja as Dictionary;
    assert.deepEqual(Object.keys(ja).sort(), Object.keys(en).sort(), "the same keys");
    for (const [key, text] of Object.entries(en)) {
      const other = ja[key] as string;
      assert.ok(text.trim() && other.trim(), `${key} is empty`);
      assert.deepEqual(placeholders(other), placeholders(text), `${key}: the same {placeholders}`);
    }
    // Japanese really is Japanese (a few words are the same in both, like "OK" and "LCD").
    const same = Object.keys(en).filter((k) => en[k] === ja[k] && /[a-z]{3}/i.test(en[k] as string));
    assert.ok(same.length <= 3, `left in English in ja: ${same.join(", ")}`);
  });

  test("every key the page asks for is in the dictionary, and every key is asked for", async () => {
    const { DICTIONARIES } = await load();
    const en = DICTIONARIES.en as Dictionary;
    const used = new Set<string>();
    for (const name of readdirSync(PUBLIC)) {
      if (name === "i18n.js") continue;
      const text = readFileSync(`${PUBLIC}${name}`, "utf8");
      if (name.endsWith(".js")) {
        for (const m of text.matchAll(/\b(?:t|tCount)\(\s*(?:[^"()]*\?\s*)?"([\w.-]+)"(?:\s*:\s*"([\w.-]+)")?/g)) {
          used.add(m[1] as string);
          if (m[2]) used.add(m[2]);
        }
        // Keys passed on to a helper that says them (toggleBreakButton(node, broken, "hw.break…", "hw.repair…")).
        for (const m of text.matchAll(/"((?:hw|chat|message|error)\.[\w.]+)"/g)) used.add(m[1] as string);
      }
      if (name.endsWith(".html")) {
        for (const m of text.matchAll(/data-i18n(?:-[a-z]+)?="([\w.-]+)"/g)) used.add(m[1] as string);
      }
    }
    const missing = [...used].filter((k) => !(k in en) && !(`${k}.other` in en));
    assert.deepEqual(missing, [], "asked for but not in the dictionary");
    const unused = Object.keys(en).filter((k) => !used.has(k) && !DYNAMIC.some((re) => re.test(k)));
    assert.deepEqual(unused, [], "in the dictionary but never asked for");
  });

  test("every code the console sends with a sentence can be said in both languages", async () => {
    const { DICTIONARIES } = await load();
    const en = DICTIONARIES.en as Dictionary;
    const codes = (file: string) => {
      const text = readFileSync(`${LOCAL}${file}`, "utf8");
      const found = new Set<string>();
      for (const m of text.matchAll(/code: "([a-z][a-z-]*)"/g)) found.add(m[1] as string);
      for (const m of text.matchAll(/outcome\([\s\S]*?,\s*"([a-z][a-z-]*)"/g)) found.add(m[1] as string);
      return found;
    };
    const panel = codes("hardware-panel.ts");
    const server = codes("web/server.ts");
    assert.ok(panel.size >= 20 && server.size >= 3, `found ${[...panel, ...server].join(", ")}`);
    const notices = [...panel].filter((c) => `notice.${c}` in en);
    const errors = [...panel, ...server].filter((c) => `server.${c}` in en);
    const unsaid = [...panel, ...server].filter((c) => !notices.includes(c) && !errors.includes(c));
    assert.deepEqual(unsaid, [], "codes the page cannot say");
  });

  test("t fills in the placeholders and keeps unknown ones visible", async () => {
    const { t } = await load();
    assert.equal(t("hw.lcdSize", { cols: 16, rows: 2 }), "16×2 characters");
    assert.equal(t("media.download"), "Download {name}");
    assert.equal(t("no.such.key"), "no.such.key");
  });
});
