import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { DeleteCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { Incident } from "../../../core/alerts/types.ts";
import { createDynamoAuditRepository } from "../../../storage/aws/audit.ts";
import { type AwsContext, createAwsContext, ensureTables } from "../../../storage/aws/client.ts";
import { createDynamoIncidentRepository } from "../../../storage/aws/incidents.ts";
import { createDynamoMuteRepository } from "../../../storage/aws/mutes.ts";
import { createDynamoOutboxRepository } from "../../../storage/aws/outbox.ts";
import { ALERT_TABLES } from "../../../storage/aws/tables.ts";
import { createSqliteStorage } from "../../../storage/sqlite/index.ts";
import { type LocalAws, startLocalAws } from "../../support/aws-local.ts";
import { type AlertStorage, alertsContract, incident, notice } from "./alerts.ts";

describe("alert storage contract: SQLite", () => {
  alertsContract(async () => {
    const dir = mkdtempSync(join(tmpdir(), "seroma-alerts-"));
    const storage = createSqliteStorage({ dataDir: dir });
    return {
      storage,
      async close() {
        await storage.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  });
});

function dynamoStorage(ctx: AwsContext): AlertStorage {
  return {
    incidents: createDynamoIncidentRepository(ctx),
    outbox: createDynamoOutboxRepository(ctx),
    mutes: createDynamoMuteRepository(ctx),
    audit: createDynamoAuditRepository(ctx),
  };
}

describe("alert storage contract: DynamoDB", () => {
  let aws: LocalAws;
  let n = 0;
  before(async () => {
    aws = await startLocalAws({ tables: ALERT_TABLES });
  });
  after(async () => {
    await aws.stop();
  });

  /** A fresh set of tables (own prefix) on the shared local DynamoDB; no Scan allowed. */
  async function fresh(): Promise<AwsContext> {
    const ctx = createAwsContext({ ...aws.options, prefix: `contract${++n}` });
    await ensureTables(ctx, ALERT_TABLES);
    ctx.requests.clear();
    return ctx;
  }
  function noScan(ctx: AwsContext): void {
    assert.equal(ctx.requests.get("Scan"), undefined, "never a Scan");
    assert.ok((ctx.requests.get("Query") ?? 0) + (ctx.requests.get("GetItem") ?? 0) > 0, "the requests were counted");
  }

  alertsContract(async () => {
    const ctx = await fresh();
    return {
      storage: dynamoStorage(ctx),
      async close() {
        try {
          noScan(ctx);
        } finally {
          ctx.destroy();
        }
      },
    };
  });

  describe("DynamoDB only", () => {
    test("two consoles racing to open the same (room, rule): exactly one wins, every time", async () => {
      const base = await fresh();
      const consoles = [base, createAwsContext({ ...aws.options, prefix: base.prefix })];
      const repos = consoles.map((c) => createDynamoIncidentRepository(c));
      const rules = ["climate.temperature", "climate.humidity", "sensor.dead", "server.disk:web1"] as const;
      for (const room of ["lab", "hall", "cellar"]) {
        for (const rule of rules) {
          const racers = [0, 1, 2].map((k) => incident({ id: `${room}-${rule}-${k}`, roomId: room, rule }));
          const results = await Promise.allSettled(
            racers.map((i, k) => (repos[k % repos.length] as (typeof repos)[number]).insert(i)),
          );
          const won = results.flatMap((r, k) => (r.status === "fulfilled" ? [racers[k] as Incident] : []));
          assert.equal(won.length, 1, `${room} ${rule}: ${results.map((r) => r.status).join(", ")}`);
          const winner = won[0] as Incident;
          assert.deepEqual(await repos[1]?.findOpen(room, rule), winner);
          for (const loser of racers.filter((i) => i.id !== winner.id)) {
            assert.equal(await repos[0]?.get(loser.id), undefined, "the loser left nothing behind");
          }
        }
      }
      const open = (await repos[0]?.listOpen()) ?? [];
      assert.equal(open.length, 12);
      assert.equal(new Set(open.map((i) => `${i.roomId} ${i.rule}`)).size, 12);
      // Racing to resolve one and open the next also ends with exactly one open.
      const current = await repos[0]?.findOpen("lab", "sensor.dead");
      assert.ok(current);
      const next = incident({ id: "lab-next", rule: "sensor.dead", openedAt: current.openedAt + 1 });
      await Promise.allSettled([
        repos[0]?.update({ ...current, state: "resolved", resolvedAt: next.openedAt }),
        repos[1]?.insert(next),
      ]);
      const after = await repos[1]?.listOpen("lab");
      assert.ok((after?.filter((i) => i.rule === "sensor.dead").length ?? 0) <= 1);
      assert.equal((await repos[0]?.get(current.id))?.state, "resolved");
      for (const c of consoles) noScan(c);
      consoles[1]?.destroy();
      base.destroy();
    });

    test("listOpen() spans every room of the backend, oldest first; listOpen(room) only that room", async () => {
      const ctx = await fresh();
      const repo = createDynamoIncidentRepository(ctx);
      const rooms = ["lab", "hall", "cellar", "roof"];
      const rules = ["climate.temperature", "reader.dead", "server.down:db1"] as const;
      let t = 0;
      for (const rule of rules) {
        for (const roomId of rooms) {
          await repo.insert(incident({ id: `${roomId}/${rule}`, roomId, rule, openedAt: 1000 + (t++ % 5) }));
        }
      }
      const all = await repo.listOpen();
      assert.equal(all.length, 12);
      const order = all.map((i) => [i.openedAt, i.id] as const);
      const sorted = [...order].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
      assert.deepEqual(order, sorted);
      for (const roomId of rooms) {
        const mine = await repo.listOpen(roomId);
        assert.equal(mine.length, 3);
        assert.ok(mine.every((i) => i.roomId === roomId));
      }
      const first = all[0] as Incident;
      await repo.update({ ...first, state: "resolved", resolvedAt: 5000 });
      assert.deepEqual(
        (await repo.listOpen()).map((i) => i.id),
        all.slice(1).map((i) => i.id),
      );
      noScan(ctx);
      ctx.destroy();
    });

    test("outbox with hundreds of entries: order, counts, delivery in bulk and pruning across pages", async () => {
      const ctx = await fresh();
      const outbox = createDynamoOutboxRepository(ctx);
      const telegram: number[] = [];
      for (let k = 1; k <= 130; k++) {
        const [t] = await outbox.enqueue(notice(k), ["telegram", "sns"], k);
        telegram.push(t as number);
      }
      // One notice to more channels than a batch write takes at once.
      const wide = Array.from({ length: 30 }, (_, k) => `chat-${k}`);
      const wideIds = await outbox.enqueue(notice(0), wide, 0);
      assert.equal(wideIds.length, 30);
      for (const [k, channel] of wide.entries()) {
        assert.deepEqual(
          (await outbox.pending(channel, 5)).map((e) => e.id),
          [wideIds[k]],
        );
      }
      assert.equal(await outbox.countPending("telegram"), 130);
      const all = await outbox.pending("telegram", 1000);
      assert.deepEqual(
        all.map((e) => e.id),
        telegram,
      );
      assert.deepEqual(
        all.map((e) => e.notice.details.n),
        Array.from({ length: 130 }, (_, k) => k + 1),
      );
      await outbox.markDelivered(telegram.slice(0, 110), 10_000, "bulk");
      assert.equal(await outbox.countPending("telegram"), 20);
      assert.equal(await outbox.countPending("sns"), 130);
      assert.deepEqual(
        (await outbox.pending("telegram", 5)).map((e) => e.id),
        telegram.slice(110, 115),
      );
      await outbox.markDelivered(telegram.slice(110), 20_000);
      assert.equal(await outbox.prune(10_001), 110);
      assert.equal(await outbox.prune(20_001), 20);
      assert.equal(await outbox.prune(Number.MAX_SAFE_INTEGER), 0);
      assert.equal(await outbox.countPending("telegram"), 0);
      assert.equal(await outbox.countPending("sns"), 130);
      noScan(ctx);
      ctx.destroy();
    });

    /** A context whose requests fail (as if the connection dropped) while `failing` says so. */
    function flaky(ctx: AwsContext, failing: (command: object) => boolean): AwsContext {
      const doc = new Proxy(ctx.doc, {
        get(target, prop, receiver) {
          if (prop !== "send") return Reflect.get(target, prop, receiver);
          return (command: object, ...rest: unknown[]) =>
            failing(command)
              ? Promise.reject(Object.assign(new Error("socket hang up"), { name: "TimeoutError" }))
              : (target.send as (...a: unknown[]) => Promise<unknown>)(command, ...rest);
        },
      });
      return { ...ctx, doc };
    }

    test("a resolve cut off before the rule was released still frees the rule", async () => {
      const ctx = await fresh();
      const repo = createDynamoIncidentRepository(ctx);
      const cut = createDynamoIncidentRepository(flaky(ctx, (c) => c instanceof DeleteCommand));
      const first = incident({ id: "first" });
      await repo.insert(first);
      await assert.rejects(cut.update({ ...first, state: "resolved", resolvedAt: T(1) }), /socket hang up/);
      assert.equal((await repo.get("first"))?.state, "resolved");
      assert.equal(await repo.findOpen("lab", "climate.temperature"), undefined);
      const second = incident({ id: "second", openedAt: T(2) });
      await repo.insert(second);
      assert.deepEqual(await repo.findOpen("lab", "climate.temperature"), second);
      assert.deepEqual(await repo.listOpen("lab"), [second]);
      ctx.destroy();
    });

    test("an insert cut off after claiming the rule is completed by the next reader; no second one opens", async () => {
      const ctx = await fresh();
      const repo = createDynamoIncidentRepository(ctx);
      let puts = 0;
      // The first Put (the claim) goes through; everything after it fails.
      const cut = createDynamoIncidentRepository(flaky(ctx, (c) => !(c instanceof PutCommand) || ++puts > 1));
      const first = incident({ id: "first" });
      await assert.rejects(cut.insert(first), /socket hang up/);
      await assert.rejects(repo.insert(incident({ id: "second", openedAt: T(1) })));
      assert.deepEqual(await repo.findOpen("lab", "climate.temperature"), first);
      assert.deepEqual(await repo.get("first"), first);
      assert.deepEqual(await repo.listOpen(), [first]);
      assert.equal(await repo.get("second"), undefined);
      ctx.destroy();
    });

    test("an insert that could not write its incident gives the rule back", async () => {
      const ctx = await fresh();
      const repo = createDynamoIncidentRepository(ctx);
      let puts = 0;
      // The claim goes through, the incident's Put fails, the release works.
      const cut = createDynamoIncidentRepository(flaky(ctx, (c) => c instanceof PutCommand && ++puts === 2));
      await assert.rejects(cut.insert(incident({ id: "first" })), /socket hang up/);
      assert.equal(await repo.get("first"), undefined);
      assert.equal(await repo.findOpen("lab", "climate.temperature"), undefined);
      const second = incident({ id: "second", openedAt: T(1) });
      await repo.insert(second);
      assert.deepEqual(await repo.findOpen("lab", "climate.temperature"), second);
      ctx.destroy();
    });

    test("a write retried after its answer was lost (it had gone through) does not refuse the insert", async () => {
      const ctx = await fresh();
      const repo = createDynamoIncidentRepository(ctx);
      // Every Put is sent twice and the second answer is returned, as when the SDK retries
      // a request whose first response was lost: conditional Puts then see their own write.
      const doc = new Proxy(ctx.doc, {
        get(target, prop, receiver) {
          if (prop !== "send") return Reflect.get(target, prop, receiver);
          const send = target.send.bind(target) as (c: object) => Promise<unknown>;
          return async (command: object) => {
            if (!(command instanceof PutCommand)) return send(command);
            await send(command);
            return send(command);
          };
        },
      });
      const retried = createDynamoIncidentRepository({ ...ctx, doc });
      const first = incident({ id: "first" });
      await retried.insert(first);
      assert.deepEqual(await repo.findOpen("lab", "climate.temperature"), first);
      await assert.rejects(retried.insert(incident({ id: "second", openedAt: T(1) })));
      assert.equal(await repo.get("second"), undefined);
      ctx.destroy();
    });

    test("AWS unreachable: every call rejects instead of hanging or pretending", async () => {
      const local = await startLocalAws({ tables: ALERT_TABLES });
      const ctx = createAwsContext(local.options); // maxAttempts 2
      const s = dynamoStorage(ctx);
      await s.incidents.insert(incident({ id: "before" }));
      await local.stop();
      const calls: Array<[string, () => Promise<unknown>]> = [
        ["incidents.insert", () => s.incidents.insert(incident({ id: "x", rule: "sensor.dead" }))],
        ["incidents.update", () => s.incidents.update(incident({ id: "before" }))],
        ["incidents.setTelegramMessageId", () => s.incidents.setTelegramMessageId("before", 1)],
        ["incidents.get", () => s.incidents.get("before")],
        ["incidents.findOpen", () => s.incidents.findOpen("lab", "climate.temperature")],
        ["incidents.listOpen", () => s.incidents.listOpen()],
        ["incidents.openedBetween", () => s.incidents.openedBetween("lab", 0, 10)],
        ["outbox.enqueue", () => s.outbox.enqueue(notice(1), ["telegram"], 0)],
        ["outbox.pending", () => s.outbox.pending("telegram", 10)],
        ["outbox.markDelivered", () => s.outbox.markDelivered([1], 0)],
        ["outbox.markFailed", () => s.outbox.markFailed(1, "e", 0)],
        ["outbox.countPending", () => s.outbox.countPending("telegram")],
        ["outbox.prune", () => s.outbox.prune(0)],
        ["mutes.set", () => s.mutes.set({ roomId: "lab", rule: "*", until: 1, by: { id: 1, name: "A" } })],
        ["mutes.clear", () => s.mutes.clear("lab", "*")],
        ["mutes.active", () => s.mutes.active("lab", 0)],
        ["audit.record", () => s.audit.record({ at: 0, roomId: "lab", userId: 1, userName: "A", action: "ack" })],
        ["audit.latest", () => s.audit.latest("lab", 10)],
      ];
      for (const [name, call] of calls) {
        await assert.rejects(call(), (err: Error) => {
          assert.ok(err instanceof Error, name);
          assert.match(`${err.name} ${err.message}`, /ECONNREFUSED|connect|socket|network/i, name);
          return true;
        });
      }
      ctx.destroy();
    });
  });
});

const T = (ms: number) => Date.parse("2026-11-23T10:00:00Z") + ms;
