/**
 * Where the environment comes from: `.env` (or the file ENV_FILE names), with the
 * process environment over it.
 */
import { existsSync, readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import { type ConfigResult, parseConfig } from "./parse.ts";

/**
 * Reads `.env` (or ENV_FILE) if present, merges the process environment over it
 * (real environment wins) and parses.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): ConfigResult {
  const merged = readEnv(env);
  return merged.ok ? parseConfig(merged.env) : merged;
}

/** `.env` (or ENV_FILE) merged under the process environment, unparsed (local mode re-parses it with its own defaults). */
export function readEnv(
  env: Record<string, string | undefined> = process.env,
): { ok: true; env: Record<string, string | undefined> } | { ok: false; errors: string[] } {
  const file = env.ENV_FILE ?? ".env";
  let fromFile: Record<string, string> = {};
  if (existsSync(file)) {
    try {
      fromFile = parseEnv(readFileSync(file, "utf8")) as Record<string, string>;
    } catch (err) {
      return { ok: false, errors: [`${file}: cannot be read (${(err as Error).message})`] };
    }
  } else if (env.ENV_FILE) {
    return { ok: false, errors: [`ENV_FILE: ${file} does not exist`] };
  }
  return { ok: true, env: { ...fromFile, ...env } };
}
