/**
 * The readings / user-settings and staff / access-log contracts against both backends:
 * SQLite (a temp directory) and DynamoDB (dynalite on 127.0.0.1, real AWS SDK clients),
 * plus what only the AWS backend has to prove: one Query per `/history 20` and
 * `/access 20` whatever the table size, bulk writes through BatchWriteItem, the same
 * numbers as SQLite, idempotent readings, race-free link guards, errors that reject.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import type { Reading } from "../../../core/climate/reading.ts";
import type { AccessEntry } from "../../../core/door/ports.ts";
import type { Storage } from "../../../core/storage.ts";
import { createDynamoAccessLogRepository } from "../../../storage/aws/access-log.ts";
import { type AwsContext, createAwsContext, ensureTables } from "../../../storage/aws/client.ts";
import { createDynamoReadingRepository, READINGS_TABLES } from "../../../storage/aws/readings.ts";
import { createDynamoStaffRepository, STAFF_TABLE } from "../../../storage/aws/staff.ts";
import { ACCESS_TABLES } from "../../../storage/aws/tables.ts";
import { createDynamoUserSettingsRepository, USER_SETTINGS_TABLES } from "../../../storage/aws/user-settings.ts";
import { createSqliteStorage } from "../../../storage/sqlite/index.ts";
import { type LocalAws, startLocalAws } from "../../support/aws-local.ts";
import { accessContract } from "./access.ts";
import { readingsContract } from "./readings.ts";

const TABLES = [...READINGS_TABLES, ...USER_SETTINGS_TABLES, ...ACCESS_TABLES];

type Repos = Pick<Storage, "readings" | "userSettings" | "staff" | "accessLog">;

const dynamoRepos = (ctx: AwsContext): Repos => ({
  readings: createDynamoReadingRepository(ctx),
  userSettings: createDynamoUserSettingsRepository(ctx),
  staff: createDynamoStaffRepository(ctx),
  accessLog: createDynamoAccessLogRepository(ctx),
});

async function openSqlite(): Promise<{ storage: Repos; close(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), "seroma-contract-"));
  const storage = createSqliteStorage({ dataDir });
  return {
    storage,
    async close() {
      await storage.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A fresh set of tables (own prefix) on the describe's dynalite for every opened store. */
function dynamoOpener(local: () => LocalAws) {
  let n = 0;
  return async (): Promise<{ storage: Repos; close(): Promise<void> }> => {
    const ctx = createAwsContext({ ...local().options, prefix: `contract-${++n}` });
    await ensureTables(ctx, TABLES);
    return {
      storage: dynamoRepos(ctx),
      async close() {
        const scans = ctx.requests.get("Scan") ?? 0;
        ctx.destroy();
        assert.equal(scans, 0, "never a Scan");
      },
    };
  };
}

/** Requests made by `fn`, by operation. */
async function requestsOf(ctx: AwsContext, fn: () => Promise<unknown>): Promise<Record<string, number>> {
  const before = new Map(ctx.requests);
  await fn();
  const delta: Record<string, number> = {};
  for (const [op, count] of ctx.requests) {
    const d = count - (before.get(op) ?? 0);
    if (d > 0) delta[op] = d;
  }
  return delta;
}

const r = (roomId: string, at: number, t = 21, h = 45): Reading => ({ roomId, at, temperatureC: t, humidityPct: h });

describe("readings + user settings contract: SQLite", () => {
  readingsContract(openSqlite);
});

describe("staff + access log contract: SQLite", () => {
  accessContract(openSqlite);
});

describe("readings + user settings contract: DynamoDB", () => {
  let local: LocalAws;
  before(async () => {
    local = await startLocalAws();
  });
  after(() => local.stop());
  readingsContract(dynamoOpener(() => local));
});

describe("staff + access log contract: DynamoDB", () => {
  let local: LocalAws;
  before(async () => {
    local = await startLocalAws();
  });
  after(() => local.stop());
  accessContract(dynamoOpener(() => local));
});

