import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { AccessDecision, AccessEntry, StaffMember } from "../../../storage/access-ports.ts";
import { ACCESS_LOG_QUERIES, TelegramAlreadyLinkedError } from "../../../storage/sqlite/access.ts";
import { closeDatabase, openDatabase } from "../../../storage/sqlite/database.ts";
import { createSqliteStorage } from "../../../storage/sqlite/index.ts";

const tmp = () => mkdtempSync(join(tmpdir(), "seroma-access-"));
const memory = () => createSqliteStorage({ file: ":memory:" });

const member = (cardUid: string, name: string, extra: Partial<StaffMember> = {}): StaffMember => ({
  cardUid,
  name,
  role: "staff",
  active: true,
  createdBy: 1,
  createdAt: 1_000,
  ...extra,
});

const entry = (
  roomId: string,
  at: number,
  cardUid: string,
  decision: AccessDecision = "allowed",
  /** null: no staff name (an unknown card). */
  staffName: string | null = "Ann",
): Omit<AccessEntry, "id"> => ({ roomId, at, cardUid, decision, ...(staffName === null ? {} : { staffName }) });

describe("SQLite staff repository", () => {
  test("add then getByUid returns the same record, optional fields absent when unset", async () => {
    const s = memory();
    const ann = member("04A2B3C4", "Ann", { role: "admin", telegramUserId: 42, createdBy: 7, createdAt: 5_000 });
    assert.deepEqual(await s.staff.add(ann), { ok: true });
    assert.deepEqual(await s.staff.getByUid("04A2B3C4"), ann);
    await s.staff.add(member("0B0B", "Bob"));
    const bob = await s.staff.getByUid("0B0B");
    assert.deepEqual(bob, member("0B0B", "Bob"));
    assert.ok(bob && !("telegramUserId" in bob) && !("revokedAt" in bob) && !("revokedBy" in bob), "no unset keys");
    assert.equal(await s.staff.getByUid("FFFF"), undefined);
    await s.close();
  });

  test("a UID that exists (active or revoked) is refused with the existing record", async () => {
    const s = memory();
    const ann = member("04A2", "Ann");
    await s.staff.add(ann);
    assert.deepEqual(await s.staff.add(member("04A2", "Impostor", { role: "admin" })), {
      ok: false,
      reason: "duplicate",
      existing: ann,
    });
    const revoked = await s.staff.setActive("04A2", false, 9, 2_000);
    assert.ok(revoked, "revoked");
    assert.deepEqual(await s.staff.add(member("04A2", "Ann again")), {
      ok: false,
      reason: "duplicate",
      existing: revoked,
    });
    assert.deepEqual(await s.staff.getByUid("04A2"), revoked, "the stored record is untouched");
    await s.close();
  });

  test("a duplicate UID wins over a Telegram id clash in the same add", async () => {
    const s = memory();
    await s.staff.add(member("04A2", "Ann", { telegramUserId: 42 }));
    await s.staff.add(member("0B0B", "Bob", { telegramUserId: 43 }));
    const r = await s.staff.add(member("0B0B", "Bob 2", { telegramUserId: 42 }));
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.existing.name, "Bob");
    await s.close();
  });

  test("UIDs are compared exactly: normalization happens before this layer", async () => {
    const s = memory();
    await s.staff.add(member("04A2", "Ann"));
    assert.equal(await s.staff.getByUid("04a2"), undefined);
    assert.equal(await s.staff.getByUid("04A2 "), undefined);
    assert.deepEqual(await s.staff.add(member("04a2", "Lower-case Ann")), { ok: true });
    assert.equal((await s.staff.getByUid("04a2"))?.name, "Lower-case Ann");
    assert.equal((await s.staff.getByUid("04A2"))?.name, "Ann");
    await s.close();
  });

  test("Telegram link, lookup, unlink; one account links to one card", async () => {
    const s = memory();
    await s.staff.add(member("04A2", "Ann"));
    await s.staff.add(member("0B0B", "Bob"));
    await s.staff.add(member("0C0C", "Carol"));

    const linked = await s.staff.linkTelegram("04A2", 42);
    assert.equal(linked?.telegramUserId, 42);
    assert.equal((await s.staff.getByTelegramId(42))?.cardUid, "04A2");
    assert.equal(await s.staff.getByTelegramId(43), undefined);

    await assert.rejects(s.staff.linkTelegram("0B0B", 42), (err: unknown) => {
      assert.ok(err instanceof TelegramAlreadyLinkedError, String(err));
      assert.equal(err.telegramUserId, 42);
      assert.equal(err.linkedCardUid, "04A2");
      assert.match(err.message, /Telegram user 42 is already linked to card 04A2/);
      return true;
    });
    assert.equal((await s.staff.getByUid("0B0B"))?.telegramUserId, undefined, "the refused link changed nothing");
    assert.equal((await s.staff.linkTelegram("04A2", 42))?.telegramUserId, 42, "relinking the same card is a no-op");

    // Adding a card with an account linked elsewhere is refused the same way.
    await assert.rejects(s.staff.add(member("0D0D", "Dave", { telegramUserId: 42 })), TelegramAlreadyLinkedError);
    assert.equal(await s.staff.getByUid("0D0D"), undefined);

    // Moving the account to another card: unlink first.
    const unlinked = await s.staff.linkTelegram("04A2", undefined);
    assert.ok(unlinked && !("telegramUserId" in unlinked), "telegramUserId removed");
    assert.equal(await s.staff.getByTelegramId(42), undefined);
    assert.equal((await s.staff.linkTelegram("0B0B", 42))?.cardUid, "0B0B");
    assert.equal((await s.staff.getByTelegramId(42))?.name, "Bob");

    // Any number of cards may have no account.
    assert.equal((await s.staff.linkTelegram("0C0C", undefined))?.telegramUserId, undefined);
    assert.equal(await s.staff.linkTelegram("FFFF", 7), undefined, "no such card");

    // A revoked member's link still counts.
    await s.staff.setActive("0B0B", false, 1, 3_000);
    assert.equal((await s.staff.getByTelegramId(42))?.active, false);
    await assert.rejects(s.staff.linkTelegram("0C0C", 42), TelegramAlreadyLinkedError);
    await s.close();
  });

  test("findByName: case-insensitive, exact matches first, then prefixes; wildcards are literal", async () => {
    const s = memory();
    const names: Array<[string, string]> = [
      ["01", "Annabel"],
      ["02", "ann"],
      ["03", "Anna"],
      ["04", "ANN"],
      ["05", "Bob"],
      ["06", "Joanne"],
      ["07", "50% Off"],
      ["08", "500 Club"],
      ["09", "a_b"],
      ["10", "axb"],
      ["11", "Back\\slash"],
      ["12", "Backslash"],
      ["13", "Émile"],
      ["14", "山田太郎"],
    ];
    for (const [uid, name] of names) await s.staff.add(member(uid, name));
    await s.staff.setActive("03", false, 1, 2_000);

    const find = async (q: string) => (await s.staff.findByName(q)).map((m) => m.name);
    assert.deepEqual(await find("Ann"), ["ANN", "ann", "Anna", "Annabel"], "revoked Anna included");
    assert.deepEqual(await find("ANNA"), ["Anna", "Annabel"]);
    assert.deepEqual(await find("  anna "), ["Anna", "Annabel"], "the query is trimmed");
    assert.deepEqual(await find("bo"), ["Bob"]);
    assert.deepEqual(await find("nne"), [], "prefix, not substring");
    assert.deepEqual(await find("50%"), ["50% Off"]);
    assert.deepEqual(await find("%"), []);
    assert.deepEqual(await find("a_"), ["a_b"]);
    assert.deepEqual(await find("_"), []);
    assert.deepEqual(await find("back\\"), ["Back\\slash"]);
    assert.deepEqual(await find("émile"), ["Émile"], "case folding beyond ASCII");
    assert.deepEqual(await find("ÉMI"), ["Émile"]);
    assert.deepEqual(await find("山田"), ["山田太郎"]);
    assert.deepEqual(await find("Zed"), []);
    assert.deepEqual(await find(""), []);
    assert.deepEqual(await find("   "), []);
    await s.close();
  });

  test("list is sorted by name (ignoring case) and leaves revoked cards out unless asked", async () => {
    const s = memory();
    await s.staff.add(member("01", "carol"));
    await s.staff.add(member("02", "Bob"));
    await s.staff.add(member("03", "alice"));
    await s.staff.add(member("04", "Dave", { active: false, revokedAt: 900, revokedBy: 1 }));
    await s.staff.setActive("02", false, 1, 2_000);
    assert.deepEqual(
      (await s.staff.list()).map((m) => m.name),
      ["alice", "carol"],
    );
    assert.deepEqual(
      (await s.staff.list({ includeRevoked: false })).map((m) => m.name),
      ["alice", "carol"],
    );
    assert.deepEqual(
      (await s.staff.list({ includeRevoked: true })).map((m) => [m.name, m.active]),
      [
        ["alice", true],
        ["Bob", false],
        ["carol", true],
        ["Dave", false],
      ],
    );
    await s.close();
    const empty = memory();
    assert.deepEqual(await empty.staff.list({ includeRevoked: true }), []);
    await empty.close();
  });

  test("setActive revokes (recording by and at) and restores (clearing them)", async () => {
    const s = memory();
    await s.staff.add(member("04A2", "Ann", { telegramUserId: 42 }));

    const revoked = await s.staff.setActive("04A2", false, 7, 2_000);
    assert.deepEqual(revoked, {
      ...member("04A2", "Ann", { telegramUserId: 42 }),
      active: false,
      revokedAt: 2_000,
      revokedBy: 7,
    });
    assert.deepEqual(await s.staff.getByUid("04A2"), revoked);

    const again = await s.staff.setActive("04A2", false, 8, 3_000);
    assert.deepEqual(again, revoked, "revoking twice keeps the first revocation's by/at");

    const restored = await s.staff.setActive("04A2", true, 9, 4_000);
    assert.deepEqual(restored, member("04A2", "Ann", { telegramUserId: 42 }));
    assert.ok(restored && !("revokedAt" in restored) && !("revokedBy" in restored), "revoked fields removed");
    assert.deepEqual(await s.staff.getByUid("04A2"), restored);
    assert.deepEqual(await s.staff.setActive("04A2", true, 9, 5_000), restored, "restoring an active card is a no-op");

    assert.deepEqual(await s.staff.setActive("04A2", false, 10, 6_000), {
      ...restored,
      active: false,
      revokedAt: 6_000,
      revokedBy: 10,
    });
    assert.equal(await s.staff.setActive("FFFF", false, 1, 1), undefined);
    assert.equal(await s.staff.setActive("FFFF", true, 1, 1), undefined);
    await s.close();
  });

  test("the schema refuses roles it does not know", async () => {
    const s = memory();
    await assert.rejects(s.staff.add(member("01", "X", { role: "root" as StaffMember["role"] })), /CHECK constraint/);
    await s.close();
  });
});

