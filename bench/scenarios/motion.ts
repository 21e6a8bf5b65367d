/**
 * Frame-difference motion check, as the camera motion sensor runs it every interval.
 *
 * The target: "Frame-difference motion check on 320x240 frames: under 10 ms per
 * frame". Measured two ways, on pictures of a room drawn with sharp (a gradient, furniture,
 * sensor noise, someone walking through), encoded as 1280x720 JPEGs like the camera's:
 * - the check: one frame pushed to the detector (compareFrames with the global shift taken
 *   out, plus the run/cooldown bookkeeping) on frames already decoded to 320x240 grey; this
 *   is the metric with the target;
 * - prepare + check: from the 1280x720 JPEG (sharp decodes with shrink-on-load, resizes,
 *   greys, blurs), the whole per-frame cost on the CPU, for information (`frames` / 10 of
 *   them, at least 20: sharp is the slow part).
 * The capture itself (rpicam-still) is not included.
 */

import sharp from "sharp";
import { mulberry32 } from "../../core/random.ts";
import { createFrameDiffDetector, type GreyFrame, prepareFrame } from "../../hardware/motion/frame-diff.ts";
import { type Metric, summarize } from "../stats.ts";

const WIDTH = 1280;
const HEIGHT = 720;
/** Distinct pictures: a person at as many places across the room. */
const PICTURES = 12;

const random = mulberry32;

/** A room with two racks and a door, someone at `personX`, sensor noise; as a 1280x720 JPEG. */
async function roomJpeg(personX: number, seed: number): Promise<Buffer> {
  const noise = random(seed);
  const data = Buffer.alloc(WIDTH * HEIGHT * 3);
  const rects = [
    { x: 80, y: 120, w: 220, h: 560, rgb: [40, 44, 52] },
    { x: 980, y: 120, w: 220, h: 560, rgb: [40, 44, 52] },
    { x: 560, y: 160, w: 160, h: 420, rgb: [150, 120, 90] },
    { x: personX, y: 260, w: 120, h: 380, rgb: [70, 90, 160] },
  ];
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      let rgb = [120 + Math.round((y / HEIGHT) * 60), 125 + Math.round((x / WIDTH) * 30), 130];
      for (const r of rects) if (x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h) rgb = r.rgb;
      const n = Math.round((noise() * 2 - 1) * 8);
      const i = (y * WIDTH + x) * 3;
      data[i] = Math.max(0, Math.min(255, (rgb[0] ?? 0) + n));
      data[i + 1] = Math.max(0, Math.min(255, (rgb[1] ?? 0) + n));
      data[i + 2] = Math.max(0, Math.min(255, (rgb[2] ?? 0) + n));
    }
  }
  return sharp(data, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } })
    .jpeg({ quality: 85 })
    .toBuffer();
}

export async function frameDiffBench(opts: { frames: number }): Promise<Metric[]> {
  const jpegs: Buffer[] = [];
  for (let i = 0; i < PICTURES; i++) jpegs.push(await roomJpeg(320 + i * 40, i + 1));
  const grey: GreyFrame[] = [];
  for (const jpeg of jpegs) grey.push(await prepareFrame(jpeg));

  // the check on decoded frames; cooldown 0, so every run can fire and the bookkeeping is exercised
  const detector = createFrameDiffDetector({ cooldownMs: 0 });
  const check: number[] = [];
  let events = 0;
  let at = 0;
  // across the room, a pause, back, a pause: runs of changed frames and still stretches
  const forth = grey.map((_, i) => i);
  const sequence = [...forth, ...Array(4).fill(PICTURES - 1), ...forth.toReversed(), ...Array(4).fill(0)] as number[];
  for (let n = 0; n < opts.frames; n++) {
    const frame = grey[sequence[n % sequence.length] as number] as GreyFrame;
    at += 2000;
    const start = performance.now();
    const result = detector.push(frame, at);
    check.push(performance.now() - start);
    if (result.motion) events++;
  }
  if (events === 0) throw new Error("frame-diff bench: the detector never saw the person walk: the scene is wrong");

  // prepare + check from the JPEG
  const full = createFrameDiffDetector({ cooldownMs: 0 });
  const whole: number[] = [];
  const prepared = Math.max(20, Math.floor(opts.frames / 10));
  for (let n = 0; n < prepared; n++) {
    const jpeg = jpegs[n % PICTURES] as Buffer;
    at += 2000;
    const start = performance.now();
    full.push(await prepareFrame(jpeg), at);
    whole.push(performance.now() - start);
  }

  const warm = (samples: number[]) => samples.slice(Math.min(50, Math.floor(samples.length / 10)));
  const c = summarize(warm(check));
  const w = summarize(warm(whole));
  return [
    { scenario: "motion", metric: "frame-diff check 320x240 p50", value: c.p50, unit: "ms" },
    {
      scenario: "motion",
      metric: "frame-diff check 320x240 p99",
      value: c.p99,
      unit: "ms",
      target: { op: "<", value: 10 },
    },
    { scenario: "motion", metric: "prepare (1280x720 JPEG) + check p50", value: w.p50, unit: "ms" },
    { scenario: "motion", metric: "prepare (1280x720 JPEG) + check p99", value: w.p99, unit: "ms" },
    { scenario: "motion", metric: "motion events in the check run", value: events, unit: "events" },
  ];
}
