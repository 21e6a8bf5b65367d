/**
 * The doctor's two outputs: an aligned list for people (✔ ok, ⚠ warn, ✖ fail, – skip; the
 * fix under each warn and fail) and one JSON document for scripts (--json). The exit code
 * is 1 when any check failed, 0 otherwise (warnings included).
 */
import type { CheckResult, CheckStatus } from "./check.ts";

export const SYMBOLS: Record<CheckStatus, string> = { ok: "✔", warn: "⚠", fail: "✖", skip: "–" };

export interface DoctorReport {
  /** Format version of the JSON document. */
  version: 1;
  ok: boolean;
  root: string;
  node: { version: string; running: string };
  summary: Record<CheckStatus, number>;
  checks: CheckResult[];
}

export function buildReport(results: CheckResult[], root: string, node: DoctorReport["node"]): DoctorReport {
  const summary: Record<CheckStatus, number> = { ok: 0, warn: 0, fail: 0, skip: 0 };
  for (const r of results) summary[r.status]++;
  return { version: 1, ok: summary.fail === 0, root, node, summary, checks: results };
}

export function exitCode(report: DoctorReport): number {
  return report.ok ? 0 : 1;
}

export function formatJson(report: DoctorReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export function formatHuman(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((c) => c.title.length));
  const indent = " ".repeat(2 + width + 2);
  const lines: string[] = [];
  if (report.root !== "/") lines.push(`(DOCTOR_ROOT: reading the system under ${report.root})`, "");
  for (const c of report.checks) {
    lines.push(`${SYMBOLS[c.status]} ${c.title.padEnd(width)}  ${c.detail}`);
    if (c.hint && (c.status === "warn" || c.status === "fail")) lines.push(`${indent}fix: ${c.hint}`);
  }
  const { ok, warn, fail, skip } = report.summary;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  lines.push(
    "",
    `${plural(ok, "check")} ok, ${plural(warn, "warning")}, ${fail} failed, ${skip} skipped` +
      (fail > 0 ? ": fix the failed ones (✖) first." : warn > 0 ? ": the console runs; see the warnings (⚠)." : "."),
  );
  return `${lines.join("\n")}\n`;
}
