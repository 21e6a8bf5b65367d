/**
 * The camera in chat: /snapshot, /clip [seconds], the Snapshot / Clip buttons under
 * /status and every alert, the stored media of an incident, /media [date] with paging,
 * and /arm / /disarm of the security watch. Staff only: pictures of the server room are
 * not for every member of the group. Captures go through the capture service, so two
 * people pressing Snapshot at once get the same picture from one capture. Captures and
 * uploads run in the background (bot/background.ts): the chat's other updates (an
 * Acknowledge pressed during a 30 s clip) are handled meanwhile.
 */
import { Composer, GrammyError, type InlineKeyboard, InputFile } from "grammy";
import type { ClipResult } from "../../core/camera/capture-service.ts";
import type { MediaItem } from "../../core/camera/media.ts";
import { escapeHtml, formatDateTime } from "../../core/text/format.ts";
import { localDate, localMidnight } from "../../core/time.ts";
import { recordAudit, who } from "../audit.ts";
import { type ChatWork, inBackground } from "../background.ts";
import type { BackgroundWork } from "../background-runner.ts";
import type { SeromaContext } from "../context.ts";
import { requireStaff } from "../filters/auth.ts";
import { pressed } from "../ui/callback-data.ts";
import { cameraKeyboard, type MediaButton, mediaKeyboard } from "../ui/keyboards.ts";

const MEDIA_PAGE = 8;
/** Edit the clip's progress message at most this often. */
const PROGRESS_EDIT_MS = 1_500;
const CHAT_ACTION_REPEAT_MS = 4_500;
/** Bots may upload files of at most 50 MB. */
const TELEGRAM_MAX_UPLOAD = 50 * 1024 * 1024;

/** A capture's local time, HH:MM:SS (the room's time zone). */
export function hhmmss(ctx: SeromaContext, at: number): string {
  return formatDateTime(at, ctx.services.config.officeHours.timeZone).slice(11, 19);
}

function keyboard(ctx: SeromaContext): InlineKeyboard {
  return cameraKeyboard(ctx.t, ctx.services.config.camera.clipSeconds);
}

/** Chat actions are a courtesy: failing to show one never stops the capture. */
async function chatAction(ctx: SeromaContext, action: "upload_photo" | "record_video" | "upload_video") {
  try {
    await ctx.replyWithChatAction(action);
  } catch (err) {
    ctx.log.debug({ err: (err as Error).message }, "chat action failed");
  }
}

function failureText(ctx: SeromaContext, code: string, message: string): string {
  const key =
    code === "timeout"
      ? "camera-failed-timeout"
      : code === "unavailable"
        ? "camera-failed-unavailable"
        : "camera-failed";
  return ctx.t(key, { reason: escapeHtml(message.slice(0, 300)) });
}

