/**
 * The environment to a `Config`: the schema (schema.ts), then the checks that involve
 * more than one variable, then the mapping to the shape the console uses (units
 * converted, paths resolved, modes' own fields only when that mode is chosen).
 */
import { join, resolve } from "node:path";
import { envSchema, samplingCron } from "./schema.ts";
import type { Config, Range } from "./types.ts";

function contains(outer: Range, inner: Range): boolean {
  return outer.min <= inner.min && outer.max >= inner.max;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

/** Parses configuration from an environment map. Pure: does not read files or exit. */
export function parseConfig(env: Record<string, string | undefined>): ConfigResult {
  // Empty strings mean "not set" for optional values, as in most .env files.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const result = envSchema(env).safeParse(cleaned);
  if (!result.success) {
    return {
      ok: false,
      errors: result.error.issues.map((i) => `${i.path.join(".") || "config"}: ${i.message}`),
    };
  }
  const e = result.data;
  const errors: string[] = [];
  if (!contains(e.TEMP_CRITICAL_RANGE, e.TEMP_RANGE))
    errors.push("TEMP_CRITICAL_RANGE: must contain TEMP_RANGE (critical is the wider band)");
  if (!contains(e.HUMIDITY_CRITICAL_RANGE, e.HUMIDITY_RANGE))
    errors.push("HUMIDITY_CRITICAL_RANGE: must contain HUMIDITY_RANGE (critical is the wider band)");
  if (e.CLIP_SECONDS > e.CLIP_MAX_SECONDS) errors.push("CLIP_SECONDS: must not exceed CLIP_MAX_SECONDS");
  if (e.WATCH_CLIP_SECONDS > e.CLIP_MAX_SECONDS) errors.push("WATCH_CLIP_SECONDS: must not exceed CLIP_MAX_SECONDS");
  if (e.DISK_FREE_CRITICAL_PCT >= e.DISK_FREE_WARN_PCT)
    errors.push("DISK_FREE_CRITICAL_PCT: must be below DISK_FREE_WARN_PCT (critical is the emptier disk)");
  const spidevChip = /^\/dev\/spidev0\.(\d+)$/.exec(e.CARD_SPI_DEVICE ?? "")?.[1];
  if (cleaned.CARD_SPI_CE !== undefined && spidevChip !== undefined && Number(spidevChip) !== e.CARD_SPI_CE) {
    errors.push(
      `CARD_SPI_DEVICE: ${e.CARD_SPI_DEVICE} is chip select CE${spidevChip}, but CARD_SPI_CE is ${e.CARD_SPI_CE}; set one of them`,
    );
  }
  if (e.STORAGE === "aws") {
    if (!e.AWS_REGION) errors.push("AWS_REGION: required with STORAGE=aws (e.g. eu-central-1)");
    if (!e.S3_BUCKET) errors.push("S3_BUCKET: required with STORAGE=aws (the bucket npm run aws:setup created)");
  }
  if (e.TELEGRAM_BOT_TOKEN && e.ADMIN_IDS.length === 0)
    errors.push("ADMIN_IDS: set at least one admin (your Telegram user id) when a bot token is given");
  if (e.MQTT_URL && !e.MQTT_CERT_FILE)
    errors.push("MQTT_CERT_FILE: required with MQTT_URL (this machine's client certificate, PEM)");
  if (e.MQTT_URL && !e.MQTT_KEY_FILE) errors.push("MQTT_KEY_FILE: required with MQTT_URL (its private key, PEM)");
  if (e.ROLE === "hub" && !e.MQTT_URL)
    errors.push("MQTT_URL: required with ROLE=hub (the site's broker the rooms report to)");
  if (e.ROLE === "hub" && !e.TELEGRAM_BOT_TOKEN)
    errors.push("TELEGRAM_BOT_TOKEN: required with ROLE=hub (the hub runs the bot for every room)");
  if (e.MQTT_URL && e.ROOM_SILENT_AFTER_SECONDS < 2 * e.MQTT_HEARTBEAT_SECONDS)
    errors.push(
      "ROOM_SILENT_AFTER_SECONDS: must be at least twice MQTT_HEARTBEAT_SECONDS (one lost heartbeat is not silence)",
    );
  const roomChats = Object.entries(e.ROOM_CHAT_IDS);
  if (roomChats.length > 0) {
    if (e.ROLE !== "hub")
      errors.push("ROOM_CHAT_IDS: only with ROLE=hub (the hub posts each room's alerts; a room posts nothing itself)");
    if (e.STAFF_CHAT_ID === undefined)
      errors.push(
        "ROOM_CHAT_IDS: needs STAFF_CHAT_ID too (the main staff group: the hub's own alerts and every room's silence go there)",
      );
    for (const [room, chat] of roomChats) {
      if (room === e.ROOM_ID)
        errors.push(`ROOM_CHAT_IDS: ${room} is this hub's own room (ROOM_ID); its alerts go to STAFF_CHAT_ID`);
      if (chat === e.STAFF_CHAT_ID)
        errors.push(`ROOM_CHAT_IDS: ${room}'s group is STAFF_CHAT_ID itself; leave ${room} out`);
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    config: {
      local: { host: e.LOCAL_UI_HOST, port: e.LOCAL_UI_PORT },
      localMode: e.LOCAL_MODE,
      web: {
        enabled: e.WEB === "on",
        host: e.WEB_HOST,
        port: e.WEB_PORT,
        publicUrl: e.WEB_PUBLIC_URL?.replace(/\/+$/, ""),
        loginMs: e.WEB_LOGIN_MINUTES * 60_000,
        sessionMs: e.WEB_SESSION_HOURS * 3_600_000,
        live: { fps: e.WEB_LIVE_FPS, maxViewers: e.WEB_LIVE_MAX_VIEWERS },
      },
      telegram: {
        token: e.TELEGRAM_BOT_TOKEN,
        apiRoot: e.TELEGRAM_API_ROOT,
        adminIds: e.ADMIN_IDS,
        staffIds: e.STAFF_IDS,
        staffChatId: e.STAFF_CHAT_ID,
        staffChatTopicId: e.STAFF_CHAT_TOPIC_ID,
        roomChatIds: e.ROOM_CHAT_IDS,
      },
      alerts: {
        hysteresis: { temperatureC: e.TEMP_HYSTERESIS, humidityPct: e.HUMIDITY_HYSTERESIS },
        minDurationMs: e.ALERT_MIN_DURATION_SECONDS * 1000,
        remindEveryMs: e.ALERT_REMIND_MINUTES * 60_000,
        sensorDeadAfter: e.SENSOR_DEAD_AFTER,
        sensorStuckMs: e.SENSOR_STUCK_MINUTES * 60_000,
        lateAfterMs: e.ALERT_LATE_AFTER_SECONDS * 1000,
        snsTopicArn: e.SNS_TOPIC_ARN,
        dailySummaryAt: e.DAILY_SUMMARY_AT,
      },
      roomId: e.ROOM_ID,
      dataDir: resolve(e.DATA_DIR),
      hardware: e.HARDWARE,
      storage: e.STORAGE,
      aws:
        e.STORAGE === "aws" && e.AWS_REGION && e.S3_BUCKET
          ? {
              region: e.AWS_REGION,
              prefix: e.AWS_PREFIX,
              bucket: e.S3_BUCKET,
              ...(e.AWS_DYNAMODB_ENDPOINT || e.AWS_S3_ENDPOINT
                ? {
                    endpoints: {
                      ...(e.AWS_DYNAMODB_ENDPOINT ? { dynamodb: e.AWS_DYNAMODB_ENDPOINT } : {}),
                      ...(e.AWS_S3_ENDPOINT ? { s3: e.AWS_S3_ENDPOINT } : {}),
                    },
                  }
                : {}),
            }
          : undefined,
      officeHours: { timeZone: e.TIMEZONE, days: e.OFFICE_HOURS, holidays: e.HOLIDAYS },
      thresholds: {
        temperatureC: { warn: e.TEMP_RANGE, critical: e.TEMP_CRITICAL_RANGE },
        humidityPct: { warn: e.HUMIDITY_RANGE, critical: e.HUMIDITY_CRITICAL_RANGE },
      },
      sampling: {
        intervalSeconds: e.SAMPLE_INTERVAL_SECONDS,
        cron: samplingCron(e.SAMPLE_INTERVAL_SECONDS) as string,
      },
      dht: { pin: e.DHT_PIN },
      door: {
        driver: e.CARD_DRIVER,
        spiDevice: e.CARD_SPI_DEVICE ?? `/dev/spidev0.${e.CARD_SPI_CE}`,
        pollMs: e.CARD_POLL_MS,
        resetPin: e.CARD_RST_PIN,
        spiChip: e.CARD_SPI_CE,
        debounceMs: e.CARD_DEBOUNCE_MS,
        watchdogMs: e.CARD_WATCHDOG_MS,
        enrollTimeoutMs: e.ENROLL_TIMEOUT_SECONDS * 1000,
        inviteTtlMs: e.INVITE_TTL_MINUTES * 60_000,
      },
      lcd: {
        cols: e.LCD_SIZE === "20x4" ? 20 : 16,
        rows: e.LCD_SIZE === "20x4" ? 4 : 2,
        i2cBus: e.LCD_I2C_BUS,
        address: e.LCD_I2C_ADDRESS,
        messageMs: e.LCD_MESSAGE_SECONDS * 1000,
      },
      camera: {
        device: e.CAMERA_DEVICE,
        width: e.CAMERA_SIZE.width,
        height: e.CAMERA_SIZE.height,
        quality: e.JPEG_QUALITY,
        timeoutMs: e.CAMERA_TIMEOUT_SECONDS * 1000,
        clipSeconds: e.CLIP_SECONDS,
        clipMaxSeconds: e.CLIP_MAX_SECONDS,
      },
      motion: {
        pirPin: e.MOTION_PIR_PIN,
        pirChip: e.MOTION_PIR_CHIP,
        threshold: e.MOTION_THRESHOLD,
        intervalMs: e.MOTION_INTERVAL_SECONDS * 1000,
        cooldownMs: e.MOTION_COOLDOWN_SECONDS * 1000,
        clipSeconds: e.WATCH_CLIP_SECONDS,
      },
      media: { maxBytes: e.MEDIA_MAX_MB * 1024 * 1024, maxAgeMs: e.MEDIA_MAX_DAYS * 86_400_000 },
      disk: {
        warnFreePct: e.DISK_FREE_WARN_PCT,
        criticalFreePct: e.DISK_FREE_CRITICAL_PCT,
        criticalFreeBytes: e.DISK_FREE_CRITICAL_MB * 1024 * 1024,
      },
      backup: {
        at: e.BACKUP_AT === "off" ? undefined : e.BACKUP_AT,
        keep: e.BACKUP_KEEP,
        dir: join(resolve(e.DATA_DIR), "backups"),
        s3:
          e.STORAGE === "sqlite" && e.S3_BUCKET && e.AWS_REGION
            ? {
                region: e.AWS_REGION,
                bucket: e.S3_BUCKET,
                ...(e.AWS_S3_ENDPOINT ? { endpoint: e.AWS_S3_ENDPOINT } : {}),
              }
            : undefined,
      },
      servers: {
        keyFile: resolve(e.SSH_KEY_FILE ?? join(e.DATA_DIR, "ssh", "id_ed25519")),
        intervalMinutes: e.SERVER_CHECK_MINUTES,
        cron: samplingCron(e.SERVER_CHECK_MINUTES * 60) as string,
        connectTimeoutMs: e.SSH_CONNECT_TIMEOUT_SECONDS * 1000,
        commandTimeoutMs: e.SSH_COMMAND_TIMEOUT_SECONDS * 1000,
        concurrency: e.SERVER_CONCURRENCY,
        downAfter: e.SERVER_DOWN_AFTER,
        thresholds: { diskPct: e.DISK_MAX_PCT, loadPerCore: e.LOAD_MAX_PER_CORE, memoryPct: e.MEMORY_MAX_PCT },
        keepResultsMs: e.SERVER_RESULTS_DAYS * 86_400_000,
      },
      defaultLocale: e.DEFAULT_LOCALE,
      logLevel: e.LOG_LEVEL,
      images: { cacheMb: e.SHARP_CACHE_MB, concurrency: e.SHARP_CONCURRENCY },
      role: e.ROLE,
      mqtt:
        e.MQTT_URL && e.MQTT_CERT_FILE && e.MQTT_KEY_FILE
          ? {
              url: e.MQTT_URL,
              caFile: e.MQTT_CA_FILE ? resolve(e.MQTT_CA_FILE) : undefined,
              certFile: resolve(e.MQTT_CERT_FILE),
              keyFile: resolve(e.MQTT_KEY_FILE),
              prefix: e.MQTT_TOPIC_PREFIX,
              heartbeatMs: e.MQTT_HEARTBEAT_SECONDS * 1000,
              silentAfterMs: e.ROOM_SILENT_AFTER_SECONDS * 1000,
            }
          : undefined,
      heartbeat: e.HEARTBEAT_URL ? { url: e.HEARTBEAT_URL, everyMs: e.HEARTBEAT_SECONDS * 1000 } : undefined,
    },
  };
}
