/**
 * Staff shared by the rooms of a SQLite site (core/rooms/staff-sync.ts): the hub's publisher
 * and a room's receiver. With STORAGE=aws the rooms share one staff table already: there is
 * no storage.staffMirror, and app/site.ts wires neither.
 *
 *   hub   reads its register every `everyMs` and publishes it (retained, QoS 1) when it
 *         changed, and on every (re)connection; a failed publish is tried again next time.
 *   room  applies each list to its own register in one transaction; a list it cannot read,
 *         or an empty one while it has cards, is refused (logged) and its copy kept.
 */
import type { StaffRepository } from "../core/door/ports.ts";
import type { Logger } from "../core/logger.ts";
import { parseStaffList, type StaffListMessage, type StaffMirrorStore, sharedCards } from "../core/rooms/staff-sync.ts";

/** How often the hub looks for changes to its register (one small SELECT). */
export const STAFF_CHECK_MS = 2_000;

export interface StaffPublisher {
  start(): void;
  /** A (re)connection: the list goes again, changed or not. */
  connected(): void;
  stop(): Promise<void>;
}

export function createStaffPublisher(opts: {
  staff: StaffRepository;
  publish: (payload: string) => Promise<void>;
  logger: Logger;
  everyMs?: number;
}): StaffPublisher {
  const log = opts.logger.child({ component: "staff-share" });
  let sent: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  async function check(force: boolean): Promise<void> {
    const cards = sharedCards(await opts.staff.list({ includeRevoked: true }));
    const body = JSON.stringify(cards);
    if (!force && body === sent) return;
    const message: StaffListMessage = { at: Date.now(), cards };
    try {
      await opts.publish(JSON.stringify(message));
      if (body !== sent) log.info({ cards: cards.length }, "staff list published to the rooms");
      sent = body;
    } catch (err) {
      sent = undefined; // tried again at the next check
      log.debug({ err: (err as Error).message }, "staff list not published yet");
    }
  }
  const run = (force: boolean) => {
    running = running.then(() => check(force)).catch((err) => log.error({ err }, "could not read the staff list"));
  };
  return {
    start() {
      timer = setInterval(() => run(false), opts.everyMs ?? STAFF_CHECK_MS);
      timer.unref?.();
    },
    connected: () => run(true),
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}

/** A room's handler of the hub's staff lists (applied one at a time, in order). */
export function createStaffReceiver(opts: { mirror: StaffMirrorStore; staff: StaffRepository; logger: Logger }): {
  onStaffList(payload: Buffer): void;
  idle(): Promise<void>;
} {
  const log = opts.logger.child({ component: "staff-share" });
  let last: string | undefined;
  let queue: Promise<void> = Promise.resolve();
  async function take(payload: Buffer): Promise<void> {
    const parsed = parseStaffList(payload);
    if (!parsed.ok) {
      log.warn(
        { bytes: payload.length, error: parsed.error },
        "the hub's staff list was refused; this room keeps its copy",
      );
      return;
    }
    const body = JSON.stringify(parsed.list.cards);
    if (body === last) return;
    if (parsed.list.cards.length === 0 && (await opts.staff.list({ includeRevoked: true })).length > 0) {
      log.warn("the hub sent an empty staff list (a fresh hub database?); this room keeps its copy");
      return;
    }
    const changes = await opts.mirror.apply(parsed.list.cards, Date.now());
    last = body;
    log.info({ cards: parsed.list.cards.length, ...changes }, "staff list from the hub applied");
  }
  return {
    onStaffList(payload) {
      queue = queue
        .then(() => take(payload))
        .catch((err) => log.error({ err }, "could not apply the hub's staff list"));
    },
    idle: () => queue,
  };
}
