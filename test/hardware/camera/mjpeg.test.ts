/**
 * The MJPEG splitter: JPEGs out of a byte stream cut anywhere, with garbage around them,
 * nested thumbnails and FF D9 bytes where they are not an EOI.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import sharp from "sharp";
import { createMjpegSplitter } from "../../../hardware/camera/mjpeg.ts";

let a: Buffer;
let b: Buffer;
let progressive: Buffer;

async function jpeg(r: number, g: number, opts: { progressive?: boolean; width?: number } = {}): Promise<Buffer> {
  const width = opts.width ?? 48;
  return sharp({ create: { width, height: 32, channels: 3, background: { r, g, b: 90 } } })
    .composite([
      {
        input: Buffer.from(
          `<svg width="${width}" height="32"><circle cx="16" cy="16" r="10" fill="rgb(${g},${r},20)"/></svg>`,
        ),
      },
    ])
    .jpeg({ quality: 70, progressive: opts.progressive ?? false })
    .toBuffer();
}

/** A segment FF <marker> with a 2-byte length and `payload`. */
function segment(marker: number, payload: Buffer): Buffer {
  const head = Buffer.from([0xff, marker, 0, 0]);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([head, payload]);
}

/** `outer` with `extra` segments right after its SOI. */
function withSegments(outer: Buffer, ...extra: Buffer[]): Buffer {
  return Buffer.concat([outer.subarray(0, 2), ...extra, outer.subarray(2)]);
}

function feed(chunks: Buffer[]): { frames: Buffer[]; dropped: number } {
  const s = createMjpegSplitter();
  const frames = chunks.flatMap((c) => s.push(c));
  return { frames, dropped: s.dropped };
}

before(async () => {
  a = await jpeg(200, 30);
  b = await jpeg(20, 180);
  progressive = await jpeg(120, 120, { progressive: true, width: 64 });
  assert.ok(!a.equals(b));
});

