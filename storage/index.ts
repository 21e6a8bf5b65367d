import type { Config } from "../core/config.ts";
import type { Storage } from "./ports.ts";
import { createSqliteStorage } from "./sqlite/index.ts";

export type { Storage } from "./ports.ts";

const adapters: Record<Config["storage"], (config: Config) => Storage> = {
  sqlite: (config) => createSqliteStorage({ dataDir: config.dataDir }),
};

/** Picks the storage adapter named by STORAGE. */
export function createStorage(config: Config): Storage {
  const make = adapters[config.storage];
  if (!make) throw new Error(`unknown STORAGE "${config.storage}"; valid: ${Object.keys(adapters).join(", ")}`);
  return make(config);
}
