/**
 * Delivering one-time invite links. Whoever holds a link can redeem it and get the card's
 * role, so a link is only ever sent to the admin's own private chat, never into a group
 * (any member could use it). In a group the admin is told it went privately; if Telegram
 * refuses the private message (the admin never opened a private chat with the bot, or
 * blocked it), the invite is voided and the group is told what to do instead.
 */
import { type Api, GrammyError } from "grammy";
import type { Chat } from "grammy/types";
import { INVITE_PREFIX, type Invite } from "../core/door/invites.ts";
import type { Logger } from "../core/logger.ts";
import { escapeHtml, formatDateTime } from "../core/text/format.ts";

export type Translate = (key: string, vars?: Record<string, string>) => string;

/** "here": the admin's private chat is this chat; "sent": delivered there from a group; "refused": not delivered. */
export type InviteDelivery = "here" | "sent" | "refused";

export interface InviteDeliveryDeps {
  api: Api;
  t: Translate;
  log: Logger;
  botUsername: string;
  timeZone: string;
  /** Voids an invite that could not be delivered. */
  cancel(token: string): void;
}

/**
 * Sends the invite for `name` to `adminId`'s private chat and, when `chat` is a group,
 * tells the group where it went (or that it could not go). Never posts the link in a group.
 */
export async function deliverInvite(
  deps: InviteDeliveryDeps,
  chat: Chat,
  admin: { id: number; name: string },
  name: string,
  invite: Pick<Invite, "token" | "expiresAt">,
): Promise<InviteDelivery> {
  const { api, t } = deps;
  const text = t("enroll-invite", {
    name: escapeHtml(name),
    link: `https://t.me/${deps.botUsername}?start=${INVITE_PREFIX}${invite.token}`,
    until: escapeHtml(formatDateTime(invite.expiresAt, deps.timeZone).slice(0, 16)),
  });
  let delivery: InviteDelivery = chat.type === "private" && chat.id === admin.id ? "here" : "sent";
  try {
    await api.sendMessage(admin.id, text, { parse_mode: "HTML", link_preview_options: { is_disabled: true } });
  } catch (err) {
    if (!(err instanceof GrammyError)) throw err;
    deps.log.warn(
      { adminId: admin.id, errorCode: err.error_code, description: err.description },
      "could not send an invite link to the admin's private chat; the invite is void",
    );
    deps.cancel(invite.token);
    delivery = "refused";
  }
  if (delivery === "here") return delivery;
  const vars = { name: escapeHtml(name), admin: escapeHtml(admin.name), bot: escapeHtml(deps.botUsername) };
  await api.sendMessage(chat.id, t(delivery === "sent" ? "invite-sent-privately" : "invite-not-sent", vars), {
    parse_mode: "HTML",
  });
  return delivery;
}
