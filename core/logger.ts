import { type Logger, pino } from "pino";

export type { Logger };

/**
 * The console's structured logger (JSON lines on stdout). Children carry context:
 * `logger.child({ job: "room-status", run: 42 })`, `logger.child({ update: 123 })`.
 * Tokens are redacted wherever they might appear.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { app: "seroma" },
      redact: { paths: ["token", "*.token", "config.telegram.token"], censor: "[redacted]" },
    },
    destination ?? process.stdout,
  );
}

/** A logger that drops everything, for tests and benches. */
export const silentLogger: Logger = pino({ level: "silent" });
