/**
 * Faults a test injects, decided before a method runs (see http.ts).
 *
 * - `failNext(method | "*", { error_code, description, retry_after? }, times = 1)`: the next
 *   `times` matching requests get `{ ok: false, error_code, description, parameters }` with that
 *   HTTP status; grammY throws a GrammyError. `"*"` matches every method except getUpdates
 *   (which the polling loop calls all the time); name getUpdates to fault polling. With
 *   `{ chatId }` only calls aimed at that chat fail.
 * - `refuseChat(chatId, { error_code, description } | undefined)`: every call with that `chat_id`
 *   is refused until cleared (403 "Forbidden: bot was kicked from the supergroup chat", a user
 *   who blocked the bot...).
 * - `setDown(true)`: every request, getUpdates included, gets `502 Bad Gateway` with an HTML body
 *   (a dead proxy), so grammY throws an HttpError; a held poll is answered the same way at once
 *   (server.ts). Note: after a failed poll `bot.start()` waits 3 s before polling again.
 */
import type { FaultSpec } from "./types.ts";

interface Fault {
  method: string;
  spec: FaultSpec;
  remaining: number;
  /** Only calls aimed at this chat. */
  chatId?: number;
}

export class Faults {
  /** Set by setDown: every request is answered 502 with an HTML body. */
  down = false;
  private faults: Fault[] = [];
  private readonly refusedChats = new Map<number, FaultSpec>();

  failNext(method: string, error: FaultSpec, times = 1, opts: { chatId?: number } = {}): void {
    this.faults.push({
      method: method === "*" ? "*" : method.toLowerCase(),
      spec: error,
      remaining: times,
      ...(opts.chatId !== undefined ? { chatId: opts.chatId } : {}),
    });
  }

  refuseChat(chatId: number, error: FaultSpec | undefined): void {
    if (error) this.refusedChats.set(chatId, error);
    else this.refusedChats.delete(chatId);
  }

  /** The fault a call to `method` (lower case) with this `chat_id` meets: a refused chat, else the next failNext. */
  take(method: string, chatIdParam: unknown): FaultSpec | undefined {
    const chatId = Number(chatIdParam);
    return (Number.isFinite(chatId) ? this.refusedChats.get(chatId) : undefined) ?? this.takeFault(method, chatId);
  }

  private takeFault(method: string, chatId: number): FaultSpec | undefined {
    const index = this.faults.findIndex(
      (f) =>
        (f.method === method || (f.method === "*" && method !== "getupdates")) &&
        (f.chatId === undefined || f.chatId === chatId),
    );
    if (index < 0) return undefined;
    const fault = this.faults[index] as Fault;
    if (--fault.remaining <= 0) this.faults.splice(index, 1);
    return fault.spec;
  }
}
