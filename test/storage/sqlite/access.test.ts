import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import Database from "better-sqlite3";
import type { AccessDecision, StaffMember } from "../../../core/door/ports.ts";
import { ACCESS_LOG_QUERIES } from "../../../storage/sqlite/access.ts";
import { closeDatabase, openDatabase, SCHEMA_VERSION } from "../../../storage/sqlite/database.ts";
import { createSqliteStorage } from "../../../storage/sqlite/index.ts";
import { entry, member } from "../contract/access.ts";

// The behaviour of the staff register and the access log is the contract's
// (test/storage/contract/access.ts, run against SQLite and DynamoDB); these are SQLite's own:
// CHECK constraints, query plans and a restart.

const tmp = () => mkdtempSync(join(tmpdir(), "seroma-access-"));
const memory = () => createSqliteStorage({ file: ":memory:" });

describe("SQLite staff repository", () => {
  test("the schema refuses roles it does not know", async () => {
    const s = memory();
    await assert.rejects(s.staff.add(member("01", "X", { role: "root" as StaffMember["role"] })), /CHECK constraint/);
    await s.close();
  });
});

describe("SQLite access log repository", () => {
  test("the schema refuses decisions it does not know", async () => {
    const s = memory();
    await assert.rejects(s.accessLog.add(entry("a", 1, "01", "maybe" as AccessDecision)), /CHECK constraint/);
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

  test("version 7 upgrades a version-6 database: cards keep every room, the log keeps its rows, ids and counter", async () => {
    const file = join(tmp(), "v6.db");
    closeDatabase(openDatabase(file));
    const raw = new Database(file);
    // As version 6 was: no staff.rooms, and an access log whose CHECK knows four decisions.
    raw.exec(
      `ALTER TABLE staff DROP COLUMN rooms;
       DROP TABLE access_log;
       CREATE TABLE access_log (
         id INTEGER PRIMARY KEY AUTOINCREMENT,
         room_id TEXT NOT NULL, at INTEGER NOT NULL, card_uid TEXT NOT NULL, staff_name TEXT,
         decision TEXT NOT NULL CHECK (decision IN ('allowed', 'off-hours', 'unknown', 'revoked'))
       );
       CREATE INDEX access_log_room_id ON access_log (room_id, id);
       CREATE INDEX access_log_room_card ON access_log (room_id, card_uid, id);
       CREATE INDEX access_log_room_at ON access_log (room_id, at);
       INSERT INTO staff (card_uid, name, name_lower, role, active, created_by, created_at)
         VALUES ('04A2', 'Ann', 'ann', 'staff', 1, 1, 1000);
       INSERT INTO access_log (room_id, at, card_uid, staff_name, decision) VALUES
         ('a', 1, '04A2', 'Ann', 'allowed'), ('a', 2, '0F0F', NULL, 'unknown'), ('b', 3, '04A2', 'Ann', 'revoked');
       DELETE FROM access_log WHERE id = 3;`,
    );
    assert.throws(() =>
      raw.exec("INSERT INTO access_log (room_id, at, card_uid, decision) VALUES ('a', 4, '01', 'wrong-room')"),
    );
    raw.pragma("user_version = 6");
    raw.close();

    const s = createSqliteStorage({ file });
    assert.equal(SCHEMA_VERSION, 7);
    assert.deepEqual(await s.staff.getByUid("04A2"), member("04A2", "Ann"), "no rooms: every room");
    assert.deepEqual(
      (await s.accessLog.latest("a", 10)).map((e) => [e.id, e.decision, e.staffName]),
      [
        [2, "unknown", undefined],
        [1, "allowed", "Ann"],
      ],
    );
    // The counter survived the copy: the deleted id 3 is not handed out again.
    assert.equal(await s.accessLog.add(entry("a", 5, "04A2", "wrong-room")), 4);
    assert.equal((await s.accessLog.latest("a", 1))[0]?.decision, "wrong-room");
    await s.close();
    const again = new Database(file);
    assert.equal(again.pragma("user_version", { simple: true }), 7);
    const plans = again.prepare("EXPLAIN QUERY PLAN " + ACCESS_LOG_QUERIES.byCard).all("a", "04A2", 100, 20) as Array<{
      detail: string;
    }>;
    assert.ok(
      plans.some((p) => p.detail.includes("access_log_room_card")),
      "indexes recreated",
    );
    again.close();
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
