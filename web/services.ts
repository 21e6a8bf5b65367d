/**
 * Everything the dashboard needs from the console, as ports: app/dashboard.ts builds it from
 * the room (app/compose-room.ts), its storage, the configuration and the bot's API; the tests
 * build it the same way. web/ imports core/ and its own files only.
 */

import type { AckResult } from "../core/alerts/engine.ts";
import type { Incident } from "../core/alerts/types.ts";
import type { LiveCamera } from "../core/camera/live-camera.ts";
import type { Clock } from "../core/clock.ts";
import type { Config } from "../core/config.ts";
import type { RoomEvents } from "../core/events.ts";
import type { Logger } from "../core/logger.ts";
import type { Storage } from "../core/storage.ts";

/** The parts of the configuration the dashboard reads (never a token: the bot's is in `bot`). */
export type DashboardConfig = Pick<
  Config,
  | "roomId"
  | "web"
  | "thresholds"
  | "alerts"
  | "officeHours"
  | "sampling"
  | "camera"
  | "servers"
  | "defaultLocale"
  | "storage"
> & { telegram: Pick<Config["telegram"], "adminIds" | "staffIds"> };

/** The room's events the dashboard follows (Server-Sent Events). */
export type DashboardEvents = Pick<RoomEvents, "incident.changed" | "climate.reading" | "door.access">;

export interface DashboardBus {
  on<K extends keyof DashboardEvents>(event: K, listener: (payload: DashboardEvents[K]) => unknown): () => void;
}

/** Who acted, as the audit log and alert cards name them. */
export interface Actor {
  id: number;
  name: string;
}

export interface DashboardAlerts {
  openIncidents(): Incident[];
  acknowledge(id: string, by: Actor): Promise<AckResult>;
  /** The incident's card in the staff group, settled (as after its Acknowledge button). Best effort. */
  settleCard(incident: Incident): Promise<void>;
  /** Mutes the incident's rule until `until` and shows the mute on its card (as after its Mute button). */
  mute(incident: Incident, by: Actor, until: number): Promise<void>;
}

export interface DashboardServices {
  config: DashboardConfig;
  clock: Clock;
  logger: Logger;
  storage: Pick<
    Storage,
    | "kind"
    | "readings"
    | "userSettings"
    | "incidents"
    | "mutes"
    | "audit"
    | "staff"
    | "accessLog"
    | "media"
    | "hosts"
    | "serverResults"
  >;
  alerts: DashboardAlerts;
  bus: DashboardBus;
  /** Translations from locales/*.ftl (the bot's); `locales` are the languages there are. */
  i18n: { locales: readonly string[]; t(locale: string, key: string, vars?: Record<string, string | number>): string };
  /**
   * The bot: its username (links, the Mini App), and the token Telegram signs a Mini App's
   * initData with (in local mode: the local Bot API's). Never sent to a page.
   */
  bot: { username: string | undefined; token: string | undefined };
  /** The climate sensor: its driver, and whether its last reading worked. */
  sensor: { driver: string; state(): { ok: boolean; lastError?: string } };
  /** The camera's driver (the live view itself is `live`). */
  camera: { driver: string };
  /** One-time t.me invites that link a Telegram account to a card (the same as /staff's Invite). */
  invites: { create(cardUid: string, createdBy: number): { link: string; expiresAt: number } };
  /** The section `## Dashboard` of locales/LANG.ftl (keys web-*), or "" where there is none. */
  dashboardFtl(locale: string): Promise<string>;
  /** The live camera (one capture shared by every viewer); absent: the live view says there is no camera. */
  live?: LiveCamera;
}
