/**
 * Motion from camera frames by frame differencing: pure functions (sharp only decodes),
 * no I/O, no timers. The camera motion sensor (camera-motion.ts) feeds them.
 *
 *   prepareFrame(jpeg)        JPEG -> small grey frame: resized to 320x240 (fill: the aspect
 *                             ratio is not kept, which does not matter for differencing),
 *                             greyscale, a slight Gaussian blur (sigma 1) against sensor noise
 *                             and JPEG blocking, raw 8-bit (one byte per pixel).
 *   compareFrames(a, b)       the share (0..1) of pixels whose grey level changed by more than
 *                             `pixelDelta` (25 of 255). One pass over the pixels, no allocation.
 *   createFrameDiffDetector() frames -> motion events.
 *
 * How the detector tells movement from light (the choice, and why):
 * - Each frame is compared with the previous frame, not with an old reference picture, so a
 *   slow change (daylight fading, a dimmer) is spread over many small steps, each far below
 *   `pixelDelta`.
 * - The global shift is taken out before counting (`ignoreGlobalShift`, on in the detector):
 *   the per-pixel differences go into a histogram, its median is the shift of the picture as
 *   a whole (auto-exposure, lights dimmed or switched), and only pixels that differ from that
 *   median by more than `pixelDelta` count as changed. The median, unlike the mean, is not
 *   dragged by a moving object that covers less than half the picture, so the object's pixels
 *   are counted exactly. The histogram costs nothing extra: the count is read off it.
 * - A movement must change `minFrames` (2) frames in a row. A one-off step (a light switched
 *   on in one corner, a camera glitch) changes one frame, after which the pictures agree again.
 * A running-average background was the other option; it needs a learning rate tuned to the
 * polling interval and still fires on a sudden global step, which the median handles.
 *
 * Events: a run of consecutive changed frames is ONE motion event, emitted on the frame that
 * makes the run `minFrames` long; a new run is a new event only `cooldownMs` after the last
 * event (a run that reaches `minFrames` inside the cooldown fires when the cooldown ends, if it
 * is still going; see cooldown.ts). The detector keeps a reference to the last frame pushed:
 * do not modify a frame after pushing it.
 */
import sharp from "sharp";
import { countOption } from "../options.ts";
import { createRetriggerGuard, MOTION_COOLDOWN_MS } from "./cooldown.ts";

/** A small greyscale picture: `data` holds width * height grey levels (0..255), row by row. */
export interface GreyFrame {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export const FRAME_DIFF_DEFAULTS = {
  width: 320,
  height: 240,
  blurSigma: 1,
  pixelDelta: 25,
  threshold: 0.02,
  minFrames: 2,
  cooldownMs: MOTION_COOLDOWN_MS,
} as const;

export interface PrepareFrameOptions {
  /** Width of the grey frame (default 320). */
  width?: number;
  /** Height of the grey frame (default 240). */
  height?: number;
}

function frameSize(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 4096) {
    throw new RangeError(`${name} must be an integer from 1 to 4096, got ${value}`);
  }
  return value;
}

/**
 * Decodes a camera JPEG into a grey frame of `width` x `height` (default 320x240). Rejects
 * with sharp's error when the bytes are not a decodable image.
 */
export async function prepareFrame(jpeg: Buffer, opts: PrepareFrameOptions = {}): Promise<GreyFrame> {
  const width = frameSize("width", opts.width ?? FRAME_DIFF_DEFAULTS.width);
  const height = frameSize("height", opts.height ?? FRAME_DIFF_DEFAULTS.height);
  const { data, info } = await sharp(jpeg)
    .removeAlpha()
    .resize(width, height, { fit: "fill" })
    .greyscale()
    .blur(FRAME_DIFF_DEFAULTS.blurSigma)
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.width !== width || info.height !== height || info.channels !== 1 || data.length !== width * height) {
    throw new Error(
      `prepareFrame: sharp returned ${info.width}x${info.height}x${info.channels} (${data.length} bytes), ` +
        `expected ${width}x${height}x1`,
    );
  }
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

export interface CompareOptions {
  /** A pixel changed when its grey level moved by more than this (0..255, default 25). */
  pixelDelta?: number;
  /**
   * Take the picture's global shift (the median of the per-pixel differences) out first, so
   * that a uniform brightness change counts as no change (default false: plain differences).
   */
  ignoreGlobalShift?: boolean;
}

/** Scratch histogram of differences (-255..255), reused by every call: compareFrames allocates nothing. */
const histogram = new Uint32Array(511);

function checkPixelDelta(pixelDelta: number): number {
  if (!Number.isFinite(pixelDelta) || pixelDelta < 0 || pixelDelta > 255) {
    throw new RangeError(`pixelDelta must be a number from 0 to 255, got ${pixelDelta}`);
  }
  return pixelDelta;
}

