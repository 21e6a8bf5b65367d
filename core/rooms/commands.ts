/**
 * Commands from the hub to a room, as request and response over MQTT with correlation:
 * the hub publishes `{ id, name, args, expiresAt }` on `PREFIX/commands/ROOM`; the room
 * answers on `PREFIX/rooms/ROOM/responses` with the same id. A command that reaches a room
 * after `expiresAt` (it was queued at the broker while the room was away) is not carried
 * out: the person who asked has had their "did not answer" already.
 *
 * A photo or a clip travels after its answer as numbered parts of at most MEDIA_PART_BYTES
 * (`{ id, part, data }`, base64), so no MQTT message grows past what AWS IoT Core takes
 * (128 KB); the answer says how many bytes and parts follow.
 *
 * Everything read here comes from another machine: each field is checked, strings are
 * bounded, and what does not parse is undefined (the caller logs and drops it).
 *
 * RoomsService is what the bot sees of it (the hub's /rooms, /status, and the room-acting
 * commands: /snapshot, /clip, /arm, /disarm, /server ROOM NAME, /enroll).
 */
import type { Severity } from "../alerts/types.ts";
import type { CardCapture, CardUid } from "../door/card-reader.ts";
import { ACCESS_DECISIONS, type AccessDecision, type AccessEntry } from "../door/ports.ts";
import type { HostChecks, HostResult, HostSpec, LoadResult, MemoryResult, UptimeResult } from "../servers/types.ts";
import type { RoomPresence } from "./silence.ts";

export const ROOM_COMMANDS = [
  "status",
  "refresh",
  "snapshot",
  "clip",
  "arm",
  "disarm",
  "server-check",
  "enroll-capture",
  "enroll-cancel",
  "access",
  "ack",
] as const;
export type RoomCommandName = (typeof ROOM_COMMANDS)[number];

/** Who asked (arm/disarm and captures are recorded in the room in their name). */
export interface CommandBy {
  id: number;
  name: string;
}

export interface RoomCommandArgs {
  /** clip: its length. */
  seconds?: number;
  /** server-check: the host's name in the room's catalogue. */
  server?: string;
  /** enroll-capture / enroll-cancel: the enrollment it belongs to. */
  session?: string;
  /** enroll-capture: how long the room waits for a tap. */
  timeoutMs?: number;
  /** access: how many of the latest door entries (1..50). */
  limit?: number;
  /** ack: the incident, as the room knows it. */
  incident?: string;
  by?: CommandBy;
}

export interface RoomCommand {
  id: string;
  name: RoomCommandName;
  args?: RoomCommandArgs;
  expiresAt: number;
}

/** A room's answer to `status` (and `refresh`: the same with a reading taken now). */
export interface RoomStatusAnswer {
  room: string;
  at: number;
  reading?: { temperatureC: number; humidityPct: number; at: number };
  open: Array<{ rule: string; severity: Severity; openedAt: number }>;
  /** refresh: the sensor failed just now (the reading above is the last good one). */
  sampleError?: string;
}

/** A room's incident id as the hub carries it (the engine makes 8 characters; a button holds at most 16). */
export const ROOM_INCIDENT_ID = /^[\w-]{1,16}$/;

/** A door entry of a room as the hub shows it (its id stays in the room). */
export type RoomAccessEntry = Omit<AccessEntry, "id" | "roomId">;
/** The most door entries one `access` answer carries. */
export const ACCESS_ENTRIES_MAX = 50;

/** What a host in a room's catalogue looks like to the hub (no key file). */
export type RemoteHostSpec = Pick<HostSpec, "name" | "address" | "port" | "user" | "hostKey"> & {
  thresholds: { diskPct: number };
};

