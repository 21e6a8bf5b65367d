/**
 * The staff group as an alert channel: renders notices (HTML, buttons) and turns Telegram's
 * answers into retry decisions for the outbox dispatcher.
 *
 * Each incident has one card: the message that announced it (or its escalation, which takes
 * the card over), recorded on the incident (`telegramMessageId`). While the incident needs
 * someone, the card carries one calm row of buttons (Acknowledge, Mute 1 h, More ▾); nothing
 * else about it does. Reminders and escalations reply to the card; a recovery settles the
 * card (its buttons go, a line says it resolved) and is a short reply to it, or the full
 * notice when there is no card to reply to. Settling is part of delivering the recovery, so
 * it is tried again with it (an edit made twice changes nothing). The buttons come from the
 * bot's keyboards (bot/ui/keyboards.ts), so they carry the very callback data the bot's
 * handlers parse (bot/ui/callback-data.ts).
 */
import { type Api, GrammyError, HttpError, InputFile } from "grammy";
import { alertKeyboard, roomKeyboard } from "../../bot/ui/keyboards.ts";
import { type EditOutcome, editCard, removeKeyboard } from "../../bot/ui/message-edits.ts";
import type { ChannelFailure, ChannelResult, DeliveryChannel, OutboxEntryLike } from "../../core/alerts/dispatcher.ts";
import type { IncidentRepository } from "../../core/alerts/ports.ts";
import {
  htmlToPlain,
  type RenderContext,
  renderDigestLine,
  renderNotice,
  renderRecoveredReply,
  renderSettledCard,
  type Translate,
} from "../../core/alerts/render.ts";
import { type Incident, isSettled, type Notice } from "../../core/alerts/types.ts";
import type { Logger } from "../../core/logger.ts";
import { escapeHtml } from "../../core/text/format.ts";

const MAX_CAPTION = 1024;
/** Telegram: at most 20 messages a minute to one group, and about one a second. */
export const GROUP_PACING = { perWindow: 20, windowMs: 60_000, minGapMs: 1_000 };
const MAX_MESSAGE = 4096;

/**
 * Telegram's answer as a delivery decision:
 *   - 429: retry after Telegram's retry_after;
 *   - 5xx, and no answer at all (HttpError: network, DNS, a dead proxy): transient, and the
 *     service is unreachable (tried again soon, and at once when any call succeeds again);
 *   - 400 (bad request: too long, bad HTML, chat not found...), 401 (token revoked), 403
 *     (bot blocked or kicked), 404: permanent; retrying the same message cannot help.
 */
export function classifyTelegramError(err: unknown): ChannelFailure {
  if (err instanceof GrammyError) {
    const retryAfter = err.parameters.retry_after;
    if (err.error_code === 429)
      return { ok: false, retryable: true, error: err.description, retryAfterMs: (retryAfter ?? 5) * 1000 };
    if (err.error_code >= 500)
      return { ok: false, retryable: true, unreachable: true, error: `${err.error_code} ${err.description}` };
    return { ok: false, retryable: false, error: `${err.error_code} ${err.description}` };
  }
  if (err instanceof HttpError) {
    return { ok: false, retryable: true, unreachable: true, error: `Telegram unreachable: ${err.message}` };
  }
  return { ok: false, retryable: true, error: err instanceof Error ? err.message : String(err) };
}

/** Most characters of a safe short form (well under every Telegram limit). */
const SAFE_MAX = 900;

/** Cuts plain text to `max` characters without splitting a character or an emoji. */
function cutPlain(text: string, max: number): string {
  const chars = [...new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(text)].map((g) => g.segment);
  if (chars.join("").length <= max) return text;
  let out = "";
  for (const c of chars) {
    if (out.length + c.length > max - 1) break;
    out += c;
  }
  return `${out}…`;
}

/** The first lines of a notice as plain text, short: for safe forms and dead-letter reports. */
export function summarizeNotice(ctx: RenderContext, n: Notice, max = 300): string {
  const plain = htmlToPlain(renderNotice(ctx, n)).split("\n").filter(Boolean).slice(0, 2).join(" — ");
  return cutPlain(plain, max);
}

