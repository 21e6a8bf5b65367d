// Seroma local mode: the page that plays Telegram (chats with the bot) plus the hardware panel.
// Vanilla ES2022 modules, no dependencies, no build step. Server-supplied text only ever goes into
// textContent, attribute values or checked URLs; nothing from the server is parsed as HTML.
//
// This module starts the page: it loads the console's state, follows its event stream and hands
// each change to the part of the page it concerns:
//   dom.js         element and value helpers      state.js       what the page knows
//   ui.js          the shell's elements, errors   api.js         requests to the console
//   chat-list.js   personas, chats, header        navigation.js  opening chats, switching persona
//   messages.js    the open chat's messages       entities.js    formatted text (entities → DOM)
//   media.js       photos, videos, documents      keyboard.js    inline buttons
//   notices.js     "typing…" and toasts           composer.js    the message box and "/" menu
//   deeplinks.js   t.me links to the bot          panel.js       the hardware panel
//   layout.js      which pane is in front (phone) i18n.js        the page's words, English and Japanese
//   webapps.js     the dashboard, Mini Apps and the menu button
import { api } from "./api.js";
import { renderChatList, renderPersonas } from "./chat-list.js";
import { closeMenu, refreshMenu } from "./composer.js";
import { followBotLink } from "./deeplinks.js";
import { asArray, isObject } from "./dom.js";
import { bindLanguageSelect, onLanguageChange, t, translateStatic } from "./i18n.js";
import { setBotLinkHandler } from "./keyboard.js";
import "./layout.js";
import { closeOverlay } from "./media.js";
import { renderOpenChat, syncPlaceholder, upsertMessage } from "./messages.js";
import "./navigation.js";
import { hideToast, renderChatAction, setChatAction, showToast } from "./notices.js";
import { rebuildHardware, renderHardware } from "./panel.js";
import { personaById, S, visibleChats } from "./state.js";
import { currentError, hideError, showError, ui } from "./ui.js";
import { menuButtonChanged, renderDashboardButton, renderMenuButton } from "./webapps.js";

// A URL button to this bot's deep link opens your private chat with "/start PAYLOAD".
setBotLinkHandler(followBotLink);

let loading = false;
let reloadRequested = false;
let queued = [];
let retryTimer = null;

function applyState(state) {
  if (isObject(state.bot)) S.bot = { ...S.bot, ...state.bot };
  S.personas = asArray(state.personas).filter((p) => isObject(p) && Number.isFinite(p.id));
  S.groups = asArray(state.groups).filter((g) => isObject(g) && g.id !== undefined);
  S.commands = isObject(state.commands) ? state.commands : {};
  S.dashboard = state.dashboard === true;
  S.menuButtons = isObject(state.menuButtons) ? state.menuButtons : {};

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
  renderDashboardButton();
  renderChatList();
  renderOpenChat({ full: previousOpen !== S.openChat });
  renderMenuButton();
  renderHardware(state.hardware);
  refreshMenu();
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
    if (currentError() === "state") hideError("state");
  } catch (error) {
    if (error.status === 0 || error.status >= 500) retryTimer = setTimeout(loadState, 3000);
    if (currentError() !== "disconnected" || error.status !== 0) showError(error.message, "state");
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
    case "menu_button":
      menuButtonChanged(data, loadState);
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
    showError(t("error.disconnected"), "disconnected");
    if (source.readyState === EventSource.CLOSED) {
      // The browser gave up (an HTTP error rather than a dropped connection): try again ourselves.
      source.close();
      connectTimer = setTimeout(connectEvents, 3000);
    }
  });
  for (const type of ["message", "action", "toast", "hardware", "menu_button"]) {
    source.addEventListener(type, (event) => {
      let data;
      try {
        data = JSON.parse(event.data);
      } catch {
        showError(t("error.unreadableEvent", { type }));
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

// A change of language: everything the page wrote itself is written again in it.
onLanguageChange(() => {
  closeMenu();
  renderPersonas();
  renderDashboardButton();
  renderChatList();
  renderOpenChat({ full: true });
  renderMenuButton();
  renderChatAction();
  rebuildHardware();
  if (currentError() === "disconnected") showError(t("error.disconnected"), "disconnected");
});

translateStatic();
bindLanguageSelect(ui.language);
syncPlaceholder();
connectEvents();
loadState();
