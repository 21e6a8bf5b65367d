/**
 * Short opaque stand-ins for callback data, kept in memory.
 *
 * Telegram limits a button's callback_data to 64 bytes, and whatever is in it is visible
 * to everyone who gets the message (a viewer in the staff group may read a card UID out of
 * it). `shorten(data)` returns a reference like "~Vx3k9Qa_2bLm" that the bot sends instead;
 * when the button is pressed, `resolve` gives the original back (bot/outgoing.ts does both,
 * before any feature sees the press). The same data always gets the same reference while
 * it is remembered, so re-rendering a message does not change its buttons.
 *
 * The store is bounded: beyond `capacity` references, the least recently used ones are
 * forgotten, and a restart forgets them all; a press on a forgotten one resolves to
 * undefined (the caller answers "this button has expired").
 */
import { randomBytes } from "node:crypto";

/** Every reference starts with this; no feature's callback data does. */
export const CALLBACK_REF_PREFIX = "~";
const REF = /^~[A-Za-z0-9_-]{12}$/;

export class CallbackRefs {
  private readonly byRef = new Map<string, string>();
  private readonly byData = new Map<string, string>();

  readonly capacity: number;

  constructor(capacity = 5_000) {
    this.capacity = capacity;
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer`);
  }

  /** Whether `data` looks like a reference (remembered or not). */
  static isRef(data: string): boolean {
    return REF.test(data);
  }

  /** The reference for `data` (13 ASCII bytes), the same one while it is remembered. */
  shorten(data: string): string {
    const known = this.byData.get(data);
    if (known !== undefined) {
      this.touch(known, data);
      return known;
    }
    let ref: string;
    do ref = `${CALLBACK_REF_PREFIX}${randomBytes(9).toString("base64url")}`;
    while (this.byRef.has(ref));
    this.touch(ref, data);
    while (this.byRef.size > this.capacity) {
      const oldest = this.byRef.keys().next().value as string;
      this.byData.delete(this.byRef.get(oldest) as string);
      this.byRef.delete(oldest);
    }
    return ref;
  }

  /** The data behind a reference, or undefined if it was never made here or is forgotten. */
  resolve(ref: string): string | undefined {
    const data = this.byRef.get(ref);
    if (data !== undefined) this.touch(ref, data);
    return data;
  }

  get size(): number {
    return this.byRef.size;
  }

  private touch(ref: string, data: string): void {
    this.byRef.delete(ref);
    this.byRef.set(ref, data);
    this.byData.set(data, ref);
  }
}