export interface TelegramAlertChannelOptions {
  api: Api;
  chatId: number;
  /** The channel's name in the outbox (default "telegram"; a room's own group on a hub: "telegram:ROOM"). */
  name?: string;
  /**
   * false: this group gets copies of incidents whose card is elsewhere (a room's own group on
   * a hub, told of its room's silence): no buttons, no card recorded, no replies to one.
   */
  incidentCards?: boolean;
  /** The setting that names this chat, for the log when it moves (default STAFF_CHAT_ID=ID). */
  setting?: (chatId: number) => string;
  topicId?: number;
  t: Translate;
  timeZone: string;
  clock: { now(): Date };
  /** Where each incident's card is looked up and recorded. */
  incidents: Pick<IncidentRepository, "get" | "setTelegramMessageId">;
  pacing?: DeliveryChannel["pacing"];
  /** Renders the daily summary's chart for the 24 h ending at `at` (PNG). */
  summaryChart?: (at: number) => Promise<Buffer>;
  /** Stored snapshots: a notice whose details carry `mediaId` goes out as that photo. */
  media?: { read(id: number): Promise<Buffer | undefined> };
  /** Length of the alert's Clip button. */
  clipSeconds?: number;
  /**
   * A hub's own room (ROLE=hub): another room's raised or escalated alert (its incident lives
   * in that room) gets that room's Snapshot, Clip and Refresh, done there (bot/features/rooms.ts).
   */
  hubRoom?: string;
  logger?: Logger;
}

