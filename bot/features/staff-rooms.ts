/**
 * `/staff rooms NAME dc-1,dc-2` and `/staff rooms NAME all` (admins): the rooms whose door a
 * card opens (absent: every room). NAME is a staff name (exact, else the only prefix match)
 * or the card's UID. Audited ("staff-rooms"). On a hub, rooms it has not heard from yet are
 * named in the answer (a typo shows), but not refused: a room may be set up later.
 */
import { parseCardRooms, sameRooms } from "../../core/door/card-rooms.ts";
import { formatCardUid, normalizeUid } from "../../core/door/card-uid.ts";
import type { StaffMember } from "../../core/door/ports.ts";
import { escapeHtml, formatDateTime } from "../../core/text/format.ts";
import { recordAudit, who } from "../audit.ts";
import type { SeromaContext } from "../context.ts";

const fold = (s: string) => s.normalize("NFC").toLowerCase();

/** "dc-1, dc-2", or "every room" for a card without a list. */
export function roomsText(ctx: SeromaContext, rooms: readonly string[] | undefined): string {
  return rooms === undefined ? ctx.t("staff-rooms-all") : rooms.map(escapeHtml).join(", ");
}

/** The card NAME means: its UID, the one exact name, or the one prefix match; else the candidates. */
async function findCard(
  ctx: SeromaContext,
  name: string,
): Promise<{ member: StaffMember } | { candidates: StaffMember[] }> {
  const { staff } = ctx.services.storage;
  const uid = normalizeUid(name);
  const byUid = uid ? await staff.getByUid(uid) : undefined;
  if (byUid) return { member: byUid };
  const matches = await staff.findByName(name);
  const exact = matches.filter((m) => fold(m.name) === fold(name.trim()));
  const pick = exact.length === 1 ? exact[0] : matches.length === 1 ? matches[0] : undefined;
  return pick ? { member: pick } : { candidates: exact.length > 1 ? exact : matches };
}

/** `/staff rooms ...` (the caller checked it is an admin). `args`: what follows "rooms". */
export async function setCardRooms(ctx: SeromaContext, args: string): Promise<void> {
  // "dc-1, dc-2" is one list: spaces around commas go before the words are split.
  const words = args
    .replace(/\s*,\s*/g, ",")
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  const spec = words.pop();
  const name = words.join(" ");
  if (!spec || name === "" || name.length > 80 || /\p{Cc}/u.test(name)) {
    await ctx.reply(ctx.t("staff-rooms-usage"), { parse_mode: "HTML" });
    return;
  }
  const parsed = parseCardRooms(spec);
  if (!parsed) {
    await ctx.reply(ctx.t("staff-rooms-bad", { rooms: escapeHtml(spec.slice(0, 200)) }), { parse_mode: "HTML" });
    return;
  }
  const found = await findCard(ctx, name);
  if ("candidates" in found) {
    const key = found.candidates.length === 0 ? "staff-rooms-no-card" : "staff-rooms-ambiguous";
    await ctx.reply(
      ctx.t(key, {
        name: escapeHtml(name),
        names: found.candidates
          .map((m) => `${escapeHtml(m.name)} (<code>${formatCardUid(m.cardUid)}</code>)`)
          .join(", "),
      }),
      { parse_mode: "HTML" },
    );
    return;
  }
  const { member } = found;
  const vars = { name: escapeHtml(member.name), uid: formatCardUid(member.cardUid) };
  if (sameRooms(member.rooms, parsed.rooms)) {
    await ctx.reply(ctx.t("staff-rooms-unchanged", { ...vars, rooms: roomsText(ctx, parsed.rooms) }), {
      parse_mode: "HTML",
    });
    return;
  }
  const { storage, clock, config, rooms: site } = ctx.services;
  const updated = await storage.staff.setRooms(member.cardUid, parsed.rooms);
  if (!updated) {
    await ctx.reply(ctx.t("staff-not-found", { uid: vars.uid }), { parse_mode: "HTML" });
    return;
  }
  const detail = `${member.cardUid} ${member.name}: ${(member.rooms ?? ["*"]).join(",")} -> ${(updated.rooms ?? ["*"]).join(",")}`;
  await recordAudit(ctx, "staff-rooms", undefined, detail);
  ctx.log.info({ uid: member.cardUid, rooms: updated.rooms ?? "all", by: ctx.from?.id }, "card rooms set");
  const known = site ? new Set(site.list().map((p) => p.room)) : undefined;
  const unheard = known ? (updated.rooms ?? []).filter((r) => !known.has(r)) : [];
  const at = formatDateTime(clock.now().getTime(), config.officeHours.timeZone).slice(0, 16);
  const lines = [
    ctx.t("staff-rooms-done", {
      ...vars,
      rooms: roomsText(ctx, updated.rooms),
      by: escapeHtml(who(ctx).name),
      at: escapeHtml(at),
    }),
    ...(unheard.length > 0 ? [ctx.t("staff-rooms-unheard", { rooms: unheard.map(escapeHtml).join(", ") })] : []),
  ];
  await ctx.reply(lines.join("\n"), { parse_mode: "HTML" });
}
