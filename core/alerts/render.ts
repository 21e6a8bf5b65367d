/**
 * Renders alert notices and incidents as Telegram HTML (and, stripped, as plain text
 * for SNS), from the locale files. Every value taken from a notice is escaped.
 */

import { formatCardUid } from "../door/card-uid.ts";
import { htmlToText } from "../text/fit.ts";
import { escapeHtml, formatDateTime } from "../text/format.ts";
import {
  EVENT_RULES,
  type Incident,
  type MuteFamily,
  type Notice,
  parseDeviceMissingRule,
  parseRoomSilentRule,
  parseServerRule,
  ROOM_DEVICES,
  type RuleId,
} from "./types.ts";

/** Numbers are passed as numbers: the locale files choose plural forms by them. */
export type Translate = (key: string, vars?: Record<string, string | number>) => string;

export interface RenderContext {
  t: Translate;
  timeZone: string;
  now: number;
}

const ICON_KEY = { critical: "alert-icon-critical", warning: "alert-icon-warning", info: "alert-icon-info" } as const;

function hhmm(at: number, timeZone: string): string {
  return formatDateTime(at, timeZone).slice(11, 16);
}

/** "12 min", "2 h 5 min", "1 d 3 h" (localized). */
export function formatDuration(t: Translate, ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 60) return t("duration-minutes", { n: String(minutes) });
  if (minutes < 24 * 60) return t("duration-hours", { n: String(Math.floor(minutes / 60)), m: String(minutes % 60) });
  const hours = Math.floor(minutes / 60);
  return t("duration-days", { n: String(Math.floor(hours / 24)), h: String(hours % 24) });
}

export function ruleName(t: Translate, rule: RuleId | "*" | MuteFamily): string {
  if (rule === "*") return t("rule-all");
  if (rule === "server.*") return t("rule-servers");
  if (rule === "device.*") return t("rule-devices");
  if (rule === "power.*") return t("rule-power");
  const server = parseServerRule(rule);
  if (server) return t(`rule-server-${server.kind}`, { host: escapeHtml(server.host) });
  const device = parseDeviceMissingRule(rule);
  if (device) return t("rule-device-missing", { device: t(`device-${device}`) });
  const silentRoom = parseRoomSilentRule(rule);
  if (silentRoom) return t("rule-room-silent", { silentRoom: escapeHtml(silentRoom) });
  return t(`rule-${rule.replace(".", "-")}`);
}

function str(details: Notice["details"], key: string): string {
  return escapeHtml(details[key] ?? "");
}

/** A door alert's card UID, as people see UIDs everywhere. */
function cardUid(details: Notice["details"]): string {
  return escapeHtml(formatCardUid(String(details.uid ?? "")));
}

/** A count from the details as a number (for the locale's plural forms); text if it is not one. */
function count(details: Notice["details"], key: string): number | string {
  const value = details[key];
  const n = typeof value === "number" ? value : Number(value);
  return value !== undefined && value !== "" && Number.isFinite(n) ? n : str(details, key);
}

/** A door tap read for an enrollment says so (the admin is at the reader, not an intruder). */
function enrolling(t: Translate, d: Notice["details"], line: string): string {
  const withEnrollment =
    d.enrollBy === undefined ? line : `${line} ${t("alert-door-enrollment", { by: str(d, "enrollBy") })}`;
  // Office hours were judged on a clock that is not synchronised: say so.
  return d.clockUnsynced === 1 ? `${withEnrollment} ${t("access-clock-unsynced")}` : withEnrollment;
}

/** A disk alert names at most this many mounts (the fullest first); `/server NAME` lists them all. */
export const ALERT_DISK_MOUNTS = 5;

/**
 * "/srv 97 %" as <code>/srv</code> 97 %: a mount point in plain text would be a tappable
 * (and meaningless) /srv command in Telegram.
 */
function codeMount(item: string): string {
  const m = /^(.*) (\d+(?:\.\d+)? %)$/.exec(item);
  return m ? `<code>${escapeHtml(m[1])}</code> ${escapeHtml(m[2])}` : escapeHtml(item);
}

/** "/a 97 %, /b 95 %" (as servers/evaluate.ts joins them), capped at ALERT_DISK_MOUNTS with "… and N more". */
function diskMounts(t: Translate, host: string, d: Notice["details"]): string {
  const all = String(d.mounts ?? "");
  // Mount points are absolute paths: a ", " inside one is not followed by "/".
  const mounts = all.split(/, (?=\/)/).map(codeMount);
  if (mounts.length <= ALERT_DISK_MOUNTS) return mounts.join(", ");
  return t("alert-server-disk-more", {
    mounts: mounts.slice(0, ALERT_DISK_MOUNTS).join(", "),
    n: String(mounts.length - ALERT_DISK_MOUNTS),
    host: escapeHtml(host),
  });
}

