/**
 * What a Bot API method handler gets: its parameters (params.ts), the request's uploads and
 * response (for a held long poll), and the parts of the server it works on.
 */
import type http from "node:http";
import type { BotCommand, User, UserFromGetMe } from "grammy/types";
import type { CallLog } from "../calls.ts";
import type { ChatStore } from "../chats.ts";
import type { Listeners } from "../events.ts";
import type { FileStore } from "../files.ts";
import type { MenuButtons } from "../menu-buttons.ts";
import type { Params } from "../params.ts";
import type { UploadedFile } from "../types.ts";
import type { UpdateQueue } from "../updates.ts";

export interface CallContext {
  files: Map<string, UploadedFile>;
  res: http.ServerResponse;
}

/** A method: its `result`, or throws an ApiError (errors.ts). */
export type Handler = (p: Params, ctx: CallContext) => unknown;

/** The server's parts, shared by every method. */
export interface ServerParts {
  botInfo: UserFromGetMe;
  botUser: User;
  chats: ChatStore;
  files: FileStore;
  updates: UpdateQueue;
  log: CallLog;
  listeners: Listeners;
  /** setMyCommands' lists by `commandsKey(scope, language)`. */
  commands: Map<string, BotCommand[]>;
  /** setChatMenuButton's buttons. */
  menuButtons: MenuButtons;
}
