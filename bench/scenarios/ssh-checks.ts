/**
 * Server checks over SSH: `hosts` ssh2 test servers on loopback (each with its own
 * ed25519 host key, pinned by fingerprint; all accepting one client key) answer the
 * check script at once with canned, realistic output. One "run" checks every host
 * through runOnHost + mapWithConcurrency(`concurrency`), as the server-check job does.
 *
 * Reported: the wall time of one run (the first, cold one, and the warm ones after it),
 * TCP connections per host per run (counted by the servers: must be 1), and resident
 * memory (after a GC, when run with --expose-gc as bench/run.ts does): what the first
 * run adds, and what `warmRuns` more add after `warmUpRuns` (RSS climbs for about 20 runs
 * as the allocator settles, then stays flat: 160 runs were checked by hand, heap flat too). The servers live in the same process, so their half of the SSH
 * work (key exchange, signatures, ciphers) is inside the figures too: a real run, where
 * the hosts do that work, is lighter on the Pi.
 */
import { mapWithConcurrency } from "../../core/concurrency.ts";
import { type RunResult, runOnHost } from "../../servers/ssh-client.ts";
import {
  type CannedAnswer,
  generateEd25519KeyPair,
  type Ssh2TestServer,
  startSsh2TestServer,
} from "../../test/support/sshd.ts";
import { type Metric, mb, summarize } from "../stats.ts";

const SCENARIO = "ssh-checks";

/** A stand-in for the check script: its size and shape, not its exact text. */
const SCRIPT = `
echo '@@uptime'; cat /proc/uptime
echo '@@load'; cat /proc/loadavg; getconf _NPROCESSORS_ONLN 2>/dev/null || nproc
echo '@@memory'; grep -E '^(MemTotal|MemAvailable):' /proc/meminfo
echo '@@disk'; df -P -B1 -x tmpfs -x devtmpfs -x squashfs -x overlay 2>/dev/null
echo '@@services'; for u in nginx.service postgresql.service ssh.service; do printf '%s ' "$u"; systemctl is-active "$u" 2>/dev/null || true; done
echo '@@journal'; if command -v journalctl >/dev/null 2>&1; then journalctl -p err --since '-5min' -o short-iso --no-pager -q 2>/dev/null | tail -n 200; else echo 'no-journalctl'; fi
`;

const ANSWER: CannedAnswer = {
  stdout: [
    "@@uptime",
    "2384791.52 9381734.11",
    "@@load",
    "0.42 0.37 0.31 2/431 1234567",
    "4",
    "@@memory",
    "MemTotal:        8025348 kB",
    "MemAvailable:    5230112 kB",
    "@@disk",
    "Filesystem       1-blocks        Used   Available Capacity Mounted on",
    "/dev/sda2     105089261568 61234556928 38467432448      62% /",
    "/dev/sda1        535805952     6275072   529530880       2% /boot/efi",
    "/dev/sdb1    2000263573504 1712345612288 287917961216    86% /srv/backup",
    "@@services",
    "nginx.service active",
    "postgresql.service active",
    "ssh.service active",
    "@@journal",
    "2026-11-24T10:02:11+0000 web1 kernel: ata3.00: failed command: READ FPDMA QUEUED",
    "2026-11-24T10:03:40+0000 web1 nginx[811]: 2026/11/24 10:03:40 [error] 811#811: *1 upstream timed out",
    "",
  ].join("\n"),
  stderr: "",
  code: 0,
};

function rssAfterGc(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss;
}

export async function sshChecksBench(opts: {
  hosts: number;
  concurrency: number;
  warmUpRuns?: number;
  warmRuns?: number;
}): Promise<Metric[]> {
  const warmUpRuns = opts.warmUpRuns ?? 20;
  const warmRuns = opts.warmRuns ?? 20;
  const clientKeys = generateEd25519KeyPair();
  const privateKey = Buffer.from(clientKeys.private);
  const servers: Ssh2TestServer[] = [];
  try {
    for (let i = 0; i < opts.hosts; i++) servers.push(await startSsh2TestServer({ answer: ANSWER, clientKeys }));
    const specs = servers.map((s, i) => ({
      name: `host${i}`,
      address: s.host,
      port: s.port,
      user: s.user,
      hostKey: s.hostKeyFingerprint,
    }));

    let maxConnectionsPerHost = 0;
    let failures = 0;
    let firstFailure: RunResult | undefined;
    async function oneRun(): Promise<number> {
      const before = servers.map((s) => s.connections);
      const start = performance.now();
      const results = await mapWithConcurrency(specs, opts.concurrency, (spec) =>
        runOnHost(spec, SCRIPT, { privateKey, connectTimeoutMs: 5_000, commandTimeoutMs: 10_000 }),
      );
      const ms = performance.now() - start;
      for (const r of results) {
        if (!r.ok || r.stdout !== ANSWER.stdout || r.code !== 0) {
          failures++;
          firstFailure ??= r;
        }
      }
      servers.forEach((s, i) => {
        maxConnectionsPerHost = Math.max(maxConnectionsPerHost, s.connections - (before[i] ?? 0));
      });
      return ms;
    }

    const rssStart = rssAfterGc();
    const cold = await oneRun();
    const rssCold = rssAfterGc();
    const warm: number[] = [];
    for (let r = 0; r < warmUpRuns; r++) warm.push(await oneRun());
    const rss0 = rssAfterGc();
    for (let r = 0; r < warmRuns; r++) warm.push(await oneRun());
    const rss1 = rssAfterGc();
    if (failures > 0) throw new Error(`${failures} host checks failed; first: ${JSON.stringify(firstFailure)}`);

    const s = summarize(warm);
    const label = `${opts.hosts} hosts, ${opts.concurrency} at a time`;
    return [
      {
        scenario: SCENARIO,
        metric: `one run (${label}), first: wall`,
        value: cold,
        unit: "ms",
        target: { op: "<", value: 3_000 },
      },
      {
        scenario: SCENARIO,
        metric: `one run (${label}), ${warm.length} more: wall p50`,
        value: s.p50,
        unit: "ms",
      },
      {
        scenario: SCENARIO,
        metric: `one run (${label}), ${warm.length} more: wall max`,
        value: s.max,
        unit: "ms",
        target: { op: "<", value: 3_000 },
      },
      {
        scenario: SCENARIO,
        metric: "TCP connections per host per run (max)",
        value: maxConnectionsPerHost,
        unit: "conn",
        target: { op: "<", value: 2 },
      },
      {
        scenario: SCENARIO,
        metric: "RSS growth, first run (after GC)",
        value: mb(rssCold - rssStart),
        unit: "MB",
      },
      {
        scenario: SCENARIO,
        metric: `RSS growth over ${warmRuns} runs after ${warmUpRuns} warm-up runs (after GC)`,
        value: mb(rss1 - rss0),
        unit: "MB",
      },
    ];
  } finally {
    await Promise.all(servers.map((srv) => srv.stop()));
  }
}
