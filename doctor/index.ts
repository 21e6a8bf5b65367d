/**
 * `npm run doctor`: what is wrong on this Pi before a user has to find out. The checks, in
 * the order they are reported, and the run that reads the configuration as the console
 * does, runs every check concurrently under its time limit and builds the report.
 *
 *   runDoctor({ root, env, timeoutMs }) -> DoctorReport (formatHuman / formatJson; exitCode)
 */
import { existsSync } from "node:fs";
import { parseConfig, readEnv } from "../core/config.ts";
import type { Check } from "./check.ts";
import { boardCheck } from "./checks/board.ts";
import { cameraCheck } from "./checks/camera.ts";
import { cardReaderCheck } from "./checks/card-reader.ts";
import { climateCheck } from "./checks/climate.ts";
import { clockCheck } from "./checks/clock.ts";
import { configTxtCheck } from "./checks/config-txt.ts";
import { configurationCheck } from "./checks/configuration.ts";
import { databaseCheck } from "./checks/database.ts";
import { diskCheck } from "./checks/disk.ts";
import { groupsCheck } from "./checks/groups.ts";
import { lcdCheck } from "./checks/lcd.ts";
import { nativeModulesCheck } from "./checks/native-modules.ts";
import { nodeCheck } from "./checks/node.ts";
import { pirCheck } from "./checks/pir.ts";
import { powerCheck } from "./checks/power.ts";
import { telegramCheck } from "./checks/telegram.ts";
import { type ConfigState, createDoctorSession } from "./context.ts";
import { buildReport, type DoctorReport } from "./report.ts";
import { runChecks } from "./run.ts";

export { exitCode, formatHuman, formatJson } from "./report.ts";

export const CHECKS: readonly Check[] = [
  nodeCheck,
  nativeModulesCheck,
  configurationCheck,
  boardCheck,
  configTxtCheck,
  groupsCheck,
  clockCheck,
  powerCheck,
  diskCheck,
  databaseCheck,
  telegramCheck,
  climateCheck,
  cardReaderCheck,
  lcdCheck,
  cameraCheck,
  pirCheck,
];

/** Each check's time limit unless told otherwise. */
export const DEFAULT_CHECK_TIMEOUT_MS = 10_000;

export interface RunDoctorOptions {
  /** "/" on the Pi; a tree laid out like a Pi's for tests (DOCTOR_ROOT). */
  root?: string;
  /** The environment: the configuration (with .env or ENV_FILE under it) and PATH for the programs. */
  env?: NodeJS.ProcessEnv;
  /** The Node.js version to judge (default: this process's). */
  nodeVersion?: string;
  timeoutMs?: number;
  checks?: readonly Check[];
}

function readConfig(env: NodeJS.ProcessEnv): ConfigState {
  const file = env.ENV_FILE ?? ".env";
  const source = existsSync(file) ? file : "the environment";
  const read = readEnv(env);
  if (!read.ok) return { ok: false, errors: read.errors, source };
  const parsed = parseConfig(read.env);
  return parsed.ok ? { ok: true, config: parsed.config, source } : { ok: false, errors: parsed.errors, source };
}

export async function runDoctor(opts: RunDoctorOptions = {}): Promise<DoctorReport> {
  const env = opts.env ?? process.env;
  const root = opts.root ?? "/";
  const node = { version: opts.nodeVersion ?? process.versions.node, running: process.versions.node };
  const session = createDoctorSession({ root, env, config: readConfig(env), node });
  const results = await runChecks(opts.checks ?? CHECKS, session, {
    timeoutMs: opts.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS,
  });
  return buildReport(results, root, node);
}
