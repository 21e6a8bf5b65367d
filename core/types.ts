/** Domain types shared by every room. */

/**
 * admin: everything; staff: use the console and act on alerts; viewer: a member of the
 * staff group who is not on a list: may read (status, history, alerts) but not act.
 */
export type Role = "admin" | "staff" | "viewer";

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
