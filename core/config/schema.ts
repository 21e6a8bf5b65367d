/**
 * The environment variables the console reads, as a zod schema: one entry a variable,
 * with its default and what a valid value looks like. Checks that involve two variables,
 * and the mapping to `Config`, are parse.ts's.
 */
import { z } from "zod";
import { isValidTimeZone, parseOfficeHoursSpec } from "../office-hours.ts";
import { parseRoomChatIds } from "../rooms/room-groups.ts";
import { CARD_DRIVERS, HARDWARE_MODES, LOG_LEVELS, type Range, ROLES, STORAGE_KINDS } from "./types.ts";

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

/** The schema of the environment; `env` only supplies the default TIMEZONE (TZ, else the system's). */
export const envSchema = (env: Record<string, string | undefined>) =>
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
    WEB: z.enum(["on", "off"], { message: "must be on or off" }).default("on"),
    WEB_HOST: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9.:-]+$/, "must be an IP address or host name, e.g. 127.0.0.1")
      .default("127.0.0.1"),
    WEB_PORT: intIn(0, 65_535, 8081),
    WEB_PUBLIC_URL: z
      .url({ protocol: /^https$/, message: "must be an https URL (Telegram opens Mini Apps over HTTPS only)" })
      .optional(),
    WEB_LOGIN_MINUTES: intIn(1, 60, 5),
    WEB_SESSION_HOURS: intIn(1, 24 * 30, 12),
    WEB_LIVE_FPS: intIn(1, 30, 5),
    WEB_LIVE_MAX_VIEWERS: intIn(1, 50, 5),
    LOCAL_MODE: z.enum(["auto", "on", "off"], { message: "must be auto, on or off" }).default("auto"),
    LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
    SHARP_CACHE_MB: intIn(0, 1024, 16),
    SHARP_CONCURRENCY: intIn(1, 64, 1),
    HEARTBEAT_URL: z
      .url({ protocol: /^https?$/, message: "must be an http(s) URL (the push monitor's address)" })
      .optional(),
    HEARTBEAT_SECONDS: intIn(1, 3600, 60),
    ROLE: z.enum(ROLES, { message: `must be one of: ${ROLES.join(", ")}` }).default("room"),
    MQTT_URL: z
      .url({ protocol: /^mqtts$/, message: "must be an mqtts:// URL (TLS), e.g. mqtts://broker.lan:8883" })
      .optional(),
    MQTT_CA_FILE: z.string().min(1).optional(),
    MQTT_CERT_FILE: z.string().min(1).optional(),
    MQTT_KEY_FILE: z.string().min(1).optional(),
    MQTT_TOPIC_PREFIX: z
      .string()
      .regex(
        /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/,
        "use words of letters, digits, '-' or '_' separated by '/', e.g. seroma/berlin",
      )
      .default("seroma/site"),
    MQTT_HEARTBEAT_SECONDS: intIn(1, 3600, 30),
    ROOM_SILENT_AFTER_SECONDS: intIn(2, 86_400, 120),
    ROOM_CHAT_IDS: z
      .string()
      .default("")
      .transform((text, ctx) => {
        const r = parseRoomChatIds(text);
        if (r.ok) return r.value;
        ctx.addIssue({ code: "custom", message: r.error });
        return z.NEVER;
      }),
  });

/** Every environment variable the console reads (plus ENV_FILE, read by loadConfig). */
export const CONFIG_VARIABLES: readonly string[] = [...Object.keys(envSchema({}).shape), "ENV_FILE"];
