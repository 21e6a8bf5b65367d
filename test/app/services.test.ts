/**
 * The room's service runner (app/services.ts): start in order, stop in reverse, each failure
 * isolated: logged, the others still started or stopped, then reported to the caller.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createServiceRunner, type RoomService } from "../../app/services.ts";
import { captureLogs } from "../support/log-capture.ts";

/** Services that record what happened to them in `calls`; `fail` makes one throw. */
function fleet(
  names: string[],
  fail: { start?: string[]; stop?: string[] } = {},
  extra: Partial<Record<string, Partial<RoomService>>> = {},
) {
  const calls: string[] = [];
  const services: RoomService[] = names.map((name) => ({
    name,
    async start() {
      calls.push(`start ${name}`);
      if (fail.start?.includes(name)) throw new Error(`${name} broke`);
    },
    async stop() {
      calls.push(`stop ${name}`);
      if (fail.stop?.includes(name)) throw new Error(`${name} stuck`);
    },
    ...extra[name],
  }));
  return { calls, services };
}

describe("room service runner", () => {
  test("starts the services in the list's order and stops them in the reverse one", async () => {
    const { calls, services } = fleet(["alerts", "display", "door", "background"]);
    const runner = createServiceRunner(services, captureLogs().logger);
    assert.deepEqual(runner.names, ["alerts", "display", "door", "background"]);
    await runner.start();
    await runner.stop();
    assert.deepEqual(calls, [
      "start alerts",
      "start display",
      "start door",
      "start background",
      "stop background",
      "stop door",
      "stop display",
      "stop alerts",
    ]);
  });

  test("a service that cannot start is logged, the ones after it still start, then start() rejects with its error", async () => {
    const logs = captureLogs();
    const { calls, services } = fleet(["a", "b", "c"], { start: ["b"] });
    const runner = createServiceRunner(services, logs.logger);
    await assert.rejects(runner.start(), { message: "b broke" });
    assert.deepEqual(calls, ["start a", "start b", "start c"]);
    assert.deepEqual(logs.messages("error"), ["b could not start"]);
    assert.equal(logs.entries[0]?.service, "b");
    // The caller stops the room: every service, the failed one too.
    await runner.stop();
    assert.deepEqual(calls.slice(3), ["stop c", "stop b", "stop a"]);
  });

  test("several services that cannot start: one AggregateError naming each", async () => {
    const { services } = fleet(["a", "b", "c"], { start: ["a", "c"] });
    const runner = createServiceRunner(services, captureLogs().logger);
    const err = await runner.start().then(
      () => assert.fail("start() should reject"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof AggregateError);
    assert.equal(err.message, "2 room services could not start: a (a broke); c (c broke)");
    assert.deepEqual(
      err.errors.map((e: Error) => e.message),
      ["a broke", "c broke"],
    );
  });

  test("a failure its service handles (startFailed) is reported its way and start() resolves", async () => {
    const logs = captureLogs();
    const reported: string[] = [];
    const { calls, services } = fleet(
      ["a", "watch", "c"],
      { start: ["watch"] },
      {
        watch: {
          startFailed(err) {
            reported.push(err.message);
          },
        },
      },
    );
    await createServiceRunner(services, logs.logger).start();
    assert.deepEqual(reported, ["watch broke"]);
    assert.deepEqual(calls, ["start a", "start watch", "start c"]);
    assert.deepEqual(logs.messages("error"), [], "the handler logs what it means, not the runner");
  });

  test("a handler that throws is logged and the failure counts as unhandled", async () => {
    const logs = captureLogs();
    const { calls, services } = fleet(
      ["watch", "b"],
      { start: ["watch"] },
      {
        watch: {
          async startFailed() {
            throw new Error("bus gone");
          },
        },
      },
    );
    await assert.rejects(createServiceRunner(services, logs.logger).start(), { message: "watch broke" });
    assert.deepEqual(calls, ["start watch", "start b"]);
    assert.deepEqual(logs.messages("error"), ["watch could not start or report it"]);
  });

  test("a required service that cannot start ends start() at once: nothing after it starts", async () => {
    const logs = captureLogs();
    const { calls, services } = fleet(["alerts", "b"], { start: ["alerts"] }, { alerts: { required: true } });
    const runner = createServiceRunner(services, logs.logger);
    await assert.rejects(runner.start(), { message: "alerts broke" });
    assert.deepEqual(calls, ["start alerts"]);
    assert.deepEqual(logs.messages("error"), ["alerts could not start; the room cannot run without it"]);
  });

  test("a stop that throws does not keep the others from stopping; stop() rejects with it after the last", async () => {
    const logs = captureLogs();
    const { calls, services } = fleet(["a", "b", "c", "d"], { stop: ["c", "b"] });
    const runner = createServiceRunner(services, logs.logger);
    await runner.start();
    const err = await runner.stop().then(
      () => assert.fail("stop() should reject"),
      (e: unknown) => e,
    );
    assert.deepEqual(calls.slice(4), ["stop d", "stop c", "stop b", "stop a"]);
    assert.ok(err instanceof AggregateError);
    assert.equal(err.message, "2 room services could not stop: c (c stuck); b (b stuck)");
    assert.deepEqual(logs.messages("error"), ["c could not stop", "b could not stop"]);

    const one = fleet(["a", "b"], { stop: ["a"] });
    const single = createServiceRunner(one.services, logs.logger);
    await assert.rejects(single.stop(), { message: "a stuck" });
    assert.deepEqual(one.calls, ["stop b", "stop a"], "stop() without start() stops every service");
  });

  test("something thrown that is not an Error is still reported as one", async () => {
    const services: RoomService[] = [
      {
        name: "odd",
        start: () => Promise.reject("just a string"),
        stop: async () => {},
      },
    ];
    await assert.rejects(createServiceRunner(services, captureLogs().logger).start(), {
      name: "Error",
      message: "just a string",
    });
  });
});
