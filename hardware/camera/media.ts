/**
 * Checks on the bytes a capture program produced (pure functions, and readMp4Clip): is it really a
 * JPEG / an MP4, and what does it say about itself (frame size, duration). The drivers use
 * them to turn empty or truncated output into CameraError("failed") instead of handing
 * Telegram something it cannot show, and to report the size the camera actually delivered
 * (a webcam may pick another size than the one asked for).
 */
import { readFile } from "node:fs/promises";
import { CameraError, type Clip } from "../../core/camera/camera.ts";

/** A whole JPEG: starts with SOI (FF D8 FF) and ends with EOI (FF D9), allowing trailing padding zeros. */
export function isJpeg(bytes: Buffer): boolean {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8 || bytes[2] !== 0xff) return false;
  let end = bytes.length;
  while (end > 2 && bytes[end - 1] === 0x00) end--;
  return bytes[end - 2] === 0xff && bytes[end - 1] === 0xd9;
}

/** Frame size from a JPEG's SOF marker, or undefined when there is none. */
export function jpegSize(bytes: Buffer): { width: number; height: number } | undefined {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  let i = 2;
  while (i + 4 <= bytes.length) {
    if (bytes[i] !== 0xff) return undefined;
    const marker = bytes[i + 1] as number;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return undefined; // EOI or start of scan before any SOF
    const length = bytes.readUInt16BE(i + 2);
    // SOF0..SOF15, except DHT (C4), JPG (C8) and DAC (CC)
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (i + 9 > bytes.length) return undefined;
      const height = bytes.readUInt16BE(i + 5);
      const width = bytes.readUInt16BE(i + 7);
      return width > 0 && height > 0 ? { width, height } : undefined;
    }
    i += 2 + length;
  }
  return undefined;
}

/** An ISO base media file (MP4): the first box is `ftyp`. */
export function isMp4(bytes: Buffer): boolean {
  if (bytes.length < 12) return false;
  const size = bytes.readUInt32BE(0);
  return bytes.toString("latin1", 4, 8) === "ftyp" && size >= 8 && size <= bytes.length;
}

/** A GIF87a/GIF89a file that ends with the trailer byte (0x3B). */
export function isGif(bytes: Buffer): boolean {
  const head = bytes.toString("latin1", 0, 6);
  return (head === "GIF87a" || head === "GIF89a") && bytes[bytes.length - 1] === 0x3b;
}

export interface Mp4Info {
  /** From the movie header (mvhd). */
  durationSeconds?: number;
  /** From the first video track's header (tkhd) with a non-zero size. */
  width?: number;
  height?: number;
}

interface Box {
  type: string;
  start: number;
  end: number;
  /** Where the box's content begins. */
  body: number;
}

function* boxes(bytes: Buffer, from: number, to: number): Generator<Box> {
  let i = from;
  while (i + 8 <= to) {
    let size = bytes.readUInt32BE(i);
    const type = bytes.toString("latin1", i + 4, i + 8);
    let body = i + 8;
    if (size === 1) {
      if (i + 16 > to) return;
      size = Number(bytes.readBigUInt64BE(i + 8));
      body = i + 16;
    } else if (size === 0) {
      size = to - i;
    }
    if (size < body - i || i + size > to) return;
    yield { type, start: i, end: i + size, body };
    i += size;
  }
}

/**
 * Duration and frame size of an MP4, read from its moov box (wherever it is: rpicam-vid
 * writes it at the end, ffmpeg with +faststart at the front). Fields it cannot find are
 * left out; never throws.
 */
export function mp4Info(bytes: Buffer): Mp4Info {
  const info: Mp4Info = {};
  try {
    for (const top of boxes(bytes, 0, bytes.length)) {
      if (top.type !== "moov") continue;
      for (const box of boxes(bytes, top.body, top.end)) {
        if (box.type === "mvhd") {
          const version = bytes[box.body];
          const at = box.body + 4 + (version === 1 ? 16 : 8);
          const timescale = bytes.readUInt32BE(at);
          const duration = version === 1 ? Number(bytes.readBigUInt64BE(at + 4)) : bytes.readUInt32BE(at + 4);
          if (timescale > 0) info.durationSeconds = duration / timescale;
        } else if (box.type === "trak" && info.width === undefined) {
          for (const inner of boxes(bytes, box.body, box.end)) {
            if (inner.type !== "tkhd") continue;
            // width and height are the last 8 bytes, as 16.16 fixed point
            const width = bytes.readUInt32BE(inner.end - 8) / 65536;
            const height = bytes.readUInt32BE(inner.end - 4) / 65536;
            if (width > 0 && height > 0) {
              info.width = Math.round(width);
              info.height = Math.round(height);
            }
          }
        }
      }
    }
  } catch {
    // a truncated box: report what was found
  }
  return info;
}

/**
 * The Clip for an MP4 file a capture program wrote; rejects with CameraError("failed",
 * `${what} (N bytes)`) if it is not an MP4. Size and length come from the file when it
 * says, else from what was asked.
 */
export async function readMp4Clip(
  file: string,
  what: string,
  asked: { width: number; height: number; seconds: number; at: number },
): Promise<Clip> {
  const bytes = await readFile(file).catch(() => Buffer.alloc(0));
  if (!isMp4(bytes)) throw new CameraError("failed", `${what} (${bytes.length} bytes)`);
  const info = mp4Info(bytes);
  return {
    bytes,
    format: "mp4",
    mime: "video/mp4",
    width: info.width ?? asked.width,
    height: info.height ?? asked.height,
    seconds: info.durationSeconds !== undefined ? Math.round(info.durationSeconds * 100) / 100 : asked.seconds,
    at: asked.at,
  };
}