/** The one-line description of what is wrong. */
export function describeCondition(t: Translate, rule: RuleId | undefined, d: Notice["details"]): string {
  switch (rule) {
    case "climate.temperature":
    case "climate.humidity":
      return t("alert-climate", {
        quantity: t(`alert-quantity-${d.quantity === "humidity" ? "humidity" : "temperature"}`),
        direction: t(`alert-direction-${d.direction === "low" ? "low" : "high"}`),
        value: str(d, "value"),
        unit: str(d, "unit"),
        limit: str(d, "limit"),
      });
    case "sensor.dead":
      return t("alert-sensor-dead", { failures: count(d, "failures"), reason: str(d, "reason") });
    case "sensor.stuck":
      return t("alert-sensor-stuck", { value: str(d, "value"), minutes: str(d, "minutes") });
    case "reader.dead":
      return t("alert-reader-dead", { reason: str(d, "reason") });
    case "door.breach":
      return enrolling(t, d, t("alert-door-breach", { name: str(d, "name"), uid: cardUid(d), time: str(d, "time") }));
    case "door.unknown-card":
      return enrolling(t, d, t("alert-door-unknown", { uid: cardUid(d), time: str(d, "time") }));
    case "door.revoked-card":
      return enrolling(t, d, t("alert-door-revoked", { name: str(d, "name"), uid: cardUid(d), time: str(d, "time") }));
    case "door.wrong-room-card":
      return enrolling(
        t,
        d,
        t("alert-door-wrong-room", { name: str(d, "name"), uid: cardUid(d), time: str(d, "time") }),
      );
    case "camera.dead":
      return t("alert-camera-dead", { reason: str(d, "reason") });
    case "motion.dead":
      return t("alert-motion-dead", { reason: str(d, "reason") });
    case "storage.write":
      return t("alert-storage-write", { reason: str(d, "reason") });
    case "clock.unsynced":
      return t("alert-clock-unsynced", { reason: str(d, "reason") });
    case "power.undervoltage":
      return t("alert-power-undervoltage");
    case "power.throttled": {
      const what = String(d.what ?? "")
        .split(", ")
        .filter((w) => w === "capped" || w === "throttled" || w === "soft-temp")
        .map((w) => t(`alert-throttled-${w}`));
      return t("alert-power-throttled", { what: what.join(", ") });
    }
    case "power.undervoltage-seen":
      return t("alert-power-undervoltage-seen", { time: str(d, "time") });
    case "storage.space":
      return t("alert-storage-space", {
        free: str(d, "free"),
        size: str(d, "size"),
        pct: str(d, "pct"),
        path: str(d, "path"),
      });
    case "room.motion":
      return t(d.armed === 1 ? "alert-room-motion-armed" : "alert-room-motion", {
        time: str(d, "time"),
        source: str(d, "source"),
      });
    default: {
      const silentRoom = rule ? parseRoomSilentRule(rule) : undefined;
      if (silentRoom) return t("alert-room-silent", { silentRoom: escapeHtml(silentRoom), reason: str(d, "reason") });
      const device = rule ? parseDeviceMissingRule(rule) : undefined;
      if (device) {
        return t(d.stopped === 1 ? "alert-device-stopped" : "alert-device-missing", {
          device: t(`device-${device}`),
          driver: str(d, "driver"),
          reason: str(d, "reason"),
        });
      }
      const server = rule ? parseServerRule(rule) : undefined;
      if (!server) return "";
      return t(`alert-server-${server.kind}`, {
        host: escapeHtml(server.host),
        reason: str(d, "reason"),
        failures: count(d, "failures"),
        mounts: server.kind === "disk" ? diskMounts(t, server.host, d) : "",
        services: str(d, "services"),
        // how many services are down: the details name them, "nginx (failed), cron (inactive)"
        count:
          server.kind === "service"
            ? String(d.services ?? "")
                .split(", ")
                .filter(Boolean).length
            : count(d, "count"),
        latest: str(d, "latest"),
        load: str(d, "load"),
        cores: count(d, "cores"),
        used: str(d, "used"),
        limit: str(d, "limit"),
      });
    }
  }
}

