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
 * This file is the public entry (importers use only it) and wires the parts; each part says
 * what it does and which Telegram behaviour it reproduces:
 *
 *   types.ts        the public types (LocalBotApi, RecordedMessage, TestUser, ...)
 *   users.ts        playing users: sendMessage, pressButton; injectUpdate, addChat, setChatMember,
 *                   memberStatus
 *   calls.ts        observing (calls, callbackAnswers) and waiting (waitFor, waitForCall, mark)
 *   faults.ts       failNext, refuseChat, setDown
 *   updates.ts      the update queue, getUpdates long polling, webhooks; waitForIdle, pendingUpdates
 *   http.ts         requests: routing, token check, body limits and timeouts, answers
 *   params.ts       a method's parameters: query, JSON, urlencoded, multipart (multipart.ts)
 *   methods/        the Bot API methods served, one group per file (bot, messages, chats)
 *   chats.ts        chats, members, messages, edits, replies, callback queries
 *   formatting.ts   parse_mode and entities -> what the user sees (telegram-html.ts for HTML)
 *   keyboards.ts    reply markup checked like Telegram; `inlineButtons`
 *   commands.ts     command menus per scope and language: `commandsKey`, `commandsFor`
 *   menu-buttons.ts the menu button per private chat (setChatMenuButton, getChatMenuButton)
 *   files.ts        uploads, file ids, URLs, MIME types, getFile paths, the memory budget
 *   images.ts       `imageSize`: PNG/JPEG/GIF/WebP/BMP dimensions
 *   events.ts       live listeners (onEvent, onBotMessage) for local mode's page
 *
 * Helpers: `privateChat(user)`, `inlineButtons(message)`, `commandsKey(scope?, language?)`,
 * `imageSize(bytes)`; `escapeTelegramHtml` and `parseTelegramHtml` live in telegram-html.ts.
 *
 * Also served: getFile + `GET /file/bot<token>/<file_path>`, getChat, getChatMember,
 * getWebhookInfo, sendMediaGroup, editMessageMedia, deleteMessages, setChatMenuButton and
 * getChatMenuButton, and a few setters that only answer true (setMyDescription,
 * setMyShortDescription, setMyName).
 */
import type { BotCommand, MenuButton, Update, User, UserFromGetMe } from "grammy/types";
import { CallLog } from "./calls.ts";
import { ChatStore } from "./chats.ts";
import { commandsFor } from "./commands.ts";
import { ApiError } from "./errors.ts";
import { Listeners } from "./events.ts";
import { Faults } from "./faults.ts";
import { FileStore } from "./files.ts";
import { BotApiHttp } from "./http.ts";
import { MenuButtons } from "./menu-buttons.ts";
import { buildHandlers } from "./methods/index.ts";
import type {
  CallbackAnswer,
  FaultSpec,
  LocalBotApi,
  LocalBotApiEvent,
  LocalBotApiOptions,
  MemberStatus,
  RecordedCall,
  RecordedMessage,
  StoredFile,
  TestChat,
  TestUser,
  WaitForCallOptions,
} from "./types.ts";
import { UpdateQueue } from "./updates.ts";
import { toUser, userPressesButton, userSendsMessage } from "./users.ts";

export { commandsKey } from "./commands.ts";
export { imageSize } from "./images.ts";
export { inlineButtons } from "./keyboards.ts";
export type {
  CallbackAnswer,
  FaultSpec,
  LocalBotApi,
  LocalBotApiEvent,
  LocalBotApiOptions,
  MediaKind,
  MemberStatus,
  RecordedCall,
  RecordedMedia,
  RecordedMessage,
  ReplyMarkup,
  StoredFile,
  TestChat,
  TestUser,
  UploadedFile,
  WaitForCallOptions,
} from "./types.ts";
export { privateChat } from "./users.ts";

export async function startLocalBotApi(opts: LocalBotApiOptions = {}): Promise<LocalBotApi> {
  const server = new LocalBotApiServer(opts);
  await server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1");
  return server;
}

class LocalBotApiServer implements LocalBotApi {
  readonly token: string;
  readonly botInfo: UserFromGetMe;
  readonly commands = new Map<string, BotCommand[]>();

  private readonly log: CallLog;
  private readonly listeners = new Listeners();
  private readonly chats: ChatStore;
  private readonly fileStore: FileStore;
  private readonly menuButtons: MenuButtons;
  private readonly updates: UpdateQueue;
  private readonly faults = new Faults();
  private readonly http: BotApiHttp;
  private closed = false;

