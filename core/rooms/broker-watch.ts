/**
 * A console's watch over its own link to the site's broker (README, "Several rooms"): the
 * link has been down (never connected since start, or lost) for `downAfterMs` (the same
 * bound as a silent room, ROOM_SILENT_AFTER_SECONDS) -> `setDown` with the problem, once
 * per outage; connected again -> `setDown(undefined)`, once.
 *
 * The hub makes this its `hub.broker` incident: while it cannot hear the broker it hears no
 * room (their alerts wait in the rooms' outboxes, a dead room cannot be noticed), and its
 * own channels (Telegram, SNS) do not need the broker to say so. A room agent logs it.
 */
import type { Incident, Severity } from "../alerts/types.ts";
import type { Clock } from "../clock.ts";

/** The link as the MQTT client sees it (channels/mqtt/connection.ts, trackLink). */
export interface BrokerLinkState {
  connected: boolean;
  /** Down since (ms): since the start when never connected, else since the connection was lost. */
  downSince?: number;
  /** The latest connection error of this outage ("connect ECONNREFUSED 127.0.0.1:8883"). */
  lastError?: string;
}

export interface BrokerWatchOptions {
  /** The broker as people see it (no credentials): mqtts://broker.lan:8883. */
  broker: string;
  downAfterMs: number;
  clock: Clock;
  setDown(problem: { severity: Severity; details: Incident["details"] } | undefined, at: number): Promise<void>;
}

export interface BrokerWatch {
  /** Judges the link's state now. Call every second or so. */
  check(link: BrokerLinkState): Promise<void>;
  /** The outage was raised before a restart (an open incident): it is resolved once connected. */
  remember(down: boolean): void;
  /** Whether the outage is raised now. */
  down(): boolean;
}

export function createBrokerWatch(opts: BrokerWatchOptions): BrokerWatch {
  let raised = false;
  return {
    async check(link) {
      const at = opts.clock.now().getTime();
      if (link.connected) {
        if (!raised) return;
        raised = false;
        await opts.setDown(undefined, at);
        return;
      }
      if (raised || link.downSince === undefined || at - link.downSince < opts.downAfterMs) return;
      raised = true;
      await opts.setDown(
        {
          severity: "critical",
          details: {
            broker: opts.broker,
            since: link.downSince,
            seconds: Math.round((at - link.downSince) / 1000),
            error: link.lastError ?? "",
          },
        },
        at,
      );
    },
    remember(down) {
      raised = down;
    },
    down: () => raised,
  };
}
