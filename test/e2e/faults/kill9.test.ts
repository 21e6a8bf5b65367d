/**
 * kill -9 at random points while alerts flow (the power cut a Pi in a server room gets):
 * after every restart on the same DATA_DIR, nothing is lost: every incident that was
 * stored has its alert in the outbox (one transaction) and every alert in the outbox is
 * delivered in the end. Delivery is at least once: an alert sent just before the kill, and
 * not yet marked, goes out again after the restart; the test counts those duplicates.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { type FaultConsole, killRounds, matching, startFaultConsole } from "./support.ts";

const consoles: FaultConsole[] = [];
after(async () => {
  await Promise.all(consoles.map((c) => c.close()));
});

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
