/**
 * A local Telegram Bot API server: the product's local mode (no Telegram token: the real bot
 * talks to this server and the web page in local/web plays the users) and the end-to-end tests.
 *
 * A real HTTP server on 127.0.0.1 (node:http only) that speaks enough of the Bot API for a
 * real grammY bot to run against it, configured with `client: { apiRoot }`, by long polling
 * (`bot.start()` or @grammyjs/runner). It records everything the bot sends and lets a test
 * play Telegram users.
 *
 *   const api = await startLocalBotApi();
 *   const bot = new Bot(api.token, { client: { apiRoot: api.apiRoot }, botInfo: api.botInfo });
 *   void bot.start();
 *   api.sendMessage(alice, privateChat(alice), "/start");
 *   const call = await api.waitForCall("sendMessage");
 *   assert.match(api.lastBotMessage(alice.id)?.text ?? "", /Welcome/);
 *   await bot.stop(); await api.close();
 *
 * ## Playing users
 * - `sendMessage(from, chat, text, extra?)` queues a `message` update (with a `bot_command`
 *   entity when the text starts with a command), stores it as a chat message, returns the Update.
 * - `pressButton(from, message, data)` queues a `callback_query` for a button that is really on
 *   the message now (`data` is the callback_data, or `{ text }` to find the button by label);
 *   pressing a button that is not there throws, as no real user could. `callback_query.message`
 *   carries the message as it currently is. `{ forged: data }` skips that check and sends any
 *   data of 1-64 bytes (a modified client, or a button the bot made long ago): it can be answered.
 * - `injectUpdate(partial)` queues any update as given (not stored as a chat message).
 * - `addChat(chat)` / `setChatMember(chatId, user, status)` shape what getChat/getChatMember say.
 *
 * ## Observing
 * - `calls`: every request, in the order they were answered (a held long poll is recorded when
 *   it is answered): `{ method, params, at, status, result?, description? }`. Uploaded files in
 *   `params` are `UploadedFile` objects.
 * - `messages(chatId)`: the chat as it is now, in message_id order, edits applied, deleted ones
 *   still listed with `deleted: true`, user and bot messages alike. `text`/`caption` are what the
 *   user sees (HTML parsed, entities decoded, trimmed); `raw` is exactly what the bot sent.
 * - `lastBotMessage(chatId)`: the newest message the bot sent there that is not deleted.
 * - `callbackAnswers`, `commands` (keyed by `commandsKey(scope, language_code)`), `files`.
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
 * - `waitForIdle()` resolves when every queued update has been confirmed by a later getUpdates
 *   offset and a new long poll is waiting. With `bot.start()` (sequential) that means every
 *   handler has finished; with the runner it only means all updates were fetched.
 * - `pendingUpdates()`: updates queued and not yet confirmed (delivered or not).
 *
 * ## Faults
 * - `failNext(method | "*", { error_code, description, retry_after? }, times = 1)`: the next
 *   `times` matching requests get `{ ok: false, error_code, description, parameters }` with that
 *   HTTP status; grammY throws a GrammyError. `"*"` matches every method except getUpdates
 *   (which the polling loop calls all the time); name getUpdates to fault polling. With
 *   `{ chatId }` only calls aimed at that chat fail.
 * - `refuseChat(chatId, { error_code, description } | undefined)`: every call with that `chat_id`
 *   is refused until cleared (403 "Forbidden: bot was kicked from the supergroup chat", a user
 *   who blocked the bot...).
 * - `setDown(true)`: every request, getUpdates included, gets `502 Bad Gateway` with an HTML body
 *   (a dead proxy), so grammY throws an HttpError; a held poll is answered the same way at once.
 *   Note: after a failed poll `bot.start()` waits 3 s before polling again.
 *
 * ## Telegram behaviour reproduced
 * - Responses are `{ ok: true, result }` / `{ ok: false, error_code, description, parameters? }`;
 *   unknown method: 404 "Not Found: method not found"; wrong token: 401 "Unauthorized".
 * - getUpdates: `offset` confirms (drops) earlier updates, negative offsets, `limit`, `timeout`
 *   long polling, `allowed_updates` (remembered; updates of other types are dropped when they
 *   would be delivered; the default excludes chat_member, message_reaction and
 *   message_reaction_count). A second getUpdates while one is held terminates the *older* one
 *   with 409 "Conflict: terminated by other getUpdates request; ...", as Telegram does (grammY's
 *   `bot.start()` rethrows 409, so a second poller kills the first bot). While a webhook is set,
 *   getUpdates answers 409.
 * - Message ids are per chat and shared by user and bot messages. Returned messages look like
 *   Telegram's (from = the bot, chat, date, text + entities, photo sizes with real dimensions
 *   read from PNG/JPEG/GIF/WebP/BMP bytes, video/animation/document objects, inline keyboard).
 * - Validation: chat_id required; text non-empty after parsing and at most 4096 characters;
 *   captions at most 1024; parse_mode HTML checked like Telegram (see telegram-html.ts; a bare
 *   `&` is refused here although Telegram keeps it); callback_data 1-64 bytes
 *   (BUTTON_DATA_INVALID); inline buttons need an action; replies to unknown messages; edits of
 *   unknown / foreign / unchanged messages ("message is not modified"); editMessageText or
 *   editMessageCaption without reply_markup removes the inline keyboard, as on Telegram;
 *   answerCallbackQuery once per known query; photos must be images (IMAGE_PROCESS_FAILED);
 *   file ids must be known or an http(s) URL. Error texts are Telegram's where known, close
 *   paraphrases otherwise.
 * - Request bodies are limited per method as Telegram limits uploads (photos 10 MB, other files
 *   50 MB; 1 MB for methods without files; see FILE_BODY_LIMITS). A wrong token (401), an unknown
 *   method (404) or a Content-Length over the limit (413) is answered before any of the body is
 *   read, a chunked body as soon as it passes the limit (413), and those answers close the
 *   connection. Headers must arrive within 10 s and the whole request within 120 s (408).
 * - Any numeric chat id is a valid chat (created on first use: positive = private, below
 *   -10^12 = supergroup, else group); use `addChat` to give it a type/title/username.
 * - MarkdownV2 / Markdown are not validated (text is stored as sent).
 *
 * Helpers: `privateChat(user)`, `inlineButtons(message)`, `commandsKey(scope?, language?)`,
 * `imageSize(bytes)`; `escapeTelegramHtml` and `parseTelegramHtml` live in telegram-html.ts.
 *
 * Also served: getFile + `GET /file/bot<token>/<file_path>`, getChat, getChatMember,
 * getWebhookInfo, sendMediaGroup, editMessageMedia, deleteMessages, and a few setters that only
 * answer true (setMyDescription, setMyShortDescription, setMyName, setChatMenuButton).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type {
  BotCommand,
  ForceReply,
  InlineKeyboardButton,
  InlineKeyboardMarkup,
  Message,
  MessageEntity,
  ReplyKeyboardMarkup,
  ReplyKeyboardRemove,
  ResponseParameters,
  Update,
  User,
  UserFromGetMe,
} from "grammy/types";
import { parseTelegramHtml, trimFormatted } from "./telegram-html.ts";

// ---------------------------------------------------------------------------------------------
// Public types

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
  | { type: "callback_answer"; user_id: number; chat_id?: number; answer: CallbackAnswer };

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

  readonly calls: readonly RecordedCall[];
  messages(chatId: number): RecordedMessage[];
  lastBotMessage(chatId: number): RecordedMessage | undefined;
  /** Calls `listener` with every new message the bot sends (not edits), as it is stored. Returns an unsubscribe function. */
  onBotMessage(listener: (m: RecordedMessage) => void): () => void;
  /** Calls `listener` with every message sent, edited or deleted (users' too), chat action and button answer. A throwing listener is ignored. Returns an unsubscribe function. */
  onEvent(listener: (e: LocalBotApiEvent) => void): () => void;
  /** Commands the bot registered for a chat, resolved like Telegram clients do (chat, then all private/group chats, then default; language first). */
  commandsFor(chat: { id: number; type: TestChat["type"] }, languageCode?: string): BotCommand[];
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

