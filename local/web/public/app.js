// Seroma local mode: the page that plays Telegram (chats with the bot) plus the hardware panel.
// Vanilla ES2022, no dependencies. Server-supplied text only ever goes into textContent, attribute
// values or checked URLs; nothing from the server is parsed as HTML.

// ---------------------------------------------------------------------------------------------
// Small DOM helpers
// ---------------------------------------------------------------------------------------------

const $ = (selector, root = document) => root.querySelector(selector);

/**
 * Creates an element. props: class, text, testid, attrs (static attribute names only, never
 * "style" or "on…"), data (dataset), on (event listeners). children: nodes or strings (as text).
 */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  if (props.class) node.className = props.class;
  if (props.testid) node.setAttribute("data-testid", props.testid);
  if (props.text !== undefined && props.text !== null) node.textContent = String(props.text);
  if (props.attrs) {
    for (const [name, value] of Object.entries(props.attrs)) {
      if (value === undefined || value === null || value === false) continue;
      node.setAttribute(name, value === true ? "" : String(value));
    }
  }
  if (props.data) {
    for (const [name, value] of Object.entries(props.data)) {
      if (value !== undefined && value !== null) node.dataset[name] = String(value);
    }
  }
  if (props.on) {
    for (const [type, handler] of Object.entries(props.on)) node.addEventListener(type, handler);
  }
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

const isObject = (value) => typeof value === "object" && value !== null && !Array.isArray(value);
const asArray = (value) => (Array.isArray(value) ? value : []);
const str = (value) => (typeof value === "string" ? value : value === undefined || value === null ? "" : String(value));

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
const secondsFormat = new Intl.DateTimeFormat(undefined, {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
});
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium", hourCycle: "h23" });

function formatTime(date, format = timeFormat) {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) return "";
  return format.format(date);
}

/** Only http:, https: and tg: links are ever made clickable. */
function safeUrl(raw) {
  try {
    const url = new URL(str(raw));
    return url.protocol === "http:" || url.protocol === "https:" || url.protocol === "tg:" ? url.href : null;
  } catch {
    return null;
  }
}

