/**
 * The AWS backend's alert ledger. Incidents live on DynamoDB and the outbox on the Pi
 * (storage/aws/index.ts), so the two cannot share a transaction. Instead the incident
 * change is journalled in the Pi's database in the same transaction as its outbox rows
 * (storage/sqlite/alerts.ts createSqliteIncidentJournal), then applied to DynamoDB, and
 * the journal entry is dropped once applied. A crash between the two writes, or DynamoDB
 * being unreachable, leaves the change in the journal; `repair()` (at start, then every
 * minute from the alert job) applies it. Entries are applied strictly in order, and each
 * application is idempotent: an insert that is already there counts as applied, and an
 * update of an incident that never arrived inserts it whole (the journal holds it all).
 */

import type { AlertLedger, IncidentRepository } from "../../core/alerts/ports.ts";
import type { Incident } from "../../core/alerts/types.ts";
import type { Logger } from "../../core/logger.ts";
import type { createSqliteIncidentJournal } from "../sqlite/alerts.ts";

/** An entry that keeps failing for a reason other than reaching AWS is given up after this many tries. */
const MAX_ATTEMPTS = 20;

export function createJournalledAlertLedger(
  journal: ReturnType<typeof createSqliteIncidentJournal>,
  remote: IncidentRepository,
  logger: Logger,
): AlertLedger {
  const log = logger.child({ component: "alert-ledger" });
  let draining: Promise<{ applied: number; pending: number }> | undefined;

  async function applyOne(op: "insert" | "update", incident: Incident): Promise<void> {
    if (op === "insert") {
      // Applied before a crash cut the journal cleanup short: nothing to do.
      if (await remote.get(incident.id)) return;
      await remote.insert(incident);
      return;
    }
    try {
      await remote.update(incident);
    } catch (err) {
      if (!/does not exist/.test((err as Error).message)) throw err;
      await remote.insert(incident);
    }
  }

  async function drain(): Promise<{ applied: number; pending: number }> {
    let applied = 0;
    const entries = journal.pending();
    for (const [i, e] of entries.entries()) {
      try {
        await applyOne(e.op, e.incident);
        journal.done(e.id);
        applied++;
      } catch (err) {
        const message = (err as Error).message;
        const unreachable = (err as { $metadata?: unknown }).$metadata === undefined && !/incident /.test(message);
        if (!unreachable && e.attempts + 1 >= MAX_ATTEMPTS) {
          log.error(
            { incident: e.incident.id, op: e.op, err: message },
            "giving up on an incident change DynamoDB keeps refusing",
          );
          journal.done(e.id);
          continue;
        }
        journal.failed(e.id, message);
        // Strictly in order: later changes of the same incident wait for this one.
        return { applied, pending: entries.length - i };
      }
    }
    return { applied, pending: 0 };
  }

  function serialDrain(): Promise<{ applied: number; pending: number }> {
    const run = (draining ?? Promise.resolve()).then(drain, drain);
    draining = run;
    return run;
  }

  return {
    async commit(w) {
      const { ids, journalId } = journal.commit(w);
      if (journalId !== undefined) {
        const outcome = await serialDrain().catch((err) => {
          log.error({ err }, "could not apply an incident change to DynamoDB");
          return { applied: 0, pending: 1 };
        });
        if (outcome.pending > 0) {
          log.warn({ pending: outcome.pending }, "incident changes kept on the Pi until DynamoDB takes them");
        }
      }
      return ids;
    },
    repair: serialDrain,
  };
}
