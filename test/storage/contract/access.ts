/**
 * The behaviour every StaffRepository and AccessLogRepository must have, whatever the
 * backend: registers node:test cases (call it inside a describe). Each case opens a
 * fresh, empty store through `open` and closes it at the end.
 *
 * Access log ids are positive integers, unique and increasing (in arrival order) within
 * a room; whether rooms share one sequence (SQLite) or count apart (DynamoDB) is left open.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type AccessDecision,
  type AccessEntry,
  type StaffMember,
  TelegramAlreadyLinkedError,
} from "../../../core/door/ports.ts";
import type { Storage } from "../../../core/storage.ts";

export interface AccessContractStore {
  storage: Pick<Storage, "staff" | "accessLog">;
  close(): Promise<void>;
}

/** A staff member fixture (shared with the SQLite-only tests). */
export const member = (cardUid: string, name: string, extra: Partial<StaffMember> = {}): StaffMember => ({
  cardUid,
  name,
  role: "staff",
  active: true,
  createdBy: 1,
  createdAt: 1_000,
  ...extra,
});

/** An access log entry fixture (shared with the SQLite-only tests). */
export const entry = (
  roomId: string,
  at: number,
  cardUid: string,
  decision: AccessDecision = "allowed",
  /** null: no staff name (an unknown card). */
  staffName: string | null = "Ann",
): Omit<AccessEntry, "id"> => ({ roomId, at, cardUid, decision, ...(staffName === null ? {} : { staffName }) });

const isAlreadyLinked = (telegramUserId: number, linkedCardUid: string) => (err: unknown) => {
  assert.ok(err instanceof TelegramAlreadyLinkedError, String(err));
  assert.equal(err.telegramUserId, telegramUserId);
  assert.equal(err.linkedCardUid, linkedCardUid);
  assert.match(err.message, new RegExp(`Telegram user ${telegramUserId} is already linked to card ${linkedCardUid}`));
  return true;
};

