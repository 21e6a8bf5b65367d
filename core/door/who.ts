/** Who came in today: one answer for the bot's /who and the dashboard's door view. */
import { startOfLocalDay } from "../office-hours.ts";
import { formatCardUid } from "./card-uid.ts";
import type { AccessLogRepository } from "./ports.ts";

export interface PersonToday {
  /** The staff name on the first tap of the day, else the card's UID. */
  name: string;
  firstAt: number;
  lastAt: number;
  /** Taps the door let through. */
  taps: number;
  /** Whether one of them was outside office hours. */
  offHours: boolean;
}

/**
 * The people (one per card) the door let in since local midnight in `timeZone` up to `now`,
 * in the order they first came.
 */
export async function whoCameInToday(
  accessLog: AccessLogRepository,
  roomId: string,
  now: number,
  timeZone: string,
): Promise<PersonToday[]> {
  const rows = await accessLog.between(roomId, startOfLocalDay(now, timeZone), now + 1, 10_000);
  const people = new Map<string, PersonToday>();
  for (const e of rows) {
    if (e.decision !== "allowed" && e.decision !== "off-hours") continue;
    const p = people.get(e.cardUid) ?? {
      name: e.staffName ?? formatCardUid(e.cardUid),
      firstAt: e.at,
      lastAt: e.at,
      taps: 0,
      offHours: false,
    };
    p.lastAt = e.at;
    p.taps++;
    p.offHours ||= e.decision === "off-hours";
    people.set(e.cardUid, p);
  }
  return [...people.values()];
}
