/**
 * The alert engine: typed events from jobs -> rules -> incidents -> notices.
 *
 * Climate rules (temperature, humidity) have warning and critical levels with
 * hysteresis (raise outside the band; clear only once back inside it by `hysteresis`),
 * a minimum duration before raising, one open incident per rule and room (the
 * database enforces it too), escalation and silent de-escalation, reminders while
 * unacknowledged, and a recovery notice when the condition clears. Sensor health is
 * its own pair of rules: dead (N failures in a row) and stuck (identical values too long).
 *
 * Events are processed one at a time, in order. Each incident change goes to `record`
 * together with the notice it causes (the pipeline writes both as one unit: the durable
 * outbox), and without a notice when a mute covers the rule: the incident is recorded
 * either way.
 */
import { randomBytes } from "node:crypto";
import { assess, type Level } from "../climate/assess.ts";
import type { Reading } from "../climate/reading.ts";
import type { Clock } from "../clock.ts";
import type { Range, Thresholds } from "../config.ts";
import type { Logger } from "../logger.ts";
import {
  type DeviceRuleId,
  EVENT_RULES,
  type EventRuleId,
  type Incident,
  type LeveledRuleId,
  type Mute,
  muteCovers,
  type Notice,
  type RuleId,
  type ServerRuleId,
  type Severity,
} from "./types.ts";

/** What the engine reads from storage (its writes go through `record`). */
export interface AlertRepositories {
  incidents: {
    listOpen(roomId?: string): Promise<Incident[]>;
    get(id: string): Promise<Incident | undefined>;
  };
  mutes: { active(roomId: string, now: number): Promise<Mute[]> };
}

/** An incident change, and the notice it causes unless a mute covers the rule. */
export interface AlertChange {
  incident: { op: "insert" | "update"; value: Incident };
  notice?: Notice;
}

export interface AlertEngineOptions {
  roomId: string;
  thresholds: { temperatureC: Thresholds; humidityPct: Thresholds };
  hysteresis: { temperatureC: number; humidityPct: number };
  /** A condition must hold this long before an incident is raised (0: at once). */
  minDurationMs: number;
  /** Reminder period for unacknowledged incidents (0: never). */
  remindEveryMs: number;
  /** Consecutive sensor failures that make the sensor "dead". */
  sensorDeadAfter: number;
  /** Identical readings for this long make the sensor "stuck" (0: never). */
  sensorStuckMs: number;
  clock: Clock;
  repos: AlertRepositories;
  /**
   * Stores the change and queues its notice as one unit (the pipeline's ledger, falling back
   * to memory when storage fails). Should not throw; if it does, the engine logs and carries on.
   */
  record(change: AlertChange): Promise<void>;
  logger: Logger;
  newId?: () => string;
}

export interface SensorErrorEvent {
  at: number;
  code: string;
  message: string;
}

export type AckResult =
  | { ok: true; incident: Incident }
  | { ok: false; reason: "not-found" | "resolved" | "already"; incident?: Incident };

export interface AlertEngine {
  /** Loads open incidents from storage: a restart neither forgets nor repeats them. */
  start(): Promise<void>;
  onReading(reading: Reading): Promise<void>;
  onSensorError(event: SensorErrorEvent): Promise<void>;
  /** An event incident (door breach, unknown or revoked card): recorded and announced once. */
  raiseEvent(rule: EventRuleId, severity: Severity, details: Incident["details"], at: number): Promise<Incident>;
  /** The card reader stopped answering / answers again. */
  onReaderDead(event: { at: number; reason: string }): Promise<void>;
  onReaderAlive(event: { at: number }): Promise<void>;
  /** A device stopped working (one open incident until it works again). */
  onDeviceDown(rule: DeviceRuleId, event: { at: number; reason: string }): Promise<void>;
  /** The device works again: resolves its incident, if any. */
  onDeviceUp(rule: DeviceRuleId, event: { at: number }): Promise<void>;
  /**
   * Sets a measured condition (a server's, the disk space of DATA_DIR): a problem raises
   * (or, open already, updates the details and escalates warning -> critical), undefined
   * resolves.
   */
  setCondition(
    rule: LeveledRuleId,
    problem: { severity: Severity; details: Incident["details"] } | undefined,
    at: number,
    /** With no problem: what the recovery notice says it is now (e.g. the free space). */
    nowDetails?: Incident["details"],
  ): Promise<void>;
  /** setCondition for a server's rule. */
  setServerCondition(
    rule: ServerRuleId,
    problem: { severity: Severity; details: Incident["details"] } | undefined,
    at: number,
  ): Promise<void>;
  /** Sends due reminders. Call periodically (the alert job does, every minute). */
  tick(): Promise<void>;
  acknowledge(incidentId: string, by: { id: number; name: string }): Promise<AckResult>;
  openIncidents(): Incident[];
  /** Resolves when every event queued so far has been processed. */
  idle(): Promise<void>;
}

