import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createStaffReceiver } from "../../../app/staff-share.ts";
import type { StaffMember } from "../../../core/door/ports.ts";
import {
  MAX_STAFF_CARDS,
  MAX_STAFF_LIST_BYTES,
  parseStaffList,
  planMirror,
  sharedCards,
} from "../../../core/rooms/staff-sync.ts";
import { createSqliteStorage } from "../../../storage/sqlite/index.ts";
import { captureLogs } from "../../support/log-capture.ts";

const member = (cardUid: string, name: string, extra: Partial<StaffMember> = {}): StaffMember => ({
  cardUid,
  name,
  role: "staff",
  active: true,
  createdBy: 1,
  createdAt: 1,
  ...extra,
});

describe("the staff list the hub shares", () => {
  test("sharedCards: no Telegram ids or who/when, sorted by UID, rooms distinct and sorted", () => {
    const cards = sharedCards([
      member("0B0B0B0B", "Bob", { telegramUserId: 42, rooms: ["dc-2", "dc-1"] }),
      member("04A2B3C4", "Ann", { active: false, revokedAt: 5, revokedBy: 7, role: "admin" }),
    ]);
    assert.deepEqual(cards, [
      { cardUid: "04A2B3C4", name: "Ann", role: "admin", active: false },
      { cardUid: "0B0B0B0B", name: "Bob", role: "staff", active: true, rooms: ["dc-1", "dc-2"] },
    ]);
    const parsed = parseStaffList(JSON.stringify({ at: 1, cards }));
    assert.deepEqual(parsed, { ok: true, list: { at: 1, cards } }, "round trip");
  });

  test("parseStaffList refuses anything malformed, with why", () => {
    const card = { cardUid: "04A2B3C4", name: "Ann", role: "staff", active: true };
    const bad: Array<[unknown, RegExp]> = [
      ["{", /not JSON/],
      [{ cards: [] }, /not a staff list/],
      [{ at: 1, cards: {} }, /not a staff list/],
      [{ at: 1, cards: [{ ...card, cardUid: "04:a2:b3:c4" }] }, /invalid card UID/],
      [{ at: 1, cards: [{ ...card, cardUid: "123" }] }, /invalid card UID/],
      [{ at: 1, cards: [card, card] }, /listed twice/],
      [{ at: 1, cards: [{ ...card, name: " " }] }, /invalid name/],
      [{ at: 1, cards: [{ ...card, role: "root" }] }, /invalid role/],
      [{ at: 1, cards: [{ ...card, active: "yes" }] }, /invalid active/],
      [{ at: 1, cards: [{ ...card, rooms: "dc-1" }] }, /invalid rooms/],
      [{ at: 1, cards: [{ ...card, rooms: ["../x"] }] }, /invalid rooms/],
      [{ at: 1, cards: [null] }, /not an object/],
    ];
    for (const [payload, why] of bad) {
      const r = parseStaffList(typeof payload === "string" ? payload : JSON.stringify(payload));
      assert.equal(r.ok, false, JSON.stringify(payload));
      assert.match(r.ok ? "" : r.error, why);
    }
    const big = Buffer.alloc(MAX_STAFF_LIST_BYTES + 1, 0x20);
    assert.match((parseStaffList(big) as { error: string }).error, /too large/);
    const many = { at: 1, cards: Array.from({ length: MAX_STAFF_CARDS + 1 }, () => 0) };
    assert.match((parseStaffList(JSON.stringify(many)) as { error: string }).error, /too many cards/);
  });

  test("planMirror: add new, update changed, deactivate active cards no longer listed", () => {
    const local = [
      member("01", "Same"),
      member("02", "Old name"),
      member("03", "Gone"),
      member("04", "Gone already", { active: false }),
      member("05", "Rooms", { rooms: ["b", "a"] }),
    ];
    const plan = planMirror(local, [
      { cardUid: "01", name: "Same", role: "staff", active: true },
      { cardUid: "02", name: "New name", role: "staff", active: true },
      { cardUid: "05", name: "Rooms", role: "staff", active: true, rooms: ["a", "b"] },
      { cardUid: "06", name: "New", role: "admin", active: true },
    ]);
    assert.deepEqual(
      plan.add.map((c) => c.cardUid),
      ["06"],
    );
    assert.deepEqual(
      plan.update.map((c) => c.cardUid),
      ["02"],
    );
    assert.deepEqual(plan.deactivate, ["03"]);
  });
});

