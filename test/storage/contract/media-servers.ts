/**
 * The contract of the media store, the host catalogue and the server result repository:
 * behaviour every storage backend must show, whatever it keeps underneath. Registered by
 * media-servers.test.ts once per backend (SQLite, AWS). Only the ports are used here; errors
 * are recognised by name and message, and by the error classes the runner passes in (those
 * the adapter exports), not by importing an adapter's classes here.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import sharp from "sharp";
import type { HostResult, HostSpec } from "../../../core/servers/types.ts";
import type { MediaItem, NewMedia, Storage } from "../../../core/storage.ts";

export interface Opened<K extends keyof Storage> {
  storage: Pick<Storage, K>;
  close(): Promise<void>;
}
export type Open<K extends keyof Storage> = () => Promise<Opened<K>>;

/** Opens a fresh (empty) storage, runs `fn`, closes it even when `fn` fails. */
async function using<K extends keyof Storage>(open: Open<K>, fn: (s: Pick<Storage, K>) => Promise<void>) {
  const { storage, close } = await open();
  try {
    await fn(storage);
  } finally {
    await close();
  }
}

/** An error class an adapter exports (its callers may test errors with `instanceof`). */
export type ErrorClass = abstract new (...args: never[]) => Error;

const isError = (cls: ErrorClass, name: string, message: RegExp) => (err: unknown) =>
  err instanceof cls && err.name === name && message.test(err.message);

// --- Media fixtures

export const T0 = Date.parse("2026-11-23T10:15:00Z");
const fill = (n = 1, size = 64) => Buffer.alloc(size, n);

export const snap = (roomId: string, at: number, extra: Partial<NewMedia> = {}): NewMedia => ({
  roomId,
  at,
  kind: "snapshot",
  mime: "image/jpeg",
  reason: "request",
  bytes: fill(at % 251),
  ...extra,
});
export const clip = (roomId: string, at: number, extra: Partial<NewMedia> = {}): NewMedia => ({
  roomId,
  at,
  kind: "clip",
  mime: "video/mp4",
  reason: "motion",
  bytes: fill(7, 200),
  seconds: 5,
  width: 640,
  height: 360,
  ...extra,
});

/** A real JPEG (sharp encodes it), small. */
export const realJpeg = (): Promise<Buffer> =>
  sharp({ create: { width: 32, height: 24, channels: 3, background: { r: 200, g: 30, b: 90 } } })
    .jpeg({ quality: 80 })
    .toBuffer();

/** Inputs every media store refuses with a MediaValidationError naming `message`; fresh on every call. */
export const badMedia = (): Array<{ label: string; input: NewMedia; message: RegExp }> => {
  const badSnap = (bad: Partial<NewMedia>, message: RegExp) => ({
    label: JSON.stringify(bad),
    input: snap("a", T0, bad),
    message,
  });
  return [
    badSnap({ mime: "image/png" }, /unsupported mime "image\/png"; valid: image\/jpeg, video\/mp4, image\/gif/),
    badSnap({ mime: "video/mp4" }, /a snapshot cannot be video\/mp4/),
    badSnap({ bytes: Buffer.alloc(0) }, /bytes are empty/),
    badSnap({ bytes: "not bytes" as unknown as Buffer }, /bytes must be a Buffer/),
    badSnap({ roomId: "" }, /roomId must be a non-empty string/),
    badSnap({ roomId: "   " }, /roomId must be a non-empty string/),
    badSnap({ at: Number.NaN }, /at must be an epoch ms/),
    badSnap({ at: -1 }, /at must be an epoch ms/),
    badSnap({ at: 1.5 }, /at must be an epoch ms/),
    badSnap({ at: Date.UTC(10_000, 0, 1) }, /at must be an epoch ms/),
    badSnap({ kind: "movie" as NewMedia["kind"] }, /kind must be one of snapshot, clip/),
    badSnap({ reason: "because" as NewMedia["reason"] }, /reason must be one of request, motion, breach, alert/),
    badSnap({ width: 0 }, /width must be a positive integer/),
    badSnap({ height: 2.5 }, /height must be a positive integer/),
    badSnap({ seconds: -1 }, /seconds must be a non-negative number/),
    badSnap({ requestedBy: 1.5 }, /requestedBy must be an integer/),
    badSnap({ accessEntryId: -1 }, /accessEntryId must be a non-negative integer/),
    badSnap({ incidentId: "" }, /incidentId must be a non-empty string/),
    {
      label: "a clip as image/jpeg",
      input: clip("a", T0, { mime: "image/jpeg" }),
      message: /a clip cannot be image\/jpeg/,
    },
  ];
};

const ids = (items: MediaItem[]) => items.map((i) => i.id);

/** The error classes the media store under test exports. */
export interface MediaErrorClasses {
  MediaValidationError: ErrorClass;
}

