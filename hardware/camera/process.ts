/**
 * Running a capture program (rpicam-still, rpicam-vid, ffmpeg) the way every camera driver
 * needs it: output collected from stdout, a hard time limit after which the program and
 * anything it started are killed (SIGKILL to its process group), a way to stop it early
 * (close()), and every failure turned into a CameraError with a message a person can act on:
 *
 *   not installed (ENOENT)   -> "unavailable", "<name> is not installed ... <hint>"
 *   time limit reached       -> "timeout" (after the process is gone)
 *   stopped through `signal` -> "closed"
 *   non-zero exit            -> "failed", with the last useful line of its stderr
 *
 * Also: a temporary directory for programs that write files, removed afterwards, and the
 * search for a program on PATH.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { CameraError } from "../../core/camera/camera.ts";
import { createMjpegSplitter } from "./mjpeg.ts";

export interface RunProgramOptions {
  /** Program name or path. */
  command: string;
  args: readonly string[];
  /** Environment of the program (default: this process's). Its PATH is where `command` is looked up. */
  env?: NodeJS.ProcessEnv;
  /** Kill the program after this long (ms). */
  timeoutMs: number;
  /** Aborting kills the program; the call then rejects with "closed". */
  signal?: AbortSignal;
  /** Bytes written to the program's stdin (then stdin is closed); without it stdin is /dev/null. */
  input?: AsyncIterable<Buffer>;
  /** How the program is called in messages (default: `command`). */
  name?: string;
  /** Appended to the "not installed" message (how to install it). */
  installHint?: string;
  /** Maps a failed run's stderr to a CameraError of its own (e.g. "no cameras" -> "unavailable"). */
  classify?: (stderr: string, exitCode: number | null) => CameraError | undefined;
}

export interface ProgramOutput {
  stdout: Buffer;
  stderr: string;
}

/** At most this much stderr is kept (the end of it). */
const STDERR_KEEP = 16 * 1024;
/** After SIGKILL, wait this long for the exit before giving up on it. */
const KILL_GRACE_MS = 2000;

/**
 * The line of a program's stderr that best says what went wrong: the last one that looks
 * like an error, else the last non-empty one; libcamera's timestamped INFO/DEBUG log lines
 * and ffmpeg's progress lines are skipped. At most 300 characters.
 */
