/**
 * Composition root: parse config, pick adapters, wire, start, stop.
 * Nothing else in the project starts anything on import.
 */
import type { RunnerHandle } from "@grammyjs/runner";
import { GrammyError } from "grammy";
import { connectAlertsToBus, setupAlerts } from "./bot/alerts/setup.ts";
import { createI18n } from "./bot/i18n.ts";
import { createBot, type SeromaBot, startBot } from "./bot/index.ts";
import { createSnsChannel } from "./channels/sns-channel.ts";
import type { AlertPipeline } from "./core/alerts/pipeline.ts";
import { systemClock } from "./core/clock.ts";
import { loadConfig } from "./core/config.ts";
import { EventBus } from "./core/event-bus.ts";
import type { RoomEvents } from "./core/events.ts";
import { createLogger } from "./core/logger.ts";
import { selectClimateSensor } from "./hardware/climate/index.ts";
import { createAlertJob } from "./jobs/alert-job.ts";
import { createCronScheduler } from "./jobs/cron-scheduler.ts";
import { createDailySummaryJob } from "./jobs/daily-summary-job.ts";
import { createRoomStatusJob } from "./jobs/room-status-job.ts";
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

  const storage = createStorage(config);
  logger.info({ storage: storage.kind, dataDir: config.dataDir }, `storage: ${storage.kind} in ${config.dataDir}`);

  let climate: Awaited<ReturnType<typeof selectClimateSensor>>;
  try {
    climate = await selectClimateSensor({ mode: config.hardware, pin: config.dht.pin, clock });
  } catch (err) {
    logger.fatal({ device: "climate" }, (err as Error).message);
    await storage.close();
    process.exit(1);
  }
  logger.info(
    { device: "climate", driver: climate.sensor.driver, reason: climate.reason },
    `hardware: climate sensor = ${climate.sensor.driver}${climate.reason ? ` (${climate.reason})` : ""}`,
  );

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
  });
  connectAlertsToBus(alerts, bus, config.officeHours.timeZone);
  const alertJob = createAlertJob({
    engine: alerts.engine,
    outbox: storage.outbox,
    scheduler,
    clock,
    logger,
    roomId: config.roomId,
    timeZone: config.officeHours.timeZone,
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
      await roomStatus.stop();
      await alertJob.stop();
      await dailySummary?.stop();
      await alerts.stop();
      sns?.close();
      await climate.sensor.close();
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
  await roomStatus.start();
  logger.info(
    { room: config.roomId, every: config.sampling.intervalSeconds },
    `room-status job started (every ${config.sampling.intervalSeconds} s)`,
  );

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
