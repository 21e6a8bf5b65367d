/** A real pino logger whose entries a test can read back (level names, messages, fields). */
import { Writable } from "node:stream";
import { createLogger, type Logger } from "../../core/logger.ts";

export interface LogEntry {
  level: "trace" | "debug" | "info" | "warn" | "error" | "fatal";
  msg: string;
  [field: string]: unknown;
}

const LEVELS: Record<number, LogEntry["level"]> = {
  10: "trace",
  20: "debug",
  30: "info",
  40: "warn",
  50: "error",
  60: "fatal",
};

export interface LogCapture {
  logger: Logger;
  readonly entries: LogEntry[];
  /** Messages logged at `level` (every level when omitted), in order. */
  messages(level?: LogEntry["level"]): string[];
}

export function captureLogs(level = "debug"): LogCapture {
  const entries: LogEntry[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split("\n")) {
        if (!line) continue;
        const raw = JSON.parse(line) as Record<string, unknown>;
        entries.push({ ...raw, level: LEVELS[raw.level as number] ?? "info", msg: String(raw.msg ?? "") });
      }
      done();
    },
  });
  return {
    logger: createLogger(level, sink),
    entries,
    messages: (l) => entries.filter((e) => l === undefined || e.level === l).map((e) => e.msg),
  };
}
