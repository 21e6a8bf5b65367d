/**
 * Local mode: the whole console without Telegram. When there is no TELEGRAM_BOT_TOKEN,
 * main.ts starts the built-in Bot API server (local/bot-api) on 127.0.0.1 and points the
 * real bot at it, and serves a web page (local/web) that plays the staff in a private chat
 * and in the staff group, with a panel for the simulated hardware and simulated servers
 * (local/sim-servers.ts), checked over real SSH on loopback.
 *
 * The dashboard (web/) is there too: each persona opens it from the page ("Open dashboard", a
 * one-time link like /web's: `dashboardLink`), and the built-in Bot API server behaves like
 * Telegram's test environment, where Mini Apps may be plain http, so the bot's Mini App buttons
 * (menu button, /status) open the dashboard on http://127.0.0.1 with signed initData, as in
 * Telegram.
 *
 * It keeps its own data (DATA_DIR/local, SQLite), so trying things out never mixes with a
 * real room's records, and it never sends anything outside the machine (no SNS, no S3).
 *
 *   const local = await prepareLocalMode(env);        // Bot API server up; env for parseConfig
 *   ... parse local.env, build storage, devices and the room ...
 *   const { url } = await local.attach({ config, room, devices, storage, clock, logger, dashboardLink });
 *   ... await local.close();
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Room, RoomDevices } from "../app/compose-room.ts";
import type { Clock } from "../core/clock.ts";
import type { Config } from "../core/config.ts";
import type { Logger } from "../core/logger.ts";
import { type ListenTarget, toAddressError } from "../core/startup-error.ts";
import type { Storage } from "../core/storage.ts";
import { normalizeUid } from "../hardware/cards/uid.ts";
import { ensureKeyFile } from "../servers/keys.ts";
import { type LocalBotApi, startLocalBotApi, type TestChat } from "./bot-api/server.ts";
import { createHardwarePanel, type HardwarePanel } from "./hardware-panel.ts";
import { type SimulatedServerFleet, startSimulatedServers } from "./sim-servers.ts";
import { isLoopbackHost, type LocalWeb, type Persona, startLocalWeb } from "./web/server.ts";

/**
 * Who you can be on the page. Mallory is on no allowlist (to see what strangers get) and not in
 * the staff group, so her Telegram shows her private chat with the bot only.
 */
export const LOCAL_PERSONAS: Persona[] = [
  { id: 1001, first_name: "Ada", language_code: "en", role: "admin" },
  { id: 1002, first_name: "Linus", language_code: "en", role: "staff" },
  { id: 6666, first_name: "Mallory", language_code: "en", role: "stranger" },
];
export const LOCAL_GROUP: TestChat = { id: -1_001_234_567_890, type: "supergroup", title: "Server room staff" };
/** The admin persona's card, enrolled on first start so a known card can be tapped at once. */
export const LOCAL_ADMIN_CARD = "04A1B2C3";
const LOCAL_ADMIN = LOCAL_PERSONAS.find((p) => p.role === "admin") as Persona;

/** What local mode sets whatever the environment says (the demo never reaches out). */
function forcedEnv(env: Record<string, string | undefined>, api: LocalBotApi): Record<string, string | undefined> {
  return {
    TELEGRAM_BOT_TOKEN: api.token,
    TELEGRAM_API_ROOT: api.apiRoot,
    ADMIN_IDS: LOCAL_PERSONAS.filter((p) => p.role === "admin")
      .map((p) => p.id)
      .join(","),
    STAFF_IDS: LOCAL_PERSONAS.filter((p) => p.role === "staff")
      .map((p) => p.id)
      .join(","),
    STAFF_CHAT_ID: String(LOCAL_GROUP.id),
    STAFF_CHAT_TOPIC_ID: undefined,
    DATA_DIR: join(env.DATA_DIR || "./data", "local"),
    STORAGE: "sqlite",
    SNS_TOPIC_ARN: undefined,
    AWS_REGION: undefined,
    S3_BUCKET: undefined,
    AWS_DYNAMODB_ENDPOINT: undefined,
    AWS_S3_ENDPOINT: undefined,
    SSH_KEY_FILE: undefined,
  };
}

/** Quicker than a real room's defaults, so a change on the panel shows at once; the environment still wins. */
export const LOCAL_DEFAULTS: Readonly<Record<string, string>> = {
  SAMPLE_INTERVAL_SECONDS: "10",
  ALERT_MIN_DURATION_SECONDS: "0",
  SERVER_CHECK_MINUTES: "1",
  SERVER_DOWN_AFTER: "1",
};

export interface LocalModeAttachArgs {
  config: Config;
  room: Room;
  devices: RoomDevices;
  storage: Storage;
  clock: Clock;
  logger: Logger;
  /** A one-time login link to the dashboard for a user (Dashboard.loginLink); absent: the page offers none. */
  dashboardLink?: (userId: number, name: string) => Promise<string>;
}

export interface LocalMode {
  readonly api: LocalBotApi;
  /** The environment to parse the console's configuration from. */
  readonly env: Record<string, string | undefined>;
  /** Seeds the demo data, starts the simulated servers and the web page. */
  attach(args: LocalModeAttachArgs): Promise<{ url: string; web: LocalWeb; fleet: SimulatedServerFleet }>;
  /** For the LCD's frame logger: the page shows the panel live. */
  lcdChanged(): void;
  close(): Promise<void>;
}

