/**
 * (a) /status round trip through a local Bot API server on 127.0.0.1. The server runs
 * in a worker thread (Telegram is not on the Pi's event loop either); the real bot
 * (grammY + runner + i18n + auth, SQLite holding a day of readings) runs here and polls
 * it. 50 users each send /status and wait for the answer, 1,000 requests in all, in two
 * load shapes:
 *   closed: back to back, no think time (the harshest load 50 people can make, about
 *           a thousand requests a second);
 *   paced:  each user pauses a random (exponential) think time with a mean of 250 ms
 *           between requests: about 200 requests a second, still far above any team.
 * Measured by the server: from the update being queued to the bot's reply arriving.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { UserFromGetMe } from "grammy/types";
import { createBackgroundRunner } from "../../bot/background-runner.ts";
import { createBot, startBot } from "../../bot/index.ts";
import { createCaptureService } from "../../core/camera/capture-service.ts";
import { systemClock } from "../../core/clock.ts";
import { parseConfig } from "../../core/config.ts";
import { createInviteStore } from "../../core/door/invites.ts";
import { EventBus } from "../../core/event-bus.ts";
import type { RoomEvents } from "../../core/events.ts";
import { silentLogger } from "../../core/logger.ts";
import { createSimulatedCamera } from "../../hardware/camera/simulator.ts";
import { createSqliteStorage } from "../../storage/sqlite/index.ts";
import { type Metric, summarize } from "../stats.ts";

const TOKEN = "5000000001:AAHbenchTokenForSeroma-0123456789abc";

type FromWorker =
  | { type: "ready"; apiRoot: string; token: string; botInfo: UserFromGetMe }
  | { type: "reply"; seq: number; chatId: number; text: string; ms: number };

export async function statusRoundTripBench(opts: {
  requests: number;
  users: number;
  /** 0: closed loop; otherwise the mean pause between a user's requests. */
  meanThinkMs: number;
}): Promise<Metric[]> {
  const worker = new Worker(new URL("../support/bot-api-worker.mjs", import.meta.url), {
    workerData: { token: TOKEN },
  });
  const listeners = new Set<(m: FromWorker) => void>();
  worker.on("message", (m: FromWorker) => {
    for (const l of listeners) l(m);
  });
  const ready = await new Promise<Extract<FromWorker, { type: "ready" }>>((resolve, reject) => {
    worker.once("error", reject);
    const l = (m: FromWorker) => {
      if (m.type === "ready") {
        listeners.delete(l);
        resolve(m);
      }
    };
    listeners.add(l);
  });

  const users = Array.from({ length: opts.users }, (_, i) => ({ id: 900_000 + i, first_name: `User ${i}` }));
  const dataDir = mkdtempSync(join(tmpdir(), "seroma-bench-"));
  const parsed = parseConfig({
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_API_ROOT: ready.apiRoot,
    ADMIN_IDS: "1",
    STAFF_IDS: users.map((u) => u.id).join(","),
    ROOM_ID: "bench-room",
    DATA_DIR: dataDir,
    TIMEZONE: "UTC",
  });
  if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
  const config = parsed.config;
  const storage = createSqliteStorage({ dataDir });
  const now = Date.now();
  await storage.readings.addMany(
    Array.from({ length: 1440 }, (_, i) => ({
      roomId: config.roomId,
      at: now - (1440 - i) * 60_000,
      temperatureC: 22 + Math.sin(i / 100),
      humidityPct: 45 + Math.cos(i / 100),
    })),
  );
  const seroma = createBot({
    token: TOKEN,
    apiRoot: ready.apiRoot,
    botInfo: ready.botInfo,
    logger: silentLogger,
    services: {
      config,
      storage,
      clock: { now: () => new Date() },
      climate: {
        driver: "sim",
        sampleNow: async () => ({ ok: false, stage: "sensor", message: "not sampled in the bench" }),
      },
      alerts: { acknowledge: async () => ({ ok: false, reason: "not-found" }), openIncidents: () => [] },
      // The bench sends /status only: no card is ever asked for.
      door: { driver: "sim", captureNextTap: () => ({ card: Promise.resolve(undefined), cancel() {} }), enrolled() {} },
      invites: createInviteStore(systemClock),
      camera: {
        capture: createCaptureService({
          camera: createSimulatedCamera(),
          media: storage.media,
          roomId: config.roomId,
          timeZone: config.officeHours.timeZone,
          quality: config.camera.quality,
          clock: systemClock,
          bus: new EventBus<RoomEvents>(silentLogger),
          logger: silentLogger,
          latestReading: async () => undefined,
        }),
      },
      servers: {
        checkNow: async () => undefined,
        forget: async () => {},
        fetchHostKey: async () => ({ ok: false, message: "not in the bench" }),
      },
      backup: { runNow: async () => ({ ok: false, error: "not in the bench" }) },
      background: createBackgroundRunner({ logger: silentLogger }),
      // The bench sends /status only: nobody arms the watch.
      watch: {
        arm: () => ({ armed: true }),
        disarm: () => ({ armed: false }),
        state: () => ({ armed: false, watching: false, sensor: "none" }),
      },
    },
  });
  const runner = await startBot(seroma, silentLogger);

  let seq = 0;
  const waiting = new Map<number, (r: Extract<FromWorker, { type: "reply" }>) => void>();
  listeners.add((m) => {
    if (m.type !== "reply") return;
    waiting.get(m.seq)?.(m);
    waiting.delete(m.seq);
  });
  const ask = (u: { id: number; first_name: string }) =>
    new Promise<Extract<FromWorker, { type: "reply" }>>((resolve) => {
      const s = ++seq;
      waiting.set(s, resolve);
      worker.postMessage({ type: "send", seq: s, user: u, chat: { id: u.id, type: "private" }, text: "/status" });
    });

  try {
    // Warm-up: one request per user (JIT, prepared statements, sockets).
    await Promise.all(users.map(ask));
    const samples: number[] = [];
    let wrong = 0;
    const perUser = Math.ceil(opts.requests / opts.users);
    const t0 = performance.now();
    await Promise.all(
      users.map(async (u) => {
        for (let i = 0; i < perUser; i++) {
          if (opts.meanThinkMs > 0) {
            await new Promise((r) => setTimeout(r, -Math.log(1 - Math.random()) * opts.meanThinkMs));
          }
          const reply = await ask(u);
          samples.push(reply.ms);
          if (!/Temperature/.test(reply.text)) wrong++;
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const s = summarize(samples);
    const name = `status-round-trip (${opts.meanThinkMs > 0 ? "paced" : "closed"})`;
    return [
      { scenario: name, metric: `requests from ${opts.users} users`, value: samples.length, unit: "req" },
      { scenario: name, metric: "throughput", value: samples.length / seconds, unit: "req/s" },
      { scenario: name, metric: "round trip p50", value: s.p50, unit: "ms" },
      { scenario: name, metric: "round trip p99", value: s.p99, unit: "ms", target: { op: "<", value: 20 } },
      { scenario: name, metric: "round trip max", value: s.max, unit: "ms" },
      {
        scenario: name,
        metric: "updates dropped or wrong",
        value: waiting.size + wrong,
        unit: "",
        target: { op: "<", value: 1 },
      },
    ];
  } finally {
    if (runner.isRunning()) await runner.stop();
    await storage.close();
    worker.postMessage({ type: "close" });
    await new Promise((r) => worker.once("exit", r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}
