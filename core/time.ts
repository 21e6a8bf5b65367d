/** Cached Intl formatters: building one costs far more than using it, and a few shapes serve the console. */
const cache = new Map<string, Intl.DateTimeFormat>();

export function dateTimeFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = cache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, options);
    cache.set(key, f);
  }
  return f;
}

/** "2026-11-23 19:05:00" in `timeZone` (the process's zone when undefined). */
export function formatLocalDateTime(at: number | Date, timeZone?: string): string {
  return dateTimeFormat("sv-SE", {
    ...(timeZone ? { timeZone } : {}),
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  }).format(at);
}

/**
 * Epoch ms of local midnight starting `date` ("YYYY-MM-DD") in `timeZone` (good to the
 * minute; on a day that starts inside a DST gap, the first minute that exists).
 */
export function localMidnight(date: string, timeZone: string): number {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const target = Date.UTC(y, m - 1, d);
  let t = target;
  for (let i = 0; i < 3; i++) {
    const parts = dateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).formatToParts(new Date(t));
    const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
    const local = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"));
    const diff = local - target;
    if (diff === 0) break;
    t -= diff;
  }
  return t;
}

/** "YYYY-MM-DD" of an epoch ms in `timeZone`. */
export function localDate(at: number, timeZone: string): string {
  return dateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(at));
}
