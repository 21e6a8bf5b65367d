/**
 * One room, wired: the jobs, the alert pipeline and the bot around a storage and five
 * devices. main.ts (Telegram) and local mode (local/, the built-in Bot API server) both
 * build the room here, so there is one wiring. Nothing starts until start().
 *
 *   const room = composeRoom({ config, storage, devices, clock, scheduler, logger });
 *   await room.start();               // alerts first, then the jobs
 *   const runner = room.bot && await startBot(room.bot, logger);   // the caller's retry policy
 *   ...
 *   await runner?.stop(); await room.stop();   // then close devices and storage (the caller owns them)
 *
 * The bot exists only when config.telegram.token is set.
 */
import type { UserFromGetMe } from "grammy/types";
import {
  type BackgroundRunner,
  type BackgroundRunnerOptions,
  createBackgroundRunner,
} from "../bot/background-runner.ts";
import type { WebServices } from "../bot/context.ts";
import { createI18n } from "../bot/i18n.ts";
import { createBot, type SeromaBot } from "../bot/index.ts";
import type { DeliveryChannel } from "../core/alerts/dispatcher.ts";
import type { AlertPipeline } from "../core/alerts/pipeline.ts";
import type { RoomDevice } from "../core/alerts/types.ts";
import type { Camera } from "../core/camera/camera.ts";
import { type CaptureService, createCaptureServiceFromConfig } from "../core/camera/capture-service.ts";
import type { ClimateSensor } from "../core/climate/sensor.ts";
import type { Clock } from "../core/clock.ts";
import type { Config } from "../core/config.ts";
import type { Display } from "../core/display/display.ts";
import type { CardReader } from "../core/door/card-reader.ts";
import { createInviteStore, type InviteStore } from "../core/door/invites.ts";
import { EventBus } from "../core/event-bus.ts";
import type { RoomEvents } from "../core/events.ts";
import type { Logger } from "../core/logger.ts";
import type { MotionSensor } from "../core/motion/sensor.ts";
import type { RoomsService } from "../core/rooms/commands.ts";
import type { Scheduler } from "../core/scheduler.ts";
import type { Storage } from "../core/storage.ts";
import { systemHealthReaders } from "../hardware/system/pi-state.ts";
import { createAlertJob } from "../jobs/alert-job.ts";
import type { BackupJob } from "../jobs/backup-job.ts";
import { createDailySummaryJob } from "../jobs/daily-summary-job.ts";
import { createDisplayJob } from "../jobs/display-job.ts";
import { createDoorJob, type DoorJob } from "../jobs/door-job.ts";
import { createMediaRetentionJob, type MediaRetentionJob } from "../jobs/media-retention-job.ts";
import { createRoomStatusJob } from "../jobs/room-status-job.ts";
import { createSecurityWatchJobFromConfig, type SecurityWatchJob } from "../jobs/security-watch-job.ts";
import type { ServerCheckJob } from "../jobs/server-check-job.ts";
import { createStorageWatchJob, type DiskSpace, type StorageWatchJob } from "../jobs/storage-watch-job.ts";
import { createSystemHealthJob, type SystemHealthJob, type SystemHealthReaders } from "../jobs/system-health-job.ts";
import { connectAlertsToBus, type SnsSender, setupAlerts, staffGroupChannels } from "./alerts.ts";
import { createBackupJobFromConfig } from "./backups.ts";
import { createServerCheckJobFromConfig, serverServices } from "./servers.ts";
import { createServiceRunner, type RoomService } from "./services.ts";

/** How long stop() lets a capture in progress finish (a Pi's shutdown has 5 s in all). */
const CAPTURE_GRACE_MS = 1_000;

export interface RoomDevices {
  climate: ClimateSensor;
  cards: CardReader;
  display: Display;
  camera: Camera;
  motion: MotionSensor;
}

