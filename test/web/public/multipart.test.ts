/**
 * The live view's multipart splitter (web/public/multipart.js): parts come out whole however the
 * stream is cut into chunks, with or without Content-Length, and the boundary is read from the
 * Content-Type.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";

interface Part {
  headers: Record<string, string>;
  body: Uint8Array;
}
interface MultipartModule {
  boundaryOf(contentType: string | null): string | null;
  indexOfBytes(hay: Uint8Array, needle: Uint8Array, from?: number, end?: number): number;
  createMultipartSplitter(
    boundary: string,
    onPart: (part: Part) => void,
    options?: { maxBuffer?: number },
  ): { push(chunk: Uint8Array): void };
}

const PUBLIC = fileURLToPath(new URL("../../../web/public/", import.meta.url));
const { boundaryOf, indexOfBytes, createMultipartSplitter } = (await import(
  pathToFileURL(`${PUBLIC}multipart.js`).href
)) as MultipartModule;

const bytes = (text: string) => new TextEncoder().encode(text);
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
/** A fake JPEG: bytes that include CR LF and the boundary text itself (a length-cut part may). */
const jpeg = (n: number, size: number) => {
  const body = new Uint8Array(size);
  for (let i = 0; i < size; i++) body[i] = (i * 31 + n) % 256;
  body.set(bytes("\r\n--frame"), Math.floor(size / 2));
  return body;
};
const part = (body: Uint8Array, at: number, withLength = true) =>
  concat(
    bytes(
      `--frame\r\nContent-Type: image/jpeg\r\n${withLength ? `Content-Length: ${body.length}\r\n` : ""}X-Captured-At: ${at}\r\n\r\n`,
    ),
    body,
    bytes("\r\n"),
  );

function split(stream: Uint8Array, chunkSizes: (i: number) => number): Part[] {
  const parts: Part[] = [];
  const splitter = createMultipartSplitter("frame", (p) => parts.push(p));
  let at = 0;
  for (let i = 0; at < stream.length; i++) {
    const size = Math.max(1, chunkSizes(i));
    splitter.push(stream.subarray(at, at + size));
    at += size;
  }
  return parts;
}

describe("multipart splitter (live camera)", () => {
  test("the boundary comes from the Content-Type, quoted or not", () => {
    assert.equal(boundaryOf("multipart/x-mixed-replace; boundary=frame"), "frame");
    assert.equal(boundaryOf('multipart/x-mixed-replace;boundary="my frame"'), "my frame");
    assert.equal(boundaryOf("image/jpeg"), null);
    assert.equal(boundaryOf(null), null);
  });

  test("indexOfBytes finds a needle within the given end only", () => {
    const hay = bytes("abc--frame--frame");
    assert.equal(indexOfBytes(hay, bytes("--frame")), 3);
    assert.equal(indexOfBytes(hay, bytes("--frame"), 4), 10);
    assert.equal(indexOfBytes(hay, bytes("--frame"), 4, 16), -1);
  });

  const bodies = [jpeg(1, 5000), jpeg(2, 120_000), jpeg(3, 17)];
  const stream = concat(bytes("preamble\r\n"), ...bodies.map((b, i) => part(b, 1000 + i)));

  for (const [name, sizes] of [
    ["one chunk", () => stream.length],
    ["byte by byte", () => 1],
    ["odd chunks", (i: number) => [7, 4096, 13, 65_536, 3][i % 5] ?? 1],
  ] as const) {
    test(`parts with Content-Length come out whole (${name})`, () => {
      const parts = split(stream, sizes);
      assert.equal(parts.length, 3);
      parts.forEach((p, i) => {
        assert.deepEqual(p.body, bodies[i]);
        assert.equal(p.headers["content-type"], "image/jpeg");
        assert.equal(p.headers["x-captured-at"], String(1000 + i));
      });
    });
  }

  test("without Content-Length a part ends at the next boundary; the closing one ends the stream", () => {
    const plain = [bytes("first body"), bytes("second\r\nbody")];
    const s = concat(...plain.map((b, i) => part(b, i, false)), bytes("--frame--\r\n"));
    const parts = split(s, (i) => (i % 2 ? 3 : 5));
    assert.deepEqual(
      parts.map((p) => new TextDecoder().decode(p.body)),
      ["first body", "second\r\nbody"],
    );
  });

  test("a part is given as soon as its last byte is there (a live stream does not wait for the next)", () => {
    const parts: Part[] = [];
    const splitter = createMultipartSplitter("frame", (p) => parts.push(p));
    const body = jpeg(9, 300);
    splitter.push(part(body, 5).subarray(0, -2)); // without the trailing CRLF
    assert.equal(parts.length, 1);
    assert.deepEqual(parts[0]?.body, body);
  });

  test("a stream without a boundary is refused past maxBuffer", () => {
    const splitter = createMultipartSplitter("frame", () => {}, { maxBuffer: 1000 });
    splitter.push(bytes("--frame\r\nContent-Length: 999999\r\n\r\n"));
    assert.throws(() => splitter.push(new Uint8Array(2000)), /no boundary/);
  });
});
