import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import Database from "better-sqlite3";
import { closeDatabase, openDatabase } from "../../../storage/sqlite/database.ts";
import { createSqliteStorage, SQLITE_FILE_NAME } from "../../../storage/sqlite/index.ts";
import {
  CorruptHostError,
  type CorruptServerResult,
  createSqliteServerResultRepository,
  HOST_QUERIES,
  SERVER_RESULT_QUERIES,
} from "../../../storage/sqlite/servers.ts";
import { fullHost, fullResult, host, okResult } from "../contract/media-servers.ts";

// The behaviour of hosts and server results is the contract's (test/storage/contract/media-servers.ts,
// run against SQLite and DynamoDB); these are SQLite's own: rows corrupted through raw SQL, CHECK
// constraints, restarts, migrations and query plans.

const tmp = () => mkdtempSync(join(tmpdir(), "seroma-servers-"));
/** A storage on a real file in a fresh temp directory, and a raw connection factory for the same file. */
function open() {
  const dataDir = tmp();
  const s = createSqliteStorage({ dataDir });
  return { s, file: join(dataDir, SQLITE_FILE_NAME), dataDir };
}

describe("SQLite host repository", () => {
  test("a corrupt host row makes reads throw a clear CorruptHostError; remove still works", async () => {
    const { s, file } = open();
    await s.hosts.add("a", host("web1"));
    await s.hosts.add("a", host("web2"));
    const raw = new Database(file);
    raw.prepare("UPDATE hosts SET services = ? WHERE name = 'web1'").run('["nginx", "x; reboot"]');
    raw.pragma("ignore_check_constraints = ON");
    raw.prepare("UPDATE hosts SET checks = 'not json' WHERE name = 'web2'").run();
    raw.close();

    const isCorrupt = (name: string, problem: RegExp) => (err: unknown) => {
      assert.ok(err instanceof CorruptHostError, String(err));
      assert.equal(err.roomId, "a");
      assert.equal(err.host, name);
      assert.match(err.problem, problem);
      assert.match(err.message, new RegExp(`host "${name}" of room "a" is corrupt`));
      return true;
    };
    await assert.rejects(s.hosts.get("a", "web1"), isCorrupt("web1", /services\.1: must match SERVICE_NAME/));
    await assert.rejects(s.hosts.get("a", "web2"), isCorrupt("web2", /checks: not valid JSON/));
    await assert.rejects(s.hosts.list("a"), CorruptHostError, "a list is exact or nothing");
    await assert.rejects(s.hosts.add("a", host("web1")), CorruptHostError, "the duplicate's existing entry is read");

    assert.equal(await s.hosts.remove("a", "web1"), true);
    assert.equal(await s.hosts.remove("a", "web2"), true);
    assert.deepEqual(await s.hosts.add("a", host("web1")), { ok: true });
    assert.deepEqual(
      (await s.hosts.list("a")).map((h) => h.name),
      ["web1"],
    );
    await s.close();
  });
});

describe("SQLite server result repository", () => {
  test("corrupt result rows are skipped and reported, never thrown", async () => {
    const { s, file } = open();
    await s.serverResults.add("a", okResult("web1", 1_000, 1));
    await s.serverResults.add("a", okResult("web1", 2_000, 2));
    await s.serverResults.add("a", okResult("web1", 3_000, 3));
    await s.serverResults.add("a", okResult("web2", 1_000, 1));
    await s.serverResults.add("a", okResult("web2", 2_000, 2));
    await s.close();

    const raw = new Database(file);
    raw.prepare("UPDATE server_results SET checks = ? WHERE host = 'web1' AND at = 2000").run('{"load":{"ok":true}}');
    raw.pragma("ignore_check_constraints = ON");
    raw.prepare("UPDATE server_results SET checks = '{oops' WHERE host = 'web2' AND at = 2000").run();
    raw.prepare("UPDATE server_results SET failure_kind = 'meteor' WHERE host = 'web1' AND at = 3000").run();
    raw.close();

    const db = openDatabase(file);
    const reported: CorruptServerResult[] = [];
    const repo = createSqliteServerResultRepository(db, { onCorrupt: (c) => reported.push(c) });
    assert.deepEqual(await repo.latest("a", "web1", 10), [okResult("web1", 1_000, 1)]);
    assert.deepEqual(
      reported.map((c) => [c.roomId, c.host, c.at]),
      [
        ["a", "web1", 3_000],
        ["a", "web1", 2_000],
      ],
    );
    assert.match(reported[0]?.problem ?? "", /failure\.kind/);
    assert.match(reported[1]?.problem ?? "", /checks\.load\.value/);
    assert.ok(reported.every((c) => Number.isSafeInteger(c.id)));

    // web1's and web2's newest rows are corrupt: left out, not replaced by an older result.
    reported.length = 0;
    assert.equal((await repo.latestPerHost("a")).size, 0);
    assert.deepEqual(
      reported.map((c) => [c.host, c.problem]),
      [
        ["web1", reported[0]?.problem],
        ["web2", "checks: not valid JSON"],
      ],
    );

    // A hook that throws does not turn a skipped row into a failed read.
    const throwing = createSqliteServerResultRepository(db, {
      onCorrupt: () => {
        throw new Error("listener bug");
      },
    });
    assert.deepEqual(await throwing.latest("a", "web2", 10), [okResult("web2", 1_000, 1)]);
    // And without a hook, nothing is reported and nothing throws.
    assert.equal((await createSqliteServerResultRepository(db).latest("a", "web1", 10)).length, 1);
    closeDatabase(db);
  });

  test("the schema refuses inconsistent failure columns even past the adapter", () => {
    const db = openDatabase(":memory:");
    const insert = db.prepare(
      `INSERT INTO server_results (room_id, host, at, duration_ms, reachable, failure_kind, failure_message,
         presented_host_key, checks) VALUES ('a', 'web1', 1, 1, ?, ?, ?, ?, ?)`,
    );
    assert.throws(() => insert.run(2, null, null, null, "{}"), /CHECK constraint/, "reachable is 0 or 1");
    assert.throws(() => insert.run(0, "timeout", null, null, "{}"), /CHECK constraint/, "kind without message");
    assert.throws(() => insert.run(1, null, "msg", null, "{}"), /CHECK constraint/, "message without kind");
    assert.throws(() => insert.run(0, null, null, "SHA256:x", "{}"), /CHECK constraint/, "key without failure");
    assert.throws(() => insert.run(1, null, null, null, "{"), /CHECK constraint/, "checks must be JSON");
    insert.run(0, "host-key-mismatch", "m", "SHA256:x", "{}");
    closeDatabase(db);
  });
});

