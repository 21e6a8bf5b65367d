/**
 * The site's rooms, on the hub (ROLE=hub; README, "Several rooms"). Another room is asked
 * over MQTT (app/site.ts); the hub's own room is acted on here, as in a single room.
 *
 *   /rooms              every room asked for its status at once: its climate and open
 *                       incidents, or that it is silent; the rooms that did not answer within
 *                       the time limit are named (the hub never waits longer for one that is down)
 *   /status             a line per room (the hub's own first) and a button per room
 *   /status ROOM        one room's status, with Snapshot, Clip and Refresh for that room
 *   /snapshot, /clip [s], /arm, /disarm   ask which room (a button per room) when there are
 *                       several; `/snapshot ROOM`, `/clip ROOM 20` name it at once
 *   /server ROOM NAME   checks a server of another room, from that room
 *   /access ROOM [n]    the latest entries of a room's door log (each room keeps its own)
 *
 * On a console that is not a hub (or a hub no room has reported to yet) these are the single
 * room's commands, untouched: /rooms says so, the others fall through to their features.
 */
import { Composer, GrammyError, InputFile } from "grammy";
import { ruleName } from "../../core/alerts/render.ts";
import type { RuleId } from "../../core/alerts/types.ts";
import type { RoomAskResult, RoomStatusAnswer, RoomsService } from "../../core/rooms/commands.ts";
import type { RoomPresence } from "../../core/rooms/silence.ts";
import { ROOM_ID_PATTERN } from "../../core/rooms/topics.ts";
import { HOST_NAME } from "../../core/servers/types.ts";
import { ageParts, escapeHtml, oneDecimal } from "../../core/text/format.ts";
import { hhmm } from "../alert-cards.ts";
import { recordAudit, who } from "../audit.ts";
import { inBackground } from "../background.ts";
import type { SeromaContext } from "../context.ts";
import { requireStaff } from "../filters/auth.ts";
import { pressed, type RoomAct } from "../ui/callback-data.ts";
import { roomKeyboard, roomPickerKeyboard, siteKeyboard } from "../ui/keyboards.ts";
import { ACCESS_DEFAULT, ACCESS_MAX, accessLine, latestPage } from "./access.ts";
import { armHere, disarmHere, hhmmss, mediaSize, parseClipSeconds, sendClip, sendSnapshot } from "./camera.ts";
import { details } from "./servers.ts";
import { sendStatus } from "./status.ts";

/** How long a room may take for a snapshot (a Pi camera's first frame, the upload over MQTT). */
const SNAPSHOT_WITHIN_MS = 30_000;
/** Beyond the clip's own length: encoding on the Pi and the upload over MQTT. */
const CLIP_EXTRA_MS = 90_000;
/** A server check from a room (connect timeout and every check). */
const SERVER_WITHIN_MS = 60_000;

function ago(ctx: SeromaContext, at: number): string {
  const age = ageParts(Math.max(0, ctx.services.clock.now().getTime() - at));
  return ctx.t(age.key, { n: String(age.n) });
}

/** The hub's rooms when there is more than its own to choose from; undefined: act as a single room. */
function siteOf(ctx: SeromaContext): { rooms: RoomsService; names: string[] } | undefined {
  const rooms = ctx.services.rooms;
  if (!rooms) return undefined;
  const remote = rooms.list().map((p) => p.room);
  return remote.length > 0 ? { rooms, names: [rooms.ownRoom, ...remote] } : undefined;
}

