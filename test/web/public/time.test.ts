/**
 * Times in the room's zone (web/public/time.js): a date picked in the door log's filter is that
 * day in the room's zone, whatever the browser's zone, across daylight saving changes too.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";

interface TimeModule {
  zoneOffset(epochMs: number, timeZone: string): number;
  zonedMidnight(date: string, timeZone: string): number | null;
  nextDay(date: string): string | null;
  zonedDate(epochMs: number, timeZone: string): string;
  formatWhen(epochMs: number, language: string, timeZone: string, now?: number): string;
}

const PUBLIC = fileURLToPath(new URL("../../../web/public/", import.meta.url));
const time = (await import(pathToFileURL(`${PUBLIC}time.js`).href)) as TimeModule;

describe("times in the room's zone", () => {
  test("offsets", () => {
    assert.equal(time.zoneOffset(Date.UTC(2026, 11, 6, 12), "Asia/Tokyo"), 9 * 3600_000);
    assert.equal(time.zoneOffset(Date.UTC(2026, 11, 6, 12), "UTC"), 0);
    assert.equal(time.zoneOffset(Date.UTC(2026, 6, 1, 12), "America/New_York"), -4 * 3600_000);
  });

  test("a date's midnight in the zone", () => {
    assert.equal(time.zonedMidnight("2026-12-06", "Asia/Tokyo"), Date.UTC(2026, 11, 5, 15));
    assert.equal(time.zonedMidnight("2026-12-06", "UTC"), Date.UTC(2026, 11, 6));
    // New York's spring and autumn changes happen at 02:00, after midnight: EST before, EDT after.
    assert.equal(time.zonedMidnight("2026-03-08", "America/New_York"), Date.UTC(2026, 2, 8, 5));
    assert.equal(time.zonedMidnight("2026-03-09", "America/New_York"), Date.UTC(2026, 2, 9, 4));
    assert.equal(time.zonedMidnight("2026-11-01", "America/New_York"), Date.UTC(2026, 10, 1, 4));
    assert.equal(time.zonedMidnight("", "UTC"), null);
    assert.equal(time.zonedMidnight("6/12/2026", "UTC"), null);
  });

  test("the next day across month and year ends", () => {
    assert.equal(time.nextDay("2026-12-31"), "2027-01-01");
    assert.equal(time.nextDay("2028-02-28"), "2028-02-29");
    assert.equal(time.nextDay("nope"), null);
  });

  test("the date in the zone, and list times: the time today, the date otherwise", () => {
    const at = Date.UTC(2026, 11, 6, 16, 30); // 01:30 on the 7th in Tokyo
    assert.equal(time.zonedDate(at, "Asia/Tokyo"), "2026-12-07");
    assert.equal(time.zonedDate(at, "UTC"), "2026-12-06");
    assert.equal(time.formatWhen(at, "en", "Asia/Tokyo", at + 3600_000), "01:30");
    assert.match(time.formatWhen(at, "en", "Asia/Tokyo", at + 86_400_000), /Dec 7, 2026.*01:30/);
    assert.equal(time.formatWhen(Number.NaN, "en", "UTC"), "");
  });
});
