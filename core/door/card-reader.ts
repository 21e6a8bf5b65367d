/**
 * The card reader port: taps of staff cards at the door. Implemented by the MFRC522
 * drivers (over /dev/spidev, the default; through mfrc522-rpi on a Pi 1-4) and by the
 * simulator.
 */

/** A card UID, normalized: upper-case hex, no separators (e.g. "04A2B3C4D5E6F7"). */
export type CardUid = string;

export type CardReaderEvent =
  /** A card was presented (once per presentation: held cards are not repeated). */
  | { type: "tap"; uid: CardUid; at: number }
  /** The reader stopped answering (the watchdog's resets did not help). */
  | { type: "dead"; reason: string; at: number }
  /** The reader answers again after being dead. */
  | { type: "alive"; at: number };

export interface CardReader {
  /** The driver's name: "mfrc522" (over /dev/spidev), "mfrc522-rpi" or "sim". */
  readonly driver: string;
  /** Starts polling; events go to `listener`. Rejects (with a clear message) if the reader cannot be opened. */
  start(listener: (event: CardReaderEvent) => void): Promise<void>;
  /** Stops polling and releases the device. Safe to call twice. */
  stop(): Promise<void>;
}

/** The next tap, claimed for an enrollment (/enroll). */
export interface CardCapture {
  /**
   * The UID of the next tap, or undefined on timeout or cancel. Never settles when the door
   * job stops first (the console is shutting down: there is nobody left to tell).
   */
  readonly card: Promise<CardUid | undefined>;
  cancel(): void;
}