export type RoomResult =
  | { kind: "status"; status: RoomStatusAnswer }
  | { kind: "photo"; at: number; driver: string }
  | { kind: "video"; at: number; seconds: number; width: number; height: number; format: "mp4" | "gif" }
  | {
      kind: "watch";
      armed: boolean;
      /** Armed before this command. */
      was: boolean;
      watching: boolean;
      sensor: string;
      by?: CommandBy;
    }
  | { kind: "server"; spec?: RemoteHostSpec; result?: HostResult }
  /** ack: what the room's engine said (ok: acknowledged now). */
  | { kind: "ack"; outcome: "ok" | "not-found" | "resolved" | "already"; rule?: string; by?: CommandBy }
  /** access: the room's latest door entries, newest first. */
  | { kind: "access"; entries: RoomAccessEntry[] }
  /** enroll-capture: the card tapped at the room's reader; null: none before the timeout. */
  | { kind: "card"; uid: string | null }
  | { kind: "done" };

/** Why a room could not do what it was asked (the camera's codes, or "refused"). */
export interface RoomFailure {
  error: string;
  code?: string;
}

export interface RoomResponse {
  id: string;
  ok: boolean;
  result?: RoomResult;
  error?: string;
  code?: string;
  /** A photo or clip follows in this many bytes and parts. */
  media?: { bytes: number; parts: number };
}

/** One part of a response's photo or clip. */
export interface RoomMediaPart {
  id: string;
  part: number;
  data: Buffer;
}

/** At most this many bytes of media per MQTT message (base64 makes 88 KB: under AWS IoT's 128 KB). */
export const MEDIA_PART_BYTES = 64 * 1024;
/** The largest photo or clip a room sends (Telegram's bots take 50 MB; a Pi's clip is far smaller). */
export const MEDIA_MAX_BYTES = 48 * 1024 * 1024;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const str = (v: unknown, max: number): string | undefined => (typeof v === "string" ? v.slice(0, max) : undefined);
const json = (p: Buffer | string): unknown => {
  try {
    return JSON.parse(p.toString());
  } catch {
    return undefined;
  }
};

function parseBy(v: unknown): CommandBy | undefined {
  return isObject(v) && isNum(v.id) && typeof v.name === "string"
    ? { id: v.id, name: v.name.slice(0, 100) }
    : undefined;
}

export function parseCommand(payload: Buffer | string): RoomCommand | undefined {
  const v = json(payload);
  if (!isObject(v) || typeof v.id !== "string" || v.id.length > 100 || !isNum(v.expiresAt)) return undefined;
  if (!ROOM_COMMANDS.includes(v.name as RoomCommandName)) return undefined;
  const a = isObject(v.args) ? v.args : {};
  const args: RoomCommandArgs = {};
  if (isNum(a.seconds) && a.seconds >= 1 && a.seconds <= 300) args.seconds = Math.round(a.seconds);
  if (typeof a.server === "string" && /^[a-z0-9][a-z0-9_-]{0,31}$/.test(a.server)) args.server = a.server;
  if (typeof a.session === "string" && /^[\w-]{1,64}$/.test(a.session)) args.session = a.session;
  if (isNum(a.timeoutMs) && a.timeoutMs > 0 && a.timeoutMs <= 10 * 60_000) args.timeoutMs = a.timeoutMs;
  if (typeof a.incident === "string" && ROOM_INCIDENT_ID.test(a.incident)) args.incident = a.incident;
  if (isNum(a.limit) && Number.isInteger(a.limit) && a.limit >= 1 && a.limit <= ACCESS_ENTRIES_MAX)
    args.limit = a.limit;
  const by = parseBy(a.by);
  if (by) args.by = by;
  return {
    id: v.id,
    name: v.name as RoomCommandName,
    ...(Object.keys(args).length > 0 ? { args } : {}),
    expiresAt: v.expiresAt,
  };
}

function parseStatusAnswer(v: unknown): RoomStatusAnswer | undefined {
  if (!isObject(v) || typeof v.room !== "string" || !isNum(v.at) || !Array.isArray(v.open)) return undefined;
  const r = v.reading;
  const reading =
    isObject(r) && isNum(r.temperatureC) && isNum(r.humidityPct) && isNum(r.at)
      ? { temperatureC: r.temperatureC, humidityPct: r.humidityPct, at: r.at }
      : undefined;
  const open = v.open
    .slice(0, 200)
    .flatMap((i) =>
      isObject(i) &&
      typeof i.rule === "string" &&
      (i.severity === "warning" || i.severity === "critical") &&
      isNum(i.openedAt)
        ? [{ rule: i.rule.slice(0, 100), severity: i.severity as Severity, openedAt: i.openedAt }]
        : [],
    );
  const sampleError = str(v.sampleError, 300);
  return {
    room: v.room.slice(0, 40),
    at: v.at,
    ...(reading ? { reading } : {}),
    open,
    ...(sampleError !== undefined ? { sampleError } : {}),
  };
}

