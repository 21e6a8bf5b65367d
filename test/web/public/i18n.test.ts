/**
 * The dashboard's words: the `## Dashboard` section at the end of locales/en.ftl and ja.ftl (the
 * server sends that section to the page as /i18n/LANG.ftl). Every web-* key the page's modules and
 * index.html use is in both languages with the same variables, every key in the section is used,
 * English plurals go through [one] / *[other], and the section is the last one in each file.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { FluentBundle, FluentResource } from "@fluent/bundle";
import { LOCALES_DIR, SUPPORTED_LOCALES } from "../../../bot/i18n.ts";

const PUBLIC = fileURLToPath(new URL("../../../web/public/", import.meta.url));
const HEADING = "## Dashboard";

function pageFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? pageFiles(join(dir, e.name)) : /\.(js|html)$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

/** The web-* keys the page asks for: quoted in its modules, data-l10n* in its HTML. */
const used = new Set(
  pageFiles(PUBLIC).flatMap((file) =>
    [...readFileSync(file, "utf8").matchAll(/["'`](web-[a-z0-9-]+)["'`]/g)].map((m) => m[1] as string),
  ),
);

function section(locale: string) {
  const source = readFileSync(join(LOCALES_DIR, `${locale}.ftl`), "utf8");
  const start = source.indexOf(`\n${HEADING}\n`);
  const text = start === -1 ? "" : source.slice(start + 1);
  // Each message's own lines: its first line and the indented ones after it.
  const messages = new Map<string, string>();
  let current: string | null = null;
  for (const line of text.split("\n")) {
    const head = /^([a-zA-Z][\w-]*)\s*=/.exec(line);
    if (head?.[1]) {
      current = head[1];
      messages.set(current, line);
    } else if (current && /^\s/.test(line)) messages.set(current, `${messages.get(current)}\n${line}`);
    else current = null;
  }
  return { source, text, start, messages };
}

const files = Object.fromEntries(SUPPORTED_LOCALES.map((l) => [l, section(l)]));
const variables = (text: string) => [...new Set([...text.matchAll(/\{\s*\$(\w+)/g)].map((m) => m[1]))].sort();

describe("dashboard words (web-* in locales/*.ftl)", () => {
  test("the page uses web-* keys (the scan finds them)", () => {
    assert.ok(used.size > 100, `found ${used.size} keys in web/public`);
  });

  for (const locale of SUPPORTED_LOCALES) {
    test(`${locale}.ftl: the Dashboard section is last and holds only web-* keys, all of them`, () => {
      const { source, text, start, messages } = files[locale] ?? section(locale);
      assert.notEqual(start, -1, `${locale}.ftl has no "${HEADING}" heading`);
      assert.ok(!/^## /m.test(text.slice(HEADING.length)), "no other section after it");
      assert.deepEqual(
        [...messages.keys()].filter((k) => !k.startsWith("web-")),
        [],
      );
      const outside = [...source.slice(0, start).matchAll(/^(web-[\w-]+)\s*=/gm)].map((m) => m[1]);
      assert.deepEqual(outside, [], "web-* keys before the section");
    });

    test(`${locale}.ftl: every key the page uses is there, and every key there is used`, () => {
      const { messages } = files[locale] ?? section(locale);
      assert.deepEqual([...used].filter((k) => !messages.has(k)).sort(), [], "missing");
      assert.deepEqual([...messages.keys()].filter((k) => !used.has(k)).sort(), [], "unused");
    });
  }

  test("English and Japanese take the same variables in each message", () => {
    const en = files.en?.messages ?? new Map();
    for (const locale of SUPPORTED_LOCALES) {
      const other = files[locale]?.messages ?? new Map();
      for (const [key, text] of en) {
        assert.deepEqual(variables(other.get(key) ?? ""), variables(text), `${locale}: ${key}`);
      }
    }
  });

  test("English plurals choose [one] or *[other]; every message formats without errors", () => {
    for (const [key, text] of files.en?.messages ?? []) {
      if (text.includes("->")) {
        assert.match(text, /\[one\]/, key);
        assert.match(text, /\*\[other\]/, key);
      }
    }
    for (const locale of SUPPORTED_LOCALES) {
      const { text, messages } = files[locale] ?? section(locale);
      const bundle = new FluentBundle(locale, { useIsolating: false });
      assert.deepEqual(bundle.addResource(new FluentResource(text)), []);
      for (const [key, source] of messages) {
        const args = Object.fromEntries(variables(source).map((v) => [v, 2]));
        const errors: Error[] = [];
        const message = bundle.getMessage(key);
        assert.ok(message?.value, `${locale}: ${key} has a value`);
        const out = bundle.formatPattern(message.value, args, errors);
        assert.deepEqual(errors, [], `${locale}: ${key}`);
        assert.ok(out.trim(), `${locale}: ${key} is not empty`);
      }
    }
  });
});
