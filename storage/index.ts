import type { Config } from "../core/config.ts";
import type { Logger } from "../core/logger.ts";
import type { Storage } from "../core/storage.ts";

export type { Storage } from "../core/storage.ts";

// Each adapter is loaded only when chosen: the AWS SDK (DynamoDB, S3) costs tens of MB of
// memory that a room on SQLite never needs.
const adapters: Record<Config["storage"], (config: Config, logger: Logger) => Promise<Storage>> = {
  sqlite: async (config) => (await import("./sqlite/index.ts")).createSqliteStorage({ dataDir: config.dataDir }),
  aws: async (config, logger) => {
    if (!config.aws) throw new Error("STORAGE=aws needs AWS_REGION and S3_BUCKET");
    const { createAwsStorage } = await import("./aws/index.ts");
    return createAwsStorage({ ...config.aws, dataDir: config.dataDir, logger });
  },
};

/** Picks the storage adapter named by STORAGE. */
export async function createStorage(config: Config, logger: Logger): Promise<Storage> {
  const make = adapters[config.storage];
  if (!make) throw new Error(`unknown STORAGE "${config.storage}"; valid: ${Object.keys(adapters).join(", ")}`);
  return make(config, logger);
}
