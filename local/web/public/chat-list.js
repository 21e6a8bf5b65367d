// The left column and the open chat's header: the persona picker, the chats you see (your private
// chat with the bot, then the groups) with unread counts, and the title of the open chat.
// Clicking a chat opens it: navigation.js listens on the list.
import { $, el, str } from "./dom.js";
import { hasText, language, t } from "./i18n.js";
import { renderChatAction } from "./notices.js";
import { botName, chatTitle, groupByKey, keyOf, personaById, S, visibleChats } from "./state.js";
import { ui } from "./ui.js";

function initial(text) {
  const first = Array.from(str(text).trim())[0];
  return first ? first.toUpperCase() : "?";
}

/** "Ada (admin)": a persona as the pickers show them. */
export function personaLabel(p) {
  const role = str(p.role);
  return t("persona.option", {
    name: str(p.first_name) || t("persona.userFallback", { id: p.id }),
    role: hasText(`role.${role}`) ? t(`role.${role}`) : role || t("role.user"),
  });
}

export function renderPersonas() {
  const signature = `${language()} ${JSON.stringify(S.personas)}`;
  if (ui.persona.dataset.sig !== signature) {
    ui.persona.replaceChildren(
      ...S.personas.map((p) => el("option", { text: personaLabel(p), attrs: { value: keyOf(p.id) } })),
    );
    ui.persona.dataset.sig = signature;
  }
  if (S.persona !== null) ui.persona.value = keyOf(S.persona);
}

export function renderChatList() {
  const items = visibleChats().map((key) => {
    const group = groupByKey(key);
    const title = chatTitle(key);
    const item = el(
      "div",
      {
        class: "chat-item",
        testid: "chat",
        data: { chatId: key },
        attrs: { role: "button", tabindex: "0", title },
      },
      el("div", { class: `avatar${group ? " group" : ""}`, text: initial(group ? title : botName()) }),
      el(
        "div",
        { class: "chat-item-body" },
        el("div", { class: "chat-item-title", text: title }),
        el("div", { class: "chat-item-sub", text: group ? t("chatList.group") : t("chatList.bot") }),
      ),
      el("span", { class: "unread", testid: "unread", attrs: { "aria-label": t("chatList.unread") } }),
    );
    return item;
  });
  ui.chatList.replaceChildren(...items);
  updateChatBadges();
}

export function updateChatBadges() {
  for (const item of ui.chatList.querySelectorAll('[data-testid="chat"]')) {
    const key = item.dataset.chatId;
    item.classList.toggle("active", key === S.openChat);
    if (key === S.openChat) item.setAttribute("aria-current", "true");
    else item.removeAttribute("aria-current");
    const badge = $('[data-testid="unread"]', item);
    const count = S.unread.get(key) ?? 0;
    badge.textContent = count > 0 ? String(count) : "";
    badge.hidden = count === 0;
  }
}

export function renderChatHeader() {
  const key = S.openChat;
  if (key === null) {
    ui.chatTitle.textContent = "";
    ui.chatSubtitle.textContent = "";
    ui.chatAvatar.textContent = "";
    renderChatAction();
    return;
  }
  const group = groupByKey(key);
  const title = chatTitle(key);
  ui.chatTitle.textContent = title;
  ui.chatAvatar.textContent = initial(group ? title : botName());
  ui.chatAvatar.classList.toggle("group", Boolean(group));
  const persona = personaById(S.persona);
  const you = persona ? t("chat.youAre", { name: str(persona.first_name) }) : "";
  ui.chatSubtitle.textContent = group
    ? [t("chat.group"), you].filter(Boolean).join(" · ")
    : [S.bot.username ? `@${str(S.bot.username)}` : t("chat.bot"), you].filter(Boolean).join(" · ");
  renderChatAction();
}
