/**
 * The locale files themselves: English and Japanese say the same things (the same
 * messages, with the same attributes), every entry parses, and the words follow the house
 * rules: plural forms through Fluent selectors, never "(s)"; no setting names (BACKUP_AT,
 * STAFF_IDS...) in what people read; commands as plain /commands (tappable), not in <code>.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { FluentResource } from "@fluent/bundle";
import { LOCALES_DIR, SUPPORTED_LOCALES } from "../../bot/i18n.ts";

interface Entry {
  id: string;
  attributes: string[];
  /** The entry's lines, comments left out. */
  text: string;
}

function read(locale: string): { source: string; entries: Entry[] } {
  const source = readFileSync(join(LOCALES_DIR, `${locale}.ftl`), "utf8");
  const entries: Entry[] = [];
  for (const line of source.split("\n")) {
    const head = /^(-?[a-zA-Z][\w-]*)\s*=/.exec(line);
    if (head?.[1]) {
      entries.push({ id: head[1], attributes: [], text: line });
      continue;
    }
    const current = entries.at(-1);
    if (!current || line.startsWith("#") || !/^\s/.test(line)) continue;
    const attribute = /^\s+\.([a-zA-Z][\w-]*)\s*=/.exec(line);
    if (attribute?.[1]) current.attributes.push(attribute[1]);
    current.text += `\n${line}`;
  }
  return { source, entries };
}

const files = Object.fromEntries(SUPPORTED_LOCALES.map((l) => [l, read(l)]));
const shape = (entries: Entry[]) => entries.map((e) => `${e.id}${e.attributes.map((a) => ` .${a}`).join("")}`).sort();

describe("locale files", () => {
  test("English and Japanese have the same messages, with the same attributes", () => {
    const en = shape(files.en?.entries ?? []);
    assert.ok(en.length > 100, `read ${en.length} messages from en.ftl`);
    for (const locale of SUPPORTED_LOCALES) {
      assert.deepEqual(shape(files[locale]?.entries ?? []), en, `${locale}.ftl against en.ftl`);
    }
  });

  test("every entry parses (Fluent drops an entry it cannot parse, and the bot would show its key)", () => {
    for (const locale of SUPPORTED_LOCALES) {
      const { source, entries } = files[locale] ?? { source: "", entries: [] };
      const parsed = new FluentResource(source).body.map(
        (m) =>
          `${m.id}${Object.keys(m.attributes)
            .map((a) => ` .${a}`)
            .join("")}`,
      );
      assert.deepEqual(parsed.sort(), shape(entries), `${locale}.ftl`);
    }
  });

  test('no "(s)": plurals are chosen by a selector on a number', () => {
    for (const locale of SUPPORTED_LOCALES) {
      const hits = (files[locale]?.source ?? "").split("\n").filter((l) => l.includes("(s)"));
      assert.deepEqual(hits, [], `${locale}.ftl`);
    }
  });

  test("no setting names in what people read", () => {
    for (const locale of SUPPORTED_LOCALES) {
      const hits = (files[locale]?.entries ?? []).filter((e) => /\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b/.test(e.text));
      assert.deepEqual(
        hits.map((e) => e.id),
        [],
        `${locale}.ftl`,
      );
    }
  });

  test("commands are plain /commands, which Telegram makes tappable, never inside <code>", () => {
    for (const locale of SUPPORTED_LOCALES) {
      const hits = (files[locale]?.entries ?? []).filter((e) => /<code>\s*\/[a-z]/.test(e.text));
      assert.deepEqual(
        hits.map((e) => e.id),
        [],
        `${locale}.ftl`,
      );
    }
  });
});
