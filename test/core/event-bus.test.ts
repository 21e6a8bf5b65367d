import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { EventBus } from "../../core/event-bus.ts";
import { captureLogs } from "../support/log-capture.ts";

type Events = { ping: { n: number }; pong: { n: number } };

describe("event bus", () => {
  test("listeners are counted per event and in all; unsubscribing releases them (twice is harmless)", () => {
    const bus = new EventBus<Events>();
    assert.equal(bus.listenerCount(), 0);
    const off1 = bus.on("ping", () => {});
    const off2 = bus.on("ping", () => {});
    const off3 = bus.on("pong", () => {});
    assert.equal(bus.listenerCount("ping"), 2);
    assert.equal(bus.listenerCount("pong"), 1);
    assert.equal(bus.listenerCount(), 3);
    off1();
    off1();
    assert.equal(bus.listenerCount("ping"), 1);
    off2();
    off3();
    assert.equal(bus.listenerCount(), 0);
  });

  test("a listener that throws or rejects is logged; the emitter and the other listeners carry on", async () => {
    const logs = captureLogs();
    const bus = new EventBus<Events>(logs.logger);
    const seen: number[] = [];
    bus.on("ping", () => {
      throw new Error("sync bug");
    });
    bus.on("ping", async () => {
      throw new Error("async bug");
    });
    bus.on("ping", ({ n }) => void seen.push(n));
    bus.emit("ping", { n: 1 });
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.deepEqual(seen, [1]);
    assert.deepEqual(logs.messages("error"), ["event listener failed", "event listener failed"]);
  });
});
