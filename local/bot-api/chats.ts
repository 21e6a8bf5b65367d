/**
 * Chats, their members and their messages, as Telegram keeps them.
 *
 * - Any numeric chat id is a valid chat (created on first use: positive = private, below
 *   -10^12 = supergroup, else group); use `addChat` to give it a type/title/username, and
 *   `setChatMember` to say what getChatMember answers; a user who writes becomes a member.
 * - Message ids are per chat and shared by user and bot messages. Returned messages look like
 *   Telegram's (from = the bot, chat, date, text + entities, photo sizes with real dimensions
 *   read from PNG/JPEG/GIF/WebP/BMP bytes (images.ts), video/animation/document objects
 *   (files.ts), inline keyboard).
 * - `messages(chatId)`: the chat as it is now, in message_id order, edits applied, deleted ones
 *   still listed with `deleted: true`, user and bot messages alike. `text`/`caption` are what the
 *   user sees (HTML parsed, entities decoded, trimmed; formatting.ts); `raw` is exactly what the
 *   bot sent. `lastBotMessage(chatId)`: the newest message the bot sent there that is not deleted.
 * - Replies to unknown messages are refused (unless allow_sending_without_reply); edits of
 *   unknown / foreign / unchanged messages too ("message is not modified"); an edit without
 *   reply_markup removes the inline keyboard, as on Telegram.
 * - Bounded for local mode (`limits.maxMessagesPerChat`): older messages are forgotten (edits
 *   of them fail like on Telegram).
 * - Callback queries are open from a button press (users.ts) until answerCallbackQuery.
 */
import type { Message, MessageEntity, User } from "grammy/types";
import { badRequest } from "./errors.ts";
import type { Listeners } from "./events.ts";
import { mediaFields } from "./files.ts";
import { formatText } from "./formatting.ts";
import { validateMarkup } from "./keyboards.ts";
import { intParam, type Params } from "./params.ts";
import type { MemberStatus, RecordedMedia, RecordedMessage, ReplyMarkup, StoredFile, TestChat } from "./types.ts";

export interface ChatInfo {
  id: number;
  type: "private" | "group" | "supergroup";
  title?: string;
  username?: string;
  first_name?: string;
}

export interface StoredMessage {
  message_id: number;
  chat: ChatInfo;
  from: User;
  date: number;
  edit_date?: number;
  text?: string;
  caption?: string;
  entities?: MessageEntity[];
  raw?: string;
  parse_mode?: string;
  reply_markup?: ReplyMarkup;
  reply_to_message_id?: number;
  message_thread_id?: number;
  file?: StoredFile;
  media_group_id?: string;
  edits: number;
  deleted: boolean;
  from_bot: boolean;
}

export interface Member {
  user: User;
  status: MemberStatus;
}

export class ChatStore {
  private readonly now: () => number;
  private readonly strictAmpersand: boolean;
  private readonly botUser: User;
  private readonly maxMessagesPerChat: number;
  private readonly listeners: Listeners;
  /** Telegram's test environment: Mini App links may be http (LocalBotApiOptions.testEnvironment). */
  readonly testEnvironment: boolean;

  private readonly chats = new Map<number, ChatInfo>();
  private readonly chatMessages = new Map<number, Map<number, StoredMessage>>();
  private readonly lastMessageId = new Map<number, number>();
  private readonly members = new Map<number, Map<number, Member>>();
  /** Open callback queries: id -> who pressed, in which chat. */
  private readonly openQueries = new Map<string, { user_id: number; chat_id: number }>();
  private nextQueryId = 1;

  constructor(opts: {
    now: () => number;
    strictAmpersand: boolean;
    botUser: User;
    maxMessagesPerChat: number;
    listeners: Listeners;
    testEnvironment?: boolean;
  }) {
    this.testEnvironment = opts.testEnvironment ?? false;
    this.now = opts.now;
    this.strictAmpersand = opts.strictAmpersand;
    this.botUser = opts.botUser;
    this.maxMessagesPerChat = opts.maxMessagesPerChat;
    this.listeners = opts.listeners;
  }

  // ------------------------------------------------------------------ chats and members

  unixNow(): number {
    return Math.floor(this.now() / 1000);
  }

  registerChat(chat: TestChat, user?: User): ChatInfo {
    const existing = this.chats.get(chat.id);
    const info: ChatInfo = { ...existing, id: chat.id, type: chat.type };
    if (chat.title !== undefined) info.title = chat.title;
    if (chat.username !== undefined) info.username = chat.username;
    if (chat.first_name !== undefined) info.first_name = chat.first_name;
    if (chat.type === "private" && user && user.id === chat.id) {
      info.first_name = user.first_name;
      if (user.username !== undefined) info.username = user.username;
    }
    if (chat.type === "private") {
      info.first_name ??= "User";
      delete info.title;
    } else {
      info.title ??= `Chat ${chat.id}`;
      delete info.first_name;
    }
    if (existing) Object.assign(existing, info);
    else this.chats.set(chat.id, info);
    return existing ?? info;
  }

