/**
 * Builds the real console pieces (SQLite file, simulated sensor, room-status job, the
 * grammY bot polling through @grammyjs/runner) around a local Bot API server on
 * 127.0.0.1, with a manual clock and scheduler. Tests play users and assert on what
 * the bot sent.
 */

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunnerHandle } from "@grammyjs/runner";
import { connectAlertsToBus, type SnsSender, setupAlerts } from "../../bot/alerts/setup.ts";
import { createBot, startBot } from "../../bot/index.ts";
import type { DeliveryChannel } from "../../core/alerts/dispatcher.ts";
import type { AlertPipeline } from "../../core/alerts/pipeline.ts";
import { type CaptureService, createCaptureServiceFromConfig } from "../../core/camera/capture-service.ts";
import { type Config, parseConfig } from "../../core/config.ts";
import { EventBus } from "../../core/event-bus.ts";
import type { RoomEvents } from "../../core/events.ts";
import { createInviteStore, type InviteStore } from "../../core/invites.ts";
import { silentLogger } from "../../core/logger.ts";
import type { Camera } from "../../hardware/camera/port.ts";
import { createSimulatedCamera, type SimulatedCamera } from "../../hardware/camera/simulator.ts";
import { createSimulatedCardReader, type SimulatedCardReader } from "../../hardware/cards/simulator.ts";
import { createSimulatedClimateSensor } from "../../hardware/climate/simulator.ts";
import { createSimulatedDisplay, type SimulatedDisplay } from "../../hardware/display/simulator.ts";
import { createSimulatedMotionSensor, type SimulatedMotionSensor } from "../../hardware/motion/simulator.ts";
import { createAlertJob } from "../../jobs/alert-job.ts";
import { type BackupJob, createBackupJobFromConfig } from "../../jobs/backup-job.ts";
import { createDailySummaryJob } from "../../jobs/daily-summary-job.ts";
import { createDisplayJob } from "../../jobs/display-job.ts";
import { createDoorJob, type DoorJob } from "../../jobs/door-job.ts";
import { createMediaRetentionJob, type MediaRetentionJob } from "../../jobs/media-retention-job.ts";
import { createRoomStatusJob } from "../../jobs/room-status-job.ts";
import { createSecurityWatchJobFromConfig, type SecurityWatchJob } from "../../jobs/security-watch-job.ts";
import { createServerCheckJobFromConfig, type ServerCheckJob, serverServices } from "../../jobs/server-check-job.ts";
import { type LocalBotApi, startLocalBotApi, type TestChat, type TestUser } from "../../local/bot-api/server.ts";
import type { Storage } from "../../storage/ports.ts";
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
  job: ReturnType<typeof createRoomStatusJob>;
  bus: EventBus<RoomEvents>;
  runner: RunnerHandle;
  alerts: AlertPipeline;
  alertJob: ReturnType<typeof createAlertJob>;
  dailySummary: ReturnType<typeof createDailySummaryJob>;
  /** The simulated card reader at the door (tap, hold, kill, revive). */
  reader: SimulatedCardReader;
  door: DoorJob;
  /** The simulated LCD (frame(), text(), frames, fail()). */
  display: SimulatedDisplay;
  displayJob: ReturnType<typeof createDisplayJob>;
  invites: InviteStore;
  /** The simulated camera (personEnters, fail, hang, unplug). */
  camera: SimulatedCamera;
  capture: CaptureService;
  /** The simulated motion sensor (trigger, kill, revive). */
  motion: SimulatedMotionSensor;
  watch: SecurityWatchJob;
  retention: MediaRetentionJob;
  serverChecks: ServerCheckJob;
  backups: BackupJob;
  /** Sends text as `user` (in their private chat unless `chat` given) and waits for the bot's next message there. */
  ask(user: TestUser, text: string, chat?: TestChat): Promise<import("../../local/bot-api/server.ts").RecordedMessage>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  /** Extra environment for parseConfig. */
  env?: Record<string, string>;
  /** Wraps the storage the bot sees (to inject faults). The job keeps the real one. */
  wrapStorage?: (storage: Storage) => Storage;
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
  };
  const clock = new ManualClock(opts.startAt ?? "2026-11-23T10:00:00Z");
  const scheduler = new ManualScheduler();
  const storage = createSqliteStorage({ dataDir: config.dataDir });
  const sensor = createSimulatedClimateSensor({ clock, seed: 11 });
  const bus = new EventBus<RoomEvents>(silentLogger);
  const job = createRoomStatusJob({
    roomId: config.roomId,
    sensor,
    readings: storage.readings,
    clock,
    scheduler,
    bus,
    logger: silentLogger,
    cron: config.sampling.cron,
  });
  const reader = createSimulatedCardReader({ clock, debounceMs: config.door.debounceMs });
  const door = createDoorJob({
    roomId: config.roomId,
    reader,
    staff: storage.staff,
    accessLog: storage.accessLog,
    officeHours: config.officeHours,
    clock,
    bus,
    logger: silentLogger,
  });
  const display = createSimulatedDisplay({ cols: config.lcd.cols, rows: config.lcd.rows });
  const invites = createInviteStore(clock);
  const camera = createSimulatedCamera({
    clock,
    seed: 7,
    width: config.camera.width,
    height: config.camera.height,
    quality: config.camera.quality,
    timeoutMs: opts.camera?.timeoutMs ?? 2_000,
    ...(opts.camera && "ffmpegPath" in opts.camera ? { ffmpegPath: opts.camera.ffmpegPath ?? null } : {}),
  });
  const capture = createCaptureServiceFromConfig(config, {
    camera: opts.wrapCamera ? opts.wrapCamera(camera) : camera,
    media: storage.media,
    readings: storage.readings,
    clock,
    bus,
    logger: silentLogger,
  });
  const motion = createSimulatedMotionSensor({ clock, cooldownMs: 0 });
  const watch = createSecurityWatchJobFromConfig(config, {
    motion: motion,
    capture,
    media: storage.media,
    raise: (details, at) => alerts.engine.raiseEvent("room.motion", "warning", details, at),
    clock,
    bus,
    logger: silentLogger,
  });
  const backups = createBackupJobFromConfig(config, {
    storage,
    scheduler,
    clock,
    logger: silentLogger,
    notify: (n) => alerts.notify(n),
    ...(opts.s3Credentials ? { s3Credentials: opts.s3Credentials } : {}),
  });
  const retention = createMediaRetentionJob({
    media: storage.media,
    budget: config.media,
    scheduler,
    clock,
    logger: silentLogger,
  });
  const serverChecks = createServerCheckJobFromConfig(config, {
    storage,
    // The alert pipeline is built below; server checks start after it.
    engine: { setServerCondition: (rule, problem, at) => alerts.engine.setServerCondition(rule, problem, at) },
    scheduler,
    clock,
    logger: silentLogger,
  });
  const seroma = createBot({
    token: api.token,
    apiRoot: api.apiRoot,
    logger: silentLogger,
    services: {
      config,
      storage: opts.wrapStorage ? opts.wrapStorage(storage) : storage,
      clock,
      climate: { driver: sensor.driver, sampleNow: () => job.sampleNow() },
      alerts: {
        acknowledge: (id, by) => alerts.engine.acknowledge(id, by),
        openIncidents: () => alerts.engine.openIncidents(),
      },
      door: {
        driver: reader.driver,
        captureNextTap: (ms) => door.captureNextTap(ms),
        enrolled: (member) => bus.emit("door.enrolled", { roomId: config.roomId, member }),
      },
      invites,
      camera: { capture },
      watch,
      servers: serverServices(serverChecks, config),
      backup: backups,
    },
  });
  const displayJob = createDisplayJob({
    roomId: config.roomId,
    display,
    bus,
    clock,
    scheduler,
    timeZone: config.officeHours.timeZone,
    logger: silentLogger,
    t: (k, v) => seroma.i18n.t(config.defaultLocale, k, v),
    messageMs: opts.lcdMessageMs ?? config.lcd.messageMs,
  });
  const alerts = setupAlerts({
    config,
    storage,
    clock,
    logger: silentLogger,
    telegram: {
      api: seroma.bot.api,
      i18n: seroma.i18n,
      pacing: opts.pacing ?? { perWindow: 20, windowMs: 60_000, minGapMs: 0 },
    },
    ...(opts.sns ? { sns: opts.sns } : {}),
    backoff: { minMs: 20, maxMs: 500 },
    translate: (k, v) => seroma.i18n.t(config.defaultLocale, k, v),
  });
  connectAlertsToBus(alerts, bus, config.officeHours.timeZone, {
    breachSnapshots: {
      async take(entry) {
        const shot = await capture.snapshot({ reason: "breach", accessEntryId: entry.id, label: "BREACH" });
        return shot.ok && shot.item ? { mediaId: shot.item.id } : undefined;
      },
      link: (mediaId, incidentId) => storage.media.linkIncident(mediaId, incidentId),
    },
  });
  await alerts.start();
  const alertJob = createAlertJob({
    engine: alerts.engine,
    outbox: storage.outbox,
    scheduler,
    clock,
    logger: silentLogger,
    roomId: config.roomId,
  });
  await alertJob.start();
  const dailySummary = createDailySummaryJob({
    roomId: config.roomId,
    at: config.alerts.dailySummaryAt ?? "08:00",
    timeZone: config.officeHours.timeZone,
    incidents: storage.incidents,
    notify: (n) => alerts.notify(n),
    scheduler,
    clock,
    logger: silentLogger,
  });
  await dailySummary.start();
  await displayJob.start();
  await door.start();
  await watch.start();
  await retention.start();
  await serverChecks.start();
  await backups.start();
  const runner = await startBot(seroma, silentLogger);

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
    dailySummary,
    reader,
    door,
    display,
    displayJob,
    invites,
    camera,
    capture,
    motion,
    watch,
    retention,
    serverChecks,
    backups,
    async ask(user, text, chat = privateChat(user)) {
      const before = api.messages(chat.id).filter((m) => m.from_bot).length;
      api.sendMessage(user, chat, text);
      return api.waitFor(() => api.messages(chat.id).filter((m) => m.from_bot)[before]);
    },
    async stop() {
      if (runner.isRunning()) await runner.stop();
      await door.stop();
      await serverChecks.stop();
      await backups.stop();
      await watch.stop();
      await capture.idle();
      await retention.stop();
      await camera.close();
      await displayJob.stop();
      await job.stop();
      await alertJob.stop();
      await dailySummary.stop();
      await alerts.stop();
      await storage.close();
      await api.close();
    },
  };
}
