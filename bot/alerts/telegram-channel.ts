/**
 * The staff group as an alert channel: renders notices (HTML, buttons), replies to the
 * original alert for escalations, reminders and recoveries, and turns Telegram's
 * answers into retry decisions for the outbox dispatcher.
 */
import { type Api, GrammyError, HttpError, InlineKeyboard, InputFile } from "grammy";
import type { ChannelResult, DeliveryChannel, OutboxEntryLike } from "../../core/alerts/dispatcher.ts";
import type { Notice } from "../../core/alerts/types.ts";
import type { IncidentRepository } from "../../storage/alert-ports.ts";
import { escapeHtml } from "../html.ts";
import { htmlToPlain, type RenderContext, renderDigestLine, renderNotice, type Translate } from "./render.ts";

export const ALERT_ACK = "al:ack";
export const ALERT_MUTE = "al:mute";
/** Telegram: at most 20 messages a minute to one group, and about one a second. */
export const GROUP_PACING = { perWindow: 20, windowMs: 60_000, minGapMs: 1_000 };
const MAX_MESSAGE = 4096;

export function alertKeyboard(
  t: Translate,
  incidentId: string,
  opts: { ack: boolean } = { ack: true },
): InlineKeyboard {
  const kb = new InlineKeyboard();
  if (opts.ack) kb.text(t("alert-button-ack"), `${ALERT_ACK}:${incidentId}`).row();
  return kb
    .text(t("alert-button-mute-1h"), `${ALERT_MUTE}:${incidentId}:1h`)
    .text(t("alert-button-mute-24h"), `${ALERT_MUTE}:${incidentId}:24h`);
}

/** Telegram's answer as a retry decision. */
export function classifyTelegramError(err: unknown): Extract<ChannelResult, { ok: false }> {
  if (err instanceof GrammyError) {
    const retryAfter = err.parameters.retry_after;
    if (err.error_code === 429)
      return { ok: false, retryable: true, error: err.description, retryAfterMs: (retryAfter ?? 5) * 1000 };
    if (err.error_code >= 500) return { ok: false, retryable: true, error: `${err.error_code} ${err.description}` };
    // 400 (bad request), 403 (bot removed from the group): retrying soon will not help.
    return { ok: false, retryable: false, error: `${err.error_code} ${err.description}` };
  }
  if (err instanceof HttpError) return { ok: false, retryable: true, error: `Telegram unreachable: ${err.message}` };
  return { ok: false, retryable: true, error: err instanceof Error ? err.message : String(err) };
}

export interface TelegramAlertChannelOptions {
  api: Api;
  chatId: number;
  topicId?: number;
  t: Translate;
  timeZone: string;
  clock: { now(): Date };
  incidents: Pick<IncidentRepository, "get">;
  pacing?: DeliveryChannel["pacing"];
  /** Renders the daily summary's chart for the 24 h ending at `at` (PNG). */
  summaryChart?: (at: number) => Promise<Buffer>;
}

export function createTelegramAlertChannel(opts: TelegramAlertChannelOptions): DeliveryChannel {
  const { api, chatId, t } = opts;
  const ctx = (): RenderContext => ({ t, timeZone: opts.timeZone, now: opts.clock.now().getTime() });
  const thread = opts.topicId === undefined ? {} : { message_thread_id: opts.topicId };

  async function send(text: string, extra: Parameters<Api["sendMessage"]>[2]): Promise<ChannelResult> {
    try {
      const m = await api.sendMessage(chatId, text, { parse_mode: "HTML", ...thread, ...extra });
      return { ok: true, ref: String(m.message_id) };
    } catch (err) {
      const result = classifyTelegramError(err);
      // A formatting bug must not block the queue forever: fall back to plain text once.
      if (err instanceof GrammyError && err.error_code === 400 && /parse entities/i.test(err.description)) {
        try {
          const m = await api.sendMessage(chatId, htmlToPlain(text), { ...thread, ...extra });
          return { ok: true, ref: String(m.message_id) };
        } catch (again) {
          return classifyTelegramError(again);
        }
      }
      return result;
    }
  }

  async function replyTarget(n: Notice): Promise<number | undefined> {
    if (n.kind === "raised" || !n.incidentId) return undefined;
    return (await opts.incidents.get(n.incidentId))?.telegramMessageId;
  }

  return {
    name: "telegram",
    digestMax: 50, // and as many as fit in 4,096 characters
    pacing: opts.pacing ?? GROUP_PACING,
    async deliver(entry: OutboxEntryLike, lateByMs: number) {
      const n = entry.notice;
      const text = renderNotice(ctx(), n, lateByMs);
      if (n.kind === "summary" && opts.summaryChart) {
        try {
          const png = await opts.summaryChart(n.at);
          const m = await api.sendPhoto(chatId, new InputFile(png, "climate-24h.png"), {
            caption: text,
            parse_mode: "HTML",
            ...thread,
          });
          return { ok: true, ref: String(m.message_id) };
        } catch (err) {
          return classifyTelegramError(err);
        }
      }
      const replyTo = await replyTarget(n);
      const withButtons =
        n.incidentId !== undefined && (n.kind === "raised" || n.kind === "escalated" || n.kind === "reminder");
      return send(text, {
        ...(withButtons && n.incidentId ? { reply_markup: alertKeyboard(t, n.incidentId) } : {}),
        ...(replyTo ? { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } } : {}),
      });
    },
    async deliverDigest(entries: OutboxEntryLike[], lateByMs: number) {
      const c = ctx();
      const head = entries[0]?.notice;
      const lines: string[] = [];
      let text = "";
      for (const e of entries) {
        const candidate = [
          t("alert-digest-title", { count: String(lines.length + 1), room: escapeHtml(head?.roomId ?? "") }),
          "",
          ...lines,
          renderDigestLine(c, e.notice),
        ].join("\n");
        if (lines.length > 0 && candidate.length > MAX_MESSAGE) break;
        lines.push(renderDigestLine(c, e.notice));
        text = candidate;
      }
      void lateByMs; // every digest line carries its own observation time
      const result = await send(text, {});
      return result.ok ? { ...result, delivered: lines.length } : result;
    },
  };
}
