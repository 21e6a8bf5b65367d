import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_CARD_ROOMS, parseCardRooms, sameRooms } from "../../../core/door/card-rooms.ts";

test("parseCardRooms: a comma list of room ids (folded, distinct, sorted), or all", () => {
  assert.deepEqual(parseCardRooms("dc-2,DC-1, dc-2"), { rooms: ["dc-1", "dc-2"] });
  assert.deepEqual(parseCardRooms("all"), { rooms: undefined });
  assert.deepEqual(parseCardRooms(" ALL "), { rooms: undefined });
  for (const bad of ["", ",", "-x", "dc/1", "dc-1,+", "a".repeat(41)])
    assert.equal(parseCardRooms(bad), undefined, bad);
  const many = Array.from({ length: MAX_CARD_ROOMS + 1 }, (_, i) => `r${i}`).join(",");
  assert.equal(parseCardRooms(many), undefined);
});

test("sameRooms", () => {
  assert.equal(sameRooms(undefined, undefined), true);
  assert.equal(sameRooms(undefined, []), false);
  assert.equal(sameRooms(["b", "a"], ["a", "b", "a"]), true);
  assert.equal(sameRooms(["a"], ["a", "b"]), false);
});
