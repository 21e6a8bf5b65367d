/**
 * Runs a short system program for a check (vcgencmd, timedatectl, id, i2cget...), found on
 * the doctor's PATH, with a time limit and an AbortSignal: when a check times out its
 * programs are killed, so a hung tool never outlives the doctor. Never rejects: a program
 * that is not installed is `{ found: false }`.
 */
import { spawn } from "node:child_process";

export type ProgramResult =
  | { found: false }
  | { found: true; code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

export interface RunOptions {
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  /** Killed after this long (default 5 s). */
  timeoutMs?: number;
}

export type RunProgram = (
  command: string,
  args: readonly string[],
  opts?: { timeoutMs?: number },
) => Promise<ProgramResult>;

const KEEP = 64 * 1024;

export function runProgram(command: string, args: readonly string[], opts: RunOptions): Promise<ProgramResult> {
  return new Promise((resolve) => {
    if (opts.signal.aborted) {
      resolve({ found: true, code: null, signal: "SIGKILL", stdout: "", stderr: "not started: the check was stopped" });
      return;
    }
    const child = spawn(command, args, {
      env: opts.env,
      stdio: ["ignore", "pipe", "pipe"],
      timeout: opts.timeoutMs ?? 5000,
      killSignal: "SIGKILL",
      signal: opts.signal,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      if (stdout.length < KEEP) stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      if (stderr.length < KEEP) stderr += chunk;
    });
    let settled = false;
    child.once("error", (e: NodeJS.ErrnoException) => {
      if (settled) return;
      if (e.code === "ENOENT") {
        settled = true;
        resolve({ found: false });
      }
      // AbortError and others: "close" follows and reports how it ended
    });
    child.once("close", (code, signal) => {
      if (settled) return;
      settled = true;
      resolve({ found: true, code, signal, stdout, stderr });
    });
  });
}

/** The last non-empty line of a program's output, for findings. */
export function lastLine(text: string): string | undefined {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  return lines[lines.length - 1];
}