export function createTelegramAlertChannel(opts: TelegramAlertChannelOptions): DeliveryChannel {
  const { api, t } = opts;
  let chatId = opts.chatId;
  const ctx = (): RenderContext => ({ t, timeZone: opts.timeZone, now: opts.clock.now().getTime() });
  const thread = opts.topicId === undefined ? {} : { message_thread_id: opts.topicId };

  /**
   * Runs a call to the group. A group that became a supergroup has a new id: Telegram says
   * which (migrate_to_chat_id); the call is made again there at once, and the log says to
   * update STAFF_CHAT_ID.
   */
  async function toGroup<T>(call: (chat: number) => Promise<T>): Promise<T> {
    try {
      return await call(chatId);
    } catch (err) {
      const moved = err instanceof GrammyError ? err.parameters.migrate_to_chat_id : undefined;
      if (moved === undefined) throw err;
      opts.logger?.error(
        { from: chatId, to: moved },
        `the staff group is now a supergroup with id ${moved}: alerts go there; set ${opts.setting?.(moved) ?? `STAFF_CHAT_ID=${moved}`}`,
      );
      chatId = moved;
      return call(chatId);
    }
  }

  async function send(text: string, extra: Parameters<Api["sendMessage"]>[2]): Promise<ChannelResult> {
    try {
      const m = await toGroup((chat) => api.sendMessage(chat, text, { parse_mode: "HTML", ...thread, ...extra }));
      return { ok: true, ref: String(m.message_id) };
    } catch (err) {
      return classifyTelegramError(err);
    }
  }

  /** A notice with its buttons and reply: the photo taken with the alert when there is one, else text. */
  async function post(n: Notice, text: string, extra: Parameters<Api["sendMessage"]>[2]): Promise<ChannelResult> {
    const mediaId = n.kind === "raised" ? Number(n.details.mediaId) : Number.NaN;
    if (Number.isInteger(mediaId) && opts.media && text.length <= MAX_CAPTION) {
      // The photo taken with the alert; gone (retention) or unreadable: the text alone.
      const photo = await opts.media.read(mediaId).catch(() => undefined);
      if (photo) {
        try {
          const m = await toGroup((chat) =>
            api.sendPhoto(chat, new InputFile(photo, `alert-${n.incidentId ?? mediaId}.jpg`), {
              caption: text,
              parse_mode: "HTML",
              ...thread,
              ...extra,
            }),
          );
          return { ok: true, ref: String(m.message_id) };
        } catch (err) {
          return classifyTelegramError(err);
        }
      }
    }
    return send(text, extra);
  }

  /** The incident a notice is about, as stored; undefined if none, or unreadable (a failing disk holds no alert back). */
  async function incidentOf(n: Notice): Promise<Incident | undefined> {
    if (!n.incidentId) return undefined;
    try {
      return await opts.incidents.get(n.incidentId);
    } catch (err) {
      opts.logger?.warn({ err: (err as Error).message, incident: n.incidentId }, "could not read the incident's card");
      return undefined;
    }
  }

  /** Records the incident's card. Not recorded (storage failing): later notices stand alone. */
  async function recordCard(incidentId: string, ref: string | undefined): Promise<void> {
    const messageId = Number(ref);
    if (!Number.isSafeInteger(messageId)) return;
    try {
      await opts.incidents.setTelegramMessageId(incidentId, messageId);
    } catch (err) {
      opts.logger?.warn({ err: (err as Error).message, incident: incidentId }, "could not record the alert's card");
    }
  }

  /** An edit of a card: what became of it, or the failure to retry the delivery with (rate limit, outage). */
  async function edit(run: (chat: number) => Promise<EditOutcome>): Promise<EditOutcome | ChannelFailure> {
    try {
      return await run(chatId);
    } catch (err) {
      const failure = classifyTelegramError(err);
      return failure.retryable ? failure : "refused";
    }
  }

  /** A recovery: the card settles, then a short reply to it (the full notice when there is no card). */
  async function recover(n: Notice, incident: Incident | undefined, lateByMs: number): Promise<ChannelResult> {
    let card = incident?.telegramMessageId;
    if (incident && card !== undefined) {
      const resolved: Incident = { ...incident, state: "resolved", resolvedAt: incident.resolvedAt ?? n.at };
      const html = renderSettledCard(ctx(), resolved);
      const photo = incident.details.mediaId !== undefined;
      const message = card;
      const settled = await edit((chat) => editCard(api, chat, message, html, { photo }));
      if (typeof settled !== "string") return settled;
      if (settled === "gone") card = undefined; // deleted: the recovery says it all itself
    }
    if (card === undefined) return send(renderNotice(ctx(), n, lateByMs), {});
    return send(renderRecoveredReply(ctx(), n, lateByMs), {
      reply_parameters: { message_id: card, allow_sending_without_reply: true },
    });
  }

  /** The notice as this group shows it: a copy without its incident where the card is elsewhere. */
  const shown = (n: Notice): Notice => {
    if (opts.incidentCards !== false || n.incidentId === undefined) return n;
    const { incidentId: _card, ...copy } = n;
    return copy;
  };

  return {
    name: opts.name ?? "telegram",
    digestMax: 50, // and as many as fit in 4,096 characters
    pacing: opts.pacing ?? GROUP_PACING,
    async deliver(entry: OutboxEntryLike, lateByMs: number) {
      const n = shown(entry.notice);
      const text = renderNotice(ctx(), n, lateByMs);
      if (n.kind === "summary" && opts.summaryChart) {
        try {
          const png = await opts.summaryChart(n.at);
          const m = await toGroup((chat) =>
            api.sendPhoto(chat, new InputFile(png, "climate-24h.png"), {
              caption: text,
              parse_mode: "HTML",
              ...thread,
            }),
          );
          return { ok: true, ref: String(m.message_id) };
        } catch (err) {
          return classifyTelegramError(err);
        }
      }
      const incident = await incidentOf(n);
      if (n.kind === "recovered" && n.incidentId) return recover(n, incident, lateByMs);
      const card = incident?.telegramMessageId;
      const incidentId =
        n.kind === "raised" || n.kind === "escalated" || n.kind === "reminder" ? n.incidentId : undefined;
      // Raised and escalated notices are the incident's card; a reminder only when it has none yet.
      const becomesCard = incidentId !== undefined && (n.kind !== "reminder" || card === undefined);
      if (n.kind === "escalated" && card !== undefined) {
        // The escalation takes the card over: the old one gives up its buttons.
        const moved = await edit((chat) => removeKeyboard(api, chat, card));
        if (typeof moved !== "string") return moved;
      }
      const otherRoom =
        opts.hubRoom !== undefined &&
        n.roomId !== opts.hubRoom &&
        n.incidentId === undefined &&
        (n.kind === "raised" || n.kind === "escalated");
      const extra = {
        ...(becomesCard && incidentId && !(incident && isSettled(incident))
          ? {
              reply_markup: alertKeyboard(t, incidentId, {
                clipSeconds: opts.clipSeconds ?? 10,
                recorded: n.rule === "room.motion",
              }),
            }
          : otherRoom
            ? { reply_markup: roomKeyboard(t, n.roomId, opts.clipSeconds ?? 10, n.roomIncidentId) }
            : {}),
        ...(n.kind !== "raised" && card !== undefined
          ? { reply_parameters: { message_id: card, allow_sending_without_reply: true } }
          : {}),
      };
      const result = await post(n, text, extra);
      if (result.ok && becomesCard && incidentId) await recordCard(incidentId, result.ref);
      return result;
    },
    async deliverSafe(entry: OutboxEntryLike, error: string) {
      // Plain text (nothing to parse), no photo, no buttons, no reply: nothing in it can be refused.
      const note = error ? htmlToPlain(t("alert-safe-form", { error: escapeHtml(error.slice(0, 120)) })) : "";
      const text = cutPlain(
        [summarizeNotice(ctx(), entry.notice, SAFE_MAX - note.length - 1), note].filter(Boolean).join("\n"),
        SAFE_MAX,
      );
      try {
        const m = await toGroup((chat) => api.sendMessage(chat, text, { ...thread }));
        const n = shown(entry.notice);
        // The short form of an alert is its card (without buttons): a recovery replies to it.
        if (n.incidentId && (n.kind === "raised" || n.kind === "escalated")) {
          await recordCard(n.incidentId, String(m.message_id));
        }
        return { ok: true, ref: String(m.message_id) };
      } catch (err) {
        return classifyTelegramError(err);
      }
    },
    describe(entry: OutboxEntryLike) {
      return summarizeNotice(ctx(), entry.notice);
    },
    async deliverDigest(entries: OutboxEntryLike[], lateByMs: number) {
      const c = ctx();
      const head = entries[0]?.notice;
      const lines: string[] = [];
      let text = "";
      for (const e of entries) {
        const candidate = [
          t("alert-digest-title", { count: lines.length + 1, room: escapeHtml(head?.roomId ?? "") }),
          "",
          ...lines,
          renderDigestLine(c, e.notice, head?.roomId),
        ].join("\n");
        if (lines.length > 0 && candidate.length > MAX_MESSAGE) break;
        lines.push(renderDigestLine(c, e.notice, head?.roomId));
        text = candidate;
      }
      void lateByMs; // every digest line carries its own observation time
      const result = await send(text, {});
      return result.ok ? { ...result, delivered: lines.length } : result;
    },
  };
}

