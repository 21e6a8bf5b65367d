/** Small helpers for the bench: percentiles over samples in milliseconds. */
export function percentile(sortedMs: readonly number[], p: number): number {
  if (sortedMs.length === 0) return Number.NaN;
  const idx = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return sortedMs[idx] as number;
}

export function summarize(samplesMs: number[]): { n: number; p50: number; p99: number; max: number; mean: number } {
  const s = [...samplesMs].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1);
  return { n: s.length, p50: percentile(s, 50), p99: percentile(s, 99), max: s[s.length - 1] ?? Number.NaN, mean };
}

export const mb = (bytes: number) => bytes / 1024 / 1024;

export interface Metric {
  scenario: string;
  metric: string;
  value: number;
  unit: string;
  target?: { op: "<" | ">"; value: number };
}

export function passes(m: Metric): boolean | undefined {
  if (!m.target) return undefined;
  return m.target.op === "<" ? m.value < m.target.value : m.value > m.target.value;
}
