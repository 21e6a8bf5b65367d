// Writing as the persona you are: the message box (Enter sends, Shift+Enter is a new line), the
// "/" menu of the bot's commands for this chat (and suggestions while typing a command), and
// /commands clicked in messages ("bot-command" events from entities.js).
import { api } from "./api.js";
import { asArray, el, isObject, str } from "./dom.js";
import { t } from "./i18n.js";
import { scrollToBottom, upsertMessage } from "./messages.js";
import { S } from "./state.js";
import { showError, ui } from "./ui.js";

let menuMode = null; // "list" | "suggest" | null
let menuIndex = -1;

function chatCommands() {
  if (S.openChat === null || !isObject(S.commands)) return [];
  return asArray(S.commands[S.openChat]).filter((c) => isObject(c) && typeof c.command === "string" && c.command);
}

export function closeMenu() {
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
  if (items.length === 0) items.push(el("div", { class: "command-empty", text: t("composer.noCommands") }));
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

export async function sendText(text, { restore = false } = {}) {
  if (S.openChat === null || S.persona === null) {
    showError(t("error.notLoaded"));
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

/** After new state: the open menu shows this chat's commands as they are now. */
export function refreshMenu() {
  if (menuMode === "suggest") updateSuggestions();
  else if (menuMode === "list") showMenu("list", chatCommands());
}

ui.list.addEventListener("bot-command", (event) => {
  sendText(event.detail);
});
