// Formatted text: a message's text and Telegram entities (bold, links, code, spoilers, quotes,
// /commands...) rendered as DOM elements, never through innerHTML. Offsets are UTF-16, as
// Telegram's; entities are properly nested.
import { asArray, el, isObject, safeUrl, str } from "./dom.js";
import { t } from "./i18n.js";

const BLOCK_ENTITIES = new Set(["pre", "blockquote", "expandable_blockquote"]);

/**
 * A click on a /command in a message sends it as you: the element raises a "bot-command" event
 * (detail: the command's text) that bubbles up to whoever sends messages (composer.js).
 */
function requestCommand(node, text) {
  node.dispatchEvent(new CustomEvent("bot-command", { bubbles: true, detail: text }));
}

function entityElement(entity, text) {
  switch (entity.type) {
    case "bold":
      return el("strong");
    case "italic":
      return el("em");
    case "underline":
      return el("u");
    case "strikethrough":
      return el("s");
    case "spoiler": {
      const node = el("span", {
        class: "spoiler",
        attrs: { role: "button", tabindex: "0", title: t("entity.spoiler") },
      });
      const reveal = (event) => {
        if (node.classList.contains("revealed")) return;
        event.preventDefault();
        event.stopPropagation();
        node.classList.add("revealed");
        node.removeAttribute("role");
        node.removeAttribute("tabindex");
        node.removeAttribute("title");
      };
      node.addEventListener("click", reveal);
      node.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") reveal(event);
      });
      return node;
    }
    case "code":
      return el("code");
    case "pre": {
      const code = el("code");
      const pre = el("pre", { data: { language: str(entity.language) || undefined } }, code);
      return { outer: pre, inner: code };
    }
    case "text_link": {
      const href = safeUrl(entity.url);
      if (!href) return el("span", { class: "entity-link", attrs: { title: str(entity.url) } });
      return el("a", { attrs: { href, target: "_blank", rel: "noopener noreferrer", title: href } });
    }
    case "url": {
      const href = safeUrl(text) ?? safeUrl(`http://${text}`);
      if (!href) return el("span", { class: "entity-link" });
      return el("a", { attrs: { href, target: "_blank", rel: "noopener noreferrer" } });
    }
    case "mention":
    case "text_mention":
      return el("span", { class: "mention" });
    case "hashtag":
    case "cashtag":
      return el("span", { class: "hashtag" });
    case "email":
    case "phone_number":
      return el("span", { class: "entity-link" });
    case "bot_command":
      // Sent by the composer (composer.js), which hears the "bot-command" event it raises.
      return el("span", {
        class: "bot-command",
        attrs: { role: "link", tabindex: "0", title: t("entity.sendCommand", { command: text }) },
        on: {
          click: (event) => {
            event.preventDefault();
            requestCommand(event.currentTarget, text);
          },
          keydown: (event) => {
            if (event.key === "Enter") {
              event.preventDefault();
              requestCommand(event.currentTarget, text);
            }
          },
        },
      });
    case "blockquote":
      return el("blockquote");
    case "expandable_blockquote": {
      const quote = el("blockquote", { class: "expandable", attrs: { title: t("entity.showMore") } });
      quote.addEventListener("click", (event) => {
        if (event.target instanceof Element && event.target.closest("a, .spoiler:not(.revealed), .bot-command")) return;
        quote.classList.toggle("expanded");
      });
      return quote;
    }
    default:
      // custom_emoji (its text is shown), unknown types: plain text
      return el("span", { class: `entity-${str(entity.type).replace(/[^a-z_]/gi, "")}` });
  }
}

/** A newline next to a block element would show as an empty line; keep it in the text but hide it. */
function appendPlain(parent, text, { afterBlock = false, beforeBlock = false } = {}) {
  if (!text) return;
  let head = "";
  let tail = "";
  let body = text;
  if (afterBlock && body.startsWith("\n")) {
    head = "\n";
    body = body.slice(1);
  }
  if (beforeBlock && body.endsWith("\n")) {
    tail = "\n";
    body = body.slice(0, -1);
  }
  if (head) parent.append(el("span", { class: "collapsed-newline", text: head }));
  if (body) parent.append(document.createTextNode(body));
  if (tail) parent.append(el("span", { class: "collapsed-newline", text: tail }));
}

function buildEntities(parent, text, start, end, entities) {
  let pos = start;
  let previousBlock = false;
  let i = 0;
  while (i < entities.length) {
    const entity = entities[i];
    if (entity.start < pos) {
      i++;
      continue;
    }
    const isBlock = BLOCK_ENTITIES.has(entity.type);
    appendPlain(parent, text.slice(pos, entity.start), { afterBlock: previousBlock, beforeBlock: isBlock });
    const children = [];
    let j = i + 1;
    while (j < entities.length && entities[j].start < entity.end) {
      const child = entities[j];
      children.push({ ...child, end: Math.min(child.end, entity.end) });
      j++;
    }
    const made = entityElement(entity, text.slice(entity.start, entity.end));
    const outer = made instanceof Node ? made : made.outer;
    const inner = made instanceof Node ? made : made.inner;
    buildEntities(inner, text, entity.start, entity.end, children);
    parent.append(outer);
    previousBlock = isBlock;
    pos = entity.end;
    i = j;
  }
  appendPlain(parent, text.slice(pos, end), { afterBlock: previousBlock });
}

/** Renders text with Telegram entities (UTF-16 offsets, properly nested) into parent. */
export function renderFormatted(parent, text, entities) {
  const length = text.length;
  const list = asArray(entities)
    .filter((e) => isObject(e) && typeof e.type === "string" && Number.isFinite(e.offset) && Number.isFinite(e.length))
    .map((e) => {
      const start = Math.max(0, Math.min(length, Math.trunc(e.offset)));
      const end = Math.max(start, Math.min(length, Math.trunc(e.offset + e.length)));
      return { ...e, start, end };
    })
    .filter((e) => e.end > e.start)
    .sort((a, b) => a.start - b.start || b.end - a.end);
  buildEntities(parent, text, 0, length, list);
}
