// The dashboard and Mini Apps, as each persona opens them: "Open dashboard" next to the persona
// picker (a one-time login link, like /web), the bot's menu button when it opens a Mini App
// (setChatMenuButton), and web_app buttons under messages (keyboard.js). A Mini App opens in a
// new tab with what Telegram gives it: the console signs the persona's initData with the bot's
// token (POST /api/webapp), so the dashboard sees what it would see inside Telegram.
import { api } from "./api.js";
import { isObject, openExternal, safeUrl, str } from "./dom.js";
import { t } from "./i18n.js";
import { keyOf, personaById, S } from "./state.js";
import { showError, ui } from "./ui.js";

const personaName = () => str(personaById(S.persona)?.first_name);

/** Opens the Mini App at `url` (as offered by the bot) as the current persona. */
export async function openWebApp(url, node) {
  if (S.persona === null) return;
  if (node) node.disabled = true;
  try {
    const answer = await api("POST", "/api/webapp", { from: S.persona, url });
    const href = safeUrl(answer.url);
    if (href) openExternal(href);
    else showError(t("error.badLink"));
  } catch (error) {
    showError(error.message);
  } finally {
    if (node) node.disabled = false;
  }
}

/** "Open dashboard": shown when the console has one. */
export function renderDashboardButton() {
  ui.openDashboard.hidden = !S.dashboard;
  ui.openDashboard.title = t("dashboard.title", { name: personaName() });
}

ui.openDashboard.addEventListener("click", async () => {
  if (S.persona === null) return;
  ui.openDashboard.disabled = true;
  try {
    const answer = await api("POST", "/api/dashboard-link", { from: S.persona });
    const href = safeUrl(answer.url);
    if (href) openExternal(href);
    else showError(t("error.badLink"));
  } catch (error) {
    showError(error.message);
  } finally {
    ui.openDashboard.disabled = false;
  }
});

/** The menu button of the open chat: a Mini App in the persona's private chat, if the bot set one. */
function currentMenuApp() {
  if (S.persona === null || S.openChat !== keyOf(S.persona)) return null;
  const button = isObject(S.menuButtons) ? S.menuButtons[keyOf(S.persona)] : null;
  if (!isObject(button) || button.type !== "web_app" || !isObject(button.web_app)) return null;
  return typeof button.web_app.url === "string" ? button : null;
}

export function renderMenuButton() {
  const button = currentMenuApp();
  ui.menuButton.hidden = button === null;
  ui.menuButton.textContent = button ? str(button.text) : "";
  ui.menuButton.title = button ? t("webapp.title", { name: personaName() }) : "";
}

/** A menu_button event: what one private chat shows now (no chat: the default changed, so all may have). */
export function menuButtonChanged(data, reload) {
  if (!isObject(data)) return;
  if (data.chat_id === undefined || data.chat_id === null) {
    reload();
    return;
  }
  S.menuButtons = { ...S.menuButtons, [keyOf(data.chat_id)]: data.menu_button };
  renderMenuButton();
}

ui.menuButton.addEventListener("click", () => {
  const button = currentMenuApp();
  if (button) void openWebApp(button.web_app.url, ui.menuButton);
});
