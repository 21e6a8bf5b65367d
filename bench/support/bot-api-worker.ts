/**
 * Runs the local Bot API server in a worker thread, so that in benchmarks the
 * "Telegram side" does not share the bot's event loop (as the real Telegram does not).
 * Protocol (parentPort):
 *   in:  { type: "send", user, chat, text, seq }
 *   out: { type: "ready", apiRoot, token, botInfo } once;
 *        { type: "reply", seq, chatId, text, ms } for the bot's first message after each send,
 *          ms = from the update being queued to the bot's sendMessage arriving (server clock).
 */
import { parentPort, workerData } from "node:worker_threads";
import { startLocalBotApi, type TestChat, type TestUser } from "../../local/bot-api/server.ts";

const port = parentPort;
if (!port) throw new Error("bot-api-worker must run in a worker thread");
const api = await startLocalBotApi({ token: (workerData as { token: string }).token });
const pending = new Map<number, { seq: number; t0: number }>();
api.onBotMessage((m) => {
  const p = pending.get(m.chat_id);
  if (!p) return;
  pending.delete(m.chat_id);
  port.postMessage({ type: "reply", seq: p.seq, chatId: m.chat_id, text: m.text ?? "", ms: performance.now() - p.t0 });
});
port.on("message", (msg: { type: string; user: TestUser; chat: TestChat; text: string; seq: number }) => {
  if (msg.type === "send") {
    pending.set(msg.chat.id, { seq: msg.seq, t0: performance.now() });
    api.sendMessage(msg.user, msg.chat, msg.text);
  } else if (msg.type === "close") {
    void api.close().then(() => port.close());
  }
});
port.postMessage({ type: "ready", apiRoot: api.apiRoot, token: api.token, botInfo: api.botInfo });
