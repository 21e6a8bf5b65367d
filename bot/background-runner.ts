/**
 * Work that outlives its update: clips, snapshots, server checks, backups, exports.
 *
 * Updates of one chat are handled one after another (the runner's `sequentialize`), so a
 * handler that awaited a 30 s clip froze its chat: an Acknowledge pressed meanwhile waited
 * for the clip. A handler hands such work to `inBackground` instead: the button is answered
 * at once (the toast says what is happening), the work starts outside the chat's lane and
 * reports back by sending or editing messages (`work.progress`: one message that becomes
 * the result), and the handler returns, so the chat's next update is handled now.
 *
 * The runner (`createBackgroundRunner`, one per room, reached as `ctx.services.background`)
 * bounds it: at most `perChat` tasks run per chat and `total` in all; more wait in their
 * chat's queue (at most `queuePerChat`), and beyond that a request is refused ("busy"). The
 * devices' own services still share work (concurrent snapshots are one capture, clips join a
 * longer one recording). Failures are logged with the update's child logger and reported to
 * the user as the error boundary does; nothing escapes as an unhandled rejection. `stop()`
 * refuses new work, drops what has not started, waits `graceMs` for what runs, then aborts
 * the rest (`work.wait` rejects at once with BackgroundAborted) and waits up to `abortMs`
 * more. The operation behind an aborted wait (a capture, a check, a backup) belongs to its
 * service, whose own stop ends it; the task only stops waiting for it, so it never writes
 * or sends anything after the room has stopped.
 */
import type { Logger } from "../core/logger.ts";

/** What `work.wait` rejects with once the work is aborted (the console is stopping). */
export class BackgroundAborted extends Error {
  override readonly name = "BackgroundAborted";
  constructor() {
    super("the console is stopping: background work aborted");
  }
}

/** Handed to a background task. */
export interface BackgroundWork {
  /** Aborted when the console stops and the grace period is over. */
  readonly signal: AbortSignal;
  /** Settles like `p`, or rejects with BackgroundAborted as soon as the work is aborted. */
  wait<T>(p: PromiseLike<T>): Promise<T>;
}

export type BackgroundTask = (work: BackgroundWork) => Promise<void>;

/** started: running now; queued: waits for a free slot; busy: the chat's queue is full; stopping: no new work. */
export type SubmitOutcome = "started" | "queued" | "busy" | "stopping";

export interface BackgroundStopReport {
  /** Finished within the grace period. */
  finished: number;
  /** Aborted after the grace period (and settled within abortMs). */
  aborted: number;
  /** Still not settled after abortMs: left behind (logged). */
  abandoned: number;
  /** Queued and never started. */
  dropped: number;
}

export interface BackgroundRunner {
  /**
   * Runs `task` for `chat` now, or when the chat and the console have a free slot. Never
   * throws; a task's rejection is logged with `log`, never left unhandled.
   */
  submit(chat: number | string, name: string, task: BackgroundTask, log?: Logger): SubmitOutcome;
  /** Tasks running now. */
  readonly running: number;
  /** Tasks waiting for a slot. */
  readonly waiting: number;
  /** Resolves when nothing runs or waits. */
  idle(): Promise<void>;
  /** Stops taking work; waits, then aborts (see the module comment). Safe to call twice. */
  stop(): Promise<BackgroundStopReport>;
}

export interface BackgroundRunnerOptions {
  logger: Logger;
  /** Tasks running at once in one chat (default 3). */
  perChat?: number;
  /** Tasks running at once in all chats (default 6: a Pi has little CPU and one camera). */
  total?: number;
  /** Tasks waiting per chat before new ones are refused (default 10). */
  queuePerChat?: number;
  /** How long stop() waits for running tasks before aborting them (default 2000 ms). */
  graceMs?: number;
  /** How long stop() waits for aborted tasks to settle (default 1000 ms). */
  abortMs?: number;
}

/** A button is answered within this (Telegram shows a spinner until then; the goal is 1 s). */
export const ANSWER_WITHIN_MS = 800;

export const BACKGROUND_DEFAULTS = { perChat: 3, total: 6, queuePerChat: 10, graceMs: 2_000, abortMs: 1_000 } as const;

interface Entry {
  chat: string;
  name: string;
  task: BackgroundTask;
  log: Logger;
  controller: AbortController;
}

/**
 * Resolves true when `p` settles (either way) within `ms`, false otherwise. For a button
 * whose work is usually quick but may take long: answer with the result when it is ready
 * in time, else answer now and finish with `inBackground`.
 */