/** Media and files must come from the console itself (or be blob:/data: images the page made). */
function sameOriginUrl(raw, { allowDataImage = false } = {}) {
  const text = str(raw);
  if (!text) return null;
  try {
    const url = new URL(text, window.location.href);
    if (allowDataImage && url.protocol === "data:" && /^data:image\//i.test(text)) return url.href;
    if (url.protocol === "blob:" && url.origin === window.location.origin) return url.href;
    if ((url.protocol === "http:" || url.protocol === "https:") && url.origin === window.location.origin) {
      return url.href;
    }
  } catch {
    // not a URL at all
  }
  return null;
}

/** Opens a checked URL in a new tab without giving it a handle on this page. */
function openExternal(href) {
  const link = el("a", { attrs: { href, target: "_blank", rel: "noopener noreferrer" } });
  document.body.append(link);
  link.click();
  link.remove();
}

// ---------------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------------

const S = {
  loaded: false,
  bot: { id: 0, first_name: "Bot", username: "" },
  personas: [],
  groups: [],
  commands: {},
  hardware: null,
  /** chat key (string id) → Map(message_id → Message) */
  chats: new Map(),
  /** chat key → count of new bot messages while the chat was not open */
  unread: new Map(),
  /** chat key → { action, timer } */
  actions: new Map(),
  persona: null,
  openChat: null,
};

const ACTION_TEXT = {
  typing: "is typing…",
  upload_photo: "is sending a photo…",
  record_video: "is recording a video…",
  upload_video: "is sending a video…",
  record_voice: "is recording a voice message…",
  upload_voice: "is sending a voice message…",
  upload_document: "is sending a file…",
  choose_sticker: "is choosing a sticker…",
  find_location: "is picking a location…",
  record_video_note: "is recording a video message…",
  upload_video_note: "is sending a video message…",
};
const ACTION_MS = 5000;
const TOAST_MS = 3000;
const INFO_MS = 4000;

const keyOf = (chatId) => String(chatId);
const personaById = (id) => S.personas.find((p) => p.id === id) ?? null;
const isPrivateKey = (key) => S.personas.some((p) => keyOf(p.id) === key);
const groupByKey = (key) => S.groups.find((g) => keyOf(g.id) === key) ?? null;

function chatMessages(key) {
  let chat = S.chats.get(key);
  if (!chat) {
    chat = new Map();
    S.chats.set(key, chat);
  }
  return chat;
}

function isBotMessage(message) {
  const from = message?.from;
  if (!isObject(from)) return false;
  return from.is_bot === true || (S.bot.id !== 0 && from.id === S.bot.id);
}

function chatTitle(key) {
  const group = groupByKey(key);
  if (group) return str(group.title) || "Group";
  return `${str(S.bot.first_name) || "Bot"} (private)`;
}

/** The chats shown in the list: the current persona's private chat, then every group. */
function visibleChats() {
  const list = [];
  if (S.persona !== null) list.push(keyOf(S.persona));
  for (const group of S.groups) list.push(keyOf(group.id));
  return list;
}

// ---------------------------------------------------------------------------------------------
// Elements of the shell
// ---------------------------------------------------------------------------------------------

const ui = {
  errorBar: $('[data-testid="error-bar"]'),
  errorText: $(".error-text"),
  errorClose: $(".error-close"),
  persona: $('[data-testid="persona"]'),
  chatList: $(".chat-list"),
  chatAvatar: $(".chat-avatar"),
  chatTitle: $('[data-testid="chat-title"]'),
  chatAction: $('[data-testid="chat-action"]'),
  chatSubtitle: $(".chat-subtitle"),
  toastLayer: $(".toast-layer"),
  toastText: $('[data-testid="toast"]'),
  toastOk: $(".toast-ok"),
  scroller: $(".messages"),
  list: $(".messages-list"),
  commandsButton: $('[data-testid="commands-button"]'),
  commandMenu: $(".command-menu"),
  input: $('[data-testid="composer-input"]'),
  send: $('[data-testid="composer-send"]'),
  hardware: $('[data-testid="hardware"]'),
  overlay: $(".overlay"),
  overlayImage: $(".overlay-image"),
};

// ---------------------------------------------------------------------------------------------
// Error bar
// ---------------------------------------------------------------------------------------------

const DISCONNECTED = "Disconnected from the console — retrying…";
let errorKind = null;

function showError(message, kind = "error") {
  errorKind = kind;
  ui.errorText.textContent = str(message) || "Something went wrong.";
  ui.errorBar.hidden = false;
}

function hideError(kind) {
  if (kind !== undefined && errorKind !== kind) return;
  errorKind = null;
  ui.errorBar.hidden = true;
  ui.errorText.textContent = "";
}

ui.errorClose.addEventListener("click", () => hideError());

// ---------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

async function api(method, path, body) {
  let response;
  try {
    response = await fetch(path, {
      method,
      cache: "no-store",
      credentials: "same-origin",
      headers: body === undefined ? { accept: "application/json" } : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError("Could not reach the console — is it still running?", 0);
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    // not JSON; handled below
  }
  if (!response.ok || !isObject(data) || data.ok === false) {
    const text = isObject(data) && typeof data.error === "string" && data.error.trim() ? data.error : null;
    throw new ApiError(
      text ??
        (response.ok
          ? "The console sent an answer the page cannot read."
          : `The console answered HTTP ${response.status}.`),
      response.status,
    );
  }
  return data;
}

// ---------------------------------------------------------------------------------------------
// Formatted text (Telegram entities → DOM)
// ---------------------------------------------------------------------------------------------

const BLOCK_ENTITIES = new Set(["pre", "blockquote", "expandable_blockquote"]);

function entityElement(entity, text) {
  switch (entity.type) {
    case "bold":
      return el("strong");
    case "italic":
      return el("em");
    case "underline":
      return el("u");
    case "strikethrough":
      return el("s");
    case "spoiler": {
      const node = el("span", { class: "spoiler", attrs: { role: "button", tabindex: "0", title: "Show spoiler" } });
      const reveal = (event) => {
        if (node.classList.contains("revealed")) return;
        event.preventDefault();
        event.stopPropagation();
        node.classList.add("revealed");
        node.removeAttribute("role");
        node.removeAttribute("tabindex");
        node.removeAttribute("title");
      };
      node.addEventListener("click", reveal);
      node.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") reveal(event);
      });
      return node;
    }
    case "code":
      return el("code");
    case "pre": {
      const code = el("code");
      const pre = el("pre", { data: { language: str(entity.language) || undefined } }, code);
      return { outer: pre, inner: code };
    }
    case "text_link": {
      const href = safeUrl(entity.url);
      if (!href) return el("span", { class: "entity-link", attrs: { title: str(entity.url) } });
      return el("a", { attrs: { href, target: "_blank", rel: "noopener noreferrer", title: href } });
    }
    case "url": {
      const href = safeUrl(text) ?? safeUrl(`http://${text}`);
      if (!href) return el("span", { class: "entity-link" });
      return el("a", { attrs: { href, target: "_blank", rel: "noopener noreferrer" } });
    }
    case "mention":
    case "text_mention":
      return el("span", { class: "mention" });
    case "hashtag":
    case "cashtag":
      return el("span", { class: "hashtag" });
    case "email":
    case "phone_number":
      return el("span", { class: "entity-link" });
    case "bot_command":
      return el("span", {
        class: "bot-command",
        attrs: { role: "link", tabindex: "0", title: `Send ${text}` },
        on: {
          click: (event) => {
            event.preventDefault();
            sendText(text);
          },
          keydown: (event) => {
            if (event.key === "Enter") {
              event.preventDefault();
              sendText(text);
            }
          },
        },
      });
    case "blockquote":
      return el("blockquote");
    case "expandable_blockquote": {
      const quote = el("blockquote", { class: "expandable", attrs: { title: "Show more" } });
      quote.addEventListener("click", (event) => {
        if (event.target instanceof Element && event.target.closest("a, .spoiler:not(.revealed), .bot-command")) return;
        quote.classList.toggle("expanded");
      });
      return quote;
    }
    default:
      // custom_emoji (its text is shown), unknown types: plain text
      return el("span", { class: `entity-${str(entity.type).replace(/[^a-z_]/gi, "")}` });
  }
}

/** A newline next to a block element would show as an empty line; keep it in the text but hide it. */
function appendPlain(parent, text, { afterBlock = false, beforeBlock = false } = {}) {
  if (!text) return;
  let head = "";
  let tail = "";
  let body = text;
  if (afterBlock && body.startsWith("\n")) {
    head = "\n";
    body = body.slice(1);
  }
  if (beforeBlock && body.endsWith("\n")) {
    tail = "\n";
    body = body.slice(0, -1);
  }
  if (head) parent.append(el("span", { class: "collapsed-newline", text: head }));
  if (body) parent.append(document.createTextNode(body));
  if (tail) parent.append(el("span", { class: "collapsed-newline", text: tail }));
}

function buildEntities(parent, text, start, end, entities) {
  let pos = start;
  let previousBlock = false;
  let i = 0;
  while (i < entities.length) {
    const entity = entities[i];
    if (entity.start < pos) {
      i++;
      continue;
    }
    const isBlock = BLOCK_ENTITIES.has(entity.type);
    appendPlain(parent, text.slice(pos, entity.start), { afterBlock: previousBlock, beforeBlock: isBlock });
    const children = [];
    let j = i + 1;
    while (j < entities.length && entities[j].start < entity.end) {
      const child = entities[j];
      children.push({ ...child, end: Math.min(child.end, entity.end) });
      j++;
    }
    const made = entityElement(entity, text.slice(entity.start, entity.end));
    const outer = made instanceof Node ? made : made.outer;
    const inner = made instanceof Node ? made : made.inner;
    buildEntities(inner, text, entity.start, entity.end, children);
    parent.append(outer);
    previousBlock = isBlock;
    pos = entity.end;
    i = j;
  }
  appendPlain(parent, text.slice(pos, end), { afterBlock: previousBlock });
}

/** Renders text with Telegram entities (UTF-16 offsets, properly nested) into parent. */
function renderFormatted(parent, text, entities) {
  const length = text.length;
  const list = asArray(entities)
    .filter((e) => isObject(e) && typeof e.type === "string" && Number.isFinite(e.offset) && Number.isFinite(e.length))
    .map((e) => {
      const start = Math.max(0, Math.min(length, Math.trunc(e.offset)));
      const end = Math.max(start, Math.min(length, Math.trunc(e.offset + e.length)));
      return { ...e, start, end };
    })
    .filter((e) => e.end > e.start)
    .sort((a, b) => a.start - b.start || b.end - a.end);
  buildEntities(parent, text, 0, length, list);
}

// ---------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------

/** message_id → element, for the open chat only. */
const messageEls = new Map();
let stickToBottom = true;

function isAtBottom() {
  const s = ui.scroller;
  return s.scrollHeight - s.scrollTop - s.clientHeight < 48;
}

function scrollToBottom() {
  ui.scroller.scrollTop = ui.scroller.scrollHeight;
  stickToBottom = true;
}

ui.scroller.addEventListener("scroll", () => {
  stickToBottom = isAtBottom();
});

function keepBottom() {
  if (stickToBottom) scrollToBottom();
}

function senderColorClass(id) {
  const n = Math.abs(Number(id) || 0) % 4;
  return n === 0 ? "" : `c${n}`;
}

function messageText(message) {
  if (typeof message.text === "string") return message.text;
  if (typeof message.caption === "string") return message.caption;
  return "";
}

function messageEntities(message) {
  if (Array.isArray(message.entities)) return message.entities;
  if (Array.isArray(message.caption_entities)) return message.caption_entities;
  return [];
}

function shortPreview(message) {
  const text = messageText(message).split("\n")[0];
  if (text) return text.length > 80 ? `${text.slice(0, 80)}…` : text;
  const kind = message.media?.kind;
  if (kind === "photo") return "Photo";
  if (kind === "video") return "Video";
  if (kind === "animation") return "GIF";
  if (kind === "document") return str(message.media.filename) || "File";
  return "Message";
}

function senderName(message) {
  if (isBotMessage(message)) return str(message.from?.first_name) || str(S.bot.first_name) || "Bot";
  const from = message.from;
  if (!isObject(from)) return "Unknown";
  const persona = personaById(from.id);
  return str(from.first_name) || str(persona?.first_name) || `User ${str(from.id)}`;
}

function openPhoto(src) {
  ui.overlayImage.src = src;
  ui.overlay.hidden = false;
}

function closeOverlay() {
  ui.overlay.hidden = true;
  ui.overlayImage.removeAttribute("src");
}

ui.overlay.addEventListener("click", closeOverlay);

function renderMedia(media) {
  if (!isObject(media)) return null;
  const kind = str(media.kind);
  const mime = str(media.mime).toLowerCase();
  const size = {};
  if (Number.isFinite(media.width) && media.width > 0) size.width = Math.round(media.width);
  if (Number.isFinite(media.height) && media.height > 0) size.height = Math.round(media.height);
  const onLoad = () => keepBottom();

  if (kind === "photo" || (kind === "animation" && mime === "image/gif")) {
    const src = sameOriginUrl(media.url, { allowDataImage: true });
    if (!src) return el("div", { class: "unsupported", text: "(the photo is not available)" });
    const img = el("img", {
      class: `media ${kind === "photo" ? "photo" : "animation"}`,
      testid: kind === "photo" ? "message-photo" : "message-animation",
      attrs: { src, alt: kind === "photo" ? "Photo" : "GIF", decoding: "async", ...size },
      on: { load: onLoad },
    });
    if (kind === "photo") img.addEventListener("click", () => openPhoto(src));
    return img;
  }

  if (kind === "video" || kind === "animation") {
    const src = sameOriginUrl(media.url);
    if (!src) return el("div", { class: "unsupported", text: "(the video is not available)" });
    const isAnimation = kind === "animation";
    const video = el("video", {
      class: `media ${kind}`,
      testid: isAnimation ? "message-animation" : "message-video",
      attrs: {
        src,
        muted: true,
        playsinline: true,
        preload: "metadata",
        controls: !isAnimation,
        autoplay: isAnimation,
        loop: isAnimation,
        ...size,
      },
      on: { loadedmetadata: onLoad },
    });
    video.muted = true;
    return video;
  }

  if (kind === "document") {
    const filename = str(media.filename) || "file";
    const href = sameOriginUrl(media.url);
    const body = el(
      "span",
      {},
      el("span", { class: "document-name", text: filename }),
      el("br"),
      el("span", { class: "document-mime", text: str(media.mime) || "file" }),
    );
    if (!href) return el("div", { class: "document" }, el("span", { class: "document-icon" }), body);
    return el(
      "a",
      { class: "document", attrs: { href, download: filename, title: `Download ${filename}` } },
      el("span", { class: "document-icon" }),
      body,
    );
  }

  return el("div", { class: "unsupported", text: `(unsupported media: ${kind || "unknown"})` });
}

function renderKeyboard(message) {
  const rows = asArray(message.reply_markup?.inline_keyboard);
  if (rows.length === 0) return null;
  const keyboard = el("div", { class: "keyboard" });
  for (const row of rows) {
    const rowEl = el("div", { class: "kb-row" });
    for (const button of asArray(row)) {
      if (!isObject(button)) continue;
      const node = el("button", { testid: "inline-button", text: str(button.text), attrs: { type: "button" } });
      if (typeof button.url === "string") {
        node.classList.add("url");
        node.title = button.url;
        node.addEventListener("click", () => {
          const href = safeUrl(button.url);
          if (href) openExternal(href);
          else showError("This button's link is not an http, https or tg link, so the page does not open it.");
        });
      } else if (typeof button.callback_data === "string") {
        node.addEventListener("click", () => pressButton(node, message, button.callback_data));
      } else {
        node.addEventListener("click", () => showError("This kind of button does not work in local mode."));
      }
      rowEl.append(node);
    }
    keyboard.append(rowEl);
  }
  return keyboard;
}

async function pressButton(node, message, data) {
  if (S.persona === null) return;
  node.disabled = true;
  node.classList.add("pending");
  try {
    await api("POST", "/api/press", {
      from: S.persona,
      chat_id: message.chat_id,
      message_id: message.message_id,
      data,
    });
  } catch (error) {
    showError(error.message);
  } finally {
    node.disabled = false;
    node.classList.remove("pending");
  }
}

function renderReplyQuote(message) {
  const id = message.reply_to_message_id;
  if (!Number.isFinite(id)) return null;
  const original = S.chats.get(keyOf(message.chat_id))?.get(id);
  return el(
    "button",
    {
      class: "reply-quote",
      attrs: { type: "button", title: "Show the message this replies to" },
      on: { click: () => highlightMessage(id) },
    },
    el("span", { class: "reply-quote-name", text: original ? senderName(original) : "Message" }),
    el("span", { class: "reply-quote-text", text: original ? shortPreview(original) : "not shown" }),
  );
}

function highlightMessage(id) {
  const node = messageEls.get(id);
  if (!node) return;
  node.scrollIntoView({ block: "center", behavior: "smooth" });
  node.classList.add("highlight");
  setTimeout(() => node.classList.remove("highlight"), 1500);
}

function renderMessage(message) {
  const fromBot = isBotMessage(message);
  const own = !fromBot && S.persona !== null && keyOf(message.from?.id) === keyOf(S.persona);
  const inGroup = !isPrivateKey(keyOf(message.chat_id));
  const root = el("div", {
    class: `message ${fromBot ? "bot" : "user"}${own ? " own" : ""}`,
    testid: "message",
    data: { chatId: message.chat_id, messageId: message.message_id, from: fromBot ? "bot" : "user" },
  });
  const bubble = el("div", { class: "bubble" });
  root.append(bubble);

  if (inGroup && !own) {
    bubble.append(
      el("div", {
        class: `sender ${fromBot ? "bot" : senderColorClass(message.from?.id)}`,
        text: senderName(message),
      }),
    );
  }
  const quote = renderReplyQuote(message);
  if (quote) bubble.append(quote);

  const media = renderMedia(message.media);
  if (media) {
    bubble.classList.add("has-media");
    bubble.append(media);
  }

  const text = messageText(message);
  const date = Number.isFinite(message.date) ? new Date(message.date * 1000) : null;
  const meta = el("span", { class: "meta", attrs: { title: date ? formatTime(date, fullFormat) : undefined } });
  if (message.edited) meta.append(el("span", { class: "edited", text: "edited" }));
  meta.append(el("time", { text: date ? formatTime(date) : "" }));

  if (text) {
    const textEl = el("div", { class: "message-text", testid: "message-text" });
    renderFormatted(textEl, text, messageEntities(message));
    textEl.append(el("span", { class: `meta-spacer${message.edited ? " wide" : ""}` }));
    bubble.append(textEl);
  } else if (media) {
    bubble.classList.add("media-only");
  } else {
    bubble.append(el("div", { class: "unsupported" }, "(empty message)", el("span", { class: "meta-spacer" })));
  }
  bubble.append(meta);

  const keyboard = renderKeyboard(message);
  if (keyboard) root.append(keyboard);
  return root;
}

function emptyPlaceholder(text) {
  return el("div", { class: "empty-chat", text });
}

function syncPlaceholder() {
  const placeholder = $(".empty-chat", ui.list);
  if (messageEls.size > 0) {
    placeholder?.remove();
    return;
  }
  const text = S.loaded ? "No messages here yet" : "Loading…";
  if (placeholder) placeholder.textContent = text;
  else ui.list.append(emptyPlaceholder(text));
}

/** Inserts or replaces the element of a message of the open chat, keeping message_id order. */
function placeMessage(message) {
  const id = message.message_id;
  const signature = JSON.stringify(message);
  const existing = messageEls.get(id);
  if (existing && existing.dataset.sig === signature) return;
  const node = renderMessage(message);
  node.dataset.sig = signature;
  if (existing) {
    existing.replaceWith(node);
  } else {
    const last = ui.list.lastElementChild;
    let before = null;
    // Usually the newest message: append. Otherwise find the first message with a higher id.
    if (last?.dataset.messageId !== undefined && Number(last.dataset.messageId) > id) {
      for (const [otherId, other] of messageEls) {
        if (otherId > id && (before === null || Number(before.dataset.messageId) > otherId)) before = other;
      }
    }
    ui.list.insertBefore(node, before);
  }
  messageEls.set(id, node);
}

function removeMessageEl(id) {
  const node = messageEls.get(id);
  if (node) node.remove();
  messageEls.delete(id);
}

/** Brings the open chat's DOM in line with S (full: rebuild everything). */
function renderOpenChat({ full = false } = {}) {
  const key = S.openChat;
  if (full) {
    messageEls.clear();
    ui.list.replaceChildren();
  }
  if (key !== null) {
    const chat = chatMessages(key);
    for (const id of [...messageEls.keys()]) if (!chat.has(id)) removeMessageEl(id);
    const ordered = [...chat.values()].sort((a, b) => a.message_id - b.message_id);
    for (const message of ordered) placeMessage(message);
  }
  syncPlaceholder();
  renderChatHeader();
  keepBottom();
}

function upsertMessage(message, { live }) {
  if (!isObject(message) || message.chat_id === undefined || !Number.isFinite(message.message_id)) return;
  const key = keyOf(message.chat_id);
  const chat = chatMessages(key);
  const isOpen = key === S.openChat;
  if (message.deleted) {
    chat.delete(message.message_id);
    if (isOpen) {
      removeMessageEl(message.message_id);
      syncPlaceholder();
    }
    return;
  }
  const isNew = !chat.has(message.message_id);
  chat.set(message.message_id, message);
  if (live && isNew && isBotMessage(message)) {
    clearChatAction(key);
    if (!isOpen) {
      S.unread.set(key, (S.unread.get(key) ?? 0) + 1);
      updateChatBadges();
    }
  }
  if (isOpen) {
    placeMessage(message);
    syncPlaceholder();
    keepBottom();
  }
}

// ---------------------------------------------------------------------------------------------
// Chat list, header, persona
// ---------------------------------------------------------------------------------------------

function initial(text) {
  const first = Array.from(str(text).trim())[0];
  return first ? first.toUpperCase() : "?";
}

function renderPersonas() {
  const signature = JSON.stringify(S.personas);
  if (ui.persona.dataset.sig !== signature) {
    ui.persona.replaceChildren(
      ...S.personas.map((p) =>
        el("option", {
          text: `${str(p.first_name) || `User ${p.id}`} (${str(p.role) || "user"})`,
          attrs: { value: keyOf(p.id) },
        }),
      ),
    );
    ui.persona.dataset.sig = signature;
  }
  if (S.persona !== null) ui.persona.value = keyOf(S.persona);
}

function renderChatList() {
  const items = visibleChats().map((key) => {
    const group = groupByKey(key);
    const title = chatTitle(key);
    const item = el(
      "div",
      {
        class: "chat-item",
        testid: "chat",
        data: { chatId: key },
        attrs: { role: "button", tabindex: "0", title },
        on: {
          click: () => openChat(key),
          keydown: (event) => {
            if (event.key === "Enter" || event.key === " ") {
              event.preventDefault();
              openChat(key);
            }
          },
        },
      },
      el("div", { class: `avatar${group ? " group" : ""}`, text: initial(group ? title : S.bot.first_name) }),
      el(
        "div",
        { class: "chat-item-body" },
        el("div", { class: "chat-item-title", text: title }),
        el("div", { class: "chat-item-sub", text: group ? "group" : "bot" }),
      ),
      el("span", { class: "unread", testid: "unread", attrs: { "aria-label": "unread messages" } }),
    );
    return item;
  });
  ui.chatList.replaceChildren(...items);
  updateChatBadges();
}

function updateChatBadges() {
  for (const item of ui.chatList.querySelectorAll('[data-testid="chat"]')) {
    const key = item.dataset.chatId;
    item.classList.toggle("active", key === S.openChat);
    if (key === S.openChat) item.setAttribute("aria-current", "true");
    else item.removeAttribute("aria-current");
    const badge = $('[data-testid="unread"]', item);
    const count = S.unread.get(key) ?? 0;
    badge.textContent = count > 0 ? String(count) : "";
    badge.hidden = count === 0;
  }
}

function renderChatHeader() {
  const key = S.openChat;
  if (key === null) {
    ui.chatTitle.textContent = "";
    ui.chatSubtitle.textContent = "";
    ui.chatAvatar.textContent = "";
    renderChatAction();
    return;
  }
  const group = groupByKey(key);
  const title = chatTitle(key);
  ui.chatTitle.textContent = title;
  ui.chatAvatar.textContent = initial(group ? title : S.bot.first_name);
  ui.chatAvatar.classList.toggle("group", Boolean(group));
  const persona = personaById(S.persona);
  const you = persona ? `you are ${str(persona.first_name)}` : "";
  ui.chatSubtitle.textContent = group
    ? ["group", you].filter(Boolean).join(" · ")
    : [S.bot.username ? `@${str(S.bot.username)}` : "bot", you].filter(Boolean).join(" · ");
  renderChatAction();
}

function openChat(key) {
  const changed = key !== S.openChat;
  S.openChat = key;
  S.unread.delete(key);
  updateChatBadges();
  closeMenu();
  if (changed) {
    stickToBottom = true;
    renderOpenChat({ full: true });
    scrollToBottom();
    ui.input.focus({ preventScroll: true });
  } else {
    renderOpenChat();
  }
}

ui.persona.addEventListener("change", () => {
  const id = Number(ui.persona.value);
  if (!personaById(id)) return;
  const wasPrivate = S.openChat === null || isPrivateKey(S.openChat);
  S.persona = id;
  hideToast();
  renderChatList();
  if (wasPrivate) openChat(keyOf(id));
  else {
    // The same group, seen by someone else: whose messages are "own" changed.
    renderOpenChat({ full: true });
    scrollToBottom();
  }
});

// ---------------------------------------------------------------------------------------------
// Chat actions ("typing…") and toasts
// ---------------------------------------------------------------------------------------------

function renderChatAction() {
  const current = S.openChat === null ? null : S.actions.get(S.openChat);
  if (!current) {
    ui.chatAction.textContent = "";
    return;
  }
  const what = ACTION_TEXT[current.action] ?? `is busy (${current.action.replace(/_/g, " ")})…`;
  ui.chatAction.textContent = `${str(S.bot.first_name) || "Bot"} ${what}`;
}

function setChatAction(data) {
  if (!isObject(data) || data.chat_id === undefined || typeof data.action !== "string") return;
  const key = keyOf(data.chat_id);
  clearChatAction(key, { render: false });
  if (data.action === "cancel") {
    renderChatAction();
    return;
  }
  const timer = setTimeout(() => clearChatAction(key), ACTION_MS);
  S.actions.set(key, { action: data.action, timer });
  renderChatAction();
}

function clearChatAction(key, { render = true } = {}) {
  const current = S.actions.get(key);
  if (current) {
    clearTimeout(current.timer);
    S.actions.delete(key);
  }
  if (render) renderChatAction();
}

let toastTimer = null;

function showToast(data) {
  if (!isObject(data) || S.persona === null || keyOf(data.user_id) !== keyOf(S.persona)) return;
  const text = str(data.text);
  if (!text && !data.show_alert) return;
  clearTimeout(toastTimer);
  ui.toastText.textContent = text;
  const alert = data.show_alert === true;
  ui.toastLayer.classList.toggle("alert", alert);
  ui.toastLayer.hidden = false;
  if (alert) {
    ui.toastLayer.querySelector(".toast-box").setAttribute("role", "alertdialog");
    ui.toastOk.focus();
  } else {
    ui.toastLayer.querySelector(".toast-box").setAttribute("role", "status");
    toastTimer = setTimeout(hideToast, TOAST_MS);
  }
}

function hideToast() {
  clearTimeout(toastTimer);
  ui.toastLayer.hidden = true;
  ui.toastLayer.classList.remove("alert");
  ui.toastText.textContent = "";
}

ui.toastOk.addEventListener("click", hideToast);

// ---------------------------------------------------------------------------------------------
// Composer and the "/" menu
// ---------------------------------------------------------------------------------------------

let menuMode = null; // "list" | "suggest" | null
let menuIndex = -1;

function chatCommands() {
  if (S.openChat === null || !isObject(S.commands)) return [];
  return asArray(S.commands[S.openChat]).filter((c) => isObject(c) && typeof c.command === "string" && c.command);
}

function closeMenu() {
  menuMode = null;
  menuIndex = -1;
  ui.commandMenu.hidden = true;
  ui.commandMenu.replaceChildren();
  ui.commandsButton.setAttribute("aria-expanded", "false");
}

function showMenu(mode, commands) {
  menuMode = mode;
  menuIndex = -1;
  const items = commands.map((c, index) =>
    el(
      "button",
      {
        class: "command-item",
        attrs: { type: "button", role: "option" },
        data: { index },
        on: {
          mousedown: (event) => event.preventDefault(), // keep the focus in the composer
          click: () => {
            closeMenu();
            sendText(`/${c.command}`);
          },
        },
      },
      el("span", { class: "command-name", text: `/${c.command}` }),
      el("span", { class: "command-desc", text: str(c.description) }),
    ),
  );
  if (items.length === 0) items.push(el("div", { class: "command-empty", text: "The bot has no commands here." }));
  ui.commandMenu.replaceChildren(...items);
  ui.commandMenu.hidden = false;
  ui.commandsButton.setAttribute("aria-expanded", mode === "list" ? "true" : "false");
}

function moveMenuSelection(delta) {
  const items = [...ui.commandMenu.querySelectorAll(".command-item")];
  if (items.length === 0) return;
  menuIndex = (menuIndex + delta + items.length) % items.length;
  items.forEach((item, index) => {
    item.classList.toggle("selected", index === menuIndex);
  });
  items[menuIndex].scrollIntoView({ block: "nearest" });
}

function selectedMenuCommand() {
  const item = ui.commandMenu.querySelector(".command-item.selected .command-name");
  return item ? item.textContent : null;
}

function updateSuggestions() {
  const match = /^\/([^\s@]*)$/.exec(ui.input.value);
  if (!match) {
    if (menuMode === "suggest") closeMenu();
    return;
  }
  const prefix = match[1].toLowerCase();
  const matches = chatCommands().filter((c) => c.command.toLowerCase().startsWith(prefix));
  if (matches.length === 0) {
    if (menuMode !== null) closeMenu();
    return;
  }
  showMenu("suggest", matches);
}

ui.commandsButton.addEventListener("click", () => {
  if (menuMode === "list") {
    closeMenu();
    return;
  }
  showMenu("list", chatCommands());
});

document.addEventListener("click", (event) => {
  if (menuMode === null) return;
  if (
    event.target instanceof Node &&
    (ui.commandMenu.contains(event.target) || ui.commandsButton.contains(event.target))
  ) {
    return;
  }
  if (event.target === ui.input) return;
  closeMenu();
});

function autosize() {
  ui.input.style.height = "auto";
  ui.input.style.height = `${Math.min(ui.input.scrollHeight, 180)}px`;
}

ui.input.addEventListener("input", () => {
  autosize();
  updateSuggestions();
});

ui.input.addEventListener("keydown", (event) => {
  if (menuMode !== null) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      moveMenuSelection(event.key === "ArrowDown" ? 1 : -1);
      return;
    }
    if (event.key === "Escape") {
      event.preventDefault();
      closeMenu();
      return;
    }
    if (event.key === "Tab" && menuMode === "suggest") {
      const first = ui.commandMenu.querySelector(".command-item .command-name");
      const chosen = selectedMenuCommand() ?? first?.textContent;
      if (chosen) {
        event.preventDefault();
        ui.input.value = `${chosen} `;
        closeMenu();
        autosize();
      }
      return;
    }
  }
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    const chosen = menuIndex >= 0 ? selectedMenuCommand() : null;
    if (chosen) {
      closeMenu();
      ui.input.value = "";
      autosize();
      sendText(chosen);
      return;
    }
    sendComposer();
  }
});

