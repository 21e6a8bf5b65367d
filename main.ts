/**
 * Composition root: parse config, pick adapters, wire, start, stop.
 * Nothing else in the project starts anything on import.
 */
import { existsSync } from "node:fs";
import type { RunnerHandle } from "@grammyjs/runner";
import { GrammyError } from "grammy";
import { composeRoom, type RoomDevices } from "./app/compose-room.ts";
import { startRoomDashboard } from "./app/dashboard.ts";
import { configureImages } from "./app/image-settings.ts";
import { createServiceNotifier } from "./app/service-notify.ts";
import { createSiteLink, siteRoomOf } from "./app/site.ts";
import type { WebServices } from "./bot/context.ts";
import { startBot } from "./bot/index.ts";
import { createLiveCamera, type LiveCamera } from "./core/camera/live-camera.ts";
import { systemClock } from "./core/clock.ts";
import { parseConfig, readEnv } from "./core/config.ts";
import { createLogger, detectLogFormat, type LogFormat } from "./core/logger.ts";
import { formatStartupError } from "./core/startup-error.ts";
import { selectCamera } from "./hardware/camera/index.ts";
import { selectCardReader } from "./hardware/cards/index.ts";
import { selectClimateSensor } from "./hardware/climate/index.ts";
import { selectDisplay } from "./hardware/display/index.ts";
import { selectMotionSensor } from "./hardware/motion/index.ts";
import { detectBoard } from "./hardware/system/board.ts";
import { createCronScheduler } from "./jobs/cron-scheduler.ts";
import { createHeartbeatJob, type HeartbeatJob } from "./jobs/heartbeat-job.ts";
import type { LocalMode } from "./local/local-mode.ts";
import type { AwsStorage } from "./storage/aws/index.ts";
import { createStorage } from "./storage/index.ts";
import { listBackups } from "./storage/sqlite/backup.ts";
import type { Dashboard } from "./web/server.ts";

const SHUTDOWN_GRACE_MS = 5_000;

function refuseConfig(errors: string[]): never {
  process.stderr.write(
    `Seroma cannot start: the configuration has ${errors.length} problem(s):\n${errors
      .map((e) => `  - ${e}`)
      .join("\n")}\nSee .env.example for every variable.\n`,
  );
  process.exit(1);
}