describe("SQLite server storage: schema", () => {
  test("hosts and results survive a restart; result ids keep growing after a prune", async () => {
    const { s, dataDir } = open();
    await s.hosts.add("a", fullHost("web1"));
    await s.serverResults.add("a", fullResult("web1", 1_000));
    await s.close();
    const s2 = createSqliteStorage({ dataDir });
    assert.deepEqual(await s2.hosts.list("a"), [fullHost("web1")]);
    assert.deepEqual(await s2.serverResults.latestPerHost("a"), new Map([["web1", fullResult("web1", 1_000)]]));
    await s2.close();

    const raw = new Database(join(dataDir, SQLITE_FILE_NAME));
    assert.equal(raw.pragma("user_version", { simple: true }), 7);
    const maxId = () => (raw.prepare("SELECT max(id) AS id FROM server_results").get() as { id: number }).id;
    const before = maxId();
    raw.close();
    const s3 = createSqliteStorage({ dataDir });
    assert.equal(await s3.serverResults.prune(Number.MAX_SAFE_INTEGER), 1);
    await s3.serverResults.add("a", okResult("web1", 2_000));
    await s3.close();
    const again = new Database(join(dataDir, SQLITE_FILE_NAME));
    assert.ok(
      (again.prepare("SELECT max(id) AS id FROM server_results").get() as { id: number }).id > before,
      "AUTOINCREMENT: a pruned id is never handed out again",
    );
    again.close();
  });

  test("a version-4 database is upgraded in place, its earlier data untouched", async () => {
    const { s, file } = open();
    await s.readings.add({ roomId: "a", at: 1, temperatureC: 21, humidityPct: 40 });
    await s.close();
    const raw = new Database(file);
    // As version 4 was: without what versions 5 (servers), 6 (dead letters, journal) and 7 (a
    // card's rooms) added.
    raw.exec(
      `ALTER TABLE staff DROP COLUMN rooms; DROP TABLE hosts; DROP TABLE server_results; DROP TABLE incident_journal;
       DROP INDEX outbox_dead; DROP INDEX outbox_pending; ALTER TABLE outbox DROP COLUMN dead_at;
       CREATE INDEX outbox_pending ON outbox (channel, id) WHERE delivered_at IS NULL;`,
    );
    raw.pragma("user_version = 4");
    raw.close();

    const up = createSqliteStorage({ file });
    assert.equal((await up.readings.latest("a", 1)).length, 1);
    assert.deepEqual(await up.hosts.add("a", host("web1")), { ok: true });
    await up.serverResults.add("a", okResult("web1", 1));
    assert.equal((await up.serverResults.latest("a", "web1", 1)).length, 1);
    await up.close();
  });

  test("every read walks an index: no table scan, no sort step", () => {
    const { dataDir } = open();
    const db = openDatabase(join(dataDir, "plans.db"));
    const plan = (sql: string, ...params: unknown[]) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((p) => p.detail);
    const cases: Array<[string, string[], string]> = [
      ["hosts.get", plan(HOST_QUERIES.get, "a", "web1"), "sqlite_autoindex_hosts_1"],
      ["hosts.list", plan(HOST_QUERIES.list, "a"), "sqlite_autoindex_hosts_1"],
      ["results.latest", plan(SERVER_RESULT_QUERIES.latest, "a", "web1", 10), "server_results_room_host_at"],
      [
        "results.latestPerHost",
        plan(SERVER_RESULT_QUERIES.latestPerHost, { room: "a" }),
        "server_results_room_host_at",
      ],
      ["results.prune", plan(SERVER_RESULT_QUERIES.prune, 1_000), "server_results_at"],
    ];
    closeDatabase(db);
    for (const [name, details, index] of cases) {
      const text = details.join("; ");
      assert.ok(
        details.some((d) => d.startsWith("SEARCH") && d.includes(`INDEX ${index} `)),
        `${name} uses ${index}: ${text}`,
      );
      assert.ok(!details.some((d) => d.includes("TEMP B-TREE")), `${name} has no sort step: ${text}`);
      // The only scans allowed are of latestPerHost's own tiny CTE (one row per host).
      assert.ok(
        !details.some((d) => d.startsWith("SCAN") && d !== "SCAN names" && d !== "SCAN CONSTANT ROW"),
        `${name} has no table scan: ${text}`,
      );
    }
    // latestPerHost reads each host's newest row by seeks on the index, never a whole room's history.
    const perHost = cases[3]?.[1] ?? [];
    assert.ok(
      perHost.some((d) => d.includes("server_results_room_host_at (room_id=? AND host>?)")),
      `skip scan over distinct hosts: ${perHost.join("; ")}`,
    );
    assert.ok(
      perHost.some((d) => d.includes("server_results_room_host_at (room_id=? AND host=?)")),
      `newest row per host by seek: ${perHost.join("; ")}`,
    );
  });
});
