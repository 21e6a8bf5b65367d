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
export const ALERT_REFRESH = "al:ref";
/** Camera buttons (handled by bot/features/camera.ts). */
export const CAMERA_SNAPSHOT = "cam:snap";
export const CAMERA_CLIP = "cam:clip";
/** Sends the media stored with an incident (motion clip, breach photo). */
export const CAMERA_INCIDENT_MEDIA = "cam:inc";
const MAX_CAPTION = 1024;
/** Telegram: at most 20 messages a minute to one group, and about one a second. */
export const GROUP_PACING = { perWindow: 20, windowMs: 60_000, minGapMs: 1_000 };
const MAX_MESSAGE = 4096;

/** Snapshot, Clip N s (and Refresh when `refresh` is given): under /status and every alert. */
export function cameraRow(kb: InlineKeyboard, t: Translate, clipSeconds: number, refresh?: string): InlineKeyboard {
  kb.text(t("camera-button-snapshot"), CAMERA_SNAPSHOT).text(
    t("camera-button-clip", { n: String(clipSeconds) }),
    `${CAMERA_CLIP}:${clipSeconds}`,
  );
  if (refresh) kb.text(t("status-button-refresh"), refresh);
  return kb;
}

export function alertKeyboard(
  t: Translate,
  incidentId: string,
  opts: { ack?: boolean; mute?: boolean; clipSeconds?: number; recorded?: boolean } = {},
): InlineKeyboard {
  const kb = new InlineKeyboard();
  if (opts.ack ?? true) kb.text(t("alert-button-ack"), `${ALERT_ACK}:${incidentId}`).row();
  if (opts.mute ?? true) {
    kb.text(t("alert-button-mute-1h"), `${ALERT_MUTE}:${incidentId}:1h`)
      .text(t("alert-button-mute-24h"), `${ALERT_MUTE}:${incidentId}:24h`)
      .row();
  }
  if (opts.recorded) kb.text(t("camera-button-recorded"), `${CAMERA_INCIDENT_MEDIA}:${incidentId}`).row();
  return cameraRow(kb, t, opts.clipSeconds ?? 10, `${ALERT_REFRESH}:${incidentId}`);
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
  /** Stored snapshots: a notice whose details carry `mediaId` goes out as that photo. */
  media?: { read(id: number): Promise<Buffer | undefined> };
  /** Length of the alert's Clip button. */
  clipSeconds?: number;
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
      const extra = {
        ...(withButtons && n.incidentId
          ? {
              reply_markup: alertKeyboard(t, n.incidentId, {
                clipSeconds: opts.clipSeconds ?? 10,
                recorded: n.rule === "room.motion",
              }),
            }
          : {}),
        ...(replyTo ? { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } } : {}),
      };
      const mediaId = n.kind === "raised" ? Number(n.details.mediaId) : Number.NaN;
      if (Number.isInteger(mediaId) && opts.media && text.length <= MAX_CAPTION) {
        // The photo taken with the alert; gone (retention) or unreadable: the text alone.
        const photo = await opts.media.read(mediaId).catch(() => undefined);
        if (photo) {
          try {
            const m = await api.sendPhoto(chatId, new InputFile(photo, `alert-${n.incidentId ?? mediaId}.jpg`), {
              caption: text,
              parse_mode: "HTML",
              ...thread,
              ...extra,
            });
            return { ok: true, ref: String(m.message_id) };
          } catch (err) {
            return classifyTelegramError(err);
          }
        }
      }
      return send(text, extra);
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
