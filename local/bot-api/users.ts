/**
 * Playing Telegram users: what a test (or local mode's page) does as a person in a chat.
 *
 * - `sendMessage(from, chat, text, extra?)` queues a `message` update (with a `bot_command`
 *   entity when the text starts with a command), stores it as a chat message, returns the Update.
 * - `pressButton(from, message, data)` queues a `callback_query` for a button that is really on
 *   the message now (`data` is the callback_data, or `{ text }` to find the button by label);
 *   pressing a button that is not there throws, as no real user could. `callback_query.message`
 *   carries the message as it currently is. `{ forged: data }` skips that check and sends any
 *   data of 1-64 bytes (a modified client, or a button the bot made long ago): it can be answered.
 * - `injectUpdate(partial)` queues any update as given (not stored as a chat message).
 * - `addChat(chat)` / `setChatMember(chatId, user, status)` shape what getChat/getChatMember say;
 *   `memberStatus(chatId, userId)` reads it back (a user who wrote in a chat is a member).
 */
import type { Update, User } from "grammy/types";
import type { ChatStore, StoredMessage } from "./chats.ts";
import type { RecordedMessage, TestChat, TestUser } from "./types.ts";
import type { UpdateQueue } from "./updates.ts";

/** The private chat between a user and the bot. */
export function privateChat(user: TestUser): TestChat {
  return { id: user.id, type: "private", first_name: user.first_name, username: user.username };
}

/** A test user as the Bot API shows a user. */
export function toUser(u: TestUser): User {
  const user: User = { id: u.id, is_bot: false, first_name: u.first_name };
  if (u.last_name !== undefined) user.last_name = u.last_name;
  if (u.username !== undefined) user.username = u.username;
  if (u.language_code !== undefined) user.language_code = u.language_code;
  return user;
}

/** A user writes `text` in `chat`: stored as a chat message and queued as a `message` update. */
export function userSendsMessage(
  chats: ChatStore,
  updates: UpdateQueue,
  from: TestUser,
  chat: TestChat,
  text: string,
  extra: { reply_to_message_id?: number; message_thread_id?: number },
): Update {
  if (text === "") throw new Error("sendMessage: a Telegram user cannot send an empty message");
  const user = toUser(from);
  const info = chats.registerChat(chat, user);
  chats.ensureMember(info.id, user);
  const stored: StoredMessage = {
    message_id: chats.allocateMessageId(info.id),
    chat: info,
    from: user,
    date: chats.unixNow(),
    text,
    edits: 0,
    deleted: false,
    from_bot: false,
  };
  const command = /^\/[A-Za-z0-9_]{1,64}(@[A-Za-z0-9_]{3,32})?(?=\s|$)/.exec(text);
  if (command) stored.entities = [{ type: "bot_command", offset: 0, length: command[0].length }];
  if (extra.reply_to_message_id !== undefined) {
    if (!chats.findMessage(info.id, extra.reply_to_message_id)) {
      throw new Error(`sendMessage: no message ${extra.reply_to_message_id} in chat ${info.id} to reply to`);
    }
    stored.reply_to_message_id = extra.reply_to_message_id;
  }
  if (extra.message_thread_id !== undefined) stored.message_thread_id = extra.message_thread_id;
  chats.storeMessage(stored);
  return updates.enqueue({ message: chats.toTelegram(stored) } as Omit<Update, "update_id">);
}

/** A user presses an inline button that is on the message now (or, `forged`, any data). */
export function userPressesButton(
  chats: ChatStore,
  updates: UpdateQueue,
  from: TestUser,
  message: RecordedMessage | { chat_id: number; message_id: number },
  data: string | { text: string } | { forged: string },
): Update {
  const stored = chats.findMessage(message.chat_id, message.message_id);
  if (!stored) throw new Error(`pressButton: no message ${message.message_id} in chat ${message.chat_id}`);
  if (typeof data === "object" && "forged" in data) {
    const bytes = Buffer.byteLength(data.forged, "utf8");
    if (bytes < 1 || bytes > 64) throw new Error(`pressButton: callback data must be 1-64 bytes, got ${bytes}`);
    return enqueueCallback(chats, updates, toUser(from), stored, data.forged);
  }
  const buttons =
    stored.reply_markup && "inline_keyboard" in stored.reply_markup ? stored.reply_markup.inline_keyboard.flat() : [];
  const button = buttons.find((b) =>
    typeof data === "string" ? "callback_data" in b && b.callback_data === data : b.text === data.text,
  );
  if (!button || !("callback_data" in button) || button.callback_data === undefined) {
    const shown = buttons.map((b) => `${JSON.stringify(b.text)}${"callback_data" in b ? `=${b.callback_data}` : ""}`);
    throw new Error(
      `pressButton: message ${stored.message_id} in chat ${stored.chat.id} has no callback button ${JSON.stringify(data)}; ` +
        `buttons now: ${shown.length ? shown.join(", ") : "none"}`,
    );
  }
  return enqueueCallback(chats, updates, toUser(from), stored, button.callback_data);
}

function enqueueCallback(
  chats: ChatStore,
  updates: UpdateQueue,
  user: User,
  stored: StoredMessage,
  data: string,
): Update {
  const id = chats.openQuery(user.id, stored.chat.id);
  return updates.enqueue({
    callback_query: {
      id,
      from: user,
      message: chats.toTelegram(stored),
      chat_instance: String(-stored.chat.id * 7919),
      data,
    },
  } as Omit<Update, "update_id">);
}