function recoveryLine(t: Translate, n: Notice): string {
  const duration = formatDuration(t, Number(n.details.durationMs ?? 0));
  if (n.rule === "sensor.dead") return t("alert-recovered-sensor-dead", { duration });
  if (n.rule === "sensor.stuck") return t("alert-recovered-sensor-stuck", { duration });
  if (n.rule === "reader.dead") return t("alert-recovered-reader-dead", { duration });
  if (n.rule === "camera.dead") return t("alert-recovered-camera-dead", { duration });
  const server = n.rule ? parseServerRule(n.rule) : undefined;
  if (server) return t(`alert-recovered-server-${server.kind}`, { host: escapeHtml(server.host), duration });
  if (n.rule === "motion.dead") return t("alert-recovered-motion-dead", { duration });
  if (n.rule === "storage.write") return t("alert-recovered-storage-write", { duration });
  if (n.rule === "clock.unsynced") return t("alert-recovered-clock-unsynced", { duration });
  if (n.rule === "power.undervoltage") return t("alert-recovered-power-undervoltage", { duration });
  if (n.rule === "power.throttled") return t("alert-recovered-power-throttled", { duration });
  const silentRoom = n.rule ? parseRoomSilentRule(n.rule) : undefined;
  if (silentRoom) return t("alert-recovered-room-silent", { silentRoom: escapeHtml(silentRoom), duration });
  const device = n.rule ? parseDeviceMissingRule(n.rule) : undefined;
  if (device) {
    return t("alert-recovered-device-missing", {
      device: t(`device-${device}`),
      driver: str(n.details, "driver"),
      duration,
    });
  }
  if (n.rule === "storage.space") {
    return t("alert-recovered-storage-space", { free: str(n.details, "free"), pct: str(n.details, "pct"), duration });
  }
  return t("alert-recovered-climate", {
    quantity: t(`alert-quantity-${n.details.quantity === "humidity" ? "humidity" : "temperature"}`),
    value: str(n.details, "value"),
    unit: str(n.details, "unit"),
    duration,
  });
}

/** A notice as Telegram HTML. `lateByMs` > 0 adds the "delivered late" line. */
export function renderNotice(ctx: RenderContext, n: Notice, lateByMs = 0): string {
  const { t, timeZone } = ctx;
  const room = escapeHtml(n.roomId);
  const severity = t(`alert-severity-${n.severity}`);
  const icon = t(ICON_KEY[n.severity]);
  const lines: string[] = [];
  const openedAt = Number(n.details.openedAt ?? n.at);
  switch (n.kind) {
    case "raised":
    case "escalated":
      lines.push(t(`alert-head-${n.kind}`, { icon, severity, room }), describeCondition(t, n.rule, n.details));
      lines.push(t("alert-since", { time: hhmm(openedAt, timeZone), tz: escapeHtml(timeZone) }));
      break;
    case "reminder":
      lines.push(t("alert-head-reminder", { severity, room }), describeCondition(t, n.rule, n.details));
      lines.push(t("alert-open-for", { duration: formatDuration(t, n.at - openedAt) }));
      break;
    case "recovered":
      lines.push(t("alert-head-recovered", { room }), recoveryLine(t, n));
      break;
    case "started": {
      lines.push(t("alert-started", { room, driver: str(n.details, "driver"), open: str(n.details, "open") }));
      // Every device and its driver ("sim" where simulated): nothing is simulated silently.
      const devices = ROOM_DEVICES.filter((d) => n.details[`device.${d}`] !== undefined).map((d) =>
        t("alert-started-device", { device: t(`device-${d}`), driver: str(n.details, `device.${d}`) }),
      );
      if (devices.length > 0) lines.push(t("alert-started-devices", { list: devices.join(", ") }));
      break;
    }
    case "summary":
      lines.push(renderSummaryLines(t, n));
      break;
    case "backup-failed":
      lines.push(t("alert-backup-failed", { room, error: str(n.details, "error") }));
      break;
    case "undeliverable":
      lines.push(
        t("alert-undeliverable", {
          room,
          channel: channelName(t, String(n.details.channel ?? "")),
          error: str(n.details, "error"),
          what: str(n.details, "what"),
        }),
      );
      break;
    case "database-replaced":
      lines.push(
        t(n.details.backup ? "alert-database-replaced" : "alert-database-replaced-no-backup", {
          room,
          error: str(n.details, "error"),
          setAside: str(n.details, "setAside"),
          file: str(n.details, "file"),
          backup: str(n.details, "backup"),
          backups: str(n.details, "backups"),
        }),
      );
      break;
  }
  if (lateByMs > 0) {
    lines.push(
      t("alert-late", {
        time: hhmm(n.at, timeZone),
        ago: t("age-minutes", { n: String(Math.round(lateByMs / 60_000)) }),
      }),
    );
  }
  return lines.join("\n");
}

