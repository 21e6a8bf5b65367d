/**
 * The live view: an HTTP server on 127.0.0.1 serving serveMjpeg from the simulated camera
 * (1280x720, drawn with sharp, at WEB_LIVE_FPS' default of 5 fps), read by viewers in a
 * separate process (bench/support/live-client.ts), as browsers would.
 *   - capture to receipt: a part's arrival at the viewer minus its X-Captured-At (the frame's
 *     time, taken before it is drawn: drawing and JPEG encoding count), p50 and p95;
 *   - this process's CPU (server + the one shared capture) over `seconds` with 1 viewer and
 *     with 5: one capture for all, so the two should be close;
 *   - RSS with 5 viewers (sampled through the run; the peak).
 */
import { spawn } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { createLiveCamera } from "../../core/camera/live-camera.ts";
import { silentLogger } from "../../core/logger.ts";
import { createSimulatedCamera } from "../../hardware/camera/simulator.ts";
import { TS_LOADER_ARGS } from "../../test/support/console-process.ts";
import { serveMjpeg } from "../../web/live/mjpeg.ts";
import { type Metric, mb, percentile } from "../stats.ts";

const CLIENT = fileURLToPath(new URL("../support/live-client.ts", import.meta.url));

interface Phase {
  latenciesMs: number[];
  parts: number[];
  cpuPct: number;
  peakRss: number;
  seconds: number;
}

/** Runs `viewers` viewers in a child process; measures this process while they read for `seconds`. */
function phase(url: string, viewers: number, seconds: number): Promise<Phase> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...TS_LOADER_ARGS, CLIENT, url, String(viewers), String(seconds)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    let cpu0: NodeJS.CpuUsage | undefined;
    let t0 = 0;
    let peakRss = 0;
    const sampler = setInterval(() => {
      if (cpu0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 250);
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      out += chunk;
      if (!cpu0 && out.includes("ready\n")) {
        cpu0 = process.cpuUsage();
        t0 = performance.now();
      }
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      clearInterval(sampler);
      const wallMs = performance.now() - t0;
      const used = process.cpuUsage(cpu0);
      const line = out.trim().split("\n").pop() ?? "";
      if (code !== 0 || !cpu0) return reject(new Error(`live client exited ${code}: ${out}`));
      const result = JSON.parse(line) as { latenciesMs: number[]; parts: number[] };
      resolve({
        ...result,
        cpuPct: ((used.user + used.system) / 1000 / wallMs) * 100,
        peakRss: Math.max(peakRss, process.memoryUsage().rss),
        seconds: wallMs / 1000,
      });
    });
  });
}

export async function liveBench(opts: {
  fps: number;
  seconds: number;
  width: number;
  height: number;
}): Promise<Metric[]> {
  const scenario = "live";
  const camera = createSimulatedCamera({ width: opts.width, height: opts.height, ffmpegPath: null });
  const live = createLiveCamera({ camera, fps: opts.fps, maxViewers: 10, logger: silentLogger });
  const server = http.createServer((req, res) => void serveMjpeg(live, req, res));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/live.mjpeg`;
  const size = `${opts.width}x${opts.height}`;
  try {
    await camera.snapshot(); // the room's background, drawn once
    const one = await phase(url, 1, opts.seconds);
    const five = await phase(url, 5, opts.seconds);
    const stats = live.stats();
    const lat = (p: Phase) => [...p.latenciesMs].sort((a, b) => a - b);
    const l1 = lat(one);
    const l5 = lat(five);
    const fpsOf = (p: Phase) => p.parts.reduce((a, b) => a + b, 0) / p.parts.length / p.seconds;
    return [
      {
        scenario,
        metric: `capture to receipt over HTTP, ${size} ${opts.fps} fps sim, 1 viewer, p50`,
        value: percentile(l1, 50),
        unit: "ms",
        target: { op: "<", value: 300 },
      },
      { scenario, metric: "capture to receipt, 1 viewer, p95", value: percentile(l1, 95), unit: "ms" },
      {
        scenario,
        metric: "capture to receipt, 5 viewers, p50",
        value: percentile(l5, 50),
        unit: "ms",
        target: { op: "<", value: 300 },
      },
      { scenario, metric: "capture to receipt, 5 viewers, p95", value: percentile(l5, 95), unit: "ms" },
      { scenario, metric: "frames per viewer per second, 1 viewer", value: fpsOf(one), unit: "fps" },
      { scenario, metric: "frames per viewer per second, 5 viewers", value: fpsOf(five), unit: "fps" },
      {
        scenario,
        metric: `server process CPU over ${opts.seconds} s, 1 viewer`,
        value: one.cpuPct,
        unit: "%",
      },
      {
        scenario,
        metric: `server process CPU over ${opts.seconds} s, 5 viewers`,
        value: five.cpuPct,
        unit: "%",
      },
      {
        scenario,
        metric: "CPU 5 viewers / 1 viewer (one shared capture)",
        value: five.cpuPct / one.cpuPct,
        unit: "x",
        target: { op: "<", value: 1.5 },
      },
      { scenario, metric: "RSS with 5 viewers (peak)", value: mb(five.peakRss), unit: "MB" },
      {
        scenario,
        metric: "live captures started over both phases (1 viewer, then 5; one shared)",
        value: stats.captures,
        unit: "",
      },
    ];
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await live.camera.close();
  }
}
