/**
 * Configuration: parsed once at startup from the environment (and `.env` if present).
 * A bad value fails fast with every problem listed (see `loadConfig`).
 * `.env.example` documents every variable; keep the two in step.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseEnv } from "node:util";
import { z } from "zod";
import { isValidTimeZone, type OfficeHours, parseOfficeHoursSpec } from "./office-hours.ts";

export const HARDWARE_MODES = ["auto", "real", "sim"] as const;
/** Real card reader drivers: the MFRC522 through the kernel's /dev/spidev (every Pi), or through mfrc522-rpi (Pi 1-4). */
export const CARD_DRIVERS = ["mfrc522", "mfrc522-rpi"] as const;
export const STORAGE_KINDS = ["sqlite", "aws"] as const;
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

export interface Range {
  min: number;
  max: number;
}

export interface Thresholds {
  /** Comfortable band; outside it is a warning. */
  warn: Range;
  /** Outside this band is critical. Always contains `warn`. */
  critical: Range;
}

export interface Config {
  /**
   * Without a token: "auto" runs local mode, except under systemd or NODE_ENV=production
   * (the console then stops, so a Pi never silently runs the demo); "on" always runs it;
   * "off" never does.
   */
  localMode: "auto" | "on" | "off";
  /** Local mode's web page (only used without a token). */
  local: { host: string; port: number };
  telegram: {
    /** Absent: local mode (the built-in Bot API server and the web page, see local/). */
    token: string | undefined;
    apiRoot: string;
    adminIds: number[];
    staffIds: number[];
    staffChatId: number | undefined;
    /** Forum topic of the staff group for alerts. */
    staffChatTopicId: number | undefined;
  };
  alerts: {
    hysteresis: { temperatureC: number; humidityPct: number };
    minDurationMs: number;
    remindEveryMs: number;
    sensorDeadAfter: number;
    sensorStuckMs: number;
    lateAfterMs: number;
    /** Local time ("HH:MM") of the daily summary in the staff group; undefined: none. */
    dailySummaryAt: string | undefined;
    /** AWS SNS topic for e-mail/SMS; region and credentials come from the standard AWS chain. */
    snsTopicArn: string | undefined;
  };
  roomId: string;
  dataDir: string;
  hardware: (typeof HARDWARE_MODES)[number];
  storage: (typeof STORAGE_KINDS)[number];
  /** STORAGE=aws: DynamoDB tables `${prefix}-*` and S3 bucket in `region` (credentials: the standard AWS chain). */
  aws:
    | {
        region: string;
        prefix: string;
        bucket: string;
        /** Local stand-ins only (dynalite, s3rver). */
        endpoints?: { dynamodb?: string; s3?: string };
      }
    | undefined;
  officeHours: OfficeHours;
  thresholds: { temperatureC: Thresholds; humidityPct: Thresholds };
  sampling: { intervalSeconds: number; cron: string };
  dht: { pin: number };
  door: {
    /** Which driver reads the MFRC522 when the hardware is real (CARD_DRIVER). */
    driver: (typeof CARD_DRIVERS)[number];
    /** The spidev device of the reader (driver mfrc522). */
    spiDevice: string;
    /** Pause between MFRC522 polls. */
    pollMs: number;
    /** BCM GPIO of the reader's RST line. */
    resetPin: number;
    /** SPI0 chip select (0 = CE0, 1 = CE1) for the mfrc522-rpi driver. */
    spiChip: number;
    /** The same card within this time is one tap. */
    debounceMs: number;
    /** How long the reader may fail before it is reset, then declared dead. */
    watchdogMs: number;
    /** How long /enroll waits for the new card. */
    enrollTimeoutMs: number;
    /** Lifetime of a one-time Telegram link invite. */
    inviteTtlMs: number;
  };
  lcd: { cols: 16 | 20; rows: 2 | 4; i2cBus: number; address: number; messageMs: number };
  camera: {
    /** V4L2 device for a USB webcam (used when no Raspberry Pi camera is found). */
    device: string;
    width: number;
    height: number;
    /** JPEG quality of snapshots, 1-100. */
    quality: number;
    /** How long one capture may take beyond its own length before it is killed. */
    timeoutMs: number;
    /** /clip without an argument, and the Clip button. */
    clipSeconds: number;
    /** Longest /clip allowed. */
    clipMaxSeconds: number;
  };
  motion: {
    /** BCM GPIO pin of a PIR sensor; undefined: no PIR (frame difference on a real camera, else the simulator). */
    pirPin: number | undefined;
    /** The GPIO chip of the PIR's line ("gpiochip0"), or "auto": the 40-pin header's chip, found by its label. */
    pirChip: string;
    /** Share of the picture (0..1) that must change for the frame-difference detector. */
    threshold: number;
    /** How often the frame-difference detector looks. */
    intervalMs: number;
    /** After a motion incident, further motion within this time is the same visit. */
    cooldownMs: number;
    /** Length of the clip the security watch records. */
    clipSeconds: number;
  };
  media: {
    /** Budget for stored snapshots and clips (bytes; 0: no size limit). */
    maxBytes: number;
    /** Oldest media kept (ms; 0: no age limit). */
    maxAgeMs: number;
  };
  /** The watch on DATA_DIR's free space. */
  disk: {
    /** Below this share of the file system free (percent): a warning, and old media make room. */
    warnFreePct: number;
    /** Below this share free (percent): critical. */
    criticalFreePct: number;
    /** Below this many bytes free: critical whatever the share (a small card). */
    criticalFreeBytes: number;
  };
  servers: {
    /** Private key for every host without its own (OpenSSH or PEM). */
    keyFile: string;
    intervalMinutes: number;
    cron: string;
    connectTimeoutMs: number;
    commandTimeoutMs: number;
    /** Hosts checked at the same time. */
    concurrency: number;
    /** Failed runs in a row before "host down". */
    downAfter: number;
    /** Defaults for hosts added by chat. */
    thresholds: { diskPct: number; loadPerCore: number; memoryPct: number };
    /** Check results kept this long. */
    keepResultsMs: number;
  };
  backup: {
    /** Local "HH:MM" of the nightly backup; undefined: off. */
    at: string | undefined;
    keep: number;
    dir: string;
    /** With STORAGE=sqlite and S3_BUCKET + AWS_REGION set: each backup is also uploaded to s3://bucket/backups/ROOM/. */
    s3: { region: string; bucket: string; endpoint?: string } | undefined;
  };
  defaultLocale: string;
  logLevel: (typeof LOG_LEVELS)[number];
  /** sharp (libvips): its operation cache in MB (0: off) and threads per image. */
  images: { cacheMb: number; concurrency: number };
}