describe("a room applying the hub's list (SQLite)", () => {
  test("one transaction: added, updated, deactivated; Telegram links and the access log untouched", async () => {
    const s = createSqliteStorage({ file: ":memory:" });
    await s.staff.add(member("01", "Ann", { telegramUserId: 42 }));
    await s.staff.add(member("02", "Bob"));
    await s.accessLog.add({ roomId: "dc-1", at: 1, cardUid: "02", staffName: "Bob", decision: "allowed" });
    const mirror = s.staffMirror;
    assert.ok(mirror);
    const changes = await mirror.apply(
      [
        { cardUid: "01", name: "Ann Lee", role: "admin", active: true, rooms: ["dc-1"] },
        { cardUid: "03", name: "Cy", role: "staff", active: false },
      ],
      9_000,
    );
    assert.deepEqual(changes, { added: 1, updated: 1, deactivated: 1 });
    assert.deepEqual(await s.staff.getByUid("01"), {
      ...member("01", "Ann Lee", { telegramUserId: 42, role: "admin" }),
      rooms: ["dc-1"],
    });
    assert.deepEqual(
      await s.staff.getByUid("02"),
      member("02", "Bob", { active: false, revokedAt: 9_000, revokedBy: 0 }),
    );
    assert.deepEqual(await s.staff.getByUid("03"), {
      cardUid: "03",
      name: "Cy",
      role: "staff",
      active: false,
      createdBy: 0,
      createdAt: 9_000,
      revokedAt: 9_000,
      revokedBy: 0,
    });
    assert.equal(await s.accessLog.count("dc-1"), 1, "history kept");
    assert.deepEqual((await s.staff.findByName("ann"))[0]?.name, "Ann Lee", "the folded name follows");
    // The same list again changes nothing; a card restored at the hub is active again.
    assert.deepEqual(
      await mirror.apply(
        [
          { cardUid: "01", name: "Ann Lee", role: "admin", active: true, rooms: ["dc-1"] },
          { cardUid: "02", name: "Bob", role: "staff", active: true },
          { cardUid: "03", name: "Cy", role: "staff", active: false },
        ],
        10_000,
      ),
      { added: 0, updated: 1, deactivated: 0 },
    );
    assert.deepEqual(await s.staff.getByUid("02"), member("02", "Bob"));
    await s.close();
  });

  test("the receiver keeps the room's copy on a malformed or empty list", async () => {
    const s = createSqliteStorage({ file: ":memory:" });
    const mirror = s.staffMirror;
    assert.ok(mirror);
    const logs = captureLogs();
    const receiver = createStaffReceiver({ mirror, staff: s.staff, logger: logs.logger });
    const list = (cards: unknown[]) => Buffer.from(JSON.stringify({ at: 1, cards }));
    receiver.onStaffList(list([{ cardUid: "01010101", name: "Ann", role: "staff", active: true }]));
    await receiver.idle();
    assert.equal((await s.staff.getByUid("01010101"))?.active, true);
    receiver.onStaffList(Buffer.from("{not json"));
    receiver.onStaffList(list([{ cardUid: "01010101", name: "Ann", role: "root", active: true }]));
    receiver.onStaffList(list([]));
    await receiver.idle();
    assert.deepEqual(await s.staff.getByUid("01010101"), {
      ...member("01010101", "Ann", { createdBy: 0 }),
      createdAt: (await s.staff.getByUid("01010101"))?.createdAt ?? 0,
    });
    assert.equal((await s.staff.list()).length, 1, "still active: the copy was kept");
    const warnings = logs.messages("warn");
    assert.equal(warnings.filter((m) => /staff list was refused; this room keeps its copy/.test(m)).length, 2);
    assert.ok(
      warnings.some((m) => /empty staff list/.test(m)),
      warnings.join("\n"),
    );
    await s.close();
  });
});