ui.send.addEventListener("click", () => sendComposer());

function sendComposer() {
  const text = ui.input.value;
  if (!text.trim()) return;
  closeMenu();
  ui.input.value = "";
  autosize();
  sendText(text, { restore: true });
  ui.input.focus({ preventScroll: true });
}

async function sendText(text, { restore = false } = {}) {
  if (S.openChat === null || S.persona === null) {
    showError("The console has not loaded yet, so there is no chat to send to.");
    if (restore && !ui.input.value) ui.input.value = text;
    return;
  }
  const chatKey = S.openChat;
  try {
    const answer = await api("POST", "/api/messages", { from: S.persona, chat_id: Number(chatKey), text });
    if (isObject(answer.message)) upsertMessage(answer.message, { live: false });
    if (S.openChat === chatKey) scrollToBottom();
  } catch (error) {
    showError(error.message);
    if (restore && !ui.input.value) {
      ui.input.value = text;
      autosize();
    }
  }
}

/**
 * A deep link to this bot (https://t.me/BOT?start=PAYLOAD, e.g. an invite from /enroll) does
 * what Telegram does: open the private chat with the bot and send "/start PAYLOAD" as you.
 */
function botDeepLink(href) {
  try {
    const url = new URL(href);
    if (url.protocol !== "https:" || (url.hostname !== "t.me" && url.hostname !== "telegram.me")) return null;
    if (!S.bot.username || url.pathname.replace(/^\//, "").toLowerCase() !== S.bot.username.toLowerCase()) return null;
    const payload = url.searchParams.get("start");
    return payload !== null && /^[A-Za-z0-9_-]{1,64}$/.test(payload) ? payload : null;
  } catch {
    return null;
  }
}

/** Who opens the link: an invite is usually for someone else, so the page asks. */
let chooser = null;
function closeDeepLinkChooser() {
  chooser?.remove();
  chooser = null;
}
function openDeepLink(payload) {
  closeDeepLinkChooser();
  const choices = S.personas.map((p) =>
    el(
      "button",
      {
        class: "deeplink-choice",
        attrs: { type: "button", "data-testid": "deeplink-persona", "data-persona-id": String(p.id) },
      },
      `${p.first_name} (${p.role})`,
    ),
  );
  const cancel = el("button", { class: "deeplink-choice deeplink-cancel", attrs: { type: "button" } }, "Cancel");
  chooser = el(
    "div",
    { class: "deeplink-chooser", attrs: { "data-testid": "deeplink-chooser", role: "dialog" } },
    el("div", { class: "deeplink-title" }, "Open this link to the bot as…"),
    el("div", { class: "deeplink-choices" }, ...choices, cancel),
  );
  chooser.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target.closest("button") : null;
    if (!target) return;
    closeDeepLinkChooser();
    const id = Number(target.dataset.personaId);
    if (!personaById(id)) return;
    if (S.persona !== id) {
      ui.persona.value = String(id);
      ui.persona.dispatchEvent(new Event("change"));
    }
    openChat(keyOf(id));
    void sendText(`/start ${payload}`);
  });
  document.body.append(chooser);
  choices[0]?.focus();
}

