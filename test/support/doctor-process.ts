/**
 * `npm run doctor` as a person runs it: `node scripts/doctor.mjs` (the
 * package.json script) in a child process with a clean environment, or through npm itself.
 */
import { spawn } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createSqliteStorage } from "../../storage/sqlite/index.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface DoctorRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall time of the whole process, for the bench. */
  ms: number;
}

export interface DoctorJson {
  version: number;
  ok: boolean;
  root: string;
  node: { version: string; running: string };
  summary: Record<"ok" | "warn" | "fail" | "skip", number>;
  checks: Array<{
    id: string;
    title: string;
    status: "ok" | "warn" | "fail" | "skip";
    detail: string;
    hint?: string;
    ms: number;
  }>;
}

export function runDoctorProcess(
  env: Record<string, string>,
  args: string[] = [],
  opts: { viaNpm?: boolean } = {},
): Promise<DoctorRun> {
  const [command, ...argv] = opts.viaNpm
    ? ["npm", "run", "--silent", "doctor", "--", ...args]
    : [process.execPath, "scripts/doctor.mjs", ...args];
  const started = performance.now();
  const child = spawn(command as string, argv, {
    cwd: ROOT,
    // nothing from the developer's shell or a local .env leaks in
    env: { HOME: process.env.HOME ?? "", ENV_FILE: "/dev/null", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }));
  });
}

/** The check `id` of a --json report (fails the test when it is missing). */
export function checkOf(report: DoctorJson, id: string): DoctorJson["checks"][number] {
  const check = report.checks.find((c) => c.id === id);
  if (!check) throw new Error(`no check "${id}" in the report: ${report.checks.map((c) => c.id).join(", ")}`);
  return check;
}

/** Writes an env file (what ENV_FILE points at) with these variables; returns its path. */
export function writeEnvFile(path: string, vars: Record<string, string>): string {
  writeFileSync(
    path,
    `${Object.entries(vars)
      .map(([k, v]) => `${k}=${v}`)
      .join("\n")}\n`,
  );
  return path;
}

/** A healthy database in `dataDir` with one reading and a nightly backup; returns the backup's path. */
export async function createDatabaseWithBackup(
  dataDir: string,
  at = Date.parse("2026-12-05T03:30:00Z"),
): Promise<string> {
  const storage = createSqliteStorage({ dataDir });
  await storage.readings.add({ roomId: "server-room", at: 1, temperatureC: 21, humidityPct: 40 });
  const backup = await storage.backup?.(join(dataDir, "backups"), at);
  await storage.close();
  if (!backup) throw new Error("the SQLite storage made no backup");
  return backup.file;
}

/** Overwrites the database with garbage (a damaged SD card), as the faults suite does. */
export function corruptDatabase(dataDir: string): void {
  writeFileSync(join(dataDir, "seroma.db"), Buffer.alloc(64 * 1024, 0x42));
  for (const suffix of ["-wal", "-shm"]) rmSync(join(dataDir, `seroma.db${suffix}`), { force: true });
}