export function mediaContract(open: Open<"media">, errors: MediaErrorClasses): void {
  const isMediaValidationError = (message: RegExp) =>
    isError(errors.MediaValidationError, "MediaValidationError", message);

  test("media: save then get and read round-trip real bytes; optional fields absent when unset", async () => {
    await using(open, async ({ media }) => {
      const jpeg = await realJpeg();
      const saved = await media.save(snap("test-room", T0, { bytes: jpeg, width: 32, height: 24, requestedBy: 42 }));
      assert.deepEqual(saved, {
        id: saved.id,
        roomId: "test-room",
        at: T0,
        kind: "snapshot",
        mime: "image/jpeg",
        size: jpeg.length,
        reason: "request",
        key: saved.key,
        width: 32,
        height: 24,
        requestedBy: 42,
      });
      assert.ok(Number.isSafeInteger(saved.id) && saved.id > 0, "a positive integer id");
      assert.ok(!("seconds" in saved) && !("accessEntryId" in saved) && !("incidentId" in saved), "no unset keys");
      assert.deepEqual(await media.get(saved.id), saved);
      const back = await media.read(saved.id);
      assert.ok(Buffer.isBuffer(back), "read gives a Buffer");
      assert.deepEqual(back, jpeg);
      const meta = await sharp(back).metadata();
      assert.equal(meta.format, "jpeg");
      assert.equal(meta.width, 32);

      // Every byte value, and a bigger binary clip with every optional field.
      const everyByte = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));
      const big = randomBytes(1_500_000);
      const a = await media.save(snap("test-room", T0 + 1, { bytes: everyByte }));
      const b = await media.save(
        clip("test-room", T0 + 2, {
          bytes: big,
          mime: "video/mp4",
          seconds: 12.5,
          accessEntryId: 0,
          incidentId: "inc-7",
          reason: "breach",
          requestedBy: -100123,
        }),
      );
      assert.deepEqual(await media.read(a.id), everyByte);
      assert.deepEqual(await media.read(b.id), big);
      assert.equal(b.size, big.length);
      assert.deepEqual(await media.get(b.id), {
        id: b.id,
        roomId: "test-room",
        at: T0 + 2,
        kind: "clip",
        mime: "video/mp4",
        size: big.length,
        reason: "breach",
        key: b.key,
        width: 640,
        height: 360,
        seconds: 12.5,
        requestedBy: -100123,
        accessEntryId: 0,
        incidentId: "inc-7",
      });
      assert.ok(saved.id < a.id && a.id < b.id, "ids increase");
      const unknown = b.id + 1_000;
      assert.equal(await media.get(unknown), undefined);
      assert.equal(await media.read(unknown), undefined);
    });
  });

  test("media: keys name the UTC day, room, time and kind; unique for one instant; room ids cannot escape", async () => {
    await using(open, async ({ media }) => {
      // 23:59:58 UTC on the last day of a month: a local-time layout would put it elsewhere in most zones.
      const at = Date.parse("2026-01-31T23:59:58Z");
      const a = await media.save(snap("test-room", at));
      const b = await media.save(clip("test-room", Date.parse("2027-02-03T04:05:06Z")));
      const g = await media.save(clip("test-room", at, { mime: "image/gif" }));
      const a2 = await media.save(snap("test-room", at));
      assert.match(a.key, /(^|\/)2026\/01\/31\/test-room-235958-snapshot-[0-9a-f]+\.jpg$/);
      assert.match(b.key, /(^|\/)2027\/02\/03\/test-room-040506-clip-[0-9a-f]+\.mp4$/);
      assert.match(g.key, /(^|\/)2026\/01\/31\/test-room-235958-clip-[0-9a-f]+\.gif$/);
      assert.equal(new Set([a.key, b.key, g.key, a2.key]).size, 4, "same room, instant and kind: distinct keys");
      assert.deepEqual(await media.read(a.id), snap("test-room", at).bytes);
      assert.deepEqual(await media.read(a2.id), snap("test-room", at).bytes);

      const evil = await media.save(snap("../../etc/pass wd", T0));
      const dots = await media.save(snap(".tmp-x", T0));
      const unicode = await media.save(snap("Salle é/1", T0));
      for (const item of [evil, dots, unicode]) {
        const parts = item.key.split("/");
        assert.ok(!parts.includes("..") && !parts.includes("."), `no dot segments in ${item.key}`);
        assert.match(parts.at(-1) ?? "", /^[A-Za-z0-9_-]+-101500-snapshot-[0-9a-f]+\.jpg$/, item.key);
        assert.match(item.key, /(^|\/)2026\/11\/23\/[^/]+$/, item.key);
      }
      assert.ok(!dots.key.split("/").at(-1)?.startsWith("."), "a room cannot make a name look like a temp file");
      assert.equal(evil.roomId, "../../etc/pass wd", "the room id is kept as given");
      assert.deepEqual(ids(await media.list("../../etc/pass wd", { limit: 5 })), [evil.id]);
      assert.deepEqual(ids(await media.list("Salle é/1", { limit: 5 })), [unicode.id]);
      assert.deepEqual(await media.read(evil.id), snap("x", T0).bytes);
    });
  });

  test("media: list is a room's items newest first, scoped to the room, bounded by limit", async () => {
    await using(open, async ({ media }) => {
      const a1 = await media.save(snap("a", T0));
      const a3 = await media.save(snap("a", T0 + 3_000));
      const a2 = await media.save(clip("a", T0 + 2_000)); // saved after a3 but captured before it
      const b = await media.save(snap("b", T0 + 5_000));
      await media.save(snap("ab", T0 + 6_000)); // a room whose id starts with another's
      assert.deepEqual(ids(await media.list("a", { limit: 10 })), [a3.id, a2.id, a1.id]);
      assert.deepEqual(ids(await media.list("a", { limit: 2 })), [a3.id, a2.id]);
      assert.deepEqual(ids(await media.list("a", { limit: 2.7 })), [a3.id, a2.id], "a fractional limit rounds down");
      assert.deepEqual(ids(await media.list("b", { limit: 10 })), [b.id]);
      assert.deepEqual(await media.list("nobody", { limit: 10 }), []);
      assert.deepEqual(await media.list("a", { limit: 0 }), [], "limit 0 is no rows, not 'no limit'");
      assert.deepEqual(await media.list("a", { limit: -1 }), []);
      const [first] = await media.list("a", { limit: 1 });
      assert.deepEqual(first, a3, "list returns whole items");
    });
  });

  test("media: list with a half-open time range, kind filter and `before` paging (ties on `at` by id)", async () => {
    await using(open, async ({ media }) => {
      const saved: MediaItem[] = [];
      for (let i = 0; i < 7; i++) {
        // Two items share each timestamp: paging must neither skip nor repeat them.
        const at = T0 + Math.floor(i / 2) * 1_000;
        saved.push(await media.save(i % 3 === 0 ? clip("a", at) : snap("a", at)));
        await media.save(snap("other", at));
      }
      const newestFirst = [...saved].sort((x, y) => y.at - x.at || y.id - x.id);

      const seen: number[] = [];
      let before: number | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await media.list("a", { limit: 3, ...(before === undefined ? {} : { before }) });
        if (page.length === 0) break;
        assert.ok(page.length <= 3);
        seen.push(...ids(page));
        before = page[page.length - 1]?.id;
      }
      assert.deepEqual(seen, ids(newestFirst), "pages cover every item once, newest first");

      const range = await media.list("a", { from: T0 + 1_000, to: T0 + 3_000, limit: 10 });
      assert.deepEqual(
        range.map((m) => m.at),
        [T0 + 2_000, T0 + 2_000, T0 + 1_000, T0 + 1_000],
        "from is inclusive, to exclusive",
      );
      assert.deepEqual(ids(range), ids(newestFirst.filter((m) => m.at >= T0 + 1_000 && m.at < T0 + 3_000)));
      assert.deepEqual(await media.list("a", { from: T0 + 3_001, limit: 10 }), []);
      assert.deepEqual(await media.list("a", { to: T0, limit: 10 }), []);
      assert.deepEqual(await media.list("a", { from: T0 + 2_000, to: T0 + 1_000, limit: 10 }), [], "empty range");
      assert.deepEqual(ids(await media.list("a", { from: T0 + 3_000, to: T0 + 3_001, limit: 10 })), [
        newestFirst[0]?.id,
      ]);

      const clips = await media.list("a", { kind: "clip", limit: 10 });
      assert.deepEqual(ids(clips), ids(newestFirst.filter((m) => m.kind === "clip")));
      assert.equal(clips.length, 3);
      assert.deepEqual(ids(await media.list("a", { kind: "clip", limit: 1 })), ids(clips.slice(0, 1)));
      const snaps = await media.list("a", { kind: "snapshot", limit: 2, before: newestFirst[1]?.id });
      assert.deepEqual(ids(snaps), ids(newestFirst.slice(2).filter((m) => m.kind === "snapshot")).slice(0, 2));

      const paged = await media.list("a", { from: T0 + 1_000, limit: 10, before: newestFirst[2]?.id });
      assert.deepEqual(ids(paged), ids(newestFirst.slice(3).filter((m) => m.at >= T0 + 1_000)));
      const pagedTo = await media.list("a", { to: T0 + 2_000, limit: 10, before: newestFirst[0]?.id });
      assert.deepEqual(ids(pagedTo), ids(newestFirst.filter((m) => m.at < T0 + 2_000)), "the tighter bound wins");

      const removed = newestFirst[0];
      assert.ok(removed);
      await media.remove(removed.id);
      assert.deepEqual(await media.list("a", { limit: 10, before: removed.id }), [], "a vanished cursor: empty page");
      assert.deepEqual(await media.list("a", { limit: 10, before: removed.id + 1_000 }), [], "an unknown cursor too");
    });
  });

  test("media: forAccessEntries, forIncident (oldest first) and linkIncident", async () => {
    await using(open, async ({ media }) => {
      const e1 = await media.save(snap("a", T0 + 2_000, { reason: "breach", accessEntryId: 11 }));
      const e1b = await media.save(clip("a", T0 + 1_000, { reason: "breach", accessEntryId: 11 }));
      const e2 = await media.save(snap("b", T0 + 3_000, { reason: "breach", accessEntryId: 12 }));
      const plain = await media.save(snap("a", T0 + 4_000, { reason: "motion" }));
      assert.deepEqual(ids(await media.forAccessEntries([11])), [e1b.id, e1.id]);
      assert.deepEqual(ids(await media.forAccessEntries([12, 11, 11, 99])), [e1b.id, e1.id, e2.id]);
      assert.deepEqual(await media.forAccessEntries([]), []);
      assert.deepEqual(await media.forAccessEntries([99]), []);
      assert.deepEqual((await media.forAccessEntries([12]))[0], e2, "whole items");
      assert.equal((await media.get(e1.id))?.accessEntryId, 11);

      const early = await media.save(clip("a", T0, { incidentId: "inc-1" }));
      assert.deepEqual(ids(await media.forIncident("inc-1")), [early.id]);
      await media.linkIncident(plain.id, "inc-1");
      await media.linkIncident(e2.id, "inc-1");
      await media.linkIncident(early.id + 1_000, "inc-1"); // no such item: nothing happens
      assert.equal(await media.get(early.id + 1_000), undefined, "linking did not create an item");
      assert.deepEqual(ids(await media.forIncident("inc-1")), [early.id, e2.id, plain.id]);
      assert.equal((await media.get(plain.id))?.incidentId, "inc-1");
      assert.deepEqual(await media.forIncident("inc-2"), []);

      await media.linkIncident(plain.id, "inc-2"); // moves to another incident
      assert.deepEqual(ids(await media.forIncident("inc-1")), [early.id, e2.id]);
      assert.deepEqual(ids(await media.forIncident("inc-2")), [plain.id]);
      await assert.rejects(media.linkIncident(plain.id, ""), isMediaValidationError(/incidentId/));
      assert.equal((await media.get(plain.id))?.incidentId, "inc-2", "a refused link changes nothing");

      await media.remove(e1b.id);
      assert.deepEqual(ids(await media.forAccessEntries([11])), [e1.id], "removed items leave the lookups");
      await media.remove(early.id);
      assert.deepEqual(ids(await media.forIncident("inc-1")), [e2.id]);
    });
  });

  test("media: usage totals the whole store (every room); oldest is oldest first across rooms", async () => {
    await using(open, async ({ media }) => {
      assert.deepEqual(await media.usage(), { count: 0, bytes: 0 });
      assert.deepEqual(await media.oldest(5), []);
      const b = await media.save(snap("b", T0 + 1_000, { bytes: fill(1, 10) }));
      const a = await media.save(snap("a", T0 + 2_000, { bytes: fill(1, 20) }));
      const c = await media.save(clip("c", T0, { bytes: fill(1, 30) }));
      const c2 = await media.save(clip("c", T0, { bytes: fill(2, 40) })); // a tie on `at`: id decides
      assert.deepEqual(await media.usage(), { count: 4, bytes: 100, oldestAt: T0 });
      assert.deepEqual(ids(await media.oldest(2)), [c.id, c2.id]);
      assert.deepEqual(ids(await media.oldest(10)), [c.id, c2.id, b.id, a.id]);
      assert.deepEqual(await media.oldest(0), []);
      assert.deepEqual(await media.oldest(-3), []);
      assert.deepEqual((await media.oldest(1))[0], c, "whole items");

      await media.remove(c.id);
      await media.remove(c2.id);
      assert.deepEqual(await media.usage(), { count: 2, bytes: 30, oldestAt: T0 + 1_000 });
      assert.deepEqual(ids(await media.oldest(10)), [b.id, a.id]);
      await media.remove(a.id);
      await media.remove(b.id);
      assert.deepEqual(await media.usage(), { count: 0, bytes: 0 }, "no oldestAt when empty");
    });
  });

  test("media: remove deletes the item (row and bytes); false when there is none; others untouched", async () => {
    await using(open, async ({ media }) => {
      const keep = await media.save(snap("a", T0));
      const item = await media.save(snap("a", T0 + 1, { bytes: fill(9, 99) }));
      assert.equal(await media.remove(item.id), true);
      assert.equal(await media.get(item.id), undefined);
      assert.equal(await media.read(item.id), undefined);
      assert.deepEqual(await media.list("a", { limit: 10 }), [keep]);
      assert.equal(await media.remove(item.id), false, "a second remove finds no row");
      assert.equal(await media.remove(keep.id + 9_999), false);
      assert.deepEqual(await media.read(keep.id), snap("a", T0).bytes, "other items untouched");
      assert.deepEqual(await media.usage(), { count: 1, bytes: keep.size, oldestAt: T0 });
      assert.equal(await media.sweepOrphans(Date.now() + 60_000), 0, "a removed item leaves no orphan behind");
      assert.deepEqual(await media.read(keep.id), snap("a", T0).bytes, "the sweep keeps indexed items");

      const next = await media.save(snap("a", T0 + 2));
      assert.ok(next.id > item.id, "a removed id is not handed out again");
    });
  });

  test("media: bad input is refused with a clear MediaValidationError and nothing is written", async () => {
    await using(open, async ({ media }) => {
      for (const { label, input, message } of badMedia()) {
        await assert.rejects(media.save(input), isMediaValidationError(message), `${label} refused with ${message}`);
      }
      assert.deepEqual(await media.usage(), { count: 0, bytes: 0 });
      assert.deepEqual(await media.list("a", { limit: 10 }), []);
      assert.deepEqual(await media.oldest(10), []);
      assert.equal(await media.sweepOrphans(Date.now() + 60_000), 0, "no bytes were stored either");
    });
  });
}

