import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createInviteStore, INVITE_PAYLOAD } from "../../../core/door/invites.ts";
import { ManualClock } from "../../support/fakes.ts";

describe("invite links", () => {
  test("a token fits a Telegram deep link and works exactly once", () => {
    const store = createInviteStore(new ManualClock());
    const invite = store.create("04A1B2C3", 1001, 60_000);
    assert.match(`link_${invite.token}`, INVITE_PAYLOAD);
    assert.ok(`link_${invite.token}`.length <= 64, "Telegram's start payload limit");
    const first = store.redeem(invite.token);
    assert.ok(first.ok);
    assert.equal(first.invite.cardUid, "04A1B2C3");
    assert.deepEqual(store.redeem(invite.token), { ok: false, reason: "unknown" });
  });

  test("expired invites are refused, and spent even so", () => {
    const clock = new ManualClock();
    const store = createInviteStore(clock);
    const invite = store.create("04A1B2C3", 1001, 60_000);
    clock.advance(60_000);
    assert.deepEqual(store.redeem(invite.token), { ok: false, reason: "expired" });
    assert.deepEqual(store.redeem(invite.token), { ok: false, reason: "unknown" });
    assert.deepEqual(store.redeem("not-a-token"), { ok: false, reason: "unknown" });
  });

  test("a cancelled invite (never delivered) does not work", () => {
    const store = createInviteStore(new ManualClock());
    const invite = store.create("04A1B2C3", 1001, 60_000);
    assert.equal(store.cancel(invite.token), true);
    assert.equal(store.cancel(invite.token), false);
    assert.deepEqual(store.redeem(invite.token), { ok: false, reason: "unknown" });
  });

  test("tokens are distinct; pending drops expired ones", () => {
    const clock = new ManualClock();
    const store = createInviteStore(clock);
    const tokens = new Set(Array.from({ length: 200 }, () => store.create("0A0B0C0D", 1, 1_000).token));
    assert.equal(tokens.size, 200);
    store.create("0A0B0C0D", 1, 10_000);
    clock.advance(5_000);
    assert.equal(store.pending().length, 1);
  });
});
