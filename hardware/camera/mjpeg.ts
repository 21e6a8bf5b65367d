/**
 * Splitting an MJPEG byte stream (rpicam-vid --codec mjpeg -o -, ffmpeg -f mjpeg -) into
 * JPEG frames. The stream is JPEGs back to back, cut into chunks anywhere (inside a marker,
 * inside a length field), possibly with garbage before or between frames (a program that
 * prints to stdout, a frame cut short when the program died).
 *
 * The splitter walks each frame's structure instead of searching for the next FF D9:
 *   SOI (FF D8), then marker segments, each FF xx + a 2-byte length that is skipped whole
 *   (so APP1/EXIF data, which may hold a thumbnail JPEG with its own SOI..EOI, and any
 *   FF D9 bytes inside a segment's payload, do not end the frame); after SOS (FF DA) and its
 *   header, entropy-coded data, where an FF is always followed by 00 (byte stuffing), D0..D7
 *   (restart markers) or FF (fill): anything else is a real marker: EOI (FF D9) ends the
 *   frame, DHT/SOS/... between the scans of a progressive JPEG continue it.
 * Standalone markers (TEM 01, RST D0..D7) have no length. Bytes that are not a marker where
 * one must be make the frame corrupt: it is dropped and the search for SOI starts again
 * just after its SOI (its bytes are looked at again: a frame cut short in the middle of a
 * segment, when the program died, may have swallowed the next frame's start as "payload").
 * A frame longer than `maxFrameBytes` is dropped and not looked at again, so garbage with
 * an SOI in it cannot grow memory without bound.
 *
 * Each byte is looked at a constant number of times; entropy data (most of a frame) is
 * skipped with indexOf(0xFF).
 */

export interface MjpegSplitter {
  /** Feeds a chunk; returns the frames it completed (each a Buffer of its own). */
  push(chunk: Buffer): Buffer[];
  /** Frames dropped so far (corrupt, or longer than maxFrameBytes). */
  readonly dropped: number;
  /** Bytes held for the frame in progress. */
  readonly pending: number;
}

/** Default upper bound of one frame: far above a 1920x1080 JPEG at quality 100 (~1.5 MB). */
export const MJPEG_MAX_FRAME_BYTES = 8 * 1024 * 1024;

/** Longest table segment: a DHT with 4 tables of 256 codes (2 + 4 * (17 + 256) bytes), rounded up. */
const MAX_TABLE_SEGMENT = 1100;

/** Where the splitter is in the byte stream. */
const State = {
  /** Looking for FF of the SOI. */
  SeekFF: 0,
  /** Saw FF outside a frame: D8 starts one. */
  SeekD8: 1,
  /** Inside a frame, between segments: expecting FF. */
  MarkerFF: 2,
  /** Inside a frame, after FF: the marker byte (FF: fill). */
  MarkerCode: 3,
  /** Reading the 2-byte segment length (first byte). */
  Length1: 4,
  /** Second byte. */
  Length2: 5,
  /** Skipping the segment's payload. */
  Skip: 6,
  /** Entropy-coded data: looking for FF. */
  Entropy: 7,
  /** Entropy-coded data after FF. */
  EntropyFF: 8,
} as const;
type State = (typeof State)[keyof typeof State];

