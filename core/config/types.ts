/**
 * The configuration as the console uses it (`Config`), and the names its modes choose
 * from. What a variable may hold: schema.ts; how the variables become a Config: parse.ts.
 */
import type { OfficeHours } from "../office-hours.ts";

export const HARDWARE_MODES = ["auto", "real", "sim"] as const;
/** Real card reader drivers: the MFRC522 through the kernel's /dev/spidev (every Pi), or through mfrc522-rpi (Pi 1-4). */
export const CARD_DRIVERS = ["mfrc522", "mfrc522-rpi"] as const;
export const STORAGE_KINDS = ["sqlite", "aws"] as const;
/** room: a room's console (alone, or an agent reporting to a hub over MQTT); hub: also runs the bot for every room of the site. */
export const ROLES = ["room", "hub"] as const;
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
  /**
   * The dashboard (web/): served on host:port; `publicUrl` (https, behind a reverse proxy) is
   * the address links and the Telegram Mini App use; without it links use http://host:port.
   */
  web: {
    enabled: boolean;
    host: string;
    port: number;
    publicUrl: string | undefined;
    /** How long a /web login link stays valid. */
    loginMs: number;
    /** How long a session lasts without being used again. */
    sessionMs: number;
    /** The live camera view: frames per second and viewers at once. */
    live: { fps: number; maxViewers: number };
  };
  telegram: {
    /** Absent: local mode (the built-in Bot API server and the web page, see local/). */
    token: string | undefined;
    apiRoot: string;
    adminIds: number[];
    staffIds: number[];
    staffChatId: number | undefined;
    /** Forum topic of the staff group for alerts. */
    staffChatTopicId: number | undefined;
    /**
     * ROOM_CHAT_IDS (ROLE=hub only): rooms with a staff group of their own, by room id. Their
     * alerts go there instead of the staff group (core/rooms/room-groups.ts). Empty: none.
     */
    roomChatIds: Readonly<Record<string, number>>;
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
  /** HEARTBEAT_URL: a push monitor called every `everyMs` while the room is up (jobs/heartbeat-job.ts). */
  heartbeat: { url: string; everyMs: number } | undefined;
  /** ROLE (README, "Several rooms"). */
  role: (typeof ROLES)[number];
  /**
   * MQTT_URL set: the link to the site's broker (TLS with a client certificate). A room
   * then reports to the hub through it; the hub listens to every room. Unset: a single room.
   */
  mqtt:
    | {
        url: string;
        caFile: string | undefined;
        certFile: string;
        keyFile: string;
        /** MQTT_TOPIC_PREFIX: one per site. */
        prefix: string;
        /** How often a room agent says it is alive. */
        heartbeatMs: number;
        /** The hub: a room not heard for this long is silent (an incident). */
        silentAfterMs: number;
      }
    | undefined;
}