const LEVEL_RANK: Record<Level, number> = { ok: 0, warn: 1, critical: 2 };
const toSeverity = (l: Level): Severity => (l === "critical" ? "critical" : "warning");
const toLevel = (s: Severity): Level => (s === "critical" ? "critical" : "warn");

function shrink(r: Range, by: number): Range {
  // Never let the hysteresis invert a band.
  const mid = (r.min + r.max) / 2;
  return { min: Math.min(r.min + by, mid), max: Math.max(r.max - by, mid) };
}

/** Level of `value` given the current level: leaving a level needs a margin of `h`. */
export function levelWithHysteresis(value: number, t: Thresholds, h: number, current: Level): Level {
  const raw = assess(value, t).level;
  if (raw === "critical") return "critical";
  if (current === "critical" && assess(value, { warn: t.warn, critical: shrink(t.critical, h) }).level === "critical")
    return "critical";
  if (raw === "warn") return "warn";
  if (current !== "ok" && assess(value, { warn: shrink(t.warn, h), critical: t.critical }).level !== "ok")
    return "warn";
  return "ok";
}

interface ClimateRule {
  rule: "climate.temperature" | "climate.humidity";
  quantity: "temperature" | "humidity";
  unit: string;
  pick: (r: Reading) => number;
  thresholds: Thresholds;
  hysteresis: number;
  pending?: { since: number };
}

