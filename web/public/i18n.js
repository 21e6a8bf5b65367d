// The page's words: the `web-*` messages of locales/LANG.ftl (GET /i18n/LANG.ftl), formatted by
// @fluent/bundle (served from /vendor/fluent). The language is the one chosen on the page (kept
// in localStorage), else the person's language from /api/me, else the browser's.
import { FluentBundle, FluentResource } from "/vendor/fluent/index.js";

export const LANGUAGES = ["en", "ja"];
const CHOICE_KEY = "seroma-lang";
let bundle = null;
let current = "en";

export const language = () => current;

/** The language chosen with the page's switch, or null. */
export function chosenLanguage() {
  try {
    const value = localStorage.getItem(CHOICE_KEY);
    return LANGUAGES.includes(value) ? value : null;
  } catch {
    return null;
  }
}
export function chooseLanguage(lang) {
  try {
    localStorage.setItem(CHOICE_KEY, lang);
  } catch {
    // not kept
  }
}
export const browserLanguage = () => (/^ja\b/i.test(navigator.language ?? "") ? "ja" : "en");

export async function loadLanguage(lang) {
  const wanted = LANGUAGES.includes(lang) ? lang : "en";
  const response = await fetch(`/i18n/${wanted}.ftl`, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`/i18n/${wanted}.ftl: HTTP ${response.status}`);
  const next = new FluentBundle(wanted, { useIsolating: false });
  next.addResource(new FluentResource(await response.text()));
  bundle = next;
  current = wanted;
  document.documentElement.lang = wanted;
}

/** A message in the page's language; its id when it is missing (visible, so it gets noticed). */
export function t(id, args) {
  const message = bundle?.getMessage(id);
  if (!message?.value) return id;
  return bundle.formatPattern(message.value, args);
}

/** Fills in [data-l10n] (text) and [data-l10n-label] (aria-label and title) under root. */
export function translate(root = document) {
  for (const node of root.querySelectorAll("[data-l10n]")) node.textContent = t(node.dataset.l10n);
  for (const node of root.querySelectorAll("[data-l10n-label]")) {
    node.setAttribute("aria-label", t(node.dataset.l10nLabel));
  }
}