/** A check's outcome: `{ ok, value }` with a value that `valid` accepts, or `{ ok: false, error }`. */
function outcome<T>(
  v: unknown,
  valid: (x: unknown) => x is T,
): { ok: true; value: T } | { ok: false; error: string } | undefined {
  if (!isObject(v)) return undefined;
  if (v.ok === true && valid(v.value)) return { ok: true, value: v.value };
  if (v.ok === false && typeof v.error === "string") return { ok: false, error: v.error.slice(0, 500) };
  return undefined;
}

const numbers =
  <T>(...keys: string[]) =>
  (x: unknown): x is T =>
    isObject(x) && keys.every((k) => isNum(x[k]));

function parseChecks(v: unknown): HostChecks {
  const c = isObject(v) ? v : {};
  const checks: HostChecks = {};
  const uptime = outcome(c.uptime, numbers<UptimeResult>("seconds"));
  if (uptime) checks.uptime = uptime;
  const load = outcome(c.load, numbers<LoadResult>("load1", "load5", "load15", "cores"));
  if (load) checks.load = load;
  const memory = outcome(c.memory, numbers<MemoryResult>("totalBytes", "availableBytes", "usedPct"));
  if (memory) checks.memory = memory;
  const disk = outcome(
    c.disk,
    (x: unknown): x is unknown[] =>
      Array.isArray(x) &&
      x.length <= 200 &&
      x.every(
        (m) =>
          isObject(m) &&
          typeof m.mount === "string" &&
          typeof m.filesystem === "string" &&
          isNum(m.sizeBytes) &&
          isNum(m.usedBytes) &&
          isNum(m.usedPct),
      ),
  );
  if (disk) checks.disk = disk as HostChecks["disk"];
  const services = outcome(
    c.services,
    (x: unknown): x is unknown[] =>
      Array.isArray(x) &&
      x.length <= 200 &&
      x.every((s) => isObject(s) && typeof s.name === "string" && typeof s.state === "string"),
  );
  if (services) checks.services = services as HostChecks["services"];
  const journal = outcome(
    c.journal,
    (x: unknown): x is unknown =>
      isObject(x) &&
      isNum(x.count) &&
      typeof x.available === "boolean" &&
      Array.isArray(x.latest) &&
      x.latest.every((l) => typeof l === "string"),
  );
  if (journal) checks.journal = journal as HostChecks["journal"];
  return checks;
}

const FAILURES = new Set(["unreachable", "timeout", "host-key-mismatch", "auth-failed", "key-file", "dropped"]);

function parseHostResult(v: unknown): HostResult | undefined {
  if (!isObject(v) || typeof v.host !== "string" || !isNum(v.at) || !isNum(v.durationMs)) return undefined;
  if (typeof v.reachable !== "boolean") return undefined;
  const f = v.failure;
  const failure =
    isObject(f) && typeof f.kind === "string" && FAILURES.has(f.kind) && typeof f.message === "string"
      ? {
          kind: f.kind as NonNullable<HostResult["failure"]>["kind"],
          message: f.message.slice(0, 500),
          ...(typeof f.presentedHostKey === "string" ? { presentedHostKey: f.presentedHostKey.slice(0, 200) } : {}),
        }
      : undefined;
  return {
    host: v.host.slice(0, 32),
    at: v.at,
    durationMs: v.durationMs,
    reachable: v.reachable,
    ...(failure ? { failure } : {}),
    checks: parseChecks(v.checks),
  };
}

