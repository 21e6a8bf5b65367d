/**
 * What the bot asked for, and waiting on it without sleeping.
 *
 * ## Observing
 * - `calls`: every request, in the order they were answered (a held long poll is recorded when
 *   it is answered): `{ method, params, at, status, result?, description? }`. Uploaded files in
 *   `params` are `UploadedFile` objects.
 * - `callbackAnswers`: every answerCallbackQuery. (The chats themselves: `messages(chatId)` and
 *   `lastBotMessage(chatId)`, chats.ts; `commands`, commands.ts; `files`, files.ts.)
 * - Bounded for local mode (`limits.maxRecordedCalls`): both lists keep the newest entries, and
 *   uploads in recorded params are kept as { filename, mime, size } (the bytes live in `files`).
 *
 * ## Waiting (no sleeps in tests)
 * - `waitFor(probe, timeoutMs = 5000)` resolves with the first truthy value `probe()` returns.
 *   The probe runs at once, after every API call, queued update and confirmed offset, and every
 *   25 ms (so it may also look at state outside this server). If the probe throws, the promise
 *   rejects with that error. On timeout it rejects with an Error that lists the latest calls.
 * - `waitForCall(method, predicate?, timeoutMs | { timeoutMs, since })` resolves with the
 *   earliest recorded call to `method` (case-insensitive) that matches `predicate`, is at index
 *   `since` or later in `calls`, and has not been returned by an earlier `waitForCall`. `since`
 *   defaults to the *cursor*: `calls.length` at the moment the test last played a user
 *   (sendMessage / pressButton / injectUpdate) or called `mark()`. So after a user action it
 *   sees only the bot's reactions to that action, and two waits for "sendMessage" return the
 *   first and the second reply. Failed calls count too: check `status` (200 = ok) or filter with
 *   the predicate. For calls the bot makes on its own (alerts from jobs) call `mark()` first or
 *   pass `{ since: 0 }`.
 * - `waitForIdle()` and `pendingUpdates()` look at the update queue: see updates.ts.
 */
import { isUploadedFile, withoutUploadBytes } from "./params.ts";
import type { CallbackAnswer, RecordedCall, WaitForCallOptions } from "./types.ts";

export class CallLog {
  readonly calls: RecordedCall[] = [];
  readonly callbackAnswers: CallbackAnswer[] = [];
  private readonly maxRecordedCalls: number;
  private readonly isClosed: () => boolean;
  private cursor = 0;
  private readonly handedOut = new Set<RecordedCall>();
  private readonly waiters = new Set<() => void>();
  private readonly failWaiters = new Set<(err: Error) => void>();

  constructor(opts: { maxRecordedCalls: number; isClosed: () => boolean }) {
    this.maxRecordedCalls = opts.maxRecordedCalls;
    this.isClosed = opts.isClosed;
  }

  record(call: Omit<RecordedCall, "status">, status: number, result: unknown, description: string | undefined) {
    // Bounded (local mode): a recorded call keeps an upload's name, type and size, not its bytes
    // (the file itself is in `files`, under its own budget).
    const params = Number.isFinite(this.maxRecordedCalls) ? withoutUploadBytes(call.params) : call.params;
    const entry: RecordedCall = { method: call.method, params, at: call.at, status };
    if (status === 200) entry.result = result;
    if (description !== undefined) entry.description = description;
    this.calls.push(entry);
    this.trim(this.calls);
    this.notify();
  }

  recordAnswer(answer: CallbackAnswer): void {
    this.callbackAnswers.push(answer);
    this.trim(this.callbackAnswers);
  }

  /** Keeps the newest `maxRecordedCalls` entries of a record list (moving the waitForCall cursor with `calls`). */
  private trim(list: unknown[]): void {
    const excess = list.length - this.maxRecordedCalls;
    if (excess <= 0) return;
    const drop = Math.max(excess, Math.ceil(this.maxRecordedCalls / 10));
    list.splice(0, drop);
    if (list === this.calls) this.cursor = Math.max(0, this.cursor - drop);
  }

  mark(): number {
    this.cursor = this.calls.length;
    return this.cursor;
  }

  waitFor<T>(probe: () => T | undefined | null | false, timeoutMs = 5000): Promise<T> {
    return this.waitUntil(probe, timeoutMs, () => `waitFor(${describeFn(probe)})`);
  }

  waitForCall(
    method: string,
    predicate?: (c: RecordedCall) => boolean,
    options?: number | WaitForCallOptions,
  ): Promise<RecordedCall> {
    const opts = typeof options === "number" ? { timeoutMs: options } : (options ?? {});
    const since = opts.since ?? this.cursor;
    const wanted = method.toLowerCase();
    return this.waitUntil(
      () => {
        for (let i = since; i < this.calls.length; i++) {
          const call = this.calls[i] as RecordedCall;
          if (this.handedOut.has(call) || call.method.toLowerCase() !== wanted) continue;
          if (predicate && !predicate(call)) continue;
          this.handedOut.add(call);
          return call;
        }
        return undefined;
      },
      opts.timeoutMs ?? 5000,
      () =>
        `waitForCall(${JSON.stringify(method)}${predicate ? `, ${describeFn(predicate)}` : ""}) ` +
        `(looking at calls from index ${since})`,
    );
  }

  /** Runs every waiting probe (after a call, a queued update, a confirmed offset). */
  notify(): void {
    for (const check of [...this.waiters]) check();
  }

  /** Rejects every wait still running with `err` (the server is closing). */
  failAll(err: Error): void {
    for (const fail of [...this.failWaiters]) fail(err);
  }

  waitUntil<T>(probe: () => T | undefined | null | false, timeoutMs: number, what: () => string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const finish = () => {
        settled = true;
        clearTimeout(timer);
        clearInterval(interval);
        this.waiters.delete(check);
        this.failWaiters.delete(fail);
      };
      const fail = (err: Error) => {
        if (settled) return;
        finish();
        reject(err);
      };
      const check = () => {
        if (settled) return;
        let value: T | undefined | null | false;
        try {
          value = probe();
        } catch (err) {
          finish();
          reject(err);
          return;
        }
        if (value) {
          finish();
          resolve(value);
        }
      };
      const timer = setTimeout(
        () => fail(new Error(`${what()} timed out after ${timeoutMs} ms.\n${this.describeRecentCalls()}`)),
        timeoutMs,
      );
      const interval = setInterval(check, 25);
      this.waiters.add(check);
      this.failWaiters.add(fail);
      if (this.isClosed()) fail(new Error("LocalBotApi is closed"));
      else check();
    });
  }

  private describeRecentCalls(): string {
    const recent = this.calls.filter((c) => c.method.toLowerCase() !== "getupdates").slice(-8);
    if (recent.length === 0) return "The bot made no calls other than getUpdates.";
    const lines = recent.map((c) => {
      const index = this.calls.indexOf(c);
      const detail = c.status === 200 ? summarize(c.params) : `${c.description ?? ""} ${summarize(c.params)}`;
      return `  #${index} ${c.method} ${c.status} ${detail}`;
    });
    return `Latest calls other than getUpdates (cursor at #${this.cursor}):\n${lines.join("\n")}`;
  }
}

function describeFn(fn: (...args: never[]) => unknown): string {
  const source = fn.toString().replace(/\s+/g, " ");
  return source.length > 120 ? `${source.slice(0, 117)}...` : source;
}

function summarize(params: Record<string, unknown>): string {
  const shown: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params))
    shown[k] = isUploadedFile(v) ? `<${v.filename}, ${v.bytes.length} bytes>` : v;
  const text = JSON.stringify(shown);
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
