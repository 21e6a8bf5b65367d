/**
 * Configuration: parsed once at startup from the environment (and `.env` if present).
 * A bad value fails fast with every problem listed (see `loadConfig`).
 * `.env.example` documents every variable; keep the two in step.
 *
 * The public entry; the parts, by concern, are in core/config/:
 *   types.ts   the Config interface and the names its modes choose from
 *   schema.ts  the zod schema of the environment (one entry a variable), CONFIG_VARIABLES
 *   parse.ts   parseConfig: the schema, checks across variables, the mapping to Config
 *   env.ts     loadConfig / readEnv: `.env` (or ENV_FILE) under the process environment
 */
export { loadConfig, readEnv } from "./config/env.ts";
export { type ConfigResult, parseConfig } from "./config/parse.ts";
export { CONFIG_VARIABLES, samplingCron } from "./config/schema.ts";
export {
  CARD_DRIVERS,
  type Config,
  HARDWARE_MODES,
  LOG_LEVELS,
  type Range,
  STORAGE_KINDS,
  type Thresholds,
} from "./config/types.ts";