describe("DynamoDB readings and access: what only the AWS backend has to prove", () => {
  let local: LocalAws;
  let n = 0;
  /** Fresh tables and repositories on their own prefix, with the context for request counts. */
  const fresh = async (): Promise<{ ctx: AwsContext; repos: Repos }> => {
    const ctx = createAwsContext({ ...local.options, prefix: `aws-only-${++n}` });
    await ensureTables(ctx, TABLES);
    return { ctx, repos: dynamoRepos(ctx) };
  };
  before(async () => {
    local = await startLocalAws();
  });
  after(() => local.stop());

  test("the table specs: keys as documented", () => {
    assert.deepEqual(
      TABLES.map((t) => [t.base, t.keySchema.map((k) => `${k.AttributeName}:${k.KeyType}`)]),
      [
        ["readings", ["roomId:HASH", "at:RANGE"]],
        ["user-settings", ["userId:HASH"]],
        ["staff", ["pk:HASH", "sk:RANGE"]],
        ["access-log", ["roomId:HASH", "id:RANGE"]],
      ],
    );
    assert.deepEqual(
      ACCESS_TABLES[1]?.gsis?.map((g) => [g.IndexName, g.KeySchema?.map((k) => k.AttributeName)]),
      [
        ["by-card", ["roomCard", "id"]],
        ["by-time", ["roomId", "at"]],
      ],
    );
  });

  describe("10,000 readings written once to DynamoDB and to SQLite", () => {
    const from = Date.UTC(2026, 10, 16, 3, 17);
    const to = from + 10_000 * 2000;
    const rows: Reading[] = [];
    let seed = 7;
    const rand = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    for (let i = 0; i < 10_000; i++) {
      const at = from + i * 2000 + Math.floor(rand() * 1500);
      rows.push(r("lab", at, Math.round((15 + rand() * 15) * 100) / 100, rand() * 100));
    }
    let aws: { ctx: AwsContext; repos: Repos };
    let writes: Record<string, number>;
    const sqlite = createSqliteStorage({ file: ":memory:" });
    before(async () => {
      aws = await fresh();
      writes = await requestsOf(aws.ctx, () => aws.repos.readings.addMany(rows));
      await aws.repos.readings.addMany(rows.slice(0, 500).map((x) => ({ ...x, roomId: "other" })));
      await sqlite.readings.addMany(rows);
    });
    after(() => sqlite.close());

    test("addMany goes through BatchWriteItem: about 400 requests for 10,000 readings", async () => {
      assert.deepEqual(Object.keys(writes), ["BatchWriteItem"], JSON.stringify(writes));
      const batches = writes.BatchWriteItem ?? 0;
      assert.ok(batches >= 400 && batches <= 420, `${batches} BatchWriteItem requests`);
      assert.equal(await aws.repos.readings.count("lab"), 10_000);
      assert.equal(await aws.repos.readings.count("other"), 500);
    });

    test("/history 20 is exactly one Query", async () => {
      let latest: Reading[] = [];
      const reads = await requestsOf(aws.ctx, async () => {
        latest = await aws.repos.readings.latest("lab", 20);
      });
      assert.deepEqual(reads, { Query: 1 });
      assert.deepEqual(latest, rows.slice(-20).reverse());
      assert.deepEqual(await requestsOf(aws.ctx, () => aws.repos.readings.between("lab", from, from + 3600_000, 100)), {
        Query: 1,
      });
      assert.deepEqual(
        await requestsOf(aws.ctx, () => aws.repos.readings.latest("lab", 0)),
        {},
        "limit 0 asks nothing",
      );
      assert.equal(aws.ctx.requests.get("Scan") ?? 0, 0, "never a Scan");
    });

    test("the same numbers as SQLite: count, aggregate, between, latest", async () => {
      assert.equal(await aws.repos.readings.count("lab"), await sqlite.readings.count("lab"));
      for (const buckets of [1, 7, 240, 1000, 33_333]) {
        const lite = await sqlite.readings.aggregate("lab", from, to, buckets);
        assert.ok(lite.length > 0);
        assert.deepEqual(await aws.repos.readings.aggregate("lab", from, to, buckets), lite, `${buckets} buckets`);
      }
      const mid = from + 3_333_333;
      assert.deepEqual(
        await aws.repos.readings.aggregate("lab", mid, mid + 86_400_000, 97),
        await sqlite.readings.aggregate("lab", mid, mid + 86_400_000, 97),
      );
      assert.deepEqual(
        await aws.repos.readings.between("lab", mid, to, 10_000),
        await sqlite.readings.between("lab", mid, to, 10_000),
      );
      assert.deepEqual(await aws.repos.readings.latest("lab", 3000), await sqlite.readings.latest("lab", 3000));
    });
  });

  test("a reading is identified by (room, at): a repeat replaces it (idempotent uploads)", async () => {
    const { ctx, repos } = await fresh();
    await repos.readings.add(r("a", 1000, 20));
    await repos.readings.add(r("a", 1000, 21));
    assert.deepEqual(await repos.readings.latest("a", 10), [r("a", 1000, 21)]);
    // Duplicates inside one addMany (BatchWriteItem refuses them in one request): the last wins.
    const batch = [r("a", 2000, 30), r("b", 2000, 31), r("a", 2000, 32), r("a", 3000, 33)];
    await repos.readings.addMany(batch);
    await repos.readings.addMany(batch); // a retried upload
    assert.deepEqual(await repos.readings.latest("a", 10), [r("a", 3000, 33), r("a", 2000, 32), r("a", 1000, 21)]);
    assert.equal(await repos.readings.count("a"), 3);
    assert.equal(await repos.readings.count("b"), 1);
    assert.equal(ctx.requests.get("Scan") ?? 0, 0);
  });

  test("/access 20 is one Query over thousands of entries; byCard and paging too", async () => {
    const { ctx, repos } = await fresh();
    const added: Array<AccessEntry> = [];
    const base = Date.UTC(2026, 10, 16, 8);
    for (let chunk = 0; chunk < 40; chunk++) {
      const entries = Array.from({ length: 50 }, (_, i) => {
        const k = chunk * 50 + i;
        return {
          roomId: "lab",
          at: base + k * 1000,
          cardUid: `0${k % 5}`,
          staffName: `P${k % 5}`,
          decision: "allowed",
        };
      }) satisfies Array<Omit<AccessEntry, "id">>;
      const ids = await Promise.all(entries.map((e) => repos.accessLog.add(e)));
      entries.forEach((e, i) => {
        added.push({ ...e, id: ids[i] as number });
      });
    }
    await repos.accessLog.add({ roomId: "other", at: base, cardUid: "01", decision: "unknown" });
    assert.equal(new Set(added.map((e) => e.id)).size, 2000, "unique ids under concurrent adds");
    assert.equal(await repos.accessLog.count("lab"), 2000);
    const byId = [...added].sort((a, b) => b.id - a.id);

    let page: AccessEntry[] = [];
    assert.deepEqual(
      await requestsOf(ctx, async () => {
        page = await repos.accessLog.latest("lab", 20);
      }),
      { Query: 1 },
    );
    assert.deepEqual(page, byId.slice(0, 20));
    assert.deepEqual(
      await requestsOf(ctx, async () => {
        page = await repos.accessLog.latest("lab", 20, page[19]?.id);
      }),
      { Query: 1 },
    );
    assert.deepEqual(page, byId.slice(20, 40));
    assert.deepEqual(
      await requestsOf(ctx, async () => {
        page = await repos.accessLog.byCard("lab", "03", 20);
      }),
      { Query: 1 },
    );
    assert.deepEqual(page, byId.filter((e) => e.cardUid === "03").slice(0, 20));
    assert.deepEqual(
      await requestsOf(ctx, () => repos.accessLog.add({ roomId: "lab", at: base, cardUid: "01", decision: "allowed" })),
      { UpdateItem: 1, PutItem: 1 },
      "an entry costs a counter increment and a put",
    );
    assert.equal(ctx.requests.get("Scan") ?? 0, 0, "never a Scan");
  });

  test("staff lookups are GetItems, lists one Query", async () => {
    const { ctx, repos } = await fresh();
    for (let i = 0; i < 30; i++) {
      await repos.staff.add({
        cardUid: `C${i}`,
        name: `Person ${i}`,
        role: "staff",
        active: true,
        createdBy: 1,
        createdAt: 1,
        ...(i % 3 === 0 ? { telegramUserId: 1000 + i } : {}),
      });
    }
    assert.deepEqual(await requestsOf(ctx, () => repos.staff.getByUid("C4")), { GetItem: 1 });
    assert.deepEqual(await requestsOf(ctx, () => repos.staff.getByTelegramId(1003)), { GetItem: 2 });
    assert.deepEqual(await requestsOf(ctx, () => repos.staff.getByTelegramId(1004)), { GetItem: 1 });
    assert.deepEqual(await requestsOf(ctx, () => repos.staff.list()), { Query: 1 });
    assert.deepEqual(await requestsOf(ctx, () => repos.staff.findByName("person 1")), { Query: 1 });
    assert.equal((await repos.staff.list()).length, 30);
    assert.equal(ctx.requests.get("Scan") ?? 0, 0, "never a Scan");
  });

  test("a dangling link guard (a crash mid-link) neither answers lookups nor blocks a link", async () => {
    const { ctx, repos } = await fresh();
    const staffTable = ctx.table(STAFF_TABLE);
    const base = { role: "staff" as const, active: true, createdBy: 1, createdAt: 1 };
    await repos.staff.add({ cardUid: "04A2", name: "Ann", ...base });
    await repos.staff.add({ cardUid: "0B0B", name: "Bob", ...base });
    // Left behind by a process that claimed account 42 for Ann and died before linking,
    // and one naming a card that does not exist (an add that was rolled back).
    for (const [tg, uid] of [
      [42, "04A2"],
      [43, "DEAD"],
    ] as const) {
      await ctx.doc.send(
        new PutCommand({
          TableName: staffTable,
          Item: { pk: `tg#${tg}`, sk: "link", telegramUserId: tg, cardUid: uid, claimId: "crashed" },
        }),
      );
    }
    assert.equal(await repos.staff.getByTelegramId(42), undefined);
    assert.equal(await repos.staff.getByTelegramId(43), undefined);
    assert.equal((await repos.staff.linkTelegram("0B0B", 42))?.telegramUserId, 42);
    assert.equal((await repos.staff.getByTelegramId(42))?.cardUid, "0B0B");
    await assert.rejects(repos.staff.linkTelegram("04A2", 42), /already linked to card 0B0B/);
    assert.equal((await repos.staff.linkTelegram("04A2", 43))?.telegramUserId, 43);
    assert.equal((await repos.staff.getByTelegramId(43))?.cardUid, "04A2");
  });

  test("errors reject with the SDK's error: missing tables", async () => {
    const ctx = createAwsContext({ ...local.options, prefix: "no-such-tables" });
    const repos = dynamoRepos(ctx);
    const notFound = { name: "ResourceNotFoundException" };
    try {
      await assert.rejects(repos.readings.latest("a", 20), notFound);
      await assert.rejects(repos.readings.addMany([r("a", 1)]), notFound);
      await assert.rejects(repos.userSettings.setLocale(1, "en"), notFound);
      await assert.rejects(
        repos.staff.add({ cardUid: "01", name: "A", role: "staff", active: true, createdBy: 1, createdAt: 1 }),
        notFound,
      );
      await assert.rejects(repos.staff.linkTelegram("01", 5), notFound);
      await assert.rejects(repos.accessLog.add({ roomId: "a", at: 1, cardUid: "01", decision: "allowed" }), notFound);
      await assert.rejects(repos.accessLog.between("a", 0, 10, 10), notFound);
    } finally {
      ctx.destroy();
    }
  });
});

