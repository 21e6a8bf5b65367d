/**
 * The simulated camera: how long a 1280x720 snapshot takes (the scene is drawn with sharp:
 * a cached background, small SVG overlays for the LEDs, the person and the timestamp, then
 * JPEG encoding), and how long a clip takes to make as fast as it can (realTime off): the
 * frames plus the encoding, H.264 MP4 through ffmpeg when it is installed, and the animated
 * GIF fallback made by sharp.
 *
 * The first snapshot (which renders the static background) is timed on its own; the person
 * walks through the room during the timed snapshots, as during a security alert.
 */

import { findFfmpeg } from "../../hardware/camera/ffmpeg.ts";
import { createSimulatedCamera } from "../../hardware/camera/simulator.ts";
import { type Metric, summarize } from "../stats.ts";

export async function cameraSnapshotBench(opts: { snapshots: number; clipSeconds?: number }): Promise<Metric[]> {
  const scenario = "camera";
  let now = new Date("2026-11-24T10:00:00Z").getTime();
  const clock = { now: () => new Date(now) };
  const metrics: Metric[] = [];

  const camera = createSimulatedCamera({ clock, width: 1280, height: 720, quality: 85, ffmpegPath: null });
  let t = performance.now();
  const first = await camera.snapshot();
  metrics.push({
    scenario,
    metric: "sim 1280x720 first snapshot (draws the room)",
    value: performance.now() - t,
    unit: "ms",
  });

  const samples: number[] = [];
  camera.personEnters(opts.snapshots * 200);
  for (let i = 0; i < opts.snapshots; i++) {
    now += 200;
    t = performance.now();
    await camera.snapshot();
    samples.push(performance.now() - t);
  }
  const s = summarize(samples);
  metrics.push(
    { scenario, metric: "sim 1280x720 snapshot p50", value: s.p50, unit: "ms" },
    { scenario, metric: "sim 1280x720 snapshot p99", value: s.p99, unit: "ms", target: { op: "<", value: 250 } },
    { scenario, metric: "sim 1280x720 snapshot size", value: first.jpeg.length / 1024, unit: "KiB" },
  );
  await camera.close();

  const seconds = opts.clipSeconds ?? 10;
  const ffmpeg = findFfmpeg();
  if (ffmpeg) {
    const mp4 = createSimulatedCamera({ clock, ffmpegPath: ffmpeg });
    mp4.personEnters(seconds * 1000);
    await mp4.snapshot(); // the background, drawn once per camera
    t = performance.now();
    const clip = await mp4.clip(seconds);
    metrics.push(
      {
        scenario,
        metric: `sim ${seconds} s clip, MP4 1280x720 5 fps (ffmpeg)`,
        value: performance.now() - t,
        unit: "ms",
      },
      { scenario, metric: `sim ${seconds} s clip, MP4 size`, value: clip.bytes.length / 1024, unit: "KiB" },
    );
    await mp4.close();
  }

  const gif = createSimulatedCamera({ clock, ffmpegPath: null });
  gif.personEnters(seconds * 1000);
  t = performance.now();
  const clip = await gif.clip(seconds);
  metrics.push(
    {
      scenario,
      metric: `sim ${seconds} s clip, GIF ${clip.width}x${clip.height} 4 fps (no ffmpeg)`,
      value: performance.now() - t,
      unit: "ms",
      target: { op: "<", value: 200 * seconds },
    },
    { scenario, metric: `sim ${seconds} s clip, GIF size`, value: clip.bytes.length / 1024, unit: "KiB" },
  );
  await gif.close();
  return metrics;
}
