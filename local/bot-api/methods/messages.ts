/**
 * Methods that send, edit and delete messages: sendMessage, sendPhoto, sendVideo,
 * sendAnimation, sendDocument, sendMediaGroup, editMessageText, editMessageCaption,
 * editMessageReplyMarkup, editMessageMedia, deleteMessage, deleteMessages, sendChatAction and
 * answerCallbackQuery (once per known query).
 *
 * Validation as on Telegram: chat_id required; text non-empty after parsing and at most 4096
 * characters; captions at most 1024; parse_mode HTML checked (formatting.ts); reply markup
 * checked (keyboards.ts); replies to unknown messages refused, edits of unknown / foreign /
 * unchanged messages too (chats.ts); files resolved by files.ts.
 */
import type { Message } from "grammy/types";
import type { StoredMessage } from "../chats.ts";
import { badRequest } from "../errors.ts";
import { mediaKind } from "../files.ts";
import { validateMarkup } from "../keyboards.ts";
import { intParam, truthy } from "../params.ts";
import type { CallbackAnswer, MediaKind } from "../types.ts";
import type { Handler, ServerParts } from "./context.ts";

const TEXT_LIMIT = 4096;
const CAPTION_LIMIT = 1024;
const CHAT_ACTIONS = new Set([
  "typing",
  "upload_photo",
  "record_video",
  "upload_video",
  "record_voice",
  "upload_voice",
  "upload_document",
  "choose_sticker",
  "find_location",
  "record_video_note",
  "upload_video_note",
]);
const MEDIA_METHODS = new Map<string, MediaKind>([
  ["sendphoto", "photo"],
  ["sendvideo", "video"],
  ["sendanimation", "animation"],
  ["senddocument", "document"],
]);

