/** Climate readings as stored, and their summaries. */

/** One stored climate reading. `at` is epoch milliseconds (UTC). */
export interface Reading {
  roomId: string;
  at: number;
  temperatureC: number;
  humidityPct: number;
}

/** One time bucket of a room's readings: count, min/avg/max of both quantities. */
export interface ReadingBucket {
  /** Bucket start, epoch ms. */
  at: number;
  /** Readings in the bucket (at least 1). */
  count: number;
  tMin: number;
  tAvg: number;
  tMax: number;
  hMin: number;
  hAvg: number;
  hMax: number;
}

/** What taking a sample gave: a stored reading, or which stage failed and why. */
export type SampleOutcome =
  | { ok: true; reading: Reading }
  | { ok: false; stage: "sensor" | "storage"; message: string };
