/**
 * Door job: listens to the card reader, judges every tap (core/access.ts), writes the
 * access log and emits "door.access" (the alert pipeline and the LCD listen). While an
 * enrollment waits for a card, the next tap is judged and logged as always, and the
 * enrollment gets a copy of its UID; the event says whose enrollment read it, so an
 * unknown card's alert does not alarm the group. Taps are handled one at a time, in
 * order; a failure is logged, never thrown.
 */

import type { Clock } from "../core/clock.ts";
import type { CardCapture, CardReader, CardReaderEvent, CardUid } from "../core/door/card-reader.ts";

export type { CardCapture };

import { decideAccess } from "../core/door/policy.ts";
import type { AccessLogRepository, StaffRepository } from "../core/door/ports.ts";
import type { EventBus } from "../core/event-bus.ts";
import type { RoomEvents } from "../core/events.ts";
import type { Logger } from "../core/logger.ts";
import type { OfficeHours } from "../core/office-hours.ts";

export interface DoorJobDeps {
  roomId: string;
  reader: CardReader;
  staff: StaffRepository;
  accessLog: AccessLogRepository;
  officeHours: OfficeHours;
  clock: Clock;
  bus: EventBus<RoomEvents>;
  logger: Logger;
  /**
   * Whether the system clock is synchronised (the system-health job knows): office hours
   * are judged on it, so a decision made on an unsynchronised clock says so. Undefined: unknown.
   */
  clockSynced?: () => boolean | undefined;
}

export interface DoorJob {
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Hands a copy of the next tap's UID to an enrollment started by the admin named `by`
   * (first come, first served). The tap is still judged and logged.
   */
  captureNextTap(timeoutMs: number, by: string): CardCapture;
  /** How many enrollments are waiting for a card now. */
  capturing(): number;
  /** Resolves when every tap received so far has been handled. */
  idle(): Promise<void>;
}

export function createDoorJob(deps: DoorJobDeps): DoorJob {
  const { roomId, clock, bus } = deps;
  const log = deps.logger.child({ job: "door", room: roomId });
  interface Waiter {
    by: string;
    deliver(uid: CardUid | undefined): void;
    abandon(): void;
  }
  const captures: Waiter[] = [];
  let queue: Promise<void> = Promise.resolve();
  let started = false;

  async function handleTap(uid: CardUid, at: number): Promise<void> {
    const capture = captures.shift();
    const member = await deps.staff.getByUid(uid);
    const decision = decideAccess(member, roomId, new Date(at), deps.officeHours);
    const entry = {
      roomId,
      at,
      cardUid: uid,
      decision,
      ...(member ? { staffName: member.name } : {}),
    };
    // The room hears about the tap even when the log cannot be written (disk full, SD card
    // failing): a breach must still reach the LCD and the alerts. id 0: not stored.
    let id = 0;
    try {
      id = await deps.accessLog.add(entry);
    } catch (err) {
      log.error({ err, uid, decision }, "could not write the access log; the tap is still judged and announced");
    }
    const clockUnsynced = deps.clockSynced?.() === false;
    log.info({ uid, decision, staff: member?.name, enrollmentBy: capture?.by, clockUnsynced }, "door access");
    bus.emit("door.access", {
      entry: { id, ...entry },
      ...(member ? { member } : {}),
      ...(capture ? { enrollment: { by: capture.by } } : {}),
      ...(clockUnsynced ? { clockUnsynced: true } : {}),
    });
    capture?.deliver(uid);
  }

  function onEvent(e: CardReaderEvent): void {
    queue = queue
      .then(async () => {
        if (e.type === "tap") await handleTap(e.uid, clock.now().getTime());
        else if (e.type === "dead") {
          log.error({ reason: e.reason }, "card reader not answering");
          bus.emit("door.reader-dead", { roomId, at: e.at, reason: e.reason });
        } else {
          log.info("card reader answers again");
          bus.emit("door.reader-alive", { roomId, at: e.at });
        }
      })
      .catch((err) => log.error({ err }, "could not handle a card reader event"));
  }

  return {
    async start() {
      if (started) return;
      await deps.reader.start(onEvent);
      started = true;
    },
    async stop() {
      if (!started) return;
      started = false;
      await deps.reader.stop();
      await queue;
      for (const c of captures.splice(0)) c.abandon();
    },
    captureNextTap(timeoutMs, by) {
      let resolve: (uid: CardUid | undefined) => void = () => {};
      const card = new Promise<CardUid | undefined>((r) => {
        resolve = r;
      });
      const waiter: Waiter = {
        by,
        deliver(uid) {
          clearTimeout(timer);
          resolve(uid);
        },
        abandon() {
          clearTimeout(timer);
        },
      };
      const drop = () => {
        const i = captures.indexOf(waiter);
        if (i >= 0) captures.splice(i, 1);
        waiter.deliver(undefined);
      };
      const timer = setTimeout(drop, timeoutMs);
      timer.unref?.();
      captures.push(waiter);
      return { card, cancel: drop };
    },
    capturing: () => captures.length,
    idle() {
      return queue;
    },
  };
}