export async function settlesWithin(p: PromiseLike<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      Promise.resolve(p).then(
        () => true as const,
        () => true as const,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function workFor(signal: AbortSignal): BackgroundWork {
  return {
    signal,
    wait<T>(p: PromiseLike<T>): Promise<T> {
      if (signal.aborted) {
        // Whatever p does later is its owner's business; never an unhandled rejection here.
        Promise.resolve(p).catch(() => undefined);
        return Promise.reject(new BackgroundAborted());
      }
      return new Promise<T>((resolve, reject) => {
        const onAbort = () => reject(new BackgroundAborted());
        signal.addEventListener("abort", onAbort, { once: true });
        Promise.resolve(p).then(
          (value) => {
            signal.removeEventListener("abort", onAbort);
            resolve(value);
          },
          (err: unknown) => {
            signal.removeEventListener("abort", onAbort);
            reject(err);
          },
        );
      });
    },
  };
}

export function createBackgroundRunner(opts: BackgroundRunnerOptions): BackgroundRunner {
  const perChat = opts.perChat ?? BACKGROUND_DEFAULTS.perChat;
  const total = opts.total ?? BACKGROUND_DEFAULTS.total;
  const queuePerChat = opts.queuePerChat ?? BACKGROUND_DEFAULTS.queuePerChat;
  const graceMs = opts.graceMs ?? BACKGROUND_DEFAULTS.graceMs;
  const abortMs = opts.abortMs ?? BACKGROUND_DEFAULTS.abortMs;
  for (const [k, v] of Object.entries({ perChat, total, queuePerChat })) {
    if (!Number.isInteger(v) || v < (k === "queuePerChat" ? 0 : 1))
      throw new RangeError(`${k} must be a whole number >= 1, got ${v}`);
  }
  const log = opts.logger.child({ component: "background" });
  const waiting: Entry[] = [];
  const runningPerChat = new Map<string, number>();
  const running = new Map<Promise<void>, Entry>();
  let stopping: Promise<BackgroundStopReport> | undefined;

  function launch(e: Entry): void {
    runningPerChat.set(e.chat, (runningPerChat.get(e.chat) ?? 0) + 1);
    const done = (async () => {
      try {
        await e.task(workFor(e.controller.signal));
      } catch (err) {
        if (err instanceof BackgroundAborted)
          e.log.info({ work: e.name }, "background work stopped: the console is stopping");
        else e.log.error({ err, work: e.name }, "background work failed");
      }
    })().finally(() => {
      running.delete(done);
      const n = (runningPerChat.get(e.chat) ?? 1) - 1;
      if (n > 0) runningPerChat.set(e.chat, n);
      else runningPerChat.delete(e.chat);
      pump();
    });
    running.set(done, e);
  }

  /** Starts waiting tasks, oldest first, while their chat and the console have room. */
  function pump(): void {
    for (let i = 0; i < waiting.length && running.size < total; ) {
      const e = waiting[i] as Entry;
      if ((runningPerChat.get(e.chat) ?? 0) < perChat) {
        waiting.splice(i, 1);
        launch(e);
      } else i++;
    }
  }

  return {
    submit(chat, name, task, taskLog) {
      if (stopping) return "stopping";
      const key = String(chat);
      const e: Entry = { chat: key, name, task, log: taskLog ?? log, controller: new AbortController() };
      if (running.size < total && (runningPerChat.get(key) ?? 0) < perChat) {
        launch(e);
        return "started";
      }
      if (waiting.filter((w) => w.chat === key).length >= queuePerChat) {
        e.log.warn({ work: name, running: running.size, waiting: waiting.length }, "background work refused: busy");
        return "busy";
      }
      waiting.push(e);
      e.log.debug({ work: name, running: running.size, waiting: waiting.length }, "background work queued");
      return "queued";
    },
    get running() {
      return running.size;
    },
    get waiting() {
      return waiting.length;
    },
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running.keys()]);
    },
    stop() {
      stopping ??= (async () => {
        const dropped = waiting.splice(0);
        for (const e of dropped) e.log.info({ work: e.name }, "background work not started: the console is stopping");
        const inFlight = [...running.entries()];
        if (inFlight.length > 0) log.info({ running: inFlight.length, graceMs }, "waiting for background work");
        if (await settlesWithin(Promise.allSettled(inFlight.map(([p]) => p)), graceMs)) {
          return { finished: inFlight.length, aborted: 0, abandoned: 0, dropped: dropped.length };
        }
        const late = [...running.entries()];
        for (const [, e] of late) e.controller.abort(new BackgroundAborted());
        log.warn(
          { works: late.map(([, e]) => e.name) },
          "aborting background work still running after the grace period",
        );
        await settlesWithin(Promise.allSettled(late.map(([p]) => p)), abortMs);
        const abandoned = running.size;
        if (abandoned > 0)
          log.error({ works: [...running.values()].map((e) => e.name) }, "background work did not stop");
        return {
          finished: inFlight.length - late.length,
          aborted: late.length - abandoned,
          abandoned,
          dropped: dropped.length,
        };
      })();
      return stopping;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// In a handler
