/**
 * The console as the systemd unit starts it: one process (`node main.ts` where Node strips
 * types itself; `node --import tsx main.ts` on an older Node, which the figures then name),
 * with a token against a local Bot API server on 127.0.0.1, HARDWARE=auto, SQLite in a fresh
 * DATA_DIR, and (where python3 plays systemd's socket) NOTIFY_SOCKET + WATCHDOG_USEC=60 s as
 * under the unit, so the watchdog's systemd-notify pings are part of the idle cost.
 *
 *  - start -> polling: from spawn to READY=1 (or the "is polling" log line without python3);
 *  - the start-up tail: CPU in the first `settleSeconds` after READY (JIT, first reading...);
 *  - then, idle: CPU over `idleSeconds` (user + system, children included: the
 *    systemd-notify pings) as % of one core, and RSS (VmRSS) at its end;
 *  - RSS while the camera works: `snapshots` /snapshot commands one after another, each
 *    waited for (sendPhoto), peak RSS (VmHWM) and RSS after;
 * for each variant: the settings the unit uses (--max-semi-space-size=1, MALLOC_ARENA_MAX=2,
 * sharp cache 16 MB, one thread per image) and Node's and sharp's own defaults (50 MB cache,
 * one thread per core, glibc's arenas), so what the tuning saves is measured, not assumed.
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { startLocalBotApi } from "../../local/bot-api/server.ts";
import { NODE_STRIPS_TYPES, startConsole } from "../../test/support/console-process.ts";
import { startNotifySocket } from "../../test/support/notify-socket.ts";
import type { Metric } from "../stats.ts";
import { CLK_TCK, cpuTicks, procStatus } from "../support/proc.ts";

const TOKEN = "5000000001:AAHlocalTestTokenForSeroma-0123456789";
const ADMIN = { id: 77, first_name: "Ada" };
/** Processes whose parent is `pid` (the console's own children). */
function children(pid: number): string[] {
  const found: string[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const after = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(after[1]) === pid) found.push(stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

interface Variant {
  name: string;
  env: Record<string, string>;
}

const VARIANTS: Variant[] = [
  // deploy/seroma.service: node --max-semi-space-size=1 (here through NODE_OPTIONS), MALLOC_ARENA_MAX=2.
  {
    name: "as the unit",
    env: {
      NODE_OPTIONS: "--max-semi-space-size=1",
      MALLOC_ARENA_MAX: "2",
      SHARP_CACHE_MB: "16",
      SHARP_CONCURRENCY: "1",
    },
  },
  { name: "defaults", env: { SHARP_CACHE_MB: "50", SHARP_CONCURRENCY: String(cpus().length) } },
];

export async function serviceBench(opts: {
  settleSeconds: number;
  idleSeconds: number;
  snapshots: number;
}): Promise<Metric[]> {
  const metrics: Metric[] = [];
  const how = NODE_STRIPS_TYPES ? `node ${process.version} main.ts` : `node ${process.version} --import tsx main.ts`;
  const scenario = "service";
  for (const variant of VARIANTS) {
    const unit = variant.name === "as the unit";
    const label = (what: string) => `${what} (${variant.name}; ${how})`;
    const api = await startLocalBotApi({ token: TOKEN });
    const dir = mkdtempSync(join(tmpdir(), "seroma-bench-service-"));
    const notify = await startNotifySocket(join(dir, "notify.sock"));
    const t0 = performance.now();
    const run = startConsole({
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: api.apiRoot,
      ADMIN_IDS: String(ADMIN.id),
      STAFF_CHAT_ID: "-100999",
      DATA_DIR: join(dir, "data"),
      HARDWARE: "auto",
      LOG_LEVEL: "info",
      ...(notify ? { NOTIFY_SOCKET: notify.address, WATCHDOG_USEC: "60000000" } : {}),
      ...variant.env,
    });
    try {
      if (notify) await notify.waitFor((m) => m.fields.READY === "1", 30_000);
      else await run.waitForOutput(/is polling/, 30_000);
      const startMs = performance.now() - t0;
      const pid = run.child.pid as number;

      const settle0 = cpuTicks(pid);
      await new Promise((r) => setTimeout(r, opts.settleSeconds * 1000));
      const settleCpuPct = ((cpuTicks(pid) - settle0) / CLK_TCK / opts.settleSeconds) * 100;
      const ticks0 = cpuTicks(pid);
      const idle0 = performance.now();
      await new Promise((r) => setTimeout(r, opts.idleSeconds * 1000));
      const idleCpuPct = ((cpuTicks(pid) - ticks0) / CLK_TCK / ((performance.now() - idle0) / 1000)) * 100;
      const idle = procStatus(pid);
      const kids = children(pid).filter((c) => c !== "systemd-notify");

      const chat = { id: ADMIN.id, type: "private" as const };
      for (let i = 0; i < opts.snapshots; i++) {
        const since = api.mark();
        api.sendMessage(ADMIN, chat, "/snapshot");
        await api.waitForCall("sendPhoto", (c) => String(c.params.chat_id) === String(ADMIN.id), {
          since,
          timeoutMs: 30_000,
        });
      }
      const camera = procStatus(pid);

      if (unit) {
        metrics.push({
          scenario,
          metric: label("start -> polling (READY=1)"),
          value: startMs,
          unit: "ms",
          target: { op: "<", value: 1_500 },
        });
      } else {
        metrics.push({ scenario, metric: label("start -> polling"), value: startMs, unit: "ms" });
      }
      metrics.push(
        {
          scenario,
          metric: label(`CPU in the first ${opts.settleSeconds} s after READY (start-up tail, % of one core)`),
          value: settleCpuPct,
          unit: "%",
        },
        {
          scenario,
          metric: label(`RSS idle after ${opts.settleSeconds + opts.idleSeconds} s`),
          value: (idle.VmRSS ?? 0) / 1024,
          unit: "MB",
          ...(unit ? { target: { op: "<" as const, value: 110 } } : {}),
        },
        {
          scenario,
          metric: label(`CPU idle over the next ${opts.idleSeconds} s (% of one core, watchdog pings included)`),
          value: idleCpuPct,
          unit: "%",
          ...(unit ? { target: { op: "<" as const, value: 0.5 } } : {}),
        },
        {
          scenario,
          metric: label(`peak RSS over ${opts.snapshots} snapshots (1280x720)`),
          value: (camera.VmHWM ?? 0) / 1024,
          unit: "MB",
          ...(unit ? { target: { op: "<" as const, value: 180 } } : {}),
        },
        {
          scenario,
          metric: label(`RSS after ${opts.snapshots} snapshots`),
          value: (camera.VmRSS ?? 0) / 1024,
          unit: "MB",
        },
        {
          scenario,
          metric: label(`child processes while idle${kids.length ? `: ${kids.join(", ")}` : ""}`),
          value: kids.length,
          unit: "",
        },
      );
      run.child.kill("SIGTERM");
      const { code } = await run.exited;
      if (code !== 0) throw new Error(`the console exited ${code}:\n${run.output().slice(-2000)}`);
    } finally {
      run.child.kill("SIGKILL");
      await notify?.close();
      await api.close();
    }
  }
  return metrics;
}