  constructor(opts: LocalBotApiOptions) {
    this.token = opts.token ?? "5000000001:local-test-token";
    const limits = {
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
    const botUser: User = {
      id: this.botInfo.id,
      is_bot: true,
      first_name: this.botInfo.first_name,
      username: this.botInfo.username,
    };
    const isClosed = () => this.closed;
    this.log = new CallLog({ maxRecordedCalls: limits.maxRecordedCalls, isClosed });
    this.chats = new ChatStore({
      now: opts.now ?? Date.now,
      strictAmpersand: opts.strictHtmlAmpersand ?? true,
      botUser,
      maxMessagesPerChat: limits.maxMessagesPerChat,
      listeners: this.listeners,
      testEnvironment: opts.testEnvironment ?? false,
    });
    this.menuButtons = new MenuButtons(this.listeners, opts.testEnvironment ?? false);
    this.fileStore = new FileStore(limits.maxFileBytes);
    this.updates = new UpdateQueue({ log: this.log, isClosed });
    const handlers = buildHandlers({
      botInfo: this.botInfo,
      botUser,
      chats: this.chats,
      files: this.fileStore,
      updates: this.updates,
      log: this.log,
      listeners: this.listeners,
      commands: this.commands,
      menuButtons: this.menuButtons,
    });
    this.http = new BotApiHttp({
      token: this.token,
      handlers,
      faults: this.faults,
      log: this.log,
      files: this.fileStore,
    });
  }

  get apiRoot(): string {
    return this.http.apiRoot;
  }

  listen(port: number, host: string): Promise<void> {
    return this.http.listen(port, host);
  }

  // ------------------------------------------------------------------ playing users (users.ts)

  sendMessage(
    from: TestUser,
    chat: TestChat,
    text: string,
    extra: { reply_to_message_id?: number; message_thread_id?: number } = {},
  ): Update {
    return userSendsMessage(this.chats, this.updates, from, chat, text, extra);
  }

  pressButton(
    from: TestUser,
    message: RecordedMessage | { chat_id: number; message_id: number },
    data: string | { text: string } | { forged: string },
  ): Update {
    return userPressesButton(this.chats, this.updates, from, message, data);
  }

  injectUpdate(partial: Omit<Update, "update_id">): Update {
    return this.updates.enqueue(partial);
  }

  addChat(chat: TestChat): void {
    this.chats.registerChat(chat);
  }

  setChatMember(chatId: number, user: TestUser, status: MemberStatus): void {
    this.chats.setMember(chatId, toUser(user), status);
  }

  memberStatus(chatId: number, userId: number): MemberStatus {
    return this.chats.member(chatId, userId)?.status ?? "left";
  }

  // ------------------------------------------------------------------ observing (calls.ts, chats.ts, events.ts)

  get calls(): readonly RecordedCall[] {
    return this.log.calls;
  }

  get callbackAnswers(): readonly CallbackAnswer[] {
    return this.log.callbackAnswers;
  }

  get files(): ReadonlyMap<string, StoredFile> {
    return this.fileStore.files;
  }

  messages(chatId: number): RecordedMessage[] {
    return this.chats.messages(chatId);
  }

  lastBotMessage(chatId: number): RecordedMessage | undefined {
    return this.chats.lastBotMessage(chatId);
  }

  onBotMessage(listener: (m: RecordedMessage) => void): () => void {
    return this.listeners.onBotMessage(listener);
  }

  onEvent(listener: (e: LocalBotApiEvent) => void): () => void {
    return this.listeners.onEvent(listener);
  }

  commandsFor(chat: { id: number; type: TestChat["type"] }, languageCode?: string): BotCommand[] {
    return commandsFor(this.commands, chat, languageCode);
  }

  menuButton(chatId?: number): MenuButton {
    return this.menuButtons.get(chatId);
  }

  // ------------------------------------------------------------------ waiting (calls.ts, updates.ts)

  pendingUpdates(): number {
    return this.updates.pending;
  }

  mark(): number {
    return this.log.mark();
  }

  waitFor<T>(probe: () => T | undefined | null | false, timeoutMs = 5000): Promise<T> {
    return this.log.waitFor(probe, timeoutMs);
  }

  waitForCall(
    method: string,
    predicate?: (c: RecordedCall) => boolean,
    options?: number | WaitForCallOptions,
  ): Promise<RecordedCall> {
    return this.log.waitForCall(method, predicate, options);
  }

  waitForIdle(timeoutMs = 5000): Promise<void> {
    return this.log
      .waitUntil(
        () => this.updates.idle,
        timeoutMs,
        () => `waitForIdle() (${this.updates.describe()})`,
      )
      .then(() => undefined);
  }

  // ------------------------------------------------------------------ faults (faults.ts) and lifecycle

  failNext(method: string, error: FaultSpec, times = 1, opts: { chatId?: number } = {}): void {
    this.faults.failNext(method, error, times, opts);
  }

  refuseChat(chatId: number, error: FaultSpec | undefined): void {
    this.faults.refuseChat(chatId, error);
  }

  setDown(down: boolean): void {
    this.faults.down = down;
    if (down) this.updates.answerHeld(new ApiError(502, "Bad Gateway"));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.updates.answerHeld([]);
    this.log.failAll(new Error("LocalBotApi closed while waiting"));
    await this.http.close();
  }
}
