// What the bot is doing in a chat ("typing…", "sending a photo…", from sendChatAction) and
// toasts (the bot's answer to a button you pressed; an alert waits for OK).
import { isObject, str } from "./dom.js";
import { keyOf, S } from "./state.js";
import { ui } from "./ui.js";

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

export function renderChatAction() {
  const current = S.openChat === null ? null : S.actions.get(S.openChat);
  if (!current) {
    ui.chatAction.textContent = "";
    return;
  }
  const what = ACTION_TEXT[current.action] ?? `is busy (${current.action.replace(/_/g, " ")})…`;
  ui.chatAction.textContent = `${str(S.bot.first_name) || "Bot"} ${what}`;
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

export function showToast(data) {
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

export function hideToast() {
  clearTimeout(toastTimer);
  ui.toastLayer.hidden = true;
  ui.toastLayer.classList.remove("alert");
  ui.toastText.textContent = "";
}

ui.toastOk.addEventListener("click", hideToast);
