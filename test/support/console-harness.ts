/**
 * Builds the real console (app/compose-room.ts: the same wiring as main.ts; a SQLite
 * file, simulated devices, the grammY bot polling through @grammyjs/runner) around a local
 * Bot API server on 127.0.0.1, with a manual clock and scheduler. Tests play users and
 * assert on what the bot sent.
 */

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunnerHandle } from "@grammyjs/runner";
import type { SnsSender } from "../../app/alerts.ts";
import {
  type AlertJob,
  composeRoom,
  type DeviceReport,
  type Room,
  type RoomStatusJob,
} from "../../app/compose-room.ts";
import { createSiteLink, type SiteLink, siteRoomOf } from "../../app/site.ts";
import type { BackgroundRunner } from "../../bot/background-runner.ts";
import type { WebServices } from "../../bot/context.ts";
import { startBot } from "../../bot/index.ts";
import type { DeliveryChannel } from "../../core/alerts/dispatcher.ts";
import type { AlertPipeline } from "../../core/alerts/pipeline.ts";
import type { Camera } from "../../core/camera/camera.ts";
import type { CaptureService } from "../../core/camera/capture-service.ts";
import type { ClimateSensor } from "../../core/climate/sensor.ts";
import { systemClock } from "../../core/clock.ts";
import { type Config, parseConfig } from "../../core/config.ts";
import type { InviteStore } from "../../core/door/invites.ts";
import type { EventBus } from "../../core/event-bus.ts";
import type { RoomEvents } from "../../core/events.ts";
import { type Logger, silentLogger } from "../../core/logger.ts";
import type { Storage } from "../../core/storage.ts";
import { createSimulatedCamera, type SimulatedCamera } from "../../hardware/camera/simulator.ts";
import { createSimulatedCardReader, type SimulatedCardReader } from "../../hardware/cards/simulator.ts";
import { createSimulatedClimateSensor } from "../../hardware/climate/simulator.ts";
import { createSimulatedDisplay, type SimulatedDisplay } from "../../hardware/display/simulator.ts";
import { createSimulatedMotionSensor, type SimulatedMotionSensor } from "../../hardware/motion/simulator.ts";
import type { BackupJob } from "../../jobs/backup-job.ts";
import type { DoorJob } from "../../jobs/door-job.ts";
import type { MediaRetentionJob } from "../../jobs/media-retention-job.ts";
import type { SecurityWatchJob } from "../../jobs/security-watch-job.ts";
import type { ServerCheckJob } from "../../jobs/server-check-job.ts";
import type { StorageWatchJob } from "../../jobs/storage-watch-job.ts";
import type { SystemHealthJob, SystemHealthReaders } from "../../jobs/system-health-job.ts";
import { type LocalBotApi, startLocalBotApi, type TestChat, type TestUser } from "../../local/bot-api/server.ts";
import { createSqliteStorage } from "../../storage/sqlite/index.ts";
import { ManualClock, ManualScheduler } from "./fakes.ts";

export const ADMIN: TestUser = { id: 1001, first_name: "Ada", language_code: "en" };
export const STAFF: TestUser = { id: 1002, first_name: "Linus", language_code: "en" };
export const STAFF_JA: TestUser = { id: 1003, first_name: "Yuki", language_code: "ja" };
export const STRANGER: TestUser = { id: 6666, first_name: "Mallory <script>", language_code: "en" };
export const STAFF_GROUP: TestChat = { id: -100_555, type: "supergroup", title: "Server room staff" };
export const privateChat = (u: TestUser): TestChat => ({ id: u.id, type: "private" });

export interface ConsoleHarness {
  api: LocalBotApi;
  config: Config;
  clock: ManualClock;
  scheduler: ManualScheduler;
  storage: Storage;
  sensor: ReturnType<typeof createSimulatedClimateSensor>;
  job: RoomStatusJob;
  bus: EventBus<RoomEvents>;
  runner: RunnerHandle;
  alerts: AlertPipeline;
  alertJob: AlertJob;
  /** The simulated card reader at the door (tap, hold, kill, revive). */
  reader: SimulatedCardReader;
  door: DoorJob;
  /** The simulated LCD (frame(), text(), frames, fail()). */
  display: SimulatedDisplay;
  invites: InviteStore;
  /** The simulated camera (personEnters, fail, hang, unplug). */
  camera: SimulatedCamera;
  capture: CaptureService;
  /** The bot's long work outside the chats' update lanes (running, waiting, idle()). */
  background: BackgroundRunner;
  /** The simulated motion sensor (trigger, kill, revive). */
  motion: SimulatedMotionSensor;
  watch: SecurityWatchJob;
  retention: MediaRetentionJob;
  serverChecks: ServerCheckJob;
  backups: BackupJob;
  storageWatch: StorageWatchJob;
  systemHealth: SystemHealthJob;
  /** The composed room itself (what main.ts and local mode drive), e.g. for local mode's hardware panel. */
  room: Room;
  /** Sends text as `user` (in their private chat unless `chat` given) and waits for the bot's next message there. */
  ask(user: TestUser, text: string, chat?: TestChat): Promise<import("../../local/bot-api/server.ts").RecordedMessage>;
  stop(): Promise<void>;
  /** With MQTT_URL in env: the link to the site (ROLE=hub: `site.rooms` is what its bot asks). */
  site: SiteLink | undefined;
}

