/**
 * The Pi's own health, every minute (and at start): the things that make everything else
 * wrong without anyone noticing.
 *   - clock.unsynced: the system clock is not synchronised. A Pi has no battery-backed
 *     clock; after a power cut without network it can be days off, and office hours (which
 *     decide what is a breach) are judged on it. While unsynchronised the door job marks
 *     its decisions (`clockSynced()` says so).
 *   - power.undervoltage (critical): the supply is too weak now; power.throttled (warning):
 *     throttled, capped or at the soft temperature limit now; power.undervoltage-seen (an
 *     event): the firmware's "has occurred" bit appeared since the last look, for dips too
 *     short to be caught "now".
 * What cannot be read (not a Pi, no timedatectl) raises nothing: unknown is not a problem.
 * Never throws.
 */
import type { EventRuleId, Incident, LeveledRuleId, Severity } from "../core/alerts/types.ts";
import type { Clock } from "../core/clock.ts";
import type { Logger } from "../core/logger.ts";
import type { ScheduledHandle, Scheduler } from "../core/scheduler.ts";
import type { SystemHealthReaders } from "../core/system/health.ts";
import { formatLocalDateTime } from "../core/time.ts";

export type { SystemHealthReaders };

export interface SystemHealthDeps {
  engine: {
    setCondition(
      rule: LeveledRuleId,
      problem: { severity: Severity; details: Incident["details"] } | undefined,
      at: number,
    ): Promise<void>;
    raiseEvent(rule: EventRuleId, severity: Severity, details: Incident["details"], at: number): Promise<Incident>;
  };
  /** Where the Pi's state is read (hardware/system/pi-state.ts systemHealthReaders; tests give fakes). */
  readers: SystemHealthReaders;
  scheduler: Scheduler;
  clock: Clock;
  logger: Logger;
  timeZone: string;
}

export interface SystemHealthJob {
  start(): Promise<void>;
  stop(): Promise<void>;
  runNow(): Promise<void>;
  /** The clock's state at the last look: true synchronised, false not, undefined unknown. */
  clockSynced(): boolean | undefined;
}

export function createSystemHealthJob(deps: SystemHealthDeps): SystemHealthJob {
  const readers = deps.readers;
  let handle: ScheduledHandle | undefined;
  let inFlight: Promise<void> | undefined;
  let synced: boolean | undefined;
  /** The "under-voltage has occurred" bit at the last look (undefined: not looked yet). */
  let seenBefore: boolean | undefined;
  let runs = 0;

  async function run(): Promise<void> {
    const log = deps.logger.child({ job: "system-health", run: ++runs });
    const at = deps.clock.now().getTime();
    const clock = await readers.clockSynchronised();
    if (clock.ok) {
      if (clock.value !== synced) log.info({ synchronised: clock.value }, "system clock");
      synced = clock.value;
      await deps.engine.setCondition(
        "clock.unsynced",
        clock.value ? undefined : { severity: "warning", details: { reason: "NTP has not synchronised it yet" } },
        at,
      );
    }
    const power = await readers.throttled();
    if (!power.ok) return;
    const p = power.value;
    await deps.engine.setCondition(
      "power.undervoltage",
      p.underVoltageNow ? { severity: "critical", details: { bits: `0x${p.bits.toString(16)}` } } : undefined,
      at,
    );
    const what = [
      p.cappedNow ? "capped" : undefined,
      p.throttledNow ? "throttled" : undefined,
      p.softTempLimitNow ? "soft-temp" : undefined,
    ].filter((w): w is string => w !== undefined);
    await deps.engine.setCondition(
      "power.throttled",
      what.length > 0
        ? { severity: "warning", details: { what: what.join(", "), bits: `0x${p.bits.toString(16)}` } }
        : undefined,
      at,
    );
    // A dip too short to be seen "now": the sticky bit appeared since the last look (or was set at start).
    if (p.underVoltageOccurred && !p.underVoltageNow && seenBefore !== true) {
      log.warn({ bits: p.bits }, "under-voltage has occurred");
      await deps.engine.raiseEvent(
        "power.undervoltage-seen",
        "warning",
        { time: formatLocalDateTime(at, deps.timeZone).slice(11, 16), bits: `0x${p.bits.toString(16)}` },
        at,
      );
    }
    seenBefore = p.underVoltageOccurred;
  }

  function runNow(): Promise<void> {
    inFlight ??= run()
      .catch((err) => deps.logger.error({ err }, "system health check failed"))
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  }

  return {
    runNow,
    clockSynced: () => synced,
    async start() {
      if (handle) return;
      handle = deps.scheduler.schedule("45 * * * * *", async () => void (await runNow()), {
        name: "system-health",
        timeZone: deps.timeZone,
      });
      await runNow();
    },
    async stop() {
      const h = handle;
      handle = undefined;
      await h?.stop();
      await inFlight;
    },
  };
}
