/**
 * kill -9 at random points while alerts flow (the power cut a Pi in a server room gets):
 * after every restart on the same DATA_DIR, nothing is lost: every incident that was
 * stored has its alert in the outbox (one transaction) and every alert in the outbox is
 * delivered in the end. Delivery is at least once: an alert sent just before the kill, and
 * not yet marked, goes out again after the restart; the test counts those duplicates.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import Database from "better-sqlite3";
import { type FaultConsole, matching, STAFF, startFaultConsole } from "./support.ts";

const consoles: FaultConsole[] = [];
after(async () => {
  await Promise.all(consoles.map((c) => c.close()));
});

/** A small deterministic generator (the kill points differ per round, the run is repeatable). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1_664_525 + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

export interface KillRoundsResult {
  rounds: number;
  incidents: number;
  outboxRows: number;
  lost: number;
  duplicates: number;
}

/** Runs `rounds` kill -9 rounds on a fault console; returns what it found in the database and the chat. */
export async function killRounds(c: FaultConsole, rounds: number, seed = 7): Promise<KillRoundsResult> {
  const rnd = random(seed);
  const hosts = ["web-1", "db-1"];
  for (let round = 0; round < rounds; round++) {
    const name = hosts[round % hosts.length] as string;
    const host = c.fleet.get(name);
    await host?.setUp(!host.state().up); // flip: down raises, up recovers
    c.api.sendMessage(STAFF, { id: STAFF.id, type: "private" }, `/server ${name}`);
    await new Promise((r) => setTimeout(r, Math.floor(rnd() * 600)));
    await c.kill9();
    await c.start(); // the scheduled check at start judges what the killed one may not have
  }
  // Let everything settle: the outbox drained, then a clean stop.
  const db = () => new Database(join(c.dataDir, "seroma.db"), { readonly: true });
  await c.api.waitFor(() => {
    const d = db();
    try {
      const { n } = d
        .prepare(
          "SELECT count(*) AS n FROM outbox WHERE channel = 'telegram' AND delivered_at IS NULL AND dead_at IS NULL",
        )
        .get() as { n: number };
      return n === 0 ? true : undefined;
    } finally {
      d.close();
    }
  }, 60_000);
  assert.equal(await c.stop(), 0);
  const d = db();
  try {
    const incidents = d.prepare("SELECT id, rule, state FROM incidents").all() as Array<{
      id: string;
      rule: string;
      state: string;
    }>;
    const rows = d
      .prepare("SELECT notice, delivered_at, dead_at FROM outbox WHERE channel = 'telegram'")
      .all() as Array<{
      notice: string;
      delivered_at: number | null;
      dead_at: number | null;
    }>;
    const notices = rows.map((r) => ({
      ...JSON.parse(r.notice),
      delivered: r.delivered_at !== null,
      dead: r.dead_at !== null,
    }));
    let lost = 0;
    for (const i of incidents) {
      const raised = notices.some((n) => n.incidentId === i.id && n.kind === "raised");
      const recovered = i.state !== "resolved" || notices.some((n) => n.incidentId === i.id && n.kind === "recovered");
      if (!raised || !recovered) lost++;
    }
    lost += notices.filter((n) => !n.delivered && !n.dead).length;
    // Each outbox row is one message (no backlog large enough for a digest here): more messages are duplicates.
    const messages = c.group().filter((m) => !m.deleted).length;
    return {
      rounds,
      incidents: incidents.length,
      outboxRows: rows.length,
      lost,
      duplicates: Math.max(0, messages - rows.length),
    };
  } finally {
    d.close();
  }
}

describe("faults: kill -9 while alerts flow (the real process)", () => {
  test("after random kills and restarts, every stored incident's alert is delivered; duplicates are counted", async () => {
    const c = await startFaultConsole();
    consoles.push(c);
    await c.api.waitFor(() => matching(c.group(), /Seroma started/)[0], 20_000);
    const result = await killRounds(c, 6);
    console.log(`kill -9 rounds: ${JSON.stringify(result)}`);
    assert.ok(result.incidents >= 2, `alerts flowed: ${JSON.stringify(result)}`);
    assert.equal(result.lost, 0, `nothing lost: ${JSON.stringify(result)}`);
  });
});