  ensureChat(id: number): ChatInfo {
    const existing = this.chats.get(id);
    if (existing) return existing;
    const type = id > 0 ? "private" : id < -1_000_000_000_000 ? "supergroup" : "group";
    return this.registerChat({ id, type });
  }

  ensureMember(chatId: number, user: User): void {
    const map = getOrCreate(this.members, chatId, () => new Map());
    const member = map.get(user.id);
    if (!member) map.set(user.id, { user, status: "member" });
    else if (member.status === "left") member.status = "member";
  }

  setMember(chatId: number, user: User, status: MemberStatus): void {
    this.ensureChat(chatId);
    getOrCreate(this.members, chatId, () => new Map()).set(user.id, { user, status });
  }

  member(chatId: number, userId: number): Member | undefined {
    return this.members.get(chatId)?.get(userId);
  }

  chatParam(p: Params): ChatInfo {
    const v = p.chat_id;
    if (v === undefined || v === null || v === "") throw badRequest("chat_id is empty");
    if (typeof v === "number" && Number.isSafeInteger(v)) return this.ensureChat(v);
    if (typeof v === "string" && /^-?\d+$/.test(v.trim())) return this.ensureChat(Number(v));
    if (typeof v === "string" && v.startsWith("@")) {
      const name = v.slice(1).toLowerCase();
      for (const chat of this.chats.values()) if (chat.username?.toLowerCase() === name) return chat;
    }
    throw badRequest("chat not found");
  }

  // ------------------------------------------------------------------ messages

  messages(chatId: number): RecordedMessage[] {
    const map = this.chatMessages.get(chatId);
    if (!map) return [];
    return [...map.values()].sort((a, b) => a.message_id - b.message_id).map((m) => toRecorded(m));
  }

  lastBotMessage(chatId: number): RecordedMessage | undefined {
    const map = this.chatMessages.get(chatId);
    if (!map) return undefined;
    let last: StoredMessage | undefined;
    for (const m of map.values()) {
      if (m.from_bot && !m.deleted && (!last || m.message_id > last.message_id)) last = m;
    }
    return last && toRecorded(last);
  }

  allocateMessageId(chatId: number): number {
    const id = (this.lastMessageId.get(chatId) ?? 0) + 1;
    this.lastMessageId.set(chatId, id);
    return id;
  }

  storeMessage(m: StoredMessage): void {
    const chat = getOrCreate(this.chatMessages, m.chat.id, () => new Map());
    chat.set(m.message_id, m);
    // Maps iterate in insertion order, which is message_id order: the first is the oldest.
    while (chat.size > this.maxMessagesPerChat) {
      const oldest = chat.keys().next().value;
      if (oldest === undefined) break;
      chat.delete(oldest);
    }
    this.emitMessage(m);
  }

  /** Tells the listeners a message was stored, edited or deleted. */
  emitMessage(m: StoredMessage): void {
    this.listeners.message(() => toRecorded(m));
  }

  findMessage(chatId: number, messageId: number): StoredMessage | undefined {
    const m = this.chatMessages.get(chatId)?.get(messageId);
    return m && !m.deleted ? m : undefined;
  }

  /** The message as the Bot API shows it. */
  toTelegram(m: StoredMessage, withReply = true): Message {
    const out: Record<string, unknown> = { message_id: m.message_id, from: m.from, chat: { ...m.chat }, date: m.date };
    if (m.message_thread_id !== undefined) out.message_thread_id = m.message_thread_id;
    if (withReply && m.reply_to_message_id !== undefined) {
      const replied = this.chatMessages.get(m.chat.id)?.get(m.reply_to_message_id);
      if (replied) out.reply_to_message = this.toTelegram(replied, false);
    }
    if (m.edit_date !== undefined) out.edit_date = m.edit_date;
    if (m.media_group_id !== undefined) out.media_group_id = m.media_group_id;
    if (m.text !== undefined) {
      out.text = m.text;
      if (m.entities?.length) out.entities = m.entities;
    }
    if (m.file) Object.assign(out, mediaFields(m.file));
    if (m.caption !== undefined) {
      out.caption = m.caption;
      if (m.entities?.length) out.caption_entities = m.entities;
    }
    if (m.reply_markup && "inline_keyboard" in m.reply_markup && m.reply_markup.inline_keyboard.length > 0) {
      out.reply_markup = m.reply_markup;
    }
    return out as unknown as Message;
  }

  /** Parses text or caption by parse_mode / entities into what the user sees (formatting.ts). */
  format(
    raw: string,
    parseMode: unknown,
    entities: unknown,
  ): { text: string; entities: MessageEntity[]; parse_mode?: string } {
    return formatText(raw, parseMode, entities, this.strictAmpersand);
  }

  private replyTarget(chat: ChatInfo, p: Params): number | undefined {
    const params = p.reply_parameters as { message_id?: unknown; allow_sending_without_reply?: unknown } | undefined;
    const raw = params?.message_id ?? p.reply_to_message_id;
    if (raw === undefined || raw === null) return undefined;
    const id = Number(raw);
    if (!Number.isInteger(id)) throw badRequest("message to be replied not found");
    const allowMissing = Boolean(params?.allow_sending_without_reply ?? p.allow_sending_without_reply);
    if (!this.findMessage(chat.id, id)) {
      if (allowMissing) return undefined;
      throw badRequest("message to be replied not found");
    }
    return id;
  }

