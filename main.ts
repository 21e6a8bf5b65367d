/**
 * Composition root: parse config, pick adapters, wire, start, stop.
 * Nothing else in the project starts anything on import.
 */
import { existsSync } from "node:fs";
import type { RunnerHandle } from "@grammyjs/runner";
import { GrammyError } from "grammy";
import { connectAlertsToBus, setupAlerts } from "./bot/alerts/setup.ts";
import { createI18n } from "./bot/i18n.ts";
import { createBot, type SeromaBot, startBot } from "./bot/index.ts";
import { createSnsChannel } from "./channels/sns-channel.ts";
import type { AlertPipeline } from "./core/alerts/pipeline.ts";
import type { Incident } from "./core/alerts/types.ts";
import { createCaptureServiceFromConfig } from "./core/camera/capture-service.ts";
import { systemClock } from "./core/clock.ts";
import { loadConfig } from "./core/config.ts";
import { EventBus } from "./core/event-bus.ts";
import type { RoomEvents } from "./core/events.ts";
import { createInviteStore } from "./core/invites.ts";
import { createLogger } from "./core/logger.ts";
import { selectCamera } from "./hardware/camera/index.ts";
import { selectCardReader } from "./hardware/cards/index.ts";
import { selectClimateSensor } from "./hardware/climate/index.ts";
import { selectDisplay } from "./hardware/display/index.ts";
import { selectMotionSensor } from "./hardware/motion/index.ts";
import { createAlertJob } from "./jobs/alert-job.ts";
import { createBackupJobFromConfig } from "./jobs/backup-job.ts";
import { createCronScheduler } from "./jobs/cron-scheduler.ts";
import { createDailySummaryJob } from "./jobs/daily-summary-job.ts";
import { createDisplayJob } from "./jobs/display-job.ts";
import { createDoorJob } from "./jobs/door-job.ts";
import { createMediaRetentionJob } from "./jobs/media-retention-job.ts";
import { createRoomStatusJob } from "./jobs/room-status-job.ts";
import { createSecurityWatchJobFromConfig } from "./jobs/security-watch-job.ts";
import { createServerCheckJobFromConfig, serverServices } from "./jobs/server-check-job.ts";
import { AwsBackendNotSetUpError, type AwsStorage } from "./storage/aws/index.ts";
import { presignMediaUrl } from "./storage/aws/media.ts";
import { createStorage } from "./storage/index.ts";

const SHUTDOWN_GRACE_MS = 5_000;

