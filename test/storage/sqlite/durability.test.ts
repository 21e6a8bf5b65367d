/**
 * The embedded database commits durably: WAL with synchronous=FULL (the WAL is fsynced at
 * every commit), so an outbox row or a door tap that was committed survives a power cut.
 * NORMAL stays available for what may lose its last moments (benchmarks compare the two).
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { closeDatabase, openDatabase } from "../../../storage/sqlite/database.ts";

const FULL = 2;
const NORMAL = 1;

test("the database opens in WAL mode with synchronous=FULL; NORMAL only when asked", () => {
  const dir = mkdtempSync(join(tmpdir(), "seroma-durable-"));
  const db = openDatabase(join(dir, "seroma.db"));
  assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
  assert.equal(db.pragma("synchronous", { simple: true }), FULL);
  closeDatabase(db);
  // Reopened (e.g. after an unclean stop, with the integrity check): still FULL.
  const again = openDatabase(join(dir, "seroma.db"));
  assert.equal(again.pragma("synchronous", { simple: true }), FULL);
  closeDatabase(again);
  const relaxed = openDatabase(join(dir, "other.db"), undefined, { synchronous: "NORMAL" });
  assert.equal(relaxed.pragma("synchronous", { simple: true }), NORMAL);
  closeDatabase(relaxed);
});
