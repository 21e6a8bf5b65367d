/**
 * Names that come from a request (a method in the URL, a file's extension, an HTML character
 * reference) are looked up in Maps, never as keys of a plain object: `__proto__`, `constructor`
 * and the like are unknown names like any other, not Object.prototype's members.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { startLocalBotApi } from "../../../local/bot-api/server.ts";
import { parseTelegramHtml } from "../../../local/bot-api/telegram-html.ts";

const OBJECT_NAMES = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "isPrototypeOf"];

describe("local Bot API server: names from requests are not object keys", () => {
  test("a method named like an Object member is 404 like any unknown method, and nothing is run", async () => {
    const api = await startLocalBotApi();
    try {
      for (const method of OBJECT_NAMES) {
        for (const name of [method, method.toLowerCase()]) {
          const res = await fetch(`${api.apiRoot}/bot${api.token}/${name}`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: "{}",
          });
          assert.equal(res.status, 404, name);
          assert.deepEqual(
            await res.json(),
            { ok: false, error_code: 404, description: "Not Found: method not found" },
            name,
          );
        }
      }
      assert.ok(
        api.calls.every((c) => c.status === 404),
        "every call recorded as refused",
      );
    } finally {
      await api.close();
    }
  });

  test("a field called __proto__ is a field like any other: it does not lend the request its fields", async () => {
    const api = await startLocalBotApi();
    try {
      const post = (body: string | FormData | URLSearchParams, headers: Record<string, string> = {}) =>
        fetch(`${api.apiRoot}/bot${api.token}/sendMessage`, { method: "POST", headers, body });
      // JSON: without the fix the params' prototype became { text: "hi" } and "hi" was sent.
      const json = await post('{"__proto__": {"text": "hi"}, "chat_id": 1001}', { "content-type": "application/json" });
      assert.equal(json.status, 400);
      assert.equal(((await json.json()) as { description: string }).description, "Bad Request: message text is empty");
      // The same field in a query string, a urlencoded body and a multipart body.
      const query = await fetch(`${api.apiRoot}/bot${api.token}/sendMessage?__proto__=x&chat_id=1001`, {
        method: "POST",
      });
      assert.equal(query.status, 400);
      const form = new FormData();
      form.set("chat_id", "1001");
      form.set("__proto__", new Blob([Buffer.from("x")]), "text");
      assert.equal((await post(form)).status, 400);
      assert.equal(
        (
          await post(
            new URLSearchParams([
              ["chat_id", "1001"],
              ["__proto__", "y"],
            ]),
          )
        ).status,
        400,
      );
      assert.equal(api.messages(1001).length, 0, "nothing was sent");
      const recorded = api.calls.at(0)?.params ?? {};
      assert.equal(Object.getPrototypeOf(recorded), Object.prototype);
      assert.deepEqual(Object.getOwnPropertyDescriptor(recorded, "__proto__")?.value, { text: "hi" });
    } finally {
      await api.close();
    }
  });

  test("a file whose extension is an Object member's name keeps the MIME type it was sent with", async () => {
    const api = await startLocalBotApi();
    try {
      for (const ext of OBJECT_NAMES) {
        const form = new FormData();
        form.set("chat_id", "1001");
        form.set("document", new Blob([Buffer.from("hello")], { type: "text/plain" }), `notes.${ext}`);
        const res = await fetch(`${api.apiRoot}/bot${api.token}/sendDocument`, { method: "POST", body: form });
        const body = (await res.json()) as {
          ok: boolean;
          result: { document: { mime_type: string; file_id: string } };
        };
        assert.equal(body.ok, true, ext);
        assert.equal(body.result.document.mime_type, "text/plain", ext);
        assert.equal(api.lastBotMessage(1001)?.media?.mime, "text/plain", ext);

        const file = await fetch(`${api.apiRoot}/bot${api.token}/getFile`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ file_id: body.result.document.file_id }),
        });
        const path = ((await file.json()) as { result: { file_path: string } }).result.file_path;
        const download = await fetch(`${api.apiRoot}/file/bot${api.token}/${path}`);
        assert.equal(download.status, 200, ext);
        assert.equal(download.headers.get("content-type"), "text/plain", ext);
        assert.equal(await download.text(), "hello", ext);
      }
    } finally {
      await api.close();
    }
  });

  test("an HTML character reference named like an Object member is unknown, like &foo;", () => {
    for (const name of OBJECT_NAMES.filter((n) => /^[A-Za-z]+$/.test(n))) {
      for (const text of [`a &${name}; b`, `a &${name} b`]) {
        const unknown = text.replace(name, "foo");
        assert.deepEqual(parseTelegramHtml(text).ok, false, text);
        assert.deepEqual(
          parseTelegramHtml(text, { strictAmpersand: false }),
          { ...parseTelegramHtml(unknown, { strictAmpersand: false }), text },
          text,
        );
      }
    }
  });
});
