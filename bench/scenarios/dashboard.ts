/**
 * The dashboard in Debian's Chromium (headless, playwright-core) against the console process in
 * local mode (main.ts, simulated hardware, SQLite in a temp dir), all on 127.0.0.1.
 *
 * - first load: a fresh browser context opens a /web link (one-time login, redirect, the page,
 *   its modules, the dictionary, /api/me, /api/room) until the temperature is on screen; cold
 *   (a new context each time, nothing cached).
 * - page weight: every byte the first load transferred (the event stream left out), and whether
 *   anything came from outside the machine (it must not).
 * - live view: capture to frame drawn in the browser (X-Captured-At vs the time the page drew
 *   it: the page's data-latency-ms), p50/p95 over every frame of 10 s; the console's CPU while
 *   1 and then 5 pages watch (one shared capture: nearly equal), its RSS with 5 viewers.
 */
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { CHROMIUM, launchChromium } from "../../test/support/chromium.ts";
import { localPageUrl, type Running, startConsole } from "../../test/support/console-process.ts";
import { type Metric, mb, summarize } from "../stats.ts";
import { CLK_TCK, cpuTicks, rssOf } from "../support/proc.ts";

const ADA = 1001;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function cpuPercentOver(pid: number, ms: number): Promise<number> {
  const before = cpuTicks(pid, { children: false });
  const t0 = performance.now();
  await sleep(ms);
  return ((((cpuTicks(pid, { children: false }) - before) / CLK_TCK) * 1000) / (performance.now() - t0)) * 100;
}

