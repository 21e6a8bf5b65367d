/**
 * What the polling card reader drivers share. Both MFRC522 drivers (over /dev/spidev, and
 * through mfrc522-rpi) poll the same way, through ../polling.ts (one poll every `pollMs`,
 * injectable timers), and judge each poll with the same watchdog (watchChip): sightings
 * de-bounced by debounce.ts into taps; polls failing for `watchdogMs` reset the chip once,
 * and if the next poll still fails the reader is "dead"; then a reset before every retry,
 * `deadPollMs` apart, until it answers ("alive").
 */
import type { CardReaderEvent, CardUid } from "../../core/door/card-reader.ts";
import type { DeviceSession } from "../polling.ts";
import type { TapDebouncer } from "./debounce.ts";

export type { PollTimers } from "../polling.ts";

export const CARD_READER_DEFAULTS = {
  /** Pause between polls (ms). */
  pollMs: 200,
  /** BCM GPIO of the RST line (GPIO 25 = header pin 22, as in mfrc522-rpi's example). */
  resetPin: 25,
  /** A card seen again within this time of its last sighting is not a new tap (ms). */
  debounceMs: 1500,
  /** How long polls may fail before the chip is reset, then declared dead (ms). */
  watchdogMs: 5000,
  /** Pause between attempts while the reader is dead (ms). */
  deadPollMs: 2000,
} as const;

/** What one poll of the chip found: a card (or none), or why the chip did not answer. */
export type ChipPoll = { answering: true; uid?: CardUid } | { answering: false; reason: string };

export interface ChipWatchOptions {
  pollMs: number;
  watchdogMs: number;
  deadPollMs: number;
  /** The reader's debouncer (it outlives a session: a card held across stop/start is not a new tap). */
  debouncer: TapDebouncer;
  /** The reader, for the "dead" reason: "MFRC522 on /dev/spidev0.0". */
  where: string;
  /** What the reset is, for the "dead" reason: "a hard reset". */
  resetWhat: string;
  /** Said after "did not help", asked when "dead" is emitted: " (the RST pulse failed: ...)" or "". */
  resetNote?: () => string;
}

/** After a poll: the pause before the next one, and whether to reset the chip first. */
export interface ChipVerdict {
  next: number;
  reset: boolean;
}

export interface ChipWatch {
  /** One poll's result at `at` (clock ms): taps, "alive", "dead", and what to do next. */
  judge(result: ChipPoll, at: number): ChipVerdict;
}

/** The watchdog of one reader session (see the top of this file). */
export function watchChip(s: DeviceSession<CardReaderEvent>, o: ChipWatchOptions): ChipWatch {
  /** Whether the reset before "dead" was tried in this run of failed polls. */
  let resetTried = false;
  return {
    judge(result, at) {
      if (result.answering) {
        resetTried = false;
        s.answered(at);
        if (result.uid !== undefined && o.debouncer.sighting(result.uid, at)) {
          s.emit({ type: "tap", uid: result.uid, at });
        }
        return { next: o.pollMs, reset: false };
      }
      if (s.dead) return { next: o.deadPollMs, reset: true };
      s.failed(at);
      const failingFor = at - (s.failingSince ?? at);
      if (failingFor < o.watchdogMs) return { next: o.pollMs, reset: false };
      if (!resetTried) {
        resetTried = true;
        return { next: o.pollMs, reset: true };
      }
      s.giveUp(
        at,
        `${o.where} has not answered for ${Math.round(failingFor / 100) / 10} s, and ${o.resetWhat}` +
          ` did not help${o.resetNote?.() ?? ""}: ${result.reason}`,
      );
      return { next: o.deadPollMs, reset: false };
    },
  };
}