export interface ComposeRoomOptions {
  config: Config;
  storage: Storage;
  devices: RoomDevices;
  clock: Clock;
  scheduler: Scheduler;
  logger: Logger;
  /** The bot's identity when known in advance (skips getMe). */
  botInfo?: UserFromGetMe;
  /** Alerts also go to this SNS sender. */
  sns?: SnsSender;
  /** A link to a stored photo that can leave Telegram (presigned S3 URL), for SNS e-mails. */
  photoLink?: (mediaId: number) => Promise<string | undefined>;
  /** The hub: the site's rooms for the bot (app/site.ts). */
  rooms?: RoomsService;
  /** More alert channels (a room agent's channel to the hub, app/site.ts). */
  channels?: readonly DeliveryChannel[];
  /** Group pacing for alerts (default: Telegram's limits). */
  pacing?: DeliveryChannel["pacing"];
  /** Retry backoff of the alert outbox. */
  backoff?: { minMs: number; maxMs: number };
  /** While Telegram (or SNS) is unreachable, alerts are tried again at least this often (default 3 s). */
  probeMs?: number;
  /** Credentials for backup uploads to S3 (default: the AWS chain). */
  s3Credentials?: { accessKeyId: string; secretAccessKey: string };
  /** The storage the bot's handlers see (tests wrap it to inject faults); the jobs keep `storage`. */
  botStorage?: Storage;
  /** Bounds and shutdown grace of the bot's background work (default: BACKGROUND_DEFAULTS). */
  background?: Omit<BackgroundRunnerOptions, "logger">;
  /** How long stop() lets a capture in progress finish before dropping its result (default 1000 ms). */
  captureGraceMs?: number;
  /** Tests: start() leaves the room-status job alone (no cron, no first reading); readings come from roomStatus.sampleNow(). */
  manualSampling?: boolean;
  /** How DATA_DIR's free space is read (default: statfs; tests pass a fake disk). */
  diskSpace?: (dir: string) => Promise<DiskSpace>;
  /** How the Pi's health is read (default: the real system; tests pass fakes). */
  systemHealth?: SystemHealthReaders;
  /**
   * What main.ts found for each device. On a Raspberry Pi with HARDWARE=auto, a device that
   * fell back to the simulator is a `device.missing:DEVICE` incident (found again: resolved).
   */
  deviceReport?: DeviceReport;
  /**
   * The dashboard, for the bot's /web and "Open dashboard" buttons (bot/features/web.ts);
   * absent when it is off. main.ts binds it to the dashboard started after the room.
   */
  web?: WebServices;
}

export interface DeviceReport {
  /** The board is a Raspberry Pi (simulated devices there are not on purpose). */
  raspberryPi: boolean;
  mode: Config["hardware"];
  devices: ReadonlyArray<{ device: RoomDevice; driver: string; reason?: string | undefined }>;
}

export type RoomStatusJob = ReturnType<typeof createRoomStatusJob>;
export type AlertJob = ReturnType<typeof createAlertJob>;

export interface Room {
  readonly config: Config;
  readonly bus: EventBus<RoomEvents>;
  /** Present when config.telegram.token is set. Start it with startBot (bot/index.ts). */
  readonly bot: SeromaBot | undefined;
  readonly alerts: AlertPipeline;
  /** Reminders and outbox pruning, every minute. */
  readonly alertJob: AlertJob;
  readonly roomStatus: RoomStatusJob;
  readonly door: DoorJob;
  readonly capture: CaptureService;
  /** The bot's long work (clips, checks, backups) outside the chats' update lanes. */
  readonly background: BackgroundRunner;
  readonly watch: SecurityWatchJob;
  readonly serverChecks: ServerCheckJob;
  readonly backups: BackupJob;
  readonly retention: MediaRetentionJob;
  /** The watch on DATA_DIR's free space. */
  readonly storageWatch: StorageWatchJob;
  /** The Pi's clock and power, every minute. */
  readonly systemHealth: SystemHealthJob;
  readonly invites: InviteStore;
  /** Translates with the room's default locale. */
  t(key: string, vars?: Record<string, string | number>): string;
  /** The room's services in start order (app/services.ts); stop() goes through them backwards. */
  readonly services: readonly string[];
  /**
   * Starts the services in order: the alert pipeline (and its bus listeners) first, then every
   * job. A service that cannot start is logged and the others still start: the security watch
   * failing is a motion.dead incident; any other failure makes start() reject once the rest
   * have started (stop the room). An alert pipeline that cannot start ends it at once.
   */
  start(): Promise<void>;
  /**
   * Stops every service in the reverse order: the bot's background work first (bounded grace,
   * then aborted), the jobs, the capture service (nothing is stored after it returns), the
   * alert pipeline last, releasing every bus listener the room took (stop the bot's runner
   * first). A stop that fails is logged and the rest still stop; stop() then rejects with it.
   * Leaves devices and storage open.
   */
  stop(): Promise<void>;
}

