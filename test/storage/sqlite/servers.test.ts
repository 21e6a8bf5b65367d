import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import Database from "better-sqlite3";
import type { HostResult, HostSpec } from "../../../servers/types.ts";
import { closeDatabase, openDatabase } from "../../../storage/sqlite/database.ts";
import { createSqliteStorage, SQLITE_FILE_NAME } from "../../../storage/sqlite/index.ts";
import {
  CorruptHostError,
  type CorruptServerResult,
  createSqliteServerResultRepository,
  HOST_QUERIES,
  InvalidServerDataError,
  SERVER_RESULT_QUERIES,
} from "../../../storage/sqlite/servers.ts";

const tmp = () => mkdtempSync(join(tmpdir(), "seroma-servers-"));
/** A storage on a real file in a fresh temp directory, and a raw connection factory for the same file. */
function open() {
  const dataDir = tmp();
  const s = createSqliteStorage({ dataDir });
  return { s, file: join(dataDir, SQLITE_FILE_NAME), dataDir };
}

const KEY = "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8";

/** A host with only the required fields. */
const host = (name: string, extra: Partial<HostSpec> = {}): HostSpec => ({
  name,
  address: `${name}.lan`,
  port: 22,
  user: "seroma",
  hostKey: KEY,
  checks: ["uptime", "load"],
  services: [],
  thresholds: { diskPct: 90, loadPerCore: 2, memoryPct: 95 },
  ...extra,
});

/** A host with every optional field set. */
const fullHost = (name: string): HostSpec =>
  host(name, {
    address: "10.0.0.5",
    port: 2222,
    user: "ops.check",
    keyFile: "/home/pi/.ssh/seroma_ed25519",
    checks: ["uptime", "load", "memory", "disk", "services", "journal"],
    services: ["nginx.service", "postgresql@16-main", "getty@tty1.service"],
    thresholds: { diskPct: 85.5, loadPerCore: 1.25, memoryPct: 90 },
    addedBy: 123_456_789,
    addedAt: Date.UTC(2026, 10, 23, 10),
  });

/** A healthy run with every check present. */
const fullResult = (hostName: string, at: number): HostResult => ({
  host: hostName,
  at,
  durationMs: 812.5,
  reachable: true,
  checks: {
    uptime: { ok: true, value: { seconds: 1_234_567 } },
    load: { ok: true, value: { load1: 0.5, load5: 0.75, load15: 1, cores: 4 } },
    memory: { ok: true, value: { totalBytes: 8_000_000_000, availableBytes: 2_000_000_000, usedPct: 75 } },
    disk: {
      ok: true,
      value: [
        { mount: "/", filesystem: "/dev/sda1", sizeBytes: 100, usedBytes: 42, usedPct: 42 },
        { mount: "/var", filesystem: "/dev/sda2", sizeBytes: 200, usedBytes: 190, usedPct: 95 },
      ],
    },
    services: {
      ok: true,
      value: [
        { name: "nginx.service", state: "active" },
        { name: "postgresql@16-main", state: "failed" },
      ],
    },
    journal: { ok: true, value: { count: 2, latest: ["Nov 23 kernel: oops", "Nov 23 sshd: error"], available: true } },
  },
});

/** A minimal reachable result (no failure, one check). */
const okResult = (hostName: string, at: number, seconds = at): HostResult => ({
  host: hostName,
  at,
  durationMs: 100,
  reachable: true,
  checks: { uptime: { ok: true, value: { seconds } } },
});