async function main(): Promise<void> {
  const read = readEnv();
  if (!read.ok) refuseConfig(read.errors);
  let loaded = parseConfig(read.env);
  if (!loaded.ok) refuseConfig(loaded.errors);
  // No bot token: local mode, with the built-in Bot API server and the web page (local/) --
  // but not by accident on the Pi in the server room: under systemd (INVOCATION_ID) or with
  // NODE_ENV=production a missing token stops the console, unless LOCAL_MODE=on asks for it.
  let local: LocalMode | undefined;
  // A room agent (MQTT_URL, no token) reports to the hub's bot: no local mode either.
  if (!loaded.config.telegram.token && !loaded.config.mqtt) {
    const production = Boolean(process.env.INVOCATION_ID) || process.env.NODE_ENV === "production";
    if (loaded.config.localMode === "off" || (production && loaded.config.localMode !== "on")) {
      process.stderr.write(
        `Seroma cannot start: TELEGRAM_BOT_TOKEN is not set${production ? ` (running ${process.env.INVOCATION_ID ? "under systemd" : "with NODE_ENV=production"}, local mode is not started by accident)` : ""}. ` +
          `Set it in ${process.env.INVOCATION_ID ? "/etc/seroma/seroma.env" : ".env"} (README, "Create the bot"), or set LOCAL_MODE=on to run the local demo on purpose.\n`,
      );
      process.exit(1);
    }
    // Loaded only here: local mode's servers and page are no part of a room with a token.
    const { prepareLocalMode } = await import("./local/local-mode.ts");
    local = await prepareLocalMode(read.env);
    loaded = parseConfig(local.env);
    if (!loaded.ok) {
      await local.close();
      refuseConfig(loaded.errors);
    }
  }
  const config = loaded.config;
  const logFormat = detectLogFormat();
  const logger = createLogger(config.logLevel, undefined, logFormat);
  // Under systemd (Type=notify): READY once serving, watchdog pings, STOPPING on shutdown.
  const service = createServiceNotifier({ logger });
  configureImages(config.images);
  const clock = systemClock;
  if (local) {
    logger.info(
      { dataDir: config.dataDir, api: local.api.apiRoot },
      `no TELEGRAM_BOT_TOKEN: local mode (built-in Bot API server on ${local.api.apiRoot}, data in ${config.dataDir})`,
    );
  }

  const storage = await createStorage(config, logger);
  if (config.aws && "verify" in storage) {
    try {
      await (storage as AwsStorage).verify();
    } catch (err) {
      const { AwsBackendNotSetUpError } = await import("./storage/aws/index.ts");
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
  /** The dashboard's live view shares the camera: everything else takes pictures through live.camera. */
  let live: LiveCamera;
  try {
    climate = await selectClimateSensor({ mode: config.hardware, pin: config.dht.pin, clock });
    cards = await selectCardReader({
      mode: config.hardware,
      driver: config.door.driver,
      clock,
      debounceMs: config.door.debounceMs,
      mfrc522: {
        device: config.door.spiDevice,
        pollMs: config.door.pollMs,
        resetPin: config.door.resetPin,
        watchdogMs: config.door.watchdogMs,
      },
      mfrc522Rpi: {
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
      logger: (frame) => {
        logger.debug({ lcd: frame }, "lcd");
        local?.lcdChanged();
      },
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
    live = createLiveCamera({
      camera: cam.camera,
      fps: config.web.live.fps,
      maxViewers: config.web.live.maxViewers,
      clock,
      logger,
    });
    motion = await selectMotionSensor({
      mode: config.hardware,
      clock,
      camera: live.camera,
      // The security watch keeps its own, longer cooldown (MOTION_COOLDOWN_SECONDS).
      cooldownMs: 10_000,
      ...(config.motion.pirPin !== undefined ? { pirPin: config.motion.pirPin } : {}),
      pirGpiod: { chip: config.motion.pirChip },
      cameraMotion: { intervalMs: config.motion.intervalMs, threshold: config.motion.threshold },
    });
  } catch (err) {
    logger.fatal({ hardware: config.hardware }, (err as Error).message);
    await storage.close();
    process.exit(1);
  }
  const board = await detectBoard();
  const found = [
    { device: "climate", label: "climate sensor", driver: climate.sensor.driver, reason: climate.reason },
    { device: "cards", label: "card reader", driver: cards.reader.driver, reason: cards.reason },
    { device: "display", label: "display", driver: lcd.display.driver, reason: lcd.reason },
    { device: "camera", label: "camera", driver: cam.camera.driver, reason: cam.reason },
    { device: "motion", label: "motion sensor", driver: motion.sensor.driver, reason: motion.reason },
  ] as const;
  for (const { label, driver, reason } of found) {
    // On a Pi, a simulated device is not a detail: it is logged as an error (and raised as an incident below).
    const simulatedOnPi = board.raspberryPi && driver === "sim" && config.hardware === "auto";
    const line = `hardware: ${label} = ${driver}${reason ? ` (${reason})` : ""}`;
    if (simulatedOnPi)
      logger.error({ device: label, driver, reason, board: board.model }, `${line}; SIMULATED on a Raspberry Pi`);
    else logger.info({ device: label, driver, reason }, line);
  }

  // The AWS SDK is loaded only where it is used (SNS here, STORAGE=aws, S3 backups).
  const sns = config.alerts.snsTopicArn
    ? (await import("./channels/sns/sns-channel.ts")).createSnsChannel({ topicArn: config.alerts.snsTopicArn })
    : undefined;
  if (sns) logger.info({ topic: config.alerts.snsTopicArn }, "alerts also go to AWS SNS");
  const devices: RoomDevices = {
    climate: climate.sensor,
    cards: cards.reader,
    display: lcd.display,
    camera: live.camera,
    motion: motion.sensor,
  };
  // Several rooms (MQTT_URL): this room's link to the site's hub, or the hub's to its rooms.
  const site = createSiteLink({ config, clock, logger });
  // Started after the room (below); the bot's /web and "Open dashboard" reach it through this.
  let dashboard: Dashboard | undefined;
  const web: WebServices | undefined = config.web.enabled
    ? {
        async loginLink(userId, name) {
          if (!dashboard) throw new Error("the dashboard is not running");
          return dashboard.loginLink(userId, name);
        },
        // A Mini App needs WEB_PUBLIC_URL (https). In local mode the built-in Bot API server plays
        // Telegram's test environment, where the dashboard on loopback (http) may be one.
        get miniAppUrl() {
          return config.web.publicUrl ?? (local ? dashboard?.publicUrl : undefined);
        },
      }
    : undefined;
  const room = composeRoom({
    config,
    ...(site ? { channels: site.channels } : {}),
    ...(site?.rooms ? { rooms: site.rooms } : {}),
    ...(web ? { web } : {}),
    storage,
    devices,
    deviceReport: { raspberryPi: board.raspberryPi, mode: config.hardware, devices: found },
    clock,
    scheduler: createCronScheduler(logger),
    logger,
    ...(local ? { botInfo: local.api.botInfo } : {}),
    ...(sns ? { sns } : {}),
    // With the AWS backend, e-mails link the alert's photo (presigned, valid 24 h); nothing is public.
    ...("aws" in storage
      ? {
          photoLink: async (mediaId: number) => {
            const item = await storage.media.get(mediaId);
            if (!item) return undefined;
            const { presignMediaUrl } = await import("./storage/aws/media.ts");
            return presignMediaUrl((storage as AwsStorage).aws, item, 86_400);
          },
        }
      : {}),
  });
  let runner: RunnerHandle | undefined;
  let stopping = false;
  /** HEARTBEAT_URL: started once the room (its alert pipeline first) is up; silent from the first sign of shutdown. */
  let heartbeat: HeartbeatJob | undefined;

  async function shutdown(signal: string, exitCode = 0): Promise<void> {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    service.stopping(`stopping (${signal})`);
    const force = setTimeout(() => {
      logger.error("shutdown took too long; exiting anyway");
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    try {
      await heartbeat?.stop();
      // The dashboard first: no page acts on a room that is stopping.
      await dashboard?.close();
      if (runner?.isRunning()) await runner.stop();
      await site?.stop();
      await room.stop();
      await local?.close();
      sns?.close();
      await climate.sensor.close();
      await lcd.display.close();
      await live.camera.close(); // the live view, then the driver
      await storage.close();
      logger.info("stopped cleanly");
      await service.close();
      clearTimeout(force);
      process.exit(exitCode);
    } catch (err) {
      logger.error({ err }, "error during shutdown");
      process.exit(1);
    }
  }
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));

  // Local mode: demo data, simulated servers in the catalogue and the page, before the jobs start.
  const page = local
    ? await local.attach({
        config,
        room,
        // The panel drives the simulators themselves (the camera's, not the live view around it).
        devices: { ...devices, camera: cam.camera },
        storage,
        clock,
        logger,
        ...(web
          ? { dashboardLink: async (userId: number, name: string) => (await web.loginLink(userId, name)).url }
          : {}),
      })
    : undefined;
  const hosts = await storage.hosts.list(config.roomId);
  if (hosts.length > 0 && !existsSync(config.servers.keyFile)) {
    logger.warn(
      { keyFile: config.servers.keyFile },
      `no SSH key at ${config.servers.keyFile}: server checks will fail until you create one ` +
        `(ssh-keygen -t ed25519 -N "" -f ${config.servers.keyFile}) and add its .pub to each server's authorized_keys`,
    );
  }

  // Alerts first: the first reading is already judged, and undelivered notices from
  // before a restart go out now.
  await room.start();
  // The hub's commands (ROLE=room): the same services the bot uses in a single room.
  await site?.start(siteRoomOf(room, storage, config));
  if (config.heartbeat && !stopping) {
    heartbeat = createHeartbeatJob({ ...config.heartbeat, healthy: () => !stopping, logger });
    await heartbeat.start();
  }
  if (config.web.enabled) {
    try {
      dashboard = await startRoomDashboard({
        room,
        storage,
        clock,
        logger,
        drivers: { climate: climate.sensor.driver, camera: cam.camera.driver },
        live,
      });
    } catch (err) {
      process.stderr.write(`${formatStartupError(err)}\n`);
      await shutdown("dashboard", 1);
      return;
    }
    logger.info({ url: dashboard.publicUrl, listen: dashboard.origin }, `dashboard at ${dashboard.publicUrl}`);
    const { host, publicUrl } = config.web;
    if (!publicUrl && !["127.0.0.1", "localhost", "::1"].includes(host) && !host.startsWith("127.")) {
      logger.warn(
        { host },
        `the dashboard listens on ${host} over plain http: login links and session cookies cross the network unencrypted; ` +
          "put it behind an https reverse proxy and set WEB_PUBLIC_URL (README, Dashboard)",
      );
    }
  }
  if (storage.replacedDatabase) {
    // The database was corrupt and is set aside: the admins (privately), the group and SNS hear how to restore.
    const { file, setAside, error } = storage.replacedDatabase;
    const [backup] = await listBackups(config.backup.dir).catch(() => [] as string[]);
    logger.error(
      { file, setAside, backup },
      `the database ${file} could not be opened (${error}); it is kept as ${setAside} and the console started on an empty one. ` +
        (backup
          ? `To restore: stop the console, copy ${backup} to ${file}, start it again.`
          : `No backup in ${config.backup.dir}: restore a copy of your own to ${file} while the console is stopped.`),
    );
    await room.alerts.notify({
      kind: "database-replaced",
      roomId: config.roomId,
      severity: "critical",
      at: clock.now().getTime(),
      details: {
        file,
        setAside,
        error: error.slice(0, 300),
        backups: config.backup.dir,
        ...(backup ? { backup } : {}),
      },
    });
  }
  await room.alerts.notify({
    kind: "started",
    roomId: config.roomId,
    severity: "info",
    at: clock.now().getTime(),
    details: {
      driver: climate.sensor.driver,
      open: room.alerts.engine.openIncidents().length,
      ...Object.fromEntries(found.map((d) => [`device.${d.device}`, d.driver])),
    },
  });
  logger.info(
    { room: config.roomId, every: config.sampling.intervalSeconds, reader: cards.reader.driver },
    `room-status job started (every ${config.sampling.intervalSeconds} s); door job started`,
  );
  logger.info(
    { hosts: hosts.length, every: config.servers.intervalMinutes },
    `server checks started (${hosts.length} host(s), every ${config.servers.intervalMinutes} min)`,
  );

  const seroma = room.bot;
  if (seroma) {
    // Telegram may be unreachable at boot (router still starting): keep trying with backoff;
    // the jobs run meanwhile. A refused token is fatal: it will not fix itself.
    for (let attempt = 1, delay = 1_000; !stopping; attempt++, delay = Math.min(delay * 2, 60_000)) {
      try {
        runner = await startBot(seroma, logger);
        logger.info({ bot: seroma.bot.botInfo.username }, `bot @${seroma.bot.botInfo.username} is polling`);
        // Local mode is ready when its page is (below).
        if (!page) service.ready(`polling as @${seroma.bot.botInfo.username}`);
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
        // The room runs meanwhile (readings, alerts queued, LCD): ready, and the status says why there is no bot yet.
        if (!page) service.ready(`running; Telegram not reachable yet (attempt ${attempt}), retrying`);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }
  if (!seroma && !page && !stopping) service.ready("room agent: reporting to the hub");
  if (page && !stopping) {
    logger.info({ url: page.web.origin }, "local mode: the page is ready");
    service.ready(`local mode: the page is at ${page.web.origin}`);
    printBanner(logFormat, [
      "",
      "  Seroma is running in local mode (no TELEGRAM_BOT_TOKEN): the whole console in your browser.",
      { url: page.url, text: `  Open ${page.url}` },
      `  Chat as Ada (admin), Linus (staff) or Mallory (a stranger); the staff group gets the alerts.`,
      `  The panel drives the simulated hardware and the simulated servers (${page.fleet.hosts.map((h) => h.name).join(", ")}).`,
      "  To use Telegram instead: create a bot with @BotFather, put TELEGRAM_BOT_TOKEN and ADMIN_IDS (your Telegram",
      "  user id) in .env, and restart. See README, 'Create the bot'.",
      "",
    ]);
  }
}

/**
 * Text for a person (local mode's address), set apart from the log: on a terminal as it is,
 * the address bold and underlined; in the journal as notice-priority lines (`<5>`); next to
 * JSON logs on stderr, so stdout stays one JSON object per line.
 */
function printBanner(format: LogFormat, lines: Array<string | { url: string; text: string }>): void {
  const text = (l: string | { url: string; text: string }) => (typeof l === "string" ? l : l.text);
  if (format === "journal") {
    const shown = lines.map((l) => text(l).trim()).filter((l) => l !== "");
    process.stdout.write(`${shown.map((l) => `<5>${l}`).join("\n")}\n`);
  } else if (format === "pretty") {
    const tty = process.stdout.isTTY && !process.env.NO_COLOR;
    const shown = lines.map((l) =>
      typeof l === "string" ? l : tty ? l.text.replace(l.url, `\x1b[1;4m${l.url}\x1b[0m`) : l.text,
    );
    process.stdout.write(`${shown.join("\n")}\n`);
  } else {
    process.stderr.write(`${lines.map(text).join("\n")}\n`);
  }
}

main().catch((err) => {
  process.stderr.write(`${formatStartupError(err)}\n`);
  process.exit(1);
});
