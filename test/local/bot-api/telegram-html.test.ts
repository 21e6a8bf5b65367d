import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseTelegramHtml } from "../../../local/bot-api/telegram-html.ts";

describe("Telegram HTML parser", () => {
  test("accepts what Telegram accepts", () => {
    const r = parseTelegramHtml(
      '<b>bold</b> <a href="https://x.y/?a=1&amp;b=2">link</a> <pre><code class="language-ts">x &lt; 1</code></pre> ' +
        '<span class="tg-spoiler">s</span> <blockquote expandable>q</blockquote> &#128293; &#x41;',
    );
    assert.ok(r.ok, r.ok ? "" : r.error);
    assert.equal(r.text, "bold link x < 1 s q 🔥 A");
    assert.deepEqual(
      r.entities.map((e) => e.type),
      ["bold", "text_link", "pre", "spoiler", "expandable_blockquote"],
    );
    assert.deepEqual(r.entities[1], { type: "text_link", offset: 5, length: 4, url: "https://x.y/?a=1&b=2" });
    assert.deepEqual(r.entities[2], { type: "pre", offset: 10, length: 5, language: "ts" });
  });

  test("refuses what Telegram refuses, with byte offsets", () => {
    const cases: Array<[string, RegExp]> = [
      ["°C <x", /Unclosed start tag at byte offset 4/],
      ["<span>x</span>", /Tag "span" must have class "tg-spoiler"/],
      ["</b>", /Unexpected end tag at byte offset 0/],
      ["<a href=x y>z</a>", /Expected equal sign/],
      ["&amp", /Unescaped "&"/],
    ];
    for (const [input, pattern] of cases) {
      const r = parseTelegramHtml(input);
      assert.equal(r.ok, false, input);
      if (!r.ok) assert.match(r.error, pattern, input);
    }
    assert.equal(parseTelegramHtml("R&D", { strictAmpersand: false }).ok, true);
  });
});
