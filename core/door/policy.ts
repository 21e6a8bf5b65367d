/**
 * Door access policy: who may come in when. A card is judged by its exact normalized
 * UID only (never by a name): unknown -> "unknown", revoked -> "revoked", an active card
 * restricted to other rooms -> "wrong-room" (refused here, no breach), a known card outside
 * office hours -> "off-hours" (a breach), otherwise "allowed".
 */

import { isWithinOfficeHours, type OfficeHours } from "../office-hours.ts";
import type { AccessDecision, StaffMember } from "./ports.ts";

export function decideAccess(
  member: StaffMember | undefined,
  roomId: string,
  at: Date,
  hours: OfficeHours,
): AccessDecision {
  if (!member) return "unknown";
  if (!member.active) return "revoked";
  if (!opensRoom(member, roomId)) return "wrong-room";
  return isWithinOfficeHours(at, hours) ? "allowed" : "off-hours";
}

/** Whether `member`'s card opens `roomId`'s door (no list of rooms: every room). */
export function opensRoom(member: Pick<StaffMember, "rooms">, roomId: string): boolean {
  return member.rooms === undefined || member.rooms.includes(roomId);
}

/**
 * Why an admin may not revoke `card`, if they may not: it is their own card (revoking it
 * would take their door access and the role it gives them; another admin can do it), or it
 * is the last active admin card (the room would be left without one: enroll another admin
 * card first). A card that is revoked already is not refused here: nothing would change.
 */
export function revokeRefusal(
  card: StaffMember,
  byTelegramId: number,
  cards: readonly StaffMember[],
): "own-card" | "last-admin" | undefined {
  if (!card.active) return undefined;
  if (card.telegramUserId === byTelegramId) return "own-card";
  const otherAdmins = cards.filter((c) => c.active && c.role === "admin" && c.cardUid !== card.cardUid);
  if (card.role === "admin" && otherAdmins.length === 0) return "last-admin";
  return undefined;
}
