import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { mulberry32 } from "../../../core/random.ts";
import {
  BUTTON_LABEL_MAX,
  fitHtml,
  fitLabel,
  fitPlain,
  htmlToText,
  TELEGRAM_TEXT_LIMIT,
  utf8Length,
  visibleLength,
} from "../../../core/text/fit.ts";
import { parseTelegramHtml } from "../../../local/bot-api/telegram-html.ts";

const more = (n: number) => `… and ${n} more`;
const FAMILY = "👨\u200d👩\u200d👧\u200d👦"; // one grapheme, 11 UTF-16 units

function graphemeBoundaries(text: string): Set<number> {
  const seg = new Intl.Segmenter(undefined, { granularity: "grapheme" });
  const set = new Set<number>([text.length]);
  for (const { index } of seg.segment(text)) set.add(index);
  return set;
}

describe("fitHtml", () => {
  test("a text that fits comes back unchanged, measured after entity parsing", () => {
    const html = `<b>${"&amp;".repeat(TELEGRAM_TEXT_LIMIT)}</b>`; // 4096 visible characters, 20k of source
    assert.equal(visibleLength(html), TELEGRAM_TEXT_LIMIT);
    assert.deepEqual(fitHtml(html, TELEGRAM_TEXT_LIMIT, more), { text: html, cut: false, dropped: 0 });
  });

  test("characters are counted in UTF-16 units: 2,049 emoji do not fit in 4,096", () => {
    const r = fitHtml("😀".repeat(2049), TELEGRAM_TEXT_LIMIT, more);
    assert.equal(r.cut, true);
    assert.ok(htmlToText(r.text).length <= TELEGRAM_TEXT_LIMIT);
    assert.ok(r.text.endsWith("…"));
    assert.equal(r.text.slice(0, -1), "😀".repeat(2047), "no half emoji: 2,047 whole ones and the ellipsis");
  });

  test("whole lines are kept, the rest announced as '… and N more' (blank lines not counted)", () => {
    const lines = ["<b>Title</b>", "", ...Array.from({ length: 10 }, (_, i) => `line ${i} ${"x".repeat(20)}`)];
    const r = fitHtml(lines.join("\n"), 100, more);
    assert.equal(r.cut, true);
    const text = htmlToText(r.text);
    assert.ok(text.length <= 100, text);
    const kept = text.split("\n");
    assert.equal(kept.at(-1), `… and ${r.dropped} more`);
    assert.equal(kept.length - 1 + r.dropped, lines.length, "lines kept + lines dropped = every line");
    assert.deepEqual(kept.slice(0, -1), lines.slice(0, kept.length - 1).map(htmlToText));
    assert.equal(r.dropped, 8);
  });

  test("a first line that alone is too long is cut inside, on a grapheme boundary, with '…'", () => {
    const r = fitHtml(`<b>${FAMILY.repeat(10)}</b>\nsecond`, 50, more);
    assert.equal(r.text, `<b>${FAMILY.repeat(4)}</b>…`);
    assert.equal(r.dropped, 0);
  });

  test("a cut never falls inside an entity and closes every open tag, innermost first", () => {
    const html = `<pre><code class="language-ts">${"a &lt; b &amp;&amp; c\n".repeat(50)}</code></pre>`;
    const r = fitHtml(html, 60, more);
    assert.ok(parseTelegramHtml(r.text).ok, r.text);
    assert.match(
      r.text,
      /^<pre><code class="language-ts">(a &lt; b &amp;&amp; c\n)*a &lt; b &amp;&amp; c<\/code><\/pre>\n… and \d+ more$/,
    );
    const single = fitHtml(`<i>${"&#128512;&amp;".repeat(40)}</i>`, 10, more);
    assert.equal(single.text, "<i>&#128512;&amp;&#128512;&amp;&#128512;&amp;</i>…");
  });

  test("'>' inside a quoted attribute is not the end of the tag; empty elements at the cut are dropped", () => {
    const html = `<a href="https://example.com/?q=a>b">${"link ".repeat(30)}</a><b><i>${"y".repeat(200)}</i></b>`;
    const r = fitHtml(html, 40, more);
    assert.equal(r.text, `<a href="https://example.com/?q=a>b">${"link ".repeat(30).slice(0, 39)}</a>…`);
    const edge = fitHtml(`${"z".repeat(39)}<b><i>${"y".repeat(10)}</i></b>`, 40, more);
    assert.equal(edge.text, `${"z".repeat(39)}…`, "no <b><i></i></b> left behind");
  });

  test("the closing line is HTML and counts with its visible length", () => {
    const lines = Array.from({ length: 30 }, (_, i) => `row ${i}`);
    const r = fitHtml(lines.join("\n"), 60, (n) => `<i>… and ${n} more</i>`);
    assert.ok(parseTelegramHtml(r.text).ok);
    assert.ok(visibleLength(r.text) <= 60);
    assert.match(r.text, /\n<i>… and \d+ more<\/i>$/);
  });

  test("\\r\\n stays together", () => {
    const r = fitHtml(`${"abc\r\n".repeat(40)}`, 30, more);
    assert.ok(!htmlToText(r.text).includes("\r\n…"));
    assert.ok(!/\r(?!\n)/.test(r.text), "no lone \\r");
  });

  test("a tiny limit still gives a valid result within it", () => {
    for (const limit of [0, 1, 2, 3]) {
      const r = fitHtml(`<b>${"long line\n".repeat(5)}</b>`, limit, more);
      assert.ok(visibleLength(r.text) <= limit, `${limit}: ${r.text}`);
      assert.ok(parseTelegramHtml(r.text).ok, r.text);
    }
  });
});

