/**
 * Capture settings the real drivers share (frame size, JPEG quality, frame rate, time
 * limit): defaults and range checks. A bad value is a configuration error: RangeError at
 * creation, before any program runs.
 */

export interface CaptureSettings {
  width: number;
  height: number;
  /** JPEG quality 1..100. */
  quality: number;
  /** Frames per second of clips. */
  framerate: number;
  /** Time limit of a snapshot; a clip gets seconds * 1000 + this. */
  timeoutMs: number;
}

export const CAPTURE_DEFAULTS: CaptureSettings = {
  width: 1280,
  height: 720,
  quality: 85,
  framerate: 25,
  timeoutMs: 10_000,
};

export const MIN_CLIP_SECONDS = 1;
export const MAX_CLIP_SECONDS = 60;

function whole(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be a whole number ${min}..${max}, got ${value}`);
  }
  return value;
}

/** Fills in defaults and checks ranges; throws RangeError naming the bad option. */
export function captureSettings(o: Partial<CaptureSettings>): CaptureSettings {
  const framerate = o.framerate ?? CAPTURE_DEFAULTS.framerate;
  if (!(framerate > 0 && framerate <= 120)) throw new RangeError(`framerate must be > 0 and <= 120, got ${framerate}`);
  const timeoutMs = o.timeoutMs ?? CAPTURE_DEFAULTS.timeoutMs;
  if (!(timeoutMs > 0 && Number.isFinite(timeoutMs))) throw new RangeError(`timeoutMs must be > 0, got ${timeoutMs}`);
  return {
    width: whole("width", o.width ?? CAPTURE_DEFAULTS.width, 16, 8192),
    height: whole("height", o.height ?? CAPTURE_DEFAULTS.height, 16, 8192),
    quality: whole("quality", o.quality ?? CAPTURE_DEFAULTS.quality, 1, 100),
    framerate,
    timeoutMs,
  };
}

/** Whether `seconds` is a clip length the port allows (1..60). */
export function validClipSeconds(seconds: number): boolean {
  return Number.isFinite(seconds) && seconds >= MIN_CLIP_SECONDS && seconds <= MAX_CLIP_SECONDS;
}
