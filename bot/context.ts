/**
 * The context of every update: grammY's Context plus what the bot needs from the rest of the
 * console. The services and the update's logger arrive through the constructor (grammY's
 * `ContextConstructor` bot option: `seromaContextConstructor`), so every handler finds them on
 * `ctx` from the first middleware on, and nothing in the bot reaches for a module singleton.
 * The translations (`t`, `i18n`: bot/i18n.ts), the role (bot/filters/auth.ts) and the callback
 * references (bot/outgoing.ts) are added per update by their middleware.
 *
 * Conversations (@grammyjs/conversations v2) build a plain grammY `Context` for every update
 * they replay (`new Context(update, api, me)`: they take no context constructor), so this
 * class's constructor does not run there; `conversationContext` is the conversations plugin
 * that gives those contexts the same services and logger (bot/index.ts installs it first,
 * before the translations and the text fitting).
 */
import type { ConversationFlavor } from "@grammyjs/conversations";
import type { I18nFlavor } from "@grammyjs/i18n";
import { type Api, Context, type MiddlewareFn } from "grammy";
import type { Update, UserFromGetMe } from "grammy/types";
import type { AlertEngine } from "../core/alerts/engine.ts";
import type { CaptureService } from "../core/camera/capture-service.ts";
import type { SampleOutcome } from "../core/climate/reading.ts";
import type { Clock } from "../core/clock.ts";
import type { Config } from "../core/config.ts";
import type { CardCapture } from "../core/door/card-reader.ts";
import type { InviteStore } from "../core/door/invites.ts";
import type { StaffMember } from "../core/door/ports.ts";
import type { Role } from "../core/door/roles.ts";
import type { Logger } from "../core/logger.ts";
import type { WatchControl } from "../core/motion/watch.ts";
import type { RoomsService } from "../core/rooms/commands.ts";
import type { HostResult } from "../core/servers/types.ts";
import type { BackupOutcome, Storage } from "../core/storage.ts";
import type { BackgroundRunner } from "./background-runner.ts";
import type { CallbackRefs } from "./callback-refs.ts";

/** What the bot needs from the rest of the console. Handlers reach it through `ctx.services`. */
export interface BotServices {
  config: Pick<
    Config,
    | "roomId"
    | "thresholds"
    | "officeHours"
    | "sampling"
    | "telegram"
    | "defaultLocale"
    | "door"
    | "camera"
    | "servers"
    | "backup"
  >;
  storage: Storage;
  clock: Clock;
  /** Acknowledge incidents and list the open ones. */
  alerts: Pick<AlertEngine, "acknowledge" | "openIncidents">;
  climate: {
    /** Which driver feeds the readings ("dht22" or "sim"). */
    driver: string;
    /** Takes a fresh sample now (shared with a run in progress). */
    sampleNow(): Promise<SampleOutcome>;
  };
  door: {
    /** Which driver reads cards ("mfrc522", "mfrc522-rpi" or "sim"). */
    driver: string;
    /** A copy of the next card tap, for /enroll by the admin named `by` (the tap is still judged). */
    captureNextTap(timeoutMs: number, by: string): CardCapture;
    /** Tells the room a card was enrolled (the LCD confirms). */
    enrolled(member: StaffMember): void;
  };
  /** One-time links that tie a Telegram account to a card. */
  invites: InviteStore;
  camera: {
    /** Every snapshot and clip goes through it (shared captures, annotation, storage). */
    capture: CaptureService;
  };
  servers: {
    /** Checks one host now (joins a check of it in progress); undefined if there is no such host. */
    checkNow(name: string): Promise<HostResult | undefined>;
    /** A removed host: resolves its incidents. */
    forget(name: string): Promise<void>;
    /** The host key a server presents, for an admin to compare and confirm. */
    fetchHostKey(
      address: string,
      port: number,
    ): Promise<{ ok: true; fingerprint: string; keyType: string } | { ok: false; message: string }>;
  };
  /** Backups of the embedded database (/backup). */
  backup: { runNow(): Promise<BackupOutcome> };
  /** The security watch (arm / disarm). */
  watch: WatchControl;
  /** Long work outside the chat's update lane (use `inBackground` from bot/background.ts). */
  background: Pick<BackgroundRunner, "submit">;
  /** The hub (ROLE=hub): the site's rooms, asked over MQTT (/rooms, /status ROOM). */
  rooms?: RoomsService;
  /** The dashboard (web/), for /web and the "Open dashboard" buttons; absent when it is off. */
  web?: WebServices;
}

/** What the bot needs of the dashboard. */
export interface WebServices {
  /**
   * A one-time login link for this Telegram user (single use, valid until `expiresAt`, epoch ms);
   * `name` is how the dashboard names them (audit log, alert cards they settle there).
   */
  loginLink(userId: number, name: string): Promise<{ url: string; expiresAt: number }>;
  /** The dashboard's public https address, opened as a Telegram Mini App; undefined: no Mini App. */
  miniAppUrl: string | undefined;
}

/** What every context of one bot is constructed with. */
export interface ContextDeps {
  services: BotServices;
  /** The bot's logger; each update gets a child of it. */
  logger: Logger;
}

/** The dependencies as one update's context holds them. */
function dependencies(deps: ContextDeps, update: Update): { services: BotServices; log: Logger } {
  return { services: deps.services, log: deps.logger.child({ update: update.update_id }) };
}

export class SeromaContext extends Context {
  /** The console's services (ports in core/). */
  readonly services: BotServices;
  /** Child logger for this update. */
  readonly log: Logger;
  /** Set by the auth filter before any feature runs. */
  declare role: Role;
  /** Opaque callback data (bot/outgoing.ts): `shorten(data)` gives a reference resolved back before features run. */
  declare callbackRefs: CallbackRefs;
  /** Translations in the reader's language, set by the i18n middleware (bot/i18n.ts). */
  declare i18n: I18nFlavor["i18n"];
  declare t: I18nFlavor["t"];
  declare translate: I18nFlavor["translate"];

  constructor(update: Update, api: Api, me: UserFromGetMe, deps: ContextDeps) {
    super(update, api, me);
    const { services, log } = dependencies(deps, update);
    this.services = services;
    this.log = log;
  }
}

/** The context outside conversations: SeromaContext plus `ctx.conversation` (installed by the conversations plugin). */
export type SeromaOuterContext = ConversationFlavor<SeromaContext>;

/** What grammY's `ContextConstructor` option takes: a class it calls with (update, api, me). */
export type ContextConstructor<C extends Context> = new (...args: ConstructorParameters<typeof Context>) => C;

/**
 * grammY's `ContextConstructor` for a bot whose contexts carry `deps`. `C` is the context type
 * the bot is declared with: SeromaContext plus what middleware installs later (the
 * conversations plugin's `ctx.conversation`).
 */
export function seromaContextConstructor<C extends SeromaContext = SeromaContext>(
  deps: ContextDeps,
): ContextConstructor<C> {
  return class extends SeromaContext {
    constructor(update: Update, api: Api, me: UserFromGetMe) {
      super(update, api, me, deps);
    }
  } as ContextConstructor<SeromaContext> as ContextConstructor<C>;
}

/**
 * The conversations plugin that gives the contexts a conversation builds (plain grammY
 * contexts, see the header) the services and logger the constructor gives every other one.
 */
export function conversationContext(deps: ContextDeps): MiddlewareFn<SeromaContext> {
  return (ctx, next) => {
    Object.assign(ctx, dependencies(deps, ctx.update));
    return next();
  };
}