document.addEventListener("click", (event) => {
  const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
  if (!link) return;
  const payload = botDeepLink(link.href);
  if (payload === null || S.persona === null) return;
  event.preventDefault();
  openDeepLink(payload);
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") closeDeepLinkChooser();
});

// ---------------------------------------------------------------------------------------------
// Hardware panel
// ---------------------------------------------------------------------------------------------

const hw = {};

function section(title) {
  const driver = el("span", { class: "driver" });
  const heading = el("h2", {}, el("span", { text: title }), driver);
  const info = el("div", { class: "hw-info" });
  const controls = el("div", { class: "hw-controls" });
  const note = el("div", { class: "hw-note", attrs: { role: "status" } });
  note.hidden = true;
  const root = el("section", { class: "hw-section", attrs: { "aria-label": title } }, heading, info, controls, note);
  ui.hardware.append(root);
  return { root, driver, info, controls, note, noteTimer: null };
}

function badge(text, tone) {
  return el("span", { class: `state${tone ? ` ${tone}` : ""}`, text });
}

function line(...children) {
  return el("div", { class: "hw-line" }, ...children);
}

function mutedLine(text) {
  return el("div", { class: "hw-line muted", text });
}

function button(text, testid, extraClass = "") {
  return el("button", { text, testid, class: extraClass, attrs: { type: "button" } });
}