  newBotMessage(chat: ChatInfo, p: Params): StoredMessage {
    const stored: StoredMessage = {
      message_id: 0,
      chat,
      from: this.botUser,
      date: this.unixNow(),
      edits: 0,
      deleted: false,
      from_bot: true,
    };
    const replyTo = this.replyTarget(chat, p);
    if (replyTo !== undefined) stored.reply_to_message_id = replyTo;
    const thread = intParam(p, "message_thread_id");
    if (thread !== undefined) stored.message_thread_id = thread;
    const markup = validateMarkup(p.reply_markup, { chatType: chat.type, httpWebApps: this.testEnvironment });
    if (markup) stored.reply_markup = markup;
    return stored;
  }

  commit(stored: StoredMessage): Message {
    stored.message_id = this.allocateMessageId(stored.chat.id);
    this.storeMessage(stored);
    if (stored.from_bot) this.listeners.botMessage(() => toRecorded(stored));
    return this.toTelegram(stored);
  }

  editTarget(p: Params): StoredMessage | undefined {
    if (p.inline_message_id !== undefined && p.chat_id === undefined) return undefined;
    const chat = this.chatParam(p);
    const id = intParam(p, "message_id");
    if (id === undefined) throw badRequest("message identifier is not specified");
    const m = this.findMessage(chat.id, id);
    if (!m) throw badRequest("message to edit not found");
    if (!m.from_bot) throw badRequest("message can't be edited");
    return m;
  }

  applyEdit(m: StoredMessage, next: Partial<StoredMessage>, markup: ReplyMarkup | undefined): Message {
    // Without reply_markup an edit removes the inline keyboard, as on Telegram.
    const candidate: StoredMessage = { ...m, ...next, reply_markup: markup };
    if (contentKey(candidate) === contentKey(m)) {
      throw badRequest(
        "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
      );
    }
    Object.assign(m, next);
    if (markup) m.reply_markup = markup;
    else delete m.reply_markup;
    m.edits++;
    m.edit_date = this.unixNow();
    this.emitMessage(m);
    return this.toTelegram(m);
  }

  // ------------------------------------------------------------------ callback queries

  /** Opens a callback query for a button press; returns its id. */
  openQuery(userId: number, chatId: number): string {
    const id = String(4_000_000_000_000 + this.nextQueryId++);
    this.openQueries.set(id, { user_id: userId, chat_id: chatId });
    return id;
  }

  /** Closes an open query (answerCallbackQuery): who pressed, in which chat; undefined if unknown or answered. */
  closeQuery(id: string): { user_id: number; chat_id: number } | undefined {
    const query = this.openQueries.get(id);
    if (query) this.openQueries.delete(id);
    return query;
  }
}

export function toRecorded(m: StoredMessage): RecordedMessage {
  const r: RecordedMessage = {
    message_id: m.message_id,
    chat_id: m.chat.id,
    from_id: m.from.id,
    edits: m.edits,
    deleted: m.deleted,
    from_bot: m.from_bot,
    date: m.date,
  };
  if (m.text !== undefined) r.text = m.text;
  if (m.caption !== undefined) r.caption = m.caption;
  if (m.entities?.length) r.entities = m.entities.map((e) => ({ ...e }));
  if (m.raw !== undefined) r.raw = m.raw;
  if (m.parse_mode !== undefined) r.parse_mode = m.parse_mode;
  if (m.reply_markup !== undefined) r.reply_markup = structuredClone(m.reply_markup);
  if (m.reply_to_message_id !== undefined) r.reply_to_message_id = m.reply_to_message_id;
  if (m.message_thread_id !== undefined) r.message_thread_id = m.message_thread_id;
  if (m.media_group_id !== undefined) r.media_group_id = m.media_group_id;
  if (m.file) {
    const f = m.file;
    const media: RecordedMedia = { kind: f.kind, fileId: f.file_id };
    if (f.bytes) media.bytes = f.bytes;
    if (f.filename !== undefined) media.filename = f.filename;
    if (f.mime !== undefined) media.mime = f.mime;
    if (f.url !== undefined) media.url = f.url;
    if (f.width !== undefined) media.width = f.width;
    if (f.height !== undefined) media.height = f.height;
    r.media = media;
  }
  return r;
}

/** What makes two versions of a message "the same" for the not-modified check. */
function contentKey(m: StoredMessage): string {
  const markup = m.reply_markup && "inline_keyboard" in m.reply_markup ? m.reply_markup : undefined;
  return stableJson({
    text: m.text,
    caption: m.caption,
    entities: m.entities ?? [],
    file: m.file?.file_id,
    markup: markup && markup.inline_keyboard.length > 0 ? markup : undefined,
  });
}

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>)
          .filter(([, x]) => x !== undefined)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      );
    }
    return v;
  });
}

export function getOrCreate<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}
