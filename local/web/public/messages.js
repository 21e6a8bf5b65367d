// The open chat's messages: rendering one (sender, reply quote, media, formatted text, time,
// keyboard), keeping the list in message_id order as messages arrive, change or go, and keeping
// the view at the bottom while you are there.
import { renderChatHeader, updateChatBadges } from "./chat-list.js";
import { $, el, formatTime, isObject, str } from "./dom.js";
import { renderFormatted } from "./entities.js";
import { t } from "./i18n.js";
import { renderKeyboard } from "./keyboard.js";
import { renderMedia } from "./media.js";
import { clearChatAction } from "./notices.js";
import { botName, chatMessages, isBotMessage, isPrivateKey, keyOf, personaById, S } from "./state.js";
import { ui } from "./ui.js";

/** message_id → element, for the open chat only. */
const messageEls = new Map();
let stickToBottom = true;

function isAtBottom() {
  const s = ui.scroller;
  return s.scrollHeight - s.scrollTop - s.clientHeight < 48;
}

export function scrollToBottom() {
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
  if (kind === "photo") return t("message.photo");
  if (kind === "video") return t("message.video");
  if (kind === "animation") return t("message.gif");
  if (kind === "document") return str(message.media.filename) || t("message.file");
  return t("message.generic");
}

function senderName(message) {
  if (isBotMessage(message)) return str(message.from?.first_name) || botName();
  const from = message.from;
  if (!isObject(from)) return t("message.unknownSender");
  const persona = personaById(from.id);
  return str(from.first_name) || str(persona?.first_name) || t("persona.userFallback", { id: str(from.id) });
}

function renderReplyQuote(message) {
  const id = message.reply_to_message_id;
  if (!Number.isFinite(id)) return null;
  const original = S.chats.get(keyOf(message.chat_id))?.get(id);
  return el(
    "button",
    {
      class: "reply-quote",
      attrs: { type: "button", title: t("message.replyTitle") },
      on: { click: () => highlightMessage(id) },
    },
    el("span", { class: "reply-quote-name", text: original ? senderName(original) : t("message.generic") }),
    el("span", { class: "reply-quote-text", text: original ? shortPreview(original) : t("message.notShown") }),
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

  const media = renderMedia(message.media, { onLoad: keepBottom });
  if (media) {
    bubble.classList.add("has-media");
    bubble.append(media);
  }

  const text = messageText(message);
  const date = Number.isFinite(message.date) ? new Date(message.date * 1000) : null;
  const meta = el("span", { class: "meta", attrs: { title: date ? formatTime(date, "full") : undefined } });
  if (message.edited) meta.append(el("span", { class: "edited", text: t("message.edited") }));
  meta.append(el("time", { text: date ? formatTime(date) : "" }));

  if (text) {
    const textEl = el("div", { class: "message-text", testid: "message-text" });
    renderFormatted(textEl, text, messageEntities(message));
    textEl.append(el("span", { class: `meta-spacer${message.edited ? " wide" : ""}` }));
    bubble.append(textEl);
  } else if (media) {
    bubble.classList.add("media-only");
  } else {
    bubble.append(el("div", { class: "unsupported" }, t("message.empty"), el("span", { class: "meta-spacer" })));
  }
  bubble.append(meta);

  const keyboard = renderKeyboard(message);
  if (keyboard) root.append(keyboard);
  return root;
}

function emptyPlaceholder(text) {
  return el("div", { class: "empty-chat", text });
}

export function syncPlaceholder() {
  const placeholder = $(".empty-chat", ui.list);
  if (messageEls.size > 0) {
    placeholder?.remove();
    return;
  }
  const text = S.loaded ? t("messages.none") : t("messages.loading");
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
export function renderOpenChat({ full = false } = {}) {
  const key = S.openChat;
  if (full) {
    // The list is a live log (role="log"): a screen reader says new messages, not a whole chat
    // drawn again (another chat opened, another persona): busy until it is drawn.
    ui.list.setAttribute("aria-busy", "true");
    requestAnimationFrame(() => ui.list.removeAttribute("aria-busy"));
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

export function upsertMessage(message, { live }) {
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

/** The next render of the open chat ends at its bottom (a chat was just opened). */
export function followBottom() {
  stickToBottom = true;
}
