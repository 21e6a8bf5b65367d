import type { CardUid } from "./card-reader.ts";

export type StaffRole = "admin" | "staff";

/** A person with a card. Staff are shared by every room of a backend. */
export interface StaffMember {
  cardUid: CardUid;
  name: string;
  role: StaffRole;
  telegramUserId?: number;
  active: boolean;
  createdBy: number;
  createdAt: number;
  /** Set while revoked. */
  revokedAt?: number;
  revokedBy?: number;
  /**
   * The rooms (ROOM_ID) whose door this card opens; absent: every room. A known, active card
   * at another room's door is refused ("wrong-room").
   */
  rooms?: string[];
}

export interface StaffRepository {
  /** Adds a card; a UID that exists already (active or revoked) is refused with the existing record. */
  add(member: StaffMember): Promise<{ ok: true } | { ok: false; reason: "duplicate"; existing: StaffMember }>;
  getByUid(uid: CardUid): Promise<StaffMember | undefined>;
  getByTelegramId(userId: number): Promise<StaffMember | undefined>;
  /** Case-insensitive exact name match first, then prefix; active and revoked. */
  findByName(name: string): Promise<StaffMember[]>;
  /** Sorted by name. */
  list(opts?: { includeRevoked?: boolean }): Promise<StaffMember[]>;
  /**
   * The rooms the card opens (undefined: every room; an empty list is refused by callers);
   * returns the updated record, or undefined if no such card.
   */
  setRooms(uid: CardUid, rooms: readonly string[] | undefined): Promise<StaffMember | undefined>;
  /** Revoke (active=false) or restore; returns the updated record, or undefined if no such card. */
  setActive(uid: CardUid, active: boolean, by: number, at: number): Promise<StaffMember | undefined>;
  /**
   * Links (or unlinks with undefined) a Telegram account whatever the card's link was; returns
   * the updated record. For admin tools and tests: a redemption uses `linkTelegramIfUnlinked`.
   */
  linkTelegram(uid: CardUid, telegramUserId: number | undefined): Promise<StaffMember | undefined>;
  /**
   * Links an account to an active card that has no account yet, in one conditional write (a
   * concurrent link, revoke or relink cannot be overwritten); anything else is refused and
   * changes nothing. The card already carrying this very account is `ok` with `changed: false`.
   */
  linkTelegramIfUnlinked(uid: CardUid, telegramUserId: number): Promise<LinkResult>;
  /** Unlinks the card from `telegramUserId` only if that is still its link (one conditional write). */
  unlinkTelegramIfLinkedTo(uid: CardUid, telegramUserId: number): Promise<UnlinkResult>;
}

export type LinkResult =
  | { ok: true; member: StaffMember; changed: boolean }
  | { ok: false; reason: "no-card" }
  /** revoked: the card is revoked; card-linked: the card carries another account. */
  | { ok: false; reason: "revoked" | "card-linked"; member: StaffMember }
  /** The account is linked to another card (absent only if that changed in between). */
  | { ok: false; reason: "account-linked"; linkedCardUid: CardUid | undefined };

export type UnlinkResult =
  | { ok: true; member: StaffMember }
  | { ok: false; reason: "no-card" }
  /** The card carries no account, or another one: nothing changed. */
  | { ok: false; reason: "not-linked"; member: StaffMember };

/** wrong-room: a known, active card that does not open this room's door (StaffMember.rooms). */
export type AccessDecision = "allowed" | "off-hours" | "unknown" | "revoked" | "wrong-room";

/** Every decision, in the order lists show them. */
export const ACCESS_DECISIONS: readonly AccessDecision[] = ["allowed", "off-hours", "unknown", "revoked", "wrong-room"];

export interface AccessEntry {
  id: number;
  roomId: string;
  at: number;
  cardUid: CardUid;
  /** The staff member's name at the time (absent for unknown cards). */
  staffName?: string;
  decision: AccessDecision;
}

export interface AccessLogRepository {
  /** Returns the new entry's id. */
  add(entry: Omit<AccessEntry, "id">): Promise<number>;
  /** Newest first; `before` (an entry id) pages to older entries. */
  latest(roomId: string, limit: number, before?: number): Promise<AccessEntry[]>;
  /** One card's entries, newest first, paged like `latest`. */
  byCard(roomId: string, cardUid: CardUid, limit: number, before?: number): Promise<AccessEntry[]>;
  /** Entries with from <= at < to, oldest first (for /who and CSV export), at most `limit`. */
  between(roomId: string, from: number, to: number, limit: number): Promise<AccessEntry[]>;
  count(roomId: string): Promise<number>;
}

/** Thrown when a Telegram account is linked to a card while already linked to another. */
export class TelegramAlreadyLinkedError extends Error {
  override readonly name = "TelegramAlreadyLinkedError";
  readonly telegramUserId: number;
  /** The card holding the link (absent only if it changed in between). */
  readonly linkedCardUid: CardUid | undefined;
  constructor(telegramUserId: number, linkedCardUid: CardUid | undefined) {
    const holder = linkedCardUid === undefined ? "another card" : `card ${linkedCardUid}`;
    super(`Telegram user ${telegramUserId} is already linked to ${holder}; unlink it first`);
    this.telegramUserId = telegramUserId;
    this.linkedCardUid = linkedCardUid;
  }
}