function answerLines(ctx: SeromaContext, a: RoomStatusAnswer): string[] {
  const lines = [ctx.t("rooms-room", { room: escapeHtml(a.room) })];
  lines.push(
    a.reading
      ? ctx.t("rooms-reading", {
          temperature: oneDecimal(a.reading.temperatureC),
          humidity: oneDecimal(a.reading.humidityPct),
          age: ago(ctx, a.reading.at),
        })
      : ctx.t("rooms-no-reading"),
  );
  if (a.sampleError) lines.push(ctx.t("rooms-sample-failed", { reason: escapeHtml(a.sampleError) }));
  if (a.open.length === 0) lines.push(ctx.t("rooms-no-incidents"));
  else {
    lines.push(ctx.t("rooms-incidents", { count: a.open.length }));
    for (const i of a.open.slice(0, 10)) {
      lines.push(
        ctx.t("rooms-incident", {
          icon: i.severity === "critical" ? "🔥" : "⚠️",
          rule: ruleName(ctx.t, i.rule as RuleId),
          since: hhmm(ctx, i.openedAt),
        }),
      );
    }
  }
  return lines;
}

function noAnswerLine(ctx: SeromaContext, p: RoomPresence): string {
  return p.silent
    ? ctx.t("rooms-silent", {
        room: escapeHtml(p.room),
        reason: escapeHtml(p.reason ?? ""),
        age: ago(ctx, p.lastSeenAt),
      })
    : ctx.t("rooms-quiet", { room: escapeHtml(p.room), age: ago(ctx, p.lastSeenAt) });
}

/** Why a room did not do what it was asked, in a sentence (the camera's own words for its failures). */
function failureText(
  ctx: SeromaContext,
  rooms: RoomsService,
  room: string,
  r: Exclude<RoomAskResult, { ok: true }>,
  withinMs: number,
): string {
  if (r.reason === "unknown") {
    const known = rooms.list().map((p) => escapeHtml(p.room));
    return ctx.t("rooms-unknown", { room: escapeHtml(room.slice(0, 40)), rooms: known.join(", ") || "—" });
  }
  const lines = [
    r.reason === "failed" && (r.code === "timeout" || r.code === "unavailable")
      ? ctx.t(`camera-failed-${r.code}`, { reason: `${escapeHtml(room)}: ${escapeHtml(r.error ?? "")}` })
      : ctx.t(r.reason === "no-answer" ? "rooms-timeout" : "rooms-failed", {
          room: escapeHtml(room),
          seconds: String(Math.round(withinMs / 1000)),
          error: escapeHtml(r.error ?? ""),
        }),
  ];
  if (r.presence) lines.push(noAnswerLine(ctx, r.presence));
  return lines.join("\n");
}

/** Sends (or, from its Refresh button, edits) another room's status. */
async function remoteStatus(ctx: SeromaContext, rooms: RoomsService, room: string, refresh: boolean): Promise<void> {
  const result = await rooms.status(room, { refresh });
  const text = result.ok
    ? answerLines(ctx, result.answer).join("\n")
    : failureText(ctx, rooms, room, result, rooms.answerWithinMs * (refresh ? 3 : 1));
  const extra = {
    parse_mode: "HTML" as const,
    ...(result.ok ? { reply_markup: roomKeyboard(ctx.t, room, ctx.services.config.camera.clipSeconds) } : {}),
  };
  if (refresh && ctx.callbackQuery?.message) {
    try {
      await ctx.editMessageText(text, extra);
    } catch (err) {
      if (!(err instanceof GrammyError && err.description.includes("not modified"))) throw err;
    }
    return;
  }
  await ctx.reply(text, extra);
}

