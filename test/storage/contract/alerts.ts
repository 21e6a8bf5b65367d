/**
 * The alert storage contract: incidents, outbox, mutes and audit, asserted through the
 * ports only, so the very same cases run against every backend (SQLite, DynamoDB).
 * Register it inside a `describe` with a factory that opens a fresh, empty storage.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { AuditEntry, Incident, Mute, Notice } from "../../../core/alerts/types.ts";
import type { Storage } from "../../../core/storage.ts";

export type AlertStorage = Pick<Storage, "incidents" | "outbox" | "mutes" | "audit">;
export type OpenAlertStorage = () => Promise<{ storage: AlertStorage; close(): Promise<void> }>;

const T0 = Date.parse("2026-11-23T10:00:00Z");

export function incident(over: Partial<Incident> & Pick<Incident, "id">): Incident {
  return {
    roomId: "lab",
    rule: "climate.temperature",
    severity: "warning",
    state: "open",
    openedAt: T0,
    details: { value: "31.2", unit: "°C", direction: "high", limit: "30.0" },
    lastNotifiedAt: T0,
    ...over,
  };
}

export function notice(n: number, over: Partial<Notice> = {}): Notice {
  return {
    kind: "raised",
    roomId: "lab",
    severity: "warning",
    rule: "climate.temperature",
    incidentId: `inc-${n}`,
    at: T0 + n,
    details: { n, text: `notice ${n}` },
    ...over,
  };
}

export function alertsContract(open: OpenAlertStorage): void {
  /** Runs `fn` on a fresh storage and always closes it. */
  const withStorage = (fn: (s: AlertStorage) => Promise<void>) => async () => {
    const { storage, close } = await open();
    try {
      await fn(storage);
    } finally {
      await close();
    }
  };

  // ------------------------------------------------------------------------ incidents

  test(
    "incidents: every field round-trips exactly; absent optional fields stay absent",
    withStorage(async (s) => {
      const minimal = incident({ id: "min" });
      const full = incident({
        id: "full",
        roomId: "hall",
        rule: "door.breach",
        severity: "critical",
        state: "resolved",
        openedAt: T0 + 5,
        resolvedAt: T0 + 5,
        details: { name: "Ada «Ö» 🔑", card: "04:A2:3B", n: 3.25, zero: 0, empty: "" },
        ackedAt: T0 + 60_000,
        ackedBy: { id: 42, name: "Grace" },
        lastNotifiedAt: T0 + 6,
        telegramMessageId: 777,
      });
      await s.incidents.insert(minimal);
      await s.incidents.insert(full);
      assert.deepEqual(await s.incidents.get("min"), minimal);
      assert.deepEqual(await s.incidents.get("full"), full);
      const got = await s.incidents.get("min");
      for (const k of ["resolvedAt", "ackedAt", "ackedBy", "telegramMessageId"]) {
        assert.ok(got && !(k in got), `${k} is absent`);
      }
      assert.equal(await s.incidents.get("nope"), undefined);
    }),
  );

  test(
    "incidents: at most one open incident per (room, rule); other rooms, rules and hosts are independent",
    withStorage(async (s) => {
      await s.incidents.insert(incident({ id: "a1" }));
      await assert.rejects(s.incidents.insert(incident({ id: "a2", openedAt: T0 + 1 })));
      await s.incidents.insert(incident({ id: "b1", roomId: "hall" }));
      await s.incidents.insert(incident({ id: "h1", rule: "climate.humidity" }));
      await s.incidents.insert(incident({ id: "w1", rule: "server.disk:web1" }));
      await s.incidents.insert(incident({ id: "w2", rule: "server.disk:web2" }));
      await assert.rejects(s.incidents.insert(incident({ id: "w1b", rule: "server.disk:web1" })));
      assert.equal(await s.incidents.get("a2"), undefined, "the refused one was not stored");
      assert.equal(await s.incidents.get("w1b"), undefined);
      assert.equal((await s.incidents.findOpen("lab", "climate.temperature"))?.id, "a1");
      assert.equal((await s.incidents.findOpen("hall", "climate.temperature"))?.id, "b1");
      assert.equal((await s.incidents.findOpen("lab", "server.disk:web2"))?.id, "w2");
      assert.deepEqual(
        (await s.incidents.listOpen("lab")).map((i) => i.id),
        ["a1", "h1", "w1", "w2"],
      );
    }),
  );

  test(
    "incidents: event incidents (resolved at once) repeat freely, even while one of the rule is open",
    withStorage(async (s) => {
      await s.incidents.insert(incident({ id: "open", rule: "door.breach" }));
      for (let k = 0; k < 3; k++) {
        await s.incidents.insert(
          incident({ id: `ev${k}`, rule: "door.breach", state: "resolved", openedAt: T0 + k, resolvedAt: T0 + k }),
        );
      }
      assert.equal((await s.incidents.findOpen("lab", "door.breach"))?.id, "open");
      assert.deepEqual(
        (await s.incidents.openedBetween("lab", T0, T0 + 10)).map((i) => i.id),
        ["ev0", "open", "ev1", "ev2"],
      );
    }),
  );

  test(
    "incidents: an id is stored once; inserting it again is refused and changes nothing",
    withStorage(async (s) => {
      const first = incident({ id: "x", state: "resolved", resolvedAt: T0 });
      await s.incidents.insert(first);
      await assert.rejects(s.incidents.insert({ ...first, severity: "critical", roomId: "hall" }));
      const open = incident({ id: "y" });
      await s.incidents.insert(open);
      await assert.rejects(s.incidents.insert(open));
      await assert.rejects(s.incidents.insert({ ...open, rule: "climate.humidity" }));
      assert.deepEqual(await s.incidents.get("x"), first);
      assert.deepEqual(await s.incidents.get("y"), open);
      assert.equal(await s.incidents.findOpen("lab", "climate.humidity"), undefined);
      await s.incidents.insert(incident({ id: "z", rule: "climate.humidity" }));
      assert.equal((await s.incidents.findOpen("lab", "climate.humidity"))?.id, "z");
    }),
  );

  test(
    "incidents: resolving frees the (room, rule) for the next incident",
    withStorage(async (s) => {
      const first = incident({ id: "r1" });
      await s.incidents.insert(first);
      await s.incidents.update({ ...first, state: "resolved", resolvedAt: T0 + 1000 });
      assert.equal(await s.incidents.findOpen("lab", "climate.temperature"), undefined);
      assert.deepEqual(await s.incidents.listOpen("lab"), []);
      assert.deepEqual(await s.incidents.listOpen(), []);
      const second = incident({ id: "r2", openedAt: T0 + 2000, lastNotifiedAt: T0 + 2000 });
      await s.incidents.insert(second);
      assert.deepEqual(await s.incidents.findOpen("lab", "climate.temperature"), second);
      assert.deepEqual(await s.incidents.get("r1"), { ...first, state: "resolved", resolvedAt: T0 + 1000 });
      // Saving the resolved one again (an acknowledgement, say) does not disturb the open one.
      await s.incidents.update({
        ...first,
        state: "resolved",
        resolvedAt: T0 + 1000,
        ackedAt: T0 + 3000,
        ackedBy: { id: 1, name: "A" },
      });
      assert.deepEqual(await s.incidents.findOpen("lab", "climate.temperature"), second);
      await assert.rejects(s.incidents.insert(incident({ id: "r3" })), "r2 still holds the rule");
    }),
  );

  test(
    "incidents: update saves the engine's fields and never touches telegramMessageId",
    withStorage(async (s) => {
      const i = incident({ id: "u1", ackedAt: T0 + 10, ackedBy: { id: 7, name: "Linus" } });
      await s.incidents.insert(i);
      await s.incidents.setTelegramMessageId("u1", 4242);
      // The engine's copy does not know the message id; an escalation drops the acknowledgement.
      const escalated: Incident = {
        ...i,
        severity: "critical",
        details: { value: "35.0", unit: "°C", direction: "high", limit: "34.0" },
        lastNotifiedAt: T0 + 500,
      };
      delete escalated.ackedAt;
      delete escalated.ackedBy;
      await s.incidents.update(escalated);
      assert.deepEqual(await s.incidents.get("u1"), { ...escalated, telegramMessageId: 4242 });
      // A stale or different message id on the engine's copy is ignored too.
      await s.incidents.update({ ...escalated, telegramMessageId: 1, lastNotifiedAt: T0 + 900 });
      assert.equal((await s.incidents.get("u1"))?.telegramMessageId, 4242);
      assert.equal((await s.incidents.get("u1"))?.lastNotifiedAt, T0 + 900);
      await s.incidents.setTelegramMessageId("u1", 4343);
      assert.deepEqual(await s.incidents.get("u1"), {
        ...escalated,
        lastNotifiedAt: T0 + 900,
        telegramMessageId: 4343,
      });
      assert.deepEqual(await s.incidents.findOpen("lab", "climate.temperature"), {
        ...escalated,
        lastNotifiedAt: T0 + 900,
        telegramMessageId: 4343,
      });
    }),
  );

  test(
    "incidents: updating an unknown incident is refused; recording a message for one does nothing",
    withStorage(async (s) => {
      await assert.rejects(s.incidents.update(incident({ id: "ghost" })));
      await assert.rejects(s.incidents.update(incident({ id: "ghost2", state: "resolved", resolvedAt: T0 })));
      await s.incidents.setTelegramMessageId("ghost", 1);
      assert.equal(await s.incidents.get("ghost"), undefined);
      assert.equal(await s.incidents.get("ghost2"), undefined);
      assert.equal(await s.incidents.findOpen("lab", "climate.temperature"), undefined);
    }),
  );

  test(
    "incidents: listOpen is oldest first (ties by id), per room or across rooms, without resolved ones",
    withStorage(async (s) => {
      await s.incidents.insert(incident({ id: "c", roomId: "lab", rule: "sensor.dead", openedAt: T0 + 20 }));
      await s.incidents.insert(incident({ id: "b", roomId: "hall", rule: "sensor.dead", openedAt: T0 + 10 }));
      await s.incidents.insert(incident({ id: "z", roomId: "lab", rule: "camera.dead", openedAt: T0 + 10 }));
      await s.incidents.insert(incident({ id: "a", roomId: "lab", rule: "reader.dead", openedAt: T0 + 10 }));
      await s.incidents.insert(incident({ id: "d", roomId: "lab", rule: "motion.dead", openedAt: T0 + 5 }));
      await s.incidents.insert(
        incident({ id: "e", roomId: "lab", rule: "door.breach", state: "resolved", openedAt: T0, resolvedAt: T0 }),
      );
      const d = await s.incidents.get("d");
      assert.ok(d);
      await s.incidents.update({ ...d, state: "resolved", resolvedAt: T0 + 30 });
      assert.deepEqual(
        (await s.incidents.listOpen("lab")).map((i) => i.id),
        ["a", "z", "c"],
      );
      assert.deepEqual(
        (await s.incidents.listOpen()).map((i) => i.id),
        ["a", "b", "z", "c"],
      );
      assert.deepEqual(
        (await s.incidents.listOpen("hall")).map((i) => i.roomId),
        ["hall"],
      );
      assert.deepEqual(await s.incidents.listOpen("nowhere"), []);
      const [first] = await s.incidents.listOpen("lab");
      assert.deepEqual(first, incident({ id: "a", roomId: "lab", rule: "reader.dead", openedAt: T0 + 10 }));
    }),
  );

  test(
    "incidents: openedBetween is half-open [from, to), oldest first, scoped to the room, open or not",
    withStorage(async (s) => {
      const at = [T0 - 1, T0, T0 + 1, T0 + 1, T0 + 99, T0 + 100];
      for (const [k, t] of at.entries()) {
        await s.incidents.insert(
          incident({ id: `i${5 - k}`, rule: "door.unknown-card", state: "resolved", openedAt: t, resolvedAt: t }),
        );
      }
      await s.incidents.insert(incident({ id: "open", openedAt: T0 + 50 }));
      await s.incidents.insert(incident({ id: "other-room", roomId: "hall", openedAt: T0 + 50 }));
      assert.deepEqual(
        (await s.incidents.openedBetween("lab", T0, T0 + 100)).map((i) => i.id),
        ["i4", "i2", "i3", "open", "i1"],
      );
      const between = await s.incidents.openedBetween("lab", T0 + 50, T0 + 51);
      assert.deepEqual(between, [incident({ id: "open", openedAt: T0 + 50 })]);
      assert.deepEqual(await s.incidents.openedBetween("lab", T0 + 100, T0 + 100), []);
      assert.deepEqual(await s.incidents.openedBetween("lab", T0 + 200, T0), []);
      assert.deepEqual(await s.incidents.openedBetween("nowhere", 0, Number.MAX_SAFE_INTEGER), []);
      assert.equal((await s.incidents.openedBetween("lab", 0, Number.MAX_SAFE_INTEGER)).length, 7);
    }),
  );

  // --------------------------------------------------------------------------- outbox

  test(
    "outbox: enqueue returns increasing ids in channel order; pending is per channel, oldest first",
    withStorage(async (s) => {
      const ids1 = await s.outbox.enqueue(notice(1), ["telegram", "sns"], T0);
      const ids2 = await s.outbox.enqueue(notice(2), ["sns", "telegram"], T0 + 1);
      const ids3 = await s.outbox.enqueue(notice(3), ["telegram"], T0 + 2);
      assert.equal(ids1.length, 2);
      assert.equal(ids2.length, 2);
      const all = [...ids1, ...ids2, ...ids3];
      for (let k = 1; k < all.length; k++) assert.ok((all[k] as number) > (all[k - 1] as number), "ids increase");
      const telegram = await s.outbox.pending("telegram", 10);
      assert.deepEqual(
        telegram.map((e) => e.id),
        [ids1[0], ids2[1], ids3[0]],
      );
      assert.deepEqual(
        telegram.map((e) => e.notice.details.n),
        [1, 2, 3],
      );
      assert.deepEqual(
        (await s.outbox.pending("sns", 10)).map((e) => e.id),
        [ids1[1], ids2[0]],
      );
      assert.deepEqual(
        (await s.outbox.pending("telegram", 2)).map((e) => e.id),
        [ids1[0], ids2[1]],
      );
      assert.deepEqual(await s.outbox.pending("telegram", 0), []);
      assert.deepEqual(await s.outbox.pending("lcd", 10), []);
      assert.deepEqual(await s.outbox.enqueue(notice(4), [], T0), []);
      assert.equal(await s.outbox.countPending("telegram"), 3);
      assert.equal(await s.outbox.countPending("sns"), 2);
      assert.equal(await s.outbox.countPending("lcd"), 0);
    }),
  );

  test(
    "outbox: an entry round-trips exactly (notice and fields), nothing optional before delivery",
    withStorage(async (s) => {
      const full = notice(7, {
        kind: "summary",
        severity: "info",
        details: { text: "<b>Ünïcode</b> & 🔥", v: -1.5, zero: 0, empty: "" },
      });
      const bare: Notice = { kind: "backup-failed", roomId: "lab", severity: "info", at: T0, details: {} };
      const [a] = await s.outbox.enqueue(full, ["telegram"], T0 + 3);
      const [b] = await s.outbox.enqueue(bare, ["telegram"], T0 + 4);
      assert.deepEqual(await s.outbox.pending("telegram", 10), [
        { id: a, channel: "telegram", notice: full, createdAt: T0 + 3, attempts: 0, nextAttemptAt: T0 + 3 },
        { id: b, channel: "telegram", notice: bare, createdAt: T0 + 4, attempts: 0, nextAttemptAt: T0 + 4 },
      ]);
    }),
  );

  test(
    "outbox: markFailed counts the attempt and keeps the entry pending; the error is capped at 1000 chars",
    withStorage(async (s) => {
      const [id] = await s.outbox.enqueue(notice(1), ["sns"], T0);
      assert.ok(id !== undefined);
      await s.outbox.markFailed(id, "boom", T0 + 5_000);
      await s.outbox.markFailed(id, "x".repeat(1500), T0 + 15_000);
      const [e] = await s.outbox.pending("sns", 1);
      assert.deepEqual(e, {
        id,
        channel: "sns",
        notice: notice(1),
        createdAt: T0,
        attempts: 2,
        nextAttemptAt: T0 + 15_000,
        lastError: "x".repeat(1000),
      });
      await s.outbox.markFailed(999_999, "nobody", T0); // unknown id: nothing happens
      assert.deepEqual(await s.outbox.pending("sns", 10), [e]);
    }),
  );

  test(
    "outbox: markDelivered takes entries out of pending, once; others and other channels stay",
    withStorage(async (s) => {
      const ids: number[] = [];
      for (let n = 1; n <= 4; n++) ids.push(...(await s.outbox.enqueue(notice(n), ["telegram", "sns"], T0)));
      const telegram = ids.filter((_, k) => k % 2 === 0);
      await s.outbox.markFailed(telegram[0] as number, "429", T0 + 1);
      await s.outbox.markDelivered(telegram.slice(0, 2), T0 + 100, "m1");
      assert.deepEqual(
        (await s.outbox.pending("telegram", 10)).map((e) => e.id),
        telegram.slice(2),
      );
      assert.equal(await s.outbox.countPending("telegram"), 2);
      assert.equal(await s.outbox.countPending("sns"), 4);
      // Again, later, without a ref, with an unknown id: nothing changes for those already delivered.
      await s.outbox.markDelivered([telegram[0] as number, 424_242], T0 + 10_000);
      await s.outbox.markDelivered([], T0 + 10_000);
      assert.equal(await s.outbox.countPending("telegram"), 2);
      // Their delivery time stayed T0 + 100: a prune at T0 + 101 removes both.
      assert.equal(await s.outbox.prune(T0 + 101), 2);
      await s.outbox.markDelivered([telegram[2] as number], T0 + 200);
      assert.deepEqual(
        (await s.outbox.pending("telegram", 10)).map((e) => e.id),
        [telegram[3]],
      );
    }),
  );

  test(
    "outbox: prune deletes delivered entries older than `before` (strictly), never pending ones",
    withStorage(async (s) => {
      const ids: number[] = [];
      for (let n = 1; n <= 6; n++) ids.push(...(await s.outbox.enqueue(notice(n), ["telegram"], T0)));
      await s.outbox.markDelivered(ids.slice(0, 2), 1000);
      await s.outbox.markDelivered(ids.slice(2, 4), 2000, "m");
      assert.equal(await s.outbox.prune(1000), 0, "delivered at 1000 is not older than 1000");
      assert.equal(await s.outbox.prune(1001), 2);
      assert.equal(await s.outbox.prune(1001), 0);
      assert.equal(await s.outbox.prune(Number.MAX_SAFE_INTEGER), 2);
      assert.deepEqual(
        (await s.outbox.pending("telegram", 10)).map((e) => e.id),
        ids.slice(4),
      );
      // Ids keep growing after pruning: delivery order is never confused with old entries.
      const [next] = await s.outbox.enqueue(notice(7), ["telegram"], T0);
      assert.ok((next as number) > (ids[5] as number));
      assert.deepEqual(
        (await s.outbox.pending("telegram", 10)).map((e) => e.id),
        [...ids.slice(4), next],
      );
    }),
  );

  test(
    "outbox: a dead letter leaves the queue, keeps its error, is listed newest first, and is pruned in time",
    withStorage(async (s) => {
      const ids: number[] = [];
      for (let n = 1; n <= 4; n++) ids.push(...(await s.outbox.enqueue(notice(n), ["telegram"], T0)));
      const [a, b, c, d] = ids as [number, number, number, number];
      await s.outbox.markFailed(a, "400 Bad Request: message is too long", T0 + 1);
      await s.outbox.markDead(a, "400 Bad Request: message is too long; safe form: 403", T0 + 1_000);
      await s.outbox.markDead(c, "403 Forbidden: bot was kicked", T0 + 2_000);
      await s.outbox.markDelivered([b], T0 + 500);
      await s.outbox.markDead(b, "too late: delivered already", T0 + 3_000); // a delivered entry does not die
      assert.deepEqual(
        (await s.outbox.pending("telegram", 10)).map((e) => e.id),
        [d],
      );
      assert.equal(await s.outbox.countPending("telegram"), 1);
      const dead = await s.outbox.dead(T0, 10);
      assert.deepEqual(
        dead.map((e) => [e.id, e.deadAt, e.lastError, e.attempts]),
        [
          [c, T0 + 2_000, "403 Forbidden: bot was kicked", 1],
          [a, T0 + 1_000, "400 Bad Request: message is too long; safe form: 403", 2],
        ],
      );
      assert.deepEqual(dead[0]?.notice, notice(3));
      assert.equal(dead[0]?.deliveredAt, undefined);
      assert.deepEqual(
        (await s.outbox.dead(T0 + 1_500, 10)).map((e) => e.id),
        [c],
        "since",
      );
      assert.deepEqual(
        (await s.outbox.dead(T0, 1)).map((e) => e.id),
        [c],
        "limit",
      );
      // Pruned like delivered ones: older than `before`.
      assert.equal(await s.outbox.prune(T0 + 1_001), 2, "the delivered one and the first dead letter");
      assert.deepEqual(
        (await s.outbox.dead(0, 10)).map((e) => e.id),
        [c],
      );
    }),
  );

  // ---------------------------------------------------------------------------- mutes

  test(
    "mutes: active lists unexpired mutes of the room ordered by rule; until must be after now",
    withStorage(async (s) => {
      const by = { id: 42, name: "Grace" };
      const mutes: Mute[] = [
        { roomId: "lab", rule: "server.disk:web1", until: T0 + 60_000, by },
        { roomId: "lab", rule: "*", until: T0 + 3_600_000, by: { id: 7, name: "" } },
        { roomId: "lab", rule: "server.*", until: T0 + 1_000, by },
        { roomId: "lab", rule: "climate.humidity", until: T0, by },
        { roomId: "hall", rule: "*", until: T0 + 3_600_000, by },
      ];
      for (const m of mutes) await s.mutes.set(m);
      assert.deepEqual(await s.mutes.active("lab", T0), [mutes[1], mutes[2], mutes[0]]);
      assert.deepEqual(await s.mutes.active("lab", T0 - 1), [mutes[1], mutes[3], mutes[2], mutes[0]]);
      assert.deepEqual(await s.mutes.active("lab", T0 + 1_000), [mutes[1], mutes[0]]);
      assert.deepEqual(await s.mutes.active("hall", T0), [mutes[4]]);
      assert.deepEqual(await s.mutes.active("nowhere", T0), []);
    }),
  );

  test(
    "mutes: set replaces the mute of the same (room, rule); clear says whether one existed",
    withStorage(async (s) => {
      await s.mutes.set({ roomId: "lab", rule: "*", until: T0 + 1000, by: { id: 1, name: "A" } });
      await s.mutes.set({ roomId: "lab", rule: "*", until: T0 + 9000, by: { id: 2, name: "B" } });
      await s.mutes.set({ roomId: "lab", rule: "server.*", until: T0 + 9000, by: { id: 2, name: "B" } });
      assert.deepEqual(await s.mutes.active("lab", T0), [
        { roomId: "lab", rule: "*", until: T0 + 9000, by: { id: 2, name: "B" } },
        { roomId: "lab", rule: "server.*", until: T0 + 9000, by: { id: 2, name: "B" } },
      ]);
      assert.equal(await s.mutes.clear("lab", "*"), true);
      assert.equal(await s.mutes.clear("lab", "*"), false);
      assert.equal(await s.mutes.clear("hall", "server.*"), false, "scoped to the room");
      assert.deepEqual(
        (await s.mutes.active("lab", T0)).map((m) => m.rule),
        ["server.*"],
      );
      // An expired mute is still there to clear.
      await s.mutes.set({ roomId: "lab", rule: "sensor.stuck", until: T0 - 1, by: { id: 2, name: "B" } });
      assert.equal(await s.mutes.clear("lab", "sensor.stuck"), true);
    }),
  );

  // ---------------------------------------------------------------------------- audit

  test(
    "audit: latest is newest first, bounded, scoped to the room; fields round-trip exactly",
    withStorage(async (s) => {
      const entries: AuditEntry[] = [
        { at: T0, roomId: "lab", userId: 1, userName: "Ada", action: "ack", incidentId: "i1" },
        { at: T0 + 2000, roomId: "lab", userId: 2, userName: "Grace", action: "mute", detail: "* 1h" },
        { at: T0 + 1000, roomId: "lab", userId: 1, userName: "Ada «Ö»", action: "enroll" },
        { at: T0 + 5000, roomId: "hall", userId: 3, userName: "Linus", action: "arm" },
        {
          at: T0 + 3000,
          roomId: "lab",
          userId: 4,
          userName: "",
          action: "server-add",
          incidentId: "i9",
          detail: "web1 🔑",
        },
      ];
      for (const e of entries) await s.audit.record(e);
      assert.deepEqual(await s.audit.latest("lab", 10), [entries[4], entries[1], entries[2], entries[0]]);
      assert.deepEqual(await s.audit.latest("lab", 2), [entries[4], entries[1]]);
      assert.deepEqual(await s.audit.latest("hall", 10), [entries[3]]);
      assert.deepEqual(await s.audit.latest("nowhere", 10), []);
      const [enroll] = await s.audit.latest("lab", 10).then((l) => l.filter((e) => e.action === "enroll"));
      assert.ok(enroll && !("incidentId" in enroll) && !("detail" in enroll));
    }),
  );

  test(
    "audit: entries with the same time come back newest-recorded first",
    withStorage(async (s) => {
      for (const action of ["mute", "unmute", "arm", "disarm"] as const) {
        await s.audit.record({ at: T0, roomId: "lab", userId: 1, userName: "Ada", action });
      }
      assert.deepEqual(
        (await s.audit.latest("lab", 3)).map((e) => e.action),
        ["disarm", "arm", "unmute"],
      );
    }),
  );
}
