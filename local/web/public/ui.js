// The shell's elements (index.html), found once, and the error bar at the top of the page.
import { $, str } from "./dom.js";
import { t } from "./i18n.js";

export const ui = {
  app: $(".app"),
  errorBar: $('[data-testid="error-bar"]'),
  errorText: $(".error-text"),
  errorClose: $(".error-close"),
  persona: $('[data-testid="persona"]'),
  openDashboard: $('[data-testid="open-dashboard"]'),
  menuButton: $('[data-testid="menu-button"]'),
  language: $('[data-testid="language"]'),
  openPanel: $('[data-testid="open-panel"]'),
  chatOpenPanel: $('[data-testid="chat-open-panel"]'),
  back: $('[data-testid="back"]'),
  panelBack: $('[data-testid="panel-back"]'),
  chatList: $(".chat-list"),
  chatAvatar: $(".chat-avatar"),
  chatTitle: $('[data-testid="chat-title"]'),
  chatAction: $('[data-testid="chat-action"]'),
  chatSubtitle: $(".chat-subtitle"),
  toastLayer: $(".toast-layer"),
  toastText: $('[data-testid="toast"]'),
  toastOk: $(".toast-ok"),
  scroller: $(".messages"),
  list: $(".messages-list"),
  commandsButton: $('[data-testid="commands-button"]'),
  commandMenu: $(".command-menu"),
  input: $('[data-testid="composer-input"]'),
  send: $('[data-testid="composer-send"]'),
  hardware: $('[data-testid="hardware"]'),
  hardwareBody: $(".hardware-body"),
  overlay: $(".overlay"),
  overlayImage: $(".overlay-image"),
};

let errorKind = null;

export function showError(message, kind = "error") {
  errorKind = kind;
  ui.errorText.textContent = str(message) || t("error.generic");
  ui.errorBar.hidden = false;
}

/** The kind of error shown now ("error", "state", "disconnected"), or null. */
export function currentError() {
  return errorKind;
}

export function hideError(kind) {
  if (kind !== undefined && errorKind !== kind) return;
  errorKind = null;
  ui.errorBar.hidden = true;
  ui.errorText.textContent = "";
}

ui.errorClose.addEventListener("click", () => hideError());
