/**
 * The dashboard (web/) wired to a room: its services from the room (alerts, bus, invites),
 * the storage, the configuration, and the bot's API for the alert cards' edits (a room
 * without a bot has no cards to edit). main.ts starts it after the room, in both modes
 * (with a token, and in local mode with the local Bot API's), and stops it first.
 *
 *   const dash = await startRoomDashboard({ room, storage, clock, logger, drivers });
 *   dash.loginLink(userId)    // what /web sends
 *   await dash.close();
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createI18n, LOCALES_DIR, SUPPORTED_LOCALES } from "../bot/i18n.ts";
import { createAlertCardEditor } from "../channels/telegram/alert-card-editor.ts";
import type { LiveCamera } from "../core/camera/live-camera.ts";
import type { Clock } from "../core/clock.ts";
import { INVITE_PREFIX } from "../core/door/invites.ts";
import type { Logger } from "../core/logger.ts";
import type { Storage } from "../core/storage.ts";
import { type Dashboard, type DashboardOptions, startDashboard } from "../web/server.ts";
import type { DashboardServices } from "../web/services.ts";
import type { Room } from "./compose-room.ts";

export interface RoomDashboardOptions {
  room: Room;
  storage: Storage;
  clock: Clock;
  logger: Logger;
  /** The drivers of the climate sensor and the camera (what /api/room and /api/settings name). */
  drivers: { climate: string; camera: string };
  /** The live camera (main.ts makes it around the camera driver); absent: the live view says there is none. */
  live?: LiveCamera;
  /** Tests: another host/port (0: any free one) and rate limits. */
  listen?: Pick<DashboardOptions, "host" | "port" | "rateLimit" | "pingMs">;
  /** Where locales/*.ftl are (default: the project's). */
  localesDir?: string;
}

/** The section `## Dashboard` of an .ftl file, up to the next `## ` heading: "" when there is none. */
export function dashboardSection(ftl: string): string {
  const lines = ftl.split(/\r?\n/);
  const start = lines.findIndex((l) => /^##\s+Dashboard\b/.test(l));
  if (start < 0) return "";
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => /^##\s/.test(l));
  return `${(end < 0 ? rest : rest.slice(0, end)).join("\n").trim()}\n`;
}

/** The services the dashboard needs, from a room; `close()` releases the bus listeners it took. */
export function dashboardServices(opts: RoomDashboardOptions): { services: DashboardServices; close(): void } {
  const { room, storage, clock, logger } = opts;
  const config = room.config;
  const i18n = room.bot?.i18n ?? createI18n(config.defaultLocale);
  const botUsername = (): string | undefined => {
    try {
      return room.bot?.bot.botInfo.username;
    } catch {
      return undefined; // not initialised yet (getMe pending)
    }
  };
  const cards = room.bot
    ? createAlertCardEditor({
        api: room.bot.bot.api,
        t: (k, v) => i18n.t(config.defaultLocale, k, v),
        config,
        storage,
        clock,
        logger,
      })
    : undefined;
  let sensor: { ok: boolean; lastError?: string } = { ok: true };
  const offs = [
    room.bus.on("climate.reading", () => {
      sensor = { ok: true };
    }),
    room.bus.on("climate.sensor-error", (e) => {
      sensor = { ok: false, lastError: e.message };
    }),
  ];
  const localesDir = opts.localesDir ?? LOCALES_DIR;
  const services: DashboardServices = {
    config,
    clock,
    logger: logger.child({ component: "dashboard" }),
    storage,
    alerts: {
      openIncidents: () => room.alerts.engine.openIncidents(),
      acknowledge: (id, by) => room.alerts.engine.acknowledge(id, by),
      async settleCard(incident) {
        await cards?.settled(incident);
      },
      async mute(incident, by, until) {
        await storage.mutes.set({ roomId: incident.roomId, rule: incident.rule, until, by });
        await cards?.muted(incident, { name: by.name, until });
      },
    },
    bus: room.bus,
    i18n: { locales: SUPPORTED_LOCALES, t: (locale, key, vars) => i18n.t(locale, key, vars) },
    bot: {
      get username() {
        return botUsername();
      },
      token: config.telegram.token,
    },
    sensor: { driver: opts.drivers.climate, state: () => sensor },
    camera: { driver: opts.drivers.camera },
    ...(opts.live ? { live: opts.live } : {}),
    invites: {
      create(cardUid, createdBy) {
        const invite = room.invites.create(cardUid, createdBy, config.door.inviteTtlMs);
        return {
          link: `https://t.me/${botUsername() ?? "bot"}?start=${INVITE_PREFIX}${invite.token}`,
          expiresAt: invite.expiresAt,
        };
      },
    },
    async dashboardFtl(locale) {
      if (!(SUPPORTED_LOCALES as readonly string[]).includes(locale)) return "";
      const text = await readFile(join(localesDir, `${locale}.ftl`), "utf8").catch(() => "");
      return dashboardSection(text);
    },
  };
  return {
    services,
    close() {
      for (const off of offs) off();
    },
  };
}

/** Starts the dashboard of a room (config.web): listening once this resolves. */
export async function startRoomDashboard(opts: RoomDashboardOptions): Promise<Dashboard> {
  const { services, close } = dashboardServices(opts);
  let dashboard: Dashboard;
  try {
    dashboard = await startDashboard({ services, ...opts.listen });
  } catch (err) {
    close();
    throw err;
  }
  return {
    ...dashboard,
    origin: dashboard.origin,
    publicUrl: dashboard.publicUrl,
    async close() {
      close();
      await dashboard.close();
    },
  };
}
