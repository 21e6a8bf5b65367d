/**
 * A console's own link to the site's broker, watched (core/rooms/broker-watch.ts): down for
 * ROOM_SILENT_AFTER_SECONDS (the bound of a silent room) ->
 *   - the hub: its `hub.broker` incident (critical), through its own channels (Telegram,
 *     SNS: they do not need the broker), resolved with a recovery notice once connected;
 *   - a room agent: one error in its log per outage (and a line when it is back). No
 *     incident: its alerts could only go to the hub through that very broker, and the hub
 *     already says so (this room's `room.silent`, or its own `hub.broker`); what the room
 *     raises meanwhile waits in its outbox and follows.
 */
import type { AlertEngine } from "../core/alerts/engine.ts";
import type { Clock } from "../core/clock.ts";
import type { Logger } from "../core/logger.ts";
import { type BrokerLinkState, createBrokerWatch } from "../core/rooms/broker-watch.ts";

export const HUB_BROKER_RULE = "hub.broker";

export interface BrokerAlarm {
  /** Starts judging (every second); `engine`: the hub's, whose open `hub.broker` incident is remembered. */
  start(engine?: AlertEngine): void;
  stop(): Promise<void>;
}

export function createBrokerAlarm(opts: {
  role: "hub" | "room";
  /** The broker as people see it (connection.ts brokerName). */
  broker: string;
  downAfterMs: number;
  clock: Clock;
  logger: Logger;
  link: () => BrokerLinkState;
  everyMs?: number;
}): BrokerAlarm {
  const log = opts.logger.child({ component: "broker-watch" });
  let engine: AlertEngine | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const bound = Math.round(opts.downAfterMs / 1000);
  const watch = createBrokerWatch({
    broker: opts.broker,
    downAfterMs: opts.downAfterMs,
    clock: opts.clock,
    async setDown(problem, at) {
      if (problem) {
        log.error(
          { broker: opts.broker, since: problem.details.since, error: problem.details.error },
          opts.role === "hub"
            ? `the hub has not reached the broker ${opts.broker} for ${problem.details.seconds} s (more than ${bound} s): it hears no room; incident ${HUB_BROKER_RULE} raised`
            : `this room has not reached the broker ${opts.broker} for ${problem.details.seconds} s (more than ${bound} s): its alerts wait in its outbox until it is back`,
        );
      } else {
        log.info({ broker: opts.broker }, `the broker ${opts.broker} is reachable again`);
      }
      if (opts.role === "hub") await engine?.setCondition(HUB_BROKER_RULE, problem, at);
    },
  });
  return {
    start(e) {
      engine = e;
      if (e?.openIncidents().some((i) => i.rule === HUB_BROKER_RULE)) watch.remember(true);
      timer = setInterval(() => {
        if (running) return; // one judgement at a time
        running = watch
          .check(opts.link())
          .catch((err) => log.error({ err }, "the broker watch failed"))
          .finally(() => {
            running = undefined;
          });
      }, opts.everyMs ?? 1_000);
      timer.unref?.();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