describe("DynamoDB unreachable", () => {
  test("every repository rejects (no hang) when AWS cannot be reached", async () => {
    const local = await startLocalAws({ tables: TABLES });
    const ctx = createAwsContext(local.options); // maxAttempts: 2
    const repos = dynamoRepos(ctx);
    await repos.readings.add(r("a", 1));
    assert.equal(await repos.readings.count("a"), 1, "reachable before the stop");
    await local.stop();
    // And a context on a port nothing listens on.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const nowhere = createAwsContext({ ...local.options, endpoints: { dynamodb: `http://127.0.0.1:${port}` } });
    try {
      for (const target of [repos, dynamoRepos(nowhere)]) {
        const unreachable = (err: unknown) => {
          assert.ok(err instanceof Error, String(err));
          assert.match(`${(err as { code?: string }).code} ${err.message}`, /ECONNREFUSED|connect/i);
          return true;
        };
        await assert.rejects(target.readings.latest("a", 20), unreachable);
        await assert.rejects(target.readings.add(r("a", 2)), unreachable);
        await assert.rejects(target.readings.addMany([r("a", 3)]), unreachable);
        await assert.rejects(target.readings.aggregate("a", 0, 10, 1), unreachable);
        await assert.rejects(target.userSettings.getLocale(1), unreachable);
        await assert.rejects(target.staff.getByTelegramId(1), unreachable);
        await assert.rejects(target.staff.linkTelegram("01", 1), unreachable);
        await assert.rejects(
          target.accessLog.add({ roomId: "a", at: 1, cardUid: "01", decision: "allowed" }),
          unreachable,
        );
        await assert.rejects(target.accessLog.latest("a", 20), unreachable);
      }
    } finally {
      ctx.destroy();
      nowhere.destroy();
    }
  });
});
