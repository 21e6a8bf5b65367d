/**
 * Door history in chat: /access [n] and /access NAME (latest entries, with an "Older"
 * button for paging), /who (who came in today) and /export access [days] (CSV).
 * A person's buttons carry an opaque reference (ctx.callbackRefs), not the card UID: a
 * viewer in the staff group must not read UIDs out of callback data; a reference the bot
 * no longer remembers (restart) answers "this button no longer works".
 */
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { Composer, type InlineKeyboard, InputFile } from "grammy";
import { ACCESS_CSV_HEADER, accessCsvRow } from "../../core/door/access-csv.ts";
import { formatCardUid } from "../../core/door/card-uid.ts";
import type { AccessDecision, AccessEntry } from "../../core/door/ports.ts";
import { whoCameInToday } from "../../core/door/who.ts";
import { escapeHtml, formatDateTime } from "../../core/text/format.ts";
import { inBackground } from "../background.ts";
import type { SeromaContext } from "../context.ts";
import { requireStaff } from "../filters/auth.ts";
import { pressed } from "../ui/callback-data.ts";
import { accessKeyboard, accessPeopleKeyboard, type MediaButton } from "../ui/keyboards.ts";

export const ACCESS_DEFAULT = 10;
export const ACCESS_MAX = 50;
const EXPORT_MAX_ROWS = 100_000;
/** CSV rows formatted between two turns of the event loop. */
const CSV_ROWS_PER_TURN = 2_000;
const ICON: Record<AccessDecision, string> = {
  allowed: "✅",
  "off-hours": "🚨",
  unknown: "❓",
  revoked: "⛔",
  "wrong-room": "🚫",
};

/** One door entry: local time, decision, who (or the card), a 📷 when a breach photo is linked. */
export function accessLine(ctx: SeromaContext, e: Omit<AccessEntry, "id" | "roomId">, photo: boolean): string {
  const tz = ctx.services.config.officeHours.timeZone;
  const who = e.staffName ? escapeHtml(e.staffName) : `<code>${escapeHtml(formatCardUid(e.cardUid))}</code>`;
  return `${escapeHtml(formatDateTime(e.at, tz).slice(0, 16))} ${ICON[e.decision]} ${who} · ${ctx.t(`access-decision-${e.decision}`)}${photo ? " 📷" : ""}`;
}

async function render(
  ctx: SeromaContext,
  rows: AccessEntry[],
  limit: number,
  title: string,
  /** Whose entries these are: the latest of everyone, or one card's. */
  whose: { uid?: string },
): Promise<{ text: string; keyboard?: InlineKeyboard }> {
  if (rows.length === 0) return { text: ctx.t("access-empty") };
  // Breach snapshots linked to these entries: marked, and a button each to see them.
  const photos = new Map<number, number>();
  try {
    for (const m of await ctx.services.storage.media.forAccessEntries(rows.map((e) => e.id))) {
      if (m.accessEntryId !== undefined && m.kind === "snapshot") photos.set(m.accessEntryId, m.id);
    }
  } catch (err) {
    ctx.log.warn({ err: (err as Error).message }, "could not look up breach snapshots for /access");
  }
  const text = [title, "", ...rows.map((e) => accessLine(ctx, e, photos.has(e.id)))].join("\n");
  const last = rows[rows.length - 1];
  const tz = ctx.services.config.officeHours.timeZone;
  const buttons: MediaButton[] = [];
  for (const e of rows) {
    const mediaId = photos.get(e.id);
    if (mediaId !== undefined) buttons.push({ label: `📷 ${formatDateTime(e.at, tz).slice(5, 16)}`, mediaId });
  }
  const older =
    rows.length === limit && last
      ? whose.uid === undefined
        ? { limit, before: last.id }
        : { uid: whose.uid, before: last.id }
      : undefined;
  // Viewers in the staff group get these buttons too: a person's pages carry no card UID.
  const keyboard = accessKeyboard(ctx.t, buttons, older, (data) => ctx.callbackRefs.shorten(data));
  return keyboard ? { text, keyboard } : { text };
}

async function sendOrEdit(ctx: SeromaContext, page: { text: string; keyboard?: InlineKeyboard }): Promise<void> {
  const extra = { parse_mode: "HTML" as const, ...(page.keyboard ? { reply_markup: page.keyboard } : {}) };
  if (ctx.callbackQuery) {
    await ctx.answerCallbackQuery();
    await ctx.reply(page.text, extra); // older pages come as new messages: the first stays readable
  } else {
    await ctx.reply(page.text, extra);
  }
}

/** The latest `limit` entries of this room's door log (older ones from its button). */
export async function latestPage(ctx: SeromaContext, limit: number, before?: number): Promise<void> {
  const { config, storage } = ctx.services;
  const rows = await storage.accessLog.latest(config.roomId, limit, before);
  const title = ctx.t("access-title", { room: escapeHtml(config.roomId), count: rows.length });
  await sendOrEdit(ctx, await render(ctx, rows, limit, title, {}));
}