const idList = (what: string) =>
  z
    .string()
    .default("")
    .transform((text, ctx) => {
      const ids: number[] = [];
      for (const part of text.split(",").map((s) => s.trim())) {
        if (part === "") continue;
        if (!/^-?\d{1,16}$/.test(part)) {
          ctx.addIssue({ code: "custom", message: `"${part}" is not a numeric ${what} id` });
          return z.NEVER;
        }
        ids.push(Number(part));
      }
      return ids;
    });

const range = (name: string, lo: number, hi: number, fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx): Range => {
      const m = /^\s*(-?\d+(?:\.\d+)?)\s*\.\.\s*(-?\d+(?:\.\d+)?)\s*$/.exec(text);
      if (!m) {
        ctx.addIssue({ code: "custom", message: `expected MIN..MAX, e.g. ${fallback}` });
        return z.NEVER;
      }
      const min = Number(m[1]);
      const max = Number(m[2]);
      if (min >= max) ctx.addIssue({ code: "custom", message: `${name} minimum must be below its maximum` });
      if (min < lo || max > hi) ctx.addIssue({ code: "custom", message: `${name} must lie within ${lo}..${hi}` });
      return { min, max };
    });

const intIn = (lo: number, hi: number, fallback: number) => z.coerce.number().int().min(lo).max(hi).default(fallback);

/** Cron expression (node-cron, 6 fields with seconds) for a sampling interval. */
export function samplingCron(seconds: number): string | undefined {
  if (seconds < 60) return 60 % seconds === 0 ? `*/${seconds} * * * * *` : undefined;
  if (seconds % 60 !== 0) return undefined;
  const minutes = seconds / 60;
  if (minutes < 60) return 60 % minutes === 0 ? `0 */${minutes} * * * *` : undefined;
  if (minutes % 60 !== 0) return undefined;
  const hours = minutes / 60;
  return hours <= 24 && 24 % hours === 0 ? `0 0 */${hours} * * *` : undefined;
}