describe("SQLite access log repository", () => {
  test("add returns increasing ids; latest is newest first, scoped to the room, bounded by limit", async () => {
    const s = memory();
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push(await s.accessLog.add(entry("a", 1_000 + i, "04A2")));
    await s.accessLog.add(entry("b", 9_999, "04A2"));
    assert.deepEqual(
      ids,
      [...ids].sort((x, y) => x - y),
    );
    assert.equal(new Set(ids).size, 5);

    const latest = await s.accessLog.latest("a", 3);
    assert.deepEqual(
      latest.map((e) => e.id),
      ids.slice(2).reverse(),
    );
    assert.deepEqual(latest[0], {
      id: ids[4],
      roomId: "a",
      at: 1_004,
      cardUid: "04A2",
      staffName: "Ann",
      decision: "allowed",
    });
    assert.equal((await s.accessLog.latest("b", 10)).length, 1);
    assert.deepEqual(await s.accessLog.latest("nobody", 10), []);
    assert.deepEqual(await s.accessLog.latest("a", 0), [], "limit 0 is no rows, not 'no limit'");
    assert.deepEqual(await s.accessLog.latest("a", -1), []);
    await s.close();
  });

  test("latest pages to older entries with `before`, by id even when times go backwards", async () => {
    const s = memory();
    // The clock stepped back between the 3rd and 4th tap: order is by id (arrival).
    const ats = [5_000, 6_000, 7_000, 1_000, 2_000, 3_000, 4_000];
    const ids: number[] = [];
    for (const at of ats) {
      ids.push(await s.accessLog.add(entry("a", at, "04A2")));
      await s.accessLog.add(entry("other", at, "04A2"));
    }
    const seen: number[] = [];
    let before: number | undefined;
    for (;;) {
      const page = await s.accessLog.latest("a", 3, before);
      if (page.length === 0) break;
      assert.ok(page.length <= 3, "page within limit");
      seen.push(...page.map((e) => e.id));
      before = page[page.length - 1]?.id;
    }
    assert.deepEqual(seen, [...ids].reverse());
    assert.deepEqual(
      (await s.accessLog.latest("a", 2, ids[3])).map((e) => e.at),
      [7_000, 6_000],
    );
    assert.deepEqual(await s.accessLog.latest("a", 10, ids[0]), []);
    await s.close();
  });

  test("unknown cards have no staff name; every decision round-trips", async () => {
    const s = memory();
    const decisions: AccessDecision[] = ["allowed", "off-hours", "unknown", "revoked"];
    for (const [i, d] of decisions.entries()) {
      await s.accessLog.add(entry("a", i, `0${i}`, d, d === "unknown" ? null : `Name ${i}`));
    }
    const rows = await s.accessLog.between("a", 0, 10, 10);
    assert.deepEqual(
      rows.map((e) => e.decision),
      decisions,
    );
    const unknown = rows[2];
    assert.ok(unknown && !("staffName" in unknown), "no staffName key");
    assert.equal(rows[3]?.staffName, "Name 3");
    await assert.rejects(
      s.accessLog.add(entry("a", 1, "01", "maybe" as AccessDecision)),
      /CHECK constraint/,
      "the schema refuses unknown decisions",
    );
    await s.close();
  });

  test("byCard: one card's entries in one room, newest first, paged", async () => {
    const s = memory();
    const annIds: number[] = [];
    for (let i = 0; i < 6; i++) {
      annIds.push(await s.accessLog.add(entry("a", 1_000 + i, "04A2")));
      await s.accessLog.add(entry("a", 1_000 + i, "0B0B", "allowed", "Bob"));
      await s.accessLog.add(entry("b", 1_000 + i, "04A2"));
      await s.accessLog.add(entry("a", 1_000 + i, "04a2", "unknown", null));
    }
    const first = await s.accessLog.byCard("a", "04A2", 4);
    assert.deepEqual(
      first.map((e) => e.id),
      annIds.slice(2).reverse(),
    );
    assert.ok(
      first.every((e) => e.roomId === "a" && e.cardUid === "04A2"),
      "only that card in that room",
    );
    const next = await s.accessLog.byCard("a", "04A2", 4, first[first.length - 1]?.id);
    assert.deepEqual(
      next.map((e) => e.id),
      annIds.slice(0, 2).reverse(),
    );
    assert.equal((await s.accessLog.byCard("a", "04a2", 100)).length, 6, "UIDs compared exactly");
    assert.equal((await s.accessLog.byCard("b", "04A2", 100)).length, 6);
    assert.deepEqual(await s.accessLog.byCard("b", "0B0B", 100), []);
    assert.deepEqual(await s.accessLog.byCard("a", "04A2", 0), []);
    await s.close();
  });

  test("between is half-open, oldest first (ties by id), bounded by limit, scoped to the room", async () => {
    const s = memory();
    await s.accessLog.add(entry("a", 2_000, "03"));
    await s.accessLog.add(entry("a", 1_000, "01"));
    await s.accessLog.add(entry("a", 2_000, "04"));
    await s.accessLog.add(entry("a", 3_000, "05"));
    await s.accessLog.add(entry("a", 4_000, "06"));
    await s.accessLog.add(entry("b", 2_500, "99"));
    assert.deepEqual(
      (await s.accessLog.between("a", 2_000, 4_000, 100)).map((e) => [e.at, e.cardUid]),
      [
        [2_000, "03"],
        [2_000, "04"],
        [3_000, "05"],
      ],
    );
    assert.deepEqual(
      (await s.accessLog.between("a", 0, 10_000, 2)).map((e) => e.cardUid),
      ["01", "03"],
    );
    assert.deepEqual(await s.accessLog.between("a", 4_000, 4_000, 100), [], "empty range");
    assert.deepEqual(await s.accessLog.between("a", 0, 10_000, 0), []);
    assert.deepEqual(await s.accessLog.between("nobody", 0, 10_000, 100), []);
    await s.close();
  });

  test("count is per room", async () => {
    const s = memory();
    for (let i = 0; i < 3; i++) await s.accessLog.add(entry("a", i, "01"));
    await s.accessLog.add(entry("b", 1, "01"));
    assert.equal(await s.accessLog.count("a"), 3);
    assert.equal(await s.accessLog.count("b"), 1);
    assert.equal(await s.accessLog.count("nobody"), 0);
    await s.close();
  });

  test("latest, byCard and between walk an index in order: no table scan, no sort step", () => {
    const db = openDatabase(":memory:");
    const plan = (sql: string, ...params: unknown[]) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((p) => p.detail);
    const cases: Array<[string, string[], string]> = [
      ["latest", plan(ACCESS_LOG_QUERIES.latest, "a", 100, 20), "access_log_room_id"],
      ["byCard", plan(ACCESS_LOG_QUERIES.byCard, "a", "04A2", 100, 20), "access_log_room_card"],
      ["between", plan(ACCESS_LOG_QUERIES.between, "a", 0, 100, 20), "access_log_room_at"],
    ];
    closeDatabase(db);
    for (const [name, details, index] of cases) {
      const text = details.join("; ");
      assert.ok(
        details.some((d) => d.startsWith("SEARCH") && d.includes(`INDEX ${index} `)),
        `${name} uses ${index}: ${text}`,
      );
      assert.ok(!details.some((d) => d.includes("TEMP B-TREE")), `${name} has no sort step: ${text}`);
      assert.ok(!details.some((d) => d.startsWith("SCAN")), `${name} has no full scan: ${text}`);
    }
  });

  test("staff and the access log survive a restart; ids keep growing", async () => {
    const dataDir = tmp();
    const s1 = createSqliteStorage({ dataDir });
    await s1.staff.add(member("04A2", "Ann", { telegramUserId: 42 }));
    await s1.staff.add(member("0B0B", "Bob"));
    await s1.staff.setActive("0B0B", false, 7, 2_000);
    const id1 = await s1.accessLog.add(entry("a", 1_000, "04A2"));
    const id2 = await s1.accessLog.add(entry("a", 2_000, "0B0B", "revoked", "Bob"));
    await s1.close();

    const s2 = createSqliteStorage({ dataDir });
    assert.deepEqual(await s2.staff.getByTelegramId(42), member("04A2", "Ann", { telegramUserId: 42 }));
    assert.deepEqual(await s2.staff.getByUid("0B0B"), {
      ...member("0B0B", "Bob"),
      active: false,
      revokedAt: 2_000,
      revokedBy: 7,
    });
    assert.deepEqual(
      (await s2.staff.findByName("bo")).map((m) => m.cardUid),
      ["0B0B"],
    );
    assert.deepEqual(
      (await s2.accessLog.latest("a", 10)).map((e) => [e.id, e.decision]),
      [
        [id2, "revoked"],
        [id1, "allowed"],
      ],
    );
    assert.equal(await s2.accessLog.count("a"), 2);
    assert.ok((await s2.accessLog.add(entry("a", 3_000, "04A2"))) > id2, "ids keep growing");
    await s2.close();
  });
});