async function cardPage(ctx: SeromaContext, uid: string, limit: number, before?: number): Promise<void> {
  const { config, storage } = ctx.services;
  const member = await storage.staff.getByUid(uid);
  const rows = await storage.accessLog.byCard(config.roomId, uid, limit, before);
  const title = ctx.t("access-title-person", {
    name: escapeHtml(member?.name ?? formatCardUid(uid)),
    room: escapeHtml(config.roomId),
    count: rows.length,
  });
  await sendOrEdit(ctx, await render(ctx, rows, limit, title, { uid }));
}

export const accessFeature = new Composer<SeromaContext>();

accessFeature.command("access", async (ctx) => {
  const arg = ctx.match.trim();
  if (arg === "") return latestPage(ctx, ACCESS_DEFAULT);
  if (/^\d+$/.test(arg)) {
    const n = Number(arg);
    if (n < 1 || n > ACCESS_MAX) {
      await ctx.reply(ctx.t("access-bad-count", { max: String(ACCESS_MAX) }), { parse_mode: "HTML" });
      return;
    }
    return latestPage(ctx, n);
  }
  if (arg.length > 40 || /\p{Cc}/u.test(arg)) {
    await ctx.reply(ctx.t("access-no-person", { name: escapeHtml(arg.slice(0, 40)) }), { parse_mode: "HTML" });
    return;
  }
  const matches = await ctx.services.storage.staff.findByName(arg);
  if (matches.length === 0) {
    await ctx.reply(ctx.t("access-no-person", { name: escapeHtml(arg) }), { parse_mode: "HTML" });
    return;
  }
  const [only] = matches;
  if (matches.length === 1 && only) return cardPage(ctx, only.cardUid, ACCESS_DEFAULT);
  const kb = accessPeopleKeyboard(matches, (data) => ctx.callbackRefs.shorten(data));
  await ctx.reply(ctx.t("access-which", { name: escapeHtml(arg) }), { parse_mode: "HTML", reply_markup: kb });
});

accessFeature.filter(pressed("access-latest"), (ctx) =>
  latestPage(ctx, Math.min(ACCESS_MAX, ctx.button.limit), ctx.button.before),
);
accessFeature.filter(pressed("access-card"), (ctx) => {
  const { uid, before } = ctx.button;
  return cardPage(ctx, uid, ACCESS_DEFAULT, before > 0 ? before : undefined);
});

accessFeature.command("who", async (ctx) => {
  const { config, storage, clock } = ctx.services;
  const now = clock.now().getTime();
  const tz = config.officeHours.timeZone;
  const people = await whoCameInToday(storage.accessLog, config.roomId, now, tz);
  if (people.length === 0) {
    await ctx.reply(ctx.t("who-nobody", { room: escapeHtml(config.roomId) }), { parse_mode: "HTML" });
    return;
  }
  const hm = (at: number) => formatDateTime(at, tz).slice(11, 16);
  const lines = people.map((p) =>
    ctx.t("who-line", {
      name: escapeHtml(p.name),
      first: hm(p.firstAt),
      last: hm(p.lastAt),
      count: String(p.taps),
      flag: p.offHours ? " 🚨" : "",
    }),
  );
  await ctx.reply(
    [ctx.t("who-title", { room: escapeHtml(config.roomId), count: people.length }), "", ...lines].join("\n"),
    {
      parse_mode: "HTML",
    },
  );
});

export { csvField } from "../../core/door/access-csv.ts";

accessFeature.command("export", requireStaff, async (ctx) => {
  const [what, daysText] = ctx.match.trim().split(/\s+/);
  const days = daysText === undefined ? 30 : Number(daysText);
  if (what !== "access" || !Number.isInteger(days) || days < 1 || days > 366) {
    await ctx.reply(ctx.t("export-usage"), { parse_mode: "HTML" });
    return;
  }
  // A year of a busy door is 100,000 rows: seconds to read, format and upload on a Pi.
  await inBackground(ctx, "export", async (work) => {
    const { config, storage, clock } = ctx.services;
    await ctx.replyWithChatAction("upload_document").catch(() => undefined);
    const now = clock.now().getTime();
    const rows = await work.wait(
      storage.accessLog.between(config.roomId, now - days * 86_400_000, now + 1, EXPORT_MAX_ROWS),
    );
    const tz = config.officeHours.timeZone;
    const lines = [ACCESS_CSV_HEADER];
    for (const [i, e] of rows.entries()) {
      // About 15 µs a row here, more on a Pi: let other chats' updates in between.
      if (i > 0 && i % CSV_ROWS_PER_TURN === 0) await work.wait(yieldToEventLoop());
      lines.push(accessCsvRow(e, tz));
    }
    const csv = lines.join("\r\n");
    await ctx.replyWithDocument(
      new InputFile(Buffer.from(`${csv}\r\n`, "utf8"), `access-${config.roomId}-${days}d.csv`),
      {
        caption: ctx.t("export-caption", { count: rows.length, days }),
      },
    );
  });
});
