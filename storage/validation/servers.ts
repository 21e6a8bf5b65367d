/**
 * The rules for hosts and server results that every storage adapter applies (SQLite and
 * DynamoDB alike): the zod schemas a write must pass and a stored record must parse
 * against, the errors that report either failure, and the reporting of skipped results.
 *
 * - Writes are validated against the shapes in servers/types.ts (including HOST_NAME,
 *   USER_NAME, SERVICE_NAME, CHECK_IDS, ports 1..65535, finite numbers) and refused with
 *   an `InvalidServerDataError` before anything is written, so every stored record reads back.
 * - A stored host that does not parse is a `CorruptHostError` naming the room, the host
 *   and what is wrong; a stored result that does not parse is skipped and reported.
 * - Check values keep fields this code does not know (`looseObject`); host records keep
 *   only HostSpec's fields.
 */
import { z } from "zod";
import {
  CHECK_IDS,
  type ConnectFailure,
  HOST_NAME,
  type HostChecks,
  type HostResult,
  type HostSpec,
  SERVICE_NAME,
  USER_NAME,
} from "../../core/servers/types.ts";

/** A host or result refused before it was written. */
export class InvalidServerDataError extends Error {
  override readonly name = "InvalidServerDataError";
}

/** A stored host that no longer parses as a HostSpec. */
export class CorruptHostError extends Error {
  override readonly name = "CorruptHostError";
  readonly roomId: string;
  readonly host: string;
  readonly problem: string;
  constructor(roomId: string, host: string, problem: string) {
    super(
      `host ${JSON.stringify(host)} of room ${JSON.stringify(roomId)} is corrupt in the database (${problem}); remove it and add it again`,
    );
    this.roomId = roomId;
    this.host = host;
    this.problem = problem;
  }
}

/** What `onCorrupt` hears about a skipped result row. */
export interface CorruptServerResult {
  id: number;
  roomId: string;
  host: string;
  at: number;
  problem: string;
}

// Every ConnectFailure, checked both ways by the compiler (a missing or extra key fails tsc).
const CONNECT_FAILURES: Record<ConnectFailure, true> = {
  unreachable: true,
  timeout: true,
  "host-key-mismatch": true,
  "auth-failed": true,
  "key-file": true,
  dropped: true,
};

// z.number() refuses NaN and ±Infinity; z.int() means a safe integer.
const num = z.number();
const outcome = <T extends z.ZodType>(value: T) =>
  z.discriminatedUnion("ok", [
    z.object({ ok: z.literal(true), value }),
    z.object({ ok: z.literal(false), error: z.string() }),
  ]);

const hostChecksSchema = z.object({
  uptime: outcome(z.looseObject({ seconds: num })).optional(),
  load: outcome(z.looseObject({ load1: num, load5: num, load15: num, cores: num })).optional(),
  memory: outcome(z.looseObject({ totalBytes: num, availableBytes: num, usedPct: num })).optional(),
  disk: outcome(
    z.array(z.looseObject({ mount: z.string(), filesystem: z.string(), sizeBytes: num, usedBytes: num, usedPct: num })),
  ).optional(),
  services: outcome(z.array(z.looseObject({ name: z.string(), state: z.string() }))).optional(),
  journal: outcome(z.looseObject({ count: num, latest: z.array(z.string()), available: z.boolean() })).optional(),
}) satisfies z.ZodType<HostChecks>;

export const hostResultSchema = z.object({
  host: z.string().min(1),
  at: z.int(),
  durationMs: num.min(0),
  reachable: z.boolean(),
  failure: z
    .object({
      kind: z.enum(Object.keys(CONNECT_FAILURES) as [ConnectFailure, ...ConnectFailure[]]),
      message: z.string(),
      presentedHostKey: z.string().optional(),
    })
    .optional(),
  checks: hostChecksSchema,
}) satisfies z.ZodType<HostResult>;

export const hostSpecSchema = z.object({
  name: z.string().regex(HOST_NAME, "must match HOST_NAME"),
  address: z.string().min(1),
  port: z.int().min(1).max(65_535),
  user: z.string().regex(USER_NAME, "must match USER_NAME"),
  keyFile: z.string().min(1).optional(),
  hostKey: z.string().min(1),
  checks: z.array(z.enum(CHECK_IDS)),
  services: z.array(z.string().regex(SERVICE_NAME, "must match SERVICE_NAME")),
  thresholds: z.object({ diskPct: num, loadPerCore: num, memoryPct: num }),
  addedBy: z.int().optional(),
  addedAt: z.int().optional(),
}) satisfies z.ZodType<HostSpec>;

/** The first few issues of a failed parse, as `path: message; ...`. */
export const describeIssues = (error: z.ZodError): string =>
  error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length > 0 ? i.path.join(".") : "value"}: ${i.message}`)
    .join("; ");

/** The host as it may be written (only HostSpec's fields), or an `InvalidServerDataError`. */
export function validateHost(host: unknown): HostSpec {
  const parsed = hostSpecSchema.safeParse(host);
  if (!parsed.success) throw new InvalidServerDataError(`host not saved: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** Refuses a result that may not be written with an `InvalidServerDataError`. */
export function validateHostResult(result: unknown): void {
  const parsed = hostResultSchema.safeParse(result);
  if (!parsed.success) throw new InvalidServerDataError(`server result not saved: ${describeIssues(parsed.error)}`);
}

/** A stored host (its fields as read back) as a HostSpec, or a `CorruptHostError`. */
export function parseStoredHost(roomId: string, name: string, candidate: unknown): HostSpec {
  const parsed = hostSpecSchema.safeParse(candidate);
  if (!parsed.success) throw new CorruptHostError(roomId, name, describeIssues(parsed.error));
  return parsed.data;
}

/** A stored result (its fields as read back) as a HostResult, or what is wrong with it. */
export function parseStoredResult(
  candidate: unknown,
): { ok: true; result: HostResult } | { ok: false; problem: string } {
  const parsed = hostResultSchema.safeParse(candidate);
  return parsed.success ? { ok: true, result: parsed.data } : { ok: false, problem: describeIssues(parsed.error) };
}

/** Tells the optional hook about a skipped result; a failing hook must not turn a skipped row into a failed read. */
export function reportCorruptResult(
  onCorrupt: ((row: CorruptServerResult) => void) | undefined,
  row: CorruptServerResult,
): undefined {
  try {
    onCorrupt?.(row);
  } catch {
    // Swallowed on purpose (see above).
  }
  return undefined;
}
