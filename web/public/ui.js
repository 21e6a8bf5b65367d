// The shell's shared pieces: the error bar, short notices, and errors in the page's words.
import { bus } from "./dom.js";
import { t } from "./i18n.js";

/** Server codes the page says in its own words (the rest: the server's sentence). */
const CODES = {
  unreachable: "web-error-unreachable",
  already: "web-error-already",
  resolved: "web-error-resolved",
  "not-found": "web-error-not-found",
  forbidden: "web-error-forbidden",
  "not-admin": "web-error-forbidden",
  "session-ended": "web-login-session-ended",
  "live-busy": "web-live-busy",
  "live-unavailable": "web-live-unavailable",
  "rate-limited": "web-error-rate-limited",
};

export function errorText(error) {
  const key = CODES[error?.code];
  if (key) return t(key);
  if (error?.status === 404) return t("web-error-not-found");
  if (error?.message && error.status) return error.message;
  return t("web-error-http", { status: error?.status ?? 0 });
}

let toastTimer = null;

/** Shows an error in the bar at the top (data-testid="error") until dismissed or replaced. */
export function showError(error) {
  if (error?.status === 401) {
    // The session ended (logged out, card revoked): the page says how to log in again.
    bus.dispatchEvent(new CustomEvent("auth", { detail: error }));
    return;
  }
  const bar = document.getElementById("error");
  bar.querySelector(".error-text").textContent = typeof error === "string" ? error : errorText(error);
  bar.hidden = false;
}
export function hideError() {
  document.getElementById("error").hidden = true;
}

/** A short notice that goes away by itself. */
export function toast(text) {
  const node = document.getElementById("toast");
  node.textContent = text;
  node.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    node.hidden = true;
  }, 4000);
}
