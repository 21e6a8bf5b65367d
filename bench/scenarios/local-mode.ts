/**
 * Local mode as the page drives it: the console process started without a token
 * (main.ts, simulated hardware, SQLite in a temp dir), its page API on 127.0.0.1.
 *
 * - page round trip: POST /api/messages "/status" -> the bot's reply arriving on the page's
 *   event stream (SSE); one request at a time, as one person clicks.
 * - panel tap -> alert: POST /api/hardware (unknown card) -> the alert on the event stream.
 * - memory: the console's RSS after the round trips and every 100 Snapshot presses (photos
 *   kept in memory for the page are bounded by the Bot API server's 32 MB file budget).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LOCAL_GROUP } from "../../local/local-mode.ts";
import { localPageUrl, startConsole } from "../../test/support/console-process.ts";
import { type Metric, mb, summarize } from "../stats.ts";
import { rssOf } from "../support/proc.ts";

interface Event {
  event: string;
  data: { chat_id?: number; message_id?: number; from?: { is_bot: boolean }; text?: string; caption?: string };
}

export async function localModeBench(opts: { roundTrips: number; taps: number; snapshots: number }): Promise<Metric[]> {
  const dataDir = join(mkdtempSync(join(tmpdir(), "seroma-bench-local-")), "data");
  const run = startConsole({ DATA_DIR: dataDir, HARDWARE: "sim", LOG_LEVEL: "warn", TIMEZONE: "UTC" });
  const controller = new AbortController();
  try {
    const url = await localPageUrl(run, 60_000);
    const login = await fetch(url, { redirect: "manual" });
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const post = (path: string, body: unknown) =>
      fetch(new URL(path, url.origin), {
        method: "POST",
        headers: { cookie, "content-type": "application/json" },
        body: JSON.stringify(body),
      }).then(async (r) => {
        if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
        return r.json() as Promise<{ message?: { message_id: number } }>;
      });

    // The page's event stream, parsed; waiters are resolved by the first matching event.
    const waiters = new Set<{ match: (e: Event) => boolean; resolve: (at: number) => void }>();
    const res = await fetch(new URL("/api/events", url.origin), { headers: { cookie }, signal: controller.signal });
    const reader = res.body?.getReader();
    if (!reader) throw new Error("no event stream");
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let cut = buffer.indexOf("\n\n");
        while (cut >= 0) {
          const frame = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          cut = buffer.indexOf("\n\n");
          const event = /^event: (.+)$/m.exec(frame)?.[1];
          const data = /^data: (.+)$/m.exec(frame)?.[1];
          if (!event || !data) continue;
          const parsed: Event = { event, data: JSON.parse(data) };
          const at = performance.now();
          for (const w of waiters) {
            if (w.match(parsed)) {
              waiters.delete(w);
              w.resolve(at);
            }
          }
        }
      }
    })();
    const next = (match: (e: Event) => boolean, timeoutMs = 15_000) =>
      new Promise<number>((resolve, reject) => {
        const w = { match, resolve };
        waiters.add(w);
        setTimeout(() => {
          if (waiters.delete(w)) reject(new Error("no matching event in time"));
        }, timeoutMs).unref();
      });
    const botSays = (chat: number, re: RegExp) => (e: Event) =>
      e.event === "message" &&
      e.data.chat_id === chat &&
      e.data.from?.is_bot === true &&
      re.test(e.data.text ?? e.data.caption ?? "");

    const roundTrips: number[] = [];
    const warmup = 10;
    for (let i = 0; i < opts.roundTrips + warmup; i++) {
      const reply = next(botSays(1001, /server-room · climate/));
      const t0 = performance.now();
      await post("/api/messages", { from: 1001, chat_id: 1001, text: "/status" });
      const at = await reply;
      if (i >= warmup) roundTrips.push(at - t0);
    }
    const rssAfterRoundTrips = rssOf(run.child.pid ?? 0);

    const taps: number[] = [];
    for (let i = 0; i < opts.taps; i++) {
      const uid = (0x10_00_00_00 + i * 7919).toString(16).toUpperCase().padStart(8, "0");
      const alert = next(botSays(LOCAL_GROUP.id, new RegExp(`Unknown card ${uid}`)));
      const t0 = performance.now();
      await post("/api/hardware", { device: "door", action: "tap", uid });
      taps.push((await alert) - t0);
      // A person at the door, not a script: the group channel keeps Telegram's 1 s between messages.
      await new Promise((r) => setTimeout(r, 1_100));
    }

    const rssDuringSnapshots: number[] = [];
    for (let i = 0; i < opts.snapshots; i++) {
      if (i % 100 === 0) rssDuringSnapshots.push(rssOf(run.child.pid ?? 0));
      const photo = next(
        (e) => e.event === "message" && e.data.chat_id === 1002 && /\/api\/files\//.test(JSON.stringify(e.data)),
      );
      await post("/api/messages", { from: 1002, chat_id: 1002, text: "/snapshot" });
      await photo;
    }
    const rssAfterSnapshots = rssOf(run.child.pid ?? 0);

    const rt = summarize(roundTrips);
    const tap = summarize(taps);
    return [
      {
        scenario: "local-mode",
        metric: "page /status -> reply on the event stream p50",
        value: rt.p50,
        unit: "ms",
      },
      {
        scenario: "local-mode",
        metric: "page /status -> reply on the event stream p99",
        value: rt.p99,
        unit: "ms",
        target: { op: "<", value: 100 },
      },
      { scenario: "local-mode", metric: "panel tap (unknown card) -> group alert p50", value: tap.p50, unit: "ms" },
      {
        scenario: "local-mode",
        metric: "panel tap (unknown card) -> group alert p99",
        value: tap.p99,
        unit: "ms",
        target: { op: "<", value: 500 },
      },
      {
        scenario: "local-mode",
        metric: `console RSS after ${opts.roundTrips} round trips`,
        value: mb(rssAfterRoundTrips),
        unit: "MB",
      },
      ...rssDuringSnapshots.slice(1).map((rss, i) => ({
        scenario: "local-mode",
        metric: `console RSS after ${(i + 1) * 100} snapshots`,
        value: mb(rss),
        unit: "MB",
      })),
      {
        scenario: "local-mode",
        metric: `console RSS after ${opts.snapshots} snapshots`,
        value: mb(rssAfterSnapshots),
        unit: "MB",
      },
      {
        // Flat once the Bot API server's file budget (32 MB) is full: the second half adds nothing.
        scenario: "local-mode",
        metric: `RSS growth over the last ${opts.snapshots / 2} snapshots`,
        value: mb(rssAfterSnapshots - (rssDuringSnapshots[opts.snapshots / 200] ?? Number.NaN)),
        unit: "MB",
        target: { op: "<", value: 16 },
      },
    ];
  } finally {
    controller.abort();
    run.child.kill("SIGTERM");
    await run.exited;
  }
}
