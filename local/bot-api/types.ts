/**
 * The public types of the local Bot API server (server.ts re-exports them): the users and chats
 * a test plays, what is recorded (messages, media, calls, button answers, files), the options,
 * the live events, and `LocalBotApi` itself. How each part behaves is described where it is
 * done: users.ts (playing users), calls.ts (observing and waiting), faults.ts, updates.ts
 * (getUpdates), chats.ts and methods/ (what Telegram does with messages), http.ts (requests).
 */
import type {
  BotCommand,
  ForceReply,
  InlineKeyboardMarkup,
  MenuButton,
  MessageEntity,
  ReplyKeyboardMarkup,
  ReplyKeyboardRemove,
  Update,
  UserFromGetMe,
} from "grammy/types";

export interface TestUser {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
  is_bot?: false;
}

export interface TestChat {
  id: number;
  type: "private" | "group" | "supergroup";
  title?: string;
  username?: string;
  /** For private chats; taken from the user when a user writes in the chat. */
  first_name?: string;
}

export type MediaKind = "photo" | "video" | "animation" | "document";

export interface RecordedMedia {
  kind: MediaKind;
  /** The uploaded bytes (absent when the bot sent a URL). */
  bytes?: Buffer;
  filename?: string;
  mime?: string;
  fileId: string;
  /** Set when the bot sent the media by URL. */
  url?: string;
  width?: number;
  height?: number;
}

export type ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply;

export interface RecordedMessage {
  message_id: number;
  chat_id: number;
  from_id: number;
  /** Text as the user sees it: HTML parsed, entities decoded, surrounding whitespace trimmed. */
  text?: string;
  /** Caption as the user sees it. */
  caption?: string;
  /** Entities of the text or caption. */
  entities?: MessageEntity[];
  /** Text or caption exactly as the bot sent it (markup included). */
  raw?: string;
  parse_mode?: string;
  /** The markup as last sent (inline keyboards, and also reply keyboards / remove / force reply). */
  reply_markup?: ReplyMarkup;
  reply_to_message_id?: number;
  message_thread_id?: number;
  media?: RecordedMedia;
  media_group_id?: string;
  /** How many times the message was edited. */
  edits: number;
  deleted: boolean;
  /** True if the bot sent it, false if a test user did. */
  from_bot: boolean;
  /** Unix seconds. */
  date: number;
}

export interface UploadedFile {
  filename: string;
  mime: string;
  bytes: Buffer;
}

export interface RecordedCall {
  method: string;
  params: Record<string, unknown>;
  /** Date.now() when the request arrived. */
  at: number;
  /** HTTP status of the answer: 200, 400, 401, 404, 409, 429, 502, ... */
  status: number;
  /** `result` of a successful call. */
  result?: unknown;
  /** `description` of a refused call. */
  description?: string;
}

export interface CallbackAnswer {
  callback_query_id: string;
  text?: string;
  show_alert?: boolean;
  url?: string;
  cache_time?: number;
}

export interface FaultSpec {
  error_code: number;
  description: string;
  retry_after?: number;
}

export type MemberStatus = "creator" | "administrator" | "member" | "restricted" | "left" | "kicked";

export interface StoredFile {
  file_id: string;
  file_unique_id: string;
  kind: MediaKind;
  bytes?: Buffer;
  url?: string;
  filename?: string;
  mime?: string;
  width?: number;
  height?: number;
  duration?: number;
  file_path: string;
}

export interface LocalBotApiOptions {
  /** Default "5000000001:local-test-token". The bot id is the number before the colon. */
  token?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Default "127.0.0.1". */
  host?: string;
  /** Default "seroma_test_bot". */
  botUsername?: string;
  /** Bot display name, default "Seroma Test". */
  botName?: string;
  /** Clock for message dates (ms). Default Date.now. */
  now?: () => number;
  /**
   * Behave like Telegram's test environment, where Mini App links (web_app buttons, menu
   * buttons) may be plain http: local mode, whose dashboard is on http://127.0.0.1. Default
   * false: https only, as in production.
   */
  testEnvironment?: boolean;
  /** Refuse a bare "&" in HTML (Telegram keeps it). Default true. */
  strictHtmlAmpersand?: boolean;
  /**
   * Memory bounds for a long-running server (local mode); tests keep everything (default).
   * maxRecordedCalls: `calls` and `callbackAnswers` keep the newest this many, and uploads in
   *   recorded params are kept as { filename, mime, size } (the bytes live in `files` only).
   * maxMessagesPerChat: older messages are forgotten (edits of them fail like on Telegram).
   * maxFileBytes: uploaded bytes kept in memory; the oldest files are forgotten beyond it.
   */
  limits?: { maxRecordedCalls?: number; maxMessagesPerChat?: number; maxFileBytes?: number };
}