describe("createMjpegSplitter", () => {
  test("frames back to back in one chunk come out whole, each its own Buffer", () => {
    const { frames, dropped } = feed([Buffer.concat([a, b, a])]);
    assert.equal(frames.length, 3);
    assert.ok(frames[0]?.equals(a));
    assert.ok(frames[1]?.equals(b));
    assert.ok(frames[2]?.equals(a));
    assert.equal(dropped, 0);
  });

  test("a stream cut at every possible place (inside markers and length fields too) gives the same frames", () => {
    const stream = Buffer.concat([a, b]);
    for (let cut = 1; cut < stream.length; cut++) {
      const { frames } = feed([stream.subarray(0, cut), stream.subarray(cut)]);
      assert.equal(frames.length, 2, `cut at ${cut}`);
      assert.ok(frames[0]?.equals(a), `first frame, cut at ${cut}`);
      assert.ok(frames[1]?.equals(b), `second frame, cut at ${cut}`);
    }
  });

  test("one byte at a time, and chunks of odd sizes", () => {
    const stream = Buffer.concat([a, b, progressive]);
    const bytes = feed([...stream].map((x) => Buffer.from([x])));
    assert.equal(bytes.frames.length, 3);
    assert.ok(bytes.frames[2]?.equals(progressive));
    for (const size of [2, 3, 7, 13, 64, 999]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < stream.length; i += size) chunks.push(stream.subarray(i, i + size));
      const { frames } = feed(chunks);
      assert.deepEqual(
        frames.map((f) => f.length),
        [a.length, b.length, progressive.length],
        `chunks of ${size}`,
      );
    }
  });

  test("garbage before the first SOI and between frames is skipped (even FF, FF D9 and FF D8 FF D9 look-alikes)", () => {
    const garbage = Buffer.from([0x00, 0xff, 0xff, 0x12, 0xff, 0xd9, 0x41, 0x42, 0xff]);
    const { frames } = feed([
      Buffer.from("[0:00:00.1] INFO log line on stdout\n"),
      garbage,
      a,
      garbage,
      Buffer.from("more text"),
      b,
      garbage,
    ]);
    assert.equal(frames.length, 2);
    assert.ok(frames[0]?.equals(a));
    assert.ok(frames[1]?.equals(b));
  });

  test("a frame cut short anywhere (the program died mid-frame): the stream recovers by the next frame", () => {
    for (let cut = 2; cut < a.length; cut++) {
      const s = createMjpegSplitter();
      const frames = [...s.push(a.subarray(0, cut)), ...s.push(b), ...s.push(b), ...s.push(b)];
      const whole = frames.filter((f) => f.equals(b)).length;
      // a cut inside a table segment may merge the cut frame's head with the next frame
      // (one frame, b's own tables after it: it decodes); never more than one b is lost
      assert.ok(whole >= 2, `cut at ${cut}: ${whole} whole frames of ${frames.length}`);
      assert.ok(frames.at(-1)?.equals(b), `cut at ${cut}: the last frame is whole`);
      assert.ok(frames.length <= 3, `cut at ${cut}: no frame made of pieces`);
    }
    // cut inside the entropy data (the usual case: most of a frame is entropy data): dropped, nothing lost
    const s = createMjpegSplitter();
    const frames = [...s.push(a.subarray(0, a.length - 20)), ...s.push(b)];
    assert.equal(frames.length, 1);
    assert.ok(frames[0]?.equals(b));
    assert.equal(s.dropped, 1);
  });

  test("an SOI straight after garbage that was not a JPEG start: FF D8 then a non-marker resets the search", () => {
    const junk = Buffer.from([0xff, 0xd8, 0x00, 0x01, 0x02]);
    const { frames, dropped } = feed([junk, a]);
    assert.equal(frames.length, 1);
    assert.ok(frames[0]?.equals(a));
    assert.equal(dropped, 1);
  });

  test("an EXIF thumbnail (a whole JPEG with its own SOI..EOI inside APP1) does not end the frame", () => {
    const exif = segment(0xe1, Buffer.concat([Buffer.from("Exif\0\0", "latin1"), b]));
    const outer = withSegments(a, exif);
    const { frames } = feed([outer, a]);
    assert.equal(frames.length, 2);
    assert.ok(frames[0]?.equals(outer), "the outer JPEG with its thumbnail, whole");
    assert.ok(frames[1]?.equals(a));
  });

  test("FF D9 inside a segment's payload (a comment) is data, not EOI", () => {
    const com = segment(0xfe, Buffer.from([0x41, 0xff, 0xd9, 0xff, 0xd8, 0x42]));
    const outer = withSegments(b, com);
    const { frames } = feed([outer]);
    assert.equal(frames.length, 1);
    assert.ok(frames[0]?.equals(outer));
  });

  test("a progressive JPEG (several scans, tables between them) is one frame", () => {
    const { frames } = feed([progressive, a]);
    assert.equal(frames.length, 2);
    assert.ok(frames[0]?.equals(progressive));
  });

  test("restart markers and stuffed bytes in entropy data do not end the frame", () => {
    // SOI, a fake SOS with a 2-byte header, entropy data with FF 00, FF D3 (RST3), FF FF D0 (fill), then EOI
    const frame = Buffer.from([
      0xff, 0xd8, 0xff, 0xda, 0x00, 0x04, 0x01, 0x02, 0x11, 0xff, 0x00, 0x22, 0xff, 0xd3, 0x33, 0xff, 0xff, 0xd0, 0x44,
      0xff, 0xd9,
    ]);
    const { frames } = feed([frame, frame.subarray(0, 12), frame.subarray(12)]);
    assert.equal(frames.length, 2);
    assert.ok(frames[0]?.equals(frame));
    assert.ok(frames[1]?.equals(frame));
  });

  test("an SOI followed by endless data is dropped at maxFrameBytes: memory stays bounded", () => {
    const s = createMjpegSplitter({ maxFrameBytes: 10_000 });
    const sos = Buffer.from([0xff, 0xd8, 0xff, 0xda, 0x00, 0x02]);
    assert.deepEqual(s.push(sos), []);
    const noise = Buffer.alloc(1000, 0x55);
    for (let i = 0; i < 50; i++) {
      assert.deepEqual(s.push(noise), []);
      assert.ok(s.pending <= 10_000, `pending ${s.pending}`);
    }
    assert.equal(s.dropped, 1);
    const frames = s.push(a);
    assert.equal(frames.length, 1);
    assert.ok(frames[0]?.equals(a));
  });
});
