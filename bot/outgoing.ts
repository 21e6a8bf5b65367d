/**
 * Everything the bot sends fits Telegram's limits: one grammY API transformer applies
 * core/text/fit.ts to every call, whoever makes it (a feature through ctx.api, the alert
 * channel through bot.api, a conversation through its own Api).
 *
 *   - texts (sendMessage, editMessageText): 4,096 characters after entity parsing;
 *   - captions (sendPhoto/Video/Animation/Document/Audio/Voice, editMessageCaption,
 *     editMessageMedia, copyMessage, each item of sendMediaGroup): 1,024;
 *   - callback answers (answerCallbackQuery's text): 200;
 *   - inline keyboards in reply_markup: labels at most BUTTON_LABEL_MAX characters, and
 *     callback_data over 64 bytes replaced by a short reference (bot/callback-refs.ts) that
 *     `resolveRefs` turns back into the original before any feature sees the press.
 *
 * A text or caption that is cut keeps whole lines and ends with "… and N more" in the
 * reader's language (`fit-more`); when the call succeeded, the complete text follows as a
 * UTF-8 .txt document (HTML stripped), a reply to the cut message in the same chat and
 * thread. If that document cannot be sent, it is logged and the call still succeeds.
 * Texts with explicit `entities` or a Markdown parse mode are left alone (the bot sends
 * HTML or plain text only).
 *
 * Wiring (bot/index.ts): `setupOutgoingFit(bot.api, ...)` installs the transformer on
 * bot.api in the default language; `perUpdate` (after i18n) installs it on each update's
 * ctx.api in the reader's language; `resolveRefs` runs before any feature; `perUpdate` is
 * also a conversations plugin, since @grammyjs/conversations builds its own Api inside a
 * conversation that bot.api's transformers do not reach.
 */
import { type Api, type Context, InputFile, type MiddlewareFn, type RawApi, type Transformer } from "grammy";
import type { Message } from "grammy/types";
import {
  CALLBACK_ANSWER_LIMIT,
  CALLBACK_DATA_MAX_BYTES,
  fitHtml,
  fitLabel,
  fitPlain,
  htmlToText,
  TELEGRAM_CAPTION_LIMIT,
  TELEGRAM_TEXT_LIMIT,
  utf8Length,
} from "../core/text/fit.ts";
import { CallbackRefs } from "./callback-refs.ts";

export type Translate = (key: string, vars?: Record<string, string>) => string;

/** The little of a logger this needs (a pino Logger is one). */
export interface FitLog {
  warn(detail: object, msg: string): void;
  info(detail: object, msg: string): void;
}

/** What the middleware needs from a context: translations, a logger, and a place for the references. */
export type FitContext = Context & {
  t(key: string, vars?: Record<string, string>): string;
  log?: FitLog;
  /** Set by `perUpdate`: features that want opaque callback data call `callbackRefs.shorten(data)`. */
  callbackRefs: CallbackRefs;
};

export interface FitOutgoingOptions {
  /** Translations in the reader's language: `fit-more` ({ $n }), `fit-full-text`. */
  t: Translate;
  refs: CallbackRefs;
  log?: FitLog;
}

type Payload = Record<string, unknown>;

const TEXT_METHODS = new Set(["sendMessage", "editMessageText"]);
const CAPTION_METHODS = new Set([
  "sendPhoto",
  "sendVideo",
  "sendAnimation",
  "sendDocument",
  "sendAudio",
  "sendVoice",
  "sendPaidMedia",
  "copyMessage",
  "editMessageCaption",
]);

/** A cut text: which message of the result it belongs to (media groups), and the whole of it. */
interface Cut {
  index?: number;
  full: string;
}

/** The transformer: fits every text, caption and inline keyboard of a call (see the header). */
export function fitOutgoing(opts: FitOutgoingOptions): Transformer {
  const { t, refs } = opts;
  const moreHtml = (n: number) => t("fit-more", { n: String(n) });
  const morePlain = (n: number) => htmlToText(moreHtml(n));

  /** Fits `text` for its parse mode; undefined when it fits (or cannot be fitted safely). */
  function fit(text: unknown, parseMode: unknown, entities: unknown, limit: number) {
    if (typeof text !== "string" || entities !== undefined) return undefined;
    const mode = typeof parseMode === "string" ? parseMode.toLowerCase() : undefined;
    if (mode !== undefined && mode !== "html") return undefined;
    const r = mode === "html" ? fitHtml(text, limit, moreHtml) : fitPlain(text, limit, morePlain);
    return r.cut ? { text: r.text, full: mode === "html" ? htmlToText(text) : text } : undefined;
  }

  return (async (prev, method, payload, signal) => {
    if (method === "getUpdates" || payload === undefined || payload === null) return prev(method, payload, signal);
    const p = payload as unknown as Payload;
    let out = p;
    const set = (key: string, value: unknown) => {
      if (out === p) out = { ...p };
      out[key] = value;
    };
    const cuts: Cut[] = [];

    if (TEXT_METHODS.has(method)) {
      const r = fit(p.text, p.parse_mode, p.entities, TELEGRAM_TEXT_LIMIT);
      if (r) {
        set("text", r.text);
        cuts.push({ full: r.full });
      }
    } else if (CAPTION_METHODS.has(method)) {
      const r = fit(p.caption, p.parse_mode, p.caption_entities, TELEGRAM_CAPTION_LIMIT);
      if (r) {
        set("caption", r.text);
        cuts.push({ full: r.full });
      }
    } else if (method === "editMessageMedia" && p.media && typeof p.media === "object") {
      const media = p.media as Payload;
      const r = fit(media.caption, media.parse_mode, media.caption_entities, TELEGRAM_CAPTION_LIMIT);
      if (r) {
        set("media", { ...media, caption: r.text });
        cuts.push({ full: r.full });
      }
    } else if (method === "sendMediaGroup" && Array.isArray(p.media)) {
      const items = (p.media as Payload[]).map((item, index) => {
        const r = fit(item.caption, item.parse_mode, item.caption_entities, TELEGRAM_CAPTION_LIMIT);
        if (!r) return item;
        cuts.push({ index, full: r.full });
        return { ...item, caption: r.text };
      });
      if (cuts.length > 0) set("media", items);
    } else if (method === "answerCallbackQuery" && typeof p.text === "string") {
      const text = fitLabel(p.text, CALLBACK_ANSWER_LIMIT);
      if (text !== p.text) set("text", text);
    }
    const markup = fitMarkup(p.reply_markup, refs);
    if (markup !== p.reply_markup) set("reply_markup", markup);

    const res = await prev(method, out as unknown as typeof payload, signal);
    if (!res.ok || cuts.length === 0) return res;
    for (const cut of cuts) {
      const result: unknown = res.result;
      const message = (cut.index === undefined ? result : Array.isArray(result) ? result[cut.index] : undefined) as
        | Message
        | undefined;
      // An inline message's edit answers `true`, copyMessage a bare id: no chat to reply in.
      if (!message || typeof message !== "object" || !("chat" in message) || !("message_id" in message)) continue;
      try {
        const sent = await prev(
          "sendDocument",
          fullTextPayload(message, cut.full, t("fit-full-text"), p.message_thread_id) as never,
          signal,
        );
        if (!sent.ok)
          opts.log?.warn({ method, description: sent.description }, "could not send the full text of a cut message");
      } catch (err) {
        opts.log?.warn({ method, err: (err as Error).message }, "could not send the full text of a cut message");
      }
    }
    return res;
  }) as Transformer;
}

