// Moving around: opening a chat (a click or Enter/Space on the chat list) and switching who you
// are (the persona picker; the same group seen by someone else, or their private chat).
import { renderChatList, updateChatBadges } from "./chat-list.js";
import { closeMenu } from "./composer.js";
import { goTo, isNarrow } from "./layout.js";
import { followBottom, renderOpenChat, scrollToBottom } from "./messages.js";
import { hideToast } from "./notices.js";
import { isPrivateKey, keyOf, personaById, S, visibleChats } from "./state.js";
import { ui } from "./ui.js";
import { renderDashboardButton, renderMenuButton } from "./webapps.js";

/**
 * Opens a chat. `reveal`: bring it to the front where one pane shows at a time (you chose it);
 * without it (you switched persona on the list) the list stays in front.
 */
export function openChat(key, { reveal = true } = {}) {
  const changed = key !== S.openChat;
  S.openChat = key;
  S.unread.delete(key);
  updateChatBadges();
  closeMenu();
  // In front first: a pane that is not shown has no size to scroll in.
  if (reveal) goTo("chat");
  if (changed) {
    // A toast is the answer to a button in the chat it was pressed in: it does not follow you.
    hideToast();
    followBottom();
    renderOpenChat({ full: true });
    scrollToBottom();
    // On a phone the keyboard would cover the chat you just opened: no focus in the composer.
    if (!isNarrow()) ui.input.focus({ preventScroll: true });
  } else {
    renderOpenChat();
  }
  renderMenuButton();
}

ui.persona.addEventListener("change", () => {
  const id = Number(ui.persona.value);
  if (!personaById(id)) return;
  const wasPrivate = S.openChat === null || isPrivateKey(S.openChat);
  S.persona = id;
  hideToast();
  renderDashboardButton();
  renderChatList();
  // Their own private chat, or the group when they are in it too (a stranger is not).
  if (wasPrivate || !visibleChats().includes(S.openChat)) openChat(keyOf(id), { reveal: false });
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
