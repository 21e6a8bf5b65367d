// Moving around: opening a chat (a click or Enter/Space on the chat list) and switching who you
// are (the persona picker; the same group seen by someone else, or their private chat).
import { renderChatList, updateChatBadges } from "./chat-list.js";
import { closeMenu } from "./composer.js";
import { followBottom, renderOpenChat, scrollToBottom } from "./messages.js";
import { hideToast } from "./notices.js";
import { isPrivateKey, keyOf, personaById, S } from "./state.js";
import { ui } from "./ui.js";

export function openChat(key) {
  const changed = key !== S.openChat;
  S.openChat = key;
  S.unread.delete(key);
  updateChatBadges();
  closeMenu();
  if (changed) {
    followBottom();
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

/** The chat item an event happened in, if any. */
function chatItemOf(event) {
  return event.target instanceof Element ? event.target.closest('[data-testid="chat"]') : null;
}

ui.chatList.addEventListener("click", (event) => {
  const item = chatItemOf(event);
  if (item) openChat(item.dataset.chatId);
});

ui.chatList.addEventListener("keydown", (event) => {
  const item = chatItemOf(event);
  if (item && (event.key === "Enter" || event.key === " ")) {
    event.preventDefault();
    openChat(item.dataset.chatId);
  }
});