/** The site at a glance: the hub's own room from here, every other room asked at once. */
async function siteStatus(ctx: SeromaContext, rooms: RoomsService): Promise<void> {
  const { storage, config, alerts } = ctx.services;
  const [latest] = await storage.readings.latest(config.roomId, 1);
  const own: RoomStatusAnswer = {
    room: config.roomId,
    at: ctx.services.clock.now().getTime(),
    ...(latest ? { reading: latest } : {}),
    open: alerts.openIncidents().filter((i) => i.roomId === config.roomId),
  };
  const { answers, noAnswer } = await rooms.statusAll();
  const line = (a: RoomStatusAnswer) => {
    const critical = a.open.some((i) => i.severity === "critical");
    const incidents =
      a.open.length === 0
        ? ctx.t("rooms-site-calm")
        : ctx.t("rooms-site-open", { icon: critical ? "🔥" : "⚠️", count: a.open.length });
    return a.reading
      ? ctx.t("rooms-site-line", {
          room: escapeHtml(a.room),
          temperature: oneDecimal(a.reading.temperatureC),
          humidity: oneDecimal(a.reading.humidityPct),
          incidents,
        })
      : ctx.t("rooms-site-line-no-reading", { room: escapeHtml(a.room), incidents });
  };
  const sorted = answers.sort((x, y) => x.room.localeCompare(y.room));
  const lines = [ctx.t("rooms-site-title", { count: 1 + answers.length + noAnswer.length }), "", line(own)];
  for (const a of sorted) lines.push(line(a));
  for (const p of noAnswer) lines.push(noAnswerLine(ctx, p));
  if (noAnswer.length > 0)
    lines.push(
      "",
      ctx.t("rooms-no-answer", {
        seconds: String(Math.round(rooms.answerWithinMs / 1000)),
        rooms: noAnswer.map((p) => escapeHtml(p.room)).join(", "),
      }),
    );
  lines.push("", ctx.t("rooms-site-hint"));
  await ctx.reply(lines.join("\n"), {
    parse_mode: "HTML",
    reply_markup: siteKeyboard([config.roomId, ...sorted.map((a) => a.room), ...noAnswer.map((p) => p.room)]),
  });
}

async function remoteSnapshot(ctx: SeromaContext, rooms: RoomsService, room: string): Promise<void> {
  await inBackground(
    ctx,
    "room-snapshot",
    async (work) => {
      const r = await work.wait(rooms.ask(room, "snapshot", { by: who(ctx) }, { answerWithinMs: SNAPSHOT_WITHIN_MS }));
      if (!r.ok) {
        await ctx.reply(failureText(ctx, rooms, room, r, SNAPSHOT_WITHIN_MS), { parse_mode: "HTML" });
        return;
      }
      await ctx.replyWithPhoto(new InputFile(r.media, `${room}-${r.result.at}.jpg`), {
        caption: ctx.t("camera-snapshot-caption", {
          room: escapeHtml(room),
          time: hhmmss(ctx, r.result.at),
          driver: escapeHtml(r.result.driver),
        }),
        parse_mode: "HTML",
        reply_markup: roomKeyboard(ctx.t, room, ctx.services.config.camera.clipSeconds),
      });
    },
    { toast: ctx.t("rooms-asking", { room }) },
  );
}

async function remoteClip(ctx: SeromaContext, rooms: RoomsService, room: string, seconds: number): Promise<void> {
  const within = seconds * 1000 + CLIP_EXTRA_MS;
  await inBackground(
    ctx,
    "room-clip",
    async (work) => {
      await work.progress(ctx.t("rooms-clip-progress", { n: String(seconds), room: escapeHtml(room) }));
      const r = await work.wait(rooms.ask(room, "clip", { seconds, by: who(ctx) }, { answerWithinMs: within }));
      if (!r.ok) {
        await work.progress(failureText(ctx, rooms, room, r, within));
        return;
      }
      // No larger than MEDIA_MAX_BYTES (the room refuses bigger ones): within Telegram's 50 MB.
      const clip = r.result;
      const file = new InputFile(r.media, `${room}-${clip.at}.${clip.format}`);
      const extra = {
        caption: ctx.t("camera-clip-caption", {
          room: escapeHtml(room),
          time: hhmmss(ctx, clip.at),
          n: String(clip.seconds),
        }),
        parse_mode: "HTML" as const,
        reply_markup: roomKeyboard(ctx.t, room, ctx.services.config.camera.clipSeconds),
        width: clip.width,
        height: clip.height,
        duration: Math.round(clip.seconds),
      };
      if (clip.format === "mp4") await ctx.replyWithVideo(file, { ...extra, supports_streaming: true });
      else await ctx.replyWithAnimation(file, extra);
      await work.progress(ctx.t("camera-clip-done", { n: String(clip.seconds), size: mediaSize(r.media.length) }));
    },
    { toast: ctx.t("camera-recording", { n: String(seconds) }) },
  );
}