export interface TelegramAdminChannelOptions {
  api: Api;
  /** The admins to tell (their private chats); read at each delivery. */
  adminIds: () => readonly number[];
  t: Translate;
  timeZone: string;
  clock: { now(): Date };
  logger?: Logger;
}

/**
 * The admins' private chats as a channel, for what the group must not or cannot carry:
 * alerts the group refused for good (undeliverable), a database set aside at start. Each
 * notice goes to every admin; it counts as delivered when at least one admin got it.
 */
export function createTelegramAdminChannel(opts: TelegramAdminChannelOptions): DeliveryChannel {
  const ctx = (): RenderContext => ({ t: opts.t, timeZone: opts.timeZone, now: opts.clock.now().getTime() });
  async function toAll(text: string, parseMode: boolean): Promise<ChannelResult> {
    const ids = [...new Set(opts.adminIds())];
    if (ids.length === 0) return { ok: false, retryable: false, error: "no admin to tell (ADMIN_IDS is empty)" };
    let delivered: string | undefined;
    let failure: ChannelFailure | undefined;
    for (const id of ids) {
      try {
        const m = await opts.api.sendMessage(id, text, parseMode ? { parse_mode: "HTML" } : {});
        delivered ??= String(m.message_id);
      } catch (err) {
        const f = classifyTelegramError(err);
        opts.logger?.warn({ admin: id, error: f.error }, "could not tell an admin");
        // One unreachable admin chat makes the whole try transient; refusals only count if all refuse.
        if (!failure || f.retryable) failure = f;
      }
    }
    if (delivered !== undefined) return { ok: true, ref: delivered };
    return failure ?? { ok: false, retryable: true, error: "no admin reached" };
  }
  return {
    name: "admins",
    pacing: { perWindow: 30, windowMs: 1_000, minGapMs: 0 },
    deliver(entry, lateByMs) {
      return toAll(renderNotice(ctx(), entry.notice, lateByMs), true);
    },
    deliverSafe(entry) {
      return toAll(summarizeNotice(ctx(), entry.notice, SAFE_MAX), false);
    },
    describe(entry) {
      return summarizeNotice(ctx(), entry.notice);
    },
  };
}