// --- Server fixtures

const KEY = "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8";

/** A host with only the required fields. */
export const host = (name: string, extra: Partial<HostSpec> = {}): HostSpec => ({
  name,
  address: `${name}.lan`,
  port: 22,
  user: "seroma",
  hostKey: KEY,
  checks: ["uptime", "load"],
  services: [],
  thresholds: { diskPct: 90, loadPerCore: 2, memoryPct: 95 },
  ...extra,
});

/** A host with every optional field set. */
export const fullHost = (name: string): HostSpec =>
  host(name, {
    address: "10.0.0.5",
    port: 2222,
    user: "ops.check",
    keyFile: "/home/pi/.ssh/seroma_ed25519",
    checks: ["uptime", "load", "memory", "disk", "services", "journal"],
    services: ["nginx.service", "postgresql@16-main", "getty@tty1.service"],
    thresholds: { diskPct: 85.5, loadPerCore: 1.25, memoryPct: 90 },
    addedBy: 123_456_789,
    addedAt: Date.UTC(2026, 10, 23, 10),
  });

/** A healthy run with every check present. */
export const fullResult = (hostName: string, at: number): HostResult => ({
  host: hostName,
  at,
  durationMs: 812.5,
  reachable: true,
  checks: {
    uptime: { ok: true, value: { seconds: 1_234_567 } },
    load: { ok: true, value: { load1: 0.5, load5: 0.75, load15: 1, cores: 4 } },
    memory: { ok: true, value: { totalBytes: 8_000_000_000, availableBytes: 2_000_000_000, usedPct: 75.1 } },
    disk: {
      ok: true,
      value: [
        { mount: "/", filesystem: "/dev/sda1", sizeBytes: 100, usedBytes: 42, usedPct: 42 },
        { mount: "/var", filesystem: "/dev/sda2", sizeBytes: 200, usedBytes: 190, usedPct: 95 },
      ],
    },
    services: {
      ok: true,
      value: [
        { name: "nginx.service", state: "active" },
        { name: "postgresql@16-main", state: "failed" },
      ],
    },
    journal: { ok: true, value: { count: 2, latest: ["Nov 23 kernel: oops", "Nov 23 sshd: error"], available: true } },
  },
});

