/**
 * The AWS backend's alert ledger: the incident change is journalled on the Pi with its
 * outbox rows (one local transaction), then applied to DynamoDB. A crash between the two
 * writes, or DynamoDB unreachable, leaves it in the journal; repair() applies it, in order,
 * idempotently. Real DynamoDB API (dynalite) behind a proxy that can be unplugged.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Incident, Notice } from "../../../core/alerts/types.ts";
import { silentLogger } from "../../../core/logger.ts";
import { createAwsStorage } from "../../../storage/aws/index.ts";
import { ALL_TABLES } from "../../../storage/aws/tables.ts";
import { createSqliteStorage } from "../../../storage/sqlite/index.ts";
import { type LocalAws, startLocalAws } from "../../support/aws-local.ts";
import { startTcpProxy, type TcpProxy } from "../../support/tcp-proxy.ts";

const T0 = Date.parse("2026-11-23T10:00:00Z");
const incident = (id: string, over: Partial<Incident> = {}): Incident => ({
  id,
  roomId: "room-a",
  rule: "climate.temperature",
  severity: "critical",
  state: "open",
  openedAt: T0,
  details: { value: "31.0" },
  lastNotifiedAt: T0,
  ...over,
});
const raised = (id: string): Notice => ({
  kind: "raised",
  roomId: "room-a",
  severity: "critical",
  rule: "climate.temperature",
  incidentId: id,
  at: T0,
  details: {},
});

describe("AWS alert ledger", () => {
  let aws: LocalAws;
  let proxy: TcpProxy;
  before(async () => {
    aws = await startLocalAws({ tables: ALL_TABLES, prefix: "ledger" });
    proxy = await startTcpProxy(Number(new URL(aws.options.endpoints?.dynamodb ?? "").port));
  });
  after(async () => {
    await proxy.close();
    await aws.stop();
  });

  function open(dataDir: string) {
    return createAwsStorage({
      ...aws.options,
      endpoints: { ...aws.options.endpoints, dynamodb: proxy.url },
      maxAttempts: 1,
      dataDir,
      logger: silentLogger,
    });
  }

  test("DynamoDB unreachable: the alert is queued on the Pi at once, the incident follows when it is back", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "seroma-ledger-"));
    const storage = open(dataDir);
    try {
      proxy.setDown(true);
      const ids = await storage.alertLedger.commit({
        incident: { op: "insert", value: incident("inc-down") },
        notices: [{ notice: raised("inc-down"), channels: ["telegram", "sns"] }],
        at: T0,
      });
      assert.equal(ids.length, 2, "both outbox rows written");
      assert.equal((await storage.outbox.pending("telegram", 10))[0]?.notice.incidentId, "inc-down");
      // Resolved while still offline: journalled behind the insert.
      await storage.alertLedger.commit({
        incident: { op: "update", value: incident("inc-down", { state: "resolved", resolvedAt: T0 + 60_000 }) },
        notices: [],
        at: T0 + 60_000,
      });
      assert.deepEqual(await storage.alertLedger.repair(), { applied: 0, pending: 2 });

      proxy.setDown(false);
      assert.deepEqual(await storage.alertLedger.repair(), { applied: 2, pending: 0 });
      const stored = await storage.incidents.get("inc-down");
      assert.equal(stored?.state, "resolved");
      assert.deepEqual(await storage.incidents.listOpen("room-a"), []);
    } finally {
      proxy.setDown(false);
      await storage.close();
    }
  });

  test("a crash between the local write and DynamoDB's is repaired at the next start", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "seroma-ledger-"));
    // What a crash leaves: the local transaction committed, DynamoDB never written.
    const local = createSqliteStorage({ dataDir });
    local.incidentJournal.commit({
      incident: { op: "insert", value: incident("inc-crash", { rule: "climate.humidity" }) },
      notices: [{ notice: { ...raised("inc-crash"), rule: "climate.humidity" }, channels: ["telegram"] }],
      at: T0,
    });
    await local.close();

    const storage = open(dataDir);
    try {
      assert.equal(await storage.incidents.get("inc-crash"), undefined, "not in DynamoDB yet");
      assert.deepEqual(await storage.alertLedger.repair(), { applied: 1, pending: 0 });
      assert.equal((await storage.incidents.get("inc-crash"))?.rule, "climate.humidity");
      assert.equal((await storage.outbox.pending("telegram", 10)).length, 1, "its alert is still queued once");
      // Applied twice (a crash after DynamoDB's write, before the journal was cleaned): harmless.
      assert.deepEqual(await storage.alertLedger.repair(), { applied: 0, pending: 0 });
    } finally {
      await storage.close();
    }
  });

  test("applied twice, or an update whose insert never arrived: idempotent, nothing lost", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "seroma-ledger-"));
    const storage = open(dataDir);
    const local = createSqliteStorage({ dataDir });
    try {
      await storage.incidents.insert(incident("inc-twice", { rule: "sensor.dead" }));
      // The same insert journalled again (the crash came after DynamoDB took it).
      local.incidentJournal.commit({
        incident: { op: "insert", value: incident("inc-twice", { rule: "sensor.dead" }) },
        notices: [],
        at: T0,
      });
      // An update of an incident DynamoDB never saw: inserted whole from the journal.
      local.incidentJournal.commit({
        incident: {
          op: "update",
          value: incident("inc-orphan", { rule: "reader.dead", state: "resolved", resolvedAt: T0 + 5 }),
        },
        notices: [],
        at: T0,
      });
      assert.deepEqual(await storage.alertLedger.repair(), { applied: 2, pending: 0 });
      assert.equal((await storage.incidents.get("inc-orphan"))?.state, "resolved");
      assert.equal((await storage.incidents.get("inc-twice"))?.rule, "sensor.dead");
    } finally {
      await local.close();
      await storage.close();
    }
  });
});