export function composeRoom(opts: ComposeRoomOptions): Room {
  const { config, storage, devices, clock, scheduler, logger } = opts;
  const timeZone = config.officeHours.timeZone;

  const bus = new EventBus<RoomEvents>(logger);
  const roomStatus = createRoomStatusJob({
    roomId: config.roomId,
    sensor: devices.climate,
    readings: storage.readings,
    clock,
    scheduler,
    bus,
    logger,
    cron: config.sampling.cron,
    timeZone,
  });
  // Late-bound: the system-health job needs the engine, the door job its clock state.
  let systemHealth: SystemHealthJob | undefined;
  const door = createDoorJob({
    roomId: config.roomId,
    reader: devices.cards,
    staff: storage.staff,
    accessLog: storage.accessLog,
    officeHours: config.officeHours,
    clock,
    bus,
    logger,
    clockSynced: () => systemHealth?.clockSynced(),
  });
  const invites = createInviteStore(clock);
  const capture = createCaptureServiceFromConfig(config, {
    camera: devices.camera,
    media: storage.media,
    readings: storage.readings,
    clock,
    bus,
    logger,
  });
  // Late-bound: the pipeline is built below, and motion is only handled after start().
  let alerts: AlertPipeline | undefined;
  const pipeline = (): AlertPipeline => {
    if (!alerts) throw new Error("the alert pipeline is not ready");
    return alerts;
  };
  const watch = createSecurityWatchJobFromConfig(config, {
    motion: devices.motion,
    capture,
    media: storage.media,
    raise: (details, at) => pipeline().engine.raiseEvent("room.motion", "warning", details, at),
    clock,
    bus,
    logger,
  });
  const serverChecks = createServerCheckJobFromConfig(config, {
    storage,
    engine: { setServerCondition: (rule, problem, at) => pipeline().engine.setServerCondition(rule, problem, at) },
    scheduler,
    clock,
    logger,
  });
  const backups = createBackupJobFromConfig(config, {
    storage,
    scheduler,
    clock,
    logger,
    notify: (n) => pipeline().notify(n),
    ...(opts.s3Credentials ? { s3Credentials: opts.s3Credentials } : {}),
  });
  const retention = createMediaRetentionJob({
    media: storage.media,
    budget: config.media,
    scheduler,
    clock,
    logger,
    timeZone,
  });

  const background = createBackgroundRunner({ logger, ...opts.background });

  const token = config.telegram.token;
  const bot = token
    ? createBot({
        token,
        apiRoot: config.telegram.apiRoot,
        logger,
        ...(opts.botInfo ? { botInfo: opts.botInfo } : {}),
        services: {
          config,
          storage: opts.botStorage ?? storage,
          clock,
          climate: { driver: devices.climate.driver, sampleNow: () => roomStatus.sampleNow() },
          alerts: {
            acknowledge: (id, by) => pipeline().engine.acknowledge(id, by),
            openIncidents: () => pipeline().engine.openIncidents(),
          },
          door: {
            driver: devices.cards.driver,
            captureNextTap: (ms, by) => door.captureNextTap(ms, by),
            enrolled: (member) => bus.emit("door.enrolled", { roomId: config.roomId, member }),
          },
          invites,
          camera: { capture },
          watch,
          servers: serverServices(serverChecks, config),
          backup: backups,
          background,
          ...(opts.rooms ? { rooms: opts.rooms } : {}),
          ...(opts.web ? { web: opts.web } : {}),
        },
      })
    : undefined;

  const i18n = bot?.i18n ?? createI18n(config.defaultLocale);
  const t = (k: string, v?: Record<string, string | number>) => i18n.t(config.defaultLocale, k, v);
  alerts = setupAlerts({
    config,
    storage,
    clock,
    logger,
    ...(bot ? { telegram: { api: bot.bot.api, i18n: bot.i18n, ...(opts.pacing ? { pacing: opts.pacing } : {}) } } : {}),
    ...(opts.sns ? { sns: opts.sns } : {}),
    ...(opts.backoff ? { backoff: opts.backoff } : {}),
    ...(opts.probeMs !== undefined ? { probeMs: opts.probeMs } : {}),
    ...(opts.photoLink ? { photoLink: opts.photoLink } : {}),
    ...(opts.channels ? { channels: opts.channels } : {}),
    translate: t,
    bus,
  });
  if (bot) {
    // Telegram answers again (a poll, a reply, anything): alerts waiting for it go now, not at their next retry.
    const pipelineForResume = alerts;
    bot.bot.api.config.use(async (prev, method, payload, signal) => {
      const result = await prev(method, payload, signal);
      if (result.ok) pipelineForResume.reachable([...staffGroupChannels(config.telegram), "admins"]);
      return result;
    });
  }
  const alertJob = createAlertJob({
    engine: alerts.engine,
    outbox: storage.outbox,
    ledger: storage.alertLedger,
    scheduler,
    clock,
    logger,
    roomId: config.roomId,
    timeZone,
  });
  const displayJob = createDisplayJob({
    roomId: config.roomId,
    display: devices.display,
    bus,
    clock,
    scheduler,
    timeZone,
    logger,
    t,
    messageMs: config.lcd.messageMs,
  });
  const storageWatch = createStorageWatchJob({
    dir: config.dataDir,
    thresholds: config.disk,
    engine: alerts.engine,
    // Media are files in DATA_DIR only with the embedded backend (on S3 they free nothing here).
    ...(storage.kind === "sqlite" ? { makeRoom: (bytes: number) => retention.makeRoom(bytes) } : {}),
    scheduler,
    clock,
    logger,
    timeZone,
    ...(opts.diskSpace ? { measure: opts.diskSpace } : {}),
  });
  systemHealth = createSystemHealthJob({
    engine: alerts.engine,
    readers: opts.systemHealth ?? systemHealthReaders(),
    scheduler,
    clock,
    logger,
    timeZone,
  });
  const health = systemHealth;
  const engine = alerts.engine;
  /** Simulated devices on a Pi are incidents; devices found again resolve them. */
  async function reportDevices(report: DeviceReport): Promise<void> {
    const at = clock.now().getTime();
    for (const d of report.devices) {
      const missing = report.raspberryPi && report.mode === "auto" && d.driver === "sim";
      await engine.setCondition(
        `device.missing:${d.device}`,
        missing ? { severity: "warning", details: { driver: d.driver, reason: d.reason ?? "" } } : undefined,
        at,
        { driver: d.driver },
      );
    }
  }
  const dailySummary = config.alerts.dailySummaryAt
    ? createDailySummaryJob({
        roomId: config.roomId,
        at: config.alerts.dailySummaryAt,
        timeZone,
        incidents: storage.incidents,
        notify: (n) => pipeline().notify(n),
        scheduler,
        clock,
        logger,
      })
    : undefined;

  const pipelineNow = alerts;
  /** The alert pipeline's bus listeners, while it runs. */
  let disconnectAlerts: (() => void) | undefined;
  const job = (name: string, j: { start(): Promise<void>; stop(): Promise<void> }): RoomService => ({
    name,
    start: () => j.start(),
    stop: () => j.stop(),
  });
  const noStart = async () => {};
  const deviceReport = opts.deviceReport;
  // Started in this order and stopped in the reverse one. Alerts first: the first reading is
  // already judged, and undelivered notices from before a restart go out now. The LCD listens
  // before the first reading is taken. The capture service is closed after the door and the
  // security watch (they take pictures), the bot's background work is stopped before
  // everything (it waits on the jobs and the camera, never the other way round).
  const services: RoomService[] = [
    {
      name: "alerts",
      required: true,
      async start() {
        await pipelineNow.start();
        disconnectAlerts ??= connectAlertsToBus(pipelineNow, bus, timeZone, {
          logger,
          breachSnapshots: {
            async take(entry) {
              const shot = await capture.snapshot({ reason: "breach", accessEntryId: entry.id, label: "BREACH" });
              return shot.ok && shot.item ? { mediaId: shot.item.id } : undefined;
            },
            link: (mediaId, incidentId) => storage.media.linkIncident(mediaId, incidentId),
          },
        });
      },
      async stop() {
        disconnectAlerts?.();
        disconnectAlerts = undefined;
        await pipelineNow.stop();
      },
    },
    job("alert-job", alertJob),
    ...(dailySummary ? [job("daily-summary", dailySummary)] : []),
    job("display", displayJob),
    {
      name: "room-status",
      start: async () => {
        if (!opts.manualSampling) await roomStatus.start();
      },
      stop: () => roomStatus.stop(),
    },
    // Nothing to start; closed (bounded grace) once nothing that takes pictures runs.
    { name: "capture", start: noStart, stop: () => capture.close(opts.captureGraceMs ?? CAPTURE_GRACE_MS) },
    job("door", door),
    job("media-retention", retention),
    job("storage-watch", storageWatch),
    job("system-health", health),
    ...(deviceReport ? [{ name: "device-report", start: () => reportDevices(deviceReport), stop: noStart }] : []),
    job("server-checks", serverChecks),
    job("backups", backups),
    {
      name: "security-watch",
      start: () => watch.start(),
      stop: () => watch.stop(),
      startFailed(err) {
        // A motion sensor that cannot start is an incident, not a reason to leave the room unwatched by everything else.
        logger.error({ err: err.message }, "the motion sensor could not start; the security watch is off");
        bus.emit("motion.dead", { roomId: config.roomId, at: clock.now().getTime(), reason: err.message });
      },
    },
    // Nothing to start (it runs what the chats hand it); stopped first.
    { name: "background", start: noStart, stop: async () => void (await background.stop()) },
  ];
  const runner = createServiceRunner(services, logger);

  return {
    config,
    bus,
    bot,
    alerts: pipelineNow,
    alertJob,
    roomStatus,
    door,
    capture,
    background,
    watch,
    serverChecks,
    backups,
    retention,
    storageWatch,
    systemHealth: health,
    invites,
    t,
    services: runner.names,
    start: () => runner.start(),
    stop: () => runner.stop(),
  };
}