/** A photo's or clip's size for people: "1.2 MB", "340 kB". */
export function mediaSize(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${(bytes / 1024 / 1024).toFixed(1)} MB`
    : `${Math.max(1, Math.round(bytes / 1024))} kB`;
}

/** Takes a snapshot and sends it (background work: see bot/background.ts). */
export async function sendSnapshot(ctx: SeromaContext, work: BackgroundWork): Promise<void> {
  const { camera, config } = ctx.services;
  await chatAction(ctx, "upload_photo");
  const shot = await work.wait(camera.capture.snapshot({ reason: "request", requestedBy: ctx.from?.id ?? 0 }));
  if (!shot.ok) {
    await ctx.reply(failureText(ctx, shot.code, shot.message), { parse_mode: "HTML" });
    return;
  }
  const caption = ctx.t("camera-snapshot-caption", {
    room: escapeHtml(config.roomId),
    time: hhmmss(ctx, shot.at),
    driver: escapeHtml(camera.capture.driver),
  });
  await ctx.replyWithPhoto(new InputFile(shot.jpeg, `${config.roomId}-${shot.at}.jpg`), {
    caption,
    parse_mode: "HTML",
    reply_markup: keyboard(ctx),
  });
}

/** Parses /clip's argument: undefined = default; a number in 1..max; else an error key. */
export function parseClipSeconds(text: string, def: number, max: number): number | { error: true } {
  const arg = text.trim();
  if (arg === "") return def;
  const m = /^(\d{1,3})\s*(s|sec|seconds?)?$/i.exec(arg);
  const n = Number(m?.[1]);
  if (!m || n < 1 || n > max) return { error: true };
  return n;
}

/**
 * Records a clip and sends it (background work: see bot/background.ts), with a progress
 * message edited in place that ends as "Clip of N s sent" (or says why not).
 */
export async function sendClip(ctx: SeromaContext, seconds: number, work: ChatWork): Promise<void> {
  const { camera, config, clock } = ctx.services;
  await chatAction(ctx, "record_video");
  await work.progress(ctx.t("camera-clip-progress", { n: String(seconds), percent: "0" }));
  /** Progress edits are a courtesy: one that fails never stops the clip. */
  const edit = async (text: string) => {
    try {
      await work.progress(text);
    } catch (err) {
      ctx.log.debug({ err: (err as Error).message }, "could not edit the clip progress");
    }
  };
  let lastEdit = 0;
  let lastPercent = 0;
  let edits = Promise.resolve();
  const onProgress = (fraction: number) => {
    const percent = Math.min(100, Math.round(fraction * 100));
    const now = clock.now().getTime();
    if (work.signal.aborted) return;
    if (percent <= lastPercent || (percent < 100 && now - lastEdit < PROGRESS_EDIT_MS)) return;
    lastEdit = now;
    lastPercent = percent;
    const text =
      percent >= 100
        ? ctx.t("camera-clip-encoding", { n: String(seconds) })
        : ctx.t("camera-clip-progress", { n: String(seconds), percent: String(percent) });
    edits = edits.then(() => edit(text));
  };
  // Telegram shows a chat action for 5 s: repeat it while recording.
  const actions = setInterval(() => void chatAction(ctx, "record_video"), CHAT_ACTION_REPEAT_MS);
  let result: ClipResult;
  try {
    result = await work.wait(
      camera.capture.clip(seconds, {
        reason: "request",
        requestedBy: ctx.from?.id ?? 0,
        onProgress,
      }),
    );
  } finally {
    clearInterval(actions);
  }
  await work.wait(edits);
  if (!result.ok) {
    await edit(failureText(ctx, result.code, result.message));
    return;
  }
  const { clip } = result;
  if (clip.bytes.length > TELEGRAM_MAX_UPLOAD) {
    await edit(
      ctx.t("camera-clip-too-large", {
        size: mediaSize(clip.bytes.length),
        n: String(clip.seconds),
        width: String(config.camera.width),
        height: String(config.camera.height),
      }),
    );
    return;
  }
  await chatAction(ctx, "upload_video");
  const caption = ctx.t("camera-clip-caption", {
    room: escapeHtml(config.roomId),
    time: hhmmss(ctx, clip.at),
    n: String(clip.seconds),
  });
  const file = new InputFile(clip.bytes, `${config.roomId}-${clip.at}.${clip.format}`);
  const extra = { caption, parse_mode: "HTML" as const, reply_markup: keyboard(ctx) };
  const dims = { width: clip.width, height: clip.height, duration: Math.round(clip.seconds) };
  if (clip.format === "mp4") await ctx.replyWithVideo(file, { ...extra, ...dims, supports_streaming: true });
  else await ctx.replyWithAnimation(file, { ...extra, ...dims });
  await edit(ctx.t("camera-clip-done", { n: String(clip.seconds), size: mediaSize(clip.bytes.length) }));
}

/** Sends one stored item (photo, video or animation). False if its file is gone. */
async function sendStored(ctx: SeromaContext, item: MediaItem, work: BackgroundWork): Promise<boolean> {
  const bytes = await work.wait(ctx.services.storage.media.read(item.id));
  if (!bytes) return false;
  const caption = ctx.t("media-caption", {
    time: escapeHtml(formatDateTime(item.at, ctx.services.config.officeHours.timeZone)),
    reason: ctx.t(`media-reason-${item.reason}`),
  });
  const ext = item.mime === "video/mp4" ? "mp4" : item.mime === "image/gif" ? "gif" : "jpg";
  const file = new InputFile(bytes, `${item.roomId}-${item.id}.${ext}`);
  if (item.mime === "image/jpeg") await ctx.replyWithPhoto(file, { caption, parse_mode: "HTML" });
  else if (item.mime === "video/mp4")
    await ctx.replyWithVideo(file, {
      caption,
      parse_mode: "HTML",
      supports_streaming: true,
      ...(item.seconds ? { duration: Math.round(item.seconds) } : {}),
    });
  else await ctx.replyWithAnimation(file, { caption, parse_mode: "HTML" });
  return true;
}

/** "today", "yesterday", "YYYY-MM-DD" -> a local date; undefined if it is not one. */
export function parseMediaDate(text: string, now: number, timeZone: string): string | undefined {
  const arg = text.trim().toLowerCase();
  if (arg === "" || arg === "today") return localDate(now, timeZone);
  if (arg === "yesterday") return localDate(now - 86_400_000, timeZone);
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(arg);
  if (!m) return undefined;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === arg ? arg : undefined;
}

async function mediaPage(ctx: SeromaContext, date: string, before: number | undefined, edit: boolean) {
  const { config, storage } = ctx.services;
  const tz = config.officeHours.timeZone;
  const from = localMidnight(date, tz);
  const next = new Date(`${date}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  const to = localMidnight(next.toISOString().slice(0, 10), tz);
  const items = await storage.media.list(config.roomId, {
    from,
    to,
    limit: MEDIA_PAGE + 1,
    ...(before !== undefined ? { before } : {}),
  });
  const page = items.slice(0, MEDIA_PAGE);
  const lines = [ctx.t("media-title", { date, room: escapeHtml(config.roomId) }), ""];
  const buttons: MediaButton[] = [];
  if (page.length === 0) lines.push(ctx.t(before === undefined ? "media-none" : "media-no-more"));
  for (const item of page) {
    const icon = item.kind === "snapshot" ? "📷" : "🎞";
    const time = formatDateTime(item.at, tz).slice(11, 16);
    lines.push(
      ctx.t("media-line", {
        icon,
        time,
        reason: ctx.t(`media-reason-${item.reason}`),
        size: mediaSize(item.size),
        seconds: item.seconds ? ` ${item.seconds} s` : "",
      }),
    );
    buttons.push({ label: `${icon} ${time}`, mediaId: item.id });
  }
  const last = page.at(-1);
  const older = items.length > MEDIA_PAGE && last ? { date, before: last.id } : undefined;
  const keyboardOut = mediaKeyboard(ctx.t, buttons, older);
  const text = lines.join("\n");
  if (edit) {
    try {
      await ctx.editMessageText(text, { parse_mode: "HTML", reply_markup: keyboardOut });
    } catch (err) {
      if (!(err instanceof GrammyError && err.description.includes("not modified"))) throw err;
    }
  } else await ctx.reply(text, { parse_mode: "HTML", reply_markup: keyboardOut });
}

