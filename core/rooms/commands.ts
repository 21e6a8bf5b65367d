/**
 * Commands from the hub to a room, as request and response over MQTT with correlation:
 * the hub publishes `{ id, name, expiresAt }` on `PREFIX/commands/ROOM`; the room answers on
 * `PREFIX/rooms/ROOM/responses` with the same id. A command that reaches a room after
 * `expiresAt` (it was queued at the broker while the room was away) is not carried out:
 * the person who asked has had their "did not answer" already.
 *
 * RoomsService is what the bot sees of it (the hub's /rooms and /status ROOM).
 */
import type { Severity } from "../alerts/types.ts";
import type { RoomPresence } from "./silence.ts";

export const ROOM_COMMANDS = ["status"] as const;
export type RoomCommandName = (typeof ROOM_COMMANDS)[number];

export interface RoomCommand {
  id: string;
  name: RoomCommandName;
  expiresAt: number;
}

/** A room's answer to `status`. */
export interface RoomStatusAnswer {
  room: string;
  at: number;
  reading?: { temperatureC: number; humidityPct: number; at: number };
  open: Array<{ rule: string; severity: Severity; openedAt: number }>;
}

export interface RoomResponse {
  id: string;
  ok: boolean;
  result?: RoomStatusAnswer;
  error?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
const json = (p: Buffer | string): unknown => {
  try {
    return JSON.parse(p.toString());
  } catch {
    return undefined;
  }
};

export function parseCommand(payload: Buffer | string): RoomCommand | undefined {
  const v = json(payload);
  if (!isObject(v) || typeof v.id !== "string" || v.id.length > 100 || typeof v.expiresAt !== "number")
    return undefined;
  if (!ROOM_COMMANDS.includes(v.name as RoomCommandName)) return undefined;
  return { id: v.id, name: v.name as RoomCommandName, expiresAt: v.expiresAt };
}

function parseStatusAnswer(v: unknown): RoomStatusAnswer | undefined {
  if (!isObject(v) || typeof v.room !== "string" || typeof v.at !== "number" || !Array.isArray(v.open))
    return undefined;
  const r = v.reading;
  const reading =
    isObject(r) && typeof r.temperatureC === "number" && typeof r.humidityPct === "number" && typeof r.at === "number"
      ? { temperatureC: r.temperatureC, humidityPct: r.humidityPct, at: r.at }
      : undefined;
  const open = v.open.flatMap((i) =>
    isObject(i) &&
    typeof i.rule === "string" &&
    (i.severity === "warning" || i.severity === "critical") &&
    typeof i.openedAt === "number"
      ? [{ rule: i.rule.slice(0, 100), severity: i.severity as Severity, openedAt: i.openedAt }]
      : [],
  );
  return { room: v.room, at: v.at, ...(reading ? { reading } : {}), open };
}

export function parseResponse(payload: Buffer | string): RoomResponse | undefined {
  const v = json(payload);
  if (!isObject(v) || typeof v.id !== "string" || typeof v.ok !== "boolean") return undefined;
  const result = v.result === undefined ? undefined : parseStatusAnswer(v.result);
  return {
    id: v.id,
    ok: v.ok,
    ...(result ? { result } : {}),
    ...(typeof v.error === "string" ? { error: v.error.slice(0, 300) } : {}),
  };
}

export type RoomStatusResult =
  | { ok: true; answer: RoomStatusAnswer }
  | { ok: false; reason: "unknown" | "no-answer" | "failed"; error?: string; presence?: RoomPresence };

/** The rooms of the site as the hub's bot sees them. */
export interface RoomsService {
  /** How long an answer is waited for. */
  readonly answerWithinMs: number;
  list(): RoomPresence[];
  status(room: string): Promise<RoomStatusResult>;
  /** Every known room asked at once; those that did not answer in time are named. */
  statusAll(): Promise<{ answers: RoomStatusAnswer[]; noAnswer: RoomPresence[] }>;
}
