/**
 * Office hours policy: per-weekday opening windows in a timezone.
 * Spec syntax (OFFICE_HOURS): "mon-fri 07:00-19:00; sat 09:00-13:00".
 * Days not named are closed. "mon-sun 07:00-19:00" is the default.
 */
import { dateTimeFormat } from "./time.ts";

export const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Minutes since local midnight: [start, end). */
export interface Window {
  start: number;
  end: number;
}

export interface OfficeHours {
  timeZone: string;
  /** Index 0 = Sunday, as Date#getDay. */
  days: Window[][];
  /** Local dates (YYYY-MM-DD) that are closed all day. */
  holidays: ReadonlySet<string>;
}

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;

function parseTime(text: string): number | undefined {
  if (!TIME.test(text)) return undefined;
  const [h, m] = text.split(":").map(Number) as [number, number];
  return h * 60 + m;
}

function dayIndex(name: string): number {
  return WEEKDAYS.indexOf(name.toLowerCase().slice(0, 3) as Weekday);
}

/** Parses the OFFICE_HOURS spec. Returns the problems found, or the windows per weekday. */
export function parseOfficeHoursSpec(spec: string): { ok: true; days: Window[][] } | { ok: false; error: string } {
  const days: Window[][] = WEEKDAYS.map(() => []);
  const parts = spec
    .split(/[;,]/)
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) return { ok: false, error: "is empty (example: mon-fri 07:00-19:00)" };
  for (const part of parts) {
    const m = /^([a-z]{3})[a-z]*(?:-([a-z]{3})[a-z]*)?\s+(\S+)-(\S+)$/i.exec(part);
    if (!m) return { ok: false, error: `cannot read "${part}" (expected e.g. "mon-fri 07:00-19:00")` };
    const [, fromDay, toDay, fromTime, toTime] = m as unknown as [string, string, string | undefined, string, string];
    const a = dayIndex(fromDay);
    const b = toDay ? dayIndex(toDay) : a;
    if (a < 0 || b < 0) return { ok: false, error: `unknown weekday in "${part}" (use ${WEEKDAYS.join(", ")})` };
    const start = parseTime(fromTime);
    const end = parseTime(toTime);
    if (start === undefined || end === undefined)
      return { ok: false, error: `bad time in "${part}" (use HH:MM, 24-hour clock)` };
    if (end <= start) return { ok: false, error: `"${part}" ends before it starts` };
    // Ranges wrap around the week: "fri-mon" is fri, sat, sun, mon.
    for (let d = a; ; d = (d + 1) % 7) {
      days[d]?.push({ start, end });
      if (d === b) break;
    }
  }
  return { ok: true, days };
}

function formatter(timeZone: string): Intl.DateTimeFormat {
  return dateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    weekday: "short",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  });
}

/** The wall-clock date, weekday and minute of day of an instant in a timezone. */
export function localTime(at: Date, timeZone: string): { date: string; weekday: number; minute: number } {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday: dayIndex(parts.weekday ?? ""),
    minute: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

/** Local midnight of the day of `now` in `timeZone`, as epoch ms (good to the minute). */
export function startOfLocalDay(now: number, timeZone: string): number {
  const { minute } = localTime(new Date(now), timeZone);
  return now - minute * 60_000 - (now % 60_000);
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function isWithinOfficeHours(at: Date, hours: OfficeHours): boolean {
  const local = localTime(at, hours.timeZone);
  if (hours.holidays.has(local.date)) return false;
  return (hours.days[local.weekday] ?? []).some((w) => local.minute >= w.start && local.minute < w.end);
}

const hhmm = (minute: number) =>
  `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;

/**
 * The opening windows in the spec's own syntax, consecutive days with the same windows
 * grouped ("mon-fri 08:00-18:00; sat 09:00-13:00"); "closed" when there are none.
 */
export function describeOfficeHours(hours: Pick<OfficeHours, "days">): string {
  const order = [1, 2, 3, 4, 5, 6, 0]; // Monday first, as people write it
  const key = (d: number) => (hours.days[d] ?? []).map((w) => `${hhmm(w.start)}-${hhmm(w.end)}`).join(",");
  const groups: { from: number; to: number; windows: string }[] = [];
  for (const d of order) {
    const windows = key(d);
    const last = groups.at(-1);
    if (last && last.windows === windows && order.indexOf(d) === order.indexOf(last.to) + 1) last.to = d;
    else groups.push({ from: d, to: d, windows });
  }
  const open = groups.filter((g) => g.windows !== "");
  if (open.length === 0) return "closed";
  return open.map((g) => `${WEEKDAYS[g.from]}${g.to !== g.from ? `-${WEEKDAYS[g.to]}` : ""} ${g.windows}`).join("; ");
}