function field(label, control) {
  return el("label", { class: "hw-field" }, el("span", { text: label }), control);
}

function showInfo(sec, text) {
  if (!sec || !text) return;
  clearTimeout(sec.noteTimer);
  sec.note.textContent = text;
  sec.note.hidden = false;
  sec.noteTimer = setTimeout(() => {
    sec.note.hidden = true;
  }, INFO_MS);
}

/** A "Break …" button: sends break, or repair when the device is broken now. */
function onBreakToggle(node, sec, device) {
  node.addEventListener("click", () =>
    hardwareAction(node, sec, { device, action: S.hardware?.[device]?.broken ? "repair" : "break" }),
  );
}

async function hardwareAction(node, sec, payload) {
  node.disabled = true;
  try {
    const answer = await api("POST", "/api/hardware", payload);
    if (isObject(answer.hardware)) renderHardware(answer.hardware);
    if (typeof answer.info === "string" && answer.info) showInfo(sec, answer.info);
  } catch (error) {
    showError(error.message);
  } finally {
    node.disabled = false;
  }
}

function randomUid() {
  const bytes = new Uint8Array(4);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).toUpperCase().padStart(2, "0")).join(":");
}

function parseNumber(input) {
  const raw = input.value.trim();
  if (raw === "") return undefined;
  const value = Number(raw.replace(",", "."));
  return Number.isFinite(value) ? value : Number.NaN;
}

