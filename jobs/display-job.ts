/**
 * The room's LCD: a status screen (temperature, humidity, time) refreshed on every
 * reading and every minute; door events show a short message ("Welcome, NAME",
 * "Access denied", "Unknown card", ...) for a few seconds, then the status returns.
 * A failing display is logged (once per failure streak) and retried on the next frame.
 */

import type { Reading } from "../core/climate/reading.ts";
import type { Clock } from "../core/clock.ts";
import type { Display } from "../core/display/display.ts";
import type { EventBus } from "../core/event-bus.ts";
import type { RoomEvents } from "../core/events.ts";
import type { Logger } from "../core/logger.ts";
import type { ScheduledHandle, Scheduler } from "../core/scheduler.ts";
import { dateTimeFormat } from "../core/time.ts";

export interface DisplayJobDeps {
  roomId: string;
  display: Display;
  bus: EventBus<RoomEvents>;
  clock: Clock;
  scheduler: Scheduler;
  timeZone: string;
  logger: Logger;
  /** Plain-text translations (LCD strings live in locales/, keys `lcd-*`). */
  t: (key: string, vars?: Record<string, string>) => string;
  /** How long a door message stays before the status returns. */
  messageMs?: number;
}

export function createDisplayJob(deps: DisplayJobDeps) {
  const { display, bus, t } = deps;
  const log = deps.logger.child({ job: "display" });
  const messageMs = deps.messageMs ?? 5_000;
  let last: Reading | undefined;
  let messageUntil = 0;
  let revert: NodeJS.Timeout | undefined;
  let failing = false;
  let handle: ScheduledHandle | undefined;
  const offs: Array<() => void> = [];

  async function draw(lines: string[]): Promise<void> {
    try {
      await display.show(lines);
      if (failing) log.info("display works again");
      failing = false;
    } catch (err) {
      if (!failing) log.error({ err: (err as Error).message }, "display failed");
      failing = true;
    }
  }

  function hhmm(): string {
    return dateTimeFormat("en-GB", {
      timeZone: deps.timeZone,
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).format(deps.clock.now());
  }

  function statusLines(): string[] {
    const climate = last
      ? t("lcd-climate", { t: last.temperatureC.toFixed(1), h: last.humidityPct.toFixed(0) })
      : t("lcd-no-reading");
    return [climate, `${hhmm()} ${deps.roomId}`];
  }

  async function showStatus(): Promise<void> {
    if (Date.now() < messageUntil) return;
    await draw(statusLines());
  }

  async function showMessage(lines: string[]): Promise<void> {
    messageUntil = Date.now() + messageMs;
    clearTimeout(revert);
    revert = setTimeout(() => {
      messageUntil = 0;
      void showStatus();
    }, messageMs);
    revert.unref?.();
    await draw(lines);
  }

  return {
    /** What the status screen would show now (for tests and the local UI). */
    statusLines,
    async start() {
      offs.push(
        bus.on("climate.reading", ({ reading }) => {
          last = reading;
          return showStatus();
        }),
        bus.on("door.access", ({ entry, enrollment }) => {
          // Read for an enrollment: the person at the reader is enrolling a card.
          if (enrollment) return showMessage([t("lcd-card-read"), t("lcd-enroll-by", { name: enrollment.by })]);
          const name = entry.staffName ?? "";
          switch (entry.decision) {
            case "allowed":
              return showMessage([t("lcd-welcome"), name]);
            case "off-hours":
              return showMessage([t("lcd-off-hours"), name]);
            case "revoked":
              return showMessage([t("lcd-denied"), name]);
            case "wrong-room":
              return showMessage([t("lcd-wrong-room"), name]);
            case "unknown":
              return showMessage([t("lcd-unknown"), t("lcd-denied")]);
          }
        }),
        bus.on("door.enrolled", ({ member }) => showMessage([t("lcd-enrolled"), member.name])),
      );
      handle = deps.scheduler.schedule("0 * * * * *", showStatus, {
        name: `display:${deps.roomId}`,
        timeZone: deps.timeZone,
      });
      await showStatus();
    },
    async stop() {
      for (const off of offs.splice(0)) off();
      clearTimeout(revert);
      await handle?.stop();
      handle = undefined;
    },
  };
}