async function remoteWatch(
  ctx: SeromaContext,
  rooms: RoomsService,
  room: string,
  act: "arm" | "disarm",
): Promise<void> {
  const r = await rooms.ask(room, act, { by: who(ctx) });
  if (!r.ok) {
    await ctx.reply(failureText(ctx, rooms, room, r, rooms.answerWithinMs), { parse_mode: "HTML" });
    return;
  }
  await recordAudit(ctx, act, undefined, `room ${room}`);
  const w = r.result;
  const text =
    act === "arm"
      ? ctx.t("watch-armed", {
          name: escapeHtml(w.by?.name ?? ""),
          sensor: escapeHtml(w.sensor),
          room: escapeHtml(room),
        })
      : `${ctx.t(w.was ? "rooms-watch-disarmed" : "rooms-watch-not-armed", { room: escapeHtml(room) })}${w.watching ? `\n${ctx.t("watch-off-hours")}` : ""}`;
  await ctx.reply(text, { parse_mode: "HTML" });
}

async function remoteServer(ctx: SeromaContext, rooms: RoomsService, room: string, name: string): Promise<void> {
  await inBackground(ctx, "room-server-check", async (work) => {
    await work.progress(ctx.t("servers-checking", { name: `${escapeHtml(room)} · ${escapeHtml(name)}` }));
    const r = await work.wait(
      rooms.ask(room, "server-check", { server: name, by: who(ctx) }, { answerWithinMs: SERVER_WITHIN_MS }),
    );
    if (!r.ok) {
      await work.progress(failureText(ctx, rooms, room, r, SERVER_WITHIN_MS));
      return;
    }
    const { spec, result } = r.result;
    if (!spec) {
      await work.progress(ctx.t("rooms-server-unknown", { room: escapeHtml(room), name: escapeHtml(name) }));
      return;
    }
    await work.progress(`${ctx.t("rooms-room", { room: escapeHtml(room) })}\n${details(ctx, spec, result)}`);
  });
}

/** Does `act` in `room`: here when it is the hub's own room, over MQTT otherwise. */
async function act(
  ctx: SeromaContext,
  rooms: RoomsService,
  room: string,
  what: RoomAct,
  seconds?: number,
): Promise<void> {
  const own = room === rooms.ownRoom;
  const clipSeconds = seconds ?? ctx.services.config.camera.clipSeconds;
  switch (what) {
    case "status":
    case "refresh":
      if (own) return sendStatus(ctx);
      return remoteStatus(ctx, rooms, room, what === "refresh");
    case "snapshot":
      if (own)
        return inBackground(ctx, "snapshot", (work) => sendSnapshot(ctx, work), { toast: ctx.t("camera-taking") });
      return remoteSnapshot(ctx, rooms, room);
    case "clip":
      if (own)
        return inBackground(ctx, "clip", (work) => sendClip(ctx, clipSeconds, work), {
          toast: ctx.t("camera-recording", { n: String(clipSeconds) }),
        });
      return remoteClip(ctx, rooms, room, clipSeconds);
    case "arm":
    case "disarm":
      if (own) return what === "arm" ? armHere(ctx) : disarmHere(ctx);
      return remoteWatch(ctx, rooms, room, what);
  }
}

/** "/clip dc-1 20" -> { room: "dc-1", rest: "20" }; a first word that is no room of the site stays in rest. */
function splitRoom(match: string, names: readonly string[]): { room?: string; rest: string } {
  const [first = "", ...rest] = match.trim().split(/\s+/);
  const lower = first.toLowerCase();
  return names.includes(lower) ? { room: lower, rest: rest.join(" ") } : { rest: match.trim() };
}