describe("SQLite host repository", () => {
  test("add then get returns the same host: every field, optional ones absent when unset", async () => {
    const { s } = open();
    const full = fullHost("web1");
    assert.deepEqual(await s.hosts.add("a", full), { ok: true });
    assert.deepEqual(await s.hosts.get("a", "web1"), full);

    const minimal = host("db_2");
    await s.hosts.add("a", minimal);
    const got = await s.hosts.get("a", "db_2");
    assert.deepEqual(got, minimal);
    assert.ok(got && !("keyFile" in got) && !("addedBy" in got) && !("addedAt" in got), "no unset keys");
    assert.deepEqual(got?.services, [], "an empty list stays an empty list");

    assert.equal(await s.hosts.get("a", "nope"), undefined);
    assert.equal(await s.hosts.get("a", "WEB1"), undefined, "names compared exactly");
    await s.close();
  });

  test("a name the room has already is refused with the existing entry, which stays untouched", async () => {
    const { s } = open();
    const original = fullHost("web1");
    await s.hosts.add("a", original);
    assert.deepEqual(await s.hosts.add("a", host("web1", { address: "evil.example" })), {
      ok: false,
      reason: "duplicate",
      existing: original,
    });
    assert.deepEqual(await s.hosts.get("a", "web1"), original);
    await s.close();
  });

  test("hosts are scoped to a room: the same name in two rooms is two hosts", async () => {
    const { s } = open();
    await s.hosts.add("a", host("web1", { address: "10.0.0.1" }));
    assert.deepEqual(await s.hosts.add("b", host("web1", { address: "10.1.0.1" })), { ok: true });
    assert.equal((await s.hosts.get("a", "web1"))?.address, "10.0.0.1");
    assert.equal((await s.hosts.get("b", "web1"))?.address, "10.1.0.1");
    assert.equal(await s.hosts.get("c", "web1"), undefined);
    assert.equal(await s.hosts.remove("b", "web1"), true);
    assert.equal((await s.hosts.get("a", "web1"))?.address, "10.0.0.1", "removing in b leaves a alone");
    await s.close();
  });

  test("list is sorted by name and scoped to the room", async () => {
    const { s } = open();
    for (const name of ["web10", "db1", "web2", "app", "web1"]) await s.hosts.add("a", host(name));
    await s.hosts.add("b", host("aaa"));
    assert.deepEqual(
      (await s.hosts.list("a")).map((h) => h.name),
      ["app", "db1", "web1", "web10", "web2"],
    );
    assert.deepEqual(
      (await s.hosts.list("b")).map((h) => h.name),
      ["aaa"],
    );
    assert.deepEqual(await s.hosts.list("nobody"), []);
    await s.close();
  });

  test("remove returns true once, then false; the host's results are kept", async () => {
    const { s } = open();
    await s.hosts.add("a", host("web1"));
    await s.serverResults.add("a", okResult("web1", 1_000));
    assert.equal(await s.hosts.remove("a", "web1"), true);
    assert.equal(await s.hosts.remove("a", "web1"), false);
    assert.equal(await s.hosts.remove("a", "never"), false);
    assert.equal(await s.hosts.get("a", "web1"), undefined);
    assert.deepEqual(await s.serverResults.latest("a", "web1", 10), [okResult("web1", 1_000)], "history kept");
    assert.deepEqual(await s.hosts.add("a", host("web1")), { ok: true }, "the name is free again");
    await s.close();
  });

  test("invalid hosts are refused before anything is written", async () => {
    const { s } = open();
    const bad: Array<[Partial<HostSpec> & { name?: string }, RegExp]> = [
      [{ name: "Web 1" }, /name: must match HOST_NAME/],
      [{ name: "" }, /name/],
      [{ user: "root; rm -rf /" }, /user: must match USER_NAME/],
      [{ services: ["nginx", "x; reboot"] }, /services\.1: must match SERVICE_NAME/],
      [{ checks: ["uptime", "rm" as never] }, /checks\.1/],
      [{ port: 0 }, /port/],
      [{ port: 70_000 }, /port/],
      [{ port: 22.5 }, /port/],
      [{ thresholds: { diskPct: Number.NaN, loadPerCore: 1, memoryPct: 1 } }, /thresholds\.diskPct/],
      [{ thresholds: { diskPct: 1, loadPerCore: 1 } as never }, /thresholds\.memoryPct/],
      [{ hostKey: "" }, /hostKey/],
      [{ keyFile: "" }, /keyFile/],
      [{ addedAt: 1.5 }, /addedAt/],
    ];
    for (const [extra, message] of bad) {
      await assert.rejects(
        s.hosts.add("a", host("web1", extra)),
        (err: unknown) => err instanceof InvalidServerDataError && message.test(err.message),
        `${JSON.stringify(extra)} refused with ${message}`,
      );
    }
    assert.deepEqual(await s.hosts.list("a"), [], "nothing was written");
    await s.close();
  });

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
  test("latest: newest first by start time (ties by insertion), bounded, scoped to room and host", async () => {
    const { s } = open();
    // Inserted out of time order; two runs share a start time.
    for (const [at, seconds] of [
      [3_000, 3],
      [1_000, 1],
      [2_000, 2],
      [2_000, 22],
      [5_000, 5],
    ] as const) {
      await s.serverResults.add("a", okResult("web1", at, seconds));
    }
    await s.serverResults.add("a", okResult("web2", 9_000));
    await s.serverResults.add("b", okResult("web1", 9_000));

    const secondsOf = (rs: HostResult[]) => rs.map((r) => (r.checks.uptime?.ok ? r.checks.uptime.value.seconds : -1));
    assert.deepEqual(secondsOf(await s.serverResults.latest("a", "web1", 10)), [5, 3, 22, 2, 1]);
    assert.deepEqual(secondsOf(await s.serverResults.latest("a", "web1", 2)), [5, 3]);
    assert.deepEqual(secondsOf(await s.serverResults.latest("a", "web2", 10)), [9_000]);
    assert.deepEqual(secondsOf(await s.serverResults.latest("b", "web1", 10)), [9_000]);
    assert.deepEqual(await s.serverResults.latest("a", "web3", 10), []);
    assert.deepEqual(await s.serverResults.latest("c", "web1", 10), []);
    assert.deepEqual(await s.serverResults.latest("a", "web1", 0), [], "limit 0 is no rows, not 'no limit'");
    assert.deepEqual(await s.serverResults.latest("a", "web1", -1), []);
    await s.close();
  });

  test("every field round-trips exactly; failure absent when there was none", async () => {
    const { s } = open();
    const healthy = fullResult("web1", 1_000);
    const unreachable: HostResult = {
      host: "web1",
      at: 2_000,
      durationMs: 5_000,
      reachable: false,
      failure: { kind: "timeout", message: "no answer within 5 s" },
      checks: {},
    };
    const mismatch: HostResult = {
      host: "web1",
      at: 3_000,
      durationMs: 40,
      reachable: false,
      failure: {
        kind: "host-key-mismatch",
        message: "host key does not match its pin",
        presentedHostKey: "SHA256:AAAAbbbbCCCCddddEEEEffffGGGGhhhhIIIIjjjjKKK",
      },
      checks: {},
    };
    const dropped: HostResult = {
      host: "web1",
      at: 4_000,
      durationMs: 30_000,
      reachable: true,
      failure: { kind: "dropped", message: "" },
      checks: {
        uptime: { ok: true, value: { seconds: 10 } },
        load: { ok: false, error: "command timed out" },
        journal: { ok: true, value: { count: 0, latest: [], available: false } },
      },
    };
    for (const r of [healthy, unreachable, mismatch, dropped]) await s.serverResults.add("a", r);

    const got = await s.serverResults.latest("a", "web1", 10);
    assert.deepEqual(got, [dropped, mismatch, unreachable, healthy]);
    const [gotDropped, gotMismatch, gotUnreachable, gotHealthy] = got;
    assert.ok(gotHealthy && !("failure" in gotHealthy), "no failure key when there was no failure");
    assert.ok(gotUnreachable?.failure && !("presentedHostKey" in gotUnreachable.failure), "no presentedHostKey key");
    assert.equal(gotMismatch?.failure?.presentedHostKey, mismatch.failure?.presentedHostKey);
    assert.equal(gotDropped?.failure?.message, "", "an empty message is still a message");
    assert.ok(gotUnreachable && Object.keys(gotUnreachable.checks).length === 0, "no checks stays no checks");
    await s.close();
  });

  test("check values keep fields this code does not know (a newer checker wrote them)", async () => {
    const { s } = open();
    const r = okResult("web1", 1_000);
    const withExtra = {
      ...r,
      checks: { uptime: { ok: true, value: { seconds: 5, bootId: "f00d" } } },
    } as unknown as HostResult;
    await s.serverResults.add("a", withExtra);
    assert.deepEqual(await s.serverResults.latest("a", "web1", 1), [withExtra]);
    await s.close();
  });

  test("invalid results are refused before anything is written", async () => {
    const { s } = open();
    const base = okResult("web1", 1_000);
    const bad: Array<[unknown, RegExp]> = [
      [{ ...base, host: "" }, /host/],
      [{ ...base, at: Number.NaN }, /at/],
      [{ ...base, durationMs: -1 }, /durationMs/],
      [{ ...base, reachable: "yes" }, /reachable/],
      [{ ...base, failure: { kind: "exploded", message: "boom" } }, /failure\.kind/],
      [{ ...base, failure: { kind: "timeout" } }, /failure\.message/],
      [{ ...base, checks: { load: { ok: true, value: { load1: Number.POSITIVE_INFINITY } } } }, /checks\.load/],
      [{ ...base, checks: { disk: { ok: false } } }, /checks\.disk/],
    ];
    for (const [result, message] of bad) {
      await assert.rejects(
        s.serverResults.add("a", result as HostResult),
        (err: unknown) => err instanceof InvalidServerDataError && message.test(err.message),
        `${JSON.stringify(result)} refused with ${message}`,
      );
    }
    assert.deepEqual(await s.serverResults.latest("a", "web1", 10), [], "nothing was written");
    await s.close();
  });

  test("latestPerHost: each host's newest result, in name order, scoped to the room, removed hosts included", async () => {
    const { s } = open();
    await s.hosts.add("a", host("web1"));
    await s.serverResults.add("a", okResult("web2", 5_000, 25));
    await s.serverResults.add("a", okResult("web1", 3_000, 13));
    await s.serverResults.add("a", okResult("web2", 9_000, 29));
    await s.serverResults.add("a", okResult("web1", 1_000, 11));
    await s.serverResults.add("a", okResult("app", 2_000, 1));
    await s.serverResults.add("a", okResult("web1", 3_000, 133)); // same start time: the later insert wins
    await s.serverResults.add("a", okResult("web2", 7_000, 27));
    await s.serverResults.add("b", okResult("web1", 99_000, 99));
    await s.hosts.remove("a", "web1");

    const latest = await s.serverResults.latestPerHost("a");
    assert.deepEqual([...latest.keys()], ["app", "web1", "web2"]);
    assert.deepEqual(latest.get("app"), okResult("app", 2_000, 1));
    assert.deepEqual(latest.get("web1"), okResult("web1", 3_000, 133));
    assert.deepEqual(latest.get("web2"), okResult("web2", 9_000, 29));
    assert.deepEqual(
      [...(await s.serverResults.latestPerHost("b")).entries()],
      [["web1", okResult("web1", 99_000, 99)]],
    );
    assert.equal((await s.serverResults.latestPerHost("nobody")).size, 0);
    await s.close();
  });

  test("prune deletes results older than `before` across rooms and returns how many", async () => {
    const { s } = open();
    for (const at of [1_000, 2_000, 3_000, 4_000]) {
      await s.serverResults.add("a", okResult("web1", at));
      await s.serverResults.add("b", okResult("db1", at));
    }
    assert.equal(await s.serverResults.prune(1_000), 0, "nothing is older than the oldest");
    assert.equal(await s.serverResults.prune(3_000), 4, "strictly older: 1000 and 2000 in both rooms");
    assert.deepEqual(
      (await s.serverResults.latest("a", "web1", 10)).map((r) => r.at),
      [4_000, 3_000],
    );
    assert.deepEqual(
      (await s.serverResults.latest("b", "db1", 10)).map((r) => r.at),
      [4_000, 3_000],
    );
    assert.equal(await s.serverResults.prune(3_000), 0, "pruning again finds nothing");
    assert.equal(await s.serverResults.prune(Number.MAX_SAFE_INTEGER), 4);
    assert.equal((await s.serverResults.latestPerHost("a")).size, 0);
    await s.close();
  });

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
    assert.equal(raw.pragma("user_version", { simple: true }), 5);
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
    raw.exec("DROP TABLE hosts; DROP TABLE server_results;");
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
