/**
 * Alert pipeline benchmarks, on the real wiring (engine, SQLite outbox, dispatcher,
 * grammY bot, local Bot API server on 127.0.0.1):
 *  - alert latency: a sample crossing a threshold -> the alert's sendMessage reaching the
 *    Bot API (the minimum duration set to 0, group pacing off: both are deliberate delays);
 *  - outage: N alerts queued while the Bot API is down for S seconds, then delivered:
 *    every alert exactly once, in order, never more than 20 messages a minute to the group;
 *  - chart: the 24 h chart (1-minute readings) rendered to PNG.
 */

import { buildChartPhoto } from "../../bot/features/chart.ts";
import { GROUP_PACING } from "../../channels/telegram/group-channel.ts";
import type { RecordedMessage } from "../../local/bot-api/server.ts";
import { STAFF_GROUP, startConsoleHarness } from "../../test/support/console-harness.ts";
import { type Metric, summarize } from "../stats.ts";

export async function alertLatencyBench(opts: { crossings: number }): Promise<Metric[]> {
  const h = await startConsoleHarness({
    env: { ALERT_MIN_DURATION_SECONDS: "0" },
    pacing: { perWindow: 1_000_000, windowMs: 1, minGapMs: 0 },
  });
  try {
    let waiting: ((m: RecordedMessage) => void) | undefined;
    const off = h.api.onBotMessage((m) => {
      if (m.chat_id === STAFF_GROUP.id) waiting?.(m);
    });
    const samples: number[] = [];
    for (let i = 0; i < opts.crossings; i++) {
      // Alternate hot and back to normal: each crossing raises or recovers an incident.
      h.sensor.set({ temperatureC: i % 2 === 0 ? 31 : 22, humidityPct: 45 });
      const arrived = new Promise<RecordedMessage>((resolve) => {
        waiting = resolve;
      });
      const t0 = performance.now();
      await h.job.sampleNow();
      await arrived;
      samples.push(performance.now() - t0);
      h.clock.advance(60_000);
    }
    off();
    const s = summarize(samples.slice(10)); // first ten: warm-up
    const name = "alert-latency";
    return [
      { scenario: name, metric: "threshold crossings", value: samples.length, unit: "" },
      { scenario: name, metric: "sample -> alert at Bot API p50", value: s.p50, unit: "ms" },
      {
        scenario: name,
        metric: "sample -> alert at Bot API p99",
        value: s.p99,
        unit: "ms",
        target: { op: "<", value: 50 },
      },
    ];
  } finally {
    await h.stop();
  }
}

export async function alertOutageBench(opts: { alerts: number; outageSeconds: number }): Promise<Metric[]> {
  const h = await startConsoleHarness({ pacing: GROUP_PACING });
  try {
    h.api.setDown(true);
    const t0 = performance.now();
    for (let i = 1; i <= opts.alerts; i++) {
      await h.alerts.notify({
        kind: "raised",
        roomId: h.config.roomId,
        severity: "critical",
        rule: "sensor.dead",
        incidentId: `bench${i}`,
        at: h.clock.now().getTime(),
        details: { reason: `alert #${i}#`, failures: 3, code: "timeout" },
      });
    }
    const queueMs = performance.now() - t0;
    await new Promise((r) => setTimeout(r, Math.max(0, opts.outageSeconds * 1000 - queueMs)));
    const down = h.api.calls.filter((c) => c.status === 502).length;
    h.api.setDown(false);
    const t1 = performance.now();
    for (;;) {
      if ((await h.storage.outbox.countPending("telegram")) === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const deliverSeconds = (performance.now() - t1) / 1000;
    const msgs = h.api.messages(STAFF_GROUP.id).filter((m) => m.from_bot);
    const seen = msgs.flatMap((m) => [...(m.text ?? "").matchAll(/alert #(\d+)#/g)].map((x) => Number(x[1])));
    const inOrder = seen.every((n, i) => n === i + 1);
    const duplicates = seen.length - new Set(seen).size;
    const missing = opts.alerts - new Set(seen).size;
    // Busiest 60 s window, from the server's own receive times.
    const times = h.api.calls
      .filter((c) => c.method === "sendMessage" && c.status === 200 && c.params.chat_id === STAFF_GROUP.id)
      .map((c) => c.at);
    let busiest = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while ((times[i] as number) - (times[j] as number) >= 60_000) j++;
      busiest = Math.max(busiest, i - j + 1);
    }
    const name = "alert-outage";
    return [
      { scenario: name, metric: `alerts queued during a ${opts.outageSeconds} s outage`, value: opts.alerts, unit: "" },
      { scenario: name, metric: "refused calls during the outage", value: down, unit: "" },
      { scenario: name, metric: "time to deliver all after recovery", value: deliverSeconds, unit: "s" },
      { scenario: name, metric: "group messages used (digests)", value: msgs.length, unit: "" },
      { scenario: name, metric: "alerts missing", value: missing, unit: "", target: { op: "<", value: 1 } },
      { scenario: name, metric: "alerts duplicated", value: duplicates, unit: "", target: { op: "<", value: 1 } },
      {
        scenario: name,
        metric: "alerts out of order",
        value: inOrder ? 0 : 1,
        unit: "",
        target: { op: "<", value: 1 },
      },
      {
        scenario: name,
        metric: "busiest minute (Telegram limit 20)",
        value: busiest,
        unit: "msg",
        target: { op: "<", value: 21 },
      },
    ];
  } finally {
    await h.stop();
  }
}

export async function chartRenderBench(opts: { renders: number }): Promise<Metric[]> {
  const h = await startConsoleHarness();
  try {
    const now = h.clock.now().getTime();
    await h.storage.readings.addMany(
      Array.from({ length: 1440 }, (_, i) => ({
        roomId: h.config.roomId,
        at: now - (1440 - i) * 60_000,
        temperatureC: 22 + 3 * Math.sin(i / 120),
        humidityPct: 45 + 8 * Math.cos(i / 90),
      })),
    );
    // Labels do not change the work; real translations are not needed to time the render.
    const t = (k: string, v?: Record<string, string | number>) => (v ? `${k} ${Object.values(v).join(" ")}` : k);
    const services = { config: h.config, storage: h.storage, clock: h.clock };
    const samples: number[] = [];
    let bytes = 0;
    for (let i = 0; i < opts.renders + 3; i++) {
      const t0 = performance.now();
      const photo = await buildChartPhoto(services, "24h", t);
      if (i >= 3) samples.push(performance.now() - t0);
      bytes = photo.png.length;
    }
    const s = summarize(samples);
    const name = "chart-render";
    return [
      { scenario: name, metric: "24 h chart PNG (1,440 readings) p50", value: s.p50, unit: "ms" },
      { scenario: name, metric: "24 h chart PNG p99", value: s.p99, unit: "ms", target: { op: "<", value: 100 } },
      { scenario: name, metric: "PNG size", value: bytes / 1024, unit: "KiB" },
    ];
  } finally {
    await h.stop();
  }
}