async function pick(ctx: SeromaContext, names: readonly string[], what: RoomAct, seconds?: number): Promise<void> {
  await ctx.reply(ctx.t("rooms-pick", { command: `/${what}` }), {
    parse_mode: "HTML",
    reply_markup: roomPickerKeyboard(names, what, seconds),
  });
}

export const roomsFeature = new Composer<SeromaContext>();

roomsFeature.command("rooms", async (ctx) => {
  const rooms = ctx.services.rooms;
  if (!rooms) {
    await ctx.reply(ctx.t("rooms-not-hub"), { parse_mode: "HTML" });
    return;
  }
  if (rooms.list().length === 0) {
    await ctx.reply(ctx.t("rooms-none"), { parse_mode: "HTML" });
    return;
  }
  const { answers, noAnswer } = await rooms.statusAll();
  const lines = [ctx.t("rooms-title", { count: answers.length + noAnswer.length }), ""];
  for (const a of answers.sort((x, y) => x.room.localeCompare(y.room))) lines.push(...answerLines(ctx, a), "");
  if (noAnswer.length > 0) {
    lines.push(
      ctx.t("rooms-no-answer", {
        seconds: String(Math.round(rooms.answerWithinMs / 1000)),
        rooms: noAnswer.map((p) => escapeHtml(p.room)).join(", "),
      }),
    );
    for (const p of noAnswer) lines.push(noAnswerLine(ctx, p));
  }
  await ctx.reply(lines.join("\n").trim(), { parse_mode: "HTML" });
});

roomsFeature.command("status", async (ctx, next) => {
  const rooms = ctx.services.rooms;
  const name = ctx.match.trim().toLowerCase();
  if (!rooms) return next();
  if (name === "") {
    const site = siteOf(ctx);
    return site ? siteStatus(ctx, site.rooms) : next();
  }
  if (name === rooms.ownRoom) return next();
  if (!ROOM_ID_PATTERN.test(name) || !rooms.list().some((p) => p.room === name)) {
    await ctx.reply(failureText(ctx, rooms, name, { ok: false, reason: "unknown" }, 0), { parse_mode: "HTML" });
    return;
  }
  await remoteStatus(ctx, rooms, name, false);
});

for (const what of ["snapshot", "arm", "disarm"] as const) {
  roomsFeature.command(what, async (ctx, next) => {
    const site = siteOf(ctx);
    if (!site) return next();
    const { room, rest } = splitRoom(ctx.match, site.names);
    if (!room && rest !== "" && ROOM_ID_PATTERN.test(rest.toLowerCase())) {
      await ctx.reply(failureText(ctx, site.rooms, rest.toLowerCase(), { ok: false, reason: "unknown" }, 0), {
        parse_mode: "HTML",
      });
      return;
    }
    await requireStaff(ctx, async () => {
      if (room) await act(ctx, site.rooms, room, what);
      else await pick(ctx, site.names, what);
    });
  });
}

roomsFeature.command("clip", async (ctx, next) => {
  const site = siteOf(ctx);
  if (!site) return next();
  const { clipSeconds, clipMaxSeconds } = ctx.services.config.camera;
  const { room, rest } = splitRoom(ctx.match, site.names);
  const seconds = parseClipSeconds(rest, clipSeconds, clipMaxSeconds);
  if (typeof seconds !== "number") {
    await ctx.reply(ctx.t("camera-clip-usage", { def: String(clipSeconds), max: String(clipMaxSeconds) }), {
      parse_mode: "HTML",
    });
    return;
  }
  await requireStaff(ctx, async () => {
    if (room) await act(ctx, site.rooms, room, "clip", seconds);
    else await pick(ctx, site.names, "clip", seconds);
  });
});

roomsFeature.command("server", async (ctx, next) => {
  const site = siteOf(ctx);
  if (!site) return next();
  const { room, rest } = splitRoom(ctx.match, site.names);
  if (!room || room === site.rooms.ownRoom) return next();
  const name = rest.toLowerCase();
  if (!HOST_NAME.test(name)) {
    await ctx.reply(ctx.t("rooms-server-usage"), { parse_mode: "HTML" });
    return;
  }
  await requireStaff(ctx, () => remoteServer(ctx, site.rooms, room, name));
});

