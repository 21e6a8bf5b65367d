/** The hub's watch over its rooms: silence by missed heartbeats, by an offline status that stands, and the way back. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createSilenceWatch } from "../../../core/rooms/silence.ts";

function setup(silentAfterMs = 120_000) {
  let now = 1_000_000;
  const changes: Array<{ room: string; silent: boolean; reason?: string; at: number }> = [];
  const watch = createSilenceWatch({
    silentAfterMs,
    clock: { now: () => new Date(now) },
    async setSilent(room, problem, at) {
      changes.push({
        room,
        silent: problem !== undefined,
        ...(problem ? { reason: String(problem.details.reason) } : {}),
        at,
      });
    },
  });
  return { watch, changes, advance: (ms: number) => (now += ms) };
}

describe("silence watch", () => {
  test("a room not heard for silentAfter is silent once; heard again, it is back", async () => {
    const { watch, changes, advance } = setup();
    await watch.seen("dc-1", 0);
    await watch.seen("dc-2");
    advance(60_000);
    await watch.seen("dc-2");
    advance(60_000);
    await watch.check();
    assert.deepEqual(
      changes.map((c) => [c.room, c.silent, c.reason]),
      [["dc-1", true, "not heard for 120 s (heartbeats missed)"]],
    );
    advance(5_000);
    await watch.check();
    assert.equal(changes.length, 1, "raised once");
    await watch.seen("dc-1", 2);
    assert.deepEqual(changes.at(-1), { room: "dc-1", silent: false, at: 1_125_000 });
    assert.deepEqual(
      watch.rooms().map((r) => [r.room, r.silent, r.open]),
      [
        ["dc-1", false, 2],
        ["dc-2", false, undefined],
      ],
    );
  });

  test("an offline status (Last Will) is silence once it stands for the grace; back before it, nothing", async () => {
    const { watch, changes, advance } = setup();
    await watch.seen("dc-1");
    await watch.offline("dc-1", "its connection dropped without a goodbye (Last Will)");
    advance(5_000);
    await watch.check();
    assert.equal(changes.length, 0, "within the grace");
    await watch.seen("dc-1"); // back (a broker restart)
    advance(20_000);
    await watch.check();
    assert.equal(changes.length, 0);
    await watch.offline("dc-1", "its connection dropped without a goodbye (Last Will)");
    advance(10_000);
    await watch.check();
    assert.deepEqual(
      changes.map((c) => [c.room, c.silent, c.reason]),
      [["dc-1", true, "its connection dropped without a goodbye (Last Will)"]],
    );
  });

  test("grace(): after the hub itself could not listen, every clock starts again", async () => {
    const { watch, changes, advance } = setup(10_000);
    await watch.seen("dc-1");
    await watch.offline("dc-2", "stopped");
    advance(60_000); // the hub was away from the broker
    watch.grace();
    await watch.check();
    assert.equal(changes.length, 0);
    advance(10_000);
    await watch.check();
    assert.deepEqual(changes.map((c) => [c.room, c.reason]).sort(), [
      ["dc-1", "not heard for 10 s (heartbeats missed)"],
      ["dc-2", "stopped"],
    ]);
  });

  test("remember(): a room silent before a restart stays so until heard", async () => {
    const { watch, changes } = setup();
    watch.remember("dc-3", true);
    await watch.check();
    assert.equal(changes.length, 0);
    await watch.seen("dc-3");
    assert.deepEqual(
      changes.map((c) => [c.room, c.silent]),
      [["dc-3", false]],
    );
  });
});
