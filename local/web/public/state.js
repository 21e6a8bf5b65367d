// What the page knows: the console's state as last loaded (/api/state) and kept up to date by the
// event stream (app.js), who you are, which chat is open; and the lookups every view shares.
import { asArray, isObject, str } from "./dom.js";
import { t } from "./i18n.js";

export const S = {
  loaded: false,
  bot: { id: 0, first_name: "", username: "" },
  personas: [],
  groups: [],
  commands: {},
  /** The console has the dashboard (POST /api/dashboard-link works). */
  dashboard: false,
  /** persona id → the menu button of their private chat (setChatMenuButton, resolved). */
  menuButtons: {},
  hardware: null,
  /** chat key (string id) → Map(message_id → Message) */
  chats: new Map(),
  /** chat key → count of new bot messages while the chat was not open */
  unread: new Map(),
  /** chat key → { action, timer } */
  actions: new Map(),
  persona: null,
  openChat: null,
};

export const keyOf = (chatId) => String(chatId);
export const personaById = (id) => S.personas.find((p) => p.id === id) ?? null;
export const isPrivateKey = (key) => S.personas.some((p) => keyOf(p.id) === key);
export const groupByKey = (key) => S.groups.find((g) => keyOf(g.id) === key) ?? null;

export function chatMessages(key) {
  let chat = S.chats.get(key);
  if (!chat) {
    chat = new Map();
    S.chats.set(key, chat);
  }
  return chat;
}

export function isBotMessage(message) {
  const from = message?.from;
  if (!isObject(from)) return false;
  return from.is_bot === true || (S.bot.id !== 0 && from.id === S.bot.id);
}

export const botName = () => str(S.bot.first_name) || t("chat.botFallback");

export function chatTitle(key) {
  const group = groupByKey(key);
  if (group) return str(group.title) || t("chat.groupFallback");
  return t("chat.private", { bot: botName() });
}

/** Whether the persona is in the group (as the console says: the group's members). */
export function isMember(group, personaId) {
  return asArray(group.members).some((id) => keyOf(id) === keyOf(personaId));
}

/**
 * The chats shown in the list, as Telegram would show them to the current persona: their
 * private chat with the bot, then the groups they are in (a stranger sees no staff group).
 */
export function visibleChats() {
  const list = [];
  if (S.persona === null) return list;
  list.push(keyOf(S.persona));
  for (const group of S.groups) if (isMember(group, S.persona)) list.push(keyOf(group.id));
  return list;
}
