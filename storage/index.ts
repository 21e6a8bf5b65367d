import type { Config } from "../core/config.ts";
import type { Logger } from "../core/logger.ts";
import { createAwsStorage } from "./aws/index.ts";
import type { Storage } from "./ports.ts";
import { createSqliteStorage } from "./sqlite/index.ts";

export type { Storage } from "./ports.ts";

const adapters: Record<Config["storage"], (config: Config, logger: Logger) => Storage> = {
  sqlite: (config) => createSqliteStorage({ dataDir: config.dataDir }),
  aws: (config, logger) => {
    if (!config.aws) throw new Error("STORAGE=aws needs AWS_REGION and S3_BUCKET");
    return createAwsStorage({ ...config.aws, dataDir: config.dataDir, logger });
  },
};

/** Picks the storage adapter named by STORAGE. */
export function createStorage(config: Config, logger: Logger): Storage {
  const make = adapters[config.storage];
  if (!make) throw new Error(`unknown STORAGE "${config.storage}"; valid: ${Object.keys(adapters).join(", ")}`);
  return make(config, logger);
}