export function createMjpegSplitter(opts: { maxFrameBytes?: number } = {}): MjpegSplitter {
  const maxFrameBytes = opts.maxFrameBytes ?? MJPEG_MAX_FRAME_BYTES;
  let state: State = State.SeekFF;
  /** Slices of the chunks that make the frame in progress. */
  let parts: Buffer[] = [];
  let partsBytes = 0;
  let marker = 0;
  let length = 0;
  let skip = 0;
  /** After the segment being skipped: entropy data (SOS) or another marker. */
  let afterSkip: State = State.MarkerFF;
  let dropped = 0;

  function reset(): void {
    parts = [];
    partsBytes = 0;
    state = State.SeekFF;
  }

  const splitter: MjpegSplitter = {
    get dropped() {
      return dropped;
    },
    get pending() {
      return partsBytes;
    },
    push(input: Buffer): Buffer[] {
      const frames: Buffer[] = [];
      // chunks to scan, in stream order: a corrupt frame puts its own bytes back in front
      const queue: Buffer[] = [input];
      for (let chunk = queue.shift(); chunk; chunk = queue.shift()) scan(chunk, frames, queue);
      return frames;
    },
  };

  function scan(chunk: Buffer, frames: Buffer[], queue: Buffer[]): void {
    /** Where the frame in progress starts in this chunk (0 when it began in an earlier one). */
    let start = 0;
    let i = 0;
    const n = chunk.length;
    let rescan = false;
    const corrupt = (at: number) => {
      dropped++;
      // the dropped frame's bytes after its SOI, then the rest of this chunk, are searched again
      const back = Buffer.concat([...parts, chunk.subarray(start, at)]).subarray(2);
      reset();
      queue.unshift(back, chunk.subarray(at));
      rescan = true;
      i = n;
    };
    while (i < n) {
      switch (state) {
        case State.SeekFF: {
          const ff = chunk.indexOf(0xff, i);
          if (ff < 0) {
            i = n;
            break;
          }
          state = State.SeekD8;
          start = ff;
          i = ff + 1;
          break;
        }
        case State.SeekD8: {
          const b = chunk[i] as number;
          if (b === 0xd8) {
            // an SOI: the frame starts at its FF, which may have been the last byte of the previous chunk
            if (i === 0) {
              parts = [Buffer.from([0xff])];
              partsBytes = 1;
              start = 0;
            } else {
              start = i - 1;
            }
            state = State.MarkerFF;
            i++;
          } else if (b === 0xff) {
            start = i;
            i++;
          } else {
            state = State.SeekFF;
            i++;
          }
          break;
        }
        case State.MarkerFF: {
          if (chunk[i] !== 0xff) {
            corrupt(i);
            break;
          }
          state = State.MarkerCode;
          i++;
          break;
        }
        case State.MarkerCode: {
          const b = chunk[i] as number;
          i++;
          if (b === 0xff) break; // fill byte
          if (b === 0xd9) {
            // EOI: the frame is complete
            parts.push(chunk.subarray(start, i));
            const frame = parts.length === 1 ? Buffer.from(parts[0] as Buffer) : Buffer.concat(parts);
            frames.push(frame);
            reset();
            start = i;
            break;
          }
          if (b === 0xd8) {
            // an SOI inside a frame: the one in progress was cut short; a new one starts here
            dropped++;
            if (i >= 2) {
              parts = [];
              partsBytes = 0;
              start = i - 2;
            } else {
              parts = [Buffer.from([0xff])];
              partsBytes = 1;
              start = 0;
            }
            state = State.MarkerFF;
            break;
          }
          if (b === 0x00) {
            // FF 00 where a marker must be: not a JPEG
            corrupt(i);
            break;
          }
          if (b === 0x01 || (b >= 0xd0 && b <= 0xd7)) {
            state = State.MarkerFF;
            break;
          }
          marker = b;
          state = State.Length1;
          break;
        }
        case State.Length1:
          length = (chunk[i] as number) << 8;
          state = State.Length2;
          i++;
          break;
        case State.Length2: {
          length |= chunk[i] as number;
          i++;
          // tables (DQT, DHT, SOFn, SOS, DRI) are never longer than ~1.1 KB: a longer "length" is
          // the next frame's SOI read as a length after a frame cut short
          const table = !(marker >= 0xe0 && marker <= 0xef) && marker !== 0xfe;
          if (length < 2 || (table && length > MAX_TABLE_SEGMENT)) {
            corrupt(i);
            break;
          }
          skip = length - 2;
          afterSkip = marker === 0xda ? State.Entropy : State.MarkerFF;
          state = skip > 0 ? State.Skip : afterSkip;
          break;
        }
        case State.Skip: {
          const take = Math.min(skip, n - i);
          skip -= take;
          i += take;
          if (skip === 0) state = afterSkip;
          break;
        }
        case State.Entropy: {
          const ff = chunk.indexOf(0xff, i);
          if (ff < 0) {
            i = n;
            break;
          }
          state = State.EntropyFF;
          i = ff + 1;
          break;
        }
        case State.EntropyFF: {
          const b = chunk[i] as number;
          if (b === 0x00 || (b >= 0xd0 && b <= 0xd7)) {
            state = State.Entropy;
            i++;
          } else if (b === 0xff) {
            i++; // fill: still after an FF
          } else {
            // a real marker: EOI, or DHT/SOS/... of the next scan (handled as between segments)
            state = State.MarkerCode;
          }
          break;
        }
      }
      if (!rescan && state !== State.SeekFF && state !== State.SeekD8 && partsBytes + (i - start) > maxFrameBytes) {
        dropped++;
        reset();
        start = i;
      }
    }
    // keep the part of the frame in progress that is in this chunk
    if (!rescan && state !== State.SeekFF && state !== State.SeekD8 && start < n) {
      parts.push(chunk.subarray(start, n));
      partsBytes += n - start;
    }
  }

  return splitter;
}
