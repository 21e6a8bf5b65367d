/**
 * Reading the bot's side of a chat in tests through the console harness: its messages, the
 * first one (from an index on) that matches, and "say something, wait for the answer".
 */
import type { RecordedMessage, TestChat, TestUser } from "../../local/bot-api/server.ts";
import { type ConsoleHarness, privateChat } from "./console-harness.ts";

export type MessageProbe = RegExp | ((m: RecordedMessage) => boolean);

export interface BotChatOptions {
  /** How long `expectBot` waits (default: the harness's waitFor default). */
  timeoutMs?: number;
  /** Match a regular expression against the text only, not a photo's caption. */
  textOnly?: boolean;
}

export function botChat(opts: BotChatOptions = {}) {
  const botMessages = (h: ConsoleHarness, chat: TestChat) => h.api.messages(chat.id).filter((m) => m.from_bot);

  /** Waits for a bot message in `chat` (from index `from` on) that matches `probe`. */
  function expectBot(h: ConsoleHarness, chat: TestChat, probe: MessageProbe, from = 0): Promise<RecordedMessage> {
    const ok =
      typeof probe === "function"
        ? probe
        : (m: RecordedMessage) => probe.test((opts.textOnly ? m.text : (m.text ?? m.caption)) ?? "");
    return h.api.waitFor(() => botMessages(h, chat).slice(from).find(ok), opts.timeoutMs);
  }

  /** Sends `text` and waits for the first bot message after it that matches `probe`. */
  async function say(h: ConsoleHarness, user: TestUser, text: string, probe: MessageProbe, chat = privateChat(user)) {
    const from = botMessages(h, chat).length;
    h.api.sendMessage(user, chat, text);
    return expectBot(h, chat, probe, from);
  }

  return { botMessages, expectBot, say };
}
