/**
 * Methods that read chats and files: getChat, getChatMember (as set with `setChatMember`, or
 * "member" for users who wrote there, "left" otherwise) and getFile (a `file_path` for
 * `GET /file/bot<token>/<file_path>` while the bytes are kept).
 */
import type { Member } from "../chats.ts";
import { badRequest } from "../errors.ts";
import { intParam } from "../params.ts";
import type { Handler, ServerParts } from "./context.ts";

export function chatMethods({ chats, files, botUser }: ServerParts): Record<string, Handler> {
  return {
    getchat: (p) => {
      const chat = chats.chatParam(p);
      return { ...chat, accent_color_id: 0, max_reaction_count: 11, accepted_gift_types: {} };
    },
    getchatmember: (p) => {
      const chat = chats.chatParam(p);
      const userId = intParam(p, "user_id");
      if (userId === undefined) throw badRequest("user_id is empty");
      if (userId === botUser.id) return { status: "member", user: botUser };
      const member = chats.member(chat.id, userId);
      if (!member) return { status: "left", user: { id: userId, is_bot: false, first_name: "User" } };
      return memberObject(member);
    },

    getfile: (p) => {
      const file = typeof p.file_id === "string" ? files.files.get(p.file_id) : undefined;
      if (!file) throw badRequest("invalid file_id");
      const result: Record<string, unknown> = { file_id: file.file_id, file_unique_id: file.file_unique_id };
      if (file.bytes) {
        result.file_size = file.bytes.length;
        result.file_path = file.file_path;
      }
      return result;
    },
  };
}

/** A ChatMember object for the member's status. */
function memberObject(m: Member): Record<string, unknown> {
  switch (m.status) {
    case "creator":
      return { status: "creator", user: m.user, is_anonymous: false };
    case "administrator":
      return {
        status: "administrator",
        user: m.user,
        can_be_edited: false,
        is_anonymous: false,
        can_manage_chat: true,
        can_delete_messages: true,
        can_manage_video_chats: true,
        can_restrict_members: true,
        can_promote_members: false,
        can_change_info: true,
        can_invite_users: true,
        can_post_stories: false,
        can_edit_stories: false,
        can_delete_stories: false,
      };
    case "restricted":
      return {
        status: "restricted",
        user: m.user,
        is_member: true,
        can_send_messages: false,
        can_send_audios: false,
        can_send_documents: false,
        can_send_photos: false,
        can_send_videos: false,
        can_send_video_notes: false,
        can_send_voice_notes: false,
        can_send_polls: false,
        can_send_other_messages: false,
        can_add_web_page_previews: false,
        can_change_info: false,
        can_invite_users: false,
        can_pin_messages: false,
        can_manage_topics: false,
        until_date: 0,
      };
    case "kicked":
      return { status: "kicked", user: m.user, until_date: 0 };
    default:
      return { status: m.status, user: m.user };
  }
}
