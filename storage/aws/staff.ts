/**
 * DynamoDB adapter for the staff card register (STORAGE=aws), shared by every room of a
 * backend (the per-room access log: access-log.ts). Same behaviour as the SQLite adapter
 * (storage/sqlite/access.ts: name folding, ordering, revoke/restore, link uniqueness); the
 * contract suite in test/storage/contract/access.ts runs unchanged against both. Never a
 * Scan: lookups are GetItem, lists are Query. Errors reject with the SDK's error (its
 * retries included).
 *
 * Table `${prefix}-staff`  (PK pk S, SK sk S)
 *   - member  { pk: "staff", sk: cardUid, cardUid, name, nameLower, role, active (BOOL),
 *               createdBy, createdAt, telegramUserId?, revokedAt?, revokedBy?,
 *               rooms? (L of S: the rooms the card opens; absent: every room),
 *               linkVer, tgClaim? }
 *     One partition holds the whole register (a few hundred cards at most): `list` and
 *     `findByName` are one consistent Query of it, sorted and filtered in memory with
 *     SQLite's order (name_lower, name, card_uid compared as UTF-8 bytes = code points);
 *     `getByUid` is a consistent GetItem. `add` is a PutItem with
 *     `attribute_not_exists(pk)`: a duplicate UID is refused atomically, then the
 *     existing record is read and returned.
 *   - link guard  { pk: "tg#<telegramUserId>", sk: "link", telegramUserId, cardUid, claimId }
 *     The uniqueness guard for "one card per Telegram account". `getByTelegramId` reads
 *     the guard and then the card it names (two consistent GetItems) and answers only if
 *     that card really carries the account. No GSI: a GSI is eventually consistent, so
 *     the auth filter would keep seeing a revoked card as active (or miss a fresh link)
 *     for a moment; the guard has to exist anyway and reads consistently.
 *
 *   Linking without transactions (dynalite, the local stand-in used by the tests, has no
 *   TransactWriteItems), race-free with single-item conditional writes:
 *     1. read the card (its `linkVer`, a random token replaced on every link change);
 *     2. claim the guard: PutItem if absent or already this card's, with a fresh claimId;
 *     3. set the card's telegramUserId + tgClaim and a new linkVer, conditional on the
 *        linkVer read in 1 (any concurrent change of the card's link: start over);
 *     4. delete the card's previous guard, conditional on its claimId.
 *   Invariant: a card carrying account T is named by guard T. A guard can dangle (a crash
 *   between 2 and 3, or a lost race): when a claim finds a guard whose card does not
 *   carry the account, it first fences that card (new linkVer, conditional on the one it
 *   read, so the card's own unfinished step 3 can no longer succeed), then takes the guard
 *   over conditional on the claimId it read. If the card does carry the account, the
 *   claim fails with TelegramAlreadyLinkedError. Under contention a link retries a few
 *   times and then rejects. `add` with a telegramUserId creates the card unlinked (the
 *   duplicate-UID check wins, as in SQLite), links it, and deletes the card again if the
 *   link is refused; for that moment the card is visible without its account.
 *
 *   `linkTelegramIfUnlinked` runs the same steps with step 3 also conditional on
 *   `active = true AND attribute_not_exists(telegramUserId)` (revoking does not change
 *   linkVer), and releases its guard again when step 3 is refused; `unlinkTelegramIfLinkedTo`
 *   is step 3 of an unlink conditional on the linkVer of the read that saw that account.
 *
 *   `setActive(false)` is an UpdateItem conditional on `active = true`; if that fails,
 *   the card is read: missing -> undefined, already revoked -> returned with its first
 *   revocation's by/at kept (as in SQLite). Restoring REMOVEs revokedAt/revokedBy.
 */