export function lastUsefulLine(stderr: string): string {
  const lines = stderr
    .split(/\r?\n|\r/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .filter((l) => !/^\[\d+:\d+:\d+\.\d+\]\s*\[\d+\]\s*(INFO|DEBUG)\b/.test(l))
    .filter((l) => !/^(frame|size)=\s*\d/.test(l));
  const errorLike = /error|fail|cannot|can't|unable|no such|not found|invalid|denied|busy|no camera|timed? ?out/i;
  const line = [...lines].reverse().find((l) => errorLike.test(l)) ?? lines[lines.length - 1] ?? "";
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

/** Kills the process and everything in its process group. */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** Runs a program to completion; see the top of this file. */
export function runProgram(opts: RunProgramOptions): Promise<ProgramOutput> {
  const name = opts.name ?? opts.command;
  const { signal } = opts;
  if (signal?.aborted)
    return Promise.reject(new CameraError("closed", `the camera was closed; ${name} was not started`));

  return new Promise<ProgramOutput>((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(opts.command, [...opts.args], {
        env: opts.env ?? process.env,
        stdio: [opts.input ? "pipe" : "ignore", "pipe", "pipe"],
        // its own process group, so that a timeout also kills whatever it started
        detached: true,
      });
    } catch (e) {
      reject(new CameraError("failed", `${name} could not be started: ${(e as Error).message}`, { cause: e }));
      return;
    }

    const stdout: Buffer[] = [];
    let stderr = "";
    let stopped: "timeout" | "closed" | undefined;
    let settled = false;
    let graceTimer: NodeJS.Timeout | undefined;

    const finish = (error: CameraError | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(graceTimer);
      signal?.removeEventListener("abort", onAbort);
      if (error) reject(error);
      else resolve({ stdout: Buffer.concat(stdout), stderr });
    };

    const stoppedError = (): CameraError =>
      stopped === "timeout"
        ? new CameraError("timeout", `${name} did not finish within ${opts.timeoutMs} ms and was stopped`)
        : new CameraError("closed", `the camera was closed while ${name} was running`);

    const stop = (why: "timeout" | "closed") => {
      if (stopped || settled) return;
      stopped = why;
      killGroup(child);
      // SIGKILL is not refused; if the exit still does not come (a zombie in D state), stop waiting
      graceTimer = setTimeout(() => finish(stoppedError()), KILL_GRACE_MS);
    };

    const timer = setTimeout(() => stop("timeout"), opts.timeoutMs);
    const onAbort = () => stop("closed");
    signal?.addEventListener("abort", onAbort, { once: true });

    child.stdout?.on("data", (chunk: Buffer) => {
      stdout.push(chunk);
    });
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      stderr += chunk;
      if (stderr.length > 2 * STDERR_KEEP) stderr = stderr.slice(-STDERR_KEEP);
    });

    child.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") {
        const hint = opts.installHint ? ` ${opts.installHint}` : "";
        finish(
          new CameraError("unavailable", `${name} is not installed (${opts.command} not found)${hint}`, { cause: e }),
        );
      } else if (e.code === "EACCES") {
        finish(
          new CameraError("unavailable", `${name} cannot be run (${opts.command}: permission denied)`, { cause: e }),
        );
      } else {
        finish(new CameraError("failed", `${name} could not be run: ${e.message}`, { cause: e }));
      }
    });

    // after a kill, grandchildren could keep the pipes open: the exit is enough
    child.on("exit", () => {
      if (stopped) {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish(stoppedError());
      }
    });

    child.on("close", (code, sig) => {
      if (stopped) return finish(stoppedError());
      if (code === 0) return finish(undefined);
      const custom = opts.classify?.(stderr, code);
      if (custom) return finish(custom);
      const how = code === null ? `was killed by ${sig}` : `failed (exit code ${code})`;
      const line = lastUsefulLine(stderr);
      finish(new CameraError("failed", `${name} ${how}${line ? `: ${line}` : ""}`));
    });

    if (opts.input && child.stdin) {
      const stdin = child.stdin;
      stdin.on("error", () => {
        // EPIPE when the program exits early: its exit code tells what happened
      });
      const input = opts.input;
      void (async () => {
        try {
          for await (const chunk of input) {
            if (settled || stopped) break;
            if (!stdin.write(chunk)) {
              await new Promise<void>((r) => {
                const done = () => {
                  stdin.off("drain", done);
                  stdin.off("close", done);
                  r();
                };
                stdin.on("drain", done);
                stdin.on("close", done);
              });
            }
          }
          stdin.end();
        } catch (e) {
          // the frames could not be produced: stop the program, report why
          if (!settled) {
            killGroup(child);
            finish(
              e instanceof CameraError
                ? e
                : new CameraError("failed", `input for ${name} failed: ${(e as Error).message}`, { cause: e }),
            );
          }
        }
      })();
    }
  });
}

