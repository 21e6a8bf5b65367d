// The Telegram Mini App bridge, without Telegram's script: the launch parameters Telegram puts in
// location.hash (initData, theme), the theme as CSS variables, and the events both ways
// (web_app_ready, web_app_expand out; theme_changed, viewport_changed in). The parsing and the
// theme mapping are pure functions (tested in Node); only install() and postEvent() touch window.

/**
 * The hash as Telegram's own script reads it: "#tgWebAppData=…&tgWebAppThemeParams=…", or a
 * route with parameters after "?" ("#/door?tgWebAppData=…"), or a bare route ("#/door").
 * Returns { path, params } with params a plain object of decoded values.
 */
export function parseHash(hash) {
  let text = String(hash ?? "").replace(/^#/, "");
  const out = { path: "", params: {} };
  if (!text) return out;
  if (!text.includes("=") && !text.includes("?")) {
    out.path = safeDecode(text);
    return out;
  }
  const q = text.indexOf("?");
  if (q >= 0) {
    out.path = safeDecode(text.slice(0, q));
    text = text.slice(q + 1);
  }
  for (const [key, value] of new URLSearchParams(text)) out.params[key] = value;
  return out;
}

function safeDecode(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * What a Mini App launch gives the page: initData (the raw string the server validates), the
 * theme (an object of colours), the platform and version; null when the page was not opened
 * by Telegram.
 */
export function launchParams(hash) {
  const { path, params } = parseHash(hash);
  const initData = params.tgWebAppData;
  if (!initData) return null;
  return {
    initData,
    theme: parseTheme(params.tgWebAppThemeParams),
    platform: params.tgWebAppPlatform ?? "unknown",
    version: params.tgWebAppVersion ?? "",
    path,
  };
}

/** tgWebAppThemeParams (JSON) -> an object of colours, or {} when it is missing or unreadable. */
export function parseTheme(json) {
  if (!json) return {};
  try {
    const value = typeof json === "string" ? JSON.parse(json) : json;
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : {};
  } catch {
    return {};
  }
}

/** Telegram's theme keys -> the page's CSS variables. */
export const THEME_VARIABLES = {
  bg_color: "--bg",
  text_color: "--text",
  hint_color: "--hint",
  link_color: "--link",
  button_color: "--button",
  button_text_color: "--button-text",
  secondary_bg_color: "--secondary-bg",
};

const COLOR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

/**
 * The CSS variables for a theme: only known keys, only #rgb / #rrggbb values (nothing else from
 * outside reaches the style sheet). Also "color-scheme": dark or light after the background.
 */
export function themeVariables(theme) {
  const vars = {};
  for (const [key, name] of Object.entries(THEME_VARIABLES)) {
    const value = theme?.[key];
    if (typeof value === "string" && COLOR.test(value)) vars[name] = value.toLowerCase();
  }
  const bg = vars["--bg"];
  if (bg) vars["color-scheme"] = isDark(bg) ? "dark" : "light";
  return vars;
}

/** Whether a #rgb / #rrggbb colour is dark (relative luminance under 0.5). */
export function isDark(hex) {
  let h = hex.replace("#", "");
  if (h.length === 3) h = [...h].map((c) => c + c).join("");
  const [r, g, b] = [0, 2, 4].map((i) => {
    const c = Number.parseInt(h.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.5;
}

/** Sends an event to Telegram: the native clients' proxy, or the parent window (Telegram Web). */
export function postEvent(eventType, eventData = {}) {
  const w = globalThis.window;
  if (!w) return false;
  if (w.TelegramWebviewProxy?.postEvent) {
    w.TelegramWebviewProxy.postEvent(eventType, JSON.stringify(eventData));
    return true;
  }
  if (w.parent && w.parent !== w) {
    w.parent.postMessage(JSON.stringify({ eventType, eventData }), "*");
    return true;
  }
  return false;
}

/** Sets the theme's variables on the document (and data-scheme for the page's own colours). */
export function applyTheme(theme) {
  const root = document.documentElement;
  const vars = themeVariables(theme);
  for (const [name, value] of Object.entries(vars)) {
    if (name === "color-scheme") {
      root.style.colorScheme = value;
      root.dataset.scheme = value;
    } else root.style.setProperty(name, value);
  }
}

/**
 * Inside Telegram: applies the theme, hooks the events Telegram sends (as its script does, on
 * window.Telegram.WebView.receiveEvent and the game proxy names, and messages from the parent
 * frame), and says the page is ready and wants the full height.
 */
export function install(params) {
  const root = document.documentElement;
  root.dataset.tg = params.platform;
  applyTheme(params.theme);
  const receive = (eventType, eventData) => {
    if (eventType === "theme_changed" && eventData?.theme_params) applyTheme(eventData.theme_params);
    else if (eventType === "viewport_changed" && Number.isFinite(eventData?.height)) {
      root.style.setProperty("--tg-viewport-height", `${eventData.height}px`);
    }
  };
  const w = window;
  w.Telegram = w.Telegram ?? {};
  w.Telegram.WebView = { ...(w.Telegram.WebView ?? {}), receiveEvent: receive };
  w.TelegramGameProxy_receiveEvent = receive;
  w.TelegramGameProxy = { receiveEvent: receive };
  w.addEventListener("message", (event) => {
    if (event.source !== w.parent || typeof event.data !== "string") return;
    try {
      const { eventType, eventData } = JSON.parse(event.data);
      if (typeof eventType === "string") receive(eventType, eventData);
    } catch {
      // not Telegram's
    }
  });
  postEvent("web_app_ready");
  postEvent("web_app_expand");
  postEvent("web_app_request_theme");
  postEvent("web_app_request_viewport");
}
