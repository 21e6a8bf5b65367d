import { fstatSync } from "node:fs";
import { type Logger, pino } from "pino";

export type { Logger };

/**
 * How the console's log reaches a person:
 *  - `pretty` on a terminal: `12:34:56.789 INFO  message  key=value ...`;
 *  - `journal` under systemd's journal (JOURNAL_STREAM names our stdout): one line per entry
 *    prefixed with its syslog priority (`<3>` error, `<4>` warning, `<6>` info, `<7>` debug),
 *    so `journalctl -p err` and `-p warning` select by level; journald adds the time;
 *  - `json` otherwise (piped, redirected to a file): pino's JSON lines.
 */
export type LogFormat = "pretty" | "journal" | "json";

interface OutputStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  fd?: number;
}

/** The format for `stream` (default stdout): journal when JOURNAL_STREAM is this stream's device:inode, pretty on a TTY, else JSON. */
export function detectLogFormat(
  stream: OutputStream = process.stdout,
  env: Record<string, string | undefined> = process.env,
): LogFormat {
  if (env.JOURNAL_STREAM && typeof stream.fd === "number") {
    // systemd's own advice: trust JOURNAL_STREAM only for the stream it names (a child whose
    // stdout was redirected inherits the variable but does not write to the journal).
    try {
      const st = fstatSync(stream.fd);
      if (`${st.dev}:${st.ino}` === env.JOURNAL_STREAM) return "journal";
    } catch {
      // not a file descriptor we can stat: not the journal's
    }
  }
  return stream.isTTY ? "pretty" : "json";
}

const LEVEL_NAMES: Record<number, string> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO",
  40: "WARN",
  50: "ERROR",
  60: "FATAL",
};
/** pino level -> syslog priority: fatal crit(2), error err(3), warn warning(4), info(6), debug and trace debug(7). */
function syslogPriority(level: number): number {
  if (level >= 60) return 2;
  if (level >= 50) return 3;
  if (level >= 40) return 4;
  if (level >= 30) return 6;
  return 7;
}
const COLOURS: Record<number, string> = { 10: "90", 20: "90", 30: "32", 40: "33", 50: "31", 60: "1;31" };
/** Fields every entry carries that a person does not need to read. */
const HIDDEN = new Set(["level", "time", "msg", "pid", "hostname", "app"]);

function value(v: unknown): string {
  if (typeof v === "string") return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  if (v && typeof v === "object" && "message" in v && typeof (v as { message: unknown }).message === "string") {
    // A serialized error ({type, message, stack}): its message says enough on one line.
    return JSON.stringify((v as { message: string }).message);
  }
  return JSON.stringify(v) ?? String(v);
}

function fields(entry: Record<string, unknown>): string {
  return Object.entries(entry)
    .filter(([k]) => !HIDDEN.has(k))
    .map(([k, v]) => `${k}=${value(v)}`)
    .join(" ");
}

/** One entry (pino's JSON object) as the line `format` wants, newline included. */
export function formatLogEntry(entry: Record<string, unknown>, format: LogFormat, colour = false): string {
  const level = typeof entry.level === "number" ? entry.level : 30;
  const msg = typeof entry.msg === "string" ? entry.msg : "";
  const rest = fields(entry);
  if (format === "journal") {
    // One line per entry: journald would split a message at its newlines.
    const line = `${msg}${rest ? `  ${rest}` : ""}`.replace(/\r?\n/g, "\\n");
    return `<${syslogPriority(level)}>${line}\n`;
  }
  const time = new Date(typeof entry.time === "number" ? entry.time : Date.now());
  const hms = `${String(time.getHours()).padStart(2, "0")}:${String(time.getMinutes()).padStart(2, "0")}:${String(
    time.getSeconds(),
  ).padStart(2, "0")}.${String(time.getMilliseconds()).padStart(3, "0")}`;
  const name = (LEVEL_NAMES[level] ?? String(level)).padEnd(5);
  const label = colour ? `\x1b[${COLOURS[level] ?? "0"}m${name}\x1b[0m` : name;
  const extra = rest ? (colour ? `  \x1b[2m${rest}\x1b[0m` : `  ${rest}`) : "";
  return `${hms} ${label} ${msg}${extra}\n`;
}

/** A pino destination that rewrites each JSON line for `format` and writes it to `out`. */
function formattingDestination(out: OutputStream, format: LogFormat): { write(line: string): void } {
  const colour = format === "pretty" && out.isTTY === true && !process.env.NO_COLOR;
  return {
    write(line: string) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        out.write(line);
        return;
      }
      out.write(formatLogEntry(entry, format, colour));
    },
  };
}

/**
 * The console's structured logger. Children carry context:
 * `logger.child({ job: "room-status", run: 42 })`, `logger.child({ update: 123 })`.
 * Tokens are redacted wherever they might appear. Without a destination it writes to stdout
 * in the format `detectLogFormat()` picks; with one (tests), JSON lines.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream, format?: LogFormat): Logger {
  const options = {
    level,
    base: { app: "seroma" },
    redact: { paths: ["token", "*.token", "config.telegram.token"], censor: "[redacted]" },
  };
  if (destination) return pino(options, destination);
  const chosen = format ?? detectLogFormat();
  return pino(options, chosen === "json" ? process.stdout : formattingDestination(process.stdout, chosen));
}

/** A logger that drops everything, for tests and benches. */
export const silentLogger: Logger = pino({ level: "silent" });
