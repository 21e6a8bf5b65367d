import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatCardUid, normalizeUid } from "../../../core/door/card-uid.ts";

describe("card UIDs for people", () => {
  test("formatCardUid is for people: colon-separated upper-case bytes, as readers print them", () => {
    assert.equal(formatCardUid("04A2B3C4"), "04:A2:B3:C4");
    assert.equal(formatCardUid("661B4F1F"), "66:1B:4F:1F");
    assert.equal(formatCardUid("04112233445566"), "04:11:22:33:44:55:66");
  });

  test("formatting a shown UID again changes nothing; text that is not hex bytes is left alone", () => {
    assert.equal(formatCardUid("66:1B:4F:1F"), "66:1B:4F:1F");
    assert.equal(formatCardUid("66:1b:4f:1f"), "66:1B:4F:1F");
    assert.equal(formatCardUid("not a uid"), "not a uid");
    assert.equal(formatCardUid("ABC"), "ABC");
  });

  test("parsing takes both forms people meet, the shown one and the compact one, to the same card", () => {
    assert.equal(normalizeUid("66:1B:4F:1F"), "661B4F1F");
    assert.equal(normalizeUid("661B4F1F"), "661B4F1F");
    assert.equal(normalizeUid("661b4f1f"), "661B4F1F");
    for (const uid of ["661B4F1F", "04112233445566", "04112233445566778899"]) {
      assert.equal(normalizeUid(formatCardUid(uid)), uid, uid);
    }
  });
});