function buildHardware() {
  ui.hardware.replaceChildren(el("div", { class: "hw-title", text: "Hardware" }));

  hw.office = section("Office hours");
  hw.office.controls.hidden = true;

  // Climate
  hw.climate = section("Climate");
  hw.temperature = el("input", {
    testid: "hw-temperature",
    attrs: { type: "number", step: "0.1", inputmode: "decimal", "aria-label": "Temperature in °C" },
  });
  hw.humidity = el("input", {
    testid: "hw-humidity",
    attrs: { type: "number", step: "0.1", inputmode: "decimal", "aria-label": "Humidity in %" },
  });
  hw.climateSet = button("Set", "hw-climate-set", "primary");
  hw.climateRelease = button("Release", "hw-climate-release");
  hw.climateBreak = button("Break sensor", "hw-climate-break", "danger");
  hw.climate.controls.append(
    el("div", { class: "hw-row" }, field("Temperature °C", hw.temperature), field("Humidity %", hw.humidity)),
    el("div", { class: "hw-row" }, hw.climateSet, hw.climateRelease, hw.climateBreak),
  );
  hw.climateSet.title = "Hold these values (a reading is taken at once)";
  hw.climateRelease.title = "Back to natural drift";
  hw.climateSet.addEventListener("click", () => {
    const temperatureC = parseNumber(hw.temperature);
    const humidityPct = parseNumber(hw.humidity);
    if (Number.isNaN(temperatureC) || Number.isNaN(humidityPct)) {
      showError("Temperature and humidity must be numbers, like 21.5.");
      return;
    }
    if (temperatureC === undefined && humidityPct === undefined) {
      showError("Enter a temperature or a humidity to hold.");
      return;
    }
    const payload = { device: "climate", action: "set" };
    if (temperatureC !== undefined) payload.temperatureC = temperatureC;
    if (humidityPct !== undefined) payload.humidityPct = humidityPct;
    hardwareAction(hw.climateSet, hw.climate, payload);
  });
  hw.climateRelease.addEventListener("click", () =>
    hardwareAction(hw.climateRelease, hw.climate, { device: "climate", action: "release" }),
  );
  onBreakToggle(hw.climateBreak, hw.climate, "climate");

  // Door
  hw.door = section("Door");
  hw.cardSelect = el("select", { testid: "hw-card-select", attrs: { "aria-label": "Card" } });
  hw.cardUid = el("input", {
    testid: "hw-card-uid",
    attrs: {
      type: "text",
      placeholder: "UID of a new card",
      spellcheck: "false",
      autocomplete: "off",
      "aria-label": "New card UID",
    },
  });
  hw.cardTap = button("Tap card", "hw-card-tap", "primary");
  hw.doorBreak = button("Break reader", "hw-door-break", "danger");
  hw.door.controls.append(
    el("div", { class: "hw-row" }, field("Card", hw.cardSelect)),
    el("div", { class: "hw-row" }, field("New card UID", hw.cardUid)),
    el("div", { class: "hw-row" }, hw.cardTap, hw.doorBreak),
  );
  hw.cardSelect.addEventListener("change", () => {
    hw.cardUid.value = hw.cardSelect.value === "" ? randomUid() : "";
  });
  hw.cardSelect.addEventListener("blur", () => {
    if (hw.cardsPending) renderCards(S.hardware?.door);
  });
  hw.cardUid.addEventListener("input", () => {
    if (hw.cardUid.value.trim() !== "" && hw.cardSelect.value !== "") hw.cardSelect.value = "";
  });
  hw.cardTap.addEventListener("click", () => {
    const uid = hw.cardSelect.value === "" ? hw.cardUid.value.trim() : hw.cardSelect.value;
    if (!uid) {
      showError("Choose a card, or enter the UID of a new card.");
      return;
    }
    hardwareAction(hw.cardTap, hw.door, { device: "door", action: "tap", uid });
  });
  onBreakToggle(hw.doorBreak, hw.door, "door");

  // Motion & camera
  hw.motion = section("Motion & camera");
  hw.motionTrigger = button("Someone moves", "hw-motion-trigger", "primary");
  hw.motionBreak = button("Break sensor", "hw-motion-break", "danger");
  hw.cameraBreak = button("Break camera", "hw-camera-break", "danger");
  hw.motionRow = el("div", { class: "hw-row" }, hw.motionTrigger, hw.motionBreak);
  hw.cameraRow = el("div", { class: "hw-row" }, hw.cameraBreak);
  hw.motion.controls.append(hw.motionRow, hw.cameraRow);
  hw.motionTrigger.title = "Someone moves in the room (and walks into the camera's picture)";
  hw.motionTrigger.addEventListener("click", () =>
    hardwareAction(hw.motionTrigger, hw.motion, { device: "motion", action: "trigger" }),
  );
  onBreakToggle(hw.motionBreak, hw.motion, "motion");
  onBreakToggle(hw.cameraBreak, hw.motion, "camera");

  // LCD
  hw.lcdSection = section("LCD");
  hw.lcd = el("div", { class: "lcd", testid: "lcd", attrs: { "aria-label": "LCD" } });
  hw.lcdSection.info.after(hw.lcd);
  hw.lcdSection.controls.hidden = true;

  // Servers
  hw.servers = section("Servers");
  hw.servers.controls.hidden = true;
  hw.serversEmpty = mutedLine("No servers configured");
  hw.serverList = el("div", { class: "server-list" });
  hw.servers.info.append(hw.serversEmpty, hw.serverList);
  hw.serverRows = new Map();
}

function setDriver(sec, device) {
  sec.driver.textContent = isObject(device) && device.driver ? str(device.driver) : "";
}