import { randomUUID } from "node:crypto";
import { DeleteCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import {
  type LinkResult,
  type StaffMember,
  type StaffRepository,
  type StaffRole,
  TelegramAlreadyLinkedError,
  type UnlinkResult,
} from "../../core/door/ports.ts";
import { foldName, normalizeRooms, staffMemberFromRecord } from "../validation/access.ts";
import { type AwsContext, queryAll, type TableSpec } from "./client.ts";
import { compareUtf8, conditionalWrite, getItem, isConditionFailure, tableSpec } from "./dynamo-helpers.ts";

export const STAFF_TABLE = "staff";

export const STAFF_TABLES: TableSpec[] = [tableSpec(STAFF_TABLE, { hash: "pk", range: "sk" }, { pk: "S", sk: "S" })];

const ROLES: ReadonlySet<string> = new Set<StaffRole>(["admin", "staff"]);

/** How often a link/revoke starts over when the card changed under it before giving up. */
const MAX_ATTEMPTS = 8;

const STAFF_PK = "staff";
const GUARD_SK = "link";

interface MemberItem {
  pk: string;
  sk: string;
  cardUid: string;
  name: string;
  nameLower: string;
  role: StaffRole;
  active: boolean;
  createdBy: number;
  createdAt: number;
  telegramUserId?: number;
  revokedAt?: number;
  revokedBy?: number;
  rooms?: string[];
  /** A fresh random token on every change of the link (and on a fence). */
  linkVer?: string;
  /** The claimId of the guard backing telegramUserId. */
  tgClaim?: string;
}

interface GuardItem {
  pk: string;
  sk: string;
  telegramUserId: number;
  cardUid: string;
  claimId: string;
}

const toMember = (i: MemberItem): StaffMember => staffMemberFromRecord(i);

/** SQLite's order: name_lower, name, card_uid in its BINARY collation. */
const byName = (a: MemberItem, b: MemberItem): number =>
  compareUtf8(a.nameLower, b.nameLower) || compareUtf8(a.name, b.name) || compareUtf8(a.cardUid, b.cardUid);

export function createDynamoStaffRepository(ctx: AwsContext): StaffRepository {
  const TableName = ctx.table(STAFF_TABLE);
  const memberKey = (uid: string) => ({ pk: STAFF_PK, sk: uid });
  const guardKey = (telegramUserId: number) => ({ pk: `tg#${telegramUserId}`, sk: GUARD_SK });

  const getMember = (uid: string) => getItem<MemberItem>(ctx, TableName, memberKey(uid));
  const getGuard = (telegramUserId: number) => getItem<GuardItem>(ctx, TableName, guardKey(telegramUserId));

  const allMembers = () =>
    queryAll<MemberItem>(ctx, {
      TableName,
      KeyConditionExpression: "#pk = :pk",
      ExpressionAttributeNames: { "#pk": "pk" },
      ExpressionAttributeValues: { ":pk": STAFF_PK },
      ConsistentRead: true,
    });

  /** Condition "the card's link has not changed since `m` was read" (and the card exists). */
  const unchanged = (
    m: MemberItem,
  ): { ConditionExpression: string; names: Record<string, string>; values: Record<string, unknown> } =>
    m.linkVer === undefined
      ? {
          ConditionExpression: "attribute_exists(#pk) AND attribute_not_exists(#ver)",
          names: { "#pk": "pk", "#ver": "linkVer" },
          values: {},
        }
      : { ConditionExpression: "#ver = :oldVer", names: { "#ver": "linkVer" }, values: { ":oldVer": m.linkVer } };

  /**
   * Step 2: makes the guard of `telegramUserId` name `uid` with `claimId`. "retry" when
   * something changed under it; throws when another card really carries the account.
   */
  async function claimGuard(telegramUserId: number, uid: string, claimId: string): Promise<"claimed" | "retry"> {
    const free = await conditionalWrite(
      ctx.doc.send(
        new PutCommand({
          TableName,
          Item: { ...guardKey(telegramUserId), telegramUserId, cardUid: uid, claimId } satisfies GuardItem,
          ConditionExpression: "attribute_not_exists(#pk) OR #card = :uid",
          ExpressionAttributeNames: { "#pk": "pk", "#card": "cardUid" },
          ExpressionAttributeValues: { ":uid": uid },
        }),
      ),
    );
    if (free) return "claimed";
    const guard = await getGuard(telegramUserId);
    if (!guard || guard.cardUid === uid) return "retry";
    const holder = await getMember(guard.cardUid);
    if (holder?.telegramUserId === telegramUserId) throw new TelegramAlreadyLinkedError(telegramUserId, guard.cardUid);
    try {
      if (holder) {
        // Fence the holder: its own unfinished step 3 (if any) can no longer succeed.
        const cond = unchanged(holder);
        await ctx.doc.send(
          new UpdateCommand({
            TableName,
            Key: memberKey(holder.cardUid),
            UpdateExpression: "SET #ver = :ver",
            ConditionExpression: cond.ConditionExpression,
            ExpressionAttributeNames: cond.names,
            ExpressionAttributeValues: { ":ver": randomUUID(), ...cond.values },
          }),
        );
      }
      await ctx.doc.send(
        new UpdateCommand({
          TableName,
          Key: guardKey(telegramUserId),
          UpdateExpression: "SET #card = :uid, #claim = :claim",
          ConditionExpression: "#claim = :oldClaim",
          ExpressionAttributeNames: { "#card": "cardUid", "#claim": "claimId" },
          ExpressionAttributeValues: { ":uid": uid, ":claim": claimId, ":oldClaim": guard.claimId },
        }),
      );
      return "claimed";
    } catch (err) {
      if (isConditionFailure(err)) return "retry";
      throw err;
    }
  }

  /** Step 4: drops a guard if it still backs the link this card just gave up. */
  async function releaseGuard(telegramUserId: number, claimId: string): Promise<void> {
    await conditionalWrite(
      ctx.doc.send(
        new DeleteCommand({
          TableName,
          Key: guardKey(telegramUserId),
          ConditionExpression: "#claim = :claim",
          ExpressionAttributeNames: { "#claim": "claimId" },
          ExpressionAttributeValues: { ":claim": claimId },
        }),
      ),
    );
  }

  async function link(uid: string, telegramUserId: number | undefined): Promise<StaffMember | undefined> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const m = await getMember(uid);
      if (!m) return undefined;
      if (m.telegramUserId === telegramUserId) return toMember(m);
      const claimId = randomUUID();
      if (telegramUserId !== undefined && (await claimGuard(telegramUserId, uid, claimId)) === "retry") continue;
      const ver = randomUUID();
      const cond = unchanged(m);
      try {
        await ctx.doc.send(
          new UpdateCommand({
            TableName,
            Key: memberKey(uid),
            ConditionExpression: cond.ConditionExpression,
            ...(telegramUserId === undefined
              ? {
                  UpdateExpression: "SET #ver = :ver REMOVE #tg, #claim",
                  ExpressionAttributeNames: { ...cond.names, "#tg": "telegramUserId", "#claim": "tgClaim" },
                  ExpressionAttributeValues: { ":ver": ver, ...cond.values },
                }
              : {
                  UpdateExpression: "SET #ver = :ver, #tg = :tg, #claim = :claim",
                  ExpressionAttributeNames: { ...cond.names, "#tg": "telegramUserId", "#claim": "tgClaim" },
                  ExpressionAttributeValues: { ":ver": ver, ":tg": telegramUserId, ":claim": claimId, ...cond.values },
                }),
          }),
        );
      } catch (err) {
        if (isConditionFailure(err)) continue;
        throw err;
      }
      if (m.telegramUserId !== undefined && m.tgClaim !== undefined) await releaseGuard(m.telegramUserId, m.tgClaim);
      const updated: MemberItem = { ...m };
      if (telegramUserId === undefined) delete updated.telegramUserId;
      else updated.telegramUserId = telegramUserId;
      return toMember(updated);
    }
    throw new Error(`card ${uid}: its Telegram link kept changing while linking; try again`);
  }

  /**
   * `linkTelegramIfUnlinked`: the steps of `link`, with step 3 also conditional on the card
   * being active and carrying no account; a claimed guard is released again when step 3 is
   * refused, and the card is read again to say why.
   */
  async function linkIfUnlinked(uid: string, telegramUserId: number): Promise<LinkResult> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const m = await getMember(uid);
      if (!m) return { ok: false, reason: "no-card" };
      if (!m.active) return { ok: false, reason: "revoked", member: toMember(m) };
      if (m.telegramUserId === telegramUserId) return { ok: true, member: toMember(m), changed: false };
      if (m.telegramUserId !== undefined) return { ok: false, reason: "card-linked", member: toMember(m) };
      const claimId = randomUUID();
      try {
        if ((await claimGuard(telegramUserId, uid, claimId)) === "retry") continue;
      } catch (err) {
        if (!(err instanceof TelegramAlreadyLinkedError)) throw err;
        return { ok: false, reason: "account-linked", linkedCardUid: err.linkedCardUid };
      }
      const cond = unchanged(m);
      try {
        await ctx.doc.send(
          new UpdateCommand({
            TableName,
            Key: memberKey(uid),
            UpdateExpression: "SET #ver = :ver, #tg = :tg, #claim = :claim",
            ConditionExpression: `(${cond.ConditionExpression}) AND #active = :true AND attribute_not_exists(#tg)`,
            ExpressionAttributeNames: {
              ...cond.names,
              "#tg": "telegramUserId",
              "#claim": "tgClaim",
              "#active": "active",
            },
            ExpressionAttributeValues: {
              ":ver": randomUUID(),
              ":tg": telegramUserId,
              ":claim": claimId,
              ":true": true,
              ...cond.values,
            },
          }),
        );
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
        await releaseGuard(telegramUserId, claimId);
        continue;
      }
      return { ok: true, member: toMember({ ...m, telegramUserId }), changed: true };
    }
    throw new Error(`card ${uid}: its Telegram link kept changing while linking; try again`);
  }

  /** `unlinkTelegramIfLinkedTo`: step 3 of an unlink, conditional on the link read (linkVer). */
  async function unlinkIfLinkedTo(uid: string, telegramUserId: number): Promise<UnlinkResult> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const m = await getMember(uid);
      if (!m) return { ok: false, reason: "no-card" };
      if (m.telegramUserId !== telegramUserId) return { ok: false, reason: "not-linked", member: toMember(m) };
      const cond = unchanged(m);
      try {
        await ctx.doc.send(
          new UpdateCommand({
            TableName,
            Key: memberKey(uid),
            UpdateExpression: "SET #ver = :ver REMOVE #tg, #claim",
            ConditionExpression: cond.ConditionExpression,
            ExpressionAttributeNames: { ...cond.names, "#tg": "telegramUserId", "#claim": "tgClaim" },
            ExpressionAttributeValues: { ":ver": randomUUID(), ...cond.values },
          }),
        );
      } catch (err) {
        if (isConditionFailure(err)) continue;
        throw err;
      }
      if (m.tgClaim !== undefined) await releaseGuard(telegramUserId, m.tgClaim);
      const updated: MemberItem = { ...m };
      delete updated.telegramUserId;
      return { ok: true, member: toMember(updated) };
    }
    throw new Error(`card ${uid}: its Telegram link kept changing while unlinking; try again`);
  }

  return {
    async add(m) {
      if (!ROLES.has(m.role)) throw new Error(`unknown staff role ${JSON.stringify(m.role)}`);
      const linkVer = randomUUID();
      const item: MemberItem = {
        ...memberKey(m.cardUid),
        cardUid: m.cardUid,
        name: m.name,
        nameLower: foldName(m.name),
        role: m.role,
        active: Boolean(m.active),
        createdBy: m.createdBy,
        createdAt: m.createdAt,
        ...(m.revokedAt !== undefined ? { revokedAt: m.revokedAt } : {}),
        ...(m.revokedBy !== undefined ? { revokedBy: m.revokedBy } : {}),
        ...(m.rooms !== undefined ? { rooms: normalizeRooms(m.rooms) } : {}),
        linkVer,
      };
      try {
        await ctx.doc.send(
          new PutCommand({
            TableName,
            Item: item,
            ConditionExpression: "attribute_not_exists(#pk)",
            ExpressionAttributeNames: { "#pk": "pk" },
          }),
        );
      } catch (err) {
        // The key decides (no racy pre-check); the read only fetches the winner.
        if (!isConditionFailure(err)) throw err;
        const existing = await getMember(m.cardUid);
        if (existing) return { ok: false, reason: "duplicate", existing: toMember(existing) };
        throw err;
      }
      if (m.telegramUserId === undefined) return { ok: true };
      try {
        await link(m.cardUid, m.telegramUserId);
      } catch (err) {
        // Refused (or failed): take the new card out again unless its link changed since.
        await ctx.doc
          .send(
            new DeleteCommand({
              TableName,
              Key: memberKey(m.cardUid),
              ConditionExpression: "#ver = :ver",
              ExpressionAttributeNames: { "#ver": "linkVer" },
              ExpressionAttributeValues: { ":ver": linkVer },
            }),
          )
          .catch((cleanup: unknown) => {
            if (!isConditionFailure(cleanup)) throw new AggregateError([err, cleanup], String(err));
          });
        throw err;
      }
      return { ok: true };
    },

    async getByUid(uid) {
      const m = await getMember(uid);
      return m && toMember(m);
    },

    async getByTelegramId(userId) {
      const guard = await getGuard(userId);
      if (!guard) return undefined;
      const m = await getMember(guard.cardUid);
      return m?.telegramUserId === userId ? toMember(m) : undefined;
    },

    async findByName(name) {
      const exact = foldName(name.trim());
      if (exact === "") return [];
      const matches = (await allMembers()).filter((m) => m.nameLower.startsWith(exact));
      return matches
        .sort((a, b) => Number(a.nameLower !== exact) - Number(b.nameLower !== exact) || byName(a, b))
        .map(toMember);
    },

    async list(opts) {
      const all = await allMembers();
      return (opts?.includeRevoked ? all : all.filter((m) => m.active)).sort(byName).map(toMember);
    },

    async setActive(uid, active, by, at) {
      if (active) {
        try {
          const res = await ctx.doc.send(
            new UpdateCommand({
              TableName,
              Key: memberKey(uid),
              UpdateExpression: "SET #active = :true REMOVE #revokedAt, #revokedBy",
              ConditionExpression: "attribute_exists(#pk)",
              ExpressionAttributeNames: {
                "#pk": "pk",
                "#active": "active",
                "#revokedAt": "revokedAt",
                "#revokedBy": "revokedBy",
              },
              ExpressionAttributeValues: { ":true": true },
              ReturnValues: "ALL_NEW",
            }),
          );
          return toMember(res.Attributes as MemberItem);
        } catch (err) {
          if (isConditionFailure(err)) return undefined;
          throw err;
        }
      }
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        try {
          const res = await ctx.doc.send(
            new UpdateCommand({
              TableName,
              Key: memberKey(uid),
              UpdateExpression: "SET #active = :false, #revokedAt = :at, #revokedBy = :by",
              ConditionExpression: "#active = :true",
              ExpressionAttributeNames: { "#active": "active", "#revokedAt": "revokedAt", "#revokedBy": "revokedBy" },
              ExpressionAttributeValues: { ":true": true, ":false": false, ":at": at, ":by": by },
              ReturnValues: "ALL_NEW",
            }),
          );
          return toMember(res.Attributes as MemberItem);
        } catch (err) {
          if (!isConditionFailure(err)) throw err;
        }
        // Missing, or revoked already (keep the first revocation): read which.
        const m = await getMember(uid);
        if (!m) return undefined;
        if (!m.active) return toMember(m);
      }
      throw new Error(`card ${uid}: it kept being restored while revoking; try again`);
    },

    async setRooms(uid, rooms) {
      const list = normalizeRooms(rooms);
      try {
        const res = await ctx.doc.send(
          new UpdateCommand({
            TableName,
            Key: memberKey(uid),
            UpdateExpression: list === undefined ? "REMOVE #rooms" : "SET #rooms = :rooms",
            ConditionExpression: "attribute_exists(#pk)",
            ExpressionAttributeNames: { "#pk": "pk", "#rooms": "rooms" },
            ...(list === undefined ? {} : { ExpressionAttributeValues: { ":rooms": list } }),
            ReturnValues: "ALL_NEW",
          }),
        );
        return toMember(res.Attributes as MemberItem);
      } catch (err) {
        if (isConditionFailure(err)) return undefined;
        throw err;
      }
    },

    linkTelegram: link,
    linkTelegramIfUnlinked: linkIfUnlinked,
    unlinkTelegramIfLinkedTo: unlinkIfLinkedTo,
  };
}