export function accessContract(open: () => Promise<AccessContractStore>): void {
  const withStore = async (fn: (s: AccessContractStore["storage"]) => Promise<void>): Promise<void> => {
    const store = await open();
    try {
      await fn(store.storage);
    } finally {
      await store.close();
    }
  };

  // ---- staff ----

  test("staff: add then getByUid returns the same record, optional fields absent when unset", () =>
    withStore(async (s) => {
      const ann = member("04A2B3C4", "Ann", { role: "admin", telegramUserId: 42, createdBy: 7, createdAt: 5_000 });
      assert.deepEqual(await s.staff.add(ann), { ok: true });
      assert.deepEqual(await s.staff.getByUid("04A2B3C4"), ann);
      await s.staff.add(member("0B0B", "Bob"));
      const bob = await s.staff.getByUid("0B0B");
      assert.deepEqual(bob, member("0B0B", "Bob"));
      assert.ok(bob && !("telegramUserId" in bob) && !("revokedAt" in bob) && !("revokedBy" in bob), "no unset keys");
      const dave = member("0D0D", "Dave", { active: false, revokedAt: 900, revokedBy: 3 });
      await s.staff.add(dave);
      assert.deepEqual(await s.staff.getByUid("0D0D"), dave, "added revoked, as given");
      assert.equal(await s.staff.getByUid("FFFF"), undefined);
    }));

  test("staff: a UID that exists (active or revoked) is refused with the existing record", () =>
    withStore(async (s) => {
      const ann = member("04A2", "Ann");
      await s.staff.add(ann);
      assert.deepEqual(await s.staff.add(member("04A2", "Impostor", { role: "admin" })), {
        ok: false,
        reason: "duplicate",
        existing: ann,
      });
      const revoked = await s.staff.setActive("04A2", false, 9, 2_000);
      assert.ok(revoked, "revoked");
      assert.deepEqual(await s.staff.add(member("04A2", "Ann again")), {
        ok: false,
        reason: "duplicate",
        existing: revoked,
      });
      assert.deepEqual(await s.staff.getByUid("04A2"), revoked, "the stored record is untouched");
      assert.deepEqual(
        (await s.staff.list({ includeRevoked: true })).map((m) => m.name),
        ["Ann"],
      );
    }));

  test("staff: concurrent adds of one UID: exactly one wins, the others get its record", () =>
    withStore(async (s) => {
      const results = await Promise.all(
        ["Ann", "Bob", "Carol", "Dave"].map((name) => s.staff.add(member("04A2", name))),
      );
      const winners = results.filter((r) => r.ok);
      assert.equal(winners.length, 1, JSON.stringify(results));
      const stored = await s.staff.getByUid("04A2");
      assert.ok(stored);
      for (const r of results) if (!r.ok) assert.deepEqual(r.existing, stored);
    }));

  test("staff: a duplicate UID wins over a Telegram id clash in the same add", () =>
    withStore(async (s) => {
      await s.staff.add(member("04A2", "Ann", { telegramUserId: 42 }));
      await s.staff.add(member("0B0B", "Bob", { telegramUserId: 43 }));
      const r = await s.staff.add(member("0B0B", "Bob 2", { telegramUserId: 42 }));
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.existing.name, "Bob");
      assert.equal((await s.staff.getByTelegramId(42))?.cardUid, "04A2");
      assert.equal((await s.staff.getByTelegramId(43))?.cardUid, "0B0B");
    }));

  test("staff: UIDs are compared exactly (normalization happens before this layer)", () =>
    withStore(async (s) => {
      await s.staff.add(member("04A2", "Ann"));
      assert.equal(await s.staff.getByUid("04a2"), undefined);
      assert.equal(await s.staff.getByUid("04A2 "), undefined);
      assert.deepEqual(await s.staff.add(member("04a2", "Lower-case Ann")), { ok: true });
      assert.equal((await s.staff.getByUid("04a2"))?.name, "Lower-case Ann");
      assert.equal((await s.staff.getByUid("04A2"))?.name, "Ann");
    }));

  test("staff: Telegram link, lookup, unlink; one account links to one card", () =>
    withStore(async (s) => {
      await s.staff.add(member("04A2", "Ann"));
      await s.staff.add(member("0B0B", "Bob"));
      await s.staff.add(member("0C0C", "Carol"));

      const linked = await s.staff.linkTelegram("04A2", 42);
      assert.deepEqual(linked, member("04A2", "Ann", { telegramUserId: 42 }));
      assert.deepEqual(await s.staff.getByTelegramId(42), member("04A2", "Ann", { telegramUserId: 42 }));
      assert.equal(await s.staff.getByTelegramId(43), undefined);

      await assert.rejects(s.staff.linkTelegram("0B0B", 42), isAlreadyLinked(42, "04A2"));
      assert.deepEqual(await s.staff.getByUid("0B0B"), member("0B0B", "Bob"), "the refused link changed nothing");
      assert.equal((await s.staff.getByTelegramId(42))?.cardUid, "04A2");
      assert.equal((await s.staff.linkTelegram("04A2", 42))?.telegramUserId, 42, "relinking the same card is a no-op");

      // Adding a card with an account linked elsewhere is refused the same way, storing nothing.
      await assert.rejects(s.staff.add(member("0D0D", "Dave", { telegramUserId: 42 })), isAlreadyLinked(42, "04A2"));
      assert.equal(await s.staff.getByUid("0D0D"), undefined);
      assert.deepEqual(
        (await s.staff.list({ includeRevoked: true })).map((m) => m.cardUid),
        ["04A2", "0B0B", "0C0C"],
      );

      // Moving the account to another card: unlink first.
      const unlinked = await s.staff.linkTelegram("04A2", undefined);
      assert.deepEqual(unlinked, member("04A2", "Ann"));
      assert.ok(unlinked && !("telegramUserId" in unlinked), "telegramUserId removed");
      assert.equal(await s.staff.getByTelegramId(42), undefined);
      assert.equal((await s.staff.linkTelegram("0B0B", 42))?.cardUid, "0B0B");
      assert.equal((await s.staff.getByTelegramId(42))?.name, "Bob");

      // Changing a card's account frees the old one.
      assert.equal((await s.staff.linkTelegram("0B0B", 44))?.telegramUserId, 44);
      assert.equal(await s.staff.getByTelegramId(42), undefined, "the old account is free");
      assert.equal((await s.staff.getByTelegramId(44))?.cardUid, "0B0B");
      assert.equal((await s.staff.linkTelegram("04A2", 42))?.telegramUserId, 42, "and can be linked elsewhere");

      // Any number of cards may have no account.
      assert.equal((await s.staff.linkTelegram("0C0C", undefined))?.telegramUserId, undefined);
      assert.equal(await s.staff.linkTelegram("FFFF", 7), undefined, "no such card");
      assert.equal(await s.staff.linkTelegram("FFFF", undefined), undefined, "no such card");
      assert.equal(await s.staff.getByUid("FFFF"), undefined, "nothing created");
      assert.equal(await s.staff.getByTelegramId(7), undefined);

      // A revoked member's link still counts, and its lookup shows it revoked.
      await s.staff.setActive("0B0B", false, 1, 3_000);
      assert.equal((await s.staff.getByTelegramId(44))?.active, false);
      await assert.rejects(s.staff.linkTelegram("0C0C", 44), isAlreadyLinked(44, "0B0B"));
    }));

  test("staff: linkTelegramIfUnlinked links only a free, active card; every refusal changes nothing", () =>
    withStore(async (s) => {
      await s.staff.add(member("04A2", "Ann"));
      await s.staff.add(member("0B0B", "Bob"));
      await s.staff.add(member("0C0C", "Carol"));
      await s.staff.setActive("0C0C", false, 9, 2_000);
      const carol = await s.staff.getByUid("0C0C");

      const annLinked = member("04A2", "Ann", { telegramUserId: 42 });
      assert.deepEqual(await s.staff.linkTelegramIfUnlinked("04A2", 42), {
        ok: true,
        member: annLinked,
        changed: true,
      });
      assert.deepEqual(await s.staff.getByTelegramId(42), annLinked);
      assert.deepEqual(
        await s.staff.linkTelegramIfUnlinked("04A2", 42),
        { ok: true, member: annLinked, changed: false },
        "the card already carries this account: nothing to do",
      );

      // The card carries another account: refused, the link stays.
      assert.deepEqual(await s.staff.linkTelegramIfUnlinked("04A2", 43), {
        ok: false,
        reason: "card-linked",
        member: annLinked,
      });
      assert.deepEqual(await s.staff.getByUid("04A2"), annLinked);
      assert.equal(await s.staff.getByTelegramId(43), undefined);

      // A revoked card: refused, not linked.
      assert.deepEqual(await s.staff.linkTelegramIfUnlinked("0C0C", 44), {
        ok: false,
        reason: "revoked",
        member: carol,
      });
      assert.deepEqual(await s.staff.getByUid("0C0C"), carol);
      assert.equal(await s.staff.getByTelegramId(44), undefined);

      assert.deepEqual(await s.staff.linkTelegramIfUnlinked("FFFF", 45), { ok: false, reason: "no-card" });
      assert.equal(await s.staff.getByUid("FFFF"), undefined, "nothing created");

      // The account is on another card: refused, naming it.
      assert.deepEqual(await s.staff.linkTelegramIfUnlinked("0B0B", 42), {
        ok: false,
        reason: "account-linked",
        linkedCardUid: "04A2",
      });
      assert.deepEqual(await s.staff.getByUid("0B0B"), member("0B0B", "Bob"));
      assert.equal((await s.staff.getByTelegramId(42))?.cardUid, "04A2");

      // Accounts refused above are still free.
      assert.equal((await s.staff.linkTelegramIfUnlinked("0B0B", 43)).ok, true);
      assert.equal((await s.staff.getByTelegramId(43))?.cardUid, "0B0B");
    }));

  test("staff: concurrent linkTelegramIfUnlinked of one card: exactly one account wins, the others stay free", () =>
    withStore(async (s) => {
      await s.staff.add(member("01", "Ann"));
      const accounts = [41, 42, 43, 44, 45];
      const results = await Promise.all(accounts.map((tg) => s.staff.linkTelegramIfUnlinked("01", tg)));
      const winners = results.filter((r) => r.ok);
      assert.equal(winners.length, 1, JSON.stringify(results));
      const winner = (await s.staff.getByUid("01"))?.telegramUserId;
      assert.ok(winner !== undefined && accounts.includes(winner));
      for (const r of results) if (!r.ok) assert.equal(r.reason, "card-linked", JSON.stringify(r));
      await s.staff.add(member("02", "Bob"));
      for (const tg of accounts) {
        assert.equal((await s.staff.getByTelegramId(tg))?.cardUid, tg === winner ? "01" : undefined, `account ${tg}`);
      }
      const loser = accounts.find((tg) => tg !== winner) ?? 0;
      assert.equal((await s.staff.linkTelegramIfUnlinked("02", loser)).ok, true, "a loser's account is not held");
    }));

  test("staff: unlinkTelegramIfLinkedTo unlinks only that link", () =>
    withStore(async (s) => {
      await s.staff.add(member("04A2", "Ann", { telegramUserId: 42 }));
      await s.staff.add(member("0B0B", "Bob"));
      const ann = await s.staff.getByUid("04A2");
      assert.ok(ann);
      assert.deepEqual(await s.staff.unlinkTelegramIfLinkedTo("04A2", 43), {
        ok: false,
        reason: "not-linked",
        member: ann,
      });
      assert.equal((await s.staff.getByTelegramId(42))?.cardUid, "04A2", "another account's unlink changed nothing");

      const unlinked = await s.staff.unlinkTelegramIfLinkedTo("04A2", 42);
      assert.deepEqual(unlinked, { ok: true, member: member("04A2", "Ann") });
      assert.ok(unlinked.ok && !("telegramUserId" in unlinked.member), "telegramUserId removed");
      assert.equal(await s.staff.getByTelegramId(42), undefined);
      assert.deepEqual(await s.staff.unlinkTelegramIfLinkedTo("04A2", 42), {
        ok: false,
        reason: "not-linked",
        member: member("04A2", "Ann"),
      });
      assert.deepEqual(await s.staff.unlinkTelegramIfLinkedTo("FFFF", 42), { ok: false, reason: "no-card" });

      // The account is free again; a revoked card can be unlinked too.
      assert.equal((await s.staff.linkTelegramIfUnlinked("0B0B", 42)).ok, true);
      await s.staff.setActive("0B0B", false, 9, 2_000);
      assert.equal((await s.staff.unlinkTelegramIfLinkedTo("0B0B", 42)).ok, true);
      assert.equal(await s.staff.getByTelegramId(42), undefined);
      assert.equal((await s.staff.linkTelegramIfUnlinked("04A2", 42)).ok, true);
    }));

  test("staff: concurrent links of one account to different cards: exactly one wins", () =>
    withStore(async (s) => {
      const uids = ["01", "02", "03", "04", "05"];
      for (const uid of uids) await s.staff.add(member(uid, `Person ${uid}`));
      const results = await Promise.allSettled(uids.map((uid) => s.staff.linkTelegram(uid, 42)));
      const won = results.filter((r) => r.status === "fulfilled");
      assert.equal(won.length, 1, JSON.stringify(results.map((r) => r.status)));
      const winner = won[0]?.status === "fulfilled" ? won[0].value?.cardUid : undefined;
      assert.ok(winner);
      for (const r of results) {
        if (r.status === "rejected") assert.ok(r.reason instanceof TelegramAlreadyLinkedError, String(r.reason));
      }
      assert.equal((await s.staff.getByTelegramId(42))?.cardUid, winner);
      const carriers = (await s.staff.list()).filter((m) => m.telegramUserId === 42).map((m) => m.cardUid);
      assert.deepEqual(carriers, [winner], "only one card carries the account");
    }));

  test("staff: concurrent relinks of one card: it ends with one account, the others free", () =>
    withStore(async (s) => {
      await s.staff.add(member("01", "Ann"));
      await Promise.all([41, 42, 43, 44].map((tg) => s.staff.linkTelegram("01", tg)));
      const final = (await s.staff.getByUid("01"))?.telegramUserId;
      assert.ok(final !== undefined && [41, 42, 43, 44].includes(final));
      for (const tg of [41, 42, 43, 44]) {
        assert.equal((await s.staff.getByTelegramId(tg))?.cardUid, tg === final ? "01" : undefined, `account ${tg}`);
      }
      await s.staff.add(member("02", "Bob"));
      for (const tg of [41, 42, 43, 44].filter((x) => x !== final)) {
        assert.equal((await s.staff.linkTelegram("02", tg))?.telegramUserId, tg, `account ${tg} is free`);
        await s.staff.linkTelegram("02", undefined);
      }
    }));

  test("staff: findByName is case-insensitive, exact matches first, then prefixes; wildcards literal", () =>
    withStore(async (s) => {
      const names: Array<[string, string]> = [
        ["01", "Annabel"],
        ["02", "ann"],
        ["03", "Anna"],
        ["04", "ANN"],
        ["05", "Bob"],
        ["06", "Joanne"],
        ["07", "50% Off"],
        ["08", "500 Club"],
        ["09", "a_b"],
        ["10", "axb"],
        ["11", "Back\\slash"],
        ["12", "Backslash"],
        ["13", "Émile"],
        ["14", "山田太郎"],
      ];
      for (const [uid, name] of names) await s.staff.add(member(uid, name));
      await s.staff.setActive("03", false, 1, 2_000);

      const find = async (q: string) => (await s.staff.findByName(q)).map((m) => m.name);
      assert.deepEqual(await find("Ann"), ["ANN", "ann", "Anna", "Annabel"], "revoked Anna included");
      assert.deepEqual(await find("ANNA"), ["Anna", "Annabel"]);
      assert.deepEqual(await find("  anna "), ["Anna", "Annabel"], "the query is trimmed");
      assert.deepEqual(await find("bo"), ["Bob"]);
      assert.deepEqual(await find("nne"), [], "prefix, not substring");
      assert.deepEqual(await find("50%"), ["50% Off"]);
      assert.deepEqual(await find("%"), []);
      assert.deepEqual(await find("a_"), ["a_b"]);
      assert.deepEqual(await find("_"), []);
      assert.deepEqual(await find("back\\"), ["Back\\slash"]);
      assert.deepEqual(await find("émile"), ["Émile"], "case folding beyond ASCII");
      assert.deepEqual(await find("ÉMI"), ["Émile"]);
      assert.deepEqual(await find("E\u0301mile"), ["Émile"], "NFC on both sides");
      assert.deepEqual(await find("山田"), ["山田太郎"]);
      assert.deepEqual(await find("Zed"), []);
      assert.deepEqual(await find(""), []);
      assert.deepEqual(await find("   "), []);
      const [anna] = await s.staff.findByName("anna");
      assert.deepEqual(anna, { ...member("03", "Anna"), active: false, revokedAt: 2_000, revokedBy: 1 });
    }));

  test("staff: list is sorted by name (ignoring case, then by code point) and leaves revoked out unless asked", () =>
    withStore(async (s) => {
      await s.staff.add(member("01", "carol"));
      await s.staff.add(member("02", "Bob"));
      await s.staff.add(member("03", "alice"));
      await s.staff.add(member("04", "Dave", { active: false, revokedAt: 900, revokedBy: 1 }));
      await s.staff.add(member("06", "Zoë"));
      await s.staff.add(member("05", "Zoë"));
      await s.staff.add(member("07", "zoë"));
      await s.staff.add(member("08", "\u{1F600} Smiley")); // outside the BMP: sorts after U+FFxx
      await s.staff.add(member("09", "\uFF21 Fullwidth"));
      await s.staff.setActive("02", false, 1, 2_000);
      assert.deepEqual(
        (await s.staff.list()).map((m) => [m.cardUid, m.name]),
        [
          ["03", "alice"],
          ["01", "carol"],
          ["05", "Zoë"],
          ["06", "Zoë"],
          ["07", "zoë"],
          ["09", "\uFF21 Fullwidth"],
          ["08", "\u{1F600} Smiley"],
        ],
      );
      assert.deepEqual(
        (await s.staff.list({ includeRevoked: false })).map((m) => m.name),
        (await s.staff.list()).map((m) => m.name),
      );
      assert.deepEqual(
        (await s.staff.list({ includeRevoked: true })).map((m) => [m.name, m.active]),
        [
          ["alice", true],
          ["Bob", false],
          ["carol", true],
          ["Dave", false],
          ["Zoë", true],
          ["Zoë", true],
          ["zoë", true],
          ["\uFF21 Fullwidth", true],
          ["\u{1F600} Smiley", true],
        ],
      );
    }));

  test("staff: an empty register lists nothing", () =>
    withStore(async (s) => {
      assert.deepEqual(await s.staff.list({ includeRevoked: true }), []);
      assert.deepEqual(await s.staff.findByName("a"), []);
      assert.equal(await s.staff.getByTelegramId(1), undefined);
    }));

  test("staff: setActive revokes (recording by and at) and restores (clearing them)", () =>
    withStore(async (s) => {
      await s.staff.add(member("04A2", "Ann", { telegramUserId: 42 }));

      const revoked = await s.staff.setActive("04A2", false, 7, 2_000);
      assert.deepEqual(revoked, {
        ...member("04A2", "Ann", { telegramUserId: 42 }),
        active: false,
        revokedAt: 2_000,
        revokedBy: 7,
      });
      assert.deepEqual(await s.staff.getByUid("04A2"), revoked);
      assert.deepEqual(await s.staff.getByTelegramId(42), revoked);
      assert.deepEqual(await s.staff.list(), [], "revoked cards are not listed by default");

      const again = await s.staff.setActive("04A2", false, 8, 3_000);
      assert.deepEqual(again, revoked, "revoking twice keeps the first revocation's by/at");

      const restored = await s.staff.setActive("04A2", true, 9, 4_000);
      assert.deepEqual(restored, member("04A2", "Ann", { telegramUserId: 42 }));
      assert.ok(restored && !("revokedAt" in restored) && !("revokedBy" in restored), "revoked fields removed");
      assert.deepEqual(await s.staff.getByUid("04A2"), restored);
      assert.deepEqual(await s.staff.setActive("04A2", true, 9, 5_000), restored, "restoring an active card: no-op");

      assert.deepEqual(await s.staff.setActive("04A2", false, 10, 6_000), {
        ...restored,
        active: false,
        revokedAt: 6_000,
        revokedBy: 10,
      });
      assert.equal(await s.staff.setActive("FFFF", false, 1, 1), undefined);
      assert.equal(await s.staff.setActive("FFFF", true, 1, 1), undefined);
      assert.equal(await s.staff.getByUid("FFFF"), undefined, "nothing created");
    }));

  test("staff: the rooms a card opens: stored on add, set, cleared (every room), absent when unset", () =>
    withStore(async (s) => {
      await s.staff.add(member("04A2", "Ann", { rooms: ["dc-2", "dc-1", "dc-2"] }));
      assert.deepEqual((await s.staff.getByUid("04A2"))?.rooms, ["dc-1", "dc-2"], "distinct and sorted");
      await s.staff.add(member("0B0B", "Bob", { telegramUserId: 42 }));
      const bob = await s.staff.getByUid("0B0B");
      assert.ok(bob && !("rooms" in bob), "no rooms key: every room");

      const set = await s.staff.setRooms("0B0B", ["dc-3"]);
      assert.deepEqual(set, { ...member("0B0B", "Bob", { telegramUserId: 42 }), rooms: ["dc-3"] });
      assert.deepEqual(await s.staff.getByUid("0B0B"), set);
      assert.deepEqual(await s.staff.getByTelegramId(42), set);
      assert.deepEqual(
        (await s.staff.list()).map((m) => [m.name, m.rooms]),
        [
          ["Ann", ["dc-1", "dc-2"]],
          ["Bob", ["dc-3"]],
        ],
      );
      // Revoking and restoring keep the rooms.
      await s.staff.setActive("0B0B", false, 7, 2_000);
      assert.deepEqual((await s.staff.setActive("0B0B", true, 7, 3_000))?.rooms, ["dc-3"]);

      const cleared = await s.staff.setRooms("0B0B", undefined);
      assert.deepEqual(cleared, member("0B0B", "Bob", { telegramUserId: 42 }));
      assert.ok(cleared && !("rooms" in cleared), "rooms removed");
      assert.deepEqual(await s.staff.getByUid("0B0B"), cleared);
      assert.equal(await s.staff.setRooms("FFFF", ["dc-1"]), undefined);
      assert.equal(await s.staff.getByUid("FFFF"), undefined, "nothing created");
    }));

  test("staff: unknown roles are refused and nothing is stored", () =>
    withStore(async (s) => {
      await assert.rejects(s.staff.add(member("01", "X", { role: "root" as StaffMember["role"] })));
      assert.equal(await s.staff.getByUid("01"), undefined);
    }));

  // ---- access log ----

  test("access log: add returns increasing ids; latest is newest first, room-scoped, bounded", () =>
    withStore(async (s) => {
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) ids.push(await s.accessLog.add(entry("a", 1_000 + i, "04A2")));
      const bId = await s.accessLog.add(entry("b", 9_999, "04A2"));
      ids.push(await s.accessLog.add(entry("a", 1_005, "04A2")));
      assert.ok(
        ids.every((id, i) => i === 0 || id > (ids[i - 1] ?? 0)),
        `increasing: ${ids}`,
      );
      assert.ok(ids.every((id) => Number.isSafeInteger(id) && id > 0));
      // Ids are unique and increasing within a room (DynamoDB numbers each room apart).

      const latest = await s.accessLog.latest("a", 3);
      assert.deepEqual(
        latest.map((e) => e.id),
        ids.slice(3).reverse(),
      );
      assert.deepEqual(latest[0], {
        id: ids[5],
        roomId: "a",
        at: 1_005,
        cardUid: "04A2",
        staffName: "Ann",
        decision: "allowed",
      });
      assert.deepEqual(await s.accessLog.latest("b", 10), [
        { id: bId, roomId: "b", at: 9_999, cardUid: "04A2", staffName: "Ann", decision: "allowed" },
      ]);
      assert.deepEqual(await s.accessLog.latest("nobody", 10), []);
      assert.deepEqual(await s.accessLog.latest("a", 0), [], "limit 0 is no rows, not 'no limit'");
      assert.deepEqual(await s.accessLog.latest("a", -1), []);
      assert.equal((await s.accessLog.latest("a", 100)).length, 6);
    }));

  test("access log: latest pages with `before` by id (arrival), even when times go backwards", () =>
    withStore(async (s) => {
      // The clock stepped back between the 3rd and 4th tap: order is by id (arrival).
      const ats = [5_000, 6_000, 7_000, 1_000, 2_000, 3_000, 4_000];
      const ids: number[] = [];
      for (const at of ats) {
        ids.push(await s.accessLog.add(entry("a", at, "04A2")));
        await s.accessLog.add(entry("other", at, "04A2"));
      }
      const seen: number[] = [];
      let before: number | undefined;
      for (let guard = 0; guard < 20; guard++) {
        const page = await s.accessLog.latest("a", 3, before);
        if (page.length === 0) break;
        assert.ok(page.length <= 3, "page within limit");
        assert.ok(
          page.every((e) => e.roomId === "a"),
          "room-scoped",
        );
        seen.push(...page.map((e) => e.id));
        before = page[page.length - 1]?.id;
      }
      assert.deepEqual(seen, [...ids].reverse());
      assert.deepEqual(
        (await s.accessLog.latest("a", 2, ids[3])).map((e) => e.at),
        [7_000, 6_000],
      );
      assert.deepEqual(await s.accessLog.latest("a", 10, ids[0]), []);
      assert.deepEqual(await s.accessLog.latest("a", 10, 0), []);
    }));

  test("access log: many entries page completely with no gaps or repeats", () =>
    withStore(async (s) => {
      const ids: number[] = [];
      for (let i = 0; i < 60; i++) ids.push(await s.accessLog.add(entry("a", 10_000 + i, `0${i % 4}`)));
      const pages: number[][] = [];
      let before: number | undefined;
      for (let guard = 0; guard < 20; guard++) {
        const page = (await s.accessLog.latest("a", 7, before)).map((e) => e.id);
        if (page.length === 0) break;
        pages.push(page);
        before = page[page.length - 1];
      }
      assert.deepEqual(
        pages.map((p) => p.length),
        [7, 7, 7, 7, 7, 7, 7, 7, 4],
      );
      assert.deepEqual(pages.flat(), [...ids].reverse());
      assert.equal(await s.accessLog.count("a"), 60);
    }));

  test("access log: unknown cards have no staff name; every decision round-trips; bad decisions refused", () =>
    withStore(async (s) => {
      const decisions: AccessDecision[] = ["allowed", "off-hours", "unknown", "revoked", "wrong-room"];
      for (const [i, d] of decisions.entries()) {
        await s.accessLog.add(entry("a", i, `0${i}`, d, d === "unknown" ? null : `Name ${i}`));
      }
      const rows = await s.accessLog.between("a", 0, 10, 10);
      assert.deepEqual(
        rows.map((e) => e.decision),
        decisions,
      );
      const unknown = rows[2];
      assert.ok(unknown && !("staffName" in unknown), "no staffName key");
      assert.deepEqual(Object.keys(unknown).sort(), ["at", "cardUid", "decision", "id", "roomId"]);
      assert.equal(rows[3]?.staffName, "Name 3");
      await assert.rejects(s.accessLog.add(entry("a", 1, "01", "maybe" as AccessDecision)));
      assert.equal(await s.accessLog.count("a"), 5, "nothing stored");
    }));

  test("access log: byCard is one card in one room, newest first, paged", () =>
    withStore(async (s) => {
      const annIds: number[] = [];
      for (let i = 0; i < 6; i++) {
        annIds.push(await s.accessLog.add(entry("a", 1_000 + i, "04A2")));
        await s.accessLog.add(entry("a", 1_000 + i, "0B0B", "allowed", "Bob"));
        await s.accessLog.add(entry("b", 1_000 + i, "04A2"));
        await s.accessLog.add(entry("a", 1_000 + i, "04a2", "unknown", null));
      }
      const first = await s.accessLog.byCard("a", "04A2", 4);
      assert.deepEqual(
        first.map((e) => e.id),
        annIds.slice(2).reverse(),
      );
      assert.ok(
        first.every((e) => e.roomId === "a" && e.cardUid === "04A2"),
        "only that card in that room",
      );
      assert.deepEqual(first[0], {
        id: annIds[5],
        roomId: "a",
        at: 1_005,
        cardUid: "04A2",
        staffName: "Ann",
        decision: "allowed",
      });
      const next = await s.accessLog.byCard("a", "04A2", 4, first[first.length - 1]?.id);
      assert.deepEqual(
        next.map((e) => e.id),
        annIds.slice(0, 2).reverse(),
      );
      assert.deepEqual(await s.accessLog.byCard("a", "04A2", 4, annIds[0]), []);
      assert.equal((await s.accessLog.byCard("a", "04a2", 100)).length, 6, "UIDs compared exactly");
      assert.equal((await s.accessLog.byCard("b", "04A2", 100)).length, 6);
      assert.deepEqual(await s.accessLog.byCard("b", "0B0B", 100), []);
      assert.deepEqual(await s.accessLog.byCard("a", "04A2", 0), []);
      assert.deepEqual(await s.accessLog.byCard("a", "FFFF", 10), []);
    }));

  test("access log: rooms and cards with separator-like characters stay apart", () =>
    withStore(async (s) => {
      await s.accessLog.add(entry("a#b", 1, "c"));
      await s.accessLog.add(entry("a", 2, "b#c"));
      await s.accessLog.add(entry("a%23b", 3, "c"));
      assert.deepEqual(
        (await s.accessLog.byCard("a#b", "c", 10)).map((e) => e.at),
        [1],
      );
      assert.deepEqual(
        (await s.accessLog.byCard("a", "b#c", 10)).map((e) => e.at),
        [2],
      );
      assert.deepEqual(
        (await s.accessLog.byCard("a%23b", "c", 10)).map((e) => e.at),
        [3],
      );
      assert.equal(await s.accessLog.count("a"), 1);
    }));

  test("access log: between is half-open, oldest first (ties by id), bounded, room-scoped", () =>
    withStore(async (s) => {
      await s.accessLog.add(entry("a", 2_000, "03"));
      await s.accessLog.add(entry("a", 1_000, "01"));
      await s.accessLog.add(entry("a", 2_000, "04"));
      await s.accessLog.add(entry("a", 3_000, "05"));
      await s.accessLog.add(entry("a", 4_000, "06"));
      await s.accessLog.add(entry("a", 2_000, "07"));
      await s.accessLog.add(entry("b", 2_500, "99"));
      assert.deepEqual(
        (await s.accessLog.between("a", 2_000, 4_000, 100)).map((e) => [e.at, e.cardUid]),
        [
          [2_000, "03"],
          [2_000, "04"],
          [2_000, "07"],
          [3_000, "05"],
        ],
      );
      assert.deepEqual(
        (await s.accessLog.between("a", 0, 10_000, 2)).map((e) => e.cardUid),
        ["01", "03"],
      );
      assert.deepEqual(
        (await s.accessLog.between("a", 0, 10_000, 3)).map((e) => e.cardUid),
        ["01", "03", "04"],
        "a limit inside a group of equal times keeps the earliest ids",
      );
      assert.deepEqual(
        (await s.accessLog.between("a", 2_000, 2_001, 2)).map((e) => e.cardUid),
        ["03", "04"],
      );
      assert.deepEqual(
        (await s.accessLog.between("a", 0, 10_000, 100)).map((e) => e.cardUid),
        ["01", "03", "04", "07", "05", "06"],
      );
      assert.deepEqual(await s.accessLog.between("a", 4_000, 4_000, 100), [], "empty range");
      assert.deepEqual(await s.accessLog.between("a", 4_000, 1_000, 100), [], "reversed range");
      assert.deepEqual(await s.accessLog.between("a", 0, 10_000, 0), []);
      assert.deepEqual(await s.accessLog.between("nobody", 0, 10_000, 100), []);
      assert.deepEqual(
        (await s.accessLog.between("b", 0, 10_000, 100)).map((e) => e.cardUid),
        ["99"],
      );
    }));

  test("access log: between over many equal times keeps the earliest ids", () =>
    withStore(async (s) => {
      const ids: number[] = [];
      for (let i = 0; i < 40; i++) ids.push(await s.accessLog.add(entry("a", i < 30 ? 5_000 : 4_000, `${i}`)));
      const rows = await s.accessLog.between("a", 0, 10_000, 15);
      assert.deepEqual(
        rows.map((e) => e.id),
        [...ids.slice(30), ...ids.slice(0, 5)],
      );
    }));

  test("access log: count is per room", () =>
    withStore(async (s) => {
      for (let i = 0; i < 3; i++) await s.accessLog.add(entry("a", i, "01"));
      await s.accessLog.add(entry("b", 1, "01"));
      assert.equal(await s.accessLog.count("a"), 3);
      assert.equal(await s.accessLog.count("b"), 1);
      assert.equal(await s.accessLog.count("nobody"), 0);
    }));
}