/** Runs `fn` with a fresh directory under os.tmpdir(), removed afterwards whatever happens. */
export async function withTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The full path of an executable `name` on `env.PATH`, or undefined. */
export function findProgram(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const path = join(dir, name);
    try {
      if (!statSync(path).isFile()) continue;
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** `env` (default: this process's) with `binDir` first on PATH. */
export function programEnv(env: NodeJS.ProcessEnv | undefined, binDir: string | undefined): NodeJS.ProcessEnv {
  const base = env ?? process.env;
  if (!binDir) return base;
  return { ...base, PATH: base.PATH ? `${binDir}${delimiter}${base.PATH}` : binDir };
}

export interface StreamProgramOptions {
  command: string;
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** Aborting kills the program; the call then resolves (once it has exited). */
  signal: AbortSignal;
  /** Aborting kills the program; the call then rejects with "closed" (the camera was closed). */
  closeSignal?: AbortSignal;
  /** No frame within this long (from the start, or since the last frame): the program is killed, "timeout". */
  stallMs: number;
  /** Called with each complete JPEG read from stdout. */
  onJpeg: (jpeg: Buffer) => void;
  name?: string;
  installHint?: string;
  classify?: (stderr: string, exitCode: number | null) => CameraError | undefined;
  /** Upper bound of one frame (see mjpeg.ts). */
  maxFrameBytes?: number;
}

/**
 * Runs a program that writes MJPEG to stdout for as long as it is wanted (rpicam-vid -t 0,
 * ffmpeg from a webcam): JPEGs split out of the byte stream as they come (mjpeg.ts), the
 * process killed (with its process group) when `signal` aborts, and the call settled only
 * once it has exited. Failures, as CameraErrors: not installed -> "unavailable"; no frame for
 * `stallMs` -> "timeout"; the program exits by itself -> "failed" (or what `classify` says),
 * with the last useful line of its stderr; `closeSignal` -> "closed".
 */
export function streamProgram(opts: StreamProgramOptions): Promise<void> {
  const name = opts.name ?? opts.command;
  const { signal, closeSignal } = opts;
  if (closeSignal?.aborted)
    return Promise.reject(new CameraError("closed", `the camera was closed; ${name} was not started`));
  if (signal.aborted) return Promise.resolve();

  return new Promise<void>((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(opts.command, [...opts.args], {
        env: opts.env ?? process.env,
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      });
    } catch (e) {
      reject(new CameraError("failed", `${name} could not be started: ${(e as Error).message}`, { cause: e }));
      return;
    }
    const splitter = createMjpegSplitter(opts.maxFrameBytes !== undefined ? { maxFrameBytes: opts.maxFrameBytes } : {});
    let stderr = "";
    let frames = 0;
    let stopped: "stopped" | "timeout" | "closed" | undefined;
    let settled = false;
    let graceTimer: NodeJS.Timeout | undefined;
    let stallTimer: NodeJS.Timeout | undefined;

    const finish = (error: CameraError | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(stallTimer);
      clearTimeout(graceTimer);
      signal.removeEventListener("abort", onAbort);
      closeSignal?.removeEventListener("abort", onClose);
      if (error) reject(error);
      else resolve();
    };
    const why = (): string => {
      const line = lastUsefulLine(stderr);
      return line ? `: ${line}` : "";
    };
    const stoppedResult = (): CameraError | undefined => {
      if (stopped === "timeout")
        return new CameraError(
          "timeout",
          `${name} sent no frame for ${opts.stallMs} ms${frames === 0 ? " after it started" : ""} and was stopped${why()}`,
        );
      if (stopped === "closed") return new CameraError("closed", `the camera was closed while ${name} was running`);
      return undefined;
    };
    const stop = (reason: "stopped" | "timeout" | "closed") => {
      if (stopped || settled) return;
      stopped = reason;
      killGroup(child);
      graceTimer = setTimeout(() => finish(stoppedResult()), KILL_GRACE_MS);
    };
    const armStall = () => {
      clearTimeout(stallTimer);
      stallTimer = setTimeout(() => stop("timeout"), opts.stallMs);
    };
    const onAbort = () => stop("stopped");
    const onClose = () => stop("closed");
    signal.addEventListener("abort", onAbort, { once: true });
    closeSignal?.addEventListener("abort", onClose, { once: true });
    armStall();

    child.stdout?.on("data", (chunk: Buffer) => {
      if (stopped) return;
      for (const jpeg of splitter.push(chunk)) {
        if (stopped) break; // no frame after the stop (an onFrame may have asked for it)
        frames++;
        armStall();
        try {
          opts.onJpeg(jpeg);
        } catch {
          // the consumer's problem; the stream goes on
        }
      }
    });
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      stderr += chunk;
      if (stderr.length > 2 * STDERR_KEEP) stderr = stderr.slice(-STDERR_KEEP);
    });
    child.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") {
        const hint = opts.installHint ? ` ${opts.installHint}` : "";
        finish(
          new CameraError("unavailable", `${name} is not installed (${opts.command} not found)${hint}`, { cause: e }),
        );
      } else if (e.code === "EACCES") {
        finish(
          new CameraError("unavailable", `${name} cannot be run (${opts.command}: permission denied)`, { cause: e }),
        );
      } else {
        finish(new CameraError("failed", `${name} could not be run: ${e.message}`, { cause: e }));
      }
    });
    child.on("exit", () => {
      if (stopped) {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish(stoppedResult());
      }
    });
    child.on("close", (code, sig) => {
      if (stopped) return finish(stoppedResult());
      const custom = opts.classify?.(stderr, code);
      if (custom) return finish(custom);
      const how =
        code === null ? `was killed by ${sig}` : code === 0 ? "stopped by itself" : `failed (exit code ${code})`;
      const after = frames > 0 ? ` after ${frames} frame${frames === 1 ? "" : "s"}` : " before sending a frame";
      finish(new CameraError("failed", `${name} ${how}${after}${why()}`));
    });
  });
}
