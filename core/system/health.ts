/**
 * The Pi's own health as the room sees it: whether its clock is synchronised, and the
 * firmware's under-voltage and throttling flags. The readers are a port: hardware/system
 * reads the real Pi (sysfs, timedatectl, vcgencmd); tests give fakes.
 *
 * The firmware's throttled bits: bit 0 under-voltage now, 1 ARM frequency capped now,
 * 2 throttled now, 3 soft temperature limit now; bits 16-19 the same "has occurred since boot".
 */

/** An answer, or why there is none (not a Pi, no tool): unknown is not a problem. */
export type Answer<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface Throttled {
  /** The raw bits. */
  bits: number;
  underVoltageNow: boolean;
  cappedNow: boolean;
  throttledNow: boolean;
  softTempLimitNow: boolean;
  underVoltageOccurred: boolean;
  cappedOccurred: boolean;
  throttledOccurred: boolean;
  softTempLimitOccurred: boolean;
}

export function decodeThrottled(bits: number): Throttled {
  const has = (b: number) => (bits & (1 << b)) !== 0;
  return {
    bits,
    underVoltageNow: has(0),
    cappedNow: has(1),
    throttledNow: has(2),
    softTempLimitNow: has(3),
    underVoltageOccurred: has(16),
    cappedOccurred: has(17),
    throttledOccurred: has(18),
    softTempLimitOccurred: has(19),
  };
}

/** "throttled=0x50005" or "0x50005" or "50005" -> bits; undefined if not that. */
export function parseThrottled(text: string): number | undefined {
  const m = /^(?:throttled=)?(?:0x)?([0-9a-fA-F]+)$/.exec(text.trim());
  return m ? Number.parseInt(m[1] as string, 16) : undefined;
}

export interface SystemHealthReaders {
  /** Whether the system clock is synchronised (NTP). */
  clockSynchronised(): Promise<Answer<boolean>>;
  /** The firmware's throttled flags. */
  throttled(): Promise<Answer<Throttled>>;
}
