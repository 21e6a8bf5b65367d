/** Domain types shared by every room. */

export type Role = "admin" | "staff";

/** One stored climate reading. `at` is epoch milliseconds (UTC). */
export interface Reading {
  roomId: string;
  at: number;
  temperatureC: number;
  humidityPct: number;
}