function parseSpec(v: unknown): RemoteHostSpec | undefined {
  if (!isObject(v) || typeof v.name !== "string" || typeof v.address !== "string" || !isNum(v.port)) return undefined;
  if (typeof v.user !== "string" || typeof v.hostKey !== "string") return undefined;
  const diskPct = isObject(v.thresholds) && isNum(v.thresholds.diskPct) ? v.thresholds.diskPct : 90;
  return {
    name: v.name.slice(0, 32),
    address: v.address.slice(0, 255),
    port: v.port,
    user: v.user.slice(0, 64),
    hostKey: v.hostKey.slice(0, 200),
    thresholds: { diskPct },
  };
}

function parseResult(v: unknown): RoomResult | undefined {
  if (!isObject(v)) return undefined;
  switch (v.kind) {
    case "status": {
      const status = parseStatusAnswer(v.status);
      return status ? { kind: "status", status } : undefined;
    }
    case "photo":
      return isNum(v.at) ? { kind: "photo", at: v.at, driver: str(v.driver, 40) ?? "" } : undefined;
    case "video":
      return isNum(v.at) && isNum(v.seconds) && isNum(v.width) && isNum(v.height)
        ? {
            kind: "video",
            at: v.at,
            seconds: v.seconds,
            width: v.width,
            height: v.height,
            format: v.format === "gif" ? "gif" : "mp4",
          }
        : undefined;
    case "watch": {
      if (typeof v.armed !== "boolean" || typeof v.watching !== "boolean") return undefined;
      const by = parseBy(v.by);
      return {
        kind: "watch",
        armed: v.armed,
        was: v.was === true,
        watching: v.watching,
        sensor: str(v.sensor, 40) ?? "",
        ...(by ? { by } : {}),
      };
    }
    case "server": {
      const spec = v.spec === undefined ? undefined : parseSpec(v.spec);
      const result = v.result === undefined ? undefined : parseHostResult(v.result);
      if ((v.spec !== undefined && !spec) || (v.result !== undefined && !result)) return undefined;
      return { kind: "server", ...(spec ? { spec } : {}), ...(result ? { result } : {}) };
    }
    case "card":
      return v.uid === null || (typeof v.uid === "string" && /^[0-9A-F]{8,20}$/.test(v.uid))
        ? { kind: "card", uid: v.uid as string | null }
        : undefined;
    case "access": {
      if (!Array.isArray(v.entries) || v.entries.length > ACCESS_ENTRIES_MAX) return undefined;
      const entries: RoomAccessEntry[] = [];
      for (const e of v.entries) {
        if (!isObject(e) || !isNum(e.at) || typeof e.cardUid !== "string" || !/^[0-9A-F]{8,20}$/.test(e.cardUid))
          return undefined;
        if (!ACCESS_DECISIONS.includes(e.decision as AccessDecision)) return undefined;
        const staffName = str(e.staffName, 40);
        entries.push({
          at: e.at,
          cardUid: e.cardUid as CardUid,
          decision: e.decision as AccessDecision,
          ...(staffName !== undefined ? { staffName } : {}),
        });
      }
      return { kind: "access", entries };
    }
    case "ack": {
      if (v.outcome !== "ok" && v.outcome !== "not-found" && v.outcome !== "resolved" && v.outcome !== "already")
        return undefined;
      const by = parseBy(v.by);
      const rule = str(v.rule, 100);
      return { kind: "ack", outcome: v.outcome, ...(rule !== undefined ? { rule } : {}), ...(by ? { by } : {}) };
    }
    case "done":
      return { kind: "done" };
    default:
      return undefined;
  }
}

/** A response, or one part of a response's media; undefined for anything else. */
export function parseResponse(payload: Buffer | string): RoomResponse | RoomMediaPart | undefined {
  const v = json(payload);
  if (!isObject(v) || typeof v.id !== "string" || v.id.length > 100) return undefined;
  if (isNum(v.part)) {
    if (!Number.isInteger(v.part) || v.part < 0 || typeof v.data !== "string") return undefined;
    const data = Buffer.from(v.data, "base64");
    return data.length > 0 && data.length <= MEDIA_PART_BYTES ? { id: v.id, part: v.part, data } : undefined;
  }
  if (typeof v.ok !== "boolean") return undefined;
  const result = v.result === undefined ? undefined : parseResult(v.result);
  if (v.result !== undefined && !result) return undefined;
  const m = v.media;
  const media =
    isObject(m) &&
    isNum(m.bytes) &&
    isNum(m.parts) &&
    m.bytes > 0 &&
    m.bytes <= MEDIA_MAX_BYTES &&
    m.parts === Math.ceil(m.bytes / MEDIA_PART_BYTES)
      ? { bytes: m.bytes, parts: m.parts }
      : undefined;
  if (m !== undefined && !media) return undefined;
  return {
    id: v.id,
    ok: v.ok,
    ...(result ? { result } : {}),
    ...(typeof v.error === "string" ? { error: v.error.slice(0, 300) } : {}),
    ...(typeof v.code === "string" ? { code: v.code.slice(0, 40) } : {}),
    ...(media ? { media } : {}),
  };
}

