/**
 * Staff shared by the rooms of a SQLite site, as real processes: a real mosquitto (TLS, the
 * site's ACL), the local Bot API, a hub and two room agents (`node main.ts`). A card added at
 * the hub reaches both rooms' staff tables; the hub's limit of a card to dc-1 reaches them
 * too; with the broker stopped, a change at the hub does not reach the rooms, which keep
 * deciding from their copy, and it arrives once the broker is back.
 *
 * A room process runs no bot and no local mode, so nothing can tap a card at its simulated
 * reader from outside: the door's decision is judged here by the same policy on the room's
 * own copy (its SQLite file), and the door itself refusing a card of another room (log,
 * LCD, alert) is tested one level lower, in test/bot/features/staff-rooms.test.ts.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import Database from "better-sqlite3";
import { decideAccess } from "../../core/door/policy.ts";
import type { StaffMember } from "../../core/door/ports.ts";
import type { OfficeHours } from "../../core/office-hours.ts";
import { type LocalBotApi, startLocalBotApi } from "../../local/bot-api/server.ts";
import { createSqliteStorage } from "../../storage/sqlite/index.ts";
import { type Running, startConsole } from "../support/console-process.ts";
import { HUB_CN, type Mosquitto, mosquittoMissing, startMosquitto } from "../support/mosquitto.ts";
import { SITE_CONSOLE_ENV, startHubProcess } from "../support/site-processes.ts";

const PREFIX = "seroma/e2e-staff";
const TOKEN = "5000000018:AAHlocalTestTokenForSeromaStaffShare1";
const ALWAYS: OfficeHours = {
  timeZone: "UTC",
  days: Array.from({ length: 7 }, () => [{ start: 0, end: 24 * 60 }]),
  holidays: new Set(),
};

describe("staff cards shared by the rooms (real processes)", { skip: mosquittoMissing }, () => {
  let broker: Mosquitto;
  let api: LocalBotApi;
  let hub: Running;
  const rooms = new Map<string, Running>();
  const base = mkdtempSync(join(tmpdir(), "seroma-rooms-staff-"));
  const hubFile = join(base, "hub", "seroma.db");

  const env = (name: string, files = broker.client(name)) => ({ ...broker.env(name, files), ...SITE_CONSOLE_ENV });

  /** A room's staff card as its own database has it (read while the room runs: WAL). */
  function roomCard(room: string, uid: string): StaffMember | undefined {
    const db = new Database(join(base, room, "seroma.db"), { readonly: true, fileMustExist: true });
    try {
      const r = db.prepare("SELECT * FROM staff WHERE card_uid = ?").get(uid) as Record<string, unknown> | undefined;
      if (!r) return undefined;
      return {
        cardUid: String(r.card_uid),
        name: String(r.name),
        role: r.role as StaffMember["role"],
        active: r.active === 1,
        createdBy: Number(r.created_by),
        createdAt: Number(r.created_at),
        ...(r.telegram_user_id !== null ? { telegramUserId: Number(r.telegram_user_id) } : {}),
        ...(r.rooms !== null ? { rooms: JSON.parse(String(r.rooms)) as string[] } : {}),
      };
    } finally {
      db.close();
    }
  }

  async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = probe();
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms\nhub:\n${hub.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** A change to the hub's staff, as its bot would make it (its own storage adapter, on its database file). */
  async function atHub(fn: (s: ReturnType<typeof createSqliteStorage>) => Promise<unknown>): Promise<void> {
    const s = createSqliteStorage({ file: hubFile });
    try {
      await fn(s);
    } finally {
      await s.close();
    }
  }

  before(async () => {
    broker = await startMosquitto({ prefix: PREFIX });
    api = await startLocalBotApi({ token: TOKEN });
    hub = await startHubProcess(broker, api, { DATA_DIR: join(base, "hub"), ...env(HUB_CN) });
    for (const name of ["dc-1", "dc-2"]) {
      rooms.set(name, startConsole({ ROOM_ID: name, DATA_DIR: join(base, name), ...env(name) }));
    }
    for (const run of rooms.values()) await run.waitForOutput(/room agent: reporting to the hub/, 30_000);
  });

  after(async () => {
    for (const run of [...rooms.values(), hub]) run?.child.kill("SIGKILL");
    await Promise.all([...rooms.values(), hub].filter(Boolean).map((r) => r.exited));
    await api?.close();
    await broker?.close();
  });

  test("a card added at the hub reaches every room's staff table (no Telegram id)", async () => {
    await atHub((s) =>
      s.staff.add({
        cardUid: "04A1B2C3",
        name: "Grace Hopper",
        role: "staff",
        active: true,
        createdBy: 77,
        createdAt: Date.now(),
        telegramUserId: 2001,
      }),
    );
    for (const room of ["dc-1", "dc-2"]) {
      const card = await until(`the card at ${room}`, () => roomCard(room, "04A1B2C3"));
      assert.deepEqual([card.name, card.role, card.active, card.rooms], ["Grace Hopper", "staff", true, undefined]);
      assert.equal(card.telegramUserId, undefined, "Telegram ids stay at the hub");
      assert.equal(decideAccess(card, room, new Date(), ALWAYS), "allowed");
    }
    await hub.waitForOutput(/staff list published to the rooms/);
    await rooms.get("dc-1")?.waitForOutput(/staff list from the hub applied/);
  });

  test("a card limited to dc-1 at the hub: dc-1's copy lets it in, dc-2's refuses it", async () => {
    await atHub((s) => s.staff.setRooms("04A1B2C3", ["dc-1"]));
    for (const room of ["dc-1", "dc-2"]) {
      const card = await until(`the limit at ${room}`, () => {
        const c = roomCard(room, "04A1B2C3");
        return c?.rooms ? c : undefined;
      });
      assert.deepEqual(card.rooms, ["dc-1"]);
    }
    const at = new Date();
    assert.equal(decideAccess(roomCard("dc-1", "04A1B2C3"), "dc-1", at, ALWAYS), "allowed");
    assert.equal(decideAccess(roomCard("dc-2", "04A1B2C3"), "dc-2", at, ALWAYS), "wrong-room");
  });

  test("with the broker stopped the rooms decide from their copy; the hub's change arrives when it is back", async () => {
    await broker.stop();
    await atHub((s) => s.staff.setActive("04A1B2C3", false, 77, Date.now()));
    await new Promise((r) => setTimeout(r, 4_000)); // two of the hub's checks
    for (const room of ["dc-1", "dc-2"]) {
      assert.equal(roomCard(room, "04A1B2C3")?.active, true, `${room} still has its copy`);
      assert.ok(rooms.get(room)?.child.exitCode === null, `${room} is running`);
    }
    assert.equal(decideAccess(roomCard("dc-1", "04A1B2C3"), "dc-1", new Date(), ALWAYS), "allowed");
    await broker.start();
    for (const room of ["dc-1", "dc-2"]) {
      const card = await until(`the revocation at ${room}`, () => {
        const c = roomCard(room, "04A1B2C3");
        return c && !c.active ? c : undefined;
      });
      assert.equal(decideAccess(card, room, new Date(), ALWAYS), "revoked");
    }
  });
});
