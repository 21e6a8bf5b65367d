/**
 * The event stream's parser and reconnect delays (web/public/sse.js): events split anywhere
 * across chunks, CRLF or LF, multi-line data, the server's ping comments ignored.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";

interface SseEvent {
  event: string;
  data: string;
  id: string;
}
interface SseModule {
  createSseParser(onEvent: (e: SseEvent) => void): { push(text: string): void };
  backoffDelay(attempt: number, random?: () => number): number;
}

const PUBLIC = fileURLToPath(new URL("../../../web/public/", import.meta.url));
const { createSseParser, backoffDelay } = (await import(pathToFileURL(`${PUBLIC}sse.js`).href)) as SseModule;

const parse = (chunks: string[]) => {
  const events: SseEvent[] = [];
  const parser = createSseParser((e) => events.push(e));
  for (const c of chunks) parser.push(c);
  return events;
};

describe("event stream over fetch", () => {
  const text =
    'event: hello\ndata: {}\n\n: ping\n\nevent: incident\ndata: {"id":7,\ndata: "state":"open"}\nid: 3\n\ndata: plain\n\n';
  const expected = [
    { event: "hello", data: "{}", id: "" },
    { event: "incident", data: '{"id":7,\n"state":"open"}', id: "3" },
    { event: "message", data: "plain", id: "3" },
  ];

  test("events, comments and multi-line data", () => {
    assert.deepEqual(parse([text]), expected);
  });

  test("split at every position, and with CRLF line ends", () => {
    for (let i = 1; i < text.length; i++) assert.deepEqual(parse([text.slice(0, i), text.slice(i)]), expected);
    const crlf = text.replaceAll("\n", "\r\n");
    for (let i = 1; i < crlf.length; i++) assert.deepEqual(parse([crlf.slice(0, i), crlf.slice(i)]), expected);
  });

  test("an event is given only when its blank line has come", () => {
    assert.deepEqual(parse(["event: reading\ndata: {}\n"]), []);
  });

  test("reconnect delays double from 1 s to at most 30 s, with some jitter", () => {
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 10].map((n) => backoffDelay(n, () => 0)),
      [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000],
    );
    assert.equal(
      backoffDelay(0, () => 1),
      1200,
    );
  });
});
