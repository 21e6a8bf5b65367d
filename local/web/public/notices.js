// What the bot is doing in a chat ("typing…", "sending a photo…", from sendChatAction) and
// toasts (the bot's answer to a button you pressed, shown to you in the chat you pressed it in;
// an alert waits for OK).
import { isObject } from "./dom.js";
import { hasText, t } from "./i18n.js";
import { botName, keyOf, S } from "./state.js";
import { ui } from "./ui.js";

const ACTION_MS = 5000;
const TOAST_MS = 3000;

export function renderChatAction() {
  const current = S.openChat === null ? null : S.actions.get(S.openChat);
  if (!current) {
    ui.chatAction.textContent = "";
    return;
  }
  const key = `action.${current.action}`;
  ui.chatAction.textContent =
    key !== "action.other" && hasText(key)
      ? t(key, { bot: botName() })
      : t("action.other", { bot: botName(), action: current.action.replace(/_/g, " ") });
}

export function setChatAction(data) {
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

export function clearChatAction(key, { render = true } = {}) {
  const current = S.actions.get(key);
  if (current) {
    clearTimeout(current.timer);
    S.actions.delete(key);
  }
  if (render) renderChatAction();
}

let toastTimer = null;

/** A button's answer: for the persona who pressed it, in the chat of the button, like on Telegram. */
export function showToast(data) {
  if (!isObject(data) || S.persona === null || keyOf(data.user_id) !== keyOf(S.persona)) return;
  if (data.chat_id !== undefined && data.chat_id !== null && keyOf(data.chat_id) !== S.openChat) return;
  const text = typeof data.text === "string" ? data.text : "";
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

export function hideToast() {
  clearTimeout(toastTimer);
  ui.toastLayer.hidden = true;
  ui.toastLayer.classList.remove("alert");
  ui.toastText.textContent = "";
}

ui.toastOk.addEventListener("click", hideToast);
