// Small DOM and value helpers shared by every module of the page: building elements (never from
// HTML), reading untrusted values, times, and the only URLs the page ever follows or loads.
import { language } from "./i18n.js";

export const $ = (selector, root = document) => root.querySelector(selector);

/**
 * Creates an element. props: class, text, testid, attrs (static attribute names only, never
 * "style" or "on…"), data (dataset), on (event listeners). children: nodes or strings (as text).
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  if (props.class) node.className = props.class;
  if (props.testid) node.setAttribute("data-testid", props.testid);
  if (props.text !== undefined && props.text !== null) node.textContent = String(props.text);
  if (props.attrs) {
    for (const [name, value] of Object.entries(props.attrs)) {
      if (value === undefined || value === null || value === false) continue;
      node.setAttribute(name, value === true ? "" : String(value));
    }
  }
  if (props.data) {
    for (const [name, value] of Object.entries(props.data)) {
      if (value !== undefined && value !== null) node.dataset[name] = String(value);
    }
  }
  if (props.on) {
    for (const [type, handler] of Object.entries(props.on)) node.addEventListener(type, handler);
  }
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

export const isObject = (value) => typeof value === "object" && value !== null && !Array.isArray(value);
export const asArray = (value) => (Array.isArray(value) ? value : []);
export const str = (value) =>
  typeof value === "string" ? value : value === undefined || value === null ? "" : String(value);

const FORMATS = {
  time: { hour: "2-digit", minute: "2-digit", hourCycle: "h23" },
  seconds: { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" },
  full: { dateStyle: "medium", timeStyle: "medium", hourCycle: "h23" },
};
const formatters = new Map();

/** A time as the page's language writes it: style "time" (14:05), "seconds" or "full" (with the date). */
export function formatTime(date, style = "time") {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) return "";
  const key = `${language()} ${style}`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(language(), FORMATS[style] ?? FORMATS.time);
    formatters.set(key, format);
  }
  return format.format(date);
}

/** Only http:, https: and tg: links are ever made clickable. */
export function safeUrl(raw) {
  try {
    const url = new URL(str(raw));
    return url.protocol === "http:" || url.protocol === "https:" || url.protocol === "tg:" ? url.href : null;
  } catch {
    return null;
  }
}

/** Media and files must come from the console itself (or be blob:/data: images the page made). */
export function sameOriginUrl(raw, { allowDataImage = false } = {}) {
  const text = str(raw);
  if (!text) return null;
  try {
    const url = new URL(text, window.location.href);
    if (allowDataImage && url.protocol === "data:" && /^data:image\//i.test(text)) return url.href;
    if (url.protocol === "blob:" && url.origin === window.location.origin) return url.href;
    if ((url.protocol === "http:" || url.protocol === "https:") && url.origin === window.location.origin) {
      return url.href;
    }
  } catch {
    // not a URL at all
  }
  return null;
}

/** Opens a checked URL in a new tab without giving it a handle on this page. */
export function openExternal(href) {
  const link = el("a", { attrs: { href, target: "_blank", rel: "noopener noreferrer" } });
  document.body.append(link);
  link.click();
  link.remove();
}
