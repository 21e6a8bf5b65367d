import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { validateStaffName } from "../../../core/door/staff-name.ts";

describe("staff names", () => {
  test("tidy names pass, trimmed and with inner spaces collapsed", () => {
    assert.deepEqual(validateStaffName("  Grace \t Hopper "), { ok: false, reason: "control" });
    assert.deepEqual(validateStaffName("  Grace   Hopper "), { ok: true, name: "Grace Hopper" });
    assert.deepEqual(validateStaffName("山田 太郎"), { ok: true, name: "山田 太郎" });
    assert.deepEqual(validateStaffName("O'Brien-Smith <b>"), { ok: true, name: "O'Brien-Smith <b>" });
    assert.deepEqual(validateStaffName("👩‍💻 Ada"), { ok: true, name: "👩‍💻 Ada" }, "emoji joiners are fine");
  });

  test("bad names say why", () => {
    assert.deepEqual(validateStaffName("   "), { ok: false, reason: "empty" });
    assert.deepEqual(validateStaffName("x".repeat(41)), { ok: false, reason: "too-long" });
    assert.deepEqual(validateStaffName("x".repeat(40)), { ok: true, name: "x".repeat(40) });
    assert.deepEqual(validateStaffName("a\nb"), { ok: false, reason: "control" });
    assert.deepEqual(validateStaffName("a\u0000b"), { ok: false, reason: "control" });
    assert.deepEqual(validateStaffName("Eve\u202Etxt.exe"), { ok: false, reason: "control" }, "bidi override");
    assert.deepEqual(validateStaffName("a\u200Bb"), { ok: false, reason: "control" }, "zero-width space");
    assert.deepEqual(validateStaffName("/start"), { ok: false, reason: "command" });
  });
});
