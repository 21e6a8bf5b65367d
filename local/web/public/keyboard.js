// Inline keyboards under the bot's messages: callback buttons are pressed through the console
// (as the persona you are), URL buttons open checked http(s)/tg links in a new tab (a deep link
// to this bot does what Telegram does: /start PAYLOAD in your private chat), Mini App (web_app)
// buttons open the app as you, signed in like Telegram does it (webapps.js).
import { api } from "./api.js";
import { asArray, el, isObject, openExternal, safeUrl, str } from "./dom.js";
import { t } from "./i18n.js";
import { S } from "./state.js";
import { showError } from "./ui.js";
import { openWebApp } from "./webapps.js";

/**
 * What a URL button to this bot's deep link does (deeplinks.js, set by app.js: keyboard.js does
 * not import it, which would close a circle through the composer and the messages). Returns
 * false for any other link, which then opens as a link.
 */
let followBotLink = (_href) => false;
export function setBotLinkHandler(handler) {
  followBotLink = handler;
}

export function renderKeyboard(message) {
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
          if (!href) showError(t("error.badLink"));
          else if (!followBotLink(href)) openExternal(href);
        });
      } else if (isObject(button.web_app) && typeof button.web_app.url === "string") {
        node.classList.add("web-app");
        node.title = button.web_app.url;
        node.addEventListener("click", () => openWebApp(button.web_app.url, node));
      } else if (typeof button.callback_data === "string") {
        node.addEventListener("click", () => pressButton(node, message, button.callback_data));
      } else {
        node.addEventListener("click", () => showError(t("error.buttonKind")));
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
