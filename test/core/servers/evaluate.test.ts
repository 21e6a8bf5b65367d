import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { evaluateHost } from "../../../core/servers/evaluate.ts";
import type { HostResult, HostSpec } from "../../../core/servers/types.ts";

const spec: HostSpec = {
  name: "web1",
  address: "10.0.0.5",
  port: 22,
  user: "seroma",
  hostKey: "SHA256:abc",
  checks: ["uptime", "load", "memory", "disk", "services", "journal"],
  services: ["nginx", "cron"],
  thresholds: { diskPct: 90, loadPerCore: 2, memoryPct: 95 },
};

const healthy: HostResult = {
  host: "web1",
  at: 1_000,
  durationMs: 40,
  reachable: true,
  checks: {
    uptime: { ok: true, value: { seconds: 86_400 } },
    load: { ok: true, value: { load1: 1.5, load5: 1, load15: 1, cores: 4 } },
    memory: { ok: true, value: { totalBytes: 8e9, availableBytes: 4e9, usedPct: 50 } },
    disk: { ok: true, value: [{ mount: "/", filesystem: "/dev/sda1", sizeBytes: 1e11, usedBytes: 5e10, usedPct: 50 }] },
    services: {
      ok: true,
      value: [
        { name: "nginx", state: "active" },
        { name: "cron", state: "active" },
      ],
    },
    journal: { ok: true, value: { count: 0, latest: [], available: true } },
  },
};

const once = { failures: 0, downAfter: 2 };

describe("evaluating a host's checks", () => {
  test("a healthy host: every condition ok", () => {
    assert.deepEqual(evaluateHost(spec, healthy, once), {
      down: "ok",
      disk: "ok",
      service: "ok",
      journal: "ok",
      load: "ok",
      memory: "ok",
    });
  });

  test("problems: disk over (critical at 98 %), a failed service, journal errors, load and memory", () => {
    const sick: HostResult = {
      ...healthy,
      checks: {
        ...healthy.checks,
        load: { ok: true, value: { load1: 9.2, load5: 5, load15: 3, cores: 4 } },
        memory: { ok: true, value: { totalBytes: 8e9, availableBytes: 1e8, usedPct: 98.8 } },
        disk: {
          ok: true,
          value: [
            { mount: "/", filesystem: "/dev/sda1", sizeBytes: 1e11, usedBytes: 9.1e10, usedPct: 91 },
            { mount: "/var", filesystem: "/dev/sda2", sizeBytes: 1e11, usedBytes: 9.9e10, usedPct: 99 },
            { mount: "/boot", filesystem: "/dev/sda3", sizeBytes: 1e9, usedBytes: 1e8, usedPct: 10 },
          ],
        },
        services: {
          ok: true,
          value: [
            { name: "nginx", state: "failed" },
            { name: "cron", state: "active" },
          ],
        },
        journal: { ok: true, value: { count: 3, latest: ["a", "b", "kernel: I/O error"], available: true } },
      },
    };
    const v = evaluateHost(spec, sick, once);
    assert.deepEqual(v.disk, {
      severity: "critical",
      details: { host: "web1", mounts: "/var 99 %, / 91 %", limit: "90 %" },
    });
    assert.deepEqual(v.service, { severity: "critical", details: { host: "web1", services: "nginx (failed)" } });
    assert.deepEqual(v.journal, {
      severity: "warning",
      details: { host: "web1", count: 3, latest: "kernel: I/O error" },
    });
    assert.deepEqual(v.load, { severity: "warning", details: { host: "web1", load: "9.20", cores: 4, limit: "2.0" } });
    assert.deepEqual(v.memory, { severity: "warning", details: { host: "web1", used: "98.8 %", limit: "95 %" } });
  });

  test("a check that could not be read leaves its condition unknown (neither raised nor cleared)", () => {
    const v = evaluateHost(spec, { ...healthy, checks: { disk: { ok: false, error: "garbage" } } }, once);
    assert.equal(v.disk, "unknown");
    assert.equal(v.service, "unknown");
    assert.equal(v.down, "ok");
  });

  test("unreachable: down only after N failures in a row, at once for a changed host key; the rest unknown", () => {
    const down: HostResult = {
      host: "web1",
      at: 1,
      durationMs: 10,
      reachable: false,
      failure: { kind: "unreachable", message: "connect ECONNREFUSED 10.0.0.5:22" },
      checks: {},
    };
    assert.equal(evaluateHost(spec, down, { failures: 1, downAfter: 2 }).down, "unknown");
    const second = evaluateHost(spec, down, { failures: 2, downAfter: 2 });
    assert.deepEqual(second.down, {
      severity: "critical",
      details: {
        host: "web1",
        address: "10.0.0.5:22",
        reason: "connect ECONNREFUSED 10.0.0.5:22",
        kind: "unreachable",
        failures: 2,
      },
    });
    assert.equal(second.disk, "unknown");
    const mismatch = evaluateHost(
      spec,
      { ...down, failure: { kind: "host-key-mismatch", message: "changed", presentedHostKey: "SHA256:evil" } },
      { failures: 1, downAfter: 5 },
    );
    assert.ok(typeof mismatch.down === "object" && mismatch.down.severity === "critical");
  });

  test("no journal on the host (BusyBox) is fine, not a problem", () => {
    const v = evaluateHost(
      spec,
      { ...healthy, checks: { journal: { ok: true, value: { count: 0, latest: [], available: false } } } },
      once,
    );
    assert.equal(v.journal, "ok");
  });
});
