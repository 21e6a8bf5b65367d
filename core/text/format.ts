import { formatLocalDateTime } from "../time.ts";

/** HTML parse-mode helpers: every interpolated value goes through `escapeHtml`. */

export function escapeHtml(value: unknown): string {
  return String(value).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** One decimal, fixed (21 -> "21.0"), so columns line up and values read the same everywhere. */
export function oneDecimal(n: number): string {
  return n.toFixed(1);
}

/** "2026-11-23 19:05:00" in the room's timezone. */
export function formatDateTime(at: number | Date, timeZone: string): string {
  return formatLocalDateTime(at, timeZone);
}

/** Age as a locale key plus its number: 42 s, 3 min, 2 h, 1 d. */
export function ageParts(ms: number): { key: string; n: number } {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 5) return { key: "age-now", n: 0 };
  if (s < 60) return { key: "age-seconds", n: s };
  if (s < 3600) return { key: "age-minutes", n: Math.floor(s / 60) };
  if (s < 86_400) return { key: "age-hours", n: Math.floor(s / 3600) };
  return { key: "age-days", n: Math.floor(s / 86_400) };
}
