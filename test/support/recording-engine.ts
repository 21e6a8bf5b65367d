/**
 * The alert engine as tests drive it: a real engine on real storage, recording each change
 * and its notice in one write as the pipeline does, and keeping the notices for assertions.
 */
import { type AlertEngine, createAlertEngine } from "../../core/alerts/engine.ts";
import type { Notice } from "../../core/alerts/types.ts";
import type { Clock } from "../../core/clock.ts";
import { silentLogger } from "../../core/logger.ts";
import type { Storage } from "../../core/storage.ts";

type EngineOptions = Parameters<typeof createAlertEngine>[0];

/** Bands wide enough that the tests' readings (20-25 °C, 40-50 %) raise nothing unless they mean to. */
export const TEST_THRESHOLDS: EngineOptions["thresholds"] = {
  temperatureC: { warn: { min: 18, max: 27 }, critical: { min: 15, max: 30 } },
  humidityPct: { warn: { min: 30, max: 60 }, critical: { min: 20, max: 70 } },
};

export function recordingEngine(opts: { roomId: string; clock: Clock; storage: Storage } & Partial<EngineOptions>): {
  engine: AlertEngine;
  notices: Notice[];
} {
  const { roomId, clock, storage, ...overrides } = opts;
  const notices: Notice[] = [];
  let ids = 0;
  const engine = createAlertEngine({
    roomId,
    thresholds: TEST_THRESHOLDS,
    hysteresis: { temperatureC: 1, humidityPct: 3 },
    minDurationMs: 0,
    remindEveryMs: 0,
    sensorDeadAfter: 3,
    sensorStuckMs: 0,
    clock,
    repos: storage,
    // What the pipeline does: the change and its notice in one write.
    record: async ({ incident, notice }) => {
      await storage.alertLedger.commit({
        incident,
        notices: notice ? [{ notice, channels: ["test"] }] : [],
        at: clock.now().getTime(),
      });
      if (notice) notices.push(notice);
    },
    logger: silentLogger,
    newId: () => `inc${++ids}`,
    ...overrides,
  });
  return { engine, notices };
}
