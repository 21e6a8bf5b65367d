/**
 * A test site's consoles as real processes (`node main.ts`): the hub, its bot on a local Bot
 * API server, started the way a site starts it (before the rooms).
 */
import type { LocalBotApi } from "../../local/bot-api/server.ts";
import { type Running, startConsole } from "./console-process.ts";
import { HUB_CN, type Mosquitto } from "./mosquitto.ts";

/** The settings every console of a test site shares (simulated devices, logs the tests read). */
export const SITE_CONSOLE_ENV = { HARDWARE: "sim", LOG_LEVEL: "info", BACKUP_AT: "off" } as const;

/**
 * The hub (ROLE=hub, ROOM_ID hq, admin 77), resolved once it listens to every room: its first
 * subscription creates its session at the broker, from then on the rooms' alerts wait there
 * for it whenever it is away.
 */
export async function startHubProcess(
  broker: Mosquitto,
  api: LocalBotApi,
  env: Record<string, string>,
): Promise<Running> {
  const hub = startConsole({
    ROLE: "hub",
    ROOM_ID: "hq",
    TELEGRAM_BOT_TOKEN: api.token,
    TELEGRAM_API_ROOT: api.apiRoot,
    ADMIN_IDS: "77",
    WEB: "off",
    ...SITE_CONSOLE_ENV,
    ...broker.env(HUB_CN),
    ...env,
  });
  try {
    await hub.waitForOutput(/subscribed to every room's status, heartbeat and alerts/, 30_000);
  } catch (err) {
    hub.child.kill("SIGKILL"); // the caller never gets it to stop
    await hub.exited;
    throw err;
  }
  return hub;
}
