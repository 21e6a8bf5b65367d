/** Local days of the room (the dashboard's "today"). */
import { localTime } from "../core/office-hours.ts";

/** Local midnight of the day of `now` in `timeZone`, as epoch ms (good to the minute). */
export function startOfLocalDay(now: number, timeZone: string): number {
  const { minute } = localTime(new Date(now), timeZone);
  return now - minute * 60_000 - (now % 60_000);
}