/** The key of a command list in `commands`: "default", "all_private_chats/en", "chat:-100123", "chat_member:-100123:42/de". */
export function commandsKey(
  scope?: { type: string; chat_id?: number | string; user_id?: number } | null,
  languageCode?: string | null,
): string {
  let key = scope?.type ?? "default";
  if (scope?.chat_id !== undefined) key += `:${scope.chat_id}`;
  if (scope?.user_id !== undefined) key += `:${scope.user_id}`;
  if (languageCode) key += `/${languageCode}`;
  return key;
}

/** The private chat between a user and the bot. */
export function privateChat(user: TestUser): TestChat {
  return { id: user.id, type: "private", first_name: user.first_name, username: user.username };
}

/** The inline buttons of a message, row by row flattened. */
export function inlineButtons(message: RecordedMessage | undefined): InlineKeyboardButton[] {
  const markup = message?.reply_markup;
  if (!markup || !("inline_keyboard" in markup)) return [];
  return markup.inline_keyboard.flat();
}

export async function startLocalBotApi(opts: LocalBotApiOptions = {}): Promise<LocalBotApi> {
  const server = new LocalBotApiServer(opts);
  await server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1");
  return server;
}

// ---------------------------------------------------------------------------------------------
// Internals

class ApiError extends Error {
  readonly code: number;
  readonly description: string;
  readonly parameters: ResponseParameters | undefined;
  constructor(code: number, description: string, parameters?: ResponseParameters) {
    super(description);
    this.code = code;
    this.description = description;
    this.parameters = parameters;
  }
}
const badRequest = (what: string) => new ApiError(400, `Bad Request: ${what}`);

type Params = Record<string, unknown>;

interface ChatInfo {
  id: number;
  type: "private" | "group" | "supergroup";
  title?: string;
  username?: string;
  first_name?: string;
}

interface StoredMessage {
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

interface HeldPoll {
  limit: number;
  res: http.ServerResponse;
  timer: NodeJS.Timeout;
  answer: (outcome: Update[] | ApiError) => void;
}

interface Fault {
  method: string;
  spec: FaultSpec;
  remaining: number;
  /** Only calls aimed at this chat. */
  chatId?: number;
}

interface Member {
  user: User;
  status: MemberStatus;
}

interface CallContext {
  files: Map<string, UploadedFile>;
  res: http.ServerResponse;
}

type Handler = (p: Params, ctx: CallContext) => unknown;

const MiB = 1024 * 1024;
/**
 * How big a request body may be, per method (checked before the body is read; see handleHttp).
 * Telegram's documented upload limits (core.telegram.org/bots/api#sending-files): "10 MB max size
 * for photos, 50 MB for other files" sent with multipart/form-data. A method that carries files
 * gets its file limit plus FIELDS_BODY_LIMIT for the other fields (caption, markup, a thumbnail
 * of at most 200 kB) and the multipart framing; an album (sendMediaGroup, 2-10 files) or a
 * replaced medium (editMessageMedia) gets the 50 MB of "other files" for the whole request.
 * sendAudio, sendVoice and the like are not served here: they are 404 before any body is read.
 */
const FIELDS_BODY_LIMIT = 1 * MiB; // the rest: a 4096-character text with its keyboard, 100 commands... is a few tens of KB
const FILE_BODY_LIMITS: Record<string, number> = {
  sendphoto: 10 * MiB + FIELDS_BODY_LIMIT,
  sendvideo: 50 * MiB + FIELDS_BODY_LIMIT,
  sendanimation: 50 * MiB + FIELDS_BODY_LIMIT,
  senddocument: 50 * MiB + FIELDS_BODY_LIMIT,
  sendmediagroup: 50 * MiB + FIELDS_BODY_LIMIT,
  editmessagemedia: 50 * MiB + FIELDS_BODY_LIMIT,
};
/**
 * A slow client cannot hold a socket forever: the request line and headers must arrive within
 * 10 s and the whole request, body included, within 120 s (a 51 MB upload at 0.5 MB/s; on
 * loopback it takes well under a second), or Node answers 408 and closes the connection. Node
 * checks every 5 s. Answering is not limited: a held long poll (getUpdates) is not affected.
 */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 120_000;
const TIMEOUT_CHECK_INTERVAL_MS = 5_000;
const TEXT_LIMIT = 4096;
const CAPTION_LIMIT = 1024;
const DEFAULT_EXCLUDED_UPDATES = new Set(["chat_member", "message_reaction", "message_reaction_count"]);
const JSON_FIELDS = new Set([
  "reply_markup",
  "entities",
  "caption_entities",
  "allowed_updates",
  "commands",
  "scope",
  "media",
  "reply_parameters",
  "link_preview_options",
  "menu_button",
  "message_ids",
]);
const CHAT_ACTIONS = new Set([
  "typing",
  "upload_photo",
  "record_video",
  "upload_video",
  "record_voice",
  "upload_voice",
  "upload_document",
  "choose_sticker",
  "find_location",
  "record_video_note",
  "upload_video_note",
]);
const MEDIA_METHODS: Record<string, MediaKind> = {
  sendphoto: "photo",
  sendvideo: "video",
  sendanimation: "animation",
  senddocument: "document",
};
const BAD_GATEWAY_HTML =
  "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

class LocalBotApiServer implements LocalBotApi {
  readonly token: string;
  readonly botInfo: UserFromGetMe;
  apiRoot = "";

  readonly calls: RecordedCall[] = [];
  readonly callbackAnswers: CallbackAnswer[] = [];
  readonly commands = new Map<string, BotCommand[]>();
  readonly files = new Map<string, StoredFile>();

  private readonly server: http.Server;
  private readonly now: () => number;
  private readonly strictAmpersand: boolean;
  private readonly botUser: User;

  private readonly chats = new Map<number, ChatInfo>();
  private readonly chatMessages = new Map<number, Map<number, StoredMessage>>();
  private readonly lastMessageId = new Map<number, number>();
  private readonly members = new Map<number, Map<number, Member>>();

  private queue: Update[] = [];
  private nextUpdateId = 1;
  private allowedUpdates: string[] = [];
  private heldPoll: HeldPoll | undefined;
  private webhookUrl = "";

  /** Open callback queries: id -> who pressed, in which chat. */
  private readonly openQueries = new Map<string, { user_id: number; chat_id: number }>();
  private nextQueryId = 1;
  private nextFileNo = 1;
  private nextMediaGroup = 1;

  private faults: Fault[] = [];
  private readonly refusedChats = new Map<number, FaultSpec>();
  private down = false;
  private closed = false;

  private cursor = 0;
  private readonly handedOut = new Set<RecordedCall>();
  private readonly waiters = new Set<() => void>();
  private readonly botMessageListeners = new Set<(m: RecordedMessage) => void>();
  private readonly eventListeners = new Set<(e: LocalBotApiEvent) => void>();
  private readonly limits: { maxRecordedCalls: number; maxMessagesPerChat: number; maxFileBytes: number };
  private fileBytes = 0;
  private readonly failWaiters = new Set<(err: Error) => void>();
  /** Responses not yet closed, so close() can let the last answers out. */
  private readonly inFlight = new Set<http.ServerResponse>();

  private readonly handlers: Record<string, Handler>;