/** An inline keyboard with labels fitted and long callback data replaced by references; the same object if nothing changed. */
function fitMarkup(markup: unknown, refs: CallbackRefs): unknown {
  if (!markup || typeof markup !== "object") return markup;
  const rows = (markup as { inline_keyboard?: unknown }).inline_keyboard;
  if (!Array.isArray(rows)) return markup;
  let changed = false;
  const fitted = rows.map((row: unknown) =>
    Array.isArray(row)
      ? row.map((button: Payload) => {
          let b = button;
          if (typeof b.text === "string") {
            const label = fitLabel(b.text);
            if (label !== b.text) b = { ...b, text: label };
          }
          if (typeof b.callback_data === "string" && utf8Length(b.callback_data) > CALLBACK_DATA_MAX_BYTES) {
            b = { ...b, callback_data: refs.shorten(b.callback_data) };
          }
          if (b !== button) changed = true;
          return b;
        })
      : row,
  );
  return changed ? { ...(markup as object), inline_keyboard: fitted } : markup;
}

/** sendDocument's payload for the full text of `message`: a .txt replying to it. */
function fullTextPayload(message: Message, text: string, caption: string, threadId?: unknown): Payload {
  return {
    chat_id: message.chat.id,
    ...(typeof threadId === "number" ? { message_thread_id: threadId } : {}),
    document: new InputFile(
      Buffer.from(text.endsWith("\n") ? text : `${text}\n`, "utf8"),
      `message-${message.message_id}.txt`,
    ),
    caption,
    parse_mode: "HTML",
    reply_parameters: { message_id: message.message_id, allow_sending_without_reply: true },
  };
}

/**
 * Sends `html` (whole, as plain text) as a .txt replying to `message`: for features that cap
 * a list themselves (/alerts) and still owe the reader the rest. Failures are logged, not thrown.
 */
export async function replyWithFullText(ctx: FitContext, message: Message, html: string): Promise<void> {
  try {
    await ctx.api.raw.sendDocument(
      fullTextPayload(message, htmlToText(html), ctx.t("fit-full-text"), message.message_thread_id) as never,
    );
  } catch (err) {
    ctx.log?.warn({ err: (err as Error).message }, "could not send the full text of a capped list");
  }
}

export interface OutgoingFit {
  refs: CallbackRefs;
  /** After i18n: this update's ctx.api fits in the reader's language; sets ctx.callbackRefs. Also a conversations plugin. */
  perUpdate: MiddlewareFn<FitContext>;
  /** Before any feature: a pressed reference becomes its data again; a forgotten one gets the "expired" toast. */
  resolveRefs: MiddlewareFn<FitContext>;
}

/** Installs the transformer on `api` (bot.api: the alert channel's calls) in the default language. */
export function setupOutgoingFit(
  api: Api<RawApi>,
  opts: { t: Translate; log?: FitLog; refs?: CallbackRefs },
): OutgoingFit {
  const refs = opts.refs ?? new CallbackRefs();
  api.config.use(fitOutgoing({ t: opts.t, refs, ...(opts.log ? { log: opts.log } : {}) }));
  return {
    refs,
    perUpdate: (ctx, next) => {
      ctx.api.config.use(fitOutgoing({ t: (k, v) => ctx.t(k, v), refs, ...(ctx.log ? { log: ctx.log } : {}) }));
      ctx.callbackRefs = refs;
      return next();
    },
    resolveRefs: async (ctx, next) => {
      const query = ctx.callbackQuery;
      if (query?.data === undefined || !CallbackRefs.isRef(query.data)) return next();
      const data = refs.resolve(query.data);
      if (data === undefined) {
        ctx.log?.info({ ref: query.data }, "a button with a forgotten reference was pressed");
        await ctx.answerCallbackQuery({ text: ctx.t("error-button-expired") });
        return;
      }
      query.data = data;
      return next();
    },
  };
}
