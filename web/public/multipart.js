// Splits a multipart/x-mixed-replace byte stream (the live camera, GET /api/live.mjpeg) into its
// parts: each part's headers (lower-case names) and body bytes. Pure: no browser objects, so the
// tests run it in Node. Parts with a Content-Length are cut by length; others at the next boundary.

const CRLF2 = new Uint8Array([13, 10, 13, 10]);

/** The boundary of a multipart Content-Type ("multipart/x-mixed-replace; boundary=frame"), or null. */
export function boundaryOf(contentType) {
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(String(contentType ?? ""));
  return match ? (match[1] ?? match[2] ?? null) : null;
}

/** Where `needle` starts in `hay` at or after `from`, or -1. */
export function indexOfBytes(hay, needle, from = 0, end = hay.length) {
  const first = needle[0];
  const last = end - needle.length;
  for (let i = hay.indexOf(first, from); i !== -1 && i <= last; i = hay.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.length && hay[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

function parseHeaders(text) {
  const headers = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/**
 * A splitter for one stream: push(chunk) with each Uint8Array read; onPart({ headers, body }) is
 * called for every complete part, in order. Bytes are kept only until their part is complete.
 * `maxBuffer` guards against a stream that never shows a boundary.
 */
export function createMultipartSplitter(boundary, onPart, { maxBuffer = 16 * 1024 * 1024 } = {}) {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const delimiter = encoder.encode(`--${boundary}`);
  const nextDelimiter = encoder.encode(`\r\n--${boundary}`);
  let store = new Uint8Array(64 * 1024);
  let end = 0; // bytes held in store
  let start = 0; // first unread byte
  let pending = null; // the headers of the part being read, and where its body starts

  /** Adds a chunk; returns how far the held bytes moved towards 0 (offsets shift by it). */
  const append = (chunk) => {
    let shift = 0;
    if (end + chunk.length > store.length) {
      const unread = end - start;
      if (unread + chunk.length <= store.length) store.copyWithin(0, start, end);
      else {
        const bigger = new Uint8Array(Math.max(store.length * 2, unread + chunk.length));
        bigger.set(store.subarray(start, end));
        store = bigger;
      }
      shift = start;
      end = unread;
      start = 0;
    }
    store.set(chunk, end);
    end += chunk.length;
    return shift;
  };

  const step = () => {
    if (!pending) {
      const at = indexOfBytes(store, delimiter, start, end);
      if (at === -1) {
        // Keep only what could still be the start of a delimiter.
        start = Math.max(start, end - delimiter.length);
        return false;
      }
      const headersEnd = indexOfBytes(store, CRLF2, at + delimiter.length, end);
      if (headersEnd === -1) {
        start = at;
        return false;
      }
      const headerText = decoder.decode(store.subarray(at + delimiter.length, headersEnd));
      if (headerText.startsWith("--")) {
        // The closing delimiter: the stream is over.
        start = end;
        return false;
      }
      pending = { headers: parseHeaders(headerText), bodyStart: headersEnd + 4 };
      start = at;
    }
    const length = Number.parseInt(pending.headers["content-length"] ?? "", 10);
    let bodyEnd;
    if (Number.isFinite(length) && length >= 0) {
      bodyEnd = pending.bodyStart + length;
      if (end < bodyEnd) return false;
    } else {
      bodyEnd = indexOfBytes(store, nextDelimiter, pending.bodyStart, end);
      if (bodyEnd === -1) return false;
    }
    const part = { headers: pending.headers, body: store.slice(pending.bodyStart, bodyEnd) };
    start = bodyEnd;
    pending = null;
    onPart(part);
    return true;
  };

  return {
    push(chunk) {
      if (!chunk || chunk.length === 0) return;
      const shift = append(chunk);
      if (pending) pending.bodyStart -= shift;
      while (step()) {
        // next part
      }
      if (!pending && start === end) start = end = 0;
      if (end - start > maxBuffer) throw new Error("multipart: no boundary in the stream");
    },
  };
}