export function createAlertEngine(opts: AlertEngineOptions): AlertEngine {
  const { roomId, clock, repos, logger } = opts;
  const log = logger.child({ component: "alerts", room: roomId });
  const newId = opts.newId ?? (() => randomBytes(6).toString("base64url"));
  const open = new Map<RuleId, Incident>();
  const climate: ClimateRule[] = [
    {
      rule: "climate.temperature",
      quantity: "temperature",
      unit: "°C",
      pick: (r) => r.temperatureC,
      thresholds: opts.thresholds.temperatureC,
      hysteresis: opts.hysteresis.temperatureC,
    },
    {
      rule: "climate.humidity",
      quantity: "humidity",
      unit: "%",
      pick: (r) => r.humidityPct,
      thresholds: opts.thresholds.humidityPct,
      hysteresis: opts.hysteresis.humidityPct,
    },
  ];
  let failures = 0;
  let lastValues: { t: number; h: number; since: number } | undefined;
  let queue: Promise<void> = Promise.resolve();

  /**
   * Records an incident change with its notice (if any). The pipeline never lets storage
   * trouble silence an alert (it holds what it cannot write in memory); should `record`
   * throw anyway, the failure is logged and the incident lives on in memory while open.
   */
  async function persist(op: "insert" | "update", incident: Incident, notice?: Notice): Promise<void> {
    try {
      await opts.record({ incident: { op, value: { ...incident } }, ...(notice ? { notice } : {}) });
    } catch (err) {
      log.error({ err, incident: incident.id, rule: incident.rule, op }, "could not record an incident change");
    }
  }

  function enqueue(work: () => Promise<void>): Promise<void> {
    const next = queue.then(work).catch((err) => log.error({ err }, "alert engine failed to process an event"));
    queue = next;
    return next;
  }

  async function isMuted(rule: RuleId, now: number): Promise<boolean> {
    let mutes: Mute[];
    try {
      mutes = await repos.mutes.active(roomId, now);
    } catch (err) {
      // Mutes unreadable (AWS down): better one alert too many than one too few.
      log.error({ err, rule }, "could not read mutes; alerting");
      return false;
    }
    return mutes.some((m) => muteCovers(m.rule, rule));
  }

  /** The notice of an incident change, or undefined when a mute covers the rule. */
  async function noticeOf(
    incident: Incident,
    kind: Notice["kind"],
    now: number,
    extra: Notice["details"] = {},
  ): Promise<Notice | undefined> {
    if (await isMuted(incident.rule, now)) {
      log.info({ rule: incident.rule, kind, incident: incident.id }, "notice suppressed by a mute");
      return undefined;
    }
    return {
      kind,
      roomId,
      severity: kind === "recovered" ? "info" : incident.severity,
      rule: incident.rule,
      incidentId: incident.id,
      at: now,
      details: { ...incident.details, openedAt: incident.openedAt, ...extra },
    };
  }

  async function raise(rule: RuleId, severity: Severity, details: Incident["details"], now: number) {
    const incident: Incident = {
      id: newId(),
      roomId,
      rule,
      severity,
      state: "open",
      openedAt: now,
      details,
      lastNotifiedAt: now,
    };
    open.set(rule, incident);
    log.warn({ rule, severity, incident: incident.id, details }, "incident raised");
    await persist("insert", incident, await noticeOf(incident, "raised", now));
  }

  async function resolve(incident: Incident, now: number, details: Incident["details"]) {
    incident.state = "resolved";
    incident.resolvedAt = now;
    open.delete(incident.rule);
    log.info({ rule: incident.rule, incident: incident.id }, "incident resolved");
    await persist(
      "update",
      incident,
      await noticeOf(incident, "recovered", now, { ...details, durationMs: now - incident.openedAt }),
    );
  }

  function climateDetails(c: ClimateRule, value: number, level: Level): Incident["details"] {
    const direction =
      assess(value, c.thresholds).direction ??
      (value >= (c.thresholds.warn.min + c.thresholds.warn.max) / 2 ? "high" : "low");
    const band = level === "critical" ? c.thresholds.critical : c.thresholds.warn;
    return {
      quantity: c.quantity,
      value: value.toFixed(1),
      unit: c.unit,
      direction,
      limit: (direction === "high" ? band.max : band.min).toFixed(1),
    };
  }

  async function climateRule(c: ClimateRule, reading: Reading) {
    const now = reading.at;
    const value = c.pick(reading);
    const incident = open.get(c.rule);
    const current: Level = incident ? toLevel(incident.severity) : "ok";
    const level = levelWithHysteresis(value, c.thresholds, c.hysteresis, current);

    if (incident) {
      if (level === "ok") {
        await resolve(incident, now, { value: value.toFixed(1), unit: c.unit, quantity: c.quantity });
      } else if (LEVEL_RANK[level] > LEVEL_RANK[current]) {
        incident.severity = toSeverity(level);
        incident.details = climateDetails(c, value, level);
        incident.lastNotifiedAt = now;
        delete incident.ackedAt; // a worse condition needs a fresh acknowledgement
        delete incident.ackedBy;
        log.warn({ rule: c.rule, incident: incident.id }, "incident escalated");
        await persist("update", incident, await noticeOf(incident, "escalated", now));
      } else if (LEVEL_RANK[level] < LEVEL_RANK[current]) {
        incident.severity = toSeverity(level);
        incident.details = climateDetails(c, value, level);
        await persist("update", incident);
      }
      return;
    }
    if (level === "ok") {
      c.pending = undefined;
      return;
    }
    c.pending ??= { since: now };
    if (now - c.pending.since >= opts.minDurationMs) {
      c.pending = undefined;
      await raise(c.rule, toSeverity(level), climateDetails(c, value, level), now);
    }
  }

  async function stuckRule(reading: Reading) {
    if (opts.sensorStuckMs <= 0) return;
    const now = reading.at;
    const same = lastValues && lastValues.t === reading.temperatureC && lastValues.h === reading.humidityPct;
    if (!same || !lastValues) {
      lastValues = { t: reading.temperatureC, h: reading.humidityPct, since: now };
      const stuck = open.get("sensor.stuck");
      if (stuck) await resolve(stuck, now, {});
      return;
    }
    if (!open.has("sensor.stuck") && now - lastValues.since >= opts.sensorStuckMs) {
      await raise(
        "sensor.stuck",
        "warning",
        {
          value: `${reading.temperatureC.toFixed(1)} °C, ${reading.humidityPct.toFixed(1)} %`,
          minutes: Math.round((now - lastValues.since) / 60_000),
        },
        now,
      );
    }
  }

  const engine: AlertEngine = {
    async start() {
      for (const i of await repos.incidents.listOpen(roomId)) open.set(i.rule, i);
      if (open.size > 0) log.info({ open: [...open.keys()] }, "open incidents restored");
    },
    onReading(reading) {
      return enqueue(async () => {
        failures = 0;
        const dead = open.get("sensor.dead");
        if (dead) await resolve(dead, reading.at, {});
        for (const c of climate) await climateRule(c, reading);
        await stuckRule(reading);
      });
    },
    onSensorError(event) {
      return enqueue(async () => {
        failures++;
        if (failures >= opts.sensorDeadAfter && !open.has("sensor.dead")) {
          await raise(
            "sensor.dead",
            "critical",
            { reason: event.message.slice(0, 300), code: event.code, failures },
            event.at,
          );
        }
      });
    },
    async raiseEvent(rule, severity, details, at) {
      const incident: Incident = {
        id: newId(),
        roomId,
        rule,
        severity,
        state: "resolved",
        openedAt: at,
        resolvedAt: at,
        details,
        lastNotifiedAt: at,
      };
      await enqueue(async () => {
        log.warn({ rule, severity, incident: incident.id, details }, "event incident");
        await persist("insert", incident, await noticeOf(incident, "raised", at));
      });
      return incident;
    },
    onReaderDead(event) {
      return engine.onDeviceDown("reader.dead", event);
    },
    onReaderAlive(event) {
      return engine.onDeviceUp("reader.dead", event);
    },
    onDeviceDown(rule, event) {
      return enqueue(async () => {
        if (!open.has(rule)) await raise(rule, "critical", { reason: event.reason.slice(0, 300) }, event.at);
      });
    },
    onDeviceUp(rule, event) {
      return enqueue(async () => {
        const dead = open.get(rule);
        if (dead) await resolve(dead, event.at, {});
      });
    },
    setServerCondition(rule, problem, at) {
      return engine.setCondition(rule, problem, at);
    },
    setCondition(rule, problem, at, nowDetails) {
      return enqueue(async () => {
        const current = open.get(rule);
        if (!problem) {
          if (current) await resolve(current, at, nowDetails ?? {});
          return;
        }
        if (!current) {
          await raise(rule, problem.severity, problem.details, at);
          return;
        }
        const escalate = current.severity === "warning" && problem.severity === "critical";
        current.details = problem.details;
        if (escalate) {
          current.severity = "critical";
          current.lastNotifiedAt = at;
          await persist("update", current, await noticeOf(current, "escalated", at));
        } else {
          await persist("update", current);
        }
      });
    },
    tick() {
      return enqueue(async () => {
        if (opts.remindEveryMs <= 0) return;
        const now = clock.now().getTime();
        for (const incident of open.values()) {
          if (incident.ackedAt !== undefined || now - incident.lastNotifiedAt < opts.remindEveryMs) continue;
          incident.lastNotifiedAt = now;
          await persist("update", incident, await noticeOf(incident, "reminder", now));
        }
      });
    },
    async acknowledge(incidentId, by) {
      let result: AckResult = { ok: false, reason: "not-found" };
      await enqueue(async () => {
        let incident = [...open.values()].find((i) => i.id === incidentId);
        if (!incident) {
          const stored = await repos.incidents.get(incidentId);
          // Event incidents (a breach...) are "resolved" at once but still want an acknowledgement.
          if (!stored || !EVENT_RULES.has(stored.rule)) {
            result = stored ? { ok: false, reason: "resolved", incident: stored } : { ok: false, reason: "not-found" };
            return;
          }
          incident = stored;
        }
        if (incident.ackedAt !== undefined) {
          result = { ok: false, reason: "already", incident };
          return;
        }
        incident.ackedAt = clock.now().getTime();
        incident.ackedBy = by;
        await persist("update", incident);
        log.info({ incident: incident.id, by: by.id }, "incident acknowledged");
        result = { ok: true, incident };
      });
      return result;
    },
    openIncidents() {
      return [...open.values()].sort((a, b) => a.openedAt - b.openedAt);
    },
    idle() {
      return queue;
    },
  };
  return engine;
}
