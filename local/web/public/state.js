// What the page knows: the console's state as last loaded (/api/state) and kept up to date by the
// event stream (app.js), who you are, which chat is open; and the lookups every view shares.
import { isObject, str } from "./dom.js";

export const S = {
  loaded: false,
  bot: { id: 0, first_name: "Bot", username: "" },
  personas: [],
  groups: [],
  commands: {},
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

export function chatTitle(key) {
  const group = groupByKey(key);
  if (group) return str(group.title) || "Group";
  return `${str(S.bot.first_name) || "Bot"} (private)`;
}

/** The chats shown in the list: the current persona's private chat, then every group. */
export function visibleChats() {
  const list = [];
  if (S.persona !== null) list.push(keyOf(S.persona));
  for (const group of S.groups) list.push(keyOf(group.id));
  return list;
}