export const cameraFeature = new Composer<SeromaContext>();

cameraFeature.command("snapshot", requireStaff, (ctx) =>
  inBackground(ctx, "snapshot", (work) => sendSnapshot(ctx, work)),
);

cameraFeature.command("clip", requireStaff, async (ctx) => {
  const { clipSeconds, clipMaxSeconds } = ctx.services.config.camera;
  const seconds = parseClipSeconds(ctx.match, clipSeconds, clipMaxSeconds);
  if (typeof seconds !== "number") {
    await ctx.reply(ctx.t("camera-clip-usage", { def: String(clipSeconds), max: String(clipMaxSeconds) }), {
      parse_mode: "HTML",
    });
    return;
  }
  await inBackground(ctx, "clip", (work) => sendClip(ctx, seconds, work));
});

cameraFeature.filter(pressed("camera-snapshot"), requireStaff, (ctx) =>
  inBackground(ctx, "snapshot", (work) => sendSnapshot(ctx, work), { toast: ctx.t("camera-taking") }),
);

cameraFeature.filter(pressed("camera-clip"), requireStaff, async (ctx) => {
  const max = ctx.services.config.camera.clipMaxSeconds;
  const seconds = Math.min(max, Math.max(1, ctx.button.seconds));
  await inBackground(ctx, "clip", (work) => sendClip(ctx, seconds, work), {
    toast: ctx.t("camera-recording", { n: String(seconds) }),
  });
});