function setControlsVisible(sec, device) {
  sec.controls.hidden = !(isObject(device) && device.controllable === true);
}

function toggleBreakButton(node, broken, breakLabel, repairLabel) {
  node.textContent = broken ? repairLabel : breakLabel;
  node.classList.toggle("danger", !broken);
  node.classList.toggle("repair", broken);
}

function renderOffice(office) {
  if (!isObject(office)) {
    hw.office.info.replaceChildren(mutedLine("Not configured"));
    return;
  }
  hw.office.info.replaceChildren(
    line(badge(office.open ? "Open now" : "Closed now", office.open ? "ok" : "")),
    mutedLine(str(office.description)),
  );
}

function formatNumber(value, digits = 1) {
  return Number.isFinite(value) ? value.toFixed(digits) : "–";
}

function renderClimate(climate) {
  setDriver(hw.climate, climate);
  setControlsVisible(hw.climate, climate);
  if (!isObject(climate)) {
    hw.climate.info.replaceChildren(mutedLine("Not configured"));
    return;
  }
  const last = isObject(climate.last) ? climate.last : null;
  const state = climate.broken
    ? badge("Broken", "bad")
    : climate.held
      ? badge("Held", "warn")
      : badge("Drifting", "ok");
  const reading = last
    ? `${formatNumber(last.temperatureC)} °C · ${formatNumber(last.humidityPct)} %`
    : "No reading yet";
  const parts = [line(el("strong", { text: reading }), " ", state)];
  const at = last && Number.isFinite(last.at) ? formatTime(new Date(last.at), secondsFormat) : "";
  const range = isObject(climate.range) ? climate.range : null;
  const t = asArray(range?.temperature);
  const hum = asArray(range?.humidity);
  const rangeText = t.length === 2 && hum.length === 2 ? `OK range ${t[0]}–${t[1]} °C, ${hum[0]}–${hum[1]} %` : "";
  const details = [at ? `read at ${at}` : "", rangeText].filter(Boolean).join(" · ");
  if (details) parts.push(mutedLine(details));
  hw.climate.info.replaceChildren(...parts);
  // Never overwrite what the user typed: only the placeholders follow the readings.
  hw.temperature.placeholder = last && Number.isFinite(last.temperatureC) ? formatNumber(last.temperatureC) : "21.5";
  hw.humidity.placeholder = last && Number.isFinite(last.humidityPct) ? formatNumber(last.humidityPct) : "45";
  toggleBreakButton(hw.climateBreak, climate.broken === true, "Break sensor", "Repair sensor");
}

function cardLabel(card) {
  const name = str(card.name) || "Unknown";
  const uid = str(card.uid);
  return `${name} — ${uid}${card.active === false ? " (revoked)" : ""}`;
}

function renderCards(door) {
  const cards = asArray(door?.cards).filter((c) => isObject(c) && typeof c.uid === "string");
  const signature = JSON.stringify(cards);
  if (hw.cardSelect.dataset.sig === signature) return;
  if (document.activeElement === hw.cardSelect) {
    hw.cardsPending = true; // rebuilt on blur; do not disturb a select the user is using
    return;
  }
  hw.cardsPending = false;
  const previous = hw.cardSelect.dataset.sig === undefined ? null : hw.cardSelect.value;
  hw.cardSelect.replaceChildren(
    ...cards.map((card) => el("option", { text: cardLabel(card), attrs: { value: card.uid } })),
    el("option", { text: "New card…", attrs: { value: "" } }),
  );
  hw.cardSelect.dataset.sig = signature;
  if (previous !== null && (previous === "" || cards.some((c) => c.uid === previous))) {
    hw.cardSelect.value = previous;
  } else {
    hw.cardSelect.value = cards[0]?.uid ?? "";
    if (hw.cardSelect.value === "" && !hw.cardUid.value) hw.cardUid.value = randomUid();
  }
}

function renderDoor(door) {
  setDriver(hw.door, door);
  setControlsVisible(hw.door, door);
  if (!isObject(door)) {
    hw.door.info.replaceChildren(mutedLine("Not configured"));
    return;
  }
  const cards = asArray(door.cards);
  const revoked = cards.filter((c) => isObject(c) && c.active === false).length;
  hw.door.info.replaceChildren(
    line(door.broken ? badge("Reader broken", "bad") : badge("Reader OK", "ok")),
    mutedLine(`${cards.length} card${cards.length === 1 ? "" : "s"} enrolled${revoked ? ` (${revoked} revoked)` : ""}`),
  );
  renderCards(door);
  toggleBreakButton(hw.doorBreak, door.broken === true, "Break reader", "Repair reader");
}

function renderMotion(motion, camera) {
  const drivers = [motion?.driver, camera?.driver].filter(Boolean).map(str);
  hw.motion.driver.textContent = [...new Set(drivers)].join(" / ");
  const motionControls = isObject(motion) && motion.controllable === true;
  const cameraControls = isObject(camera) && camera.controllable === true;
  hw.motionRow.hidden = !motionControls;
  hw.cameraRow.hidden = !cameraControls;
  hw.motion.controls.hidden = !motionControls && !cameraControls;
  const lines = [];
  if (isObject(motion)) {
    lines.push(
      line(
        "Motion sensor ",
        motion.broken ? badge("Broken", "bad") : badge("OK", "ok"),
        " ",
        motion.armed ? badge("Armed", "warn") : badge("Not armed"),
      ),
    );
  } else lines.push(mutedLine("Motion sensor: not configured"));
  if (isObject(camera)) lines.push(line("Camera ", camera.broken ? badge("Broken", "bad") : badge("OK", "ok")));
  else lines.push(mutedLine("Camera: not configured"));
  hw.motion.info.replaceChildren(...lines);
  if (isObject(motion)) toggleBreakButton(hw.motionBreak, motion.broken === true, "Break sensor", "Repair sensor");
  if (isObject(camera)) toggleBreakButton(hw.cameraBreak, camera.broken === true, "Break camera", "Repair camera");
}

function lcdLine(text, cols) {
  const chars = Array.from(str(text));
  const cut = chars.slice(0, cols);
  while (cut.length < cols) cut.push(" ");
  return cut.join("");
}

function renderLcd(lcd) {
  setDriver(hw.lcdSection, lcd);
  if (!isObject(lcd)) {
    hw.lcdSection.info.replaceChildren(mutedLine("Not configured"));
    hw.lcd.hidden = true;
    return;
  }
  hw.lcd.hidden = false;
  const lines = asArray(lcd.lines);
  const cols =
    Number.isInteger(lcd.cols) && lcd.cols > 0 ? lcd.cols : Math.max(0, ...lines.map((l) => Array.from(str(l)).length));
  const rows = Number.isInteger(lcd.rows) && lcd.rows > 0 ? lcd.rows : lines.length;
  hw.lcdSection.info.replaceChildren(mutedLine(`${cols}×${rows} characters`));
  const divs = [];
  for (let i = 0; i < rows; i++) divs.push(el("div", { text: lcdLine(lines[i], cols) }));
  hw.lcd.replaceChildren(...divs);
}

function serverRow(name) {
  const head = el("div", { class: "server-head" });
  const details = el("div", { class: "server-details" });
  const toggle = el("button", { attrs: { type: "button" } });
  const service = el("button", { attrs: { type: "button" } });
  const fill = el("button", { text: "Fill disk", data: { action: "fill-disk" }, attrs: { type: "button" } });
  const free = el("button", { text: "Free disk", data: { action: "free-disk" }, attrs: { type: "button" } });
  const actions = el("div", { class: "hw-row" }, toggle, service, fill, free);
  const root = el("div", { class: "server", testid: "server", data: { server: name } }, head, details, actions);
  const row = { root, head, details, actions, toggle, service, fill, free };
  for (const node of [toggle, service, fill, free]) {
    node.addEventListener("click", () => {
      const action = node.dataset.action;
      const payload = { device: "server", name, action };
      if (action === "fail-service" || action === "fix-service") payload.service = node.dataset.service;
      hardwareAction(node, hw.servers, payload);
    });
  }
  return row;
}