export interface HarnessOptions {
  /** Extra environment for parseConfig. */
  env?: Record<string, string>;
  /** Wraps the storage the bot sees (to inject faults). The job keeps the real one. */
  wrapStorage?: (storage: Storage) => Storage;
  /** Wraps the storage the whole room uses, jobs included (e.g. to hold a backup open). */
  wrapRoomStorage?: (storage: Storage) => Storage;
  /** An SNS sender for alerts (e.g. the real SNS channel against a local endpoint). */
  sns?: SnsSender;
  /** Group pacing for alerts; default: Telegram's 20 a minute, without the 1 s gap. */
  pacing?: DeliveryChannel["pacing"];
  /** Reuse an existing data directory (to test restarts). */
  dataDir?: string;
  /** Start the clock here. */
  startAt?: string;
  /** How long /enroll waits for a card (default: the config's 60 s). */
  enrollTimeoutMs?: number;
  /** How long a door message stays on the LCD (default: the config's 5 s). */
  lcdMessageMs?: number;
  /** Simulated camera: ffmpegPath null = clips as GIF; timeoutMs of a capture (default 2 s). */
  camera?: { ffmpegPath?: string | null; timeoutMs?: number };
  /** Credentials for S3 backup uploads (local s3rver). */
  s3Credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Wraps the camera the capture service uses (to hold a capture open, count calls...). */
  wrapCamera?: (camera: SimulatedCamera) => Camera;
  /** The console's logger (default: silent), e.g. to assert that no handler failed. */
  logger?: Logger;
  /** Retry backoff of the alert outbox (default 20..500 ms) and the probe period while Telegram is unreachable. */
  backoff?: { minMs: number; maxMs: number; probeMs?: number };
  /** DATA_DIR's file system as the storage watch sees it (default: a roomy 32 GB disk, half free, whatever this machine's disk is). */
  disk?: { free: number; size: number };
  /** What main.ts found for each device (device.missing incidents on a Pi). */
  deviceReport?: DeviceReport;
  /** The Pi's health as the system-health job reads it (default: clock synchronised, no power data: not a Pi). */
  systemHealth?: SystemHealthReaders;
  /** Wraps the climate sensor the room reads (to hold a reading open). */
  wrapClimate?: (sensor: ReturnType<typeof createSimulatedClimateSensor>) => ClimateSensor;
  /** More alert channels (a room agent's channel to the hub). */
  channels?: DeliveryChannel[];
  /** The dashboard as the bot sees it (/web, "Open dashboard"); default: none (the dashboard off). */
  web?: WebServices;
}