roomsFeature.command("access", async (ctx, next) => {
  const site = siteOf(ctx);
  if (!site) return next();
  const { room, rest } = splitRoom(ctx.match, site.names);
  if (!room) return next();
  const limit = rest === "" ? ACCESS_DEFAULT : /^\d+$/.test(rest) ? Number(rest) : Number.NaN;
  if (!(limit >= 1 && limit <= ACCESS_MAX)) {
    await ctx.reply(ctx.t("rooms-access-usage", { max: String(ACCESS_MAX) }), { parse_mode: "HTML" });
    return;
  }
  if (room === site.rooms.ownRoom) return latestPage(ctx, limit);
  const r = await site.rooms.ask(room, "access", { limit });
  if (!r.ok) {
    await ctx.reply(failureText(ctx, site.rooms, room, r, site.rooms.answerWithinMs), { parse_mode: "HTML" });
    return;
  }
  const { entries } = r.result;
  const lines =
    entries.length === 0
      ? [ctx.t("access-empty")]
      : [
          ctx.t("access-title", { room: escapeHtml(room), count: entries.length }),
          "",
          ...entries.map((e) => accessLine(ctx, e, false)),
        ];
  await ctx.reply(lines.join("\n"), { parse_mode: "HTML" });
});

roomsFeature.filter(pressed("room-ack"), requireStaff, async (ctx) => {
  const rooms = ctx.services.rooms;
  const { room, incidentId } = ctx.button;
  if (!rooms?.list().some((p) => p.room === room)) {
    await ctx.answerCallbackQuery({ text: ctx.t("rooms-gone", { room }) });
    return;
  }
  const r = await rooms.ask(room, "ack", { incident: incidentId, by: who(ctx) });
  if (!r.ok) {
    await ctx.answerCallbackQuery({ text: ctx.t("rooms-ack-failed", { room }), show_alert: true });
    return;
  }
  const { outcome, by, rule } = r.result;
  await ctx.answerCallbackQuery({ text: ctx.t(`rooms-ack-${outcome}`, { room, name: by?.name ?? "" }) });
  if (outcome === "not-found") return;
  if (outcome === "ok") await recordAudit(ctx, "ack", incidentId, `room ${room}`);
  // The card keeps that room's camera and Refresh; its Acknowledge is done.
  try {
    await ctx.editMessageReplyMarkup({
      reply_markup: roomKeyboard(ctx.t, room, ctx.services.config.camera.clipSeconds),
    });
  } catch (err) {
    ctx.log.debug({ err: (err as Error).message }, "could not take the Acknowledge off another room's card");
  }
  const card = ctx.callbackQuery.message?.message_id;
  if (outcome === "ok")
    await ctx.reply(
      ctx.t("rooms-acked", {
        room: escapeHtml(room),
        rule: rule ? ruleName(ctx.t, rule as RuleId) : "",
        name: escapeHtml(who(ctx).name),
      }),
      {
        parse_mode: "HTML",
        ...(card !== undefined ? { reply_parameters: { message_id: card, allow_sending_without_reply: true } } : {}),
      },
    );
});

roomsFeature.filter(pressed("room-act"), requireStaff, async (ctx) => {
  const rooms = ctx.services.rooms;
  const { room, act: what, seconds } = ctx.button;
  if (!rooms || (room !== rooms.ownRoom && !rooms.list().some((p) => p.room === room))) {
    await ctx.answerCallbackQuery({ text: ctx.t("rooms-gone", { room }) });
    return;
  }
  const max = ctx.services.config.camera.clipMaxSeconds;
  // Background work answers the button itself (its toast); the rest answer it here first.
  if (what !== "snapshot" && what !== "clip") await ctx.answerCallbackQuery();
  await act(ctx, rooms, room, what, seconds === undefined ? undefined : Math.min(max, Math.max(1, seconds)));
});
