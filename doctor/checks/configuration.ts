/**
 * The configuration parses as the console parses it (core/config.ts: `.env` or ENV_FILE
 * under the environment): every problem listed, as the console lists them when it refuses
 * to start.
 */
import { type Check, fail, ok } from "../check.ts";

export const configurationCheck: Check = {
  id: "config",
  title: "Configuration",
  manual: "npm start",
  async run(ctx) {
    const state = ctx.config;
    if (!state.ok) {
      const n = state.errors.length;
      return fail(
        `${state.source}: ${n} problem${n === 1 ? "" : "s"}: ${state.errors.join("; ")}`,
        `correct ${n === 1 ? "that value" : "those values"} in ${state.source === "the environment" ? ".env" : state.source} (every variable is described in .env.example)`,
      );
    }
    const c = state.config;
    return ok(
      `${state.source} parses: HARDWARE=${c.hardware}, STORAGE=${c.storage}, ROOM_ID=${c.roomId}, DATA_DIR=${c.dataDir}`,
    );
  },
};

/** For checks that need the configuration: why they cannot run without it. */
export const NO_CONFIG = "not checked: the configuration does not parse (see Configuration)";
