/**
 * Turning card sightings into taps: pure, shared by the MFRC522 driver and the simulator
 * so both de-bounce exactly the same way.
 *
 * A reader sees a card held in its field on (nearly) every poll, and sometimes misses it
 * for a poll or two. So a sighting is a new tap only if that card was not seen during the
 * last `debounceMs`; every sighting, tap or not, restarts that card's quiet period. Hence:
 * - a card held in the field is one tap, however long it stays;
 * - a card taken away and presented again within `debounceMs` of its last sighting is not
 *   a new tap; presented again `debounceMs` or more after, it is;
 * - a different card is a new tap at once (each card has its own quiet period).
 */
import type { CardUid } from "../../core/door/card-reader.ts";
import { nonNegativeOption } from "../options.ts";

export interface TapDebouncer {
  /** Records that `uid` was seen at `at` (ms); true when this sighting is a new tap. */
  sighting(uid: CardUid, at: number): boolean;
  /** Forgets every card (the next sighting of any card is a tap). */
  clear(): void;
}

export function createTapDebouncer(debounceMs: number): TapDebouncer {
  nonNegativeOption("debounceMs", debounceMs);
  const lastSeen = new Map<CardUid, number>();
  return {
    sighting(uid, at) {
      for (const [card, seenAt] of lastSeen) {
        if (card !== uid && at - seenAt >= debounceMs) lastSeen.delete(card);
      }
      const previous = lastSeen.get(uid);
      lastSeen.set(uid, previous === undefined ? at : Math.max(previous, at));
      return previous === undefined || at - previous >= debounceMs;
    },
    clear() {
      lastSeen.clear();
    },
  };
}
