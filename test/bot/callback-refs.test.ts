import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CallbackRefs } from "../../bot/callback-refs.ts";

describe("CallbackRefs", () => {
  test("a reference is short, opaque, and resolves to its data; the same data keeps its reference", () => {
    const refs = new CallbackRefs();
    const data = `acc:c:DEADBEEF0042:${"9".repeat(60)}`;
    const ref = refs.shorten(data);
    assert.match(ref, /^~[A-Za-z0-9_-]{12}$/);
    assert.ok(Buffer.byteLength(ref) <= 64);
    assert.ok(!ref.includes("DEADBEEF"));
    assert.equal(CallbackRefs.isRef(ref), true);
    assert.equal(refs.resolve(ref), data);
    assert.equal(refs.shorten(data), ref, "re-rendering a message keeps its buttons");
    assert.notEqual(refs.shorten(`${data}x`), ref);
  });

  test("bounded: beyond its capacity the least recently used references are forgotten", () => {
    const refs = new CallbackRefs(3);
    const a = refs.shorten("a");
    const b = refs.shorten("b");
    refs.shorten("c");
    assert.equal(refs.resolve(a), "a"); // a is now the most recently used
    refs.shorten("d");
    assert.equal(refs.size, 3);
    assert.equal(refs.resolve(b), undefined, "b was the least recently used");
    assert.equal(refs.resolve(a), "a");
    assert.notEqual(refs.shorten("b"), b, "a forgotten data gets a new reference");
  });

  test("what is not a reference is not taken for one; unknown references resolve to nothing", () => {
    assert.equal(CallbackRefs.isRef("acc:l:10:5"), false);
    assert.equal(CallbackRefs.isRef("~short"), false);
    assert.equal(new CallbackRefs().resolve("~AAAAAAAAAAAA"), undefined);
    assert.throws(() => new CallbackRefs(0), RangeError);
  });
});
