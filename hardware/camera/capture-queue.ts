/**
 * One capture at a time, and a camera that can be closed: what every camera driver needs
 * around its captures (the port's contract).
 *
 *   run(task)  -> waits for the captures before it, then runs task(signal). Whatever the task
 *                 throws comes out as a CameraError (anything else becomes "failed").
 *   close()    -> aborts the running task's signal (it must stop and reject; if it finishes
 *                 anyway, its result is dropped and the call rejects with "closed"), rejects
 *                 the waiting ones and every later one with "closed". Resolves when the
 *                 running task has settled. Safe to call twice.
 */
import { CameraError } from "../../core/camera/camera.ts";

export interface CaptureQueue {
  run<T>(task: (signal: AbortSignal) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  readonly closed: boolean;
}

export function toCameraError(e: unknown, what = "the capture"): CameraError {
  if (e instanceof CameraError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new CameraError("failed", `${what} failed: ${message}`, { cause: e });
}

/** `label` names the camera in messages (e.g. "rpicam"). */
export function createCaptureQueue(label: string): CaptureQueue {
  let tail: Promise<unknown> = Promise.resolve();
  let running: AbortController | undefined;
  let closed = false;
  const closedError = () => new CameraError("closed", `${label}: the camera is closed`);

  return {
    get closed() {
      return closed;
    },
    run<T>(task: (signal: AbortSignal) => Promise<T>): Promise<T> {
      if (closed) return Promise.reject(closedError());
      const result = tail.then(async () => {
        if (closed) throw closedError();
        const controller = new AbortController();
        running = controller;
        try {
          const value = await task(controller.signal);
          if (controller.signal.aborted) throw closedError();
          return value;
        } catch (e) {
          if (controller.signal.aborted && !(e instanceof CameraError && e.code === "closed")) {
            throw new CameraError("closed", `${label}: the camera was closed during the capture`, { cause: e });
          }
          throw toCameraError(e, label);
        } finally {
          running = undefined;
        }
      });
      tail = result.catch(() => {});
      return result;
    },
    async close() {
      closed = true;
      running?.abort();
      await tail;
    },
  };
}