/** The messages of one answer: the response, then its media in parts. */
export function responseMessages(response: Omit<RoomResponse, "media">, media?: Buffer): string[] {
  if (!media || media.length === 0) return [JSON.stringify(response)];
  const parts = Math.ceil(media.length / MEDIA_PART_BYTES);
  const out = [JSON.stringify({ ...response, media: { bytes: media.length, parts } })];
  for (let i = 0; i < parts; i++) {
    const data = media.subarray(i * MEDIA_PART_BYTES, (i + 1) * MEDIA_PART_BYTES).toString("base64");
    out.push(JSON.stringify({ id: response.id, part: i, data }));
  }
  return out;
}

/** What a room answers a command with (the room side). */
export interface RoomAnswer {
  result: RoomResult;
  media?: Buffer;
}

/** What each command is answered with (a photo and a clip come with their media). */
export const ANSWER_KIND = {
  status: "status",
  refresh: "status",
  snapshot: "photo",
  clip: "video",
  arm: "watch",
  disarm: "watch",
  "server-check": "server",
  "enroll-capture": "card",
  "enroll-cancel": "done",
  access: "access",
  ack: "ack",
} as const satisfies Record<RoomCommandName, RoomResult["kind"]>;

/** The answer a command `N` gets. */
export type AnswerOf<N extends RoomCommandName> = Extract<RoomResult, { kind: (typeof ANSWER_KIND)[N] }>;

/** Whether an answer of this kind carries a photo or a clip. */
export const carriesMedia = (kind: RoomResult["kind"]): boolean => kind === "photo" || kind === "video";

/**
 * The hub's view of one command's outcome: an answer of the kind the command gets (with its
 * photo or clip, for those), or why there is none.
 */
export type RoomAskResult<R extends RoomResult = RoomResult> =
  | { ok: true; result: R; media: R extends { kind: "photo" | "video" } ? Buffer : undefined }
  | {
      ok: false;
      /** unknown: no such room; no-answer: none within the time; failed: the room said why. */
      reason: "unknown" | "no-answer" | "failed";
      error?: string;
      code?: string;
      presence?: RoomPresence;
    };

export type RoomStatusResult =
  | { ok: true; answer: RoomStatusAnswer }
  | { ok: false; reason: "unknown" | "no-answer" | "failed"; error?: string; presence?: RoomPresence };

/** The rooms of the site as the hub's bot sees them. */
export interface RoomsService {
  /** The hub's own room (its ROOM_ID): acted on here, not over MQTT. */
  readonly ownRoom: string;
  /** How long a status answer is waited for. */
  readonly answerWithinMs: number;
  list(): RoomPresence[];
  status(room: string, opts?: { refresh?: boolean }): Promise<RoomStatusResult>;
  /** Every known room asked at once; those that did not answer in time are named. */
  statusAll(): Promise<{ answers: RoomStatusAnswer[]; noAnswer: RoomPresence[] }>;
  /** Any command; waits for its answer at most `answerWithinMs` (default: the status time). */
  ask<N extends Exclude<RoomCommandName, "status" | "refresh">>(
    room: string,
    name: N,
    args?: RoomCommandArgs,
    opts?: { answerWithinMs?: number },
  ): Promise<RoomAskResult<AnswerOf<N>>>;
  /** The next card tapped at a room's reader (an enrollment on the hub for that room). */
  captureNextTap(room: string, timeoutMs: number, by: CommandBy): CardCapture;
}