function defaultTimeZone(env: Record<string, string | undefined>): string {
  return env.TZ || Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

const schema = (env: Record<string, string | undefined>) =>
  z.object({
    TELEGRAM_BOT_TOKEN: z
      .string()
      .trim()
      .regex(/^\d{3,}:[A-Za-z0-9_-]{20,}$/, "does not look like a BotFather token (123456:ABC...)")
      .optional(),
    TELEGRAM_API_ROOT: z
      .url({ protocol: /^https?$/, message: "must be an http(s) URL" })
      .default("https://api.telegram.org")
      .transform((u) => u.replace(/\/+$/, "")),
    ADMIN_IDS: idList("Telegram user"),
    STAFF_IDS: idList("Telegram user"),
    STAFF_CHAT_ID: z
      .string()
      .regex(/^-?\d{1,16}$/, "must be a numeric chat id (groups are negative, e.g. -1001234567890)")
      .transform(Number)
      .optional(),
    STAFF_CHAT_TOPIC_ID: z.coerce.number().int().min(1).optional(),
    SNS_TOPIC_ARN: z
      .string()
      .regex(
        /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/,
        "is not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)",
      )
      .optional(),
    TEMP_HYSTERESIS: z.coerce.number().min(0).max(10).default(1),
    HUMIDITY_HYSTERESIS: z.coerce.number().min(0).max(30).default(3),
    ALERT_MIN_DURATION_SECONDS: intIn(0, 3600, 120),
    ALERT_REMIND_MINUTES: intIn(0, 7 * 24 * 60, 30),
    SENSOR_DEAD_AFTER: intIn(1, 1000, 3),
    SENSOR_STUCK_MINUTES: intIn(0, 7 * 24 * 60, 60),
    ALERT_LATE_AFTER_SECONDS: intIn(1, 86_400, 60),
    DAILY_SUMMARY_AT: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a local time HH:MM (24-hour), e.g. 08:00")
      .optional(),
    ROOM_ID: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, "use 1-40 lowercase letters, digits, '-' or '_'")
      .default("server-room"),
    DATA_DIR: z.string().min(1).default("./data"),
    HARDWARE: z.enum(HARDWARE_MODES).default("auto"),
    STORAGE: z.enum(STORAGE_KINDS, { message: `must be one of: ${STORAGE_KINDS.join(", ")}` }).default("sqlite"),
    TIMEZONE: z
      .string()
      .default(defaultTimeZone(env))
      .refine(isValidTimeZone, "is not an IANA timezone (e.g. Europe/Berlin, Asia/Tokyo, UTC)"),
    OFFICE_HOURS: z
      .string()
      .default("mon-sun 07:00-19:00")
      .transform((spec, ctx) => {
        const parsed = parseOfficeHoursSpec(spec);
        if (!parsed.ok) {
          ctx.addIssue({ code: "custom", message: parsed.error });
          return z.NEVER;
        }
        return parsed.days;
      }),
    HOLIDAYS: z
      .string()
      .default("")
      .transform((text, ctx) => {
        const dates = text
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean);
        for (const d of dates) {
          if (!/^\d{4}-\d{2}-\d{2}$/.test(d) || Number.isNaN(Date.parse(`${d}T00:00:00Z`)))
            ctx.addIssue({ code: "custom", message: `"${d}" is not a date (YYYY-MM-DD)` });
        }
        return new Set(dates);
      }),
    TEMP_RANGE: range("TEMP_RANGE", -40, 80, "18..27"),
    TEMP_CRITICAL_RANGE: range("TEMP_CRITICAL_RANGE", -40, 80, "15..30"),
    HUMIDITY_RANGE: range("HUMIDITY_RANGE", 0, 100, "30..60"),
    HUMIDITY_CRITICAL_RANGE: range("HUMIDITY_CRITICAL_RANGE", 0, 100, "20..70"),
    SAMPLE_INTERVAL_SECONDS: z.coerce
      .number()
      .int()
      .min(2, "the DHT22 cannot be read more often than every 2 seconds")
      .max(86_400)
      .default(60)
      .refine(
        (s) => samplingCron(s) !== undefined,
        "must divide a minute (2-30 s), an hour (whole minutes) or a day (whole hours), e.g. 5, 60, 300",
      ),
    DHT_PIN: intIn(0, 27, 4),
    CARD_DRIVER: z.enum(CARD_DRIVERS, { message: `must be one of: ${CARD_DRIVERS.join(", ")}` }).default("mfrc522"),
    CARD_SPI_DEVICE: z
      .string()
      .trim()
      .regex(/^\/dev\/\S+$/, "must be a device path such as /dev/spidev0.0")
      .optional(),
    CARD_POLL_MS: intIn(20, 5_000, 200),
    CARD_RST_PIN: intIn(0, 27, 25),
    CARD_SPI_CE: intIn(0, 1, 0),
    CARD_DEBOUNCE_MS: intIn(0, 60_000, 1500),
    CARD_WATCHDOG_MS: intIn(500, 600_000, 5000),
    ENROLL_TIMEOUT_SECONDS: intIn(10, 600, 60),
    INVITE_TTL_MINUTES: intIn(1, 7 * 24 * 60, 60),
    LCD_SIZE: z
      .string()
      .default("16x2")
      .refine((s) => ["16x2", "20x4"].includes(s), "must be 16x2 or 20x4"),
    LCD_I2C_BUS: intIn(0, 20, 1),
    LCD_I2C_ADDRESS: z
      .string()
      .regex(/^(0x[0-9a-fA-F]{1,2}|\d{1,3})$/, "must be an I2C address such as 0x27 or 0x3f")
      .default("0x27")
      .transform(Number)
      .refine((a) => a >= 0x03 && a <= 0x77, "must lie within 0x03..0x77"),
    LCD_MESSAGE_SECONDS: intIn(1, 60, 5),
    CAMERA_DEVICE: z
      .string()
      .regex(/^\/dev\/\S+$/, "must be a device path such as /dev/video0")
      .default("/dev/video0"),
    CAMERA_SIZE: z
      .string()
      .default("1280x720")
      .transform((text, ctx) => {
        const m = /^(\d{2,4})x(\d{2,4})$/.exec(text.trim());
        const width = Number(m?.[1]);
        const height = Number(m?.[2]);
        if (!m || width < 160 || height < 120 || width > 4056 || height > 3040 || width % 2 || height % 2) {
          ctx.addIssue({
            code: "custom",
            message: "must be WIDTHxHEIGHT, even numbers within 160x120..4056x3040, e.g. 1280x720",
          });
          return z.NEVER;
        }
        return { width, height };
      }),
    JPEG_QUALITY: intIn(10, 100, 85),
    CAMERA_TIMEOUT_SECONDS: intIn(2, 120, 15),
    CLIP_SECONDS: intIn(1, 60, 10),
    CLIP_MAX_SECONDS: intIn(1, 60, 30),
    MOTION_PIR_PIN: z.coerce.number().int().min(0).max(27).optional(),
    MOTION_PIR_CHIP: z
      .string()
      .trim()
      .default("auto")
      .refine((s) => s === "auto" || /^gpiochip\d+$/.test(s), "must be auto or a GPIO chip such as gpiochip0"),
    MOTION_THRESHOLD: z.coerce.number().min(0.001).max(0.9).default(0.02),
    MOTION_INTERVAL_SECONDS: intIn(1, 60, 2),
    MOTION_COOLDOWN_SECONDS: intIn(0, 3600, 120),
    WATCH_CLIP_SECONDS: intIn(1, 60, 10),
    MEDIA_MAX_MB: intIn(0, 1_000_000, 2048),
    MEDIA_MAX_DAYS: intIn(0, 3650, 30),
    DISK_FREE_WARN_PCT: intIn(1, 90, 10),
    DISK_FREE_CRITICAL_PCT: intIn(0, 90, 5),
    DISK_FREE_CRITICAL_MB: intIn(0, 1_000_000, 200),
    SSH_KEY_FILE: z.string().min(1).optional(),
    SERVER_CHECK_MINUTES: intIn(1, 1440, 5).refine(
      (m) => samplingCron(m * 60) !== undefined,
      "must divide an hour (1-30 minutes) or a day (whole hours), e.g. 1, 5, 15, 60",
    ),
    SSH_CONNECT_TIMEOUT_SECONDS: intIn(1, 120, 10),
    SSH_COMMAND_TIMEOUT_SECONDS: intIn(1, 600, 30),
    SERVER_CONCURRENCY: intIn(1, 64, 8),
    SERVER_DOWN_AFTER: intIn(1, 100, 2),
    DISK_MAX_PCT: intIn(1, 100, 90),
    LOAD_MAX_PER_CORE: z.coerce.number().min(0.1).max(100).default(2),
    MEMORY_MAX_PCT: intIn(1, 100, 95),
    SERVER_RESULTS_DAYS: intIn(1, 3650, 30),
    AWS_REGION: z
      .string()
      .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "is not an AWS region (e.g. eu-central-1)")
      .optional(),
    AWS_PREFIX: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, "use 1-40 lowercase letters, digits or '-'")
      .default("seroma"),
    S3_BUCKET: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
        "is not an S3 bucket name (3-63 lowercase letters, digits, '.', '-')",
      )
      .optional(),
    AWS_DYNAMODB_ENDPOINT: z.url({ protocol: /^https?$/, message: "must be an http(s) URL" }).optional(),
    AWS_S3_ENDPOINT: z.url({ protocol: /^https?$/, message: "must be an http(s) URL" }).optional(),
    BACKUP_AT: z
      .string()
      .regex(/^(([01]\d|2[0-3]):[0-5]\d|off)$/, "must be a local time HH:MM (24-hour) or off")
      .default("03:30"),
    BACKUP_KEEP: intIn(1, 365, 14),
    DEFAULT_LOCALE: z.enum(["en", "ja"]).default("en"),
    LOCAL_UI_HOST: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9.:-]+$/, "must be an IP address or host name, e.g. 127.0.0.1")
      .default("127.0.0.1"),
    LOCAL_UI_PORT: intIn(0, 65_535, 8080),
    LOCAL_MODE: z.enum(["auto", "on", "off"], { message: "must be auto, on or off" }).default("auto"),
    LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
    SHARP_CACHE_MB: intIn(0, 1024, 16),
    SHARP_CONCURRENCY: intIn(1, 64, 1),
  });