export async function startConsoleHarness(opts: HarnessOptions = {}): Promise<ConsoleHarness> {
  const env = opts.env ?? {};
  const api = await startLocalBotApi({
    botUsername: "seroma_test_bot",
    token: "5000000001:AAHlocalTestTokenForSeroma-0123456789",
  });
  const parsed = parseConfig({
    TELEGRAM_BOT_TOKEN: api.token,
    TELEGRAM_API_ROOT: api.apiRoot,
    ADMIN_IDS: String(ADMIN.id),
    STAFF_IDS: [STAFF.id, STAFF_JA.id].join(","),
    STAFF_CHAT_ID: String(STAFF_GROUP.id),
    ROOM_ID: "test-room",
    DATA_DIR: opts.dataDir ?? mkdtempSync(join(tmpdir(), "seroma-e2e-")),
    HARDWARE: "sim",
    TIMEZONE: "UTC",
    SAMPLE_INTERVAL_SECONDS: "60",
    LOG_LEVEL: "silent",
    ...env,
  });
  if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
  const config: Config = {
    ...parsed.config,
    door: { ...parsed.config.door, ...(opts.enrollTimeoutMs ? { enrollTimeoutMs: opts.enrollTimeoutMs } : {}) },
    lcd: { ...parsed.config.lcd, ...(opts.lcdMessageMs ? { messageMs: opts.lcdMessageMs } : {}) },
  };
  const clock = new ManualClock(opts.startAt ?? "2026-11-23T10:00:00Z");
  const scheduler = new ManualScheduler();
  const storage = createSqliteStorage({ dataDir: config.dataDir });
  const sensor = createSimulatedClimateSensor({ clock, seed: 11 });
  const reader = createSimulatedCardReader({ clock, debounceMs: config.door.debounceMs });
  const display = createSimulatedDisplay({ cols: config.lcd.cols, rows: config.lcd.rows });
  const camera = createSimulatedCamera({
    clock,
    seed: 7,
    width: config.camera.width,
    height: config.camera.height,
    quality: config.camera.quality,
    timeoutMs: opts.camera?.timeoutMs ?? 2_000,
    ...(opts.camera && "ffmpegPath" in opts.camera ? { ffmpegPath: opts.camera.ffmpegPath ?? null } : {}),
  });
  const motion = createSimulatedMotionSensor({ clock, cooldownMs: 0 });
  // The product's wiring (app/compose-room.ts), with a manual clock and scheduler.
  const logger = opts.logger ?? silentLogger;
  // With MQTT_URL: the link to the site (a room agent, or the hub with ROLE=hub) as main.ts
  // wires it; it runs on real time (its heartbeats and silence are timed by the broker's clock).
  const site = createSiteLink({ config, clock: systemClock, logger });
  const room = composeRoom({
    config,
    storage: opts.wrapRoomStorage ? opts.wrapRoomStorage(storage) : storage,
    devices: {
      climate: opts.wrapClimate ? opts.wrapClimate(sensor) : sensor,
      cards: reader,
      display,
      camera: opts.wrapCamera ? opts.wrapCamera(camera) : camera,
      motion,
    },
    clock,
    scheduler,
    logger,
    ...(opts.wrapStorage ? { botStorage: opts.wrapStorage(storage) } : {}),
    pacing: opts.pacing ?? { perWindow: 20, windowMs: 60_000, minGapMs: 0 },
    backoff: opts.backoff ? { minMs: opts.backoff.minMs, maxMs: opts.backoff.maxMs } : { minMs: 20, maxMs: 500 },
    ...(opts.backoff?.probeMs !== undefined ? { probeMs: opts.backoff.probeMs } : {}),
    ...(opts.sns ? { sns: opts.sns } : {}),
    ...(opts.channels || site ? { channels: [...(opts.channels ?? []), ...(site?.channels ?? [])] } : {}),
    ...(site?.rooms ? { rooms: site.rooms } : {}),
    ...(opts.s3Credentials ? { s3Credentials: opts.s3Credentials } : {}),
    // Tests take readings with job.sampleNow(); nothing samples on its own.
    manualSampling: true,
    ...(opts.deviceReport ? { deviceReport: opts.deviceReport } : {}),
    systemHealth: opts.systemHealth ?? {
      clockSynchronised: async () => ({ ok: true, value: true }),
      throttled: async () => ({ ok: false, reason: "not a Raspberry Pi" }),
    },
    // A fake disk: a test machine nearly full must not raise storage alerts in every test.
    diskSpace: async () => ({ ...(opts.disk ?? { free: 16 * 1024 ** 3, size: 32 * 1024 ** 3 }) }),
    ...(opts.web ? { web: opts.web } : {}),
  });
  const seroma = room.bot;
  if (!seroma) throw new Error("the harness always configures a token");
  await room.start();
  await site?.start(siteRoomOf(room, storage, config));
  const runner = await startBot(seroma, logger);
  const {
    roomStatus: job,
    bus,
    alerts,
    alertJob,
    door,
    invites,
    capture,
    background,
    watch,
    retention,
    serverChecks,
    backups,
    storageWatch,
    systemHealth,
  } = room;

  return {
    api,
    config,
    clock,
    scheduler,
    storage,
    sensor,
    job,
    bus,
    runner,
    alerts,
    alertJob,
    reader,
    door,
    display,
    invites,
    camera,
    capture,
    background,
    motion,
    watch,
    retention,
    serverChecks,
    backups,
    storageWatch,
    systemHealth,
    room,
    site,
    async ask(user, text, chat = privateChat(user)) {
      const before = api.messages(chat.id).filter((m) => m.from_bot).length;
      api.sendMessage(user, chat, text);
      return api.waitFor(() => api.messages(chat.id).filter((m) => m.from_bot)[before]);
    },
    async stop() {
      if (runner.isRunning()) await runner.stop();
      await site?.stop();
      await room.stop();
      await camera.close();
      await storage.close();
      await api.close();
    },
  };
}
