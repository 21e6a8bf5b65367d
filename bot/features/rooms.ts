/**
 * The site's rooms, on the hub (ROLE=hub; README, "Several rooms"):
 *   /rooms         every room asked for its status at once: its climate and open incidents,
 *                  or that it is silent; the rooms that did not answer within the time limit
 *                  are named (the hub never waits longer for one room that is down);
 *   /status ROOM   one room's status, asked over MQTT (plain /status stays this console's own).
 * On a console that is not a hub, /rooms says so and /status ROOM is the usual /status.
 */
import { Composer } from "grammy";
import { ruleName } from "../../core/alerts/render.ts";
import type { RuleId } from "../../core/alerts/types.ts";
import type { RoomStatusAnswer } from "../../core/rooms/commands.ts";
import type { RoomPresence } from "../../core/rooms/silence.ts";
import { ageParts, escapeHtml, oneDecimal } from "../../core/text/format.ts";
import { hhmm } from "../alert-cards.ts";
import type { SeromaContext } from "../context.ts";

function ago(ctx: SeromaContext, at: number): string {
  const age = ageParts(Math.max(0, ctx.services.clock.now().getTime() - at));
  return ctx.t(age.key, { n: String(age.n) });
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
  if (!rooms || name === "") return next();
  const result = await rooms.status(name);
  if (result.ok) {
    await ctx.reply(answerLines(ctx, result.answer).join("\n"), { parse_mode: "HTML" });
    return;
  }
  if (result.reason === "unknown") {
    const known = rooms.list().map((p) => escapeHtml(p.room));
    await ctx.reply(ctx.t("rooms-unknown", { room: escapeHtml(name.slice(0, 40)), rooms: known.join(", ") || "—" }), {
      parse_mode: "HTML",
    });
    return;
  }
  const lines = [
    ctx.t(result.reason === "no-answer" ? "rooms-timeout" : "rooms-failed", {
      room: escapeHtml(name),
      seconds: String(Math.round(rooms.answerWithinMs / 1000)),
      error: escapeHtml(result.error ?? ""),
    }),
  ];
  if (result.presence) lines.push(noAnswerLine(ctx, result.presence));
  await ctx.reply(lines.join("\n"), { parse_mode: "HTML" });
});
