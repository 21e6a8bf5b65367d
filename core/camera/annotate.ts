/**
 * Snapshot annotation: a caption bar along the bottom of the picture (room, local time,
 * temperature and humidity) drawn as an SVG overlay with sharp, and the same line (in
 * ASCII) in the JPEG's EXIF ImageDescription (so tools and tests can read it without OCR). The result
 * is sized for Telegram's photo limits and encoded at the configured JPEG quality.
 */
import sharp from "sharp";
import { formatLocalDateTime } from "../time.ts";

/** Telegram: photos up to 10 MB, width + height at most 10,000, side ratio at most 20. */
export const TELEGRAM_PHOTO = { maxBytes: 10 * 1024 * 1024, maxSideSum: 10_000, maxRatio: 20 } as const;
/** Telegram shows photos at most 2560 px on the long side; larger ones are only resized by it. */
export const MAX_PHOTO_SIDE = 2560;

export interface AnnotationInput {
  roomId: string;
  /** Epoch ms of the capture. */
  at: number;
  timeZone: string;
  temperatureC?: number;
  humidityPct?: number;
  /** An extra word at the end, e.g. "MOTION" or "BREACH". */
  label?: string;
}

export interface AnnotatedPhoto {
  jpeg: Buffer;
  width: number;
  height: number;
  /** The caption drawn on the picture. */
  text: string;
}

function xml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** "2026-11-23 10:15:03" in the room's time zone. */
export function localTimestamp(at: number, timeZone: string): string {
  return formatLocalDateTime(at, timeZone);
}

/** The caption line: "server-room · 2026-11-23 10:15:03 UTC · 22.4 °C · 45 %". */
export function annotationText(input: AnnotationInput): string {
  const parts = [input.roomId, `${localTimestamp(input.at, input.timeZone)} ${input.timeZone}`];
  if (input.temperatureC !== undefined && Number.isFinite(input.temperatureC))
    parts.push(`${input.temperatureC.toFixed(1)} °C`);
  if (input.humidityPct !== undefined && Number.isFinite(input.humidityPct))
    parts.push(`${input.humidityPct.toFixed(0)} %RH`);
  if (input.label) parts.push(input.label);
  return parts.join(" · ");
}

/** EXIF ASCII has no "°" or "·": "room | 2026-11-23 10:15:03 UTC | 22.4 C | 45 %RH". */
export function exifAscii(text: string): string {
  return text
    .replaceAll(" · ", " | ")
    .replaceAll("°C", "C")
    .replace(/[^\x20-\x7e]/g, "?");
}

/** Fits (width, height) within Telegram's photo limits, keeping the aspect ratio. */
export function fitForTelegram(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, MAX_PHOTO_SIDE / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/**
 * Draws the caption bar onto a camera frame (any format sharp reads) and returns a JPEG.
 * Rejects if the input is not an image.
 */
export async function annotateSnapshot(
  image: Buffer,
  input: AnnotationInput,
  opts: { quality: number },
): Promise<AnnotatedPhoto> {
  const meta = await sharp(image).metadata();
  if (!meta.width || !meta.height) throw new Error("the camera frame is not a readable image");
  const { width, height } = fitForTelegram(meta.width, meta.height);
  const text = annotationText(input);
  const bar = Math.max(18, Math.round(height * 0.055));
  const fontSize = Math.round(bar * 0.62);
  const pad = Math.round(bar * 0.4);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${bar}">
  <rect width="100%" height="100%" fill="#000" fill-opacity="0.62"/>
  <text x="${pad}" y="${Math.round(bar * 0.72)}" font-family="DejaVu Sans, Noto Sans, sans-serif" font-size="${fontSize}" fill="#fff">${xml(text)}</text>
</svg>`;
  // Fitted to 2560 px, even pure noise at quality 100 stays under Telegram's 10 MB (6.9 MB measured).
  let pipeline = sharp(image);
  if (width !== meta.width || height !== meta.height) pipeline = pipeline.resize(width, height, { fit: "fill" });
  const jpeg = await pipeline
    .composite([{ input: Buffer.from(svg), top: height - bar, left: 0 }])
    .withExif({ IFD0: { ImageDescription: exifAscii(text) } })
    .jpeg({ quality: Math.min(100, Math.max(1, Math.round(opts.quality))), mozjpeg: false })
    .toBuffer();
  return { jpeg, width, height, text };
}
