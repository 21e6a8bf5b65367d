import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CameraError } from "../../../core/camera/camera.ts";
import { createCaptureQueue } from "../../../hardware/camera/capture-queue.ts";

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const codeOf = (e: unknown) => (e instanceof CameraError ? e.code : `not a CameraError: ${String(e)}`);

describe("createCaptureQueue", () => {
  test("runs one task at a time, in call order, whatever the earlier ones did", async () => {
    const queue = createCaptureQueue("test");
    const events: string[] = [];
    const first = deferred<string>();
    const a = queue.run(async () => {
      events.push("a start");
      const v = await first.promise;
      events.push("a end");
      return v;
    });
    const b = queue.run(async () => {
      events.push("b start");
      throw new CameraError("failed", "b broke");
    });
    const c = queue.run(async () => {
      events.push("c start");
      return "c";
    });
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(events, ["a start"], "b waits for a");
    first.resolve("a");
    assert.equal(await a, "a");
    await assert.rejects(b, (e) => codeOf(e) === "failed");
    assert.equal(await c, "c");
    assert.deepEqual(events, ["a start", "a end", "b start", "c start"]);
  });

  test("anything a task throws comes out as a CameraError", async () => {
    const queue = createCaptureQueue("test");
    const err = await queue.run(() => Promise.reject(new TypeError("oops"))).catch((e: unknown) => e);
    assert.ok(err instanceof CameraError);
    assert.equal(err.code, "failed");
    assert.match(err.message, /test failed: oops/);
    assert.ok(err.cause instanceof TypeError);
    const thrown = await queue.run(() => Promise.reject("a string")).catch((e: unknown) => e);
    assert.equal(codeOf(thrown), "failed");
  });

  test("close(): aborts the running task, refuses waiting and later ones with 'closed'", async () => {
    const queue = createCaptureQueue("test");
    let sawAbort = false;
    const running = queue.run(
      (signal) =>
        new Promise((_, reject) => {
          signal.addEventListener("abort", () => {
            sawAbort = true;
            reject(new Error("stopped"));
          });
        }),
    );
    let waitingRan = false;
    const waiting = queue.run(async () => {
      waitingRan = true;
    });
    await new Promise((r) => setTimeout(r, 5));
    await queue.close();
    assert.ok(sawAbort);
    assert.equal(queue.closed, true);
    await assert.rejects(running, (e) => codeOf(e) === "closed");
    await assert.rejects(waiting, (e) => codeOf(e) === "closed");
    assert.equal(waitingRan, false);
    await assert.rejects(
      queue.run(async () => 1),
      (e) => codeOf(e) === "closed",
    );
    await queue.close();
  });

  test("a task that finishes although it was aborted still rejects with 'closed'", async () => {
    const queue = createCaptureQueue("test");
    const gate = deferred<void>();
    const running = queue.run(async () => {
      await gate.promise;
      return "picture";
    });
    await new Promise((r) => setTimeout(r, 5));
    const closing = queue.close();
    gate.resolve();
    await closing;
    await assert.rejects(running, (e) => codeOf(e) === "closed");
  });
});
