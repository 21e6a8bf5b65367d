// Times in the room's time zone (from /api/me), whatever the browser's own zone is. Pure apart
// from Intl (tested in Node).

const partsFormatters = new Map();

/** The zone's offset from UTC at `epochMs`, in ms (Tokyo: +9 h). */
export function zoneOffset(epochMs, timeZone) {
  let format = partsFormatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    partsFormatters.set(timeZone, format);
  }
  const p = Object.fromEntries(format.formatToParts(new Date(epochMs)).map((x) => [x.type, x.value]));
  const asUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour % 24, +p.minute, +p.second);
  return asUtc - Math.floor(epochMs / 1000) * 1000;
}

/** "2026-12-06" (a date input's value) -> the epoch ms of that day's midnight in the zone; null if unreadable. */
export function zonedMidnight(date, timeZone) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(date ?? ""));
  if (!m) return null;
  const wall = Date.UTC(+m[1], +m[2] - 1, +m[3]);
  let at = wall - zoneOffset(wall, timeZone);
  // Across a DST change the offset at the guess may differ from the offset at the answer.
  at = wall - zoneOffset(at, timeZone);
  return at;
}

/** The day after "2026-12-06": "2026-12-07" (for an inclusive "to" date). */
export function nextDay(date) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(date ?? ""));
  if (!m) return null;
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3] + 1)).toISOString().slice(0, 10);
}

/** "2026-12-06": the date of `epochMs` in the zone. */
export function zonedDate(epochMs, timeZone) {
  return new Date(epochMs + zoneOffset(epochMs, timeZone)).toISOString().slice(0, 10);
}

const formatters = new Map();

/** A formatter for a language and zone: style "time" (14:05), "day" (6 Dec), "full" (date and time). */
export function formatter(language, timeZone, style) {
  const key = `${language} ${timeZone} ${style}`;
  let f = formatters.get(key);
  if (!f) {
    const options =
      style === "time"
        ? { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }
        : style === "day"
          ? { month: "short", day: "numeric" }
          : { dateStyle: "medium", timeStyle: "short", hourCycle: "h23" };
    f = new Intl.DateTimeFormat(language, { ...options, timeZone });
    formatters.set(key, f);
  }
  return f;
}

/** A time for lists: "14:05" when it is today in the zone, else the date and time. */
export function formatWhen(epochMs, language, timeZone, now = Date.now()) {
  if (!Number.isFinite(epochMs)) return "";
  const sameDay = zonedDate(epochMs, timeZone) === zonedDate(now, timeZone);
  return formatter(language, timeZone, sameDay ? "time" : "full").format(new Date(epochMs));
}
