// Element helpers (never HTML from data: text goes into textContent and attributes) and the
// page's shared context (who, where, which language) with its time formatting.
import { language } from "./i18n.js";
import { formatter, formatWhen } from "./time.js";

/** el("button", { class, text, testid, attrs, data, on }, ...children) */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  if (props.class) node.className = props.class;
  if (props.testid) node.dataset.testid = props.testid;
  if (props.text !== undefined && props.text !== null) node.textContent = String(props.text);
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (value !== undefined && value !== null && value !== false) node.setAttribute(name, value === true ? "" : value);
  }
  for (const [name, value] of Object.entries(props.data ?? {})) {
    if (value !== undefined && value !== null) node.dataset[name] = String(value);
  }
  for (const [type, handler] of Object.entries(props.on ?? {})) node.addEventListener(type, handler);
  for (const child of children.flat(Number.POSITIVE_INFINITY)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

/** What every view may read: set by app.js after /api/me. */
export const ctx = { me: null, timeZone: "UTC" };

/** Events from /api/events for the open view ("incident", "reading", "door"). */
export const bus = new EventTarget();

export const when = (ms) => formatWhen(ms, language(), ctx.timeZone);
export const fullTime = (ms) => (Number.isFinite(ms) ? formatter(language(), ctx.timeZone, "full").format(ms) : "");
export const dayOnly = (ms) => (Number.isFinite(ms) ? formatter(language(), ctx.timeZone, "day").format(ms) : "");
export const timeOnly = (ms) => (Number.isFinite(ms) ? formatter(language(), ctx.timeZone, "time").format(ms) : "");

export const number = (value, digits = 1) =>
  Number.isFinite(value)
    ? new Intl.NumberFormat(language(), { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value)
    : "–";