export async function prepareLocalMode(env: Record<string, string | undefined>): Promise<LocalMode> {
  const api = await startLocalBotApi({
    token: `${5_000_000_000 + Math.floor(Math.random() * 1_000_000)}:${randomBytes(24).toString("base64url")}`,
    botUsername: "seroma_local_bot",
    botName: "Seroma",
    // Like Telegram's test environment: Mini App links may be http (the dashboard on loopback).
    testEnvironment: true,
    // Keeps a long session's memory flat: the page shows the newest messages and media.
    limits: { maxRecordedCalls: 2_000, maxMessagesPerChat: 500, maxFileBytes: 32 * 1024 * 1024 },
  }).catch((err: unknown) => {
    throw toAddressError(err, { service: "the built-in Bot API server", host: "127.0.0.1", port: 0 });
  });
  // A port the user chose is kept or refused (a tunnel or a bookmark counts on it); the default one may move.
  const portChosen = Boolean(env.LOCAL_UI_PORT?.trim());
  api.addChat(LOCAL_GROUP);
  const localEnv = { ...LOCAL_DEFAULTS, ...env, ...forcedEnv(env, api) };
  let panel: HardwarePanel | undefined;
  let web: LocalWeb | undefined;
  let fleet: SimulatedServerFleet | undefined;

  return {
    api,
    env: localEnv,
    lcdChanged: () => panel?.changed(),
    async attach({ config, room, devices, storage, clock, logger, dashboardLink }) {
      const log = logger.child({ component: "local-mode" });
      // The admin's card, once, on a fresh data directory.
      if ((await storage.staff.list({ includeRevoked: true })).length === 0) {
        const uid = normalizeUid(LOCAL_ADMIN_CARD) as string;
        await storage.staff.add({
          cardUid: uid,
          name: LOCAL_ADMIN.first_name,
          role: "admin",
          telegramUserId: LOCAL_ADMIN.id,
          active: true,
          createdBy: 0,
          createdAt: clock.now().getTime(),
        });
      }
      const clientKey = ensureKeyFile(config.servers.keyFile, "seroma-local");
      if (clientKey.created) log.info({ keyFile: config.servers.keyFile }, "created the console's SSH key");
      fleet = await startSimulatedServers({
        dir: join(config.dataDir, "sim-servers"),
        clientPublicKey: clientKey.public,
      });
      const registered = await fleet.register(storage.hosts, config.roomId, config.servers.thresholds);
      if (registered.length > 0) log.info({ hosts: registered }, "simulated servers in the catalogue");
      seatStaffGroup(api, config);
      panel = createHardwarePanel({ config, storage, room, devices, fleet, clock });
      const token = sessionToken(config.dataDir);
      const webOptions = {
        api,
        panel,
        personas: LOCAL_PERSONAS,
        groups: [LOCAL_GROUP],
        token,
        host: config.local.host,
        port: config.local.port,
        logger,
        ...(dashboardLink ? { dashboardLink } : {}),
      };
      const address: ListenTarget = {
        service: "local mode's page",
        host: config.local.host,
        port: config.local.port,
        hostVariable: "LOCAL_UI_HOST",
        portVariable: "LOCAL_UI_PORT",
      };
      try {
        web = await startLocalWeb(webOptions);
      } catch (err) {
        const taken = (err as NodeJS.ErrnoException).code === "EADDRINUSE";
        if (!taken || portChosen || config.local.port === 0) throw toAddressError(err, address);
        log.warn({ port: config.local.port }, `port ${config.local.port} is taken; the page gets a free port instead`);
        web = await startLocalWeb({ ...webOptions, port: 0 }).catch((again: unknown) => {
          throw toAddressError(again, { ...address, port: 0 });
        });
      }
      if (!isLoopbackHost(config.local.host)) {
        log.warn(
          { host: config.local.host },
          "the local page listens beyond loopback (LOCAL_UI_HOST): anyone with the address and its token can drive the console",
        );
      }
      return { url: web.url, web, fleet };
    },
    async close() {
      await web?.close();
      await fleet?.close();
      await api.close();
    },
  };
}

/**
 * The staff group's members, as the console's config says: admins (ADMIN_IDS) as the group's
 * administrators, staff (STAFF_IDS) and viewers as members. Anyone else (Mallory) is not in it:
 * the page does not list the group for them and refuses their messages there.
 */
function seatStaffGroup(api: LocalBotApi, config: Config): void {
  const { adminIds, staffIds, staffChatId } = config.telegram;
  if (staffChatId === undefined) return;
  for (const persona of LOCAL_PERSONAS) {
    if (adminIds.includes(persona.id)) api.setChatMember(staffChatId, persona, "administrator");
    else if (staffIds.includes(persona.id) || persona.role === "viewer")
      api.setChatMember(staffChatId, persona, "member");
  }
}

/** The page's session token, kept in DATA_DIR (mode 0600) so a bookmarked address survives restarts. */
function sessionToken(dataDir: string): string {
  const file = join(dataDir, "local-ui-token");
  if (existsSync(file)) {
    const saved = readFileSync(file, "utf8").trim();
    if (/^[A-Za-z0-9_-]{32,}$/.test(saved)) return saved;
  }
  mkdirSync(dataDir, { recursive: true });
  const token = randomBytes(24).toString("base64url");
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}