/** What happens in the chats, for a live view (local mode's web page). */
export type LocalBotApiEvent =
  /** A message was sent (by the bot or a user), edited, or deleted (`deleted: true`). */
  | { type: "message"; message: RecordedMessage }
  /** The bot's sendChatAction ("typing", "upload_photo", ...). */
  | { type: "action"; chat_id: number; action: string }
  /** The bot answered a button press of `user_id`. */
  | { type: "callback_answer"; user_id: number; chat_id?: number; answer: CallbackAnswer }
  /** setChatMenuButton: what the private chat `chat_id` shows now (no chat_id: the bot's default changed). */
  | { type: "menu_button"; chat_id?: number; menu_button: MenuButton };

export interface WaitForCallOptions {
  timeoutMs?: number;
  /** Only calls at this index of `calls` or later. Default: the cursor (see `mark()`). */
  since?: number;
}

export interface LocalBotApi {
  /** e.g. "http://127.0.0.1:41234"; the bot calls `${apiRoot}/bot${token}/${method}`. */
  readonly apiRoot: string;
  readonly token: string;
  /** What getMe returns; pass it as `botInfo` to skip the getMe call. */
  readonly botInfo: UserFromGetMe;

  sendMessage(
    from: TestUser,
    chat: TestChat,
    text: string,
    extra?: { reply_to_message_id?: number; message_thread_id?: number },
  ): Update;
  pressButton(
    from: TestUser,
    message: RecordedMessage | { chat_id: number; message_id: number },
    data: string | { text: string } | { forged: string },
  ): Update;
  injectUpdate(partial: Omit<Update, "update_id">): Update;
  addChat(chat: TestChat): void;
  setChatMember(chatId: number, user: TestUser, status: MemberStatus): void;
  /** What getChatMember says of the user in that chat: as set with `setChatMember`, "member" once they wrote there, else "left". */
  memberStatus(chatId: number, userId: number): MemberStatus;

  readonly calls: readonly RecordedCall[];
  messages(chatId: number): RecordedMessage[];
  lastBotMessage(chatId: number): RecordedMessage | undefined;
  /** Calls `listener` with every new message the bot sends (not edits), as it is stored. Returns an unsubscribe function. */
  onBotMessage(listener: (m: RecordedMessage) => void): () => void;
  /** Calls `listener` with every message sent, edited or deleted (users' too), chat action and button answer. A throwing listener is ignored. Returns an unsubscribe function. */
  onEvent(listener: (e: LocalBotApiEvent) => void): () => void;
  /** Commands the bot registered for a chat, resolved like Telegram clients do (chat, then all private/group chats, then default; language first). */
  commandsFor(chat: { id: number; type: TestChat["type"] }, languageCode?: string): BotCommand[];
  /** The menu button a private chat shows (setChatMenuButton), resolved like getChatMenuButton: the chat's, the default, else "commands". */
  menuButton(chatId?: number): MenuButton;
  readonly callbackAnswers: readonly CallbackAnswer[];
  readonly commands: ReadonlyMap<string, BotCommand[]>;
  /** Files the bot uploaded or referenced, by file_id (photo size ids included). */
  readonly files: ReadonlyMap<string, StoredFile>;

  waitFor<T>(probe: () => T | undefined | null | false, timeoutMs?: number): Promise<T>;
  waitForCall(
    method: string,
    predicate?: (c: RecordedCall) => boolean,
    options?: number | WaitForCallOptions,
  ): Promise<RecordedCall>;
  waitForIdle(timeoutMs?: number): Promise<void>;
  /** Moves the waitForCall cursor to the end of `calls` and returns it. */
  mark(): number;
  pendingUpdates(): number;

  /** `chatId`: only calls aimed at that chat fail. */
  failNext(method: string, error: FaultSpec, times?: number, opts?: { chatId?: number }): void;
  /**
   * Every call aimed at this chat (its `chat_id`) is refused with `error` until called again
   * with undefined: the bot was kicked from a group, or a user blocked it.
   */
  refuseChat(chatId: number, error: FaultSpec | undefined): void;
  setDown(down: boolean): void;
  close(): Promise<void>;
}
