import assert from "node:assert/strict";
import { test } from "node:test";
import { decideAccess, opensRoom } from "../../../core/door/policy.ts";
import type { StaffMember } from "../../../core/door/ports.ts";
import type { OfficeHours } from "../../../core/office-hours.ts";

const ALWAYS: OfficeHours = {
  timeZone: "UTC",
  days: Array.from({ length: 7 }, () => [{ start: 0, end: 24 * 60 }]),
  holidays: new Set(),
};
const NEVER: OfficeHours = { timeZone: "UTC", days: Array.from({ length: 7 }, () => []), holidays: new Set() };
const at = new Date("2026-12-07T10:00:00Z");

const card = (extra: Partial<StaffMember> = {}): StaffMember => ({
  cardUid: "04A2",
  name: "Ann",
  role: "staff",
  active: true,
  createdBy: 1,
  createdAt: 1,
  ...extra,
});

test("a card without a list of rooms opens every room's door", () => {
  assert.equal(decideAccess(card(), "dc-1", at, ALWAYS), "allowed");
  assert.equal(decideAccess(card(), "anywhere", at, ALWAYS), "allowed");
  assert.equal(decideAccess(card(), "dc-1", at, NEVER), "off-hours");
});

test("a card restricted to some rooms: allowed there, 'wrong-room' elsewhere, at any hour", () => {
  const dc1 = card({ rooms: ["dc-1", "dc-3"] });
  assert.equal(decideAccess(dc1, "dc-1", at, ALWAYS), "allowed");
  assert.equal(decideAccess(dc1, "dc-3", at, NEVER), "off-hours", "its own room outside hours is still a breach");
  assert.equal(decideAccess(dc1, "dc-2", at, ALWAYS), "wrong-room");
  assert.equal(decideAccess(dc1, "dc-2", at, NEVER), "wrong-room", "refused, not a breach: the door stays shut");
  assert.equal(decideAccess(card({ rooms: [] }), "dc-1", at, ALWAYS), "wrong-room", "an empty list opens nothing");
  assert.equal(decideAccess(dc1, "DC-1", at, ALWAYS), "wrong-room", "room ids compared exactly");
});

test("unknown and revoked come first, whatever the rooms", () => {
  assert.equal(decideAccess(undefined, "dc-1", at, ALWAYS), "unknown");
  assert.equal(decideAccess(card({ active: false, rooms: ["dc-2"] }), "dc-1", at, ALWAYS), "revoked");
  assert.equal(decideAccess(card({ active: false, rooms: ["dc-1"] }), "dc-1", at, ALWAYS), "revoked");
});

test("opensRoom", () => {
  assert.equal(opensRoom({}, "x"), true);
  assert.equal(opensRoom({ rooms: ["x"] }, "x"), true);
  assert.equal(opensRoom({ rooms: ["y"] }, "x"), false);
});
