// Deep links to this bot in messages (t.me/BOT?start=PAYLOAD, e.g. an invite from /enroll): the
// page asks who opens it, then does what Telegram does.

import { personaLabel } from "./chat-list.js";
import { sendText } from "./composer.js";
import { el } from "./dom.js";
import { t } from "./i18n.js";
import { openChat } from "./navigation.js";
import { keyOf, personaById, S } from "./state.js";
import { ui } from "./ui.js";

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
      personaLabel(p),
    ),
  );
  const cancel = el(
    "button",
    { class: "deeplink-choice deeplink-cancel", attrs: { type: "button" } },
    t("deeplink.cancel"),
  );
  chooser = el(
    "div",
    { class: "deeplink-chooser", attrs: { "data-testid": "deeplink-chooser", role: "dialog" } },
    el("div", { class: "deeplink-title" }, t("deeplink.title")),
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

/**
 * A button you pressed with a deep link to this bot: you open it (not someone else), so it goes
 * straight to your private chat as "/start PAYLOAD". False if `href` is not such a link.
 */
export function followBotLink(href) {
  const payload = botDeepLink(href);
  if (payload === null || S.persona === null) return false;
  openChat(keyOf(S.persona));
  void sendText(`/start ${payload}`);
  return true;
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
