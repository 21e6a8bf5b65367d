/**
 * systemd's service notification protocol (sd_notify) for a `Type=notify` unit with a
 * `WatchdogSec=`: READY=1 once the console serves, WATCHDOG=1 from the event loop at half
 * the watchdog interval (a stalled loop stops the pings and systemd restarts the console),
 * STOPPING=1 when it shuts down, STATUS= lines for `systemctl status`.
 *
 * The messages are sent by systemd's own `systemd-notify` program (the unit sets
 * `NotifyAccess=all`), not by a native module: Node has no AF_UNIX datagram sockets, and a
 * native package (unix-dgram, sd-notify) would be one more thing to compile on every Pi and
 * after every Node upgrade. systemd-notify is part of systemd wherever systemd is, it
 * understands every NOTIFY_SOCKET form (a path, an abstract `@name`), and it waits until the
 * manager has taken the message (a barrier, systemd 246+), so a message from a short-lived
 * child is never attributed to no one. Its cost is one short process every
 * WatchdogSec/2 (measured by `npm run bench -- service`).
 *
 * Without NOTIFY_SOCKET (not started by systemd) everything here does nothing. Like
 * sd_notify's `unset_environment`, NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID are taken out
 * of the environment the console's own children (rpicam, gpiomon, ffmpeg...) inherit.
 */
import { spawn } from "node:child_process";
import type { Logger } from "../core/logger.ts";

export interface ServiceNotifier {
  /** Whether a service manager listens (NOTIFY_SOCKET was set). */
  readonly enabled: boolean;
  /** The watchdog ping period in ms (half of WatchdogSec), or undefined without a watchdog. */
  readonly watchdogIntervalMs: number | undefined;
  /** READY=1 (once; later calls only update the status). */
  ready(status?: string): void;
  status(text: string): void;
  /** STOPPING=1; the watchdog pings stop. */
  stopping(status?: string): void;
  /** Stops the watchdog and waits for the messages already queued (bounded). */
  close(): Promise<void>;
}

export interface ServiceNotifierOptions {
  /** Read, then cleaned of NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  pid?: number;
  logger?: Logger;
  /** The program that sends a message. Default: systemd-notify (from PATH). */
  command?: string;
  /** A message not taken within this time is given up (the program is killed). */
  sendTimeoutMs?: number;
}

const NOOP: ServiceNotifier = {
  enabled: false,
  watchdogIntervalMs: undefined,
  ready: () => {},
  status: () => {},
  stopping: () => {},
  close: async () => {},
};

/** The watchdog ping period for WATCHDOG_USEC/WATCHDOG_PID, or undefined when there is no watchdog for this process. */
export function watchdogInterval(env: NodeJS.ProcessEnv, pid: number): number | undefined {
  const usec = Number(env.WATCHDOG_USEC);
  if (!env.WATCHDOG_USEC || !Number.isSafeInteger(usec) || usec <= 0) return undefined;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== pid) return undefined;
  return Math.max(1, Math.floor(usec / 2 / 1000));
}

/** One line for STATUS= (systemd reads a message as newline-separated assignments). */
function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim().slice(0, 200);
}

export function createServiceNotifier(options: ServiceNotifierOptions = {}): ServiceNotifier {
  const env = options.env ?? process.env;
  const pid = options.pid ?? process.pid;
  const socket = env.NOTIFY_SOCKET;
  const intervalMs = watchdogInterval(env, pid);
  delete env.NOTIFY_SOCKET;
  delete env.WATCHDOG_USEC;
  delete env.WATCHDOG_PID;
  if (!socket) return NOOP;

  const command = options.command ?? "systemd-notify";
  const timeoutMs = options.sendTimeoutMs ?? 5_000;
  const logger = options.logger;
  let chain: Promise<void> = Promise.resolve();
  let pending = 0;
  let warned = false;
  let readySent = false;
  let stopped = false;

  function send(fields: string[]): void {
    // One at a time, in order: READY never overtakes the status before it, STOPPING comes last.
    // A ping while the previous message is still on its way would only queue up behind it.
    if (fields.length === 1 && fields[0] === "WATCHDOG=1" && pending > 0) return;
    pending++;
    chain = chain.then(
      () =>
        new Promise<void>((resolve) => {
          const child = spawn(command, fields, {
            env: { NOTIFY_SOCKET: socket, PATH: env.PATH ?? process.env.PATH ?? "/usr/bin:/bin" },
            stdio: ["ignore", "ignore", "pipe"],
          });
          let stderr = "";
          child.stderr?.setEncoding("utf8").on("data", (d: string) => {
            stderr = (stderr + d).slice(-500);
          });
          const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
          const done = (problem: string | undefined) => {
            clearTimeout(timer);
            pending--;
            if (problem && !warned) {
              warned = true;
              logger?.warn(
                { command, socket, problem },
                `cannot notify the service manager (${problem}); with WatchdogSec= systemd will restart the console`,
              );
            }
            resolve();
          };
          child.once("error", (err) => done(err.message));
          child.once("close", (code, signal) =>
            done(code === 0 ? undefined : `${command} ${signal ?? `exited ${code}`}: ${stderr.trim()}`),
          );
        }),
    );
  }

  const ping = intervalMs !== undefined ? setInterval(() => send(["WATCHDOG=1"]), intervalMs) : undefined;
  ping?.unref();
  if (intervalMs !== undefined) send(["WATCHDOG=1"]);

  return {
    enabled: true,
    watchdogIntervalMs: intervalMs,
    ready(status) {
      if (stopped) return;
      const fields = status ? [`STATUS=${oneLine(status)}`] : [];
      if (!readySent) fields.unshift("READY=1");
      readySent = true;
      if (fields.length > 0) send(fields);
    },
    status(text) {
      if (!stopped) send([`STATUS=${oneLine(text)}`]);
    },
    stopping(status) {
      if (stopped) return;
      stopped = true;
      if (ping) clearInterval(ping);
      send(["STOPPING=1", ...(status ? [`STATUS=${oneLine(status)}`] : [])]);
    },
    async close() {
      if (ping) clearInterval(ping);
      stopped = true;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        chain,
        new Promise<void>((r) => {
          timer = setTimeout(r, timeoutMs);
          timer.unref();
        }),
      ]);
      clearTimeout(timer);
    },
  };
}
