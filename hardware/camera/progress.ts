/**
 * Clip progress for ClipOptions.onProgress: 0 at the start, shares of the recording while
 * it runs, 1 when recording ends (before encoding or reading the file back). A listener that
 * throws is ignored: progress messages never break a capture.
 */
import type { ClipOptions } from "../../core/camera/camera.ts";

function safe(onProgress: NonNullable<ClipOptions["onProgress"]>): (fraction: number) => void {
  return (fraction) => {
    try {
      onProgress(fraction);
    } catch {
      // a failing listener does not break the capture
    }
  };
}

/**
 * For a program that records for `durationMs` on its own: calls onProgress(0) now, then
 * every second the share of `durationMs` elapsed (at most 0.99 while it runs). The returned
 * function stops the timer and reports 1.
 */
export function reportWhileRecording(onProgress: ClipOptions["onProgress"], durationMs: number): () => void {
  if (!onProgress) return () => {};
  const call = safe(onProgress);
  const started = Date.now();
  call(0);
  const timer = setInterval(() => call(Math.min(0.99, (Date.now() - started) / durationMs)), 1000);
  timer.unref();
  return () => {
    clearInterval(timer);
    call(1);
  };
}

/**
 * For frames made one by one: a reporter that passes 0, 1 and at most `steps` values in
 * between on to onProgress (so a 60 s clip does not make hundreds of calls).
 */
export function steppedProgress(onProgress: ClipOptions["onProgress"], steps = 20): (fraction: number) => void {
  if (!onProgress) return () => {};
  const call = safe(onProgress);
  let lastStep = -1;
  return (fraction) => {
    const step = fraction >= 1 ? steps + 1 : Math.floor(fraction * steps);
    if (step === lastStep) return;
    lastStep = step;
    call(fraction);
  };
}