  constructor(opts: LocalBotApiOptions) {
    this.token = opts.token ?? "5000000001:local-test-token";
    this.now = opts.now ?? Date.now;
    this.strictAmpersand = opts.strictHtmlAmpersand ?? true;
    this.limits = {
      maxRecordedCalls: opts.limits?.maxRecordedCalls ?? Number.POSITIVE_INFINITY,
      maxMessagesPerChat: opts.limits?.maxMessagesPerChat ?? Number.POSITIVE_INFINITY,
      maxFileBytes: opts.limits?.maxFileBytes ?? Number.POSITIVE_INFINITY,
    };
    const idPart = Number(this.token.split(":")[0]);
    this.botInfo = {
      id: Number.isSafeInteger(idPart) && idPart > 0 ? idPart : 5000000001,
      is_bot: true,
      first_name: opts.botName ?? "Seroma Test",
      username: opts.botUsername ?? "seroma_test_bot",
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
      has_topics_enabled: false,
      allows_users_to_create_topics: false,
      can_manage_bots: false,
      supports_join_request_queries: false,
    };
    this.botUser = {
      id: this.botInfo.id,
      is_bot: true,
      first_name: this.botInfo.first_name,
      username: this.botInfo.username,
    };
    this.handlers = this.buildHandlers();
    const timeouts = {
      headersTimeout: HEADERS_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
    };
    this.server = http.createServer(timeouts, (req, res) => {
      this.handleHttp(req, res).catch((err: unknown) => {
        // Only reached on a bug in this file: answer like Telegram's 500 instead of hanging.
        if (!res.headersSent && !res.destroyed) {
          this.writeJson(res, 500, {
            ok: false,
            error_code: 500,
            description: `Internal Server Error: ${String(err)}`,
          });
        }
      });
    });
    // Outlive the client's idle keep-alive sockets (Node's agent drops them after 5 s), so a
    // reused socket is never closed under a request.
    this.server.keepAliveTimeout = 65_000;
  }

  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        const { port: actual } = this.server.address() as AddressInfo;
        const hostPart = host.includes(":") ? `[${host}]` : host;
        this.apiRoot = `http://${hostPart}:${actual}`;
        resolve();
      });
    });
  }

  // ------------------------------------------------------------------ playing users

  sendMessage(
    from: TestUser,
    chat: TestChat,
    text: string,
    extra: { reply_to_message_id?: number; message_thread_id?: number } = {},
  ): Update {
    if (text === "") throw new Error("sendMessage: a Telegram user cannot send an empty message");
    const user = toUser(from);
    const info = this.registerChat(chat, user);
    this.ensureMember(info.id, user);
    const stored: StoredMessage = {
      message_id: this.allocateMessageId(info.id),
      chat: info,
      from: user,
      date: this.unixNow(),
      text,
      edits: 0,
      deleted: false,
      from_bot: false,
    };
    const command = /^\/[A-Za-z0-9_]{1,64}(@[A-Za-z0-9_]{3,32})?(?=\s|$)/.exec(text);
    if (command) stored.entities = [{ type: "bot_command", offset: 0, length: command[0].length }];
    if (extra.reply_to_message_id !== undefined) {
      if (!this.findMessage(info.id, extra.reply_to_message_id)) {
        throw new Error(`sendMessage: no message ${extra.reply_to_message_id} in chat ${info.id} to reply to`);
      }
      stored.reply_to_message_id = extra.reply_to_message_id;
    }
    if (extra.message_thread_id !== undefined) stored.message_thread_id = extra.message_thread_id;
    this.storeMessage(stored);
    return this.enqueue({ message: this.toTelegram(stored) } as Omit<Update, "update_id">);
  }

  pressButton(
    from: TestUser,
    message: RecordedMessage | { chat_id: number; message_id: number },
    data: string | { text: string } | { forged: string },
  ): Update {
    const stored = this.findMessage(message.chat_id, message.message_id);
    if (!stored) throw new Error(`pressButton: no message ${message.message_id} in chat ${message.chat_id}`);
    if (typeof data === "object" && "forged" in data) {
      const bytes = Buffer.byteLength(data.forged, "utf8");
      if (bytes < 1 || bytes > 64) throw new Error(`pressButton: callback data must be 1-64 bytes, got ${bytes}`);
      return this.enqueueCallback(toUser(from), stored, data.forged);
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
    return this.enqueueCallback(toUser(from), stored, button.callback_data);
  }

  private enqueueCallback(user: User, stored: StoredMessage, data: string): Update {
    const id = String(4_000_000_000_000 + this.nextQueryId++);
    this.openQueries.set(id, { user_id: user.id, chat_id: stored.chat.id });
    return this.enqueue({
      callback_query: {
        id,
        from: user,
        message: this.toTelegram(stored),
        chat_instance: String(-stored.chat.id * 7919),
        data,
      },
    } as Omit<Update, "update_id">);
  }

  injectUpdate(partial: Omit<Update, "update_id">): Update {
    return this.enqueue(partial);
  }

  addChat(chat: TestChat): void {
    this.registerChat(chat);
  }

  setChatMember(chatId: number, user: TestUser, status: MemberStatus): void {
    this.ensureChat(chatId);
    getOrCreate(this.members, chatId, () => new Map()).set(user.id, { user: toUser(user), status });
  }

  // ------------------------------------------------------------------ observing

  messages(chatId: number): RecordedMessage[] {
    const map = this.chatMessages.get(chatId);
    if (!map) return [];
    return [...map.values()].sort((a, b) => a.message_id - b.message_id).map((m) => toRecorded(m));
  }

  onBotMessage(listener: (m: RecordedMessage) => void): () => void {
    this.botMessageListeners.add(listener);
    return () => this.botMessageListeners.delete(listener);
  }

  onEvent(listener: (e: LocalBotApiEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  commandsFor(chat: { id: number; type: TestChat["type"] }, languageCode?: string): BotCommand[] {
    const scopes: ({ type: string; chat_id?: number } | null)[] = [
      { type: "chat", chat_id: chat.id },
      { type: chat.type === "private" ? "all_private_chats" : "all_group_chats" },
      null,
    ];
    for (const scope of scopes) {
      for (const lang of languageCode ? [languageCode, undefined] : [undefined]) {
        const list = this.commands.get(commandsKey(scope, lang));
        if (list && list.length > 0) return list.map((c) => ({ ...c }));
      }
    }
    return [];
  }

  private emit(event: LocalBotApiEvent): void {
    for (const listener of this.eventListeners) {
      try {
        listener(event);
      } catch {
        // A view's bug must not break the bot's requests.
      }
    }
  }

  private emitMessage(m: StoredMessage): void {
    if (this.eventListeners.size > 0) this.emit({ type: "message", message: toRecorded(m) });
  }

  /** Keeps the newest `maxRecordedCalls` entries of a record list (moving the waitForCall cursor with `calls`). */
  private trim(list: unknown[]): void {
    const excess = list.length - this.limits.maxRecordedCalls;
    if (excess <= 0) return;
    const drop = Math.max(excess, Math.ceil(this.limits.maxRecordedCalls / 10));
    list.splice(0, drop);
    if (list === this.calls) this.cursor = Math.max(0, this.cursor - drop);
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

  pendingUpdates(): number {
    return this.queue.length;
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

  waitForIdle(timeoutMs = 5000): Promise<void> {
    return this.waitUntil(
      () => this.queue.length === 0 && this.heldPoll !== undefined,
      timeoutMs,
      () => `waitForIdle() (${this.queue.length} unconfirmed updates, poll ${this.heldPoll ? "held" : "not held"})`,
    ).then(() => undefined);
  }

  // ------------------------------------------------------------------ faults and lifecycle

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

  setDown(down: boolean): void {
    this.down = down;
    if (down && this.heldPoll) {
      const poll = this.heldPoll;
      this.heldPoll = undefined;
      clearTimeout(poll.timer);
      poll.answer(new ApiError(502, "Bad Gateway"));
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const poll = this.heldPoll;
    if (poll) {
      this.heldPoll = undefined;
      clearTimeout(poll.timer);
      poll.answer([]);
    }
    const err = new Error("LocalBotApi closed while waiting");
    for (const fail of [...this.failWaiters]) fail(err);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Let answers already being written (the poll answered above) reach the client, for at
    // most a moment, then drop every connection, keep-alive ones included.
    const inFlight = [...this.inFlight].map(
      (res) => new Promise<void>((resolve) => res.once("close", () => resolve())),
    );
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(inFlight),
      new Promise<void>((resolve) => {
        grace = setTimeout(resolve, 500);
      }),
    ]);
    clearTimeout(grace);
    this.server.closeAllConnections();
    await closed;
  }

  // ------------------------------------------------------------------ HTTP

  private async handleHttp(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const at = Date.now();
    this.inFlight.add(res);
    res.once("close", () => this.inFlight.delete(res));
    const url = new URL(req.url ?? "/", "http://local");
    const filePath = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (filePath && (req.method === "GET" || req.method === "HEAD")) {
      this.serveFile(res, decodeURIComponent(filePath[1] as string), decodeURIComponent(filePath[2] as string));
      return;
    }
    const match = /^\/bot([^/]+)\/([^/]*)$/.exec(url.pathname);
    if (!match) {
      res.setHeader("connection", "close"); // whatever body follows is not read
      this.writeJson(res, 404, { ok: false, error_code: 404, description: "Not Found" });
      return;
    }
    const token = decodeURIComponent(match[1] as string);
    const method = match[2] as string;
    const key = method.toLowerCase();
    const call: Omit<RecordedCall, "status"> = { method, params: {}, at };

    // Everything that needs no body is decided before a byte of it is read, so a stranger (a
    // wrong token, a made-up method, an oversized upload) costs nothing; those answers close the
    // connection, so a client that keeps sending cannot hold it either.
    if (this.down) {
      this.record(call, 502, undefined, "Bad Gateway");
      res.setHeader("connection", "close");
      res.writeHead(502, { "content-type": "text/html", "content-length": Buffer.byteLength(BAD_GATEWAY_HTML) });
      res.end(BAD_GATEWAY_HTML);
      return;
    }
    if (token !== this.token) {
      this.refuseBeforeBody(res, call, new ApiError(401, "Unauthorized"));
      return;
    }
    const handler = this.handlers[key];
    if (!handler) {
      this.refuseBeforeBody(res, call, new ApiError(404, "Not Found: method not found"));
      return;
    }
    const limit = FILE_BODY_LIMITS[key] ?? FIELDS_BODY_LIMIT;
    if (Number(req.headers["content-length"] ?? 0) > limit) {
      this.refuseBeforeBody(res, call, new ApiError(413, "Request Entity Too Large"));
      return;
    }

    let body: Buffer;
    try {
      body = await readBody(req, limit);
    } catch (err) {
      // Too large while streaming (chunked, no length announced): refused at the limit. Otherwise
      // the client went away mid-body: there is no one to answer.
      if (err instanceof BodyTooLargeError)
        this.refuseBeforeBody(res, call, new ApiError(413, "Request Entity Too Large"));
      else res.destroy();
      return;
    }

    let params: Params = {};
    let files = new Map<string, UploadedFile>();
    try {
      ({ params, files } = parseParams(req, url, body));
      call.params = params;
    } catch (err) {
      this.respond(res, call, err instanceof ApiError ? err : badRequest(String(err)));
      return;
    }

    const chatId = Number(params.chat_id);
    const fault = (Number.isFinite(chatId) ? this.refusedChats.get(chatId) : undefined) ?? this.takeFault(key, chatId);
    if (fault) {
      const parameters = fault.retry_after !== undefined ? { retry_after: fault.retry_after } : undefined;
      this.respond(res, call, new ApiError(fault.error_code, fault.description, parameters));
      return;
    }

    try {
      const result = await handler(params, { files, res });
      this.respond(res, call, result);
    } catch (err) {
      this.respond(
        res,
        call,
        err instanceof ApiError ? err : new ApiError(500, `Internal Server Error: ${String(err)}`),
      );
    }
  }

  /** Answers without reading (the rest of) the body, and closes the connection once answered. */
  private refuseBeforeBody(res: http.ServerResponse, call: Omit<RecordedCall, "status">, error: ApiError): void {
    if (!res.headersSent) res.setHeader("connection", "close");
    this.respond(res, call, error);
  }

  /** Records the call and answers it, unless the client has gone away (then it is recorded only). */
  private respond(res: http.ServerResponse, call: Omit<RecordedCall, "status">, outcome: unknown): void {
    if (outcome instanceof ApiError) {
      const status = outcome.code >= 100 && outcome.code <= 599 ? outcome.code : 500;
      this.record(call, status, undefined, outcome.description);
      if (status === 502 && this.down) {
        if (!res.destroyed) {
          res.writeHead(502, { "content-type": "text/html", "content-length": Buffer.byteLength(BAD_GATEWAY_HTML) });
          res.end(BAD_GATEWAY_HTML);
        }
        return;
      }
      const payload: Record<string, unknown> = {
        ok: false,
        error_code: outcome.code,
        description: outcome.description,
      };
      if (outcome.parameters) payload.parameters = outcome.parameters;
      this.writeJson(res, status, payload);
      return;
    }
    this.record(call, 200, outcome, undefined);
    this.writeJson(res, 200, { ok: true, result: outcome });
  }

  private record(call: Omit<RecordedCall, "status">, status: number, result: unknown, description: string | undefined) {
    // Bounded (local mode): a recorded call keeps an upload's name, type and size, not its bytes
    // (the file itself is in `files`, under its own budget).
    const params = Number.isFinite(this.limits.maxRecordedCalls) ? withoutUploadBytes(call.params) : call.params;
    const entry: RecordedCall = { method: call.method, params, at: call.at, status };
    if (status === 200) entry.result = result;
    if (description !== undefined) entry.description = description;
    this.calls.push(entry);
    this.trim(this.calls);
    this.notify();
  }

  private writeJson(res: http.ServerResponse, status: number, payload: unknown): void {
    if (res.destroyed || res.headersSent) return;
    const text = JSON.stringify(payload);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
  }

  private serveFile(res: http.ServerResponse, token: string, path: string): void {
    const file =
      token === this.token ? [...this.files.values()].find((f) => f.file_path === path && f.bytes) : undefined;
    if (!file?.bytes) {
      this.writeJson(res, 404, { ok: false, error_code: 404, description: "Not Found" });
      return;
    }
    res.writeHead(200, {
      "content-type": file.mime ?? "application/octet-stream",
      "content-length": file.bytes.length,
    });
    res.end(file.bytes);
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

  // ------------------------------------------------------------------ updates

  private enqueue(partial: Omit<Update, "update_id">): Update {
    if (this.closed) throw new Error("LocalBotApi is closed");
    const update = { update_id: this.nextUpdateId++, ...partial } as Update;
    this.queue.push(update);
    this.cursor = this.calls.length;
    const poll = this.heldPoll;
    if (poll) {
      const ready = this.deliverable(poll.limit);
      if (ready.length > 0) {
        this.heldPoll = undefined;
        clearTimeout(poll.timer);
        poll.answer(ready);
      }
    }
    this.notify();
    return update;
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

  private getUpdates(p: Params, ctx: CallContext): Update[] | Promise<Update[]> {
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
      if (this.queue.length !== before) this.notify();
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
    if (ready.length > 0 || timeout === 0 || this.closed) return ready;

    return new Promise<Update[]>((resolve, reject) => {
      const poll: HeldPoll = {
        limit,
        res: ctx.res,
        timer: setTimeout(() => {
          if (this.heldPoll === poll) this.heldPoll = undefined;
          resolve(this.deliverable(limit));
        }, timeout * 1000),
        answer: (outcome) => (outcome instanceof ApiError ? reject(outcome) : resolve(outcome)),
      };
      // The bot aborted its poll (bot.stop()): forget it, without recording a call.
      ctx.res.once("close", () => {
        if (this.heldPoll === poll) {
          this.heldPoll = undefined;
          clearTimeout(poll.timer);
          this.notify();
        }
      });
      this.heldPoll = poll;
      this.notify();
    });
  }

  // ------------------------------------------------------------------ waiting

  private notify(): void {
    for (const check of [...this.waiters]) check();
  }

  private waitUntil<T>(probe: () => T | undefined | null | false, timeoutMs: number, what: () => string): Promise<T> {
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
      if (this.closed) fail(new Error("LocalBotApi is closed"));
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

  // ------------------------------------------------------------------ chats and messages

  private unixNow(): number {
    return Math.floor(this.now() / 1000);
  }

  private registerChat(chat: TestChat, user?: User): ChatInfo {
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

  private ensureChat(id: number): ChatInfo {
    const existing = this.chats.get(id);
    if (existing) return existing;
    const type = id > 0 ? "private" : id < -1_000_000_000_000 ? "supergroup" : "group";
    return this.registerChat({ id, type });
  }

  private ensureMember(chatId: number, user: User): void {
    const map = getOrCreate(this.members, chatId, () => new Map());
    const member = map.get(user.id);
    if (!member) map.set(user.id, { user, status: "member" });
    else if (member.status === "left") member.status = "member";
  }

  private allocateMessageId(chatId: number): number {
    const id = (this.lastMessageId.get(chatId) ?? 0) + 1;
    this.lastMessageId.set(chatId, id);
    return id;
  }

  private storeMessage(m: StoredMessage): void {
    const chat = getOrCreate(this.chatMessages, m.chat.id, () => new Map());
    chat.set(m.message_id, m);
    // Maps iterate in insertion order, which is message_id order: the first is the oldest.
    while (chat.size > this.limits.maxMessagesPerChat) {
      const oldest = chat.keys().next().value;
      if (oldest === undefined) break;
      chat.delete(oldest);
    }
    this.emitMessage(m);
  }

  private findMessage(chatId: number, messageId: number): StoredMessage | undefined {
    const m = this.chatMessages.get(chatId)?.get(messageId);
    return m && !m.deleted ? m : undefined;
  }

  /** The message as the Bot API shows it. */
  private toTelegram(m: StoredMessage, withReply = true): Message {
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

  private chatParam(p: Params): ChatInfo {
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

  /** Parses text or caption by parse_mode / entities into what the user sees. */
  private format(
    raw: string,
    parseMode: unknown,
    entities: unknown,
  ): { text: string; entities: MessageEntity[]; parse_mode?: string } {
    if (parseMode === undefined || parseMode === null || parseMode === "") {
      const plain = trimFormatted(raw, Array.isArray(entities) ? (entities as MessageEntity[]) : []);
      return { ...plain, entities: withDetectedEntities(plain.text, plain.entities) };
    }
    const mode = String(parseMode);
    if (mode.toLowerCase() === "html") {
      const parsed = parseTelegramHtml(raw, { strictAmpersand: this.strictAmpersand });
      if (!parsed.ok) throw badRequest(`can't parse entities: ${parsed.error}`);
      return { text: parsed.text, entities: withDetectedEntities(parsed.text, parsed.entities), parse_mode: mode };
    }
    if (mode.toLowerCase() === "markdownv2" || mode.toLowerCase() === "markdown") {
      return { text: raw.trim(), entities: [], parse_mode: mode };
    }
    throw badRequest("unsupported parse_mode");
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

  private newBotMessage(chat: ChatInfo, p: Params): StoredMessage {
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
    const markup = validateMarkup(p.reply_markup);
    if (markup) stored.reply_markup = markup;
    return stored;
  }

  private commit(stored: StoredMessage): Message {
    stored.message_id = this.allocateMessageId(stored.chat.id);
    this.storeMessage(stored);
    if (stored.from_bot && this.botMessageListeners.size > 0) {
      const recorded = toRecorded(stored);
      for (const listener of this.botMessageListeners) listener(recorded);
    }
    return this.toTelegram(stored);
  }

  private editTarget(p: Params): StoredMessage | undefined {
    if (p.inline_message_id !== undefined && p.chat_id === undefined) return undefined;
    const chat = this.chatParam(p);
    const id = intParam(p, "message_id");
    if (id === undefined) throw badRequest("message identifier is not specified");
    const m = this.findMessage(chat.id, id);
    if (!m) throw badRequest("message to edit not found");
    if (!m.from_bot) throw badRequest("message can't be edited");
    return m;
  }

  private applyEdit(m: StoredMessage, next: Partial<StoredMessage>, markup: ReplyMarkup | undefined): Message {
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

  private resolveFile(kind: MediaKind, value: unknown, files: Map<string, UploadedFile>, p: Params): StoredFile {
    let upload: UploadedFile | undefined;
    if (isUploadedFile(value)) upload = value;
    else if (typeof value === "string" && value.startsWith("attach://")) {
      upload = files.get(value.slice("attach://".length));
      if (!upload) throw badRequest(`wrong file identifier/HTTP URL specified`);
    }
    if (value === undefined || value === null || value === "") throw badRequest(`there is no ${kind} in the request`);

    const no = this.nextFileNo++;
    const file: StoredFile = {
      file_id: `${kind}-${no}`,
      file_unique_id: `unique-${no}`,
      kind,
      file_path: "",
    };
    if (upload) {
      if (upload.bytes.length === 0) throw badRequest("file must be non-empty");
      file.bytes = upload.bytes;
      file.filename = upload.filename;
      file.mime = sniffMime(upload.bytes, upload.filename, upload.mime);
    } else if (typeof value === "string" && /^https?:\/\//i.test(value)) {
      file.url = value;
      file.filename = value.split(/[?#]/)[0]?.split("/").pop() || undefined;
    } else if (typeof value === "string" && this.files.has(value)) {
      return this.files.get(value) as StoredFile; // resending a known file keeps its id
    } else {
      throw badRequest("wrong file identifier/HTTP URL specified");
    }

    if (kind === "photo") {
      const size = file.bytes ? imageSize(file.bytes) : { width: 800, height: 600 };
      if (!size) throw badRequest("IMAGE_PROCESS_FAILED");
      file.width = size.width;
      file.height = size.height;
    } else if (kind === "video" || kind === "animation") {
      const size = file.bytes ? imageSize(file.bytes) : undefined;
      file.width = intParam(p, "width") ?? size?.width ?? 640;
      file.height = intParam(p, "height") ?? size?.height ?? 360;
      file.duration = intParam(p, "duration") ?? 0;
    }
    const ext = extensionOf(file.filename, file.mime);
    file.file_path = `${kind}s/file_${no}${ext ? `.${ext}` : ""}`;
    this.files.set(file.file_id, file);
    if (kind === "photo") this.files.set(`${file.file_id}-thumb`, file);
    this.fileBytes += file.bytes?.length ?? 0;
    this.forgetOldFiles(file);
    return file;
  }

  /** Forgets the oldest uploaded files (never `keep`) while their bytes exceed `maxFileBytes`. */
  private forgetOldFiles(keep: StoredFile): void {
    if (this.fileBytes <= this.limits.maxFileBytes) return;
    for (const [id, f] of this.files) {
      if (this.fileBytes <= this.limits.maxFileBytes) break;
      if (f === keep) continue;
      this.files.delete(id);
      // A photo is listed twice (its id and its "-thumb" id); count its bytes once.
      if (!id.endsWith("-thumb")) this.fileBytes -= f.bytes?.length ?? 0;
      // Messages still point at the file: drop the bytes so the memory really goes.
      delete f.bytes;
    }
  }

  private buildHandlers(): Record<string, Handler> {
    const ok = () => true;
    const handlers: Record<string, Handler> = {
      getme: () => this.botInfo,
      logout: ok,
      close: ok,
      setmydescription: ok,
      setmyshortdescription: ok,
      setmyname: ok,
      setchatmenubutton: ok,

      getwebhookinfo: () => ({
        url: this.webhookUrl,
        has_custom_certificate: false,
        pending_update_count: this.queue.length,
      }),
      setwebhook: (p) => {
        this.webhookUrl = typeof p.url === "string" ? p.url : "";
        if (truthy(p.drop_pending_updates)) this.queue = [];
        return true;
      },
      deletewebhook: (p) => {
        this.webhookUrl = "";
        if (truthy(p.drop_pending_updates)) this.queue = [];
        return true;
      },
      getupdates: (p, ctx) => this.getUpdates(p, ctx),

      sendmessage: (p) => {
        const chat = this.chatParam(p);
        if (typeof p.text !== "string" || p.text.trim() === "") throw badRequest("message text is empty");
        const formatted = this.format(p.text, p.parse_mode, p.entities);
        if (formatted.text === "") throw badRequest("message text is empty");
        if ([...formatted.text].length > TEXT_LIMIT) throw badRequest("message is too long");
        const stored = this.newBotMessage(chat, p);
        stored.text = formatted.text;
        stored.entities = formatted.entities;
        stored.raw = p.text;
        if (formatted.parse_mode) stored.parse_mode = formatted.parse_mode;
        return this.commit(stored);
      },

      editmessagetext: (p) => {
        const m = this.editTarget(p);
        if (typeof p.text !== "string" || p.text.trim() === "") throw badRequest("message text is empty");
        const formatted = this.format(p.text, p.parse_mode, p.entities);
        if (formatted.text === "") throw badRequest("message text is empty");
        if ([...formatted.text].length > TEXT_LIMIT) throw badRequest("message is too long");
        const markup = validateMarkup(p.reply_markup, true);
        if (!m) return true;
        if (m.text === undefined) throw badRequest("there is no text in the message to edit");
        return this.applyEdit(
          m,
          { text: formatted.text, entities: formatted.entities, raw: p.text, parse_mode: formatted.parse_mode },
          markup,
        );
      },

      editmessagecaption: (p) => {
        const m = this.editTarget(p);
        const raw = typeof p.caption === "string" ? p.caption : "";
        const formatted = this.format(raw, p.parse_mode, p.caption_entities);
        if ([...formatted.text].length > CAPTION_LIMIT) throw badRequest("message caption is too long");
        const markup = validateMarkup(p.reply_markup, true);
        if (!m) return true;
        if (!m.file) throw badRequest("there is no caption in the message to edit");
        return this.applyEdit(
          m,
          {
            caption: formatted.text === "" ? undefined : formatted.text,
            entities: formatted.entities,
            raw,
            parse_mode: formatted.parse_mode,
          },
          markup,
        );
      },

      editmessagereplymarkup: (p) => {
        const m = this.editTarget(p);
        const markup = validateMarkup(p.reply_markup, true);
        if (!m) return true;
        return this.applyEdit(m, {}, markup);
      },

      editmessagemedia: (p, ctx) => {
        const m = this.editTarget(p);
        const media = p.media as Record<string, unknown> | undefined;
        if (!media || typeof media !== "object") throw badRequest("media not specified");
        const kind = mediaKind(media.type);
        const markup = validateMarkup(p.reply_markup, true);
        if (!m) return true;
        if (!m.file) throw badRequest("there is no media in the message to edit");
        const raw = typeof media.caption === "string" ? media.caption : "";
        const formatted = this.format(raw, media.parse_mode, media.caption_entities);
        if ([...formatted.text].length > CAPTION_LIMIT) throw badRequest("message caption is too long");
        const file = this.resolveFile(kind, media.media, ctx.files, media);
        return this.applyEdit(
          m,
          {
            file,
            caption: formatted.text === "" ? undefined : formatted.text,
            entities: formatted.entities,
            raw,
            parse_mode: formatted.parse_mode,
          },
          markup,
        );
      },

      deletemessage: (p) => {
        const chat = this.chatParam(p);
        const id = intParam(p, "message_id");
        const m = id === undefined ? undefined : this.findMessage(chat.id, id);
        if (!m) throw badRequest("message to delete not found");
        m.deleted = true;
        this.emitMessage(m);
        return true;
      },
      deletemessages: (p) => {
        const chat = this.chatParam(p);
        const ids = Array.isArray(p.message_ids) ? p.message_ids.map(Number) : [];
        if (ids.length === 0 || ids.length > 100) throw badRequest("message identifiers are not specified");
        for (const id of ids) {
          const m = this.findMessage(chat.id, id);
          if (m) {
            m.deleted = true;
            this.emitMessage(m);
          }
        }
        return true;
      },

      answercallbackquery: (p) => {
        const id = typeof p.callback_query_id === "string" ? p.callback_query_id : String(p.callback_query_id ?? "");
        const query = this.openQueries.get(id);
        if (!query) throw badRequest("query is too old and response timeout expired or query ID is invalid");
        this.openQueries.delete(id);
        const answer: CallbackAnswer = { callback_query_id: id };
        if (typeof p.text === "string") answer.text = p.text;
        if (p.show_alert !== undefined) answer.show_alert = truthy(p.show_alert);
        if (typeof p.url === "string") answer.url = p.url;
        const cache = intParam(p, "cache_time");
        if (cache !== undefined) answer.cache_time = cache;
        this.callbackAnswers.push(answer);
        this.trim(this.callbackAnswers);
        this.emit({ type: "callback_answer", user_id: query.user_id, chat_id: query.chat_id, answer });
        return true;
      },

      sendmediagroup: (p, ctx) => {
        const chat = this.chatParam(p);
        const items = p.media;
        if (!Array.isArray(items) || items.length < 2 || items.length > 10) {
          throw badRequest("media group must have 2-10 items");
        }
        const group = `${10_000_000 + this.nextMediaGroup++}`;
        const prepared = items.map((item: Record<string, unknown>) => {
          const kind = mediaKind(item.type);
          const raw = typeof item.caption === "string" ? item.caption : "";
          const formatted = this.format(raw, item.parse_mode, item.caption_entities);
          if ([...formatted.text].length > CAPTION_LIMIT) throw badRequest("message caption is too long");
          return { kind, item, raw, formatted };
        });
        const base = this.newBotMessage(chat, { ...p, reply_markup: undefined });
        const messages: Message[] = [];
        for (const { kind, item, raw, formatted } of prepared) {
          const stored: StoredMessage = { ...base, media_group_id: group };
          stored.file = this.resolveFile(kind, item.media, ctx.files, item);
          if (formatted.text !== "") {
            stored.caption = formatted.text;
            stored.entities = formatted.entities;
            stored.raw = raw;
          }
          if (formatted.parse_mode) stored.parse_mode = formatted.parse_mode;
          messages.push(this.commit(stored));
        }
        return messages;
      },

      sendchataction: (p) => {
        this.chatParam(p);
        if (typeof p.action !== "string" || !CHAT_ACTIONS.has(p.action)) {
          throw badRequest("wrong parameter action in request");
        }
        this.emit({ type: "action", chat_id: Number(p.chat_id), action: p.action });
        return true;
      },

      setmycommands: (p) => {
        const list = p.commands;
        if (!Array.isArray(list) || list.length > 100) throw badRequest("commands not specified");
        const commands: BotCommand[] = list.map((c: { command?: unknown; description?: unknown }) => {
          const command = typeof c.command === "string" ? c.command.replace(/^\//, "") : "";
          if (!/^[a-z0-9_]{1,32}$/.test(command)) throw badRequest("BOT_COMMAND_INVALID");
          const description = typeof c.description === "string" ? c.description : "";
          if (description.length < 1 || description.length > 256) {
            throw badRequest("BOT_COMMAND_DESCRIPTION_INVALID");
          }
          return { command, description };
        });
        const key = commandsKey(p.scope as Parameters<typeof commandsKey>[0], p.language_code as string | undefined);
        if (commands.length === 0) this.commands.delete(key);
        else this.commands.set(key, commands);
        return true;
      },
      getmycommands: (p) =>
        this.commands.get(
          commandsKey(p.scope as Parameters<typeof commandsKey>[0], p.language_code as string | undefined),
        ) ?? [],
      deletemycommands: (p) => {
        this.commands.delete(
          commandsKey(p.scope as Parameters<typeof commandsKey>[0], p.language_code as string | undefined),
        );
        return true;
      },

      getchat: (p) => {
        const chat = this.chatParam(p);
        return { ...chat, accent_color_id: 0, max_reaction_count: 11, accepted_gift_types: {} };
      },
      getchatmember: (p) => {
        const chat = this.chatParam(p);
        const userId = intParam(p, "user_id");
        if (userId === undefined) throw badRequest("user_id is empty");
        if (userId === this.botUser.id) return { status: "member", user: this.botUser };
        const member = this.members.get(chat.id)?.get(userId);
        if (!member) return { status: "left", user: { id: userId, is_bot: false, first_name: "User" } };
        return memberObject(member);
      },

      getfile: (p) => {
        const file = typeof p.file_id === "string" ? this.files.get(p.file_id) : undefined;
        if (!file) throw badRequest("invalid file_id");
        const result: Record<string, unknown> = { file_id: file.file_id, file_unique_id: file.file_unique_id };
        if (file.bytes) {
          result.file_size = file.bytes.length;
          result.file_path = file.file_path;
        }
        return result;
      },
    };

    for (const [method, kind] of Object.entries(MEDIA_METHODS)) {
      handlers[method] = (p, ctx) => {
        const chat = this.chatParam(p);
        const raw = typeof p.caption === "string" ? p.caption : "";
        const formatted = this.format(raw, p.parse_mode, p.caption_entities);
        if ([...formatted.text].length > CAPTION_LIMIT) throw badRequest("message caption is too long");
        const stored = this.newBotMessage(chat, p);
        stored.file = this.resolveFile(kind, p[kind], ctx.files, p);
        if (formatted.text !== "") {
          stored.caption = formatted.text;
          stored.entities = formatted.entities;
          stored.raw = raw;
        }
        if (formatted.parse_mode) stored.parse_mode = formatted.parse_mode;
        return this.commit(stored);
      };
    }
    return handlers;
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

/**
 * Adds the entities Telegram detects in text by itself, outside code, pre and existing
 * links: `url` for bare http(s) links (trailing punctuation stays out of the link), and
 * `bot_command` for a /command (a tap sends it), as Telegram's parser finds them: after
 * the start, a space or punctuation (not after a letter, digit, "_", "/", "<" or ">"), at
 * most 64 of [A-Za-z0-9_], an optional @bot_username, then no letter, digit, "_", "/",
 * "<" or ">".
 */
function withDetectedEntities(text: string, entities: MessageEntity[]): MessageEntity[] {
  const opaque = entities.filter((e) => ["code", "pre", "text_link", "url", "text_mention"].includes(e.type));
  const found: MessageEntity[] = [];
  const free = (offset: number, end: number) => !opaque.some((e) => offset < e.offset + e.length && e.offset < end);
  for (const m of text.matchAll(/\bhttps?:\/\/[^\s<>"]+/g)) {
    const link = m[0].replace(/[.,;:!?)\]'»]+$/, "");
    const offset = m.index ?? 0;
    if (free(offset, offset + link.length)) found.push({ type: "url", offset, length: link.length });
  }
  for (const m of text.matchAll(/(?<![\p{L}\p{N}_/<>])\/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\p{L}\p{N}_/<>@])/gu)) {
    const offset = m.index ?? 0;
    const end = offset + m[0].length;
    if (free(offset, end) && !found.some((e) => offset < e.offset + e.length && e.offset < end)) {
      found.push({ type: "bot_command", offset, length: m[0].length });
    }
  }
  if (found.length === 0) return entities;
  return [...entities, ...found].sort((a, b) => a.offset - b.offset || b.length - a.length);
}

function getOrCreate<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

function toUser(u: TestUser): User {
  const user: User = { id: u.id, is_bot: false, first_name: u.first_name };
  if (u.last_name !== undefined) user.last_name = u.last_name;
  if (u.username !== undefined) user.username = u.username;
  if (u.language_code !== undefined) user.language_code = u.language_code;
  return user;
}

function toRecorded(m: StoredMessage): RecordedMessage {
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

/**
 * Checks reply_markup the way Telegram does where it matters for tests and returns it.
 * `inlineOnly` is for edits, which accept only inline keyboards.
 */
function validateMarkup(value: unknown, inlineOnly = false): ReplyMarkup | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw badRequest("can't parse reply keyboard markup JSON object");
  }
  const markup = value as Record<string, unknown>;
  if ("inline_keyboard" in markup) {
    const rows = markup.inline_keyboard;
    if (!Array.isArray(rows) || rows.some((row) => !Array.isArray(row))) {
      throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays');
    }
    for (const row of rows as unknown[][]) {
      for (const button of row) {
        if (!button || typeof button !== "object")
          throw badRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Object");
        const b = button as Record<string, unknown>;
        if (typeof b.text !== "string")
          throw badRequest('can\'t parse inline keyboard button: Field "text" must be of type String');
        if ("callback_data" in b) {
          const bytes = typeof b.callback_data === "string" ? Buffer.byteLength(b.callback_data) : 0;
          if (bytes < 1 || bytes > 64) throw badRequest("BUTTON_DATA_INVALID");
        }
        const actions = [
          "url",
          "callback_data",
          "web_app",
          "login_url",
          "switch_inline_query",
          "switch_inline_query_current_chat",
          "switch_inline_query_chosen_chat",
          "copy_text",
          "callback_game",
          "pay",
        ].filter((k) => b[k] !== undefined);
        if (actions.length === 0) {
          throw badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
        }
        if (b.url !== undefined && (typeof b.url !== "string" || !/^(https?|tg):\/\/\S+$/i.test(b.url))) {
          throw badRequest("BUTTON_URL_INVALID");
        }
      }
    }
    return markup as unknown as InlineKeyboardMarkup;
  }
  if (inlineOnly) throw badRequest("inline keyboard expected");
  if ("keyboard" in markup || "remove_keyboard" in markup || "force_reply" in markup) {
    return markup as unknown as ReplyMarkup;
  }
  throw badRequest("can't parse reply keyboard markup JSON object");
}

function mediaKind(type: unknown): MediaKind {
  if (type === "photo" || type === "video" || type === "animation" || type === "document") return type;
  throw badRequest("unsupported media type");
}

function mediaFields(f: StoredFile): Record<string, unknown> {
  const size = f.bytes ? { file_size: f.bytes.length } : {};
  const common = { file_id: f.file_id, file_unique_id: f.file_unique_id, ...size };
  switch (f.kind) {
    case "photo": {
      const width = f.width ?? 800;
      const height = f.height ?? 600;
      const full = { ...common, width, height };
      const scale = 90 / Math.max(width, height);
      if (scale >= 1) return { photo: [full] };
      const thumb = {
        file_id: `${f.file_id}-thumb`,
        file_unique_id: `${f.file_unique_id}-thumb`,
        width: Math.max(1, Math.round(width * scale)),
        height: Math.max(1, Math.round(height * scale)),
      };
      return { photo: [thumb, full] };
    }
    case "video":
    case "animation": {
      const obj: Record<string, unknown> = {
        ...common,
        width: f.width ?? 640,
        height: f.height ?? 360,
        duration: f.duration ?? 0,
      };
      if (f.filename) obj.file_name = f.filename;
      if (f.mime) obj.mime_type = f.mime;
      if (f.kind === "video") return { video: obj };
      const document: Record<string, unknown> = { ...common };
      if (f.filename) document.file_name = f.filename;
      if (f.mime) document.mime_type = f.mime;
      return { animation: obj, document };
    }
    case "document": {
      const obj: Record<string, unknown> = { ...common };
      if (f.filename) obj.file_name = f.filename;
      if (f.mime) obj.mime_type = f.mime;
      return { document: obj };
    }
  }
}

function memberObject(m: Member): Record<string, unknown> {
  switch (m.status) {
    case "creator":
      return { status: "creator", user: m.user, is_anonymous: false };
    case "administrator":
      return {
        status: "administrator",
        user: m.user,
        can_be_edited: false,
        is_anonymous: false,
        can_manage_chat: true,
        can_delete_messages: true,
        can_manage_video_chats: true,
        can_restrict_members: true,
        can_promote_members: false,
        can_change_info: true,
        can_invite_users: true,
        can_post_stories: false,
        can_edit_stories: false,
        can_delete_stories: false,
      };
    case "restricted":
      return {
        status: "restricted",
        user: m.user,
        is_member: true,
        can_send_messages: false,
        can_send_audios: false,
        can_send_documents: false,
        can_send_photos: false,
        can_send_videos: false,
        can_send_video_notes: false,
        can_send_voice_notes: false,
        can_send_polls: false,
        can_send_other_messages: false,
        can_add_web_page_previews: false,
        can_change_info: false,
        can_invite_users: false,
        can_pin_messages: false,
        can_manage_topics: false,
        until_date: 0,
      };
    case "kicked":
      return { status: "kicked", user: m.user, until_date: 0 };
    default:
      return { status: m.status, user: m.user };
  }
}

function withoutUploadBytes(params: Record<string, unknown>): Record<string, unknown> {
  if (!Object.values(params).some(isUploadedFile)) return params;
  return Object.fromEntries(
    Object.entries(params).map(([k, v]) =>
      isUploadedFile(v) ? [k, { filename: v.filename, mime: v.mime, size: v.bytes.length }] : [k, v],
    ),
  );
}

function isUploadedFile(v: unknown): v is UploadedFile {
  return typeof v === "object" && v !== null && Buffer.isBuffer((v as UploadedFile).bytes);
}

function truthy(v: unknown): boolean {
  return v === true || v === "true" || v === "1" || v === 1;
}

function intParam(p: Params, name: string): number | undefined {
  const v = p[name];
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "string" && /^-?\d+$/.test(v.trim())) return Number(v);
  throw badRequest(`invalid ${name} specified`);
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

// ---------------------------------------------------------------------------------------------
// Request bodies: JSON, urlencoded, query string, multipart/form-data

class BodyTooLargeError extends Error {}

/** The body, up to `limit` bytes; beyond that it rejects with BodyTooLargeError and stops reading. */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off("data", onData);
        req.pause();
        chunks.length = 0;
        reject(new BodyTooLargeError(`body over ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
    req.on("close", () => {
      if (!req.complete) reject(new Error("the client went away mid-body"));
    });
  });
}

function parseParams(
  req: http.IncomingMessage,
  url: URL,
  body: Buffer,
): { params: Params; files: Map<string, UploadedFile> } {
  const params: Params = {};
  const files = new Map<string, UploadedFile>();
  for (const [k, v] of url.searchParams) params[k] = v;

  const type = (req.headers["content-type"] ?? "").toLowerCase();
  if (body.length > 0) {
    if (type.startsWith("application/json")) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString("utf8"));
      } catch {
        throw badRequest("can't parse JSON object");
      }
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        throw badRequest("can't parse JSON object");
      }
      Object.assign(params, parsed);
    } else if (type.startsWith("multipart/form-data")) {
      const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(req.headers["content-type"] ?? "");
      if (!boundary) throw badRequest("can't parse multipart/form-data: no boundary");
      for (const part of parseMultipart(body, (boundary[1] ?? boundary[2]) as string)) {
        if (part.filename !== undefined) {
          const file: UploadedFile = {
            filename: part.filename,
            mime: part.contentType ?? "application/octet-stream",
            bytes: part.data,
          };
          files.set(part.name, file);
          params[part.name] = file;
        } else {
          params[part.name] = part.data.toString("utf8");
        }
      }
    } else {
      for (const [k, v] of new URLSearchParams(body.toString("utf8"))) params[k] = v;
    }
  }

  for (const [k, v] of Object.entries(params)) {
    if (typeof v !== "string") continue;
    if (JSON_FIELDS.has(k)) {
      try {
        params[k] = JSON.parse(v);
      } catch {
        throw badRequest(
          k === "reply_markup" ? "can't parse reply keyboard markup JSON object" : `can't parse ${k} JSON object`,
        );
      }
    } else if (v.startsWith("attach://")) {
      const file = files.get(v.slice("attach://".length));
      if (file) params[k] = file;
    }
  }
  return { params, files };
}

interface MultipartPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

/**
 * A small multipart/form-data parser. The WHATWG `Request#formData()` of Node 20 refuses the
 * multipart grammY writes (`content-disposition:form-data;name="x";filename=y`, no spaces or
 * quotes), so this one is lenient about exactly that.
 */
function parseMultipart(body: Buffer, boundary: string): MultipartPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const between = Buffer.from(`\r\n--${boundary}`);
  const parts: MultipartPart[] = [];
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw badRequest("can't parse multipart/form-data");
  pos += delimiter.length;
  for (;;) {
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) break; // "--": the end
    const lineEnd = body.indexOf("\r\n", pos);
    if (lineEnd < 0) break;
    const headerStart = lineEnd + 2;
    const headerEnd = body.indexOf("\r\n\r\n", headerStart);
    if (headerEnd < 0) throw badRequest("can't parse multipart/form-data");
    const next = body.indexOf(between, headerEnd + 4);
    if (next < 0) throw badRequest("can't parse multipart/form-data");
    const headers = body.subarray(headerStart, headerEnd).toString("utf8").split("\r\n");
    const part: MultipartPart = { name: "", data: body.subarray(headerEnd + 4, next) };
    for (const line of headers) {
      const colon = line.indexOf(":");
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === "content-type") part.contentType = value;
      if (name === "content-disposition") {
        for (const m of value.matchAll(/;\s*([^=;\s]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g)) {
          const key = (m[1] as string).toLowerCase();
          let v = (m[2] as string).trim();
          if (v.startsWith('"')) v = v.slice(1, -1).replace(/\\(.)/g, "$1");
          if (key === "name") part.name = v;
          if (key === "filename") part.filename = v;
        }
      }
    }
    if (part.name) parts.push(part);
    pos = next + between.length;
  }
  return parts;
}

// ---------------------------------------------------------------------------------------------
// Files: type sniffing and image dimensions

/** Width and height of a PNG, JPEG, GIF, WebP or BMP image; undefined if it is none of those. */
export function imageSize(b: Buffer): { width: number; height: number } | undefined {
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47 && b.toString("ascii", 12, 16) === "IHDR") {
    return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  }
  if (b.length >= 10 && (b.toString("ascii", 0, 6) === "GIF87a" || b.toString("ascii", 0, 6) === "GIF89a")) {
    return { width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
  }
  if (b.length >= 26 && b.toString("ascii", 0, 2) === "BM") {
    return { width: b.readInt32LE(18), height: Math.abs(b.readInt32LE(22)) };
  }
  if (b.length >= 30 && b.toString("ascii", 0, 4) === "RIFF" && b.toString("ascii", 8, 12) === "WEBP") {
    const chunk = b.toString("ascii", 12, 16);
    if (chunk === "VP8 ") return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
    if (chunk === "VP8L") {
      const b0 = b[21] as number;
      const b1 = b[22] as number;
      const b2 = b[23] as number;
      const b3 = b[24] as number;
      return {
        width: 1 + (((b1 & 0x3f) << 8) | b0),
        height: 1 + (((b3 & 0xf) << 10) | (b2 << 2) | ((b1 & 0xc0) >> 6)),
      };
    }
    if (chunk === "VP8X") return { width: 1 + b.readUIntLE(24, 3), height: 1 + b.readUIntLE(27, 3) };
    return undefined;
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    let i = 2;
    while (i + 9 < b.length) {
      if (b[i] !== 0xff) return undefined;
      const marker = b[i + 1] as number;
      if (marker === 0xff) {
        i++;
        continue;
      }
      if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        i += 2;
        continue;
      }
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { width: b.readUInt16BE(i + 7), height: b.readUInt16BE(i + 5) };
      }
      i += 2 + b.readUInt16BE(i + 2);
    }
  }
  return undefined;
}

const MIME_BY_EXT: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  bmp: "image/bmp",
  mp4: "video/mp4",
  webm: "video/webm",
  pdf: "application/pdf",
  txt: "text/plain",
  csv: "text/csv",
  json: "application/json",
  zip: "application/zip",
};

function sniffMime(bytes: Buffer, filename: string, declared: string): string {
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === 0x89504e47) return "image/png";
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "image/jpeg";
  if (bytes.toString("ascii", 0, 3) === "GIF") return "image/gif";
  if (bytes.toString("ascii", 0, 4) === "RIFF" && bytes.toString("ascii", 8, 12) === "WEBP") return "image/webp";
  if (bytes.toString("ascii", 4, 8) === "ftyp") return "video/mp4";
  if (bytes.toString("ascii", 0, 4) === "%PDF") return "application/pdf";
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === 0x1a45dfa3) return "video/webm";
  const ext = filename.split(".").pop()?.toLowerCase() ?? "";
  return MIME_BY_EXT[ext] ?? (declared || "application/octet-stream");
}

function extensionOf(filename: string | undefined, mime: string | undefined): string {
  const fromName = filename?.includes(".") ? filename.split(".").pop() : undefined;
  if (fromName) return fromName.toLowerCase();
  const found = Object.entries(MIME_BY_EXT).find(([, m]) => m === mime);
  return found ? found[0] : "";
}