function renderServers(servers) {
  const list = asArray(servers).filter((s) => isObject(s) && typeof s.name === "string");
  const seen = new Set();
  hw.serversEmpty.hidden = list.length > 0;
  for (const [index, server] of list.entries()) {
    seen.add(server.name);
    let row = hw.serverRows.get(server.name);
    if (!row) {
      row = serverRow(server.name);
      hw.serverRows.set(server.name, row);
    }
    // Rows stay the same elements (a pressed button stays disabled, focus is kept); only move them
    // when the order changed.
    const at = hw.serverList.children[index] ?? null;
    if (at !== row.root) hw.serverList.insertBefore(row.root, at);
    const up = server.up === true;
    row.head.replaceChildren(
      el("span", { class: "server-name", text: server.name }),
      el("span", {
        class: "server-addr",
        text: [server.address, server.port].filter((v) => v !== undefined).join(":"),
      }),
      badge(up ? "Up" : "Down", up ? "ok" : "bad"),
    );
    const services = isObject(server.services) ? Object.entries(server.services) : [];
    const stats = [
      Number.isFinite(server.diskPct) ? `disk ${server.diskPct} %` : "",
      Number.isFinite(server.loadPerCore) ? `load ${server.loadPerCore}/core` : "",
      Number.isFinite(server.memoryPct) ? `memory ${server.memoryPct} %` : "",
    ].filter(Boolean);
    const check = isObject(server.lastCheck) ? server.lastCheck : null;
    const checkAt = check && Number.isFinite(check.at) ? formatTime(new Date(check.at), secondsFormat) : "";
    row.details.replaceChildren(
      ...(stats.length ? [line(stats.join(" · "))] : []),
      ...(services.length ? [line(services.map(([n, s]) => `${n}: ${str(s)}`).join(" · "))] : []),
      mutedLine(
        check
          ? `Last check${checkAt ? ` ${checkAt}` : ""}: ${check.ok ? "✓" : "✗"} ${str(check.summary)}`
          : "Not checked yet",
      ),
    );
    row.actions.hidden = server.simulated !== true;
    row.toggle.dataset.action = up ? "down" : "up";
    row.toggle.textContent = up ? "Take down" : "Bring up";
    row.toggle.className = up ? "danger" : "repair";
    const first = services[0];
    if (first) {
      const active = first[1] === "active";
      row.service.hidden = false;
      row.service.dataset.action = active ? "fail-service" : "fix-service";
      row.service.dataset.service = first[0];
      row.service.textContent = active ? `Fail ${first[0]}` : `Fix ${first[0]}`;
      row.service.className = active ? "danger" : "repair";
    } else {
      row.service.hidden = true;
      delete row.service.dataset.action;
    }
  }
  for (const [name, row] of hw.serverRows) {
    if (!seen.has(name)) {
      row.root.remove();
      hw.serverRows.delete(name);
    }
  }
}

function renderHardware(hardware) {
  if (!isObject(hardware)) return;
  S.hardware = hardware;
  if (!hw.office) buildHardware();
  renderOffice(hardware.officeHours);
  renderClimate(hardware.climate);
  renderDoor(hardware.door);
  renderMotion(hardware.motion, hardware.camera);
  renderLcd(hardware.lcd);
  renderServers(hardware.servers);
}

// ---------------------------------------------------------------------------------------------
// Loading the state and following the events
// ---------------------------------------------------------------------------------------------

let loading = false;
let reloadRequested = false;
let queued = [];
let retryTimer = null;

function applyState(state) {
  if (isObject(state.bot)) S.bot = { ...S.bot, ...state.bot };
  S.personas = asArray(state.personas).filter((p) => isObject(p) && Number.isFinite(p.id));
  S.groups = asArray(state.groups).filter((g) => isObject(g) && g.id !== undefined);
  S.commands = isObject(state.commands) ? state.commands : {};

  const chats = new Map();
  if (isObject(state.messages)) {
    for (const [key, list] of Object.entries(state.messages)) {
      const chat = new Map();
      for (const message of asArray(list)) {
        if (isObject(message) && Number.isFinite(message.message_id) && !message.deleted) {
          chat.set(message.message_id, message);
        }
      }
      chats.set(key, chat);
    }
  }
  S.chats = chats;

  if (S.persona === null || !personaById(S.persona)) S.persona = S.personas[0]?.id ?? null;
  const visible = visibleChats();
  const previousOpen = S.openChat;
  if (S.openChat === null || !visible.includes(S.openChat)) S.openChat = visible[0] ?? null;
  if (S.openChat !== null) S.unread.delete(S.openChat);
  S.loaded = true;

  renderPersonas();
  renderChatList();
  renderOpenChat({ full: previousOpen !== S.openChat });
  renderHardware(state.hardware);
  if (menuMode === "suggest") updateSuggestions();
  else if (menuMode === "list") showMenu("list", chatCommands());
}

async function loadState() {
  if (loading) {
    reloadRequested = true;
    return;
  }
  loading = true;
  clearTimeout(retryTimer);
  try {
    const state = await api("GET", "/api/state");
    applyState(state);
    if (errorKind === "state") hideError("state");
  } catch (error) {
    if (error.status === 0 || error.status >= 500) retryTimer = setTimeout(loadState, 3000);
    if (errorKind !== "disconnected" || error.status !== 0) showError(error.message, "state");
  } finally {
    loading = false;
    const events = queued;
    queued = [];
    for (const [type, data] of events) handleEvent(type, data);
    if (reloadRequested) {
      reloadRequested = false;
      loadState();
    }
  }
}

function handleEvent(type, data) {
  if (loading || !S.loaded) {
    queued.push([type, data]);
    return;
  }
  switch (type) {
    case "message":
      upsertMessage(data, { live: true });
      break;
    case "action":
      setChatAction(data);
      break;
    case "toast":
      showToast(data);
      break;
    case "hardware":
      renderHardware(data);
      break;
  }
}

let source = null;
let connectTimer = null;
let unloading = false;

function connectEvents() {
  clearTimeout(connectTimer);
  source = new EventSource("/api/events");
  source.addEventListener("open", () => {
    hideError("disconnected");
    // Reload on every (re)connection, the first one too: from now on no event is missed, and
    // whatever happened before (or while we were away) is in the state.
    loadState();
  });
  source.addEventListener("error", () => {
    if (unloading) return;
    showError(DISCONNECTED, "disconnected");
    if (source.readyState === EventSource.CLOSED) {
      // The browser gave up (an HTTP error rather than a dropped connection): try again ourselves.
      source.close();
      connectTimer = setTimeout(connectEvents, 3000);
    }
  });
  for (const type of ["message", "action", "toast", "hardware"]) {
    source.addEventListener(type, (event) => {
      let data;
      try {
        data = JSON.parse(event.data);
      } catch {
        showError(`The console sent an unreadable "${type}" update.`);
        return;
      }
      handleEvent(type, data);
    });
  }
}

window.addEventListener("pagehide", () => {
  unloading = true;
  source?.close();
});

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  if (!ui.overlay.hidden) closeOverlay();
  else if (!ui.toastLayer.hidden && ui.toastLayer.classList.contains("alert")) hideToast();
});

syncPlaceholder();
connectEvents();
loadState();
