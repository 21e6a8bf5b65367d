/**
 * `npm run bench`: runs each scenario in its own Node process (so one scenario's heap
 * does not colour another's memory figures), prints a table and writes bench/results.json.
 *   npm run bench                 all scenarios
 *   npm run bench -- status       only scenarios whose name contains "status" (their rows in
 *                                 results.json are replaced, the other scenarios' rows kept)
 * Figures are for the machine it runs on; the targets are the issues' (2-core machine).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { TS_LOADER_ARGS } from "../test/support/console-process.ts";
import { type Metric, passes } from "./stats.ts";

// Each scenario is imported only in its own child process, so one scenario's modules
// (sharp, the AWS SDK...) do not show up in another's memory figures.
const SCENARIOS: Record<string, () => Promise<Metric[]>> = {
  "status-round-trip-closed": async () =>
    (await import("./scenarios/status-round-trip.ts")).statusRoundTripBench({
      requests: 1_000,
      users: 50,
      meanThinkMs: 0,
    }),
  "status-round-trip-paced": async () =>
    (await import("./scenarios/status-round-trip.ts")).statusRoundTripBench({
      requests: 1_000,
      users: 50,
      meanThinkMs: 250,
    }),
  "history-query": async () =>
    (await import("./scenarios/history-query.ts")).historyQueryBench({ rows: 1_000_000, queries: 1_000 }),
  "sampling-memory": async () =>
    (await import("./scenarios/sampling-memory.ts")).samplingMemoryBench({ samples: 10_000 }),
  "alert-latency": async () => (await import("./scenarios/alerts.ts")).alertLatencyBench({ crossings: 500 }),
  "alert-outage": async () =>
    (await import("./scenarios/alerts.ts")).alertOutageBench({
      alerts: 1_000,
      outageSeconds: Number(process.env.BENCH_OUTAGE_SECONDS ?? 60),
    }),
  "chart-render": async () => (await import("./scenarios/alerts.ts")).chartRenderBench({ renders: 30 }),
  "door-tap": async () =>
    (await import("./scenarios/door-tap.ts")).doorTapBench({ taps: 1_000, prefill: 100_000, staff: 200 }),
  "snapshot-button": async () => (await import("./scenarios/snapshot-button.ts")).snapshotButtonBench({ presses: 100 }),
  "camera-snapshot": async () => (await import("./scenarios/camera.ts")).cameraSnapshotBench({ snapshots: 100 }),
  live: async () => (await import("./scenarios/live.ts")).liveBench({ fps: 5, seconds: 10, width: 1280, height: 720 }),
  "frame-diff": async () => (await import("./scenarios/motion.ts")).frameDiffBench({ frames: 2_000 }),
  "ssh-checks": async () => (await import("./scenarios/ssh-checks.ts")).sshChecksBench({ hosts: 50, concurrency: 10 }),
  aws: async () =>
    (await import("./scenarios/aws.ts")).awsBench({ sizes: [2_000, 20_000], queries: 200, buffered: 10_000 }),
  "local-mode": async () =>
    (await import("./scenarios/local-mode.ts")).localModeBench({ roundTrips: 300, taps: 10, snapshots: 800 }),
  "fault-matrix": async () => (await import("./scenarios/faults.ts")).faultMatrixBench({ alertsPerFault: 8 }),
  "telegram-recovery": async () =>
    (await import("./scenarios/faults.ts")).recoveryBench({ outagesSeconds: [5, 30, 130] }),
  "kill-9": async () => (await import("./scenarios/faults.ts")).killNineBench({ rounds: 20 }),
  "buttons-during-clip": async () =>
    (await import("./scenarios/faults.ts")).clipButtonsBench({ presses: 60, clipSeconds: 30 }),
  rooms: async () => (await import("./scenarios/rooms.ts")).roomsBench({ alerts: 200, deaths: 3 }),
  "rooms-scale": async () =>
    (await import("./scenarios/rooms-scale.ts")).roomsScaleBench({
      commandRooms: 3,
      commands: 300,
      statusAlls: 100,
      rooms: 50,
      heartbeatSeconds: 5,
      alertsPerSecond: 1,
      loadSeconds: Number(process.env.BENCH_ROOMS_SECONDS ?? 60),
    }),
  doctor: async () => (await import("./scenarios/doctor.ts")).doctorBench({ runs: 10 }),
  "access-query": async () =>
    (await import("./scenarios/access-query.ts")).accessQueryBench({ rows: 1_000_000, queries: 1_000 }),
  durability: async () => (await import("./scenarios/durability.ts")).durabilityBench({ writes: 300 }),
  dashboard: async () =>
    (await import("./scenarios/dashboard.ts")).dashboardBench({
      loads: 6,
      liveSeconds: Number(process.env.BENCH_LIVE_SECONDS ?? 10),
    }),
  service: async () =>
    (await import("./scenarios/service.ts")).serviceBench({
      settleSeconds: 10,
      idleSeconds: Number(process.env.BENCH_IDLE_SECONDS ?? 60),
      snapshots: 20,
    }),
};

const self = fileURLToPath(import.meta.url);

async function child(name: string): Promise<void> {
  const run = SCENARIOS[name];
  if (!run) throw new Error(`unknown scenario ${name}; valid: ${Object.keys(SCENARIOS).join(", ")}`);
  const metrics = await run();
  process.stdout.write(`${JSON.stringify(metrics)}\n`);
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString("en-US");
  return n.toFixed(Math.abs(n) < 10 ? 2 : 1);
}

async function parent(filters: string[]): Promise<void> {
  const names = Object.keys(SCENARIOS).filter((n) => filters.length === 0 || filters.some((f) => n.includes(f)));
  const all: Metric[] = [];
  for (const name of names) {
    process.stderr.write(`running ${name}...\n`);
    const out = execFileSync(process.execPath, ["--expose-gc", ...TS_LOADER_ARGS, self, "--child", name], {
      encoding: "utf8",
      env: { ...process.env, LOG_LEVEL: "silent" },
      stdio: ["ignore", "pipe", "inherit"],
      maxBuffer: 16 * 1024 * 1024,
    });
    const last = out.trim().split("\n").pop() ?? "[]";
    all.push(...(JSON.parse(last) as Metric[]));
  }
  const rows = all.map((m) => {
    const ok = passes(m);
    return [
      m.scenario,
      m.metric,
      `${fmt(m.value)} ${m.unit}`,
      m.target ? `${m.target.op} ${fmt(m.target.value)} ${m.unit}` : "",
      ok === undefined ? "" : ok ? "ok" : "MISSED",
    ];
  });
  const header = ["scenario", "metric", "value", "target", ""];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of rows) console.log(line(r));
  const file = fileURLToPath(new URL("./results.json", import.meta.url));
  // A partial run keeps the other scenarios' last figures (each row says when it was measured).
  const at = new Date().toISOString();
  const measured = all.map((m) => ({ ...m, pass: passes(m), at }));
  const ran = new Set(all.map((m) => m.scenario));
  const kept =
    filters.length > 0 && existsSync(file)
      ? (JSON.parse(readFileSync(file, "utf8")) as { metrics: Array<Metric & { at?: string }> }).metrics.filter(
          (m) => !ran.has(m.scenario),
        )
      : [];
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        at,
        node: process.version,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model,
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        metrics: [...kept, ...measured],
      },
      null,
      2,
    )}\n`,
  );
  console.log(`\nwritten ${file}`);
  if (all.some((m) => passes(m) === false)) process.exitCode = 2;
}

const args = process.argv.slice(2);
if (args[0] === "--child") await child(args[1] ?? "");
else await parent(args);