describe("fitPlain, fitLabel, utf8Length, htmlToText", () => {
  test("plain text is not read as HTML", () => {
    const text = `${"<b>&amp;</b>\n".repeat(20)}`;
    const r = fitPlain(text, 40, more);
    assert.equal(r.text, "<b>&amp;</b>\n<b>&amp;</b>\n… and 18 more");
  });

  test(`labels: at most ${BUTTON_LABEL_MAX} characters, whole graphemes, '…'`, () => {
    assert.equal(fitLabel("Acknowledge"), "Acknowledge");
    const long = fitLabel(`🔗 ${FAMILY.repeat(10)}`);
    assert.ok(long.length <= BUTTON_LABEL_MAX);
    assert.equal(long, `🔗 ${FAMILY.repeat(5)}…`);
    assert.equal(fitLabel("日本語のラベル".repeat(20), 10), "日本語のラベル日本…");
  });

  test("callback data is measured in bytes", () => {
    assert.equal(utf8Length("acc:c:04A1B2C3:0"), 16);
    assert.equal(utf8Length("日本"), 6);
    assert.equal(utf8Length("😀"), 4);
  });

  test("htmlToText decodes what Telegram decodes and drops the tags", () => {
    assert.equal(
      htmlToText('<a href="x">R&amp;D</a> &lt;3 &#128512; &#x1F600; &quot;q&quot; &copy;'),
      'R&D <3 😀 😀 "q" &copy;',
    );
  });
});

// ---------------------------------------------------------------------------------------
// Randomized: documents of nested tags, entities, emoji sequences, CJK and newlines.

const WORDS = [
  "server",
  "rack-3",
  "日本語のテキスト",
  "温度",
  FAMILY,
  "🇯🇵",
  "👍🏽",
  "e\u0301",
  "😀",
  "&amp;",
  "&lt;",
  "&gt;",
  "&quot;",
  "&#128512;",
  "&#x1F600;",
  "&#10;",
  " ",
  "  ",
  "\n",
  "\n",
  "\n\n",
  "x".repeat(30),
];
const TAGS: Array<[string, string]> = [
  ["<b>", "</b>"],
  ["<strong>", "</strong>"],
  ["<i>", "</i>"],
  ["<em>", "</em>"],
  ["<u>", "</u>"],
  ["<ins>", "</ins>"],
  ["<s>", "</s>"],
  ["<strike>", "</strike>"],
  ["<del>", "</del>"],
  ['<span class="tg-spoiler">', "</span>"],
  ["<tg-spoiler>", "</tg-spoiler>"],
  ['<a href="https://example.com/?a=1&amp;b=2>3">', "</a>"],
  ["<code>", "</code>"],
  ["<pre>", "</pre>"],
  ['<pre><code class="language-ts">', "</code></pre>"],
  ["<blockquote>", "</blockquote>"],
  ["<blockquote expandable>", "</blockquote>"],
];

function randomDoc(rnd: () => number, depth = 0): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  let out = "";
  const parts = 1 + Math.floor(rnd() * (depth === 0 ? 40 : 6));
  for (let i = 0; i < parts; i++) {
    const r = rnd();
    if (r < 0.2 && depth < 3) {
      const [open, close] = pick(TAGS);
      out += `${open}${randomDoc(rnd, depth + 1)}${close}`;
    } else if (r < 0.25) {
      out += `<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>`;
    } else out += pick(WORDS);
  }
  return out;
}

describe("fitHtml on random documents", () => {
  test("always within the limit, valid Telegram HTML, a prefix of the visible text, unchanged when it fits", () => {
    const rnd = mulberry32(20261123);
    const moreHtml = (n: number) => `<i>… and ${n} more</i>`;
    for (let run = 0; run < 3000; run++) {
      const doc = randomDoc(rnd);
      const parsed = parseTelegramHtml(doc);
      assert.ok(parsed.ok, `generated an invalid document: ${doc}`);
      const visible = htmlToText(doc);
      const limit = rnd() < 0.2 ? visible.length + Math.floor(rnd() * 5) : Math.floor(rnd() * (visible.length + 1));
      const r = fitHtml(doc, limit, moreHtml);
      const context = `run ${run}, limit ${limit}\n${JSON.stringify(doc)}\n-> ${JSON.stringify(r.text)}`;

      if (visible.length <= limit) {
        assert.deepEqual(r, { text: doc, cut: false, dropped: 0 }, context);
        continue;
      }
      assert.equal(r.cut, true, context);
      const out = parseTelegramHtml(r.text);
      assert.ok(out.ok, `${context}\n${out.ok ? "" : out.error}`);
      const shown = htmlToText(r.text);
      assert.ok(shown.length <= limit, `${context}\n${shown.length} > ${limit}`);
      assert.ok(out.text.length <= limit, context);

      const suffix = r.dropped > 0 ? `\n… and ${r.dropped} more` : shown.endsWith("…") ? "…" : "";
      assert.ok(shown.endsWith(suffix), context);
      const kept = shown.slice(0, shown.length - suffix.length);
      assert.ok(visible.startsWith(kept), `${context}\nnot a prefix: ${JSON.stringify(kept)}`);
      assert.ok(graphemeBoundaries(visible).has(kept.length), `${context}\ncut inside a grapheme at ${kept.length}`);
      if (r.dropped > 0) {
        const left = visible.slice(kept.length + 1).split("\n");
        assert.equal(left.filter((l) => l.trim() !== "").length, r.dropped, context);
      }
      assert.deepEqual(fitHtml(r.text, limit, moreHtml).text, r.text, `${context}\nnot stable`);
    }
  });
});