async function main(): Promise<void> {
  const loaded = loadConfig();
  if (!loaded.ok) {
    process.stderr.write(
      `Seroma cannot start: the configuration has ${loaded.errors.length} problem(s):\n${loaded.errors
        .map((e) => `  - ${e}`)
        .join("\n")}\nSee .env.example for every variable.\n`,
    );
    process.exit(1);
  }
  const config = loaded.config;
  const logger = createLogger(config.logLevel);
  const clock = systemClock;

  const storage = createStorage(config, logger);
  if (config.aws && "verify" in storage) {
    try {
      await (storage as AwsStorage).verify();
    } catch (err) {
      if (!(err instanceof AwsBackendNotSetUpError)) {
        // Unreachable at boot (network still starting): readings are buffered, alerts queue locally.
        logger.warn({ err: (err as Error).message }, "AWS cannot be reached yet; carrying on, it is retried");
      } else {
        logger.fatal({ region: config.aws.region, prefix: config.aws.prefix }, err.message);
        await storage.close();
        process.exit(1);
      }
    }
    logger.info(
      { region: config.aws.region, prefix: config.aws.prefix, bucket: config.aws.bucket },
      `storage: aws (DynamoDB ${config.aws.prefix}-*, S3 ${config.aws.bucket} in ${config.aws.region}); outbox in ${config.dataDir}`,
    );
  } else {
    logger.info({ storage: storage.kind, dataDir: config.dataDir }, `storage: ${storage.kind} in ${config.dataDir}`);
  }

  // Each device: the real driver where present, else the simulator (HARDWARE=auto);
  // HARDWARE=real refuses to start without it. The log says which, and why.
  let climate: Awaited<ReturnType<typeof selectClimateSensor>>;
  let cards: Awaited<ReturnType<typeof selectCardReader>>;
  let lcd: Awaited<ReturnType<typeof selectDisplay>>;
  let cam: Awaited<ReturnType<typeof selectCamera>>;
  let motion: Awaited<ReturnType<typeof selectMotionSensor>>;
  try {
    climate = await selectClimateSensor({ mode: config.hardware, pin: config.dht.pin, clock });
    cards = await selectCardReader({
      mode: config.hardware,
      clock,
      debounceMs: config.door.debounceMs,
      mfrc522: {
        pollMs: config.door.pollMs,
        resetPin: config.door.resetPin,
        spiChip: config.door.spiChip,
        watchdogMs: config.door.watchdogMs,
      },
    });
    lcd = await selectDisplay({
      mode: config.hardware,
      cols: config.lcd.cols,
      rows: config.lcd.rows,
      i2cBus: config.lcd.i2cBus,
      address: config.lcd.address,
      logger: (frame) => logger.debug({ lcd: frame }, "lcd"),
    });
    cam = await selectCamera({
      mode: config.hardware,
      clock,
      width: config.camera.width,
      height: config.camera.height,
      quality: config.camera.quality,
      timeoutMs: config.camera.timeoutMs,
      v4l2: { device: config.camera.device },
      // The simulated camera records in real time, so a clip's progress means something.
      sim: { realTime: true },
    });
    motion = await selectMotionSensor({
      mode: config.hardware,
      clock,
      camera: cam.camera,
      // The security watch keeps its own, longer cooldown (MOTION_COOLDOWN_SECONDS).
      cooldownMs: 10_000,
      ...(config.motion.pirPin !== undefined ? { pirPin: config.motion.pirPin } : {}),
      cameraMotion: { intervalMs: config.motion.intervalMs, threshold: config.motion.threshold },
    });
  } catch (err) {
    logger.fatal({ hardware: config.hardware }, (err as Error).message);
    await storage.close();
    process.exit(1);
  }
  for (const [device, driver, reason] of [
    ["climate sensor", climate.sensor.driver, climate.reason],
    ["card reader", cards.reader.driver, cards.reason],
    ["display", lcd.display.driver, lcd.reason],
    ["camera", cam.camera.driver, cam.reason],
    ["motion sensor", motion.sensor.driver, motion.reason],
  ] as const) {
    logger.info({ device, driver, reason }, `hardware: ${device} = ${driver}${reason ? ` (${reason})` : ""}`);
  }

  const bus = new EventBus<RoomEvents>(logger);
  const scheduler = createCronScheduler(logger);
  const roomStatus = createRoomStatusJob({
    roomId: config.roomId,
    sensor: climate.sensor,
    readings: storage.readings,
    clock,
    scheduler,
    bus,
    logger,
    cron: config.sampling.cron,
    timeZone: config.officeHours.timeZone,
  });
  const door = createDoorJob({
    roomId: config.roomId,
    reader: cards.reader,
    staff: storage.staff,
    accessLog: storage.accessLog,
    officeHours: config.officeHours,
    clock,
    bus,
    logger,
  });
  const invites = createInviteStore(clock);
  const capture = createCaptureServiceFromConfig(config, {
    camera: cam.camera,
    media: storage.media,
    readings: storage.readings,
    clock,
    bus,
    logger,
  });
  // Assigned below, once the alert pipeline exists (motion is only handled after start()).
  let raiseMotion: (details: Incident["details"], at: number) => Promise<Incident> = () =>
    Promise.reject(new Error("the alert pipeline is not ready"));
  const watch = createSecurityWatchJobFromConfig(config, {
    motion: motion.sensor,
    capture,
    media: storage.media,
    raise: (details, at) => raiseMotion(details, at),
    clock,
    bus,
    logger,
  });
  const serverChecks = createServerCheckJobFromConfig(config, {
    storage,
    // The alert pipeline is built below; server checks start after it.
    engine: { setServerCondition: (rule, problem, at) => alerts.engine.setServerCondition(rule, problem, at) },
    scheduler,
    clock,
    logger,
  });
  const backups = createBackupJobFromConfig(config, {
    storage,
    scheduler,
    clock,
    logger,
    notify: (n) => alerts.notify(n),
  });
  const retention = createMediaRetentionJob({
    media: storage.media,
    budget: config.media,
    scheduler,
    clock,
    logger,
    timeZone: config.officeHours.timeZone,
  });

  let runner: RunnerHandle | undefined;
  let stopping = false;
  let seroma: SeromaBot | undefined;
  const token = config.telegram.token;
  if (token) {
    seroma = createBot({
      token,
      apiRoot: config.telegram.apiRoot,
      logger,
      services: {
        config,
        storage,
        clock,
        climate: { driver: climate.sensor.driver, sampleNow: () => roomStatus.sampleNow() },
        alerts: {
          acknowledge: (id, by) => alerts.engine.acknowledge(id, by),
          openIncidents: () => alerts.engine.openIncidents(),
        },
        door: {
          driver: cards.reader.driver,
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
  } else {
    logger.warn(
      "no TELEGRAM_BOT_TOKEN: the bot is off; sampling and storage run. To connect a bot: create one with @BotFather, " +
        "put TELEGRAM_BOT_TOKEN and ADMIN_IDS (your Telegram user id) in .env, and restart. See README, 'Create the bot'.",
    );
  }

  const i18n = seroma?.i18n ?? createI18n(config.defaultLocale);
  const sns = config.alerts.snsTopicArn ? createSnsChannel({ topicArn: config.alerts.snsTopicArn }) : undefined;
  if (sns) logger.info({ topic: config.alerts.snsTopicArn }, "alerts also go to AWS SNS");
  const alerts: AlertPipeline = setupAlerts({
    config,
    storage,
    clock,
    logger,
    ...(seroma ? { telegram: { api: seroma.bot.api, i18n: seroma.i18n } } : {}),
    ...(sns ? { sns } : {}),
    translate: (k, v) => i18n.t(config.defaultLocale, k, v),
    // With the AWS backend, e-mails link the alert's photo (presigned, valid 24 h); nothing is public.
    ...("aws" in storage
      ? {
          photoLink: async (mediaId: number) => {
            const item = await storage.media.get(mediaId);
            return item ? presignMediaUrl((storage as AwsStorage).aws, item, 86_400) : undefined;
          },
        }
      : {}),
  });
  raiseMotion = (details, at) => alerts.engine.raiseEvent("room.motion", "warning", details, at);
  connectAlertsToBus(alerts, bus, config.officeHours.timeZone, {
    logger,
    breachSnapshots: {
      async take(entry) {
        const shot = await capture.snapshot({ reason: "breach", accessEntryId: entry.id, label: "BREACH" });
        return shot.ok && shot.item ? { mediaId: shot.item.id } : undefined;
      },
      link: (mediaId, incidentId) => storage.media.linkIncident(mediaId, incidentId),
    },
  });
  const alertJob = createAlertJob({
    engine: alerts.engine,
    outbox: storage.outbox,
    scheduler,
    clock,
    logger,
    roomId: config.roomId,
    timeZone: config.officeHours.timeZone,
  });

  const displayJob = createDisplayJob({
    roomId: config.roomId,
    display: lcd.display,
    bus,
    clock,
    scheduler,
    timeZone: config.officeHours.timeZone,
    logger,
    t: (k, v) => i18n.t(config.defaultLocale, k, v),
    messageMs: config.lcd.messageMs,
  });

  const dailySummary = config.alerts.dailySummaryAt
    ? createDailySummaryJob({
        roomId: config.roomId,
        at: config.alerts.dailySummaryAt,
        timeZone: config.officeHours.timeZone,
        incidents: storage.incidents,
        notify: (n) => alerts.notify(n),
        scheduler,
        clock,
        logger,
      })
    : undefined;

  async function shutdown(signal: string, exitCode = 0): Promise<void> {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    const force = setTimeout(() => {
      logger.error("shutdown took too long; exiting anyway");
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    try {
      if (runner?.isRunning()) await runner.stop();
      await door.stop();
      await serverChecks.stop();
      await backups.stop();
      await watch.stop();
      await capture.idle();
      await retention.stop();
      await displayJob.stop();
      await roomStatus.stop();
      await alertJob.stop();
      await dailySummary?.stop();
      await alerts.stop();
      sns?.close();
      await climate.sensor.close();
      await lcd.display.close();
      await cam.camera.close();
      await storage.close();
      logger.info("stopped cleanly");
      clearTimeout(force);
      process.exit(exitCode);
    } catch (err) {
      logger.error({ err }, "error during shutdown");
      process.exit(1);
    }
  }
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));

  // Alerts first: the first reading is already judged, and undelivered notices from
  // before a restart go out now.
  await alerts.start();
  await alertJob.start();
  await dailySummary?.start();
  await alerts.notify({
    kind: "started",
    roomId: config.roomId,
    severity: "info",
    at: clock.now().getTime(),
    details: { driver: climate.sensor.driver, open: alerts.engine.openIncidents().length },
  });
  await displayJob.start();
  await roomStatus.start();
  logger.info(
    { room: config.roomId, every: config.sampling.intervalSeconds },
    `room-status job started (every ${config.sampling.intervalSeconds} s)`,
  );
  await door.start();
  logger.info({ room: config.roomId, reader: cards.reader.driver }, "door job started");
  await retention.start();
  const hosts = await storage.hosts.list(config.roomId);
  if (hosts.length > 0 && !existsSync(config.servers.keyFile)) {
    logger.warn(
      { keyFile: config.servers.keyFile },
      `no SSH key at ${config.servers.keyFile}: server checks will fail until you create one ` +
        `(ssh-keygen -t ed25519 -N "" -f ${config.servers.keyFile}) and add its .pub to each server's authorized_keys`,
    );
  }
  await serverChecks.start();
  await backups.start();
  logger.info(
    { hosts: hosts.length, every: config.servers.intervalMinutes },
    `server checks started (${hosts.length} host(s), every ${config.servers.intervalMinutes} min)`,
  );
  try {
    await watch.start();
  } catch (err) {
    // A motion sensor that cannot start is an incident, not a reason to leave the room unwatched by everything else.
    logger.error({ err: (err as Error).message }, "the motion sensor could not start; the security watch is off");
    bus.emit("motion.dead", { roomId: config.roomId, at: clock.now().getTime(), reason: (err as Error).message });
  }

  if (seroma) {
    // Telegram may be unreachable at boot (router still starting): keep trying with backoff;
    // the jobs run meanwhile. A refused token is fatal: it will not fix itself.
    for (let attempt = 1, delay = 1_000; !stopping; attempt++, delay = Math.min(delay * 2, 60_000)) {
      try {
        runner = await startBot(seroma, logger);
        logger.info({ bot: seroma.bot.botInfo.username }, `bot @${seroma.bot.botInfo.username} is polling`);
        break;
      } catch (err) {
        if (err instanceof GrammyError && (err.error_code === 401 || err.error_code === 404)) {
          logger.fatal(
            { description: err.description },
            "Telegram refused TELEGRAM_BOT_TOKEN; check it with @BotFather",
          );
          await shutdown("bad-token", 1);
          return;
        }
        logger.warn({ attempt, retryInMs: delay, err: (err as Error).message }, "cannot reach Telegram yet; retrying");
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }
}

main().catch((err) => {
  process.stderr.write(`Seroma failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
