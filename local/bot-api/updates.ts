/**
 * The update queue and long polling: what the bot gets from getUpdates.
 *
 * - getUpdates: `offset` confirms (drops) earlier updates, negative offsets, `limit`, `timeout`
 *   long polling, `allowed_updates` (remembered; updates of other types are dropped when they
 *   would be delivered; the default excludes chat_member, message_reaction and
 *   message_reaction_count). A second getUpdates while one is held terminates the *older* one
 *   with 409 "Conflict: terminated by other getUpdates request; ...", as Telegram does (grammY's
 *   `bot.start()` rethrows 409, so a second poller kills the first bot). While a webhook is set,
 *   getUpdates answers 409. A poll the bot aborts (`bot.stop()`) is forgotten, not recorded.
 * - `waitForIdle()` resolves when every queued update has been confirmed by a later getUpdates
 *   offset and a new long poll is waiting (`idle`). With `bot.start()` (sequential) that means
 *   every handler has finished; with the runner it only means all updates were fetched.
 * - `pendingUpdates()`: updates queued and not yet confirmed (delivered or not).
 */
import type http from "node:http";
import type { Update } from "grammy/types";
import type { CallLog } from "./calls.ts";
import { ApiError } from "./errors.ts";
import { intParam, type Params, truthy } from "./params.ts";

const DEFAULT_EXCLUDED_UPDATES = new Set(["chat_member", "message_reaction", "message_reaction_count"]);

interface HeldPoll {
  limit: number;
  res: http.ServerResponse;
  timer: NodeJS.Timeout;
  answer: (outcome: Update[] | ApiError) => void;
}

export class UpdateQueue {
  private readonly log: CallLog;
  private readonly isClosed: () => boolean;
  private queue: Update[] = [];
  private nextUpdateId = 1;
  private allowedUpdates: string[] = [];
  private heldPoll: HeldPoll | undefined;
  private webhookUrl = "";

  constructor(opts: { log: CallLog; isClosed: () => boolean }) {
    this.log = opts.log;
    this.isClosed = opts.isClosed;
  }

  /** Updates queued and not yet confirmed. */
  get pending(): number {
    return this.queue.length;
  }

  /** Every update confirmed and a long poll waiting. */
  get idle(): boolean {
    return this.queue.length === 0 && this.heldPoll !== undefined;
  }

  /** For waitForIdle's timeout message. */
  describe(): string {
    return `${this.queue.length} unconfirmed updates, poll ${this.heldPoll ? "held" : "not held"}`;
  }

  /** Queues an update (a user's action): moves the waitForCall cursor, answers a held poll. */
  enqueue(partial: Omit<Update, "update_id">): Update {
    if (this.isClosed()) throw new Error("LocalBotApi is closed");
    const update = { update_id: this.nextUpdateId++, ...partial } as Update;
    this.queue.push(update);
    this.log.mark();
    const poll = this.heldPoll;
    if (poll) {
      const ready = this.deliverable(poll.limit);
      if (ready.length > 0) {
        this.heldPoll = undefined;
        clearTimeout(poll.timer);
        poll.answer(ready);
      }
    }
    this.log.notify();
    return update;
  }

  /** Answers the held long poll, if any, with `outcome` at once (setDown, close). */
  answerHeld(outcome: Update[] | ApiError): void {
    const poll = this.heldPoll;
    if (!poll) return;
    this.heldPoll = undefined;
    clearTimeout(poll.timer);
    poll.answer(outcome);
  }

  webhookInfo(): Record<string, unknown> {
    return { url: this.webhookUrl, has_custom_certificate: false, pending_update_count: this.queue.length };
  }

  /** setWebhook (url) and deleteWebhook (""); `drop_pending_updates` empties the queue. */
  setWebhook(url: string, p: Params): true {
    this.webhookUrl = url;
    if (truthy(p.drop_pending_updates)) this.queue = [];
    return true;
  }

  /** Up to `limit` queued updates the bot asked for; drops those of types it did not ask for. */
  private deliverable(limit: number): Update[] {
    const allowed = this.allowedUpdates;
    this.queue = this.queue.filter((u) => {
      const type = Object.keys(u).find((k) => k !== "update_id") ?? "";
      return allowed.length > 0 ? allowed.includes(type) : !DEFAULT_EXCLUDED_UPDATES.has(type);
    });
    return this.queue.slice(0, limit);
  }

  getUpdates(p: Params, res: http.ServerResponse): Update[] | Promise<Update[]> {
    if (this.webhookUrl) {
      throw new ApiError(
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      );
    }
    const offset = intParam(p, "offset");
    if (offset !== undefined && offset !== 0) {
      const before = this.queue.length;
      if (offset < 0) this.queue = this.queue.slice(offset);
      else this.queue = this.queue.filter((u) => u.update_id >= offset);
      if (this.queue.length !== before) this.log.notify();
    }
    const limit = Math.min(100, Math.max(1, intParam(p, "limit") ?? 100));
    const timeout = Math.max(0, intParam(p, "timeout") ?? 0);
    const allowed = p.allowed_updates;
    if (Array.isArray(allowed)) this.allowedUpdates = allowed.map(String);

    // Like Telegram, a new getUpdates terminates the one still waiting.
    const previous = this.heldPoll;
    if (previous) {
      this.heldPoll = undefined;
      clearTimeout(previous.timer);
      if (previous.res.destroyed || previous.res.socket?.destroyed !== false) previous.answer([]);
      else {
        previous.answer(
          new ApiError(
            409,
            "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
          ),
        );
      }
    }

    const ready = this.deliverable(limit);
    if (ready.length > 0 || timeout === 0 || this.isClosed()) return ready;

    return new Promise<Update[]>((resolve, reject) => {
      const poll: HeldPoll = {
        limit,
        res,
        timer: setTimeout(() => {
          if (this.heldPoll === poll) this.heldPoll = undefined;
          resolve(this.deliverable(limit));
        }, timeout * 1000),
        answer: (outcome) => (outcome instanceof ApiError ? reject(outcome) : resolve(outcome)),
      };
      // The bot aborted its poll (bot.stop()): forget it, without recording a call.
      res.once("close", () => {
        if (this.heldPoll === poll) {
          this.heldPoll = undefined;
          clearTimeout(poll.timer);
          this.log.notify();
        }
      });
      this.heldPoll = poll;
      this.log.notify();
    });
  }
}
