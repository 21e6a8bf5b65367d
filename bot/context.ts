import type { I18nFlavor } from "@grammyjs/i18n";
import type { Context } from "grammy";
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
}

interface SeromaFlavor {
  services: BotServices;
  /** Set by the auth filter before any feature runs. */
  role: Role;
  /** Child logger for this update. */
  log: Logger;
  /** Opaque callback data (bot/outgoing.ts): `shorten(data)` gives a reference resolved back before features run. */
  callbackRefs: CallbackRefs;
}

export type SeromaContext = Context & I18nFlavor & SeromaFlavor;
