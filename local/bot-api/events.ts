/**
 * Live listeners, for a view of the chats (local mode's web page) and for benchmarks:
 * `onEvent` hears every message sent, edited or deleted (users' too), chat action and button
 * answer, and a throwing listener is ignored; `onBotMessage` hears every new message the bot
 * sends (not edits). Events are built only when someone listens.
 */
import type { LocalBotApiEvent, RecordedMessage } from "./types.ts";

export class Listeners {
  private readonly events = new Set<(e: LocalBotApiEvent) => void>();
  private readonly botMessages = new Set<(m: RecordedMessage) => void>();

  onEvent(listener: (e: LocalBotApiEvent) => void): () => void {
    this.events.add(listener);
    return () => this.events.delete(listener);
  }

  onBotMessage(listener: (m: RecordedMessage) => void): () => void {
    this.botMessages.add(listener);
    return () => this.botMessages.delete(listener);
  }

  emit(event: LocalBotApiEvent): void {
    for (const listener of this.events) {
      try {
        listener(event);
      } catch {
        // A view's bug must not break the bot's requests.
      }
    }
  }

  /** A message was stored, edited or deleted; `message` makes its recorded form. */
  message(message: () => RecordedMessage): void {
    if (this.events.size > 0) this.emit({ type: "message", message: message() });
  }

  /** The bot sent a new message; `message` makes its recorded form. */
  botMessage(message: () => RecordedMessage): void {
    if (this.botMessages.size === 0) return;
    const recorded = message();
    for (const listener of this.botMessages) listener(recorded);
  }
}
