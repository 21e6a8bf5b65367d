/**
 * What the polling card reader drivers share: their defaults, the timer functions they
 * schedule polls with (injectable, so tests move time themselves), and option checks.
 * Both MFRC522 drivers (over /dev/spidev, and through mfrc522-rpi) poll the same way:
 * one poll every `pollMs`, sightings de-bounced by debounce.ts, a watchdog that resets
 * the chip after `watchdogMs` of failed polls and declares it dead if that did not help.
 */

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

/** Timer functions, injectable for tests (default: the global ones). */
export interface PollTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: PollTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** `value` if it is a finite number > 0; a RangeError naming the option otherwise. */
export function positiveOption(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a finite number > 0, got ${value}`);
  return value;
}

/** `value` if it is a finite number >= 0; a RangeError naming the option otherwise. */
export function nonNegativeOption(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a finite number >= 0, got ${value}`);
  return value;
}
