import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  describeOfficeHours,
  isWithinOfficeHours,
  type OfficeHours,
  parseOfficeHoursSpec,
} from "../../core/office-hours.ts";

function hours(spec: string, timeZone: string, holidays: string[] = []): OfficeHours {
  const parsed = parseOfficeHoursSpec(spec);
  assert.ok(parsed.ok);
  return { timeZone, days: parsed.days, holidays: new Set(holidays) };
}

describe("office hours", () => {
  test("02:00 is outside and 10:00 inside the default 07:00-19:00", () => {
    const h = hours("mon-sun 07:00-19:00", "UTC");
    assert.equal(isWithinOfficeHours(new Date("2026-11-23T02:00:00Z"), h), false);
    assert.equal(isWithinOfficeHours(new Date("2026-11-23T10:00:00Z"), h), true);
    assert.equal(isWithinOfficeHours(new Date("2026-11-23T07:00:00Z"), h), true, "start is inclusive");
    assert.equal(isWithinOfficeHours(new Date("2026-11-23T19:00:00Z"), h), false, "end is exclusive");
  });

  test("uses the configured timezone, not the machine's", () => {
    const h = hours("mon-fri 09:00-17:00", "Asia/Tokyo");
    // 01:00 UTC Monday is 10:00 in Tokyo.
    assert.equal(isWithinOfficeHours(new Date("2026-11-23T01:00:00Z"), h), true);
    // 10:00 UTC Monday is 19:00 in Tokyo.
    assert.equal(isWithinOfficeHours(new Date("2026-11-23T10:00:00Z"), h), false);
  });

  test("weekends and holidays are closed", () => {
    const h = hours("mon-fri 07:00-19:00", "Europe/Berlin", ["2026-12-25"]);
    assert.equal(isWithinOfficeHours(new Date("2026-11-22T10:00:00Z"), h), false, "Sunday");
    assert.equal(isWithinOfficeHours(new Date("2026-12-25T10:00:00Z"), h), false, "holiday");
    assert.equal(isWithinOfficeHours(new Date("2026-12-24T10:00:00Z"), h), true);
  });

  test("day ranges wrap around the week", () => {
    const parsed = parseOfficeHoursSpec("fri-mon 10:00-12:00");
    assert.ok(parsed.ok);
    assert.deepEqual(
      parsed.days.map((d) => d.length),
      [1, 1, 0, 0, 0, 1, 1],
    );
  });

  test("rejects malformed specs with a reason", () => {
    for (const [spec, reason] of [
      ["", /empty/],
      ["monday", /cannot read/],
      ["xyz 07:00-19:00", /unknown weekday/],
      ["mon 7-19", /bad time/],
      ["mon 25:00-26:00", /bad time/],
      ["mon 19:00-07:00", /ends before/],
    ] as const) {
      const r = parseOfficeHoursSpec(spec);
      assert.ok(!r.ok, spec);
      assert.match(r.error, reason, spec);
    }
  });
});

describe("describeOfficeHours", () => {
  const describeSpec = (spec: string) => {
    const parsed = parseOfficeHoursSpec(spec);
    assert.ok(parsed.ok);
    return describeOfficeHours({ days: parsed.days });
  };

  test("says the spec back, Monday first, equal neighbouring days grouped", () => {
    assert.equal(describeSpec("mon-sun 07:00-19:00"), "mon-sun 07:00-19:00");
    assert.equal(describeSpec("mon-fri 08:00-18:00; sat 09:00-13:00"), "mon-fri 08:00-18:00; sat 09:00-13:00");
    assert.equal(describeSpec("sat 09:00-13:00; mon-wed 08:00-12:00"), "mon-wed 08:00-12:00; sat 09:00-13:00");
  });

  test("days with different windows are not merged; gaps split groups; nothing open is 'closed'", () => {
    assert.equal(describeSpec("mon 08:00-12:00; tue 09:00-12:00"), "mon 08:00-12:00; tue 09:00-12:00");
    assert.equal(describeSpec("mon 08:00-12:00; wed 08:00-12:00"), "mon 08:00-12:00; wed 08:00-12:00");
    assert.equal(describeOfficeHours({ days: [[], [], [], [], [], [], []] }), "closed");
  });
});