/** Every environment variable the console reads (plus ENV_FILE, read by loadConfig). */
export const CONFIG_VARIABLES: readonly string[] = [...Object.keys(schema({}).shape), "ENV_FILE"];

function contains(outer: Range, inner: Range): boolean {
  return outer.min <= inner.min && outer.max >= inner.max;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

/** Parses configuration from an environment map. Pure: does not read files or exit. */
export function parseConfig(env: Record<string, string | undefined>): ConfigResult {
  // Empty strings mean "not set" for optional values, as in most .env files.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const result = schema(env).safeParse(cleaned);
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
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    config: {
      local: { host: e.LOCAL_UI_HOST, port: e.LOCAL_UI_PORT },
      localMode: e.LOCAL_MODE,
      telegram: {
        token: e.TELEGRAM_BOT_TOKEN,
        apiRoot: e.TELEGRAM_API_ROOT,
        adminIds: e.ADMIN_IDS,
        staffIds: e.STAFF_IDS,
        staffChatId: e.STAFF_CHAT_ID,
        staffChatTopicId: e.STAFF_CHAT_TOPIC_ID,
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
    },
  };
}

/**
 * Reads `.env` (or ENV_FILE) if present, merges the process environment over it
 * (real environment wins) and parses.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): ConfigResult {
  const merged = readEnv(env);
  return merged.ok ? parseConfig(merged.env) : merged;
}

/** `.env` (or ENV_FILE) merged under the process environment, unparsed (local mode re-parses it with its own defaults). */
export function readEnv(
  env: Record<string, string | undefined> = process.env,
): { ok: true; env: Record<string, string | undefined> } | { ok: false; errors: string[] } {
  const file = env.ENV_FILE ?? ".env";
  let fromFile: Record<string, string> = {};
  if (existsSync(file)) {
    try {
      fromFile = parseEnv(readFileSync(file, "utf8")) as Record<string, string>;
    } catch (err) {
      return { ok: false, errors: [`${file}: cannot be read (${(err as Error).message})`] };
    }
  } else if (env.ENV_FILE) {
    return { ok: false, errors: [`ENV_FILE: ${file} does not exist`] };
  }
  return { ok: true, env: { ...fromFile, ...env } };
}
