/**
 * Judging a host's check results against its thresholds: which server conditions are
 * problems now, which are fine, and which are unknown (the check did not run or its
 * output could not be read: the condition is left as it was). Pure.
 */
import type { Incident, ServerCheckKind, Severity } from "../alerts/types.ts";
import type { HostResult, HostSpec } from "./types.ts";

export type Verdict = { severity: Severity; details: Incident["details"] } | "ok" | "unknown";

/** Disk usage at or above this is critical whatever the threshold. */
const DISK_CRITICAL_PCT = 98;
const LATEST_LINE_MAX = 300;

function pct(n: number): string {
  return `${Math.round(n * 10) / 10} %`;
}

/**
 * Verdicts for every condition of a host. `failures` counts failed runs in a row
 * (this one included); "down" is raised when it reaches `downAfter`, at once when the
 * host key does not match (that is not a network blip).
 */
export function evaluateHost(
  spec: HostSpec,
  result: HostResult,
  opts: { failures: number; downAfter: number },
): Record<ServerCheckKind, Verdict> {
  const verdicts: Record<ServerCheckKind, Verdict> = {
    down: "ok",
    disk: "unknown",
    service: "unknown",
    journal: "unknown",
    load: "unknown",
    memory: "unknown",
  };
  if (!result.reachable) {
    const mismatch = result.failure?.kind === "host-key-mismatch";
    verdicts.down =
      mismatch || opts.failures >= opts.downAfter
        ? {
            severity: "critical",
            details: {
              host: spec.name,
              address: `${spec.address}:${spec.port}`,
              reason: (result.failure?.message ?? "unreachable").slice(0, LATEST_LINE_MAX),
              kind: result.failure?.kind ?? "unreachable",
              failures: opts.failures,
            },
          }
        : "unknown";
    return verdicts;
  }
  const t = spec.thresholds;
  const c = result.checks;

  if (c.disk?.ok) {
    const over = c.disk.value.filter((m) => m.usedPct > t.diskPct).sort((a, b) => b.usedPct - a.usedPct);
    verdicts.disk =
      over.length === 0
        ? "ok"
        : {
            severity: over.some((m) => m.usedPct >= DISK_CRITICAL_PCT) ? "critical" : "warning",
            details: {
              host: spec.name,
              mounts: over.map((m) => `${m.mount} ${m.usedPct} %`).join(", "),
              limit: `${t.diskPct} %`,
            },
          };
  }
  if (c.services?.ok) {
    const down = c.services.value.filter((s) => s.state !== "active");
    verdicts.service =
      down.length === 0
        ? "ok"
        : {
            severity: down.some((s) => s.state === "failed") ? "critical" : "warning",
            details: { host: spec.name, services: down.map((s) => `${s.name} (${s.state})`).join(", ") },
          };
  }
  if (c.journal?.ok) {
    const j = c.journal.value;
    verdicts.journal =
      !j.available || j.count === 0
        ? "ok"
        : {
            severity: "warning",
            details: {
              host: spec.name,
              count: j.count,
              latest: (j.latest.at(-1) ?? "").slice(0, LATEST_LINE_MAX),
            },
          };
  }
  if (c.load?.ok) {
    const l = c.load.value;
    const perCore = l.load1 / Math.max(1, l.cores);
    verdicts.load =
      perCore <= t.loadPerCore
        ? "ok"
        : {
            severity: "warning",
            details: { host: spec.name, load: l.load1.toFixed(2), cores: l.cores, limit: t.loadPerCore.toFixed(1) },
          };
  }
  if (c.memory?.ok) {
    const m = c.memory.value;
    verdicts.memory =
      m.usedPct <= t.memoryPct
        ? "ok"
        : { severity: "warning", details: { host: spec.name, used: pct(m.usedPct), limit: `${t.memoryPct} %` } };
  }
  return verdicts;
}
