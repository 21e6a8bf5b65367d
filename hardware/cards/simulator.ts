/**
 * A simulated card reader for development and tests. It honours the driver's contract:
 * UIDs normalized and validated by the same uid.ts (an invalid one throws), taps
 * de-bounced by the same debouncer as the MFRC522 driver (the same card again within
 * `debounceMs` of its last sighting is one tap), and the same failures: `kill()` is a
 * reader that stops answering ("dead", once), `revive()` one that answers again ("alive").
 *
 * Like a real reader that is not being polled, it ignores cards while it is stopped
 * (before start(), after stop()) or dead: tap() then returns false and emits nothing.
 * Events are delivered synchronously, from inside tap()/hold()/kill()/revive()/start().
 * A listener that throws is ignored, as in the driver.
 */
import { type Clock, systemClock } from "../../core/clock.ts";
import type { CardReader, CardReaderEvent, CardUid } from "../../core/door/card-reader.ts";
import { notify } from "../polling.ts";
import { createTapDebouncer } from "./debounce.ts";
import { CARD_READER_DEFAULTS } from "./polling.ts";
import { normalizeUid } from "./uid.ts";

export interface SimulatedCardReaderOptions {
  /** Time of events and of the debounce (default: the system clock). */
  clock?: Clock;
  /** As in the driver (default 1500 ms). */
  debounceMs?: number;
}

export interface SimulatedCardReader extends CardReader {
  readonly driver: "sim";
  /** Number of "tap" events emitted so far. */
  readonly taps: number;
  /** Whether start() was called and stop() not since. */
  readonly running: boolean;
  /** The card held in the field, if any (normalized). */
  readonly held: CardUid | undefined;
  /**
   * A card is presented briefly. Returns whether that made a "tap" event (false: stopped,
   * dead, or de-bounced). Throws a clear Error when `uid` is not a valid card UID.
   */
  tap(uid: string): boolean;
  /**
   * A card is presented and stays in the field until remove(): one tap, and it keeps
   * being seen (so tapping it again changes nothing) while the reader answers.
   */
  hold(uid: string): boolean;
  /** Takes the held card away (seen until now). */
  remove(): void;
  /** The reader stops answering: "dead" (once; when started, or at start()). */
  kill(reason?: string): void;
  /** The reader answers again: "alive" if "dead" was emitted; a held card may tap again. */
  revive(): void;
}

const DEFAULT_DEAD_REASON = "sim: the reader stopped answering (fault injected)";

export function createSimulatedCardReader(opts: SimulatedCardReaderOptions = {}): SimulatedCardReader {
  const clock = opts.clock ?? systemClock;
  const debouncer = createTapDebouncer(opts.debounceMs ?? CARD_READER_DEFAULTS.debounceMs);
  let listener: ((event: CardReaderEvent) => void) | undefined;
  let taps = 0;
  let held: CardUid | undefined;
  /** Whether the held card has been in view of an answering reader since its last sighting. */
  let heldInView = false;
  let dead: { reason: string; emitted: boolean } | undefined;

  const now = () => clock.now().getTime();
  const answering = () => listener !== undefined && dead === undefined;

  /** As in the drivers: a failing listener does not break the device. */
  function emit(event: CardReaderEvent): void {
    notify(listener, event);
  }

  function parse(uid: string): CardUid {
    const normalized = normalizeUid(uid);
    if (normalized === undefined) {
      throw new Error(
        `sim: ${JSON.stringify(uid)} is not a card UID (4, 7 or 10 bytes in hex, e.g. "04:A2:B3:C4"; ` +
          "not all 00 or FF, and a 4-byte UID cannot start with the cascade tag 88)",
      );
    }
    return normalized;
  }

  /** The held card is seen on every poll while the reader answers: bring its last sighting up to `at`. */
  function refreshHeld(at: number): void {
    if (held !== undefined && heldInView && answering()) debouncer.sighting(held, at);
  }

  /** The reader starts or stops seeing the held card (start/stop, dead/alive). */
  function heldComesIntoView(): void {
    if (held === undefined || !answering()) return;
    sight(held);
    heldInView = true;
  }

  function heldGoesOutOfView(): void {
    refreshHeld(now());
    heldInView = false;
  }

  /** What a poll that sees `uid` would do. */
  function sight(uid: CardUid): boolean {
    if (!answering()) return false;
    const at = now();
    refreshHeld(at);
    if (!debouncer.sighting(uid, at)) return false;
    taps++;
    emit({ type: "tap", uid, at });
    return true;
  }

  function remove(): void {
    heldGoesOutOfView();
    held = undefined;
  }

  return {
    driver: "sim",
    get taps() {
      return taps;
    },
    get running() {
      return listener !== undefined;
    },
    get held() {
      return held;
    },
    async start(l) {
      if (listener) throw new Error("sim: the reader is already started");
      listener = l;
      if (dead) {
        dead.emitted = true;
        emit({ type: "dead", reason: dead.reason, at: now() });
      } else {
        heldComesIntoView();
      }
    },
    async stop() {
      heldGoesOutOfView();
      listener = undefined;
    },
    tap(uid) {
      return sight(parse(uid));
    },
    hold(uid) {
      const card = parse(uid);
      if (held !== undefined && held !== card) remove();
      const tapped = sight(card);
      held = card;
      heldInView = answering();
      return tapped;
    },
    remove,
    kill(reason = DEFAULT_DEAD_REASON) {
      if (dead) return;
      heldGoesOutOfView();
      dead = { reason, emitted: false };
      if (listener) {
        dead.emitted = true;
        emit({ type: "dead", reason, at: now() });
      }
    },
    revive() {
      if (!dead) return;
      const { emitted } = dead;
      dead = undefined;
      if (!listener) return;
      if (emitted) emit({ type: "alive", at: now() });
      heldComesIntoView();
    },
  };
}