export function messageMethods({ chats, files, log, listeners }: ServerParts): Record<string, Handler> {
  let nextMediaGroup = 1;
  const handlers: Record<string, Handler> = {
    sendmessage: (p) => {
      const chat = chats.chatParam(p);
      if (typeof p.text !== "string" || p.text.trim() === "") throw badRequest("message text is empty");
      const formatted = chats.format(p.text, p.parse_mode, p.entities);
      if (formatted.text === "") throw badRequest("message text is empty");
      if ([...formatted.text].length > TEXT_LIMIT) throw badRequest("message is too long");
      const stored = chats.newBotMessage(chat, p);
      stored.text = formatted.text;
      stored.entities = formatted.entities;
      stored.raw = p.text;
      if (formatted.parse_mode) stored.parse_mode = formatted.parse_mode;
      return chats.commit(stored);
    },

    editmessagetext: (p) => {
      const m = chats.editTarget(p);
      if (typeof p.text !== "string" || p.text.trim() === "") throw badRequest("message text is empty");
      const formatted = chats.format(p.text, p.parse_mode, p.entities);
      if (formatted.text === "") throw badRequest("message text is empty");
      if ([...formatted.text].length > TEXT_LIMIT) throw badRequest("message is too long");
      const markup = validateMarkup(p.reply_markup, {
        inlineOnly: true,
        chatType: m?.chat.type,
        httpWebApps: chats.testEnvironment,
      });
      if (!m) return true;
      if (m.text === undefined) throw badRequest("there is no text in the message to edit");
      return chats.applyEdit(
        m,
        { text: formatted.text, entities: formatted.entities, raw: p.text, parse_mode: formatted.parse_mode },
        markup,
      );
    },

    editmessagecaption: (p) => {
      const m = chats.editTarget(p);
      const raw = typeof p.caption === "string" ? p.caption : "";
      const formatted = chats.format(raw, p.parse_mode, p.caption_entities);
      if ([...formatted.text].length > CAPTION_LIMIT) throw badRequest("message caption is too long");
      const markup = validateMarkup(p.reply_markup, {
        inlineOnly: true,
        chatType: m?.chat.type,
        httpWebApps: chats.testEnvironment,
      });
      if (!m) return true;
      if (!m.file) throw badRequest("there is no caption in the message to edit");
      return chats.applyEdit(
        m,
        {
          caption: formatted.text === "" ? undefined : formatted.text,
          entities: formatted.entities,
          raw,
          parse_mode: formatted.parse_mode,
        },
        markup,
      );
    },

    editmessagereplymarkup: (p) => {
      const m = chats.editTarget(p);
      const markup = validateMarkup(p.reply_markup, {
        inlineOnly: true,
        chatType: m?.chat.type,
        httpWebApps: chats.testEnvironment,
      });
      if (!m) return true;
      return chats.applyEdit(m, {}, markup);
    },

    editmessagemedia: (p, ctx) => {
      const m = chats.editTarget(p);
      const media = p.media as Record<string, unknown> | undefined;
      if (!media || typeof media !== "object") throw badRequest("media not specified");
      const kind = mediaKind(media.type);
      const markup = validateMarkup(p.reply_markup, {
        inlineOnly: true,
        chatType: m?.chat.type,
        httpWebApps: chats.testEnvironment,
      });
      if (!m) return true;
      if (!m.file) throw badRequest("there is no media in the message to edit");
      const raw = typeof media.caption === "string" ? media.caption : "";
      const formatted = chats.format(raw, media.parse_mode, media.caption_entities);
      if ([...formatted.text].length > CAPTION_LIMIT) throw badRequest("message caption is too long");
      const file = files.resolve(kind, media.media, ctx.files, media);
      return chats.applyEdit(
        m,
        {
          file,
          caption: formatted.text === "" ? undefined : formatted.text,
          entities: formatted.entities,
          raw,
          parse_mode: formatted.parse_mode,
        },
        markup,
      );
    },

    deletemessage: (p) => {
      const chat = chats.chatParam(p);
      const id = intParam(p, "message_id");
      const m = id === undefined ? undefined : chats.findMessage(chat.id, id);
      if (!m) throw badRequest("message to delete not found");
      m.deleted = true;
      chats.emitMessage(m);
      return true;
    },
    deletemessages: (p) => {
      const chat = chats.chatParam(p);
      const ids = Array.isArray(p.message_ids) ? p.message_ids.map(Number) : [];
      if (ids.length === 0 || ids.length > 100) throw badRequest("message identifiers are not specified");
      for (const id of ids) {
        const m = chats.findMessage(chat.id, id);
        if (m) {
          m.deleted = true;
          chats.emitMessage(m);
        }
      }
      return true;
    },

    answercallbackquery: (p) => {
      const id = typeof p.callback_query_id === "string" ? p.callback_query_id : String(p.callback_query_id ?? "");
      const query = chats.closeQuery(id);
      if (!query) throw badRequest("query is too old and response timeout expired or query ID is invalid");
      const answer: CallbackAnswer = { callback_query_id: id };
      if (typeof p.text === "string") answer.text = p.text;
      if (p.show_alert !== undefined) answer.show_alert = truthy(p.show_alert);
      if (typeof p.url === "string") answer.url = p.url;
      const cache = intParam(p, "cache_time");
      if (cache !== undefined) answer.cache_time = cache;
      log.recordAnswer(answer);
      listeners.emit({ type: "callback_answer", user_id: query.user_id, chat_id: query.chat_id, answer });
      return true;
    },

    sendmediagroup: (p, ctx) => {
      const chat = chats.chatParam(p);
      const items = p.media;
      if (!Array.isArray(items) || items.length < 2 || items.length > 10) {
        throw badRequest("media group must have 2-10 items");
      }
      const group = `${10_000_000 + nextMediaGroup++}`;
      const prepared = items.map((item: Record<string, unknown>) => {
        const kind = mediaKind(item.type);
        const raw = typeof item.caption === "string" ? item.caption : "";
        const formatted = chats.format(raw, item.parse_mode, item.caption_entities);
        if ([...formatted.text].length > CAPTION_LIMIT) throw badRequest("message caption is too long");
        return { kind, item, raw, formatted };
      });
      const base = chats.newBotMessage(chat, { ...p, reply_markup: undefined });
      const messages: Message[] = [];
      for (const { kind, item, raw, formatted } of prepared) {
        const stored: StoredMessage = { ...base, media_group_id: group };
        stored.file = files.resolve(kind, item.media, ctx.files, item);
        if (formatted.text !== "") {
          stored.caption = formatted.text;
          stored.entities = formatted.entities;
          stored.raw = raw;
        }
        if (formatted.parse_mode) stored.parse_mode = formatted.parse_mode;
        messages.push(chats.commit(stored));
      }
      return messages;
    },

    sendchataction: (p) => {
      chats.chatParam(p);
      if (typeof p.action !== "string" || !CHAT_ACTIONS.has(p.action)) {
        throw badRequest("wrong parameter action in request");
      }
      listeners.emit({ type: "action", chat_id: Number(p.chat_id), action: p.action });
      return true;
    },
  };

  for (const [method, kind] of MEDIA_METHODS) {
    handlers[method] = (p, ctx) => {
      const chat = chats.chatParam(p);
      const raw = typeof p.caption === "string" ? p.caption : "";
      const formatted = chats.format(raw, p.parse_mode, p.caption_entities);
      if ([...formatted.text].length > CAPTION_LIMIT) throw badRequest("message caption is too long");
      const stored = chats.newBotMessage(chat, p);
      stored.file = files.resolve(kind, p[kind], ctx.files, p);
      if (formatted.text !== "") {
        stored.caption = formatted.text;
        stored.entities = formatted.entities;
        stored.raw = raw;
      }
      if (formatted.parse_mode) stored.parse_mode = formatted.parse_mode;
      return chats.commit(stored);
    };
  }
  return handlers;
}