/** A fresh one-time link for Ada: /web in her private chat, through the local page's API. */
async function webLink(origin: string, cookie: string): Promise<string> {
  const state = async () =>
    (await (await fetch(`${origin}/api/state`, { headers: { cookie } })).json()) as {
      messages: Record<string, Array<{ from: { is_bot: boolean }; text?: string; entities?: Array<{ url?: string }> }>>;
    };
  const seen = (await state()).messages[String(ADA)]?.length ?? 0;
  const res = await fetch(`${origin}/api/messages`, {
    method: "POST",
    headers: { cookie, "content-type": "application/json" },
    body: JSON.stringify({ from: ADA, chat_id: ADA, text: "/web" }),
  });
  if (!res.ok) throw new Error(`/web: ${res.status} ${await res.text()}`);
  for (let i = 0; i < 200; i++) {
    const messages = (await state()).messages[String(ADA)]?.slice(seen) ?? [];
    for (const m of messages) {
      if (!m.from.is_bot) continue;
      const url =
        m.entities?.map((e) => e.url).find((u) => u && /\/login\//.test(u)) ??
        /(https?:\/\/\S+\/login\/[A-Za-z0-9_-]+)/.exec(m.text ?? "")?.[1];
      if (url) return url;
    }
    await sleep(50);
  }
  throw new Error("no /web link");
}

export async function dashboardBench(opts: { loads: number; liveSeconds: number }): Promise<Metric[]> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is not installed (apt-get install -y chromium)`);
  const dataDir = join(mkdtempSync(join(tmpdir(), "seroma-bench-dashboard-")), "data");
  const run: Running = startConsole({
    DATA_DIR: dataDir,
    HARDWARE: "sim",
    LOG_LEVEL: "warn",
    TIMEZONE: "UTC",
    WEB_PORT: "0",
  });
  let browser: Browser | undefined;
  const metrics: Metric[] = [];
  const scenario = "dashboard";
  try {
    const url = await localPageUrl(run, 60_000);
    const login = await fetch(url, { redirect: "manual" });
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    browser = await launchChromium();

    // First load, cold, `loads` times.
    const loads: number[] = [];
    let bytes = 0;
    let outside = 0;
    let requests = 0;
    for (let i = 0; i < opts.loads; i++) {
      const link = await webLink(url.origin, cookie);
      const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
      const page = await context.newPage();
      let transferred = 0;
      let count = 0;
      page.on("requestfinished", (r) => {
        const u = new URL(r.url());
        if (u.hostname !== "127.0.0.1") outside++;
        if (u.pathname === "/api/events") return;
        count++;
        void r.sizes().then((s) => {
          transferred += s.responseBodySize + s.responseHeadersSize;
        });
      });
      const t0 = performance.now();
      await page.goto(link);
      await page
        .getByTestId("room-temperature")
        .filter({ hasText: /\d+\.\d/ })
        .waitFor({ timeout: 20_000 });
      loads.push(performance.now() - t0);
      await sleep(300);
      if (i === 0) {
        bytes = transferred;
        requests = count;
      }
      await context.close();
    }
    const load = summarize(loads);
    metrics.push(
      {
        scenario,
        metric: "first load to the room's numbers p50",
        value: load.p50,
        unit: "ms",
        target: { op: "<", value: 1000 },
      },
      { scenario, metric: "first load to the room's numbers max", value: load.max, unit: "ms" },
      { scenario, metric: "page weight (first load, everything)", value: bytes / 1024, unit: "KiB" },
      { scenario, metric: "requests (first load)", value: requests, unit: "" },
      { scenario, metric: "requests outside the machine", value: outside, unit: "", target: { op: "<", value: 1 } },
    );

    // The live view: 1 viewer, then 5.
    const pid = run.child.pid as number;
    const viewers: Page[] = [];
    const latencies: number[] = [];
    // One login for the five viewers (the login route allows 10 a minute from one address), each
    // in its own browser context: a browser keeps 6 connections per server over HTTP/1.1, and a
    // tab on the live view holds two (the event stream and the camera).
    let session: Awaited<ReturnType<BrowserContext["cookies"]>> = [];
    const openViewer = async (record: boolean) => {
      const context = await (browser as Browser).newContext({ viewport: { width: 390, height: 844 } });
      const page = await context.newPage();
      const first = viewers[0];
      if (first) {
        await context.addCookies(session);
        await page.goto(new URL(first.url()).origin);
      } else {
        await page.goto(await webLink(url.origin, cookie));
        session = await context.cookies();
      }
      await page
        .getByTestId("room-temperature")
        .filter({ hasText: /\d+\.\d/ })
        .waitFor({ timeout: 20_000 });
      if (record) {
        await page.exposeFunction("__benchFrame", (ms: number) => latencies.push(ms));
        // Each frame the page draws (data-frames changes) reports its capture -> draw latency.
        await page.evaluate(`(() => {
          let frames = 0;
          const poll = () => {
            const el = document.querySelector('[data-testid="live-frame"]');
            const n = Number(el?.getAttribute("data-frames") ?? 0);
            if (el && n !== frames) {
              frames = n;
              window.__benchFrame(Number(el.getAttribute("data-latency-ms")));
            }
            requestAnimationFrame(poll);
          };
          requestAnimationFrame(poll);
        })()`);
      }
      await page.getByTestId("nav-live").click();
      // Polled from here: the page's CSP forbids page.waitForFunction's string functions.
      const frame = page.getByTestId("live-frame");
      for (
        let waited = 0;
        Number((await frame.getAttribute("data-frames").catch(() => null)) ?? 0) < 3;
        waited += 100
      ) {
        if (waited > 20_000) throw new Error("the live view drew no frames");
        await sleep(100);
      }
      viewers.push(page);
    };
    await openViewer(true);
    await sleep(2_000);
    latencies.length = 0;
    const cpu1 = await cpuPercentOver(pid, opts.liveSeconds * 1000);
    const live = summarize(latencies);
    for (let i = 0; i < 4; i++) await openViewer(false);
    await sleep(2_000);
    const cpu5 = await cpuPercentOver(pid, opts.liveSeconds * 1000);
    const rss5 = rssOf(pid);
    metrics.push(
      {
        scenario,
        metric: "live: capture -> frame drawn p50",
        value: live.p50,
        unit: "ms",
        target: { op: "<", value: 300 },
      },
      { scenario, metric: "live: capture -> frame drawn p99", value: live.p99, unit: "ms" },
      { scenario, metric: "live: frames drawn per second (1 viewer)", value: live.n / opts.liveSeconds, unit: "fps" },
      { scenario, metric: "live: console CPU, 1 viewer", value: cpu1, unit: "%" },
      { scenario, metric: "live: console CPU, 5 viewers", value: cpu5, unit: "%" },
      { scenario, metric: "live: console RSS, 5 viewers", value: mb(rss5), unit: "MB" },
    );
  } finally {
    await browser?.close();
    run.child.kill("SIGTERM");
    await run.exited;
  }
  return metrics;
}