cameraFeature.filter(pressed("camera-incident-media"), requireStaff, async (ctx) => {
  const room = ctx.services.config.roomId;
  // Rooms share a backend (AWS): only this room's media, whatever the button says.
  const items = (await ctx.services.storage.media.forIncident(ctx.button.incidentId)).filter((i) => i.roomId === room);
  if (items.length === 0) {
    await ctx.answerCallbackQuery({ text: ctx.t("media-incident-none") });
    return;
  }
  // Uploading a clip takes a while on a Pi's uplink: outside the chat's lane.
  await inBackground(
    ctx,
    "incident-media",
    async (work) => {
      let sent = 0;
      for (const item of items) if (await sendStored(ctx, item, work)) sent++;
      if (sent === 0) await ctx.reply(ctx.t("media-gone"));
    },
    { toast: ctx.t("media-sending") },
  );
});

cameraFeature.command("media", requireStaff, async (ctx) => {
  const { config, clock } = ctx.services;
  const date = parseMediaDate(ctx.match, clock.now().getTime(), config.officeHours.timeZone);
  if (!date) {
    await ctx.reply(ctx.t("media-usage"), { parse_mode: "HTML" });
    return;
  }
  await mediaPage(ctx, date, undefined, false);
});

cameraFeature.filter(pressed("media-page"), requireStaff, async (ctx) => {
  await mediaPage(ctx, ctx.button.date, ctx.button.before, true);
  await ctx.answerCallbackQuery();
});

cameraFeature.filter(pressed("media-get"), requireStaff, async (ctx) => {
  const item = await ctx.services.storage.media.get(ctx.button.mediaId);
  if (!item || item.roomId !== ctx.services.config.roomId) {
    await ctx.answerCallbackQuery({ text: ctx.t("media-gone") });
    return;
  }
  await inBackground(
    ctx,
    "media",
    async (work) => {
      await chatAction(ctx, item.kind === "snapshot" ? "upload_photo" : "upload_video");
      if (!(await sendStored(ctx, item, work))) await ctx.reply(ctx.t("media-gone"));
    },
    { toast: ctx.t("media-sending") },
  );
});

/** /arm in this room. */
export async function armHere(ctx: SeromaContext): Promise<void> {
  const state = ctx.services.watch.arm(who(ctx));
  await recordAudit(ctx, "arm");
  await ctx.reply(
    ctx.t("watch-armed", {
      name: escapeHtml(state.by?.name ?? ""),
      sensor: escapeHtml(ctx.services.watch.state().sensor),
      room: escapeHtml(ctx.services.config.roomId),
    }),
    { parse_mode: "HTML" },
  );
}

/** /disarm in this room. */
export async function disarmHere(ctx: SeromaContext): Promise<void> {
  const was = ctx.services.watch.state().armed;
  ctx.services.watch.disarm(who(ctx));
  await recordAudit(ctx, "disarm");
  const watching = ctx.services.watch.state().watching;
  await ctx.reply(
    ctx.t(was ? "watch-disarmed" : "watch-not-armed") + (watching ? `\n${ctx.t("watch-off-hours")}` : ""),
    {
      parse_mode: "HTML",
    },
  );
}

cameraFeature.command("arm", requireStaff, armHere);

cameraFeature.command("disarm", requireStaff, disarmHere);
