/**
 * Local mode's simulated servers, checked by the console's real host checker over SSH on
 * 127.0.0.1: what they report is their state, a host taken down refuses connections and
 * comes back on the same port with the same key, only the console's key gets in, and the
 * catalogue follows the fleet across restarts.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { systemClock } from "../../core/clock.ts";
import type { HostSpec } from "../../core/servers/types.ts";
import { type SimulatedServerFleet, simulatedHostSpec, startSimulatedServers } from "../../local/sim-servers.ts";
import { ensureKeyFile } from "../../servers/keys.ts";
import { createHostChecker } from "../../servers/runner.ts";
import { createSqliteStorage } from "../../storage/sqlite/index.ts";

const THRESHOLDS = { diskPct: 90, loadPerCore: 2, memoryPct: 95 };

describe("simulated servers (local mode)", () => {
  const work = mkdtempSync(join(tmpdir(), "seroma-sim-servers-"));
  const keyFile = join(work, "ssh", "id_ed25519");
  const key = ensureKeyFile(keyFile, "test");
  const check = createHostChecker({
    defaultKeyFile: keyFile,
    connectTimeoutMs: 3_000,
    commandTimeoutMs: 5_000,
    clock: systemClock,
  });
  let fleet: SimulatedServerFleet;
  const spec = (name: string, over: Partial<HostSpec> = {}): HostSpec => {
    const h = fleet.get(name);
    assert.ok(h, name);
    return { ...simulatedHostSpec(h, THRESHOLDS), ...over };
  };

  before(async () => {
    fleet = await startSimulatedServers({ dir: join(work, "sim"), clientPublicKey: key.public });
  });
  after(async () => {
    await fleet.close();
    rmSync(work, { recursive: true, force: true });
  });

  test("the default fleet answers every check with its state, over a pinned SSH connection", async () => {
    assert.deepEqual(
      fleet.hosts.map((h) => h.name),
      ["web-1", "db-1", "backup-1"],
    );
    const web = fleet.get("web-1");
    assert.ok(web);
    const result = await check(spec("web-1"));
    assert.equal(result.reachable, true, JSON.stringify(result.failure));
    const c = result.checks;
    assert.ok(c.uptime?.ok && c.uptime.value.seconds >= 23 * 86_400);
    assert.ok(c.load?.ok);
    assert.equal(c.load.value.cores, 4);
    assert.ok(Math.abs(c.load.value.load1 / 4 - 0.18) < 0.01, JSON.stringify(c.load.value));
    assert.ok(c.memory?.ok);
    assert.ok(Math.abs(c.memory.value.usedPct - 41) < 0.2, JSON.stringify(c.memory.value));
    assert.ok(c.disk?.ok);
    assert.deepEqual(
      c.disk.value.map((m) => [m.mount, m.usedPct]),
      [["/", 38]],
    );
    assert.ok(c.services?.ok);
    assert.deepEqual(c.services.value, [
      { name: "nginx", state: "active" },
      { name: "ssh", state: "active" },
    ]);
    assert.ok(c.journal?.ok);
    assert.equal(c.journal.value.count, 0);
  });

  test("a full disk, a failed service and its journal line show in the next check", async () => {
    const db = fleet.get("db-1");
    assert.ok(db);
    db.set({ diskPct: 99 });
    db.setService("postgresql", "failed");
    db.logError("2026-11-28T03:00:00+0000 db-1 systemd[1]: postgresql.service failed.");
    const result = await check(spec("db-1"));
    assert.ok(result.checks.disk?.ok && result.checks.disk.value[0]?.usedPct === 99);
    assert.ok(result.checks.services?.ok);
    assert.deepEqual(
      result.checks.services.value.find((s) => s.name === "postgresql"),
      { name: "postgresql", state: "failed" },
    );
    assert.ok(result.checks.journal?.ok);
    assert.equal(result.checks.journal.value.count, 1);
    assert.match(result.checks.journal.value.latest.join("\n"), /postgresql\.service failed/);
    // The journal moves on: the same line is not reported twice.
    const next = await check(spec("db-1"));
    assert.ok(next.checks.journal?.ok && next.checks.journal.value.count === 0);
    assert.throws(() => db.set({ diskPct: 101 }), /at most 100/);
    assert.throws(() => db.setService("nginx", "failed"), /db-1 has no service nginx/);
  });

  test("taken down: connection refused; brought up: same port, same key, reachable again", async () => {
    const web = fleet.get("web-1");
    assert.ok(web);
    const before = spec("web-1");
    await web.setUp(false);
    const down = await check(before);
    assert.equal(down.reachable, false);
    assert.equal(down.failure?.kind, "unreachable", JSON.stringify(down.failure));
    await web.setUp(true);
    assert.equal(web.port, before.port);
    const up = await check(before);
    assert.equal(up.reachable, true, JSON.stringify(up.failure));
  });

  test("only the console's key gets in, and a wrong pin is refused before authentication", async () => {
    const otherKey = ensureKeyFile(join(work, "other", "id_ed25519"), "intruder");
    assert.notEqual(otherKey.public, key.public);
    const intruder = createHostChecker({
      defaultKeyFile: join(work, "other", "id_ed25519"),
      connectTimeoutMs: 3_000,
      commandTimeoutMs: 5_000,
      clock: systemClock,
    });
    const refused = await intruder(spec("backup-1"));
    assert.equal(refused.reachable, false);
    assert.equal(refused.failure?.kind, "auth-failed", JSON.stringify(refused.failure));

    const wrongPin = await check(spec("backup-1", { hostKey: fleet.get("web-1")?.hostKeyFingerprint ?? "" }));
    assert.equal(wrongPin.reachable, false);
    assert.equal(wrongPin.failure?.kind, "host-key-mismatch", JSON.stringify(wrongPin.failure));
  });

  test("register: adds the fleet to the catalogue, updates it after a restart, leaves other hosts alone", async () => {
    const storage = createSqliteStorage({ dataDir: join(work, "db") });
    try {
      const real: HostSpec = { ...spec("web-1"), name: "real-1", address: "10.0.0.5", port: 22 };
      assert.equal((await storage.hosts.add("room", real)).ok, true);
      assert.deepEqual(await fleet.register(storage.hosts, "room", THRESHOLDS), ["web-1", "db-1", "backup-1"]);
      assert.deepEqual(await fleet.register(storage.hosts, "room", THRESHOLDS), [], "nothing changed: nothing done");

      // A restart: the same keys (kept in the directory), maybe other ports.
      const firstKeys = fleet.hosts.map((h) => h.hostKeyFingerprint);
      await fleet.close();
      fleet = await startSimulatedServers({ dir: join(work, "sim"), clientPublicKey: key.public });
      assert.deepEqual(
        fleet.hosts.map((h) => h.hostKeyFingerprint),
        firstKeys,
      );
      await fleet.register(storage.hosts, "room", THRESHOLDS);
      const listed = await storage.hosts.list("room");
      assert.deepEqual(
        listed.map((h) => [h.name, h.port]),
        [
          ["backup-1", fleet.get("backup-1")?.port],
          ["db-1", fleet.get("db-1")?.port],
          ["real-1", 22],
          ["web-1", fleet.get("web-1")?.port],
        ],
      );
      const result = await check((await storage.hosts.get("room", "web-1")) as HostSpec);
      assert.equal(result.reachable, true, JSON.stringify(result.failure));
    } finally {
      await storage.close();
    }
  });
});