/**
 * The share (0..1) of pixels whose grey level differs between `a` and `b` by more than
 * `pixelDelta` (after taking out the global shift when `ignoreGlobalShift`). Throws a
 * RangeError when the frames differ in size.
 */
export function compareFrames(a: GreyFrame, b: GreyFrame, opts: CompareOptions = {}): number {
  const pixelDelta = checkPixelDelta(opts.pixelDelta ?? FRAME_DIFF_DEFAULTS.pixelDelta);
  const n = a.width * a.height;
  if (a.width !== b.width || a.height !== b.height || a.data.length !== n || b.data.length !== n) {
    throw new RangeError(
      `compareFrames: frames differ in size (${a.width}x${a.height}, ${a.data.length} bytes and ` +
        `${b.width}x${b.height}, ${b.data.length} bytes)`,
    );
  }
  if (n === 0) return 0;
  const pa = a.data;
  const pb = b.data;

  if (!opts.ignoreGlobalShift) {
    let changed = 0;
    for (let i = 0; i < n; i++) {
      const d = (pa[i] as number) - (pb[i] as number);
      if (d > pixelDelta || d < -pixelDelta) changed++;
    }
    return changed / n;
  }

  const h = histogram;
  h.fill(0);
  for (let i = 0; i < n; i++) {
    const k = (pa[i] as number) - (pb[i] as number) + 255;
    h[k] = (h[k] as number) + 1;
  }
  // the (lower) median difference: the shift of the picture as a whole
  let median = 0;
  for (let k = 0, seen = 0; k < 511; k++) {
    seen += h[k] as number;
    if (seen * 2 >= n) {
      median = k;
      break;
    }
  }
  // differences are integers: |d - median| <= pixelDelta  <=>  d in [median - floor(pd), median + floor(pd)]
  const reach = Math.floor(pixelDelta);
  const lo = Math.max(0, median - reach);
  const hi = Math.min(510, median + reach);
  let unchanged = 0;
  for (let k = lo; k <= hi; k++) unchanged += h[k] as number;
  return (n - unchanged) / n;
}

export interface FrameDiffDetectorOptions {
  /** A frame changed when more than this share of its pixels changed (0..1, default 0.02). */
  threshold?: number;
  /** See CompareOptions (default 25). */
  pixelDelta?: number;
  /** Consecutive changed frames that make a movement (default 2). */
  minFrames?: number;
  /** Quiet time after a motion event before the next (default 30 s). */
  cooldownMs?: number;
  /** See CompareOptions (default true here: light changes are not movement). */
  ignoreGlobalShift?: boolean;
}

export interface FrameDiffResult {
  /** True on the frame that makes a run of changed frames a motion event (once per run). */
  motion: boolean;
  /** Share of the picture that changed since the previous frame (0 for the first frame). */
  score: number;
  /** Whether this frame counts as changed (score above the threshold). */
  changed: boolean;
}

export interface FrameDiffDetector {
  /** Compares `frame` (taken at `at`, epoch ms) with the previous one. */
  push(frame: GreyFrame, at: number): FrameDiffResult;
  /**
   * Forgets the previous frame and the current run (the next frame is a new reference), but
   * not the cooldown. For gaps in the stream: a dead camera, a pause.
   */
  reset(): void;
}

export function createFrameDiffDetector(opts: FrameDiffDetectorOptions = {}): FrameDiffDetector {
  const threshold = opts.threshold ?? FRAME_DIFF_DEFAULTS.threshold;
  if (!Number.isFinite(threshold) || threshold < 0 || threshold >= 1) {
    throw new RangeError(`threshold must be a number from 0 to below 1, got ${threshold}`);
  }
  const compare: CompareOptions = {
    pixelDelta: checkPixelDelta(opts.pixelDelta ?? FRAME_DIFF_DEFAULTS.pixelDelta),
    ignoreGlobalShift: opts.ignoreGlobalShift ?? true,
  };
  const minFrames = countOption("minFrames", opts.minFrames ?? FRAME_DIFF_DEFAULTS.minFrames);
  const guard = createRetriggerGuard(opts.cooldownMs ?? FRAME_DIFF_DEFAULTS.cooldownMs);

  let previous: GreyFrame | undefined;
  /** Consecutive changed frames so far. */
  let run = 0;
  /** Whether the current run has already made its event. */
  let reported = false;

  return {
    push(frame, at) {
      const before = previous;
      previous = frame;
      if (!before || before.width !== frame.width || before.height !== frame.height) {
        run = 0;
        reported = false;
        return { motion: false, score: 0, changed: false };
      }
      const score = compareFrames(frame, before, compare);
      const changed = score > threshold;
      if (!changed) {
        run = 0;
        reported = false;
        return { motion: false, score, changed };
      }
      run++;
      const motion = run >= minFrames && !reported && guard.allow(at);
      if (motion) reported = true;
      return { motion, score, changed };
    },
    reset() {
      previous = undefined;
      run = 0;
      reported = false;
    },
  };
}