/** A minimal reachable result (no failure, one check). */
export const okResult = (hostName: string, at: number, seconds = at): HostResult => ({
  host: hostName,
  at,
  durationMs: 100,
  reachable: true,
  checks: { uptime: { ok: true, value: { seconds } } },
});

const secondsOf = (rs: HostResult[]) => rs.map((r) => (r.checks.uptime?.ok ? r.checks.uptime.value.seconds : -1));

/** The error classes the host and result repositories under test export. */
export interface ServerErrorClasses {
  InvalidServerDataError: ErrorClass;
}

export function serversContract(open: Open<"hosts" | "serverResults">, errors: ServerErrorClasses): void {
  const isInvalidServerDataError = (message: RegExp) =>
    isError(errors.InvalidServerDataError, "InvalidServerDataError", message);

  test("hosts: add then get returns the same host, every field; optional ones absent when unset", async () => {
    await using(open, async ({ hosts }) => {
      const full = fullHost("web1");
      assert.deepEqual(await hosts.add("a", full), { ok: true });
      assert.deepEqual(await hosts.get("a", "web1"), full);

      const minimal = host("db_2");
      assert.deepEqual(await hosts.add("a", minimal), { ok: true });
      const got = await hosts.get("a", "db_2");
      assert.deepEqual(got, minimal);
      assert.ok(got && !("keyFile" in got) && !("addedBy" in got) && !("addedAt" in got), "no unset keys");
      assert.deepEqual(got?.services, [], "an empty list stays an empty list");

      const extra = { ...host("web3"), comment: "not a HostSpec field" } as HostSpec;
      await hosts.add("a", extra);
      assert.deepEqual(await hosts.get("a", "web3"), host("web3"), "only HostSpec's fields are kept");

      assert.equal(await hosts.get("a", "nope"), undefined);
      assert.equal(await hosts.get("a", "WEB1"), undefined, "names compared exactly");
    });
  });

  test("hosts: a name the room has already is refused with the existing entry, which stays untouched", async () => {
    await using(open, async ({ hosts }) => {
      const original = fullHost("web1");
      await hosts.add("a", original);
      assert.deepEqual(await hosts.add("a", host("web1", { address: "evil.example" })), {
        ok: false,
        reason: "duplicate",
        existing: original,
      });
      assert.deepEqual(await hosts.get("a", "web1"), original);

      // Racing adds of one name: exactly one wins, the others see the winner.
      const racers = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"].map((address) => host("race", { address }));
      const outcomes = await Promise.all(racers.map((h) => hosts.add("a", h)));
      const winners = outcomes.filter((o) => o.ok);
      assert.equal(winners.length, 1, JSON.stringify(outcomes));
      const stored = await hosts.get("a", "race");
      assert.ok(stored);
      for (const o of outcomes) if (!o.ok) assert.deepEqual(o.existing, stored);
    });
  });

  test("hosts: scoped to a room: the same name in two rooms is two hosts", async () => {
    await using(open, async ({ hosts }) => {
      await hosts.add("a", host("web1", { address: "10.0.0.1" }));
      assert.deepEqual(await hosts.add("b", host("web1", { address: "10.1.0.1" })), { ok: true });
      assert.equal((await hosts.get("a", "web1"))?.address, "10.0.0.1");
      assert.equal((await hosts.get("b", "web1"))?.address, "10.1.0.1");
      assert.equal(await hosts.get("c", "web1"), undefined);
      assert.equal(await hosts.remove("b", "web1"), true);
      assert.equal((await hosts.get("a", "web1"))?.address, "10.0.0.1", "removing in b leaves a alone");
    });
  });

  test("hosts: list is sorted by name and scoped to the room", async () => {
    await using(open, async ({ hosts }) => {
      for (const name of ["web10", "db1", "web2", "app", "web1", "web1-b", "web1_b"]) await hosts.add("a", host(name));
      await hosts.add("b", host("aaa"));
      await hosts.add("a#b", host("zzz")); // room ids that look like key separators stay apart
      assert.deepEqual(
        (await hosts.list("a")).map((h) => h.name),
        ["app", "db1", "web1", "web1-b", "web10", "web1_b", "web2"],
      );
      assert.deepEqual(await hosts.list("b"), [host("aaa")]);
      assert.deepEqual(await hosts.list("a#b"), [host("zzz")]);
      assert.deepEqual(await hosts.list("nobody"), []);
    });
  });

  test("hosts: remove returns true once, then false; the host's results are kept", async () => {
    await using(open, async ({ hosts, serverResults }) => {
      await hosts.add("a", host("web1"));
      await serverResults.add("a", okResult("web1", 1_000));
      assert.equal(await hosts.remove("a", "web1"), true);
      assert.equal(await hosts.remove("a", "web1"), false);
      assert.equal(await hosts.remove("a", "never"), false);
      assert.equal(await hosts.get("a", "web1"), undefined);
      assert.deepEqual(await serverResults.latest("a", "web1", 10), [okResult("web1", 1_000)], "history kept");
      assert.deepEqual(await hosts.add("a", host("web1")), { ok: true }, "the name is free again");
    });
  });

  test("hosts: invalid hosts are refused with InvalidServerDataError before anything is written", async () => {
    await using(open, async ({ hosts }) => {
      const bad: Array<[Partial<HostSpec>, RegExp]> = [
        [{ name: "Web 1" }, /name: must match HOST_NAME/],
        [{ name: "" }, /name/],
        [{ user: "root; rm -rf /" }, /user: must match USER_NAME/],
        [{ services: ["nginx", "x; reboot"] }, /services\.1: must match SERVICE_NAME/],
        [{ checks: ["uptime", "rm" as never] }, /checks\.1/],
        [{ port: 0 }, /port/],
        [{ port: 70_000 }, /port/],
        [{ port: 22.5 }, /port/],
        [{ thresholds: { diskPct: Number.NaN, loadPerCore: 1, memoryPct: 1 } }, /thresholds\.diskPct/],
        [{ thresholds: { diskPct: 1, loadPerCore: 1 } as never }, /thresholds\.memoryPct/],
        [{ hostKey: "" }, /hostKey/],
        [{ keyFile: "" }, /keyFile/],
        [{ addedAt: 1.5 }, /addedAt/],
      ];
      for (const [extra, message] of bad) {
        await assert.rejects(
          hosts.add("a", host("web1", extra)),
          isInvalidServerDataError(message),
          `${JSON.stringify(extra)} refused with ${message}`,
        );
      }
      assert.deepEqual(await hosts.list("a"), [], "nothing was written");
    });
  });

  test("results: latest is newest first by start time (ties by insertion), bounded, scoped to room and host", async () => {
    await using(open, async ({ serverResults }) => {
      // Inserted out of time order; two runs share a start time.
      for (const [at, seconds] of [
        [3_000, 3],
        [1_000, 1],
        [2_000, 2],
        [2_000, 22],
        [5_000, 5],
      ] as const) {
        await serverResults.add("a", okResult("web1", at, seconds));
      }
      await serverResults.add("a", okResult("web2", 9_000));
      await serverResults.add("b", okResult("web1", 9_000));
      await serverResults.add("a#web1", okResult("x", 9_000)); // separators in names do not mix keys
      await serverResults.add("a", okResult("web1#x", 9_000));

      assert.deepEqual(secondsOf(await serverResults.latest("a", "web1", 10)), [5, 3, 22, 2, 1]);
      assert.deepEqual(secondsOf(await serverResults.latest("a", "web1", 2)), [5, 3]);
      assert.deepEqual(secondsOf(await serverResults.latest("a", "web2", 10)), [9_000]);
      assert.deepEqual(secondsOf(await serverResults.latest("b", "web1", 10)), [9_000]);
      assert.deepEqual(secondsOf(await serverResults.latest("a#web1", "x", 10)), [9_000]);
      assert.deepEqual(await serverResults.latest("a", "web3", 10), []);
      assert.deepEqual(await serverResults.latest("c", "web1", 10), []);
      assert.deepEqual(await serverResults.latest("a", "web1", 0), [], "limit 0 is no rows, not 'no limit'");
      assert.deepEqual(await serverResults.latest("a", "web1", -1), []);
    });
  });

  test("results: every field round-trips exactly; failure absent when there was none", async () => {
    await using(open, async ({ serverResults }) => {
      const healthy = fullResult("web1", 1_000);
      const unreachable: HostResult = {
        host: "web1",
        at: 2_000,
        durationMs: 5_000,
        reachable: false,
        failure: { kind: "timeout", message: "no answer within 5 s" },
        checks: {},
      };
      const mismatch: HostResult = {
        host: "web1",
        at: 3_000,
        durationMs: 40,
        reachable: false,
        failure: {
          kind: "host-key-mismatch",
          message: "host key does not match its pin",
          presentedHostKey: "SHA256:AAAAbbbbCCCCddddEEEEffffGGGGhhhhIIIIjjjjKKK",
        },
        checks: {},
      };
      const dropped: HostResult = {
        host: "web1",
        at: 4_000,
        durationMs: 30_000,
        reachable: true,
        failure: { kind: "dropped", message: "" },
        checks: {
          uptime: { ok: true, value: { seconds: 10 } },
          load: { ok: false, error: "command timed out" },
          journal: { ok: true, value: { count: 0, latest: [], available: false } },
        },
      };
      for (const r of [healthy, unreachable, mismatch, dropped]) await serverResults.add("a", r);

      const got = await serverResults.latest("a", "web1", 10);
      assert.deepEqual(got, [dropped, mismatch, unreachable, healthy]);
      const [gotDropped, gotMismatch, gotUnreachable, gotHealthy] = got;
      assert.ok(gotHealthy && !("failure" in gotHealthy), "no failure key when there was no failure");
      assert.ok(gotUnreachable?.failure && !("presentedHostKey" in gotUnreachable.failure), "no presentedHostKey key");
      assert.equal(gotMismatch?.failure?.presentedHostKey, mismatch.failure?.presentedHostKey);
      assert.equal(gotDropped?.failure?.message, "", "an empty message is still a message");
      assert.ok(gotUnreachable && Object.keys(gotUnreachable.checks).length === 0, "no checks stays no checks");
      assert.deepEqual((await serverResults.latestPerHost("a")).get("web1"), dropped);
    });
  });

  test("results: check values keep fields this code does not know (a newer checker wrote them)", async () => {
    await using(open, async ({ serverResults }) => {
      const withExtra = {
        ...okResult("web1", 1_000),
        checks: { uptime: { ok: true, value: { seconds: 5, bootId: "f00d", nested: { a: [1, 2.5] } } } },
      } as unknown as HostResult;
      await serverResults.add("a", withExtra);
      assert.deepEqual(await serverResults.latest("a", "web1", 1), [withExtra]);
      assert.deepEqual((await serverResults.latestPerHost("a")).get("web1"), withExtra);
    });
  });

  test("results: invalid results are refused with InvalidServerDataError before anything is written", async () => {
    await using(open, async ({ serverResults }) => {
      const base = okResult("web1", 1_000);
      const bad: Array<[unknown, RegExp]> = [
        [{ ...base, host: "" }, /host/],
        [{ ...base, at: Number.NaN }, /at/],
        [{ ...base, at: 1.5 }, /at/],
        [{ ...base, durationMs: -1 }, /durationMs/],
        [{ ...base, reachable: "yes" }, /reachable/],
        [{ ...base, failure: { kind: "exploded", message: "boom" } }, /failure\.kind/],
        [{ ...base, failure: { kind: "timeout" } }, /failure\.message/],
        [{ ...base, checks: { load: { ok: true, value: { load1: Number.POSITIVE_INFINITY } } } }, /checks\.load/],
        [{ ...base, checks: { disk: { ok: false } } }, /checks\.disk/],
      ];
      for (const [result, message] of bad) {
        await assert.rejects(
          serverResults.add("a", result as HostResult),
          isInvalidServerDataError(message),
          `${JSON.stringify(result)} refused with ${message}`,
        );
      }
      assert.deepEqual(await serverResults.latest("a", "web1", 10), [], "nothing was written");
      assert.equal((await serverResults.latestPerHost("a")).size, 0);
    });
  });

  test("results: latestPerHost is each host's newest result, in name order, scoped to the room", async () => {
    await using(open, async ({ hosts, serverResults }) => {
      await hosts.add("a", host("web1"));
      await serverResults.add("a", okResult("web2", 5_000, 25));
      await serverResults.add("a", okResult("web1", 3_000, 13));
      await serverResults.add("a", okResult("web2", 9_000, 29));
      await serverResults.add("a", okResult("web1", 1_000, 11)); // older, added later: not the latest
      await serverResults.add("a", okResult("app", 2_000, 1));
      await serverResults.add("a", okResult("web1", 3_000, 133)); // same start time: the later insert wins
      await serverResults.add("a", okResult("web2", 7_000, 27));
      await serverResults.add("b", okResult("web1", 99_000, 99));
      await hosts.remove("a", "web1"); // removed hosts keep their history

      const latest = await serverResults.latestPerHost("a");
      assert.deepEqual([...latest.keys()], ["app", "web1", "web2"]);
      assert.deepEqual(latest.get("app"), okResult("app", 2_000, 1));
      assert.deepEqual(latest.get("web1"), okResult("web1", 3_000, 133));
      assert.deepEqual(latest.get("web2"), okResult("web2", 9_000, 29));
      assert.deepEqual(
        [...(await serverResults.latestPerHost("b")).entries()],
        [["web1", okResult("web1", 99_000, 99)]],
      );
      assert.equal((await serverResults.latestPerHost("nobody")).size, 0);
    });
  });

  test("results: prune deletes results older than `before` across rooms, returns how many, keeps latestPerHost true", async () => {
    await using(open, async ({ serverResults }) => {
      for (const at of [1_000, 2_000, 3_000, 4_000]) {
        await serverResults.add("a", okResult("web1", at));
        await serverResults.add("b", okResult("db1", at));
      }
      await serverResults.add("a", okResult("old", 1_500));
      assert.equal(await serverResults.prune(1_000), 0, "nothing is older than the oldest");
      assert.equal(await serverResults.prune(3_000), 5, "strictly older: 1000 and 2000 in both rooms, and old");
      assert.deepEqual(
        (await serverResults.latest("a", "web1", 10)).map((r) => r.at),
        [4_000, 3_000],
      );
      assert.deepEqual(
        (await serverResults.latest("b", "db1", 10)).map((r) => r.at),
        [4_000, 3_000],
      );
      assert.deepEqual(
        [...(await serverResults.latestPerHost("a")).entries()],
        [["web1", okResult("web1", 4_000)]],
        "a host whose every result was pruned has no latest result",
      );
      assert.equal(await serverResults.prune(3_000), 0, "pruning again finds nothing");
      assert.equal(await serverResults.prune(Number.MAX_SAFE_INTEGER), 4);
      assert.equal((await serverResults.latestPerHost("a")).size, 0);
      assert.equal((await serverResults.latestPerHost("b")).size, 0);

      // After a prune, new results are stored and become the latest again.
      await serverResults.add("a", okResult("web1", 500));
      assert.deepEqual((await serverResults.latestPerHost("a")).get("web1"), okResult("web1", 500));
    });
  });

  test("results: prune handles more results than one batch, and negative start times", async () => {
    await using(open, async ({ serverResults }) => {
      for (let i = 0; i < 60; i++)
        await serverResults.add(i % 2 ? "a" : "b", okResult(`h${i % 3}`, -30_000 + i * 1_000));
      assert.deepEqual(
        (await serverResults.latest("b", "h0", 2)).map((r) => r.at),
        [-30_000 + 54_000, -30_000 + 48_000],
      );
      assert.equal(await serverResults.prune(0), 30, "every negative start time");
      assert.equal(await serverResults.prune(25_000), 25);
      const left = [
        ...(await serverResults.latest("a", "h0", 100)),
        ...(await serverResults.latest("a", "h1", 100)),
        ...(await serverResults.latest("a", "h2", 100)),
        ...(await serverResults.latest("b", "h0", 100)),
        ...(await serverResults.latest("b", "h1", 100)),
        ...(await serverResults.latest("b", "h2", 100)),
      ];
      assert.deepEqual(
        left.map((r) => r.at).sort((x, y) => x - y),
        [25_000, 26_000, 27_000, 28_000, 29_000],
      );
    });
  });
}