/** A channel's name for people: "the staff group", "SNS (e-mail, SMS)"... */
export function channelName(t: Translate, channel: string): string {
  return channel === "telegram" || channel === "admins" || channel === "sns"
    ? t(`alert-channel-${channel}`)
    : escapeHtml(channel);
}

function renderSummaryLines(t: Translate, n: Notice): string {
  return [
    t("summary-title", { room: escapeHtml(n.roomId) }),
    t("summary-incidents", { count: str(n.details, "incidents"), open: str(n.details, "open") }),
  ].join("\n");
}

/**
 * One line of a digest. `digestRoom`: the room its title names; a line of another room
 * (a hub's digest carries several rooms' alerts) names its own.
 */
export function renderDigestLine(ctx: RenderContext, n: Notice, digestRoom?: string): string {
  const time = hhmm(n.at, ctx.timeZone);
  const icon = n.kind === "recovered" ? "✅" : ctx.t(ICON_KEY[n.severity]);
  const ownLine =
    n.kind === "started" ||
    n.kind === "summary" ||
    n.kind === "backup-failed" ||
    n.kind === "undeliverable" ||
    n.kind === "database-replaced";
  const what =
    n.kind === "recovered"
      ? recoveryLine(ctx.t, n)
      : ownLine
        ? (renderNotice(ctx, n).split("\n")[0] ?? "")
        : describeCondition(ctx.t, n.rule, n.details);
  const room = digestRoom !== undefined && n.roomId !== digestRoom && !ownLine ? ` · ${escapeHtml(n.roomId)}` : "";
  return `${time} ${icon} ${what}${room}`;
}

/** The alert message of an incident as it stands (for edits after ack or mute). */
export function renderIncident(ctx: RenderContext, i: Incident, mutedBy?: { name: string; until: number }): string {
  const lines = [
    renderNotice(ctx, {
      kind: "raised",
      roomId: i.roomId,
      severity: i.severity,
      rule: i.rule,
      incidentId: i.id,
      at: i.openedAt,
      details: { ...i.details, openedAt: i.openedAt },
    }),
  ];
  if (i.ackedBy && i.ackedAt !== undefined) {
    lines.push("", ctx.t("alert-acked", { name: escapeHtml(i.ackedBy.name), time: hhmm(i.ackedAt, ctx.timeZone) }));
  }
  if (mutedBy) {
    lines.push(
      "",
      ctx.t("alert-muted-by", { name: escapeHtml(mutedBy.name), time: hhmm(mutedBy.until, ctx.timeZone) }),
    );
  }
  return lines.filter((l, idx) => !(l === "" && lines[idx - 1] === "")).join("\n");
}

/**
 * A settled incident's card (acknowledged or resolved): the alert as it stands, who
 * acknowledged it, and when it resolved. The bot and the group channel both edit cards to
 * this, so whichever comes second finds nothing to change.
 */
export function renderSettledCard(ctx: RenderContext, i: Incident): string {
  const lines = [renderIncident(ctx, i)];
  if (i.state === "resolved" && !EVENT_RULES.has(i.rule) && i.resolvedAt !== undefined) {
    lines.push(ctx.t("alert-resolved-at", { time: hhmm(i.resolvedAt, ctx.timeZone) }));
  }
  return lines.join("\n");
}

/** A recovery as a short reply to its alert's card (which names the room already). */
export function renderRecoveredReply(ctx: RenderContext, n: Notice, lateByMs = 0): string {
  const lines = [ctx.t("alert-reply-recovered", { what: recoveryLine(ctx.t, n) })];
  if (lateByMs > 0) {
    lines.push(
      ctx.t("alert-late", {
        time: hhmm(n.at, ctx.timeZone),
        ago: ctx.t("age-minutes", { n: String(Math.round(lateByMs / 60_000)) }),
      }),
    );
  }
  return lines.join("\n");
}

/** Telegram HTML -> plain text (for SNS e-mail/SMS): what the reader would see, as core/text/fit.ts reads it. */
export function htmlToPlain(html: string): string {
  return htmlToText(html);
}
