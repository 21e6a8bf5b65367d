/**
 * Who may do what with the console.
 * admin: everything; staff: use the console and act on alerts; viewer: a member of the
 * staff group who is not on a list: may read (status, history, alerts) but not act.
 */
import type { StaffRepository } from "./ports.ts";

export type Role = "admin" | "staff" | "viewer";

/** The lists of people by Telegram id (ADMIN_IDS, STAFF_IDS). */
export interface RoleLists {
  adminIds: readonly number[];
  staffIds: readonly number[];
}

/**
 * A person's role wherever they are (no chat: the dashboard, a private chat): ADMIN_IDS ->
 * admin, STAFF_IDS -> staff, else a Telegram account linked to an active card -> that card's
 * role. Undefined for everyone else (a group-only viewer is not a role without the group).
 * Read from storage each time: a revoked card or a removed id takes the role away at once.
 */
export async function roleOfPerson(
  userId: number,
  ids: RoleLists,
  staff: Pick<StaffRepository, "getByTelegramId">,
): Promise<"admin" | "staff" | undefined> {
  if (ids.adminIds.includes(userId)) return "admin";
  if (ids.staffIds.includes(userId)) return "staff";
  const member = await staff.getByTelegramId(userId);
  return member?.active ? member.role : undefined;
}
